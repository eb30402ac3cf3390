//! The verifier side: resolve a credential's status lists through the host, verify them,
//! cache them, and conclude one [`StatusOutcome`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::token::{not_document_signer, ChainWindow};
use super::{
    Bits, StatusError, StatusLimits, StatusListRef, StatusListToken, StatusOutcome, StatusReference,
};
use crate::crypto::{self, CryptoProvider, EcPublicKey};
use crate::time::UnixTime;
use crate::trust::Certificate;

/// Lists kept by a [`StatusChecker`] unless set otherwise.
pub const DEFAULT_STATUS_CACHE_CAPACITY: usize = 64;

/// The longest a [`StatusChecker`] keeps a list unless set otherwise: one day, whatever a
/// longer `ttl` allows.
pub const DEFAULT_MAX_CACHE_AGE: u64 = 24 * 3600;

/// Why the host could not produce a Status List Token for a URI. The message is the host's
/// and is shown as given (it must not contain personal data).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ResolveError {
    message: String,
}

impl ResolveError {
    /// An error with the host's `message`.
    pub fn new(message: impl Into<String>) -> Self {
        ResolveError {
            message: message.into(),
        }
    }

    /// The host's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Fetches Status List Tokens: implemented by the host (HTTP GET with
/// `Accept: application/statuslist+cwt`, a file, a local store). The library does no I/O.
///
/// Return the body exactly as served; every check is done on it afterwards. An error is never
/// read as a status: it makes the outcome [`StatusOutcome::Undetermined`].
pub trait StatusResolver: Send + Sync {
    /// The bytes `uri` serves, or why they could not be obtained.
    fn resolve(&self, uri: &str) -> Result<Vec<u8>, ResolveError>;
}

/// A resolver over tokens held in memory: tests, tools (`verify --status-list URI=FILE`) and
/// offline verifiers that were handed the lists in advance.
#[derive(Clone, Debug, Default)]
pub struct StaticResolver {
    lists: BTreeMap<String, Vec<u8>>,
}

impl StaticResolver {
    /// An empty resolver.
    pub fn new() -> Self {
        StaticResolver::default()
    }

    /// The same resolver also serving `token` at `uri`.
    pub fn with(mut self, uri: impl Into<String>, token: Vec<u8>) -> Self {
        self.insert(uri, token);
        self
    }

    /// Serves `token` at `uri` (replacing what was there).
    pub fn insert(&mut self, uri: impl Into<String>, token: Vec<u8>) {
        self.lists.insert(uri.into(), token);
    }
}

impl StatusResolver for StaticResolver {
    fn resolve(&self, uri: &str) -> Result<Vec<u8>, ResolveError> {
        self.lists
            .get(uri)
            .cloned()
            .ok_or_else(|| ResolveError::new("no status list held for this uri"))
    }
}

/// One verified list in the cache.
struct Entry {
    uri: String,
    trust_point: [u8; 32],
    signer: Certificate,
    signer_key: EcPublicKey,
    fetched_at: UnixTime,
    window: ChainWindow,
    token: Arc<StatusListToken>,
}

/// One status-signer chain that validated: its `x5chain` bytes with the trust point (hashed
/// together as the key), its leaf and the chain's validity window.
struct KnownSigner {
    key: [u8; 32],
    leaf: Certificate,
    leaf_key: EcPublicKey,
    window: ChainWindow,
}

/// Cache statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusCacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that resolved the list.
    pub misses: u64,
}

