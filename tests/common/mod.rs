//! Helpers shared by the integration tests: reading the vectors in `tests/vectors/`, and a
//! generated issuer, credential and presentation.
#![allow(dead_code)]

pub mod fixture;

use std::path::PathBuf;

use zhengzhao::time::UnixTime;

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
    let provider = zhengzhao::crypto::provider::compiled_providers()
        .pop()
        .unwrap_or_else(zhengzhao::crypto::default_provider);
    SAID.call_once(|| eprintln!("crypto provider under test: {}", provider.name()));
    provider
}

/// A verifier trusting `trust`, on the provider under test ([`provider`]).
pub fn verifier(trust: zhengzhao::trust::TrustStore) -> zhengzhao::verifier::Verifier {
    zhengzhao::verifier::Verifier::new(trust).with_provider(provider())
}
