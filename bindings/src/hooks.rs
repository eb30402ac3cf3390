//! Test-only exports (feature `test-hooks`), used by the foreign test suites; never in a
//! shipped build.

use std::sync::Arc;
use std::time::{Instant, SystemTime};
use zhengzhao::verifier::VerifyOptions;

use zhengzhao::cbor::Limits;
use zhengzhao::model::SessionTranscript;

use crate::error::ZhengzhaoError;
use crate::value::from_system_time;
use crate::verifier::Verifier;

/// Panics with `message`: shows that a Rust panic reaches the host as an exception. (It is
/// declared fallible because Swift wraps infallible calls in `try!`, which would trap.)
#[uniffi::export]
#[allow(clippy::panic)]
pub fn test_hook_panic(message: String) -> Result<(), ZhengzhaoError> {
    panic!("{message}");
}

/// Times `iterations` calls of the core's `verify` made directly in Rust (no FFI, no record
/// conversion) on the same inputs as `Verifier.verify`; returns the median in nanoseconds.
#[uniffi::export]
pub fn test_hook_rust_verify_median_nanos(
    verifier: Arc<Verifier>,
    response: Vec<u8>,
    session_transcript: Vec<u8>,
    at: SystemTime,
    iterations: u32,
) -> Result<u64, ZhengzhaoError> {
    let transcript = SessionTranscript::parse_any(&session_transcript, &Limits::default())?;
    let at = from_system_time(at);
    let mut samples = Vec::with_capacity(iterations as usize);
    verifier.with_core(|v| -> Result<(), ZhengzhaoError> {
        for _ in 0..iterations.max(1) {
            let start = Instant::now();
            let result = v.verify(&response, &VerifyOptions::new(&transcript, at));
            samples.push(u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX));
            result?;
        }
        Ok(())
    })?;
    samples.sort_unstable();
    Ok(samples.get(samples.len() / 2).copied().unwrap_or_default())
}
