//! A changed byte can never forge a result.
//!
//! For every position of a valid DeviceResponse, the byte is changed (xor 0x01 and xor 0x80),
//! plus 2,000 further changes drawn by a fixed-seed xorshift generator (seed below, so a
//! failure reproduces). Each changed response either fails verification or reports exactly
//! what the original verified to (docType, issuer, every element and value). For responses our
//! own issuer and holder produce, every change must fail.

mod common;

use common::fixture::{fixture, present};
use common::{at, hex_vector};
use zhengzhao::cbor::Limits;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::model::SessionTranscript;
use zhengzhao::trust::{AnchorRole, TrustStore};
use zhengzhao::verifier::VerifiedResponse;
use zhengzhao::verifier::VerifyOptions;

const SEED: u64 = 0x5eed_2026_1126_0001;
const RANDOM_CHANGES: usize = 2_000;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// What a verification reports, for comparison.
fn report(r: &VerifiedResponse) -> Vec<String> {
    r.documents
        .iter()
        .map(|d| {
            format!(
                "{}|{}|{:?}|{:?}",
                d.doc_type, d.issuer, d.issuer_signed, d.device_signed
            )
        })
        .chain(r.documents.iter().flat_map(|d| {
            d.issuer_signed.iter().flat_map(|(ns, els)| {
                els.iter()
                    .map(move |(k, v)| format!("{ns}/{k}={:?}", zhengzhao::cbor::encode(v)))
            })
        }))
        .collect()
}

/// Every single-byte change; returns how many changes verified (with an identical report).
fn sweep(original: &[u8], verify: impl Fn(&[u8]) -> Option<VerifiedResponse>) -> (usize, usize) {
    let expected = report(&verify(original).expect("the original verifies"));
    let mut changes: Vec<(usize, u8)> = Vec::new();
    for i in 0..original.len() {
        changes.push((i, 0x01));
        changes.push((i, 0x80));
    }
    let mut rng = XorShift(SEED);
    for _ in 0..RANDOM_CHANGES {
        let pos = (rng.next() % original.len() as u64) as usize;
        let mask = (rng.next() % 255 + 1) as u8;
        changes.push((pos, mask));
    }
    let mut accepted = 0;
    let mut buf = original.to_vec();
    for (pos, mask) in &changes {
        buf[*pos] ^= mask;
        if let Some(r) = verify(&buf) {
            assert_eq!(
                report(&r),
                expected,
                "byte {pos} ^ {mask:#04x} verified with a different result"
            );
            accepted += 1;
            println!("accepted with an identical report: byte {pos} ^ {mask:#04x}");
        }
        buf[*pos] ^= mask;
    }
    (changes.len(), accepted)
}

#[test]
fn every_change_to_our_own_response_fails() {
    let f = fixture();
    let response = present(
        &f,
        &f.credential,
        &["family_name", "birth_date", "driving_privileges"],
    );
    let verifier = common::verifier(f.trust.clone());
    let (tried, accepted) = sweep(&response, |b| {
        verifier
            .verify(b, &VerifyOptions::new(&f.transcript, f.now))
            .ok()
    });
    println!(
        "own response: {} bytes, {tried} changes, {accepted} accepted",
        response.len()
    );
    assert_eq!(accepted, 0);
}

#[test]
fn changes_to_the_annex_d_response_fail_or_change_nothing_reported() {
    let d = "iso18013-5-annex-d";
    let mut trust = TrustStore::new();
    trust
        .add_pem_or_der(
            &hex_vector(&format!("{d}/iaca_root_cert.der.hex")),
            AnchorRole::IssuingAuthority,
        )
        .unwrap();
    let st = SessionTranscript::from_tagged_bytes(
        &hex_vector(&format!("{d}/session_transcript_bytes.hex")),
        &Limits::default(),
    )
    .unwrap();
    let key =
        SoftwareKey::from_bytes(&hex_vector(&format!("{d}/ephemeral_reader_key.d.hex"))).unwrap();
    let t = at("2021-01-01T00:00:00Z");
    let response = hex_vector(&format!("{d}/device_response.hex"));
    let verifier = common::verifier(trust);
    let (tried, accepted) = sweep(&response, |b| {
        verifier
            .verify(b, &VerifyOptions::new(&st, t).with_reader_key(&key))
            .ok()
    });
    println!("Annex D: {tried} changes, {accepted} verified with an identical report");
}

#[test]
fn the_same_response_under_another_transcript_fails() {
    let f = fixture();
    let response = present(&f, &f.credential, &["family_name"]);
    let other =
        SessionTranscript::new(None, None, &zhengzhao::cbor::Value::text("another session"));
    assert!(common::verifier(f.trust.clone())
        .verify(&response, &VerifyOptions::new(&other, f.now))
        .is_err());
}
