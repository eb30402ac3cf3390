//! The `verify --json` object: what a verifier learned from a response, or which check failed.
//!
//! ```text
//! {"verified": true, "documents": [{"doc_type", "issuer", "trust_anchor", "device_auth",
//!   "valid_from", "valid_until", "elements": {namespace: {identifier: value}},
//!   "device_signed": {namespace: {identifier: value}}, "unchecked": [key, ...]}],
//!  "checks": [check, ...]}
//! {"verified": false, "error": {"check": check, "message": text}}
//! ```
//!
//! `checks` lists the checks in the order they ran, document by document; `check` is a
//! [`Check::name`](zhengzhao::verifier::Check::name) (or `"input"` for input a tool could not
//! use). Element values use the [typed grammar](crate::value). `device_signed` (issue 13.13)
//! holds the elements the device signed rather than the issuer; `unchecked` (issue 13.7) the
//! MSO keys the verifier did not process (e.g. `"status"`), empty if none. Object keys are
//! written in sorted order (serde_json's map), so two tools print the same bytes.

use serde_json::{json, Value as Json};
use zhengzhao::verifier::{DeviceAuthMethod, Elements, VerifiedResponse};

use crate::cbor_to_json;

/// The object for a verified response.
pub fn verified_json(v: &VerifiedResponse) -> Json {
    let documents: Vec<Json> = v
        .documents
        .iter()
        .map(|d| {
            json!({
                "doc_type": d.doc_type,
                "issuer": d.issuer,
                "trust_anchor": d.trust_anchor,
                "device_auth": device_auth_name(d.device_auth),
                "valid_from": d.validity.valid_from.to_rfc3339(),
                "valid_until": d.validity.valid_until.to_rfc3339(),
                "elements": elements_json(&d.issuer_signed),
                "device_signed": elements_json(&d.device_signed),
                "unchecked": d.unchecked(),
            })
        })
        .collect();
    let checks: Vec<&str> = v.checks.iter().map(|(_, c)| c.name()).collect();
    json!({"verified": true, "documents": documents, "checks": checks})
}

/// `{namespace: {identifier: value}}`: both levels are text keys, unique by construction.
fn elements_json(elements: &Elements) -> Json {
    Json::Object(
        elements
            .iter()
            .map(|(ns, els)| {
                let els = els
                    .iter()
                    .map(|(id, value)| (id.clone(), cbor_to_json(value)))
                    .collect();
                (ns.clone(), Json::Object(els))
            })
            .collect(),
    )
}

/// The name of a device-authentication method as the object writes it: `"signature"`,
/// `"mac"`, or `"other"` for a method added to the core later.
pub fn device_auth_name(m: DeviceAuthMethod) -> &'static str {
    match m {
        DeviceAuthMethod::Signature => "signature",
        DeviceAuthMethod::Mac => "mac",
        _ => "other",
    }
}

/// The object for a failure; `check` is a [`Check::name`](zhengzhao::verifier::Check::name)
/// or `"input"`.
pub fn error_json(check: &str, message: &str) -> Json {
    json!({"verified": false, "error": {"check": check, "message": message}})
}
