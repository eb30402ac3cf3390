//! The Chinese licence profiles a host needs: the national identifiers parsed into their
//! parts, and questions answered from a verified document (core `profiles`).
//!
//! Errors name the failed check and a position, never the value (which may be personal data).

use zhengzhao::profiles::{
    predicates, predicates::PredicateError, CitizenIdNumber, LicenceId, Sex as CoreSex, Uscc,
    VehicleClass,
};
use zhengzhao::verifier as core;

use crate::error::ZhengzhaoError;

/// An electronic licence identifier (電子證照標識, GB/T 36904), checked.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct LicenceIdentifier {
    /// The identifier as given.
    pub identifier: String,
    /// The licence type code (21 characters).
    pub type_code: String,
    /// The issuing authority's unified social credit code.
    pub issuer: String,
    /// The serial.
    pub serial: String,
    /// The version.
    pub version: u16,
    /// The mdoc document type of licences of this type: `1.2.156.3005.2.<type code>`.
    pub doc_type: String,
}

/// A unified social credit code (統一社會信用代碼, GB 32100), checked.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SocialCreditCode {
    /// The code as given.
    pub code: String,
    /// The registration department (first character).
    pub registration_department: String,
    /// The organisation category (second character).
    pub organisation_category: String,
    /// The administrative region code (six digits).
    pub region_code: String,
    /// The embedded organisation code (nine characters).
    pub organisation_code: String,
}

/// Sex, as a citizen ID number encodes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Sex {
    /// Odd sequence code.
    Male,
    /// Even sequence code.
    Female,
}

/// A citizen ID number (公民身份號碼, GB 11643), checked: check character and a real birth
/// date. `Debug` shows no part of it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CitizenId {
    /// The number as given.
    pub number: String,
    /// The administrative region code of the first registration (six digits).
    pub address_code: String,
    /// The birth date, `YYYY-MM-DD`.
    pub birth_date: String,
    /// The sex.
    pub sex: Sex,
}

impl std::fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CitizenId(..)")
    }
}

/// Parses and checks a licence identifier.
#[uniffi::export]
pub fn parse_licence_identifier(identifier: String) -> Result<LicenceIdentifier, ZhengzhaoError> {
    let id = LicenceId::parse(&identifier).map_err(invalid)?;
    Ok(LicenceIdentifier {
        type_code: id.type_code().as_str().to_owned(),
        issuer: id.issuer().as_str().to_owned(),
        serial: id.serial().to_owned(),
        version: id.version(),
        doc_type: id.doc_type(),
        identifier,
    })
}

/// Parses and checks a unified social credit code.
#[uniffi::export]
pub fn parse_social_credit_code(code: String) -> Result<SocialCreditCode, ZhengzhaoError> {
    let uscc = Uscc::parse(&code).map_err(invalid)?;
    Ok(SocialCreditCode {
        registration_department: uscc.registration_department().to_string(),
        organisation_category: uscc.organisation_category().to_string(),
        region_code: uscc.region_code().to_owned(),
        organisation_code: uscc.organisation_code().to_owned(),
        code,
    })
}

/// Parses and checks a citizen ID number.
#[uniffi::export]
pub fn parse_citizen_id(number: String) -> Result<CitizenId, ZhengzhaoError> {
    let id = CitizenIdNumber::parse(&number).map_err(invalid)?;
    Ok(CitizenId {
        address_code: id.address_code().to_owned(),
        birth_date: id.birth_date().to_string(),
        sex: match id.sex() {
            CoreSex::Male => Sex::Male,
            _ => Sex::Female,
        },
        number,
    })
}

/// A check failed: its name and position, never the value.
fn invalid(e: impl std::fmt::Display) -> ZhengzhaoError {
    ZhengzhaoError::invalid_input(e.to_string())
}

/// Questions answered from a verified document's disclosed elements only: never inferred
/// from anything else, and an element the holder did not disclose is `NotDisclosed`, never a
/// "no". From `VerifiedDocument.predicates`.
#[derive(uniffi::Object)]
pub struct DocumentPredicates(pub(crate) core::VerifiedDocument);

impl std::fmt::Debug for DocumentPredicates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl PartialEq for DocumentPredicates {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

#[uniffi::export]
impl DocumentPredicates {
    /// Whether the disclosed vehicle classes permit driving `vehicle_class` (e.g. `"C2"`; a
    /// class permits the classes it implies: C1 permits C2, C3, C4).
    pub fn may_drive(&self, vehicle_class: String) -> Result<bool, ZhengzhaoError> {
        let class = VehicleClass::parse(&vehicle_class)
            .map_err(|_| ZhengzhaoError::invalid_input("unknown vehicle class"))?;
        Ok(predicates::may_drive(&self.0, class)?)
    }

    /// Whether the holder is `years` or older, from the disclosed `age_over_NN` element (the
    /// issuer derives `age_over_18` and `age_over_60`).
    pub fn age_over(&self, years: u8) -> Result<bool, ZhengzhaoError> {
        Ok(predicates::age_over(&self.0, years)?)
    }
}

impl From<PredicateError> for ZhengzhaoError {
    fn from(e: PredicateError) -> Self {
        match e {
            PredicateError::NotDisclosed { element } => ZhengzhaoError::NotDisclosed { element },
            PredicateError::Malformed { .. } => ZhengzhaoError::Malformed {
                reason: e.to_string(),
            },
            other => ZhengzhaoError::invalid_input(other.to_string()),
        }
    }
}
