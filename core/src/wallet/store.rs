//! The storage seam: [`CredentialStore`], the record identifiers it uses, the host-provided
//! [`StoreKey`] for encryption at rest, and an in-memory store.
//!
//! A store keeps opaque records (bytes) under a [`RecordId`] in one of a few
//! [`Collection`]s. The wallet encodes credentials, the disclosure log and (through
//! [`SoftwareSecureArea`](super::SoftwareSecureArea)) sealed software keys into records; the
//! store only has to keep bytes safe. [`FileStore`](super::FileStore) is the embedded default;
//! a host may bring its own (SQLite, a platform database) by implementing the trait.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use zeroize::Zeroizing;

use crate::crypto;

/// Which set of records a record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Collection {
    /// Credentials with their metadata and batch copies.
    Credentials,
    /// Disclosure-log entries, one record per disclosed document.
    DisclosureLog,
    /// Key material of [`SoftwareSecureArea`](super::SoftwareSecureArea), sealed under the
    /// host's key.
    Keys,
}

impl Collection {
    /// Every collection.
    pub const ALL: [Collection; 3] = [
        Collection::Credentials,
        Collection::DisclosureLog,
        Collection::Keys,
    ];

    /// A stable name (also the directory name in a [`FileStore`](super::FileStore)).
    pub fn name(self) -> &'static str {
        match self {
            Collection::Credentials => "credentials",
            Collection::DisclosureLog => "disclosure-log",
            Collection::Keys => "keys",
        }
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Longest record identifier, in bytes.
pub const MAX_ID_LEN: usize = 64;

/// Largest record the wallet reads, and [`FileStore`](super::FileStore) writes, in bytes
/// (64 MiB): a credential with a full batch of copies, or one log entry, fits many times over.
/// A longer record file is reported as [`StoreError::Corrupted`] without being read whole.
pub const MAX_RECORD_LEN: usize = 64 * 1024 * 1024;

/// Whether `s` is 1 to [`MAX_ID_LEN`] characters of `a-z`, `0-9`, `-` and `_`: safe as a
/// file name on every platform, and unambiguous on case-insensitive file systems.
pub(crate) fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The identifier of a record: 1 to 64 characters of `a-z`, `0-9`, `-` and `_`.
///
/// The wallet's identifiers are random (credential ids) or a time and a random suffix
/// (log entries); none is derived from personal data, so they may appear in errors.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId(String);

impl RecordId {
    /// Checks an identifier; anything else is [`StoreError::InvalidId`].
    pub fn new(id: impl Into<String>) -> Result<Self, StoreError> {
        let id = id.into();
        if is_valid_id(&id) {
            Ok(RecordId(id))
        } else {
            Err(StoreError::InvalidId)
        }
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why the store could not keep or return a record.
///
/// No variant carries record contents or file paths (a path may hold the user's name).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file system failed; `op` names the step ("writing a record", "renaming"…).
    #[error("storage I/O failed while {op}")]
    Io {
        /// The step that failed.
        op: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// This record is damaged: truncated, its checksum or authentication tag does not match,
    /// or it was moved from another record's place. Other records are unaffected.
    #[error("record {id} in {collection} is damaged")]
    Corrupted {
        /// The collection.
        collection: Collection,
        /// The damaged record.
        id: RecordId,
    },
    /// A record longer than [`MAX_RECORD_LEN`] was given to be stored.
    #[error("record of {len} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// The record's length.
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A record identifier outside `a-z 0-9 - _` or longer than 64 bytes.
    #[error("invalid record identifier")]
    InvalidId,
    /// The store is encrypted under another key.
    #[error("the store key does not open this store")]
    WrongKey,
    /// The store is encrypted and was opened without a key.
    #[error("the store is encrypted; a key is required")]
    KeyRequired,
    /// The store is not encrypted but was opened with a key (it is never silently mixed).
    #[error("the store is not encrypted, but a key was given")]
    NotEncrypted,
    /// The directory holds something other than a store of a format this version reads.
    #[error("not a zhengzhao store, or a store format this version cannot read")]
    UnknownFormat,
    /// A store key that is not 32 bytes.
    #[error("a store key is 32 bytes")]
    InvalidKey,
    /// Random numbers or encryption failed.
    #[error("crypto: {0}")]
    Crypto(#[from] crypto::CryptoError),
    /// A host-provided store reported a failure.
    #[error("host store failed")]
    Host(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps an I/O error with the step that failed.
    pub(crate) fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
        move |source| StoreError::Io { op, source }
    }
}

/// Where the wallet keeps its records.
///
/// # Contract
///
/// * [`put`](Self::put) is **atomic and durable**: when it returns `Ok` the record is
///   committed and survives a crash or power loss; if the process dies during the call, a
///   later [`get`](Self::get) returns either the previous record (or none) or the new one,
///   never a mixture or a truncated record.
/// * [`get`](Self::get) returns a whole record, or [`StoreError::Corrupted`] for a damaged
///   one; damage to one record never makes another unreadable.
/// * Every method may be called from several threads at once.
/// * Implementations must not call back into the [`Wallet`](super::Wallet) or the secure
///   area that called them (they may hold a lock while calling the store).
///
/// Records may hold personal data; an implementation that does not encrypt at rest should
/// live in storage the platform encrypts (iOS Data Protection, Android file-based
/// encryption), or use [`FileStore::open_encrypted`](super::FileStore::open_encrypted).
pub trait CredentialStore: Send + Sync {
    /// Stores `record` under `id`, replacing any earlier record (atomic, durable on `Ok`).
    fn put(&self, collection: Collection, id: &RecordId, record: &[u8]) -> Result<(), StoreError>;
    /// The record under `id`, or `None` if there is none.
    fn get(&self, collection: Collection, id: &RecordId) -> Result<Option<Vec<u8>>, StoreError>;
    /// Removes the record under `id` (durable on `Ok`); `false` if there was none.
    fn delete(&self, collection: Collection, id: &RecordId) -> Result<bool, StoreError>;
    /// Every record identifier of `collection`, sorted.
    fn list(&self, collection: Collection) -> Result<Vec<RecordId>, StoreError>;
}

/// A store in memory: nothing survives the process. For tests, examples and hosts that keep
/// nothing.
#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<(Collection, RecordId), Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MemoryStore(..)")
    }
}

impl CredentialStore for MemoryStore {
    fn put(&self, collection: Collection, id: &RecordId, record: &[u8]) -> Result<(), StoreError> {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        records.insert((collection, id.clone()), record.to_vec());
        Ok(())
    }

