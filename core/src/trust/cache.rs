//! A bounded cache of validated certificate chains.
//!
//! A verifier that sees the same document-signer `x5chain` again (every licence a province
//! issues in a day carries one of a few DS certificates) need not parse its certificates and
//! verify their signatures again. [`ChainCache`] remembers, per chain and trust store, what
//! [`validate_chain`](super::validate_chain) found without looking at the clock: the leaf's
//! public key and subject, and for every anchor that verifies the chain (a candidate path),
//! the anchor, each certificate's validity period and the outcome of every other check along
//! that path. A cached entry is never trusted blindly in time: at every verification time the
//! candidate paths are checked again in order, each certificate's period in path order, so a
//! cached entry picks the path a cold validation picks (an IACA renewed with the same key and
//! name, its expired predecessor still trusted, keeps validating), and fails with exactly the
//! error a cold validation gives ([`TrustError::Expired`] or [`TrustError::NotYetValid`] with
//! the same position).
//!
//! Only chains that validate are cached, so a chain that failed is validated again in full
//! the next time. Everything but the validity periods depends only on the certificate bytes,
//! the trust anchors (with their roles) and the usage, and all three are in the key: a changed
//! byte anywhere in the chain, or another trust store, is another key.
//!
//! The cache is internal to the [`Verifier`](crate::verifier::Verifier) that owns it: a caller
//! can read its statistics ([`ChainCache::stats`]) and clear it ([`ChainCache::clear`]),
//! nothing more, so no entry can come from a validation against another trust store. None of
//! its internals can be named from outside the crate:
//!
//! ```compile_fail,E0603
//! use zhengzhao::trust::cache::ChainKey;
//! ```
//!
//! ```compile_fail,E0603
//! use zhengzhao::trust::cache::TrustFingerprint;
//! ```
//!
//! ```compile_fail,E0603
//! use zhengzhao::trust::cache::CachedChain;
//! ```
//!
//! ```compile_fail,E0624
//! # use zhengzhao::{trust::TrustStore, verifier::Verifier};
//! let verifier = Verifier::new(TrustStore::new());
//! // Validating into another verifier's cache, against a store of one's choosing: the
//! // method is private (its arguments do not matter, the privacy error comes first).
//! let _ = verifier.chain_cache().validate();
//! ```
//!
//! ```
//! # use zhengzhao::{trust::TrustStore, verifier::Verifier};
//! let verifier = Verifier::new(TrustStore::new());
//! assert_eq!(verifier.chain_cache().stats().len, 0);
//! verifier.chain_cache().clear();
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sha2::Digest;

use super::{
    candidate_paths, AnchorRole, CandidatePaths, Certificate, ChainUsage, TrustError, TrustStore,
};
use crate::crypto::{CryptoProvider, EcPublicKey};
use crate::time::UnixTime;

/// The capacity of a verifier's chain cache unless configured otherwise.
pub const DEFAULT_CHAIN_CACHE_CAPACITY: usize = 256;

/// A fingerprint of a [`TrustStore`]: SHA-256 over every anchor's role and DER, in order.
/// Two stores with the same anchors in the same order have the same fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TrustFingerprint([u8; 32]);

