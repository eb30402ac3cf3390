//! Licence status (revocation and suspension with Token Status Lists): the host's resolver,
//! the verifier's checker, the outcome reported per document, and the issuer's list publisher.
//!
//! The library does no I/O: the host implements [`StatusResolver`] (an HTTP GET, a file, a
//! local store) and hands a [`StatusChecker`] built over it to `Verifier.verify`. An error the
//! resolver raises is never read as a status: it makes the outcome "undetermined", which fails
//! verification with `ZhengzhaoError::StatusUndetermined` unless the checker accepts it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use zhengzhao::status::{self as core, Bits, Status, StatusError};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::Certificate;

use crate::error::ZhengzhaoError;
use crate::keystore::{AliasKey, SecureArea};
use crate::value::from_system_time;

/// Fetches Status List Tokens for the verifier, implemented by the host (HTTP GET of `uri`
/// with `Accept: application/statuslist+cwt`, a file, a local store).
///
/// Return the body exactly as served: every check is done on it afterwards. Any error raised
/// (or any unexpected exception) makes the status "undetermined", never "revoked"; its message
/// is shown as given, so it must not contain personal data. May be called on any thread and
/// may block; must not call back into the `Verifier` that called it.
#[uniffi::export(rust, foreign)]
pub trait StatusResolver: Send + Sync {
    /// The bytes `uri` serves, or an error saying why they could not be obtained.
    fn resolve(&self, uri: String) -> Result<Vec<u8>, ZhengzhaoError>;
}

/// The host's [`StatusResolver`] as the core's.
struct ForeignResolver(Arc<dyn StatusResolver>);

impl core::StatusResolver for ForeignResolver {
    fn resolve(&self, uri: &str) -> Result<Vec<u8>, core::ResolveError> {
        self.0.resolve(uri.to_owned()).map_err(|e| {
            core::ResolveError::new(match e {
                // The host's own words, without our prefix.
                ZhengzhaoError::Internal { reason } => reason,
                other => other.to_string(),
            })
        })
    }
}

/// Checks credential status during verification: fetches each list a credential names through
/// the host's resolver, verifies it (signed by a status signer under the document signer's
/// IACA, `sub`, `iat`, `exp`, `ttl`, size bounds, index in range), caches it, and concludes
/// one outcome per document. Pass it to `Verifier.verify(..., status = checker)`; one checker
/// may serve many verifications (and threads) and keeps its cache between them.
#[derive(uniffi::Object)]
pub struct StatusChecker {
    pub(crate) inner: core::StatusChecker,
}

/// How often a [`StatusChecker`]'s cache answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StatusCacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that called the resolver.
    pub misses: u64,
}

#[uniffi::export]
impl StatusChecker {
    /// A checker over `resolver`. `accept_undetermined`: when a status cannot be determined
    /// (resolver error, invalid or expired list…) verification succeeds with the document's
    /// `status` `Undetermined(reason)` instead of failing with `StatusUndetermined` (default:
    /// fail closed). `max_cache_age_secs`: the longest a fetched list is reused, whatever its
    /// `ttl` allows (default one day). `max_list_age_secs`: the oldest list (by its `iat`)
    /// accepted at all (default: no bound beyond its `exp`).
    #[uniffi::constructor(default(
        accept_undetermined = false,
        max_cache_age_secs = None,
        max_list_age_secs = None
    ))]
    pub fn new(
        resolver: Arc<dyn StatusResolver>,
        accept_undetermined: bool,
        max_cache_age_secs: Option<u64>,
        max_list_age_secs: Option<u64>,
    ) -> Arc<Self> {
        let mut inner = core::StatusChecker::new(Arc::new(ForeignResolver(resolver)))
            .accept_undetermined(accept_undetermined);
        if let Some(secs) = max_cache_age_secs {
            inner = inner.with_max_cache_age(secs);
        }
        if let Some(secs) = max_list_age_secs {
            inner = inner.with_max_list_age(secs);
        }
        Arc::new(StatusChecker { inner })
    }

    /// Whether an undetermined status is accepted (reported, not failed).
    pub fn accepts_undetermined(&self) -> bool {
        self.inner.accepts_undetermined()
    }

    /// Cache hits and misses so far.
    pub fn cache_stats(&self) -> StatusCacheStats {
        let s = self.inner.cache_stats();
        StatusCacheStats {
            hits: s.hits,
            misses: s.misses,
        }
    }

    /// Forgets every cached list (the next check fetches again).
    pub fn clear_cache(&self) {
        self.inner.clear_cache();
    }
}

