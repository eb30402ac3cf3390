//! Helpers shared by the integration tests: reading the vectors in `tests/vectors/`, and a
//! generated issuer, credential and presentation.
#![allow(dead_code)]

pub mod fixture;

use std::path::PathBuf;

use zhengzhao::cbor::CborError;
use zhengzhao::cose::CoseError;
use zhengzhao::model::ModelError;
use zhengzhao::structure::StructureError;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::TrustError;
use zhengzhao::verifier::VerifyError;

/// The path of a file under `tests/vectors/`.
pub fn vector_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(rel)
}

/// A `*.hex` vector decoded to bytes (whitespace ignored).
pub fn hex_vector(rel: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(vector_path(rel))
        .unwrap_or_else(|e| panic!("reading vector {rel}: {e}"));
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).unwrap_or_else(|e| panic!("hex in {rel}: {e}"))
}

/// An RFC 3339 time.
pub fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).expect("test time")
}

/// The crypto provider the provider-aware tests run against: the server provider when the
/// tests crate is built with its feature (`--features aws-lc-rs`), otherwise the default.
/// Prints which, so the test output says what was tested.
pub fn provider() -> std::sync::Arc<dyn zhengzhao::crypto::CryptoProvider> {
    static SAID: std::sync::Once = std::sync::Once::new();
    let provider = zhengzhao::crypto::compiled_providers()
        .pop()
        .unwrap_or_else(zhengzhao::crypto::default_provider);
    SAID.call_once(|| eprintln!("crypto provider under test: {}", provider.name()));
    provider
}

/// A verifier trusting `trust`, on the provider under test ([`provider`]).
pub fn verifier(trust: zhengzhao::trust::TrustStore) -> zhengzhao::verifier::Verifier {
    zhengzhao::verifier::Verifier::new(trust).with_provider(provider())
}

/// The certificate check inside `err` when it is [`VerifyError::IssuerChain`] (for any
/// document), so that a test can match the [`TrustError`] alone.
pub fn chain_error(err: &VerifyError) -> Option<&TrustError> {
    match err {
        VerifyError::IssuerChain { source, .. } => Some(source),
        _ => None,
    }
}

/// The decoder's reason inside `err` when the response is malformed CBOR
/// ([`VerifyError::Malformed`] holding a [`StructureError::Cbor`], at any structure).
pub fn cbor_error(err: &VerifyError) -> Option<&CborError> {
    match err {
        VerifyError::Malformed(ModelError::Structure(StructureError::Cbor { source, .. })) => {
            Some(source)
        }
        _ => None,
    }
}

/// The COSE reason inside `err` when the response is malformed COSE
/// ([`VerifyError::Malformed`] holding a [`ModelError::Cose`]).
pub fn cose_error(err: &VerifyError) -> Option<&CoseError> {
    match err {
        VerifyError::Malformed(ModelError::Cose(e)) => Some(e),
        _ => None,
    }
}
