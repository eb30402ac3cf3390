//! Licence profiles: document types, namespaces, typed elements with display names, and the
//! issuance-time validation of a licence's claims.
//!
//! Split by concern: the element tables of each licence type (`tables.rs`), the checks of
//! claims against a profile (`checks.rs`), and issuance (`issuance.rs`).

use core::fmt;

use super::citizen_id::{CitizenIdError, CitizenIdNumber, Sex};
use super::licence_id::{LicenceId, LicenceIdError, LicenceTypeCode, LICENCE_ROOT};
use super::uscc::{Uscc, UsccError};
use super::vehicle::VehicleClass;
use crate::cbor::{DateError, FullDate, Value};
use crate::crypto::EcPublicKey;
use crate::issuer::{IssueError, Issuer};
use crate::model::Credential;
use crate::status::StatusReference;
use crate::time::UnixTime;

mod checks;
mod issuance;
mod tables;

#[cfg(test)]
use checks::{age_on, china_date};
pub use checks::{ProfileError, ProfileWarning};
pub use issuance::{issue, issue_with_status, Claims, IssuedLicence, MsoValidity};
pub use tables::{
    ElementSpec, ElementType, HolderCodeType, LicenceKind, Namespace, Presence, COMMON_NAMESPACE,
    DECOYS_PER_NAMESPACE,
};
use tables::{COMMON, CST_OFFSET_SECS, DAY_SECS};

/// A licence profile: its type code, docType, namespaces and elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    kind: LicenceKind,
    type_code: LicenceTypeCode,
    doc_type: String,
}

impl Profile {
    fn of(kind: LicenceKind) -> Self {
        let type_code = LicenceTypeCode::known(kind.default_type_code());
        Profile {
            kind,
            doc_type: type_code.doc_type(),
            type_code,
        }
    }

    /// 居民身份证, resident identity card.
    pub fn resident_id_card() -> Self {
        Self::of(LicenceKind::ResidentIdCard)
    }

    /// 机动车驾驶证, motor vehicle driving licence.
    pub fn driving_licence() -> Self {
        Self::of(LicenceKind::DrivingLicence)
    }

    /// 营业执照, business licence.
    pub fn business_licence() -> Self {
        Self::of(LicenceKind::BusinessLicence)
    }

    /// The built-in profiles.
    pub fn builtin() -> [Profile; 3] {
        [
            Self::resident_id_card(),
            Self::driving_licence(),
            Self::business_licence(),
        ]
    }

    /// The built-in profile whose docType is `doc_type`.
    pub fn for_doc_type(doc_type: &str) -> Option<Profile> {
        Self::builtin().into_iter().find(|p| p.doc_type == doc_type)
    }

    /// The same elements under another licence type code (and so another docType).
    pub fn with_type_code(mut self, type_code: LicenceTypeCode) -> Self {
        self.doc_type = type_code.doc_type();
        self.type_code = type_code;
        self
    }

    /// Which licence this is.
    pub fn kind(&self) -> LicenceKind {
        self.kind
    }

    /// The licence type code.
    pub fn type_code(&self) -> &LicenceTypeCode {
        &self.type_code
    }

    /// The docType: `1.2.156.3005.2.<licence type code>`.
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The name of a namespace: [`COMMON_NAMESPACE`] or the docType.
    pub fn namespace(&self, namespace: Namespace) -> &str {
        match namespace {
            Namespace::Common => COMMON_NAMESPACE,
            Namespace::Licence => &self.doc_type,
        }
    }

    /// The licence's name in Chinese.
    pub fn name_zh(&self) -> &'static str {
        self.kind.name_zh()
    }

    /// The licence's name in English.
    pub fn name_en(&self) -> &'static str {
        self.kind.name_en()
    }

    /// Every element: the common metadata, then the licence's own.
    pub fn elements(&self) -> impl Iterator<Item = &'static ElementSpec> {
        COMMON.iter().chain(self.kind.elements())
    }

    /// The element with this identifier (identifiers are unique across both namespaces).
    pub fn element(&self, identifier: &str) -> Option<&'static ElementSpec> {
        self.elements().find(|e| e.identifier == identifier)
    }

    /// The mandatory elements.
    pub fn mandatory(&self) -> impl Iterator<Item = &'static ElementSpec> {
        self.elements()
            .filter(|e| e.presence == Presence::Mandatory)
    }

    /// Checks `claims` against the profile, as [`issue`] does, with the MSO validity window
    /// `validity`; returns the warnings (legal but notable values).
    pub fn validate(
        &self,
        claims: &Claims,
        validity: &MsoValidity,
    ) -> Result<Vec<ProfileWarning>, ProfileError> {
        self.check(claims, validity).map(|c| c.warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_type_codes_are_valid() {
        for kind in [
            LicenceKind::ResidentIdCard,
            LicenceKind::DrivingLicence,
            LicenceKind::BusinessLicence,
        ] {
            let parsed = LicenceTypeCode::parse(kind.default_type_code()).unwrap();
            assert_eq!(LicenceTypeCode::known(kind.default_type_code()), parsed);
            assert!(parsed.defining_authority().organisation_code_valid());
        }
    }

    #[test]
    fn profiles_are_well_formed() {
        let docs: Vec<String> = Profile::builtin()
            .iter()
            .map(|p| p.doc_type().to_owned())
            .collect();
        for (i, p) in Profile::builtin().iter().enumerate() {
            assert!(p.doc_type().starts_with("1.2.156.3005.2."));
            assert_eq!(
                LicenceTypeCode::from_doc_type(p.doc_type()).as_ref(),
                Some(p.type_code())
            );
            assert_eq!(Profile::for_doc_type(p.doc_type()).as_ref(), Some(p));
            assert_eq!(p.namespace(Namespace::Licence), p.doc_type());
            assert!(!docs[..i].contains(&docs[i]));
            let ids: Vec<&str> = p.elements().map(|e| e.identifier).collect();
            for (j, id) in ids.iter().enumerate() {
                assert!(!ids[..j].contains(id), "{id} twice in {}", p.name_en());
            }
            for e in p.elements() {
                assert!(!e.name_zh.is_empty() && !e.name_en.is_empty());
            }
            assert!(p.mandatory().count() >= 10);
        }
        assert_eq!(Profile::for_doc_type("org.iso.18013.5.1.mDL"), None);
    }

    #[test]
    fn ages_on_china_dates() {
        let birth = FullDate::parse("2006-03-01").unwrap();
        assert_eq!(age_on(birth, (2024, 2, 29)), 17);
        assert_eq!(age_on(birth, (2024, 3, 1)), 18);
        let leap = FullDate::parse("2004-02-29").unwrap();
        assert_eq!(age_on(leap, (2022, 2, 28)), 17);
        assert_eq!(age_on(leap, (2022, 3, 1)), 18);
        // 2024-02-29T16:00:00Z is already 1 March in Beijing.
        let t = UnixTime::parse_rfc3339("2024-02-29T16:00:00Z").unwrap();
        assert_eq!(china_date(t), (2024, 3, 1));
    }

    #[test]
    fn claims_debug_shows_identifiers_only() {
        let c = Claims::new()
            .with_text("name", "张三")
            .with_text("id_number", "11010519491231002X");
        let shown = format!("{c:?}");
        assert_eq!(shown, r#"["name", "id_number"]"#);
    }
}
