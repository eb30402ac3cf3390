//! Where the wallet keeps its credentials.
//!
//! A host may implement [`CredentialStorage`] over its own database or encrypted files;
//! without one the wallet keeps credentials in memory ([`in_memory_storage`]). The wallet
//! stores one opaque record per credential; the record format is private to the bindings.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use zhengzhao::cbor::{self, MapExt, Value};

use crate::error::ZhengzhaoError;

/// Durable storage of opaque credential records, implemented by the host.
///
/// Records are small (a few kilobytes) and hold personal data: keep them encrypted at rest
/// (e.g. Android `EncryptedFile`, iOS Data Protection). `save` must be atomic: after a crash
/// a record is either the old one or the new one, never torn. Methods may be called on any
/// thread, several at once. **Re-entrancy:** an implementation must not call back into the
/// `Wallet` that called it. Any error it raises (or any unexpected exception) reaches the
/// caller as `ZhengzhaoError.Storage`.
#[uniffi::export(rust, foreign)]
pub trait CredentialStorage: Send + Sync {
    /// Stores `record` under `id`, replacing any record with that ID.
    fn save(&self, id: String, record: Vec<u8>) -> Result<(), ZhengzhaoError>;
    /// The record under `id`, exactly as saved, or nothing.
    fn load(&self, id: String) -> Result<Option<Vec<u8>>, ZhengzhaoError>;
    /// The IDs of every stored record, in any order.
    fn list_ids(&self) -> Result<Vec<String>, ZhengzhaoError>;
    /// Removes the record under `id`; removing a missing ID is not an error.
    fn delete(&self, id: String) -> Result<(), ZhengzhaoError>;
}

/// A [`CredentialStorage`] in memory (lost when the wallet is dropped); the wallet's default.
#[uniffi::export]
pub fn in_memory_storage() -> Arc<dyn CredentialStorage> {
    Arc::new(InMemoryStorage::default())
}

#[derive(Default)]
pub(crate) struct InMemoryStorage {
    records: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl InMemoryStorage {
    fn records(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CredentialStorage for InMemoryStorage {
    fn save(&self, id: String, record: Vec<u8>) -> Result<(), ZhengzhaoError> {
        self.records().insert(id, record);
        Ok(())
    }

    fn load(&self, id: String) -> Result<Option<Vec<u8>>, ZhengzhaoError> {
        Ok(self.records().get(&id).cloned())
    }

    fn list_ids(&self) -> Result<Vec<String>, ZhengzhaoError> {
        Ok(self.records().keys().cloned().collect())
    }

    fn delete(&self, id: String) -> Result<(), ZhengzhaoError> {
        self.records().remove(&id);
        Ok(())
    }
}

/// What the wallet stores per credential: the credential as issued and the alias of its
/// device key in the secure area.
pub(crate) struct StoredCredential {
    pub(crate) credential: Vec<u8>,
    pub(crate) key_alias: String,
}

const RECORD_VERSION: i128 = 1;

impl StoredCredential {
    /// `{"version": 1, "keyAlias": tstr, "credential": bstr}`.
    pub(crate) fn to_record(&self) -> Vec<u8> {
        cbor::encode(&Value::Map(vec![
            (Value::text("version"), Value::Integer(RECORD_VERSION)),
            (
                Value::text("keyAlias"),
                Value::text(self.key_alias.as_str()),
            ),
            (
                Value::text("credential"),
                Value::Bytes(self.credential.clone()),
            ),
        ]))
    }

    pub(crate) fn from_record(record: &[u8]) -> Result<Self, ZhengzhaoError> {
        let unreadable = || ZhengzhaoError::Storage {
            reason: "a stored record is not one the wallet wrote".into(),
        };
        let value = cbor::decode(record).map_err(|_| unreadable())?;
        let map = value.as_map().ok_or_else(unreadable)?;
        if map.get_text_key("version").and_then(Value::as_integer) != Some(RECORD_VERSION) {
            return Err(unreadable());
        }
        let key_alias = map
            .get_text_key("keyAlias")
            .and_then(Value::as_text)
            .ok_or_else(unreadable)?;
        let credential = map
            .get_text_key("credential")
            .and_then(Value::as_bytes)
            .ok_or_else(unreadable)?;
        Ok(StoredCredential {
            credential: credential.to_vec(),
            key_alias: key_alias.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip() {
        let s = StoredCredential {
            credential: vec![0xa0],
            key_alias: "device-1".into(),
        };
        let back = StoredCredential::from_record(&s.to_record()).unwrap();
        assert_eq!(back.credential, s.credential);
        assert_eq!(back.key_alias, s.key_alias);
        assert!(matches!(
            StoredCredential::from_record(b"garbage"),
            Err(ZhengzhaoError::Storage { .. })
        ));
    }
}
