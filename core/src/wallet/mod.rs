//! The holder's wallet: a crash-safe credential store, secure-area keys, batch credentials for
//! unlinkability, and the disclosure log.
//!
//! The holder role's entry point for an app ([`Wallet`]); it answers requests through
//! [`holder`](crate::holder) (ISO/IEC 18013-5 §8.3.2.1.2, §9.1.3, §9.1.4). Storage, key
//! custody and the log are outside the standard: they are this crate's design, described
//! below.
//!
//! ```text
//!  Wallet ──► CredentialStore (trait)      FileStore: one file per record, atomic commits,
//!    │          credentials, log, keys     checksum or AES-256-GCM per record; MemoryStore
//!    ├──────► SecureArea (trait)           SoftwareSecureArea; hosts: Keystore, Secure Enclave
//!    │          one P-256 key per copy
//!    └──────► holder::{ParsedRequest, ResponseBuilder}
//! ```
//!
//! **Adding** a credential is three steps, because the device keys must exist before the
//! issuer signs: [`Wallet::prepare`] creates one key per batch copy in the secure area and
//! returns the public keys; the issuer signs one credential per key
//! ([`CredentialBuilder::sign_batch`](crate::issuer::CredentialBuilder::sign_batch));
//! [`Wallet::add`] checks every copy (docType, document-signer signature, device key is one it
//! prepared, copies agree) and commits metadata and copies in **one record**, so a batch is
//! added completely or not at all.
//!
//! **Presenting**: [`Wallet::matching`] lists the credentials that can answer a request and
//! what each could disclose; the app asks the holder; [`Wallet::present`] picks a copy per the
//! credential's [`BatchPolicy`], commits its use, device-signs the response through the
//! secure area and commits a [`DisclosureEvent`] per document, then returns the response.
//! Nothing leaves the wallet before both commits, so a crash can waste a one-time copy but
//! never reuse one or release a disclosure the log does not show. Apps that drive
//! [`session`](crate::session) themselves use [`Wallet::select`] and [`Wallet::record`].
//!
//! **Unlinkability**: copies of a batch share no issuer signature, salt, digest or device
//! key. Under [`BatchPolicy::OneTimeUse`] each copy is presented once, so two verifiers cannot
//! link presentations through the credential; [`Presentation::running_low`] (and
//! [`CredentialMetadata::fresh_copies`]) tells the app when to fetch a new batch.
//!
//! **The disclosure log** records when, to whom, for which stated purpose, which docType and
//! which element *identifiers* — never values. [`Wallet::disclosures`] queries it,
//! [`to_json`] and [`to_csv`] export it, [`Wallet::delete_disclosures`] deletes entries.
//!
//! **Threads and processes**: a `Wallet` is `Send + Sync`; read-modify-write of a credential
//! record (picking a copy, changing status) is serialised inside it. Use one `Wallet` per
//! store in a process; see [`FileStore`] for what happens with two processes.
//!
//! ```
//! use std::sync::Arc;
//! use zhengzhao::cbor::Value;
//! use zhengzhao::holder::{ParsedRequest, RequestOptions};
//! use zhengzhao::issuer::Issuer;
//! use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
//! use zhengzhao::time::UnixTime;
//! use zhengzhao::trust::testpki::TestPki;
//! use zhengzhao::wallet::{
//!     BatchPolicy, Consent, DeviceAuthMode, DisplayName, FileStore, LogQuery,
//!     SoftwareSecureArea, StoreKey, Wallet,
//! };
//!
//! let now = UnixTime::now();
//! let dir = std::env::temp_dir().join(format!("zhengzhao-doc-{}", std::process::id()));
//! let host_key = StoreKey::generate()?; // production: kept in the platform keystore
//! let store = Arc::new(FileStore::open_encrypted(&dir, &host_key)?);
//! let area = Arc::new(SoftwareSecureArea::persistent(store.clone(), &host_key)?);
//! let wallet = Wallet::new(store, area);
//!
//! // Issuance: five copies, each with its own device key.
//! let pending = wallet.prepare(5)?;
//! let pki = TestPki::generate(now)?;
//! let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
//! let batch = issuer
//!     .credential("org.iso.18013.5.1.mDL")
//!     .element("org.iso.18013.5.1", "family_name", Value::text("张"))
//!     .element("org.iso.18013.5.1", "age_over_18", Value::Bool(true))
//!     .validity(now, now, now.add_secs(365 * 86_400))
//!     .sign_batch(&pending.device_keys())?;
//! let name = DisplayName::new("机动车驾驶证", "Driving licence");
//! let licence = wallet.add(pending, batch, name, BatchPolicy::OneTimeUse, now)?;
//! assert_eq!(licence.fresh_copies, 5);
//!
//! // A request stating its purpose; the holder approves everything it asks for.
//! let transcript = SessionTranscript::new(None, None, &Value::text("example handover"));
//! let mut items = ItemsRequest::new("org.iso.18013.5.1.mDL")
//!     .with_element("org.iso.18013.5.1", "age_over_18", false);
//! items.request_info = Some(vec![(Value::text("purposeOfUse"), Value::text("租车"))]);
//! let request_bytes = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
//! let request = ParsedRequest::parse(&request_bytes, &transcript, &RequestOptions::new(now))?;
//! let offer = wallet.matching(&request.documents()[0])?;
//! let consent = Consent::new(0, offer[0].metadata.id.clone(), offer[0].disclosable.clone());
//! let shown = wallet.present(&request, &transcript, &[consent], DeviceAuthMode::Signature, now)?;
//! // shown.response: the DeviceResponse bytes to send.
//!
//! let log = wallet.disclosures(&LogQuery::all())?;
//! assert_eq!(log.events[0].purpose.as_deref(), Some("租车"));
//! assert!(zhengzhao::wallet::to_csv(&log.events).contains("age_over_18"));
//! assert_eq!(wallet.metadata(&licence.id)?.fresh_copies, 4);
//! # drop(wallet);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod codec;
mod credentials;
mod file_store;
mod log;
mod metadata;
mod presentation;
mod remote;
mod seal;
mod secure_area;
mod status;
mod store;

