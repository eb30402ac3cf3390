//! `verify`: one DeviceResponse against trust anchors, a session transcript and a time.

use wasm_bindgen::prelude::wasm_bindgen;
use zhengzhao::cbor::Limits;
use zhengzhao::crypto::{KeyAgreement, SoftwareKey};
use zhengzhao::model::SessionTranscript;
use zhengzhao::trust::{AnchorRole, TrustStore};
use zhengzhao::verifier::{VerifiedResponse, Verifier, VerifyOptions};

use crate::error::JsError;
use crate::time_from_ms;

/// Verifies `response` (DeviceResponse CBOR) and returns the `verify --json` object as JSON
/// text (`{"verified": true, "documents": […], "checks": […]}`); a failed check is thrown (see
/// [`crate::error`]).
///
/// - `transcript`: SessionTranscriptBytes (tag 24) or the bare SessionTranscript.
/// - `trust`: issuing-authority certificates, each a PEM bundle or one DER certificate.
/// - `pinned`: document-signer certificates trusted as they are, without their CA (only for
///   issuers whose CA is unpublished; `zhengzhao::danger`).
/// - `reader_key`: the reader's ephemeral P-256 private key for a MAC'd response: the 32-byte
///   scalar, or PKCS#8 PEM text as UTF-8; empty for none.
/// - `at_ms`: the verification time, milliseconds since the epoch.
#[wasm_bindgen(js_name = verifyRaw)]
pub fn verify(
    response: &[u8],
    transcript: &[u8],
    trust: Vec<String>,
    pinned: Vec<String>,
    reader_key: &[u8],
    at_ms: f64,
) -> Result<String, wasm_bindgen::JsValue> {
    Ok(verify_json(
        response, transcript, &trust, &pinned, reader_key, at_ms,
    )?)
}

/// [`verify`] without the JavaScript types, for the native unit tests.
pub(crate) fn verify_json(
    response: &[u8],
    transcript: &[u8],
    trust: &[String],
    pinned: &[String],
    reader_key: &[u8],
    at_ms: f64,
) -> Result<String, JsError> {
    let verified = verify_response(response, transcript, trust, pinned, reader_key, at_ms)?;
    Ok(zhengzhao_json::verified_json(&verified).to_string())
}

/// The verified response (what [`verify`] and the profile predicates start from).
pub(crate) fn verify_response(
    response: &[u8],
    transcript: &[u8],
    trust: &[String],
    pinned: &[String],
    reader_key: &[u8],
    at_ms: f64,
) -> Result<VerifiedResponse, JsError> {
    let at = time_from_ms(at_ms)?;
    let store = trust_store(trust, pinned)?;
    let transcript = SessionTranscript::parse_any(transcript, &Limits::default())
        .map_err(|e| JsError::malformed(format!("session transcript: {e}")))?;
    let key = parse_reader_key(reader_key)?;
    let options = VerifyOptions::new(&transcript, at);
    let options = match &key {
        Some(k) => options.with_reader_key(k as &dyn KeyAgreement),
        None => options,
    };
    Ok(Verifier::new(store).verify(response, &options)?)
}

/// The reader's ephemeral key for a MAC'd response: empty for none, PKCS#8 PEM text, or the
/// 32-byte scalar.
pub(crate) fn parse_reader_key(reader_key: &[u8]) -> Result<Option<SoftwareKey>, JsError> {
    match reader_key {
        [] => Ok(None),
        key => software_key(key, "readerKey").map(Some),
    }
}

/// A P-256 private key given as its 32-byte scalar or as PKCS#8 PEM text (UTF-8); `what`
/// names the argument in the error.
pub(crate) fn software_key(bytes: &[u8], what: &str) -> Result<SoftwareKey, JsError> {
    if bytes.starts_with(b"-----BEGIN") {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| SoftwareKey::from_pkcs8_pem(text).ok())
            .ok_or_else(|| JsError::invalid_input(format!("{what}: not a P-256 PKCS#8 PEM key")))
    } else {
        SoftwareKey::from_bytes(bytes).map_err(|e| JsError::invalid_input(format!("{what}: {e}")))
    }
}

/// A trust store of issuing authorities and pinned document signers (each entry a PEM bundle
/// or one DER certificate given as a string of PEM text).
pub(crate) fn trust_store(trust: &[String], pinned: &[String]) -> Result<TrustStore, JsError> {
    if trust.is_empty() && pinned.is_empty() {
        return Err(JsError::invalid_input(
            "trust is required: at least one issuing authority certificate (PEM)",
        ));
    }
    let mut store = TrustStore::new();
    for pem in trust {
        store.add_pem_or_der(pem.as_bytes(), AnchorRole::IssuingAuthority)?;
    }
    for pem in pinned {
        zhengzhao::danger::add_pinned_document_signers(&mut store, pem.as_bytes())?;
    }
    Ok(store)
}
