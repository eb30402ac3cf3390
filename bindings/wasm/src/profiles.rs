//! The Chinese licence profiles (core `profiles`): the national identifiers checked and split
//! into their parts, and questions answered from a verified document's disclosed elements.
//!
//! Errors name the failed check and a position, never the value (which may be personal data).

use serde_json::json;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use zhengzhao::profiles::predicates::{self, PredicateError};
use zhengzhao::profiles::{CitizenIdNumber, LicenceId, Sex, Uscc, VehicleClass};

use crate::error::JsError;
use crate::verify::verify_response;

/// Parses and checks an electronic licence identifier (GB/T 36904); JSON `{"identifier",
/// "typeCode", "issuer", "serial", "version", "docType"}`.
#[wasm_bindgen(js_name = parseLicenceIdentifierRaw)]
pub fn parse_licence_identifier(identifier: &str) -> Result<String, JsValue> {
    let id = LicenceId::parse(identifier).map_err(invalid)?;
    Ok(json!({
        "identifier": identifier,
        "typeCode": id.type_code().as_str(),
        "issuer": id.issuer().as_str(),
        "serial": id.serial(),
        "version": id.version(),
        "docType": id.doc_type(),
    })
    .to_string())
}

/// Parses and checks a unified social credit code (GB 32100); JSON `{"code",
/// "registrationDepartment", "organisationCategory", "regionCode", "organisationCode"}`.
#[wasm_bindgen(js_name = parseSocialCreditCodeRaw)]
pub fn parse_social_credit_code(code: &str) -> Result<String, JsValue> {
    let uscc = Uscc::parse(code).map_err(invalid)?;
    Ok(json!({
        "code": code,
        "registrationDepartment": uscc.registration_department().to_string(),
        "organisationCategory": uscc.organisation_category().to_string(),
        "regionCode": uscc.region_code(),
        "organisationCode": uscc.organisation_code(),
    })
    .to_string())
}

/// Parses and checks a citizen ID number (GB 11643: check character, a real birth date); JSON
/// `{"number", "addressCode", "birthDate", "sex"}` with sex `"male"` or `"female"`.
#[wasm_bindgen(js_name = parseCitizenIdRaw)]
pub fn parse_citizen_id(number: &str) -> Result<String, JsValue> {
    let id = CitizenIdNumber::parse(number).map_err(invalid)?;
    Ok(json!({
        "number": number,
        "addressCode": id.address_code(),
        "birthDate": id.birth_date().to_string(),
        "sex": match id.sex() {
            Sex::Male => "male",
            _ => "female",
        },
    })
    .to_string())
}

/// A check failed: its name and position, never the value.
fn invalid(e: impl std::fmt::Display) -> JsError {
    JsError::invalid_input(e.to_string())
}

/// Verifies the response (as `verifyRaw`) and answers one question about document
/// `document` from its disclosed elements: `question` is `"mayDrive"` (`argument` a vehicle
/// class such as `"C2"`) or `"ageOver"` (`argument` the years). An element the holder did not
/// disclose throws `NotDisclosed`, never a "no".
#[wasm_bindgen(js_name = askRaw)]
#[allow(clippy::too_many_arguments)]
pub fn ask(
    response: &[u8],
    transcript: &[u8],
    trust: Vec<String>,
    pinned: Vec<String>,
    reader_key: &[u8],
    at_ms: f64,
    document: u32,
    question: &str,
    argument: &str,
) -> Result<bool, JsValue> {
    let verified = verify_response(response, transcript, &trust, &pinned, reader_key, at_ms)?;
    let doc = usize::try_from(document)
        .ok()
        .and_then(|i| verified.documents.get(i))
        .ok_or_else(|| JsError::invalid_input("no document with this index"))?;
    let answer = match question {
        "mayDrive" => {
            let class = VehicleClass::parse(argument)
                .map_err(|_| JsError::invalid_input("unknown vehicle class"))?;
            predicates::may_drive(doc, class)
        }
        "ageOver" => {
            let years = argument
                .parse::<u8>()
                .map_err(|_| JsError::invalid_input("years must be an integer from 0 to 99"))?;
            if years > 99 {
                return Err(JsError::invalid_input("years must be an integer from 0 to 99").into());
            }
            predicates::age_over(doc, years)
        }
        _ => return Err(JsError::invalid_input("unknown question").into()),
    };
    Ok(answer.map_err(JsError::from)?)
}

impl From<PredicateError> for JsError {
    fn from(e: PredicateError) -> Self {
        match e {
            PredicateError::NotDisclosed { .. } => JsError::new("NotDisclosed", e.to_string()),
            PredicateError::Malformed { .. } => JsError::malformed(e.to_string()),
            other => JsError::invalid_input(other.to_string()),
        }
    }
}