    fn get(&self, collection: Collection, id: &RecordId) -> Result<Option<Vec<u8>>, StoreError> {
        let records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(records.get(&(collection, id.clone())).cloned())
    }

    fn delete(&self, collection: Collection, id: &RecordId) -> Result<bool, StoreError> {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(records.remove(&(collection, id.clone())).is_some())
    }

    fn list(&self, collection: Collection) -> Result<Vec<RecordId>, StoreError> {
        let records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(records
            .keys()
            .filter(|(c, _)| *c == collection)
            .map(|(_, id)| id.clone())
            .collect())
    }
}

/// A 256-bit key the host keeps in its keystore (Android Keystore-wrapped, iOS Keychain) and
/// hands to the wallet for encryption at rest. Zeroised on drop; no `Debug`.
///
/// The store and the software secure area each use their own key derived from it
/// (HKDF-SHA-256 with distinct labels), so one host key serves both.
pub struct StoreKey(Zeroizing<[u8; 32]>);

impl StoreKey {
    /// A fresh key from the operating system's CSPRNG (to be saved in the host's keystore).
    pub fn generate() -> Result<Self, StoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut_slice()).map_err(|_| crypto::CryptoError::Rng)?;
        Ok(StoreKey(key))
    }

    /// A key from its 32 bytes; any other length is [`StoreError::InvalidKey`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StoreError> {
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != key.len() {
            return Err(StoreError::InvalidKey);
        }
        key.copy_from_slice(bytes);
        Ok(StoreKey(key))
    }

    /// The 32 key bytes, for the host to wrap and save.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.0.clone()
    }

    /// The sub-key for `label` (HKDF-SHA-256, salt `"zhengzhao wallet"`).
    pub(crate) fn derive(&self, label: &str) -> Result<Zeroizing<[u8; 32]>, StoreError> {
        let okm =
            crypto::hkdf_sha256(self.0.as_slice(), b"zhengzhao wallet", label.as_bytes(), 32)?;
        let mut out = Zeroizing::new([0u8; 32]);
        if okm.len() != out.len() {
            return Err(StoreError::Crypto(crypto::CryptoError::KdfLength));
        }
        out.copy_from_slice(&okm);
        Ok(out)
    }
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> Result<String, StoreError> {
    let bytes = crypto::random_bytes(n)?;
    Ok(hex_lower(&bytes))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
