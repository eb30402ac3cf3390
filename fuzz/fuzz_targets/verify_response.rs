//! The verifier on untrusted DeviceResponse bytes, with the Annex D trust setup. It must never
//! panic, and whatever it accepts must have passed every check (asserted on the audit trail).
#![no_main]

mod common;

use std::sync::OnceLock;
use zhengzhao::verifier::VerifyOptions;

use libfuzzer_sys::fuzz_target;
use zhengzhao::model::SessionTranscript;
use zhengzhao::verifier::{Check, Verifier};

struct Setup {
    verifier: Verifier,
    transcript: SessionTranscript,
    key: zhengzhao::crypto::SoftwareKey,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| Setup {
        verifier: Verifier::new(common::issuer_trust()),
        transcript: common::transcript(),
        key: common::reader_key(),
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    if let Ok(r) = s.verifier.verify(
        data,
        &VerifyOptions::new(&s.transcript, common::at()).with_reader_key(&s.key),
    ) {
        for i in 0..r.documents.len() {
            for c in [
                Check::IssuerChain,
                Check::IssuerSignature,
                Check::Digests,
                Check::DeviceAuthentication,
            ] {
                assert!(r.checks.contains(&(i, c)), "accepted without {c}");
            }
        }
    }
});