#[doc(hidden)]
pub mod fuzzing;

#[cfg(test)]
mod tests;

pub use credentials::{CredentialList, PendingCredential};
pub use file_store::FileStore;
pub use log::{
    stated_purpose, to_csv, to_json, DisclosureEvent, LogQuery, VerifierIdentity,
    MAX_PURPOSE_CHARS, PURPOSE_KEY,
};
pub use metadata::{
    BatchPolicy, CheckedStatus, CredentialId, CredentialMetadata, CredentialStatus, DisplayName,
    IssuerName, QrColour, StatusCheck,
};
pub use presentation::{Consent, DeviceAuthMode, Match, Presentation, SelectedCopy, Selection};
pub use remote::{RemoteError, RemotePresentation, RemoteRequest};
pub use secure_area::{
    AreaKey, KeyAlias, KeyAttestation, SecureArea, SecureAreaError, SoftwareSecureArea,
};
pub use status::StatusRefresh;
pub use store::{
    Collection, CredentialStore, MemoryStore, RecordId, StoreError, StoreKey, MAX_ID_LEN,
    MAX_RECORD_LEN,
};

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::holder::HolderError;
use crate::model::ModelError;
use crate::trust::TrustStore;

/// Most copies in one batch.
pub const MAX_BATCH: usize = 100;

/// By default, [`Presentation::running_low`] names a credential when this many fresh copies
/// or fewer are left.
pub const DEFAULT_LOW_COPIES: usize = 2;

/// Why the wallet could not do what was asked. Errors name records by their identifiers
/// (random), never by their contents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// The store failed, or a record is damaged ([`StoreError::Corrupted`]).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The secure area failed.
    #[error("secure area: {0}")]
    SecureArea(#[from] SecureAreaError),
    /// A record that passed its integrity check but that this version cannot read (written by
    /// an incompatible version).
    #[error("record {id} in {collection} cannot be read by this version")]
    UnreadableRecord {
        /// The collection.
        collection: Collection,
        /// The record.
        id: RecordId,
    },
    /// No credential with this identifier.
    #[error("no such credential")]
    UnknownCredential,
    /// A credential given to [`Wallet::add`] is not well-formed.
    #[error("malformed credential: {0}")]
    Malformed(#[source] ModelError),
    /// A credential given to [`Wallet::add`] was refused.
    #[error("credential refused: {0}")]
    Refused(CredentialProblem),
    /// A batch must have 1 to [`MAX_BATCH`] copies.
    #[error("a batch has 1 to 100 copies")]
    BatchSize,
    /// Every copy of this one-time-use credential has been presented: fetch a new batch.
    #[error("no unused copy of credential {credential} is left")]
    NoUnusedCopy {
        /// The credential.
        credential: CredentialId,
    },
    /// The credential is suspended or revoked.
    #[error("the credential is {}", status.name())]
    NotPresentable {
        /// Its status.
        status: CredentialStatus,
    },
    /// A consent names a document the request does not have.
    #[error("consent for document {index}, but the request has {count}")]
    UnknownDocument {
        /// The index given.
        index: usize,
        /// How many documents the request has.
        count: usize,
    },
    /// The credential is not of the requested docType.
    #[error("credential docType differs from the requested one")]
    DocTypeMismatch,
    /// Building the response failed (device key, request).
    #[error("response: {0}")]
    Holder(#[from] HolderError),
}

/// Why [`Wallet::add`] refused a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialProblem {
    /// The MSO's docType differs from the credential's.
    #[error("the MSO docType differs from the credential's")]
    DocTypeMismatch,
    /// The MSO's device key is not one [`Wallet::prepare`] created for this credential (or
    /// two copies name the same key).
    #[error("the device key is not one prepared for this credential")]
    UnknownDeviceKey,
    /// `issuerAuth` carries no usable document-signer certificate.
    #[error("no usable document-signer certificate")]
    IssuerCertificate,
    /// `issuerAuth` does not verify with its own document-signer certificate.
    #[error("the issuer signature does not verify")]
    IssuerSignature,
    /// The copies differ in docType, issuer or elements.
    #[error("the copies of the batch differ")]
    BatchMismatch,
}

/// A record that could not be read, reported beside the readable ones.
#[derive(Debug)]
#[non_exhaustive]
pub struct DamagedRecord {
    /// The record.
    pub id: RecordId,
    /// Why it could not be read.
    pub error: WalletError,
}

/// Log entries matching a query, and the entries that could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct DisclosureList {
    /// Matching entries, oldest first.
    pub events: Vec<DisclosureEvent>,
    /// Damaged entries.
    pub damaged: Vec<DamagedRecord>,
}

