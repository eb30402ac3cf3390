//! Verifying many responses across threads, for servers.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{VerifiedResponse, Verifier, VerifyError};
use crate::crypto::KeyAgreement;
use crate::model::SessionTranscript;
use crate::time::UnixTime;

/// One response to check with [`Verifier::verify_batch`]: the arguments of
/// [`Verifier::verify`].
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct BatchItem<'a> {
    /// DeviceResponse bytes.
    pub response: &'a [u8],
    /// The session transcript the response must be bound to.
    pub transcript: &'a SessionTranscript,
    /// The verification time.
    pub at: UnixTime,
    /// The reader's ephemeral private key, needed only for `deviceMac`.
    pub reader_key: Option<&'a dyn KeyAgreement>,
}

impl<'a> BatchItem<'a> {
    /// An item for a device-signed response (no reader key).
    pub fn new(response: &'a [u8], transcript: &'a SessionTranscript, at: UnixTime) -> Self {
        BatchItem {
            response,
            transcript,
            at,
            reader_key: None,
        }
    }

    /// The same item with the reader's ephemeral key, for `deviceMac`.
    pub fn with_reader_key(mut self, reader_key: &'a dyn KeyAgreement) -> Self {
        self.reader_key = Some(reader_key);
        self
    }
}

impl fmt::Debug for BatchItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchItem")
            .field("response_len", &self.response.len())
            .field("at", &self.at)
            .field("reader_key", &self.reader_key.is_some())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Verifies every item on up to `threads` threads (0: as many as the machine has, from
    /// [`std::thread::available_parallelism`]) and returns one result per item, in input
    /// order. Each result is exactly what [`Verifier::verify`] returns for that item; the
    /// threads share this verifier's chain cache. Threads take the next unverified item as
    /// they finish one, so a slow item does not hold the others up. With one thread (or one
    /// item) everything runs on the calling thread.
    pub fn verify_batch(
        &self,
        items: &[BatchItem<'_>],
        threads: usize,
    ) -> Vec<Result<VerifiedResponse, VerifyError>> {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        }
        .min(items.len());
        let one = |item: &BatchItem<'_>| {
            self.verify(item.response, item.transcript, item.at, item.reader_key)
        };
        if threads <= 1 {
            return items.iter().map(one).collect();
        }
        let next = AtomicUsize::new(0);
        let worker = || {
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else {
                    return done;
                };
                done.push((index, one(item)));
            }
        };
        let mut results: Vec<(usize, Result<VerifiedResponse, VerifyError>)> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
                let mut all = worker();
                for handle in handles {
                    match handle.join() {
                        Ok(done) => all.extend(done),
                        // Verification does not panic; if it ever did, the caller sees it.
                        Err(payload) => std::panic::resume_unwind(payload),
                    }
                }
                all
            });
        // Every index was taken exactly once.
        results.sort_unstable_by_key(|(index, _)| *index);
        results.into_iter().map(|(_, result)| result).collect()
    }
}

#[cfg(test)]
mod tests;
