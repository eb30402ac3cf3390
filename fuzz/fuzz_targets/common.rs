//! Fixed trust setup shared by the targets: the ISO 18013-5 Annex D anchors, transcript and
//! reader key, compiled into the binary from `tests/vectors/`.
#![allow(dead_code)]

use zhengzhao::cbor::Limits;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::model::SessionTranscript;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{AnchorRole, TrustStore};

macro_rules! vector {
    ($name:literal) => {
        include_str!(concat!("../../tests/vectors/iso18013-5-annex-d/", $name))
    };
}

/// A hex vector as bytes (the vectors are checked in, so this cannot fail at run time).
pub fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    s.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// 2021-01-01T00:00:00Z, inside every Annex D validity window.
pub fn at() -> UnixTime {
    UnixTime::from_secs(1_609_459_200)
}

pub fn issuer_trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_pem_or_der(
        &hex(vector!("iaca_root_cert.der.hex")),
        AnchorRole::IssuingAuthority,
    )
    .unwrap();
    t
}

pub fn reader_trust() -> TrustStore {
    let mut t = TrustStore::new();
    t.add_pem_or_der(
        &hex(vector!("reader_root_cert.der.hex")),
        AnchorRole::ReaderAuthority,
    )
    .unwrap();
    t
}

pub fn transcript() -> SessionTranscript {
    SessionTranscript::from_tagged_bytes(
        &hex(vector!("session_transcript_bytes.hex")),
        &Limits::default(),
    )
    .unwrap()
}

pub fn reader_key() -> SoftwareKey {
    SoftwareKey::from_bytes(&hex(vector!("ephemeral_reader_key.d.hex"))).unwrap()
}
