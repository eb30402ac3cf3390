//! Licence profiles: document types, namespaces, typed elements with display names, and the
//! issuance-time validation of a licence's claims.

use core::fmt;

use super::citizen_id::{CitizenIdError, CitizenIdNumber, Sex};
use super::licence_id::{LicenceId, LicenceIdError, LicenceTypeCode, LICENCE_ROOT};
use super::uscc::{Uscc, UsccError};
use super::vehicle::VehicleClass;
use crate::cbor::{DateError, FullDate, Value};
use crate::crypto::EcPublicKey;
use crate::issuer::{IssueError, Issuer};
use crate::model::Credential;
use crate::time::UnixTime;

/// The namespace of the common metadata (GB/T 36903) every licence carries: the licence root
/// itself. Each licence type's own elements live in a namespace named like its docType.
pub const COMMON_NAMESPACE: &str = LICENCE_ROOT;

/// Decoy digests added per namespace by [`issue`], so the MSO does not reveal how many
/// optional elements a licence holds.
pub const DECOYS_PER_NAMESPACE: usize = 2;

/// China Standard Time, UTC+8: licence dates are calendar dates there.
const CST_OFFSET_SECS: i64 = 8 * 3600;

const DAY_SECS: i64 = 86_400;

/// Which of a profile's two namespaces an element belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// [`COMMON_NAMESPACE`]: the GB/T 36903 metadata.
    Common,
    /// The licence type's namespace, named like its docType.
    Licence,
}

/// The type of an element's value, as the issuer checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementType {
    /// Non-empty text.
    Text,
    /// `full-date` (tag 1004).
    Date,
    /// `bool`.
    Bool,
    /// `uint`, ISO/IEC 5218: 1 male, 2 female.
    Sex,
    /// Non-empty byte string (a JPEG portrait).
    Bytes,
    /// Text: a strict GB/T 36904 [`LicenceId`].
    LicenceId,
    /// Text: a [`LicenceTypeCode`].
    LicenceTypeCode,
    /// Text: a [`Uscc`].
    Uscc,
    /// Text: a [`CitizenIdNumber`].
    CitizenId,
    /// Text: a citizen identity number or a USCC, as `holder_code_type` says.
    HolderCode,
    /// Text: a [`HolderCodeType`] code, `"111"` or `"001"`.
    HolderCodeType,
    /// Non-empty array of distinct [`VehicleClass`] codes.
    VehicleClasses,
}

impl ElementType {
    /// The CDDL of the encoded value.
    pub fn cddl(self) -> &'static str {
        match self {
            ElementType::Text
            | ElementType::LicenceId
            | ElementType::LicenceTypeCode
            | ElementType::Uscc
            | ElementType::CitizenId
            | ElementType::HolderCode
            | ElementType::HolderCodeType => "tstr",
            ElementType::Date => "full-date",
            ElementType::Bool => "bool",
            ElementType::Sex => "uint",
            ElementType::Bytes => "bstr",
            ElementType::VehicleClasses => "[+ tstr]",
        }
    }
}

/// Whether an element must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// Always issued; missing is [`ProfileError::MissingElement`].
    Mandatory,
    /// Issued when given.
    Optional,
    /// Computed by [`issue`] from other elements; giving it is
    /// [`ProfileError::DerivedElementSupplied`].
    Derived,
}

/// One element of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ElementSpec {
    /// Its namespace.
    pub namespace: Namespace,
    /// The element identifier.
    pub identifier: &'static str,
    /// Display name in Chinese (simplified characters, as printed on the licence).
    pub name_zh: &'static str,
    /// Display name in English.
    pub name_en: &'static str,
    /// The value's type.
    pub element_type: ElementType,
    /// Whether it must be given.
    pub presence: Presence,
}

const fn el(
    namespace: Namespace,
    identifier: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    element_type: ElementType,
    presence: Presence,
) -> ElementSpec {
    ElementSpec {
        namespace,
        identifier,
        name_zh,
        name_en,
        element_type,
        presence,
    }
}

use ElementType as T;
use Namespace::{Common as C, Licence as L};
use Presence::{Derived as D, Mandatory as M, Optional as O};