/// Checks credentials' status: resolves each list the MSO names through the host's
/// [`StatusResolver`], verifies it (see the [module documentation](super)), caches it, and
/// reads the entry.
///
/// **Caching.** A verified list is reused, without resolving or verifying it again, while the
/// verification time is before `fetched + min(ttl, max cache age)` (§8.3 step 4d: the time it
/// was resolved plus `ttl`), before `exp`, and inside the validity of its signer chain; the
/// claims are checked again at every use. The key is the URI *and* the trust point it was
/// verified against, so a list verified for one IACA never serves a credential of another.
/// At most [`DEFAULT_STATUS_CACHE_CAPACITY`] lists are kept (least recently used evicted).
///
/// **Signer chains.** The status signer's chain is validated once: a new list (a list
/// refreshed after its `ttl`, another list of the same authority) whose protected `x5chain`
/// is byte for byte one that validated to the same trust point, at a time inside that chain's
/// validity, costs only its own signature — the IACA's signature over the signer certificate
/// is not verified again. The document-signer checks run every time. As many chains as lists
/// are kept; capacity 0 keeps none; [`StatusChecker::clear_cache`] drops them too.
///
/// **Undetermined.** By default a list that cannot be fetched, verified or read fails the
/// verification ([`crate::verifier::VerifyError::StatusUndetermined`]);
/// [`StatusChecker::accept_undetermined`] lets it pass with the outcome reported.
pub struct StatusChecker {
    resolver: Arc<dyn StatusResolver>,
    provider: Arc<dyn CryptoProvider>,
    limits: StatusLimits,
    capacity: usize,
    max_cache_age: u64,
    max_list_age: Option<u64>,
    accept_undetermined: bool,
    cache: Mutex<Vec<Entry>>,
    signers: Mutex<Vec<KnownSigner>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl fmt::Debug for StatusChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusChecker")
            .field("capacity", &self.capacity)
            .field("max_cache_age", &self.max_cache_age)
            .field("max_list_age", &self.max_list_age)
            .field("accept_undetermined", &self.accept_undetermined)
            .finish_non_exhaustive()
    }
}