/// The holder's wallet over a [`CredentialStore`] and a [`SecureArea`]; see the
/// [module documentation](self).
pub struct Wallet {
    store: Arc<dyn CredentialStore>,
    area: Arc<dyn SecureArea>,
    low_copies: usize,
    /// Anchors that issuer names are verified against ([`IssuerName`]).
    issuer_trust: RwLock<TrustStore>,
    /// Serialises read-modify-write of credential records.
    lock: Mutex<()>,
}

impl Wallet {
    /// A wallet keeping records in `store` and device keys in `area`.
    pub fn new(store: Arc<dyn CredentialStore>, area: Arc<dyn SecureArea>) -> Self {
        Wallet {
            store,
            area,
            low_copies: DEFAULT_LOW_COPIES,
            issuer_trust: RwLock::new(TrustStore::new()),
            lock: Mutex::new(()),
        }
    }

    /// Verifies issuer names against `trust` (anchors of role
    /// [`AnchorRole::IssuingAuthority`](crate::trust::AnchorRole::IssuingAuthority)): a
    /// credential's [`CredentialMetadata::issuer`] is [`IssuerName::Verified`] only if its
    /// document signer chains to one of them. Without anchors (the default) every name is
    /// [`IssuerName::Unverified`]. Adding a credential does not depend on them: trust in the
    /// issuer is the verifier's decision, the wallet only shows what it can vouch for.
    pub fn with_issuer_trust(self, trust: TrustStore) -> Self {
        self.set_issuer_trust(trust);
        self
    }

    /// Replaces the issuer trust anchors (e.g. after a trust-list update); metadata read
    /// afterwards is checked against the new ones.
    pub fn set_issuer_trust(&self, trust: TrustStore) {
        *self
            .issuer_trust
            .write()
            .unwrap_or_else(PoisonError::into_inner) = trust;
    }

    /// The issuer trust anchors in use.
    pub fn issuer_trust(&self) -> TrustStore {
        self.issuer_trust
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Names a credential as running low when `n` fresh copies or fewer are left (default
    /// [`DEFAULT_LOW_COPIES`]).
    pub fn with_low_copies(mut self, n: usize) -> Self {
        self.low_copies = n;
        self
    }

    fn guard(&self) -> std::sync::MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    // ----- the disclosure log --------------------------------------------------------------

    /// Log entries matching `query`, oldest first; damaged entries are listed apart.
    pub fn disclosures(&self, query: &LogQuery) -> Result<DisclosureList, WalletError> {
        let mut events = Vec::new();
        let mut damaged = Vec::new();
        for id in self.store.list(Collection::DisclosureLog)? {
            let loaded = match self.store.get(Collection::DisclosureLog, &id) {
                Ok(Some(bytes)) => DisclosureEvent::from_bytes(id.clone(), &bytes).map_err(|_| {
                    WalletError::UnreadableRecord {
                        collection: Collection::DisclosureLog,
                        id: id.clone(),
                    }
                }),
                Ok(None) => continue,
                Err(e) => Err(e.into()),
            };
            match loaded {
                Ok(event) if query.matches(&event) => events.push(event),
                Ok(_) => {}
                Err(error) => damaged.push(DamagedRecord { id, error }),
            }
        }
        events.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
        Ok(DisclosureList { events, damaged })
    }

    /// Deletes the log entries matching `query`; returns how many. Damaged entries are
    /// deleted only by [`Wallet::delete_disclosure`].
    pub fn delete_disclosures(&self, query: &LogQuery) -> Result<usize, WalletError> {
        let mut deleted = 0;
        for event in self.disclosures(query)?.events {
            if self.store.delete(Collection::DisclosureLog, &event.id)? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Deletes one log entry (also a damaged one); `false` if there was none.
    pub fn delete_disclosure(&self, id: &RecordId) -> Result<bool, WalletError> {
        Ok(self.store.delete(Collection::DisclosureLog, id)?)
    }
}