/// GB/T 36903-2018 metadata: every licence carries these in [`COMMON_NAMESPACE`].
/// `validity_end` is required unless `validity_long_term` is true, and forbidden if it is.
#[rustfmt::skip]
const COMMON: &[ElementSpec] = &[
    el(C, "licence_id", "证照标识", "licence identifier", T::LicenceId, M),
    el(C, "licence_name", "证照名称", "licence name", T::Text, M),
    el(C, "licence_type_code", "证照类型代码", "licence type code", T::LicenceTypeCode, M),
    el(C, "licence_number", "证照编号", "licence number", T::Text, M),
    el(C, "issuing_authority", "证照颁发机构", "issuing authority", T::Text, M),
    el(C, "issuing_authority_code", "证照颁发机构代码", "issuing authority code", T::Uscc, M),
    el(C, "issue_date", "证照颁发日期", "date of issue", T::Date, M),
    el(C, "holder_name", "持证主体", "holder", T::Text, M),
    el(C, "holder_code", "持证主体代码", "holder code", T::HolderCode, M),
    el(C, "holder_code_type", "持证主体代码类型", "holder code type", T::HolderCodeType, M),
    el(C, "validity_start", "有效期起始日期", "valid from", T::Date, M),
    el(C, "validity_end", "有效期截止日期", "valid until", T::Date, O),
    el(C, "validity_long_term", "长期有效", "valid indefinitely", T::Bool, O),
];

/// 居民身份证: resident identity card.
#[rustfmt::skip]
const RESIDENT_ID_CARD: &[ElementSpec] = &[
    el(L, "name", "姓名", "name", T::Text, M),
    el(L, "sex", "性别", "sex", T::Sex, M),
    el(L, "ethnicity", "民族", "ethnicity", T::Text, M),
    el(L, "birth_date", "出生日期", "date of birth", T::Date, M),
    el(L, "address", "住址", "address", T::Text, M),
    el(L, "id_number", "公民身份号码", "citizen identity number", T::CitizenId, M),
    el(L, "issuing_office", "签发机关", "issuing office", T::Text, M),
    el(L, "portrait", "照片", "portrait", T::Bytes, O),
    el(L, "age_over_18", "年满18周岁", "aged 18 or over", T::Bool, D),
    el(L, "age_over_60", "年满60周岁", "aged 60 or over", T::Bool, D),
];

/// 机动车驾驶证: motor vehicle driving licence.
#[rustfmt::skip]
const DRIVING_LICENCE: &[ElementSpec] = &[
    el(L, "name", "姓名", "name", T::Text, M),
    el(L, "sex", "性别", "sex", T::Sex, M),
    el(L, "nationality", "国籍", "nationality", T::Text, M),
    el(L, "address", "住址", "address", T::Text, M),
    el(L, "birth_date", "出生日期", "date of birth", T::Date, M),
    el(L, "first_issue_date", "初次领证日期", "date of first issue", T::Date, M),
    el(L, "vehicle_classes", "准驾车型", "permitted vehicle classes", T::VehicleClasses, M),
    el(L, "id_number", "证号", "licence number (citizen identity number)", T::CitizenId, M),
    el(L, "issuing_office", "发证机关", "issuing office", T::Text, M),
    el(L, "portrait", "照片", "portrait", T::Bytes, O),
    el(L, "age_over_18", "年满18周岁", "aged 18 or over", T::Bool, D),
    el(L, "age_over_60", "年满60周岁", "aged 60 or over", T::Bool, D),
];

/// 营业执照: business licence.
#[rustfmt::skip]
const BUSINESS_LICENCE: &[ElementSpec] = &[
    el(L, "entity_name", "名称", "name of the entity", T::Text, M),
    el(L, "uscc", "统一社会信用代码", "unified social credit code", T::Uscc, M),
    el(L, "entity_type", "类型", "type of entity", T::Text, M),
    el(L, "legal_representative", "法定代表人", "legal representative", T::Text, M),
    el(L, "registered_capital", "注册资本", "registered capital", T::Text, O),
    el(L, "establishment_date", "成立日期", "date of establishment", T::Date, M),
    el(L, "business_scope", "经营范围", "business scope", T::Text, M),
    el(L, "domicile", "住所", "domicile", T::Text, M),
    el(L, "registration_authority", "登记机关", "registration authority", T::Text, M),
];

/// The licence types with a built-in profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LicenceKind {
    /// 居民身份证.
    ResidentIdCard,
    /// 机动车驾驶证.
    DrivingLicence,
    /// 营业执照.
    BusinessLicence,
}

