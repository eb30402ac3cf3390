//! A bounded cache of validated certificate chains.
//!
//! A verifier that sees the same document-signer `x5chain` again (every licence a province
//! issues in a day carries one of a few DS certificates) need not parse its certificates and
//! verify their signatures again. [`ChainCache`] remembers, per chain and trust store, what the
//! verifier needs after a successful [`validate_chain`](super::validate_chain): the leaf's
//! public key, the subjects, the anchor, and every certificate's validity period along the
//! path. A cached entry is never trusted blindly in time: [`CachedChain::check_validity`]
//! re-checks each period at every verification time, in path order, so an entry outside its
//! validity fails with exactly the error a cold validation would give
//! ([`TrustError::Expired`] or [`TrustError::NotYetValid`] with the same position).
//!
//! Only successful validations are cached, so a chain that failed is validated again in full
//! the next time. Everything but the validity periods that [`validate_chain`] checks depends
//! only on the certificate bytes, the trust anchors (with their roles) and the usage, and all
//! three are in the key ([`ChainKey`]): a changed byte anywhere in the chain, or another
//! trust store, is another key.
//!
//! The cache holds at most its capacity of entries and evicts the least recently used one
//! when full; it is safe to share between threads (one short-held lock per lookup).
//!
//! [`validate_chain`]: super::validate_chain

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sha2::Digest;

use super::{
    check_validity_window, validate_chain_with, AnchorRole, Certificate, ChainUsage, TrustError,
    TrustStore, ValidatedChain,
};
use crate::crypto::{CryptoProvider, EcPublicKey};
use crate::time::UnixTime;

/// The capacity of a verifier's chain cache unless configured otherwise.
pub const DEFAULT_CHAIN_CACHE_CAPACITY: usize = 256;

/// A fingerprint of a [`TrustStore`]: SHA-256 over every anchor's role and DER, in order.
/// Two stores with the same anchors in the same order have the same fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrustFingerprint([u8; 32]);

impl TrustFingerprint {
    /// The fingerprint of `store`.
    pub fn of(store: &TrustStore) -> Self {
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"zhengzhao trust store v1");
        for anchor in store.anchors() {
            let role: u8 = match anchor.role {
                AnchorRole::IssuingAuthority => 1,
                AnchorRole::ReaderAuthority => 2,
                AnchorRole::PinnedDocumentSigner => 3,
            };
            hasher.update([role]);
            update_with_length(&mut hasher, anchor.certificate.der());
        }
        TrustFingerprint(hasher.finalize().into())
    }
}

impl fmt::Debug for TrustFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustFingerprint(")?;
        for b in self.0.get(..4).unwrap_or_default() {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}

/// The cache key of one chain: SHA-256 over the trust store's fingerprint, the usage and every
/// certificate's DER (length-prefixed, in order).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    /// The key of `chain` (DER certificates, leaf first) validated for `usage` against the
    /// store with fingerprint `anchors`.
    pub fn new<C: AsRef<[u8]>>(anchors: &TrustFingerprint, usage: ChainUsage, chain: &[C]) -> Self {
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"zhengzhao chain v1");
        hasher.update(anchors.0);
        hasher.update([match usage {
            ChainUsage::DocumentSigner => 1u8,
            ChainUsage::ReaderAuth => 2u8,
        }]);
        for der in chain {
            update_with_length(&mut hasher, der.as_ref());
        }
        ChainKey(hasher.finalize().into())
    }
}

fn update_with_length(hasher: &mut sha2::Sha256, bytes: &[u8]) {
    hasher.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
    hasher.update(bytes);
}

/// What a verifier needs from a chain that validated: no certificate is parsed to use it.
#[derive(Clone)]
pub struct CachedChain {
    leaf_key: EcPublicKey,
    leaf_subject: String,
    anchor_subject: String,
    anchor: Certificate,
    pinned: bool,
    /// `(notBefore, notAfter)` of the leaf (the document signer or reader).
    leaf_window: (UnixTime, UnixTime),
    /// `(notBefore, notAfter)` of every certificate on the path, in path order (leaf first,
    /// anchor last), exactly the periods [`validate_chain`] checks.
    windows: Vec<(UnixTime, UnixTime)>,
}

