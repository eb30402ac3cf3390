//! The host's storage as the core wallet's [`CredentialStore`]: four synchronous JavaScript
//! callbacks (`put`, `get`, `delete`, `list`) that `js/api.js` checks and adapts from the
//! object the application passes to `openWallet`.
//!
//! The core's store and secure-area traits are `Send + Sync`, for hosts with threads. A
//! JavaScript object is neither; on `wasm32-unknown-unknown` built without the `atomics`
//! target feature there is exactly one thread, so nothing can reach the object from another
//! one. That is the only place this crate uses `unsafe`, and it does not compile for a
//! threaded wasm build.

use std::fmt;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use zhengzhao::wallet::{Collection, CredentialStore, RecordId, StoreError};

#[cfg(target_feature = "atomics")]
compile_error!(
    "zhengzhao-wasm assumes one thread: build for wasm32-unknown-unknown without atomics"
);

#[wasm_bindgen]
extern "C" {
    /// The adapted host storage (`js/api.js`, `hostStorage`).
    pub type HostStorage;

    #[wasm_bindgen(method, catch)]
    fn put(this: &HostStorage, collection: &str, id: &str, record: &[u8]) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    fn get(this: &HostStorage, collection: &str, id: &str) -> Result<Option<Vec<u8>>, JsValue>;

    #[wasm_bindgen(method, catch, js_name = delete)]
    fn remove(this: &HostStorage, collection: &str, id: &str) -> Result<bool, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn list(this: &HostStorage, collection: &str) -> Result<Vec<String>, JsValue>;
}

/// What a storage callback threw, as its message (`Error.message`, or the thrown string).
#[derive(Debug)]
pub(crate) struct HostError(pub(crate) String);

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HostError {}

fn host(e: JsValue) -> StoreError {
    // `js/api.js` rethrows whatever the application's callback threw as a string.
    let message = e
        .as_string()
        .unwrap_or_else(|| "storage callback failed".to_owned());
    StoreError::Host(Box::new(HostError(message)))
}

/// The host storage, shared by the wallet's store and its software secure area.
pub(crate) struct JsStore(HostStorage);

impl JsStore {
    pub(crate) fn new(storage: HostStorage) -> Self {
        JsStore(storage)
    }
}

// SAFETY: wasm32-unknown-unknown without the `atomics` feature (refused above) runs one
// thread, so the JavaScript object is never touched from two threads.
#[allow(unsafe_code)]
unsafe impl Send for JsStore {}
// SAFETY: as for `Send`.
#[allow(unsafe_code)]
unsafe impl Sync for JsStore {}

impl CredentialStore for JsStore {
    fn put(&self, collection: Collection, id: &RecordId, record: &[u8]) -> Result<(), StoreError> {
        self.0
            .put(collection.name(), id.as_str(), record)
            .map_err(host)
    }

    fn get(&self, collection: Collection, id: &RecordId) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(collection.name(), id.as_str()).map_err(host)
    }

    fn delete(&self, collection: Collection, id: &RecordId) -> Result<bool, StoreError> {
        self.0.remove(collection.name(), id.as_str()).map_err(host)
    }

    fn list(&self, collection: Collection) -> Result<Vec<RecordId>, StoreError> {
        let mut ids = self
            .0
            .list(collection.name())
            .map_err(host)?
            .into_iter()
            .map(RecordId::new)
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}