impl LicenceKind {
    fn elements(self) -> &'static [ElementSpec] {
        match self {
            LicenceKind::ResidentIdCard => RESIDENT_ID_CARD,
            LicenceKind::DrivingLicence => DRIVING_LICENCE,
            LicenceKind::BusinessLicence => BUSINESS_LICENCE,
        }
    }

    /// The licence type code the built-in profile uses. The resident identity card
    /// (`…13127D001`, Ministry of Public Security) and business licence (`…MB0143028R001`,
    /// State Administration for Market Regulation) codes are those seen in use on provincial
    /// licence platforms; the driving licence's sequence `002` is a placeholder until
    /// confirmed against the national licence catalogue — set the real one with
    /// [`Profile::with_type_code`].
    pub fn default_type_code(self) -> &'static str {
        match self {
            LicenceKind::ResidentIdCard => "11100000000013127D001",
            LicenceKind::DrivingLicence => "11100000000013127D002",
            LicenceKind::BusinessLicence => "11100000MB0143028R001",
        }
    }

    /// The holder code type a licence of this kind is issued to.
    pub fn holder_code_type(self) -> HolderCodeType {
        match self {
            LicenceKind::ResidentIdCard | LicenceKind::DrivingLicence => {
                HolderCodeType::CitizenIdNumber
            }
            LicenceKind::BusinessLicence => HolderCodeType::Uscc,
        }
    }

    /// The name in Chinese (simplified characters).
    pub fn name_zh(self) -> &'static str {
        match self {
            LicenceKind::ResidentIdCard => "居民身份证",
            LicenceKind::DrivingLicence => "机动车驾驶证",
            LicenceKind::BusinessLicence => "营业执照",
        }
    }

    /// The name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            LicenceKind::ResidentIdCard => "resident identity card",
            LicenceKind::DrivingLicence => "motor vehicle driving licence",
            LicenceKind::BusinessLicence => "business licence",
        }
    }
}

/// 持证主体代码类型: what kind of code identifies the holder (GB/T 36903).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HolderCodeType {
    /// `111`: a citizen identity number.
    CitizenIdNumber,
    /// `001`: a unified social credit code.
    Uscc,
}