impl CachedChain {
    /// Captures what `validated` (the result of validating `chain`) tells a verifier.
    pub fn new(chain: &[Certificate], validated: &ValidatedChain) -> Self {
        let windows = if validated.is_pinned() {
            // A pinned signer's path is the leaf alone.
            vec![(validated.leaf().not_before(), validated.leaf().not_after())]
        } else {
            let mut path: Vec<&Certificate> = chain.iter().collect();
            if chain.last() != Some(validated.anchor()) {
                path.push(validated.anchor());
            }
            path.iter()
                .map(|c| (c.not_before(), c.not_after()))
                .collect()
        };
        CachedChain {
            leaf_key: validated.leaf_public_key().clone(),
            leaf_subject: validated.leaf().subject(),
            anchor_subject: validated.anchor().subject(),
            anchor: validated.anchor().clone(),
            pinned: validated.is_pinned(),
            leaf_window: (validated.leaf().not_before(), validated.leaf().not_after()),
            windows,
        }
    }

    /// Checks every certificate's validity period at `at`, in path order: the first one that
    /// is not valid is [`TrustError::NotYetValid`] or [`TrustError::Expired`] with its
    /// position, as [`validate_chain`] reports it.
    pub fn check_validity(&self, at: UnixTime) -> Result<(), TrustError> {
        for (position, (not_before, not_after)) in self.windows.iter().enumerate() {
            check_validity_window(*not_before, *not_after, position, at)?;
        }
        Ok(())
    }

    /// The latest `notBefore` and earliest `notAfter` along the path: the times at which
    /// the whole chain is valid.
    pub fn validity(&self) -> (UnixTime, UnixTime) {
        let from = self.windows.iter().map(|w| w.0).max();
        let until = self.windows.iter().map(|w| w.1).min();
        (
            from.unwrap_or(UnixTime::from_secs(i64::MIN)),
            until.unwrap_or(UnixTime::from_secs(i64::MIN)),
        )
    }

    /// The leaf certificate's own `(notBefore, notAfter)`: for a document-signer chain, the
    /// period in which the signer may sign an MSO (18013-5 §9.3.1).
    pub fn leaf_validity(&self) -> (UnixTime, UnixTime) {
        self.leaf_window
    }

    /// The leaf's public key.
    pub fn leaf_public_key(&self) -> &EcPublicKey {
        &self.leaf_key
    }

    /// The leaf's subject ([`Certificate::subject`]).
    pub fn leaf_subject(&self) -> &str {
        &self.leaf_subject
    }

    /// The anchor's subject.
    pub fn anchor_subject(&self) -> &str {
        &self.anchor_subject
    }

    /// The trust anchor (for a pinned document signer, the signer itself).
    pub fn anchor(&self) -> &Certificate {
        &self.anchor
    }

    /// Whether the leaf was accepted as a pinned document signer.
    pub fn is_pinned(&self) -> bool {
        self.pinned
    }
}

impl fmt::Debug for CachedChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedChain")
            .field("leaf_subject", &self.leaf_subject)
            .field("anchor_subject", &self.anchor_subject)
            .field("pinned", &self.pinned)
            .field("path_len", &self.windows.len())
            .finish_non_exhaustive()
    }
}

/// A bounded, thread-safe cache of validated chains (least recently used evicted first).
pub struct ChainCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<ChainKey, Entry>,
    /// The inputs and key of the last [`ChainKey`] computed by [`ChainCache::validate`]: a
    /// verifier usually sees the same few document signers over and over, and comparing the
    /// received certificates with these bytes is much cheaper than hashing them again.
    last_key: Option<LastKey>,
    tick: u64,
    hits: u64,
    misses: u64,
}

/// See [`Inner::last_key`].
struct LastKey {
    anchors: TrustFingerprint,
    usage: ChainUsage,
    chain: Vec<Vec<u8>>,
    key: ChainKey,
}

impl LastKey {
    /// Whether `anchors`, `usage` and `chain` are exactly (byte for byte) the inputs this key
    /// was computed from.
    fn matches<C: AsRef<[u8]>>(
        &self,
        anchors: &TrustFingerprint,
        usage: ChainUsage,
        chain: &[C],
    ) -> bool {
        self.anchors == *anchors
            && self.usage == usage
            && self.chain.len() == chain.len()
            && self
                .chain
                .iter()
                .zip(chain)
                .all(|(a, b)| a.as_slice() == b.as_ref())
    }
}

struct Entry {
    chain: Arc<CachedChain>,
    last_used: u64,
}

/// Counters of a [`ChainCache`], for monitoring and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ChainCacheStats {
    /// Entries held now.
    pub len: usize,
    /// Lookups answered from the cache (validity still checked).
    pub hits: u64,
    /// Lookups that validated the chain in full.
    pub misses: u64,
}

