//! Verifying many responses across threads, for servers.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{VerifiedResponse, Verifier, VerifyError, VerifyOptions};

/// One response to check with [`Verifier::verify_batch`]: the arguments of
/// [`Verifier::verify`], the response and its [`VerifyOptions`].
#[derive(Clone, Copy)]
pub struct BatchItem<'a> {
    response: &'a [u8],
    options: VerifyOptions<'a>,
}

impl<'a> BatchItem<'a> {
    /// An item: `response` (DeviceResponse bytes) to verify with `options`.
    pub fn new(response: &'a [u8], options: VerifyOptions<'a>) -> Self {
        BatchItem { response, options }
    }

    /// The DeviceResponse bytes.
    pub fn response(&self) -> &'a [u8] {
        self.response
    }

    /// The options it is verified with.
    pub fn options(&self) -> &VerifyOptions<'a> {
        &self.options
    }
}

impl fmt::Debug for BatchItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchItem")
            .field("response_len", &self.response.len())
            .field("options", &self.options)
            .finish()
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
        let one = |item: &BatchItem<'_>| self.verify(item.response, &item.options);
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