impl TrustFingerprint {
    /// The fingerprint of `store`.
    pub(crate) fn of(store: &TrustStore) -> Self {
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
pub(crate) struct ChainKey([u8; 32]);

impl ChainKey {
    /// The key of `chain` (DER certificates, leaf first) validated for `usage` against the
    /// store with fingerprint `anchors`.
    pub(crate) fn new<C: AsRef<[u8]>>(
        anchors: &TrustFingerprint,
        usage: ChainUsage,
        chain: &[C],
    ) -> Self {
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"zhengzhao chain v1");
        hasher.update(anchors.0);
        hasher.update([match usage {
            ChainUsage::DocumentSigner => 1u8,
            ChainUsage::ReaderAuth => 2u8,
            ChainUsage::StatusList => 3u8,
            ChainUsage::RequestObject => 4u8,
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
///
/// It keeps every candidate path of the chain (one per anchor that verifies it, see
/// [`validate_chain`](super::validate_chain) step 5) with the outcome of every check that does
/// not depend on the time, so that [`CachedChain::select`] at any time picks the path a cold
/// validation would pick, or fails with the error it would give.
#[derive(Clone)]
pub(crate) struct CachedChain {
    paths: CandidatePaths,
    leaf_subject: String,
    /// The subject of each candidate path's anchor, in the order of `paths`.
    anchor_subjects: Vec<String>,
}

impl CachedChain {
    /// Captures what the time-independent checks of a chain found.
    pub(crate) fn new(paths: CandidatePaths) -> Self {
        CachedChain {
            leaf_subject: paths.leaf().subject(),
            anchor_subjects: paths.paths().iter().map(|p| p.anchor.subject()).collect(),
            paths,
        }
    }

    /// The index of the path valid at `at` (checked in path order, as
    /// [`validate_chain`](super::validate_chain) does), or the error a cold validation gives.
    pub(crate) fn select(&self, at: UnixTime) -> Result<usize, TrustError> {
        self.paths.select(at)
    }

    /// `(notBefore, notAfter)` of every certificate of every candidate path.
    #[cfg(test)]
    pub(crate) fn windows(&self) -> Vec<Vec<(UnixTime, UnixTime)>> {
        self.paths
            .paths()
            .iter()
            .map(|p| p.windows().collect())
            .collect()
    }
}

impl fmt::Debug for CachedChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedChain")
            .field("leaf_subject", &self.leaf_subject)
            .field("anchor_subjects", &self.anchor_subjects)
            .field("pinned", &self.paths.is_pinned())
            .field("paths", &self.paths.paths().len())
            .finish_non_exhaustive()
    }
}

/// A cached chain and the path of it that is valid at the time it was looked up.
#[derive(Clone, Debug)]
pub(crate) struct ChainMatch {
    chain: Arc<CachedChain>,
    path: usize,
}

impl ChainMatch {
    /// The leaf's public key.
    pub(crate) fn leaf_public_key(&self) -> &EcPublicKey {
        self.chain.paths.leaf_key()
    }

    /// The leaf's subject ([`Certificate::subject`]).
    pub(crate) fn leaf_subject(&self) -> &str {
        &self.chain.leaf_subject
    }

    /// The leaf certificate's own `(notBefore, notAfter)`: for a document-signer chain, the
    /// period in which the signer may sign an MSO (ISO/IEC 18013-5 §9.3.1).
    pub(crate) fn leaf_validity(&self) -> (UnixTime, UnixTime) {
        let leaf = self.chain.paths.leaf();
        (leaf.not_before(), leaf.not_after())
    }

    /// The subject of the anchor of the chosen path.
    pub(crate) fn anchor_subject(&self) -> &str {
        self.chain
            .anchor_subjects
            .get(self.path)
            .map_or("", String::as_str)
    }

    /// The trust anchor of the chosen path (for a pinned document signer, the signer itself).
    pub(crate) fn anchor(&self) -> &Certificate {
        self.chain
            .paths
            .paths()
            .get(self.path)
            .map_or(self.chain.paths.leaf(), |p| &p.anchor)
    }

    /// The leaf certificate.
    pub(crate) fn leaf(&self) -> &Certificate {
        self.chain.paths.leaf()
    }

    /// Whether the leaf was accepted as a pinned document signer.
    pub(crate) fn is_pinned(&self) -> bool {
        self.chain.paths.is_pinned()
    }

    /// The cached entry.
    #[cfg(test)]
    pub(crate) fn cached(&self) -> &Arc<CachedChain> {
        &self.chain
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
    pub(crate) fn new(capacity: usize) -> Self {
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
    /// result of `build` (the time-independent checks of the chain) checked at `at`, cached
    /// when it validates.
    pub(crate) fn get_or_validate(
        &self,
        key: &ChainKey,
        at: UnixTime,
        build: impl FnOnce() -> Result<CachedChain, TrustError>,
    ) -> Result<ChainMatch, TrustError> {
        let matched = |chain: Arc<CachedChain>| {
            let path = chain.select(at)?;
            Ok(ChainMatch { chain, path })
        };
        if self.capacity == 0 {
            return matched(Arc::new(build()?));
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
            return matched(chain);
        }
        // Validate outside the lock: other threads keep verifying meanwhile (two threads
        // missing the same chain at once both validate it; the second insert is harmless).
        let result = matched(Arc::new(build()?))?;
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
                chain: Arc::clone(&result.chain),
                last_used,
            },
        );
        Ok(result)
    }

    /// Validates `chain` (DER certificates, leaf first) for `usage` at `at` against `store`
    /// (whose fingerprint is `anchors`), from the cache when this chain validated before;
    /// on a miss the certificate signatures are verified by `provider`.
    ///
    /// Returns what [`validate_chain`](super::validate_chain) would, in the cached form: a malformed certificate is
    /// [`TrustError::Parse`], and every other error is the one `validate_chain` gives. The
    /// provider is not part of the key: a chain that validated with one correct provider
    /// validates with any other.
    pub(crate) fn validate<C: AsRef<[u8]>>(
        &self,
        provider: &dyn CryptoProvider,
        chain: &[C],
        store: &TrustStore,
        anchors: &TrustFingerprint,
        usage: ChainUsage,
        at: UnixTime,
    ) -> Result<ChainMatch, TrustError> {
        let build = || {
            let certs = chain
                .iter()
                .map(|der| Certificate::from_der(der.as_ref()))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(CachedChain::new(candidate_paths(
                provider, &certs, store, usage,
            )?))
        };
        if self.capacity == 0 {
            // Caching off: the key would never be looked up.
            let chain = Arc::new(build()?);
            let path = chain.select(at)?;
            return Ok(ChainMatch { chain, path });
        }
        let key = self.key(anchors, usage, chain);
        self.get_or_validate(&key, at, build)
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
