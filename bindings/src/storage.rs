//! Where the wallet keeps its records: the host's [`CredentialStorage`], adapted to the core's
//! `wallet::CredentialStore`.
//!
//! The record format belongs to the core wallet (credentials with their batch copies, the
//! disclosure log, sealed software keys); a storage keeps opaque bytes. Without a host
//! storage, `Wallet.open` uses the core's crash-safe `FileStore` in a directory the host gives,
//! and `Wallet.inMemory` the core's `MemoryStore`.

use std::sync::Arc;

use zhengzhao::wallet::{self, RecordId, StoreError};

use crate::error::ZhengzhaoError;

/// Which set of records a record belongs to (mirror of the core's `wallet::Collection`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RecordCollection {
    /// Credentials with their metadata and batch copies.
    Credentials,
    /// Disclosure-log entries, one per disclosed document.
    DisclosureLog,
    /// Sealed software keys.
    Keys,
}

impl RecordCollection {
    /// The mirror of a core collection; `None` for one added to the core after this mirror.
    fn from_core(c: wallet::Collection) -> Option<Self> {
        match c {
            wallet::Collection::Credentials => Some(RecordCollection::Credentials),
            wallet::Collection::DisclosureLog => Some(RecordCollection::DisclosureLog),
            wallet::Collection::Keys => Some(RecordCollection::Keys),
            _ => None,
        }
    }
}

/// Durable storage of opaque records, implemented by the host (a database, encrypted files).
///
/// Record identifiers are 1 to 64 characters of `a-z 0-9 - _`. Records hold personal data:
/// keep them encrypted at rest (Android `EncryptedFile`, iOS Data Protection).
///
/// * `put` and `delete` must be **atomic and durable**: once they return, the change survives
///   a crash; if the process dies during the call, the record is either the old one or the
///   new one, never torn.
/// * Methods may be called on any thread, several at once.
/// * **Re-entrancy:** an implementation must not call back into the `Wallet` that called it
///   (the wallet may hold its lock during the call: a call back would deadlock).
///
/// Any error it raises (or any unexpected exception) reaches the caller as
/// `ZhengzhaoError.Storage`, with the host's reason.
#[uniffi::export(rust, foreign)]
pub trait CredentialStorage: Send + Sync {
    /// Stores `record` under `id` in `collection`, replacing any earlier record.
    fn put(
        &self,
        collection: RecordCollection,
        id: String,
        record: Vec<u8>,
    ) -> Result<(), ZhengzhaoError>;
    /// The record under `id`, exactly as stored, or nothing.
    fn get(
        &self,
        collection: RecordCollection,
        id: String,
    ) -> Result<Option<Vec<u8>>, ZhengzhaoError>;
    /// Removes the record under `id`; returns whether there was one.
    fn delete(&self, collection: RecordCollection, id: String) -> Result<bool, ZhengzhaoError>;
    /// The identifiers of every record in `collection`, in any order.
    fn list(&self, collection: RecordCollection) -> Result<Vec<String>, ZhengzhaoError>;
}

/// A host's [`CredentialStorage`] as the core's `CredentialStore`.
pub(crate) struct ForeignStoreAdapter(pub(crate) Arc<dyn CredentialStorage>);

/// Carries the host's error through the core, to be unboxed by the error mapping.
fn host(e: ZhengzhaoError) -> StoreError {
    StoreError::Host(Box::new(e.into_storage()))
}

fn mirror(c: wallet::Collection) -> Result<RecordCollection, StoreError> {
    RecordCollection::from_core(c).ok_or_else(|| {
        host(ZhengzhaoError::Internal {
            reason: "a record collection this version of the bindings does not know".into(),
        })
    })
}

impl wallet::CredentialStore for ForeignStoreAdapter {
    fn put(
        &self,
        collection: wallet::Collection,
        id: &RecordId,
        record: &[u8],
    ) -> Result<(), StoreError> {
        self.0
            .put(mirror(collection)?, id.as_str().to_owned(), record.to_vec())
            .map_err(host)
    }

    fn get(
        &self,
        collection: wallet::Collection,
        id: &RecordId,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.0
            .get(mirror(collection)?, id.as_str().to_owned())
            .map_err(host)
    }

    fn delete(&self, collection: wallet::Collection, id: &RecordId) -> Result<bool, StoreError> {
        self.0
            .delete(mirror(collection)?, id.as_str().to_owned())
            .map_err(host)
    }

    fn list(&self, collection: wallet::Collection) -> Result<Vec<RecordId>, StoreError> {
        let mut ids = self
            .0
            .list(mirror(collection)?)
            .map_err(host)?
            .into_iter()
            .map(RecordId::new)
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}
