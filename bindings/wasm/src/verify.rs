//! `verify`: one DeviceResponse against trust anchors, a session transcript and a time.

use wasm_bindgen::prelude::wasm_bindgen;
#[cfg(any(feature = "issuer", feature = "reader", feature = "bench"))]
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::crypto::{CryptoError, EcPublicKey, KeyAgreement, SharedSecret};
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
    let transcript = crate::parse_transcript(transcript)?;
    let key = match reader_key {
        [] => None,
        key => Some(ReaderKey::parse(key)?),
    };
    let options = VerifyOptions::new(&transcript, at);
    let options = match &key {
        Some(k) => options.with_reader_key(k as &dyn KeyAgreement),
        None => options,
    };
    Ok(Verifier::new(store).verify(response, &options)?)
}

/// The reader's ephemeral key for a MAC'd response: empty for none, PKCS#8 PEM text, or the
/// 32-byte scalar (the bench's recording key).
#[cfg(feature = "bench")]
pub(crate) fn parse_reader_key(reader_key: &[u8]) -> Result<Option<SoftwareKey>, JsError> {
    match reader_key {
        [] => Ok(None),
        key => software_key(key, "readerKey").map(Some),
    }
}

/// The reader's ephemeral private key as verification uses it: ECDH only. A `SoftwareKey`
/// derives its public key when it is made (a scalar multiplication, a third of a MAC'd
/// response's whole verification cost in wasm); verification never asks for it, so here it
/// is derived only if asked.
struct ReaderKey(p256::SecretKey);

impl ReaderKey {
    fn parse(bytes: &[u8]) -> Result<Self, JsError> {
        let bad = || {
            JsError::invalid_input(
                "readerKey: not a P-256 private key (32-byte scalar or PKCS#8 PEM)",
            )
        };
        if bytes.starts_with(b"-----BEGIN") {
            use p256::pkcs8::DecodePrivateKey;
            let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
            p256::SecretKey::from_pkcs8_pem(text)
                .map(ReaderKey)
                .map_err(|_| bad())
        } else if bytes.len() == 32 {
            p256::SecretKey::from_slice(bytes)
                .map(ReaderKey)
                .map_err(|_| bad())
        } else {
            Err(bad())
        }
    }
}

impl KeyAgreement for ReaderKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        EcPublicKey::from_sec1(&self.0.public_key().to_sec1_bytes())
    }

    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        let peer = p256::PublicKey::from_sec1_bytes(&peer.to_sec1_uncompressed())
            .map_err(|_| CryptoError::InvalidPublicKey)?;
        let shared = p256::ecdh::diffie_hellman(self.0.to_nonzero_scalar(), peer.as_affine());
        let mut x = zeroize::Zeroizing::new([0u8; 32]);
        x.copy_from_slice(shared.raw_secret_bytes());
        Ok(SharedSecret::from_bytes(*x))
    }
}

/// A P-256 private key given as its 32-byte scalar or as PKCS#8 PEM text (UTF-8); `what`
/// names the argument in the error.
#[cfg(any(feature = "issuer", feature = "reader", feature = "bench"))]
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
