//! Checking claims against a profile: element types, check characters, presence and the
//! cross-element rules.

use super::*;

impl Profile {
    pub(super) fn check(
        &self,
        claims: &Claims,
        validity: &MsoValidity,
    ) -> Result<Checked, ProfileError> {
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
pub(super) struct Checked {
    pub(super) warnings: Vec<ProfileWarning>,
    pub(super) derived: Vec<(&'static str, Value)>,
}

/// A checked value, as far as the cross-checks need it.
pub(super) enum Typed {
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

pub(super) fn type_check(spec: &'static ElementSpec, value: &Value) -> Result<Typed, ProfileError> {
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
pub(super) fn china_date(t: UnixTime) -> (i64, u32, u32) {
    let (y, m, d, ..) = t.add_secs(CST_OFFSET_SECS).to_civil();
    (y, m, d)
}

/// Completed years of age on `today` for someone born on `birth` (born 29 February: a year
/// older on 1 March in common years).
pub(super) fn age_on(birth: FullDate, today: (i64, u32, u32)) -> i64 {
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
    /// ([`UsccWarning::OrganisationCodeCheck`](crate::profiles::UsccWarning::OrganisationCodeCheck)).
    PilotEraUscc {
        /// The element holding it.
        identifier: &'static str,
    },
}