impl HolderCodeType {
    /// The code: `"111"` or `"001"`.
    pub fn code(self) -> &'static str {
        match self {
            HolderCodeType::CitizenIdNumber => "111",
            HolderCodeType::Uscc => "001",
        }
    }

    /// From its code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "111" => Some(HolderCodeType::CitizenIdNumber),
            "001" => Some(HolderCodeType::Uscc),
            _ => None,
        }
    }
}

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

    fn check(&self, claims: &Claims, validity: &MsoValidity) -> Result<Checked, ProfileError> {
        let mut typed: Vec<(&'static ElementSpec, Typed)> = Vec::new();
        for (identifier, value) in &claims.entries {
            let spec = self
                .element(identifier)
                .ok_or_else(|| ProfileError::UnknownElement {
                    identifier: identifier.clone(),
                })?;
            if spec.presence == Presence::Derived {
                return Err(ProfileError::DerivedElementSupplied {
                    identifier: spec.identifier,
                });
            }
            typed.push((spec, type_check(spec, value)?));
        }
        if let Some(missing) = self
            .mandatory()
            .find(|m| !typed.iter().any(|(s, _)| s.identifier == m.identifier))
        {
            return Err(ProfileError::MissingElement {
                identifier: missing.identifier,
            });
        }
        let get = |id: &str| {
            typed
                .iter()
                .find(|(s, _)| s.identifier == id)
                .map(|(_, t)| t)
        };
        let text = |id: &str| match get(id) {
            Some(Typed::Text(s)) => Some(s.as_str()),
            _ => None,
        };
        let date = |id: &str| match get(id) {
            Some(Typed::Date(d)) => Some(*d),
            _ => None,
        };
        let mut warnings = Vec::new();

        // The licence type and issuer named in the metadata are this profile's and agree.
        if let Some(Typed::TypeCode(t)) = get("licence_type_code") {
            if *t != self.type_code {
                return Err(ProfileError::LicenceTypeMismatch {
                    identifier: "licence_type_code",
                });
            }
        }
        let issuer_code = match get("issuing_authority_code") {
            Some(Typed::Uscc(u)) => Some(u),
            _ => None,
        };
        if let Some(Typed::LicenceId(id)) = get("licence_id") {
            if *id.type_code() != self.type_code {
                return Err(ProfileError::LicenceTypeMismatch {
                    identifier: "licence_id",
                });
            }
            if Some(id.issuer()) != issuer_code {
                return Err(ProfileError::IssuerCodeMismatch);
            }
        }
        for (spec, t) in &typed {
            if let Typed::Uscc(u) = t {
                if !u.organisation_code_valid() {
                    warnings.push(ProfileWarning::PilotEraUscc {
                        identifier: spec.identifier,
                    });
                }
            }
        }

        // The holder: code type fits the licence, code parses as its type.
        let expected_type = self.kind.holder_code_type();
        match get("holder_code_type") {
            Some(Typed::HolderCodeType(t)) if *t == expected_type => {}
            _ => return Err(ProfileError::HolderCodeTypeNotAllowed),
        }
        let holder_code = text("holder_code").unwrap_or_default();
        let holder_citizen = match expected_type {
            HolderCodeType::CitizenIdNumber => {
                Some(CitizenIdNumber::parse(holder_code).map_err(|source| {
                    ProfileError::CitizenId {
                        identifier: "holder_code",
                        source,
                    }
                })?)
            }
            HolderCodeType::Uscc => {
                let u = Uscc::parse(holder_code).map_err(|source| ProfileError::Uscc {
                    identifier: "holder_code",
                    source,
                })?;
                if !u.organisation_code_valid() {
                    warnings.push(ProfileWarning::PilotEraUscc {
                        identifier: "holder_code",
                    });
                }
                None
            }
        };

        // Validity of the licence.
        let start = date("validity_start");
        let end = date("validity_end");
        let long_term = matches!(get("validity_long_term"), Some(Typed::Bool(true)));
        match (end, long_term) {
            (None, false) => return Err(ProfileError::ValidityEndMissing),
            (Some(_), true) => return Err(ProfileError::ValidityEndAndLongTerm),
            _ => {}
        }
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                return Err(ProfileError::ValidityEndsBeforeStart);
            }
        }

        // The face agrees with the metadata.
        match self.kind {
            LicenceKind::ResidentIdCard | LicenceKind::DrivingLicence => {
                let id = match get("id_number") {
                    Some(Typed::Citizen(id)) => Some(id),
                    _ => None,
                };
                if id.map(CitizenIdNumber::as_str)
                    != holder_citizen.as_ref().map(CitizenIdNumber::as_str)
                {
                    return Err(ProfileError::HolderCodeMismatch {
                        identifier: "id_number",
                    });
                }
                if text("name") != text("holder_name") {
                    return Err(ProfileError::HolderNameMismatch { identifier: "name" });
                }
                if let Some(id) = id {
                    if date("birth_date") != Some(id.birth_date()) {
                        return Err(ProfileError::BirthDateMismatch);
                    }
                    if !matches!(get("sex"), Some(Typed::Sex(s)) if *s == id.sex()) {
                        return Err(ProfileError::SexMismatch);
                    }
                }
            }
            LicenceKind::BusinessLicence => {
                let uscc = match get("uscc") {
                    Some(Typed::Uscc(u)) => Some(u.as_str()),
                    _ => None,
                };
                if uscc != Some(holder_code) {
                    return Err(ProfileError::HolderCodeMismatch { identifier: "uscc" });
                }
                if text("entity_name") != text("holder_name") {
                    return Err(ProfileError::HolderNameMismatch {
                        identifier: "entity_name",
                    });
                }
            }
        }

        // The MSO window: well formed, and within the licence's validity (dates in UTC+8).
        if validity.valid_until < validity.valid_from || validity.signed > validity.valid_until {
            return Err(ProfileError::MsoValidity);
        }
        if let Some(start) = start {
            let licence_from = start.at_midnight_utc().add_secs(-CST_OFFSET_SECS);
            if validity.valid_from < licence_from {
                return Err(ProfileError::MsoOutsideLicenceValidity);
            }
        }
        if let Some(end) = end {
            let licence_until = end.at_midnight_utc().add_secs(DAY_SECS - CST_OFFSET_SECS);
            if validity.valid_until > licence_until {
                return Err(ProfileError::MsoOutsideLicenceValidity);
            }
        }

        // Derived elements.
        let mut derived = Vec::new();
        if let Some(birth) = date("birth_date") {
            let today = china_date(validity.valid_from);
            for (identifier, years) in [("age_over_18", 18), ("age_over_60", 60)] {
                if self.element(identifier).is_some() {
                    derived.push((identifier, Value::Bool(age_on(birth, today) >= years)));
                }
            }
        }

        Ok(Checked { warnings, derived })
    }
}

