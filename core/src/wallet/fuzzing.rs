//! Entry point for the `wallet_records` fuzz target (`fuzz/`); not part of the API.
//!
//! Runs every decoder the wallet applies to bytes it reads back from a store — a
//! [`FileStore`](super::FileStore) record file in both modes, a credential record (metadata
//! and batch copies, each copy a stored [`Credential`](crate::model::Credential)), a
//! disclosure-log entry and its exports, and a sealed software key — without I/O, and checks
//! that whatever decodes re-encodes to something that decodes the same way.

use super::file_store;
use super::log::{self, DisclosureEvent};
use super::metadata::StoredCredential;
use super::seal;
use super::store::{Collection, RecordId, StoreKey};
use crate::crypto::SoftwareKey;

/// Decodes `data` as each kind of stored record. `Err` names a broken invariant (a decoded
/// record that does not survive re-encoding); malformed input is never an error here.
pub fn decode_records(data: &[u8]) -> Result<(), &'static str> {
    let id = RecordId::new("fuzz").map_err(|_| "record id")?;
    let key = StoreKey::from_bytes(&[7; 32]).map_err(|_| "store key")?;

    // Record files, in checksum mode and in encrypted mode.
    for store_key in [None, Some(&key)] {
        let store = file_store::detached(store_key).map_err(|_| "detached store")?;
        for collection in Collection::ALL {
            store.decode_for_fuzzing(collection, &id, data)?;
        }
    }

    // A credential record.
    if let Ok(c) = StoredCredential::from_bytes(data) {
        let _ = (
            c.metadata(&crate::trust::TrustStore::new()),
            c.fresh_copies(),
        );
        for copy in &c.copies {
            let _ = copy.credential.element_ids();
        }
        let bytes = c.to_bytes();
        let again =
            StoredCredential::from_bytes(&bytes).map_err(|_| "credential record round trip")?;
        if again.to_bytes() != bytes {
            return Err("credential record re-encodes differently");
        }
    }

    // A disclosure-log entry, and the exports a holder may ask for.
    if let Ok(e) = DisclosureEvent::from_bytes(id.clone(), data) {
        let bytes = e.to_bytes();
        let again =
            DisclosureEvent::from_bytes(id.clone(), &bytes).map_err(|_| "log entry round trip")?;
        if again != e {
            return Err("log entry re-decodes differently");
        }
        let events = [e];
        let _ = (log::to_json(&events), log::to_csv(&events));
    }

    // A sealed software key.
    if let Some(scalar) = seal::open(&[7; 32], b"fuzz", data) {
        let _ = SoftwareKey::from_bytes(&scalar);
    }
    Ok(())
}
