//! Verifier-side questions answered from disclosed, verified elements only.
//!
//! Each function reads a [`VerifiedDocument`] — elements that passed every verification
//! check — and answers from the elements the holder disclosed. It never infers: "may drive
//! C3?" is answered from `vehicle_classes` and the implication rules, not from anything else;
//! "over 18?" from `age_over_18`, not from a birth date. An element the holder did not
//! disclose is [`PredicateError::NotDisclosed`], never a "no".

use super::licence_id::LicenceTypeCode;
use super::vehicle::VehicleClass;
use crate::cbor::Value;
use crate::status::StatusOutcome;
use crate::verifier::VerifiedDocument;

/// Why a predicate cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PredicateError {
    /// The document's docType is not a licence docType (`1.2.156.3005.2.<type code>`).
    #[error("not an electronic licence")]
    NotALicence,
    /// The element that answers the question was not disclosed.
    #[error("element {element} was not disclosed")]
    NotDisclosed {
        /// The element that would answer it.
        element: String,
    },
    /// The element is there but not of the profile's form (e.g. an unknown vehicle class).
    #[error("element {element} is malformed")]
    Malformed {
        /// The element.
        element: String,
    },
    /// The licence's status could not be determined (its status list was unreachable or
    /// invalid, and the verifier accepted that): no "yes" can be given, and it is not a "no".
    #[error("the licence's status could not be determined")]
    StatusUndetermined,
}

/// The disclosed value of `element` in the licence's own namespace.
fn disclosed<'d>(doc: &'d VerifiedDocument, element: &str) -> Result<&'d Value, PredicateError> {
    if LicenceTypeCode::from_doc_type(&doc.doc_type).is_none() {
        return Err(PredicateError::NotALicence);
    }
    doc.issuer_signed
        .get(&doc.doc_type)
        .and_then(|els| els.get(element))
        .ok_or_else(|| PredicateError::NotDisclosed {
            element: element.to_owned(),
        })
}

/// The vehicle classes the holder disclosed (`vehicle_classes`).
pub fn disclosed_vehicle_classes(
    doc: &VerifiedDocument,
) -> Result<Vec<VehicleClass>, PredicateError> {
    const ELEMENT: &str = "vehicle_classes";
    let malformed = || PredicateError::Malformed {
        element: ELEMENT.to_owned(),
    };
    disclosed(doc, ELEMENT)?
        .as_array()
        .ok_or_else(malformed)?
        .iter()
        .map(|v| {
            v.as_text()
                .and_then(|code| VehicleClass::parse(code).ok())
                .ok_or_else(malformed)
        })
        .collect()
}

/// Whether the disclosed vehicle classes permit driving `class` (a class permits itself and
/// the classes it implies, e.g. C1 permits C2 C3 C4).
///
/// ```
/// # use zhengzhao::profiles::VehicleClass;
/// # fn check(doc: &zhengzhao::verifier::VerifiedDocument) -> Result<(), zhengzhao::profiles::predicates::PredicateError> {
/// use zhengzhao::profiles::predicates::may_drive;
/// if may_drive(doc, VehicleClass::C2)? { /* rent out the automatic car */ }
/// # Ok(()) }
/// ```
///
/// A licence whose status check found it suspended, revoked or overdue answers `false`
/// whatever its classes (such a document only reaches a caller that built it by hand: the
/// verifier rejects it); one whose status could not be determined is
/// [`PredicateError::StatusUndetermined`]. A document whose status was not checked is
/// answered from its classes alone: check the status ([`VerifyOptions::with_status`]) when
/// the answer matters.
///
/// [`VerifyOptions::with_status`]: crate::verifier::VerifyOptions::with_status
pub fn may_drive(doc: &VerifiedDocument, class: VehicleClass) -> Result<bool, PredicateError> {
    match &doc.status {
        None | Some(StatusOutcome::Valid) => {}
        Some(StatusOutcome::Undetermined(_)) => return Err(PredicateError::StatusUndetermined),
        Some(_) => return Ok(false),
    }
    Ok(disclosed_vehicle_classes(doc)?
        .iter()
        .any(|held| held.permits(class)))
}

/// Whether the holder is `years` or older, from the disclosed `age_over_NN` element (the
/// issuer derives `age_over_18` and `age_over_60`; other thresholds are not answerable).
pub fn age_over(doc: &VerifiedDocument, years: u8) -> Result<bool, PredicateError> {
    let element = format!("age_over_{years:02}");
    disclosed(doc, &element)?
        .as_bool()
        .ok_or(PredicateError::Malformed { element })
}