/// The result of a successful check.
struct Checked {
    warnings: Vec<ProfileWarning>,
    derived: Vec<(&'static str, Value)>,
}

/// A checked value, as far as the cross-checks need it.
enum Typed {
    Text(String),
    Date(FullDate),
    Bool(bool),
    Sex(Sex),
    Other,
    LicenceId(Box<LicenceId>),
    TypeCode(LicenceTypeCode),
    Uscc(Uscc),
    Citizen(CitizenIdNumber),
    HolderCodeType(HolderCodeType),
}

fn type_check(spec: &'static ElementSpec, value: &Value) -> Result<Typed, ProfileError> {
    let identifier = spec.identifier;
    let wrong = || ProfileError::WrongType {
        identifier,
        expected: spec.element_type.cddl(),
    };
    let text = || -> Result<&str, ProfileError> {
        let s = value.as_text().ok_or_else(wrong)?;
        if s.trim().is_empty() {
            return Err(ProfileError::EmptyValue { identifier });
        }
        Ok(s)
    };
    Ok(match spec.element_type {
        ElementType::Text | ElementType::HolderCode => Typed::Text(text()?.to_owned()),
        ElementType::Date => Typed::Date(
            FullDate::from_value(value)
                .map_err(|source| ProfileError::Date { identifier, source })?,
        ),
        ElementType::Bool => Typed::Bool(value.as_bool().ok_or_else(wrong)?),
        ElementType::Sex => Typed::Sex(
            Sex::from_iso5218(value.as_integer().ok_or_else(wrong)?)
                .ok_or(ProfileError::Sex { identifier })?,
        ),
        ElementType::Bytes => {
            if value.as_bytes().ok_or_else(wrong)?.is_empty() {
                return Err(ProfileError::EmptyValue { identifier });
            }
            Typed::Other
        }
        ElementType::LicenceId => Typed::LicenceId(Box::new(
            LicenceId::parse(text()?)
                .map_err(|source| ProfileError::LicenceId { identifier, source })?,
        )),
        ElementType::LicenceTypeCode => Typed::TypeCode(
            LicenceTypeCode::parse(text()?)
                .map_err(|source| ProfileError::LicenceId { identifier, source })?,
        ),
        ElementType::Uscc => Typed::Uscc(
            Uscc::parse(text()?).map_err(|source| ProfileError::Uscc { identifier, source })?,
        ),
        ElementType::CitizenId => Typed::Citizen(
            CitizenIdNumber::parse(text()?)
                .map_err(|source| ProfileError::CitizenId { identifier, source })?,
        ),
        ElementType::HolderCodeType => Typed::HolderCodeType(
            HolderCodeType::from_code(text()?).ok_or(ProfileError::HolderCodeTypeNotAllowed)?,
        ),
        ElementType::VehicleClasses => {
            let items = value.as_array().ok_or_else(wrong)?;
            if items.is_empty() {
                return Err(ProfileError::NoVehicleClasses);
            }
            let mut seen: Vec<VehicleClass> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let class = item
                    .as_text()
                    .and_then(|code| VehicleClass::parse(code).ok())
                    .ok_or(ProfileError::UnknownVehicleClass { position: i + 1 })?;
                if seen.contains(&class) {
                    return Err(ProfileError::DuplicateVehicleClass { position: i + 1 });
                }
                seen.push(class);
            }
            Typed::Other
        }
    })
}

/// The calendar date in China at `t`.
fn china_date(t: UnixTime) -> (i64, u32, u32) {
    let (y, m, d, ..) = t.add_secs(CST_OFFSET_SECS).to_civil();
    (y, m, d)
}

/// Completed years of age on `today` for someone born on `birth` (born 29 February: a year
/// older on 1 March in common years).
fn age_on(birth: FullDate, today: (i64, u32, u32)) -> i64 {
    let (y, m, d) = today;
    let mut age = y - i64::from(birth.year());
    if (m, d) < (u32::from(birth.month()), u32::from(birth.day())) {
        age -= 1;
    }
    age
}