impl ChainCache {
    /// A cache holding at most `capacity` chains; 0 caches nothing.
    pub fn new(capacity: usize) -> Self {
        ChainCache {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The most chains held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Current size and hit/miss counters.
    pub fn stats(&self) -> ChainCacheStats {
        let inner = self.lock();
        ChainCacheStats {
            len: inner.entries.len(),
            hits: inner.hits,
            misses: inner.misses,
        }
    }

    /// Forgets every chain.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.last_key = None;
    }

    /// The cached chain for `key` with its validity checked at `at`, or, on a miss, the
    /// result of `validate` (a full validation at `at`), cached when it succeeds.
    pub fn get_or_validate(
        &self,
        key: &ChainKey,
        at: UnixTime,
        validate: impl FnOnce() -> Result<CachedChain, TrustError>,
    ) -> Result<Arc<CachedChain>, TrustError> {
        if self.capacity == 0 {
            return validate().map(Arc::new);
        }
        let cached = {
            let mut inner = self.lock();
            inner.tick = inner.tick.wrapping_add(1);
            let tick = inner.tick;
            let found = inner.entries.get_mut(key).map(|entry| {
                entry.last_used = tick;
                Arc::clone(&entry.chain)
            });
            match found {
                Some(_) => inner.hits = inner.hits.saturating_add(1),
                None => inner.misses = inner.misses.saturating_add(1),
            }
            found
        };
        if let Some(chain) = cached {
            chain.check_validity(at)?;
            return Ok(chain);
        }
        // Validate outside the lock: other threads keep verifying meanwhile (two threads
        // missing the same chain at once both validate it; the second insert is harmless).
        let chain = Arc::new(validate()?);
        let mut inner = self.lock();
        if !inner.entries.contains_key(key) && inner.entries.len() >= self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| *k);
            if let Some(oldest) = oldest {
                inner.entries.remove(&oldest);
            }
        }
        let last_used = inner.tick;
        inner.entries.insert(
            *key,
            Entry {
                chain: Arc::clone(&chain),
                last_used,
            },
        );
        Ok(chain)
    }

    /// Validates `chain` (DER certificates, leaf first) for `usage` at `at` against `store`
    /// (whose fingerprint is `anchors`), from the cache when this chain validated before;
    /// on a miss the certificate signatures are verified by `provider`.
    ///
    /// Returns what [`validate_chain`] would, in the cached form: a malformed certificate is
    /// [`TrustError::Parse`], and every other error is the one `validate_chain` gives. The
    /// provider is not part of the key: a chain that validated with one correct provider
    /// validates with any other.
    pub fn validate<C: AsRef<[u8]>>(
        &self,
        provider: &dyn CryptoProvider,
        chain: &[C],
        store: &TrustStore,
        anchors: &TrustFingerprint,
        usage: ChainUsage,
        at: UnixTime,
    ) -> Result<Arc<CachedChain>, TrustError> {
        let validate = || {
            let certs = chain
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            let validated = validate_chain_with(provider, &certs, store, usage, at)?;
            Ok(CachedChain::new(&certs, &validated))
        };
        if self.capacity == 0 {
            // Caching off: the key would never be looked up.
            return validate().map(Arc::new);
        }
        let key = self.key(anchors, usage, chain);
        self.get_or_validate(&key, at, validate)
    }

    /// [`ChainKey::new`], reusing the last key computed when its inputs are byte for byte the
    /// same (an equality test of the received certificates instead of SHA-256 over them).
    fn key<C: AsRef<[u8]>>(
        &self,
        anchors: &TrustFingerprint,
        usage: ChainUsage,
        chain: &[C],
    ) -> ChainKey {
        if let Some(last) = &self.lock().last_key {
            if last.matches(anchors, usage, chain) {
                return last.key;
            }
        }
        let key = ChainKey::new(anchors, usage, chain);
        self.lock().last_key = Some(LastKey {
            anchors: *anchors,
            usage,
            chain: chain.iter().map(|der| der.as_ref().to_vec()).collect(),
            key,
        });
        key
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The cache holds no invariant a panic elsewhere could break half-way.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ChainCache {
    fn default() -> Self {
        Self::new(DEFAULT_CHAIN_CACHE_CAPACITY)
    }
}

impl fmt::Debug for ChainCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stats = self.stats();
        f.debug_struct("ChainCache")
            .field("capacity", &self.capacity)
            .field("len", &stats.len)
            .field("hits", &stats.hits)
            .field("misses", &stats.misses)
            .finish()
    }
}

#[cfg(test)]
mod tests;