/// A document's licence status, as the verifier concluded it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum StatusOutcome {
    /// Not checked: no `StatusChecker` was given, or the credential names no status list
    /// (then `unchecked` lists `"status"` if the MSO carried a status the verifier skipped).
    NotChecked,
    /// Every list the credential names says valid.
    Valid,
    /// A list says revoked (吊销 / 注销). Verification fails with `Revoked` instead, so a
    /// verified document carries this only if a later core reports it.
    Invalid,
    /// A list says suspended (暂扣, 记满12分). Verification fails with `Suspended` instead.
    Suspended,
    /// A list holds an application-specific value (for Chinese licences, 3: overdue for
    /// renewal or inspection). Verification fails with `StatusApplicationSpecific` instead.
    ApplicationSpecific {
        /// The status value.
        value: u8,
    },
    /// No statement could be made (list unreachable, invalid, expired…): reported only when
    /// the checker accepts undetermined statuses. Neither valid nor revoked.
    Undetermined {
        /// Why (the core's or the resolver's message; never element values).
        reason: String,
    },
}

impl From<Option<&core::StatusOutcome>> for StatusOutcome {
    fn from(o: Option<&core::StatusOutcome>) -> Self {
        match o {
            None => StatusOutcome::NotChecked,
            Some(core::StatusOutcome::Valid) => StatusOutcome::Valid,
            Some(core::StatusOutcome::Invalid) => StatusOutcome::Invalid,
            Some(core::StatusOutcome::Suspended) => StatusOutcome::Suspended,
            Some(core::StatusOutcome::ApplicationSpecific(value)) => {
                StatusOutcome::ApplicationSpecific { value: *value }
            }
            Some(core::StatusOutcome::Undetermined(e)) => StatusOutcome::Undetermined {
                reason: e.to_string(),
            },
        }
    }
}

/// Where a credential's status is published: an entry of a Status List Token.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StatusListReference {
    /// The URI serving the Status List Token (the token's `sub`).
    pub uri: String,
    /// The credential's index in the list (from `StatusListPublisher.allocate`).
    pub index: u64,
    /// The certificate (DER) the list's signer chains to, if not the document signer's IACA.
    #[uniffi(default = None)]
    pub certificate: Option<Vec<u8>>,
}

impl From<&StatusListReference> for core::StatusListRef {
    fn from(r: &StatusListReference) -> Self {
        core::StatusListRef {
            idx: r.index,
            uri: r.uri.clone(),
            certificate: r.certificate.clone(),
        }
    }
}

/// The core's status reference for an issued credential, if it names any list.
pub(crate) fn reference(
    status_list: Option<&StatusListReference>,
    cn_status_list: Option<&StatusListReference>,
) -> Option<core::StatusReference> {
    if status_list.is_none() && cn_status_list.is_none() {
        return None;
    }
    Some(core::StatusReference {
        status_list: status_list.map(Into::into),
        identifier_list: None,
        cn_status_list: cn_status_list.map(Into::into),
    })
}

/// A status to write into a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ListStatus {
    /// 0: valid.
    Valid,
    /// 1: revoked, cancelled (permanent).
    Invalid,
    /// 2: suspended (may be restored); needs a list of at least 2 bits.
    Suspended,
    /// 3 or 12–15: application-specific (for Chinese licence lists, 3 is "overdue").
    ApplicationSpecific {
        /// The value.
        value: u8,
    },
    /// Any other value: reserved by the Token Status List registry. Read only: `set`
    /// refuses it.
    Reserved {
        /// The value.
        value: u8,
    },
}

impl ListStatus {
    fn to_core(self) -> Result<Status, ZhengzhaoError> {
        Ok(match self {
            ListStatus::Valid => Status::Valid,
            ListStatus::Invalid => Status::Invalid,
            ListStatus::Suspended => Status::Suspended,
            ListStatus::Reserved { .. } => {
                return Err(ZhengzhaoError::invalid_input(
                    "reserved status values cannot be set",
                ))
            }
            ListStatus::ApplicationSpecific { value } => match Status::from_value(value) {
                s @ Status::ApplicationSpecific(_) => s,
                _ => {
                    return Err(ZhengzhaoError::invalid_input(
                        "application-specific status values are 3 and 12 to 15",
                    ))
                }
            },
        })
    }

    fn from_core(s: Status) -> Self {
        match s {
            Status::Valid => ListStatus::Valid,
            Status::Invalid => ListStatus::Invalid,
            Status::Suspended => ListStatus::Suspended,
            Status::ApplicationSpecific(value) => ListStatus::ApplicationSpecific { value },
            Status::Reserved(value) => ListStatus::Reserved { value },
        }
    }
}

/// An issuing authority's status list: allocates random indices for new credentials, records
/// revocations and suspensions, and signs the Status List Token to serve at its URI. State is
/// in memory only (a demo or test publisher, or one the host rebuilds on start).
#[derive(uniffi::Object)]
pub struct StatusListPublisher {
    inner: Mutex<core::StatusListPublisher>,
}