/// Why claims do not fit their profile. Names the element and the check, never the value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// An element the profile does not define.
    #[error("element {identifier} is not part of this licence profile")]
    UnknownElement {
        /// The identifier given.
        identifier: String,
    },
    /// An element [`issue`] computes itself (e.g. `age_over_18`) was given.
    #[error("element {identifier} is derived by the issuer and must not be given")]
    DerivedElementSupplied {
        /// The element.
        identifier: &'static str,
    },
    /// A mandatory element is missing.
    #[error("mandatory element {identifier} is missing")]
    MissingElement {
        /// The element.
        identifier: &'static str,
    },
    /// A value of the wrong CBOR type.
    #[error("element {identifier} must be {expected}")]
    WrongType {
        /// The element.
        identifier: &'static str,
        /// The CDDL type required.
        expected: &'static str,
    },
    /// Empty (or blank) text or bytes.
    #[error("element {identifier} is empty")]
    EmptyValue {
        /// The element.
        identifier: &'static str,
    },
    /// Not a `full-date`.
    #[error("element {identifier}: {source}")]
    Date {
        /// The element.
        identifier: &'static str,
        /// Why.
        source: DateError,
    },
    /// A sex code other than 1 or 2.
    #[error("element {identifier} is not an ISO/IEC 5218 code 1 or 2")]
    Sex {
        /// The element.
        identifier: &'static str,
    },
    /// Not a valid citizen identity number (e.g. a bad check character).
    #[error("element {identifier}: {source}")]
    CitizenId {
        /// The element.
        identifier: &'static str,
        /// Which check failed.
        source: CitizenIdError,
    },
    /// Not a valid unified social credit code.
    #[error("element {identifier}: {source}")]
    Uscc {
        /// The element.
        identifier: &'static str,
        /// Which check failed.
        source: UsccError,
    },
    /// Not a strictly valid licence identifier or type code.
    #[error("element {identifier}: {source}")]
    LicenceId {
        /// The element.
        identifier: &'static str,
        /// Which check failed.
        source: LicenceIdError,
    },
    /// `holder_code_type` is not the one this licence is issued to (111 for personal
    /// licences, 001 for business licences), or not a known code.
    #[error("holder code type not allowed for this licence")]
    HolderCodeTypeNotAllowed,
    /// A vehicle class that is not one of the seventeen.
    #[error("vehicle class {position} is unknown")]
    UnknownVehicleClass {
        /// Position in the array, from 1.
        position: usize,
    },
    /// The same vehicle class twice.
    #[error("vehicle class {position} repeats an earlier one")]
    DuplicateVehicleClass {
        /// Position in the array, from 1.
        position: usize,
    },
    /// An empty list of vehicle classes.
    #[error("no vehicle classes")]
    NoVehicleClasses,
    /// The licence type code (in `licence_type_code` or inside `licence_id`) is not the
    /// profile's.
    #[error("element {identifier} names another licence type")]
    LicenceTypeMismatch {
        /// The element.
        identifier: &'static str,
    },
    /// The issuer inside `licence_id` is not `issuing_authority_code`.
    #[error("licence identifier names another issuing authority")]
    IssuerCodeMismatch,
    /// The face's identity number or USCC is not `holder_code`.
    #[error("element {identifier} differs from holder_code")]
    HolderCodeMismatch {
        /// The element.
        identifier: &'static str,
    },
    /// The face's name is not `holder_name`.
    #[error("element {identifier} differs from holder_name")]
    HolderNameMismatch {
        /// The element.
        identifier: &'static str,
    },
    /// `birth_date` is not the date inside the identity number.
    #[error("birth_date differs from the identity number")]
    BirthDateMismatch,
    /// `sex` is not the one the identity number's sequence code encodes.
    #[error("sex differs from the identity number")]
    SexMismatch,
    /// `validity_end` is before `validity_start`.
    #[error("licence validity ends before it starts")]
    ValidityEndsBeforeStart,
    /// Neither `validity_end` nor `validity_long_term` true.
    #[error("licence validity has no end and is not long-term")]
    ValidityEndMissing,
    /// Both `validity_end` and `validity_long_term` true.
    #[error("licence validity has an end and is long-term")]
    ValidityEndAndLongTerm,
    /// The MSO window ends before it starts, or was signed after it ends.
    #[error("invalid MSO validity window")]
    MsoValidity,
    /// The MSO window starts before the licence's validity or ends after it (licence dates
    /// are whole days in UTC+8).
    #[error("MSO validity window lies outside the licence's validity")]
    MsoOutsideLicenceValidity,
    /// The issuer failed (random numbers, signer, COSE).
    #[error("issuing: {0}")]
    Issue(#[from] IssueError),
}