impl StatusChecker {
    /// A checker resolving lists with `resolver`, on the default crypto provider.
    pub fn new(resolver: Arc<dyn StatusResolver>) -> Self {
        StatusChecker {
            resolver,
            provider: crypto::default_provider(),
            limits: StatusLimits::default(),
            capacity: DEFAULT_STATUS_CACHE_CAPACITY,
            max_cache_age: DEFAULT_MAX_CACHE_AGE,
            max_list_age: None,
            accept_undetermined: false,
            cache: Mutex::new(Vec::new()),
            signers: Mutex::new(Vec::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Replaces the crypto provider that verifies lists and their chains.
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// Replaces the limits.
    pub fn with_limits(mut self, limits: StatusLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Keeps at most `capacity` lists (0: no caching, every check resolves).
    pub fn with_cache_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Keeps a list at most `secs` seconds after it was resolved, whatever its `ttl`.
    pub fn with_max_cache_age(mut self, secs: u64) -> Self {
        self.max_cache_age = secs;
        self
    }

    /// Rejects lists issued (`iat`) more than `secs` seconds before the verification time
    /// ([`StatusError::TooOld`]): the relying party's freshness policy of §8.3 step 4b.
    pub fn with_max_list_age(mut self, secs: u64) -> Self {
        self.max_list_age = Some(secs);
        self
    }

    /// Whether an [`StatusOutcome::Undetermined`] outcome lets the verification pass (with
    /// the outcome reported). Default `false`: it fails closed.
    pub fn accept_undetermined(mut self, accept: bool) -> Self {
        self.accept_undetermined = accept;
        self
    }

    /// Whether undetermined outcomes are accepted.
    pub fn accepts_undetermined(&self) -> bool {
        self.accept_undetermined
    }

    /// Cache statistics.
    pub fn cache_stats(&self) -> StatusCacheStats {
        StatusCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// Drops every cached list and every known signer chain.
    pub fn clear_cache(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
        if let Ok(mut signers) = self.signers.lock() {
            signers.clear();
        }
    }

    /// Verifies `token`'s chain to `trust_point` (hash `tp`) and its signature: with only the
    /// signature when the same `x5chain` already validated to the same trust point and `at` is
    /// inside its validity, in full otherwise. Returns the chain's window and the leaf.
    fn verify_signer(
        &self,
        token: &StatusListToken,
        trust_point: &Certificate,
        tp: &[u8; 32],
        document_signer: Option<&Certificate>,
        at: UnixTime,
    ) -> Result<(ChainWindow, Certificate, EcPublicKey), StatusError> {
        let mut material = tp.to_vec();
        for der in token.x5chain()? {
            material.extend_from_slice(&(der.len() as u64).to_be_bytes());
            material.extend_from_slice(&der);
        }
        let key = crypto::sha256(&material);
        let known = self.signers.lock().ok().and_then(|signers| {
            signers
                .iter()
                .find(|s| s.key == key && s.window.contains(at))
                .map(|s| (s.leaf.clone(), s.leaf_key.clone(), s.window))
        });
        if let Some((leaf, leaf_key, window)) = known {
            not_document_signer(&leaf, &leaf_key, document_signer)?;
            token.verify_with_key(self.provider.as_ref(), &leaf_key)?;
            return Ok((window, leaf, leaf_key));
        }
        let (window, leaf) =
            token.verify_chain_signer(self.provider.as_ref(), trust_point, document_signer, at)?;
        let leaf_key = leaf.public_key().map_err(|_| StatusError::Certificate)?;
        if let Ok(mut signers) = self.signers.lock() {
            let signer = KnownSigner {
                key,
                leaf: leaf.clone(),
                leaf_key: leaf_key.clone(),
                window,
            };
            insert_bounded(&mut signers, self.capacity, signer, |s| s.key == key);
        }
        Ok((window, leaf, leaf_key))
    }

    /// The verified token at `uri` for a credential whose status trust point is
    /// `trust_point` (see [`StatusListToken::verify_chain`]), from the cache or resolved now.
    /// `exp` is required (ISO §12.3.6.3).
    pub fn fetch_list(
        &self,
        uri: &str,
        trust_point: &Certificate,
        document_signer: Option<&Certificate>,
        at: UnixTime,
    ) -> Result<Arc<StatusListToken>, StatusError> {
        let tp = crypto::sha256(trust_point.der());
        if let Some(token) = self.cached(uri, &tp, document_signer, at)? {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(token);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let bytes = self.resolver.resolve(uri).map_err(StatusError::Resolve)?;
        let token = StatusListToken::parse(&bytes, &self.limits)?;
        let (window, signer, signer_key) =
            self.verify_signer(&token, trust_point, &tp, document_signer, at)?;
        token.check_claims(Some(uri), at, true, self.max_list_age)?;
        let token = Arc::new(token);
        if let Ok(mut cache) = self.cache.lock() {
            let entry = Entry {
                uri: uri.to_owned(),
                trust_point: tp,
                signer_key,
                signer,
                fetched_at: at,
                window,
                token: Arc::clone(&token),
            };
            insert_bounded(&mut cache, self.capacity, entry, |e| {
                e.uri == uri && e.trust_point == tp
            });
        }
        Ok(token)
    }

    /// A cached token still usable at `at`, its claims checked again.
    fn cached(
        &self,
        uri: &str,
        tp: &[u8; 32],
        document_signer: Option<&Certificate>,
        at: UnixTime,
    ) -> Result<Option<Arc<StatusListToken>>, StatusError> {
        let Ok(mut cache) = self.cache.lock() else {
            return Ok(None);
        };
        let Some(pos) = cache
            .iter()
            .position(|e| e.uri == uri && &e.trust_point == tp)
        else {
            return Ok(None);
        };
        let fresh = cache.get(pos).is_some_and(|e| {
            let ttl = e.token.ttl().unwrap_or(u64::MAX).min(self.max_cache_age);
            let until = e
                .fetched_at
                .add_secs(i64::try_from(ttl).unwrap_or(i64::MAX));
            e.fetched_at <= at && at < until && e.window.contains(at)
        });
        if !fresh {
            cache.remove(pos);
            return Ok(None);
        }
        let entry = cache.remove(pos);
        not_document_signer(&entry.signer, &entry.signer_key, document_signer)?;
        let token = Arc::clone(&entry.token);
        token.check_claims(Some(uri), at, true, self.max_list_age)?;
        cache.push(entry);
        Ok(Some(token))
    }

    /// The outcome for a credential whose MSO carries `reference`, signed by
    /// `document_signer` under `iaca` (the anchor its chain validated to; `None` for a pinned
    /// document signer, which then needs the MSO's `certificate`).
    ///
    /// Every list referenced is checked; the outcome is the gravest: revoked, then suspended,
    /// then application-specific, then undetermined, then valid. A definite answer from one
    /// verified list is not hidden by another that could not be read.
    pub fn check(
        &self,
        reference: &StatusReference,
        iaca: Option<&Certificate>,
        document_signer: &Certificate,
        at: UnixTime,
    ) -> StatusOutcome {
        let mut outcomes = Vec::with_capacity(3);
        if let Some(r) = &reference.status_list {
            outcomes.push(self.list_outcome(r, Bits::One, iaca, document_signer, at));
        }
        if let Some(r) = &reference.cn_status_list {
            outcomes.push(self.list_outcome(r, Bits::Two, iaca, document_signer, at));
        }
        if let Some(r) = &reference.identifier_list {
            let outcome = (|| {
                let tp = trust_point(r.certificate.as_deref(), iaca)?;
                let token = self.fetch_list(&r.uri, &tp, Some(document_signer), at)?;
                Ok(if token.identifiers()?.contains(&r.id) {
                    StatusOutcome::Invalid
                } else {
                    StatusOutcome::Valid
                })
            })();
            outcomes.push(outcome.unwrap_or_else(StatusOutcome::Undetermined));
        }
        outcomes
            .into_iter()
            .max_by_key(StatusOutcome::severity)
            .unwrap_or(StatusOutcome::Valid)
    }

    fn list_outcome(
        &self,
        r: &StatusListRef,
        bits: Bits,
        iaca: Option<&Certificate>,
        document_signer: &Certificate,
        at: UnixTime,
    ) -> StatusOutcome {
        let read = || {
            let tp = trust_point(r.certificate.as_deref(), iaca)?;
            let token = self.fetch_list(&r.uri, &tp, Some(document_signer), at)?;
            let list = token.list()?;
            if list.bits() != bits {
                return Err(StatusError::BitsNotAllowed {
                    bits: list.bits().get(),
                    expected: bits.get(),
                });
            }
            list.get(r.idx)
        };
        match read() {
            Ok(status) => StatusOutcome::from_status(status),
            Err(e) => StatusOutcome::Undetermined(e),
        }
    }
}

/// Adds `item` to a least-recently-used list of at most `capacity` items (0 keeps none),
/// replacing the one `same` matches and evicting the oldest when full.
fn insert_bounded<T>(items: &mut Vec<T>, capacity: usize, item: T, same: impl Fn(&T) -> bool) {
    if capacity == 0 {
        return;
    }
    items.retain(|existing| !same(existing));
    while items.len() >= capacity && !items.is_empty() {
        items.remove(0);
    }
    items.push(item);
}

/// The MSO's `certificate` if given, else the IACA.
fn trust_point<'a>(
    certificate: Option<&[u8]>,
    iaca: Option<&'a Certificate>,
) -> Result<Cow<'a, Certificate>, StatusError> {
    match (certificate, iaca) {
        (Some(der), _) => Certificate::from_der(der)
            .map(Cow::Owned)
            .map_err(|_| StatusError::Certificate),
        (None, Some(iaca)) => Ok(Cow::Borrowed(iaca)),
        (None, None) => Err(StatusError::NoTrustPoint),
    }
}