impl StatusListPublisher {
    fn with<T>(&self, f: impl FnOnce(&mut core::StatusListPublisher) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[uniffi::export]
impl StatusListPublisher {
    /// A list of `size` entries of `bits` bits each (1 for the ISO revocation list, 2 for the
    /// Chinese licence list with suspension; 1, 2, 4 or 8), all valid, to be served at `uri`.
    #[uniffi::constructor]
    pub fn new(uri: String, bits: u8, size: u64) -> Result<Arc<Self>, ZhengzhaoError> {
        let bits = Bits::new(u64::from(bits))?;
        let size =
            usize::try_from(size).map_err(|_| ZhengzhaoError::invalid_input("list too large"))?;
        Ok(Arc::new(StatusListPublisher {
            inner: Mutex::new(core::StatusListPublisher::new(uri, bits, size)?),
        }))
    }

    /// The URI the list is served at.
    pub fn uri(&self) -> String {
        self.with(|p| p.uri().to_owned())
    }

    /// A free index drawn at random (so an index says nothing about issuance order), now
    /// allocated: put it in the credential's `StatusListReference`.
    pub fn allocate(&self) -> Result<u64, ZhengzhaoError> {
        Ok(self.with(|p| p.allocate())?)
    }

    /// Sets the status at `index`.
    pub fn set(&self, index: u64, status: ListStatus) -> Result<(), ZhengzhaoError> {
        let status = status.to_core()?;
        Ok(self.with(|p| p.set(index, status))?)
    }

    /// The status at `index`.
    pub fn status(&self, index: u64) -> Result<ListStatus, ZhengzhaoError> {
        Ok(ListStatus::from_core(self.with(|p| p.status(index))?))
    }

    /// Sets the token's `ttl` (how long a verifier may cache it), in seconds.
    pub fn set_ttl(&self, secs: u64) {
        self.with(|p| *p = p.clone().with_ttl(secs));
    }

    /// Sets how long each signed token is valid (`exp` − `iat`), in seconds.
    pub fn set_validity(&self, secs: u64) {
        self.with(|p| *p = p.clone().with_validity(secs));
    }

    /// The Status List Token as of `now` (default: the current time), signed with the status
    /// signer key under `key_alias` in `secure_area`, whose certificate chain (DER, leaf
    /// first, issued by the IACA that issued the document signer) is `certificate_chain`.
    /// Returns the bytes to serve at the URI.
    #[uniffi::method(default(now = None))]
    pub fn sign(
        &self,
        secure_area: Arc<dyn SecureArea>,
        key_alias: String,
        certificate_chain: Vec<Vec<u8>>,
        now: Option<SystemTime>,
    ) -> Result<Vec<u8>, ZhengzhaoError> {
        let key = AliasKey::new(secure_area, key_alias);
        crate::verifier::chain_for_key(&certificate_chain, &key)?;
        let chain = certificate_chain
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()?;
        let now = now.map(from_system_time).unwrap_or_else(UnixTime::now);
        // Cloned so that no lock is held while the secure area signs.
        let publisher = self.with(|p| p.clone());
        Ok(publisher.sign(&key, &chain, now)?)
    }
}

impl From<StatusError> for ZhengzhaoError {
    fn from(e: StatusError) -> Self {
        match e {
            StatusError::Signing => ZhengzhaoError::KeyStore {
                reason: e.to_string(),
            },
            other => ZhengzhaoError::invalid_input(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Failing;

    impl StatusResolver for Failing {
        fn resolve(&self, _: String) -> Result<Vec<u8>, ZhengzhaoError> {
            Err(ZhengzhaoError::Internal {
                reason: "offline".into(),
            })
        }
    }

    #[test]
    fn a_host_error_is_passed_on_as_a_resolve_error() {
        let r = ForeignResolver(Arc::new(Failing));
        let e = core::StatusResolver::resolve(&r, "https://x.example/1").err();
        assert_eq!(
            e.map(|e| e.message().to_owned()),
            Some("offline".to_owned())
        );
    }

    #[test]
    fn application_specific_values_are_checked() {
        assert!(ListStatus::ApplicationSpecific { value: 3 }
            .to_core()
            .is_ok());
        assert!(ListStatus::ApplicationSpecific { value: 12 }
            .to_core()
            .is_ok());
        assert!(ListStatus::ApplicationSpecific { value: 1 }
            .to_core()
            .is_err());
        assert!(ListStatus::ApplicationSpecific { value: 5 }
            .to_core()
            .is_err());
        assert!(ListStatus::Reserved { value: 5 }.to_core().is_err());
        assert_eq!(
            ListStatus::from_core(Status::Reserved(5)),
            ListStatus::Reserved { value: 5 }
        );
    }

    #[test]
    fn outcomes_mirror_the_core() {
        assert_eq!(StatusOutcome::from(None), StatusOutcome::NotChecked);
        assert_eq!(
            StatusOutcome::from(Some(&core::StatusOutcome::ApplicationSpecific(3))),
            StatusOutcome::ApplicationSpecific { value: 3 }
        );
        assert!(matches!(
            StatusOutcome::from(Some(&core::StatusOutcome::Undetermined(StatusError::EmptyList))),
            StatusOutcome::Undetermined { reason } if reason.contains("empty")
        ));
    }
}