/// Something legal but notable about issued claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileWarning {
    /// A pilot-era USCC whose embedded organisation code fails its check
    /// ([`UsccWarning::OrganisationCodeCheck`](super::UsccWarning::OrganisationCodeCheck)).
    PilotEraUscc {
        /// The element holding it.
        identifier: &'static str,
    },
}

/// A licence's claims: element identifier → value, before they are checked against a
/// profile. `Debug` shows identifiers only.
#[derive(Clone, Default, PartialEq)]
pub struct Claims {
    entries: Vec<(String, Value)>,
}

impl Claims {
    /// No claims.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an element (replacing an earlier value).
    pub fn with(mut self, identifier: impl Into<String>, value: Value) -> Self {
        self.insert(identifier, value);
        self
    }

    /// Sets a text element.
    pub fn with_text(self, identifier: impl Into<String>, text: impl Into<String>) -> Self {
        self.with(identifier, Value::text(text))
    }

    /// Sets a `full-date` element.
    pub fn with_date(self, identifier: impl Into<String>, date: FullDate) -> Self {
        self.with(identifier, date.to_value())
    }

    /// Sets an element (replacing an earlier value).
    pub fn insert(&mut self, identifier: impl Into<String>, value: Value) {
        let identifier = identifier.into();
        match self.entries.iter_mut().find(|(id, _)| *id == identifier) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((identifier, value)),
        }
    }

    /// Removes an element.
    pub fn remove(&mut self, identifier: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(id, _)| id == identifier)?;
        Some(self.entries.remove(i).1)
    }

    /// The value of an element.
    pub fn get(&self, identifier: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(id, _)| id == identifier)
            .map(|(_, v)| v)
    }

    /// The identifiers given, in order.
    pub fn identifiers(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(id, _)| id.as_str())
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.identifiers()).finish()
    }
}

/// The MSO validity window of a credential: when it was signed and when it may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MsoValidity {
    /// When the MSO is signed.
    pub signed: UnixTime,
    /// Not valid before.
    pub valid_from: UnixTime,
    /// Not valid after.
    pub valid_until: UnixTime,
}

impl MsoValidity {
    /// A window.
    pub fn new(signed: UnixTime, valid_from: UnixTime, valid_until: UnixTime) -> Self {
        MsoValidity {
            signed,
            valid_from,
            valid_until,
        }
    }
}

/// A credential issued under a profile, with the warnings its claims raised.
#[derive(Debug)]
#[non_exhaustive]
pub struct IssuedLicence {
    /// What the wallet stores.
    pub credential: Credential,
    /// Legal but notable values (e.g. a pilot-era USCC).
    pub warnings: Vec<ProfileWarning>,
}

/// Issues a licence: checks `claims` against `profile` (types, check characters, mandatory
/// elements, cross-element consistency, validity), computes the derived elements
/// (`age_over_18`, `age_over_60` from `birth_date` on the China date of `validity.valid_from`)
/// and has `issuer` sign the credential with [`DECOYS_PER_NAMESPACE`] decoys.
pub fn issue(
    issuer: &Issuer,
    profile: &Profile,
    claims: &Claims,
    device_key: EcPublicKey,
    validity: MsoValidity,
) -> Result<IssuedLicence, ProfileError> {
    let checked = profile.check(claims, &validity)?;
    let mut builder = issuer.credential(profile.doc_type());
    for spec in profile.elements() {
        let value = match spec.presence {
            Presence::Derived => checked
                .derived
                .iter()
                .find(|(id, _)| *id == spec.identifier)
                .map(|(_, v)| v.clone()),
            _ => claims.get(spec.identifier).cloned(),
        };
        if let Some(value) = value {
            builder = builder.element(profile.namespace(spec.namespace), spec.identifier, value);
        }
    }
    let credential = builder
        .decoys(DECOYS_PER_NAMESPACE)
        .device_key(device_key)
        .validity(validity.signed, validity.valid_from, validity.valid_until)
        .sign()?;
    Ok(IssuedLicence {
        credential,
        warnings: checked.warnings,
    })
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
