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
mod file_store;
mod log;
mod metadata;
mod seal;
mod secure_area;
mod store;

#[doc(hidden)]
pub mod fuzzing;

#[cfg(test)]
mod tests;

pub use file_store::FileStore;
pub use log::{
    stated_purpose, to_csv, to_json, DisclosureEvent, LogQuery, VerifierIdentity,
    MAX_PURPOSE_CHARS, PURPOSE_KEY,
};
pub use metadata::{
    BatchPolicy, CredentialId, CredentialMetadata, CredentialStatus, DisplayName, IssuerName,
};
pub use secure_area::{
    AreaKey, KeyAlias, KeyAttestation, SecureArea, SecureAreaError, SoftwareSecureArea,
};
pub use store::{
    Collection, CredentialStore, MemoryStore, RecordId, StoreError, StoreKey, MAX_ID_LEN,
    MAX_RECORD_LEN,
};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::cbor::Limits;
use crate::crypto::{self, EcPublicKey};
use crate::holder::{
    HolderError, ParsedRequest, RequestedDocument, RequestedElement, ResponseBuilder,
};
use crate::model::{Credential, ModelError, SessionTranscript, ValidityInfo};
use crate::time::UnixTime;
use crate::trust::{Certificate, TrustStore};

use metadata::{StoredCopy, StoredCredential};

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

/// Every credential's metadata, and the records that could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct CredentialList {
    /// Readable credentials, oldest first.
    pub credentials: Vec<CredentialMetadata>,
    /// Damaged records: the others are unaffected.
    pub damaged: Vec<DamagedRecord>,
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

/// Device keys created for a credential that the issuer has yet to sign; pass to
/// [`Wallet::add`] (or [`Wallet::abandon`]).
#[derive(Debug)]
pub struct PendingCredential {
    id: CredentialId,
    keys: Vec<(KeyAlias, EcPublicKey)>,
}

impl PendingCredential {
    /// The identifier the credential will have.
    pub fn id(&self) -> &CredentialId {
        &self.id
    }

    /// The public device keys, one per copy, for the issuer.
    pub fn device_keys(&self) -> Vec<EcPublicKey> {
        self.keys.iter().map(|(_, k)| k.clone()).collect()
    }
}

/// A credential that can answer a document request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Match {
    /// The credential.
    pub metadata: CredentialMetadata,
    /// Requested ∩ held: what it could disclose (show it, ask the holder).
    pub disclosable: Vec<RequestedElement>,
}

/// The holder's consent for one requested document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Consent {
    /// The document request's index in [`ParsedRequest::documents`].
    pub document: usize,
    /// The credential that answers it.
    pub credential: CredentialId,
    /// The approved elements (only those also requested and held are disclosed).
    pub approved: Vec<RequestedElement>,
}

impl Consent {
    /// A consent.
    pub fn new(document: usize, credential: CredentialId, approved: Vec<RequestedElement>) -> Self {
        Consent {
            document,
            credential,
            approved,
        }
    }
}

/// How presented documents are authenticated.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DeviceAuthMode {
    /// `deviceSignature`: ES256 by the copy's device key.
    Signature,
    /// `deviceMac`: EMacKey from ECDH of the copy's device key and the reader's ephemeral key.
    Mac {
        /// The reader's ephemeral public key (`EReaderKey`).
        e_reader_key: EcPublicKey,
    },
}

/// One copy picked to answer one document request. No `Debug`.
pub struct SelectedCopy {
    document: usize,
    credential_id: CredentialId,
    credential: Credential,
    key: AreaKey,
    elements: Vec<RequestedElement>,
    verifier: VerifierIdentity,
    purpose: Option<String>,
    fresh_copies: usize,
}

impl SelectedCopy {
    /// The document request's index.
    pub fn document(&self) -> usize {
        self.document
    }

    /// The wallet's credential.
    pub fn credential_id(&self) -> &CredentialId {
        &self.credential_id
    }

    /// The copy to present.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// Its device key (a [`Signer`](crate::crypto::Signer) and
    /// [`KeyAgreement`](crate::crypto::KeyAgreement) in the secure area).
    pub fn device_key(&self) -> &AreaKey {
        &self.key
    }

    /// What will be disclosed: requested ∧ approved ∧ held. Pass exactly this to the
    /// response builder or the session's approval.
    pub fn elements(&self) -> &[RequestedElement] {
        &self.elements
    }

    /// Fresh copies left after this one.
    pub fn fresh_copies(&self) -> usize {
        self.fresh_copies
    }
}

/// Copies picked for a request, their use already committed. No `Debug`.
pub struct Selection {
    items: Vec<SelectedCopy>,
    running_low: Vec<CredentialId>,
}

impl Selection {
    /// One per consent, in order.
    pub fn items(&self) -> &[SelectedCopy] {
        &self.items
    }

    /// Credentials with few fresh copies left.
    pub fn running_low(&self) -> &[CredentialId] {
        &self.running_low
    }
}

/// A response ready to send, and what was recorded. `Debug` shows the response's length
/// only (it holds the disclosed values).
#[non_exhaustive]
pub struct Presentation {
    /// The DeviceResponse bytes.
    pub response: Vec<u8>,
    /// The log entries recorded (one per document).
    pub events: Vec<DisclosureEvent>,
    /// Credentials with few fresh copies left: time to ask the issuer for a new batch.
    pub running_low: Vec<CredentialId>,
}

impl std::fmt::Debug for Presentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presentation")
            .field("response", &format_args!("<{} bytes>", self.response.len()))
            .field("events", &self.events)
            .field("running_low", &self.running_low)
            .finish()
    }
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

    // ----- adding and removing -------------------------------------------------------------

    /// Creates `copies` device keys (1 to [`MAX_BATCH`]) in the secure area for a new
    /// credential; send [`PendingCredential::device_keys`] to the issuer.
    pub fn prepare(&self, copies: usize) -> Result<PendingCredential, WalletError> {
        if copies == 0 || copies > MAX_BATCH {
            return Err(WalletError::BatchSize);
        }
        let id = CredentialId::random()?;
        let mut keys = Vec::with_capacity(copies);
        for i in 0..copies {
            let created = id
                .key_alias(i)
                .and_then(|alias| Ok((alias.clone(), self.area.create_key(&alias)?)));
            match created {
                Ok(k) => keys.push(k),
                Err(e) => {
                    for (alias, _) in &keys {
                        let _ = self.area.delete_key(alias);
                    }
                    return Err(e.into());
                }
            }
        }
        Ok(PendingCredential { id, keys })
    }

    /// The pending credential `id` with `copies` keys, after a restart (its keys are in the
    /// secure area).
    pub fn resume(
        &self,
        id: CredentialId,
        copies: usize,
    ) -> Result<PendingCredential, WalletError> {
        if copies == 0 || copies > MAX_BATCH {
            return Err(WalletError::BatchSize);
        }
        let mut keys = Vec::with_capacity(copies);
        for i in 0..copies {
            let alias = id.key_alias(i)?;
            let public = self.area.public_key(&alias)?;
            keys.push((alias, public));
        }
        Ok(PendingCredential { id, keys })
    }

    /// Deletes the device keys of a credential that will not be added.
    pub fn abandon(&self, pending: PendingCredential) -> Result<(), WalletError> {
        for (alias, _) in &pending.keys {
            self.area.delete_key(alias)?;
        }
        Ok(())
    }

    /// Adds the issuer's copies of a prepared credential, in one atomic commit.
    ///
    /// Every copy must be well-formed, carry the docType its MSO names, verify with its own
    /// document-signer certificate (trust in the issuer is the verifier's business), be bound
    /// to a distinct device key from `pending`, and agree with the others in docType, issuer
    /// and element identifiers. Keys the issuer did not use are deleted.
    pub fn add(
        &self,
        pending: PendingCredential,
        credentials: Vec<Credential>,
        display_name: DisplayName,
        policy: BatchPolicy,
        now: UnixTime,
    ) -> Result<CredentialMetadata, WalletError> {
        if credentials.is_empty() || credentials.len() > pending.keys.len() {
            return Err(WalletError::BatchSize);
        }
        let limits = Limits::default();
        let mut unused: Vec<Option<&(KeyAlias, EcPublicKey)>> =
            pending.keys.iter().map(Some).collect();
        let mut copies = Vec::with_capacity(credentials.len());
        // (docType, issuer, sorted element identifiers): every copy must agree.
        let mut first: Option<BatchShape> = None;
        let mut validity: Option<ValidityInfo> = None;
        for credential in credentials {
            let mso = credential
                .issuer_signed
                .mso_unverified(&limits)
                .map_err(WalletError::Malformed)?;
            if mso.doc_type != credential.doc_type {
                return Err(WalletError::Refused(CredentialProblem::DocTypeMismatch));
            }
            let issuer = issuer_of(&credential)?;
            let mut elements = credential.element_ids();
            elements.sort();
            let shape = (credential.doc_type.clone(), issuer, elements);
            match &first {
                None => first = Some(shape),
                Some(f) if *f == shape => {}
                Some(_) => return Err(WalletError::Refused(CredentialProblem::BatchMismatch)),
            }
            let slot = unused
                .iter_mut()
                .find(|k| k.is_some_and(|(_, public)| public == mso.device_key.public_key()))
                .ok_or(WalletError::Refused(CredentialProblem::UnknownDeviceKey))?;
            let Some((alias, _)) = slot.take() else {
                return Err(WalletError::Refused(CredentialProblem::UnknownDeviceKey));
            };
            validity = Some(match validity {
                None => mso.validity.clone(),
                Some(v) => intersect(v, &mso.validity),
            });
            copies.push(StoredCopy {
                credential,
                key: alias.clone(),
                uses: 0,
            });
        }
        let (Some((doc_type, issuer, _)), Some(validity)) = (first, validity) else {
            return Err(WalletError::BatchSize);
        };
        let stored = StoredCredential {
            id: pending.id.clone(),
            doc_type,
            issuer,
            validity,
            display_name,
            usage_count: 0,
            status: CredentialStatus::Active,
            policy,
            added: now,
            copies,
        };
        {
            let _guard = self.guard();
            self.store.put(
                Collection::Credentials,
                &stored.id.record_id()?,
                &stored.to_bytes(),
            )?;
        }
        for (alias, _) in unused.into_iter().flatten() {
            // The credential is committed; a key left behind here is harmless.
            let _ = self.area.delete_key(alias);
        }
        Ok(stored.metadata(&self.issuer_trust()))
    }

    /// Removes a credential (even a damaged one) and then its device keys; `false` if there
    /// was none. Its disclosure-log entries stay until the holder deletes them.
    pub fn remove(&self, id: &CredentialId) -> Result<bool, WalletError> {
        let _guard = self.guard();
        let record = id.record_id()?;
        let aliases: Vec<KeyAlias> = match self.load(id) {
            Ok(stored) => stored.copies.into_iter().map(|c| c.key).collect(),
            Err(WalletError::UnknownCredential) => Vec::new(),
            // Damaged: try every alias a batch can have.
            Err(_) => (0..MAX_BATCH)
                .map(|i| id.key_alias(i))
                .collect::<Result<_, _>>()?,
        };
        let existed = self.store.delete(Collection::Credentials, &record)?;
        for alias in &aliases {
            self.area.delete_key(alias)?;
        }
        Ok(existed)
    }

    /// Changes a credential's status.
    pub fn set_status(
        &self,
        id: &CredentialId,
        status: CredentialStatus,
    ) -> Result<CredentialMetadata, WalletError> {
        let _guard = self.guard();
        let mut stored = self.load(id)?;
        stored.status = status;
        self.store.put(
            Collection::Credentials,
            &id.record_id()?,
            &stored.to_bytes(),
        )?;
        Ok(stored.metadata(&self.issuer_trust()))
    }

    // ----- reading -------------------------------------------------------------------------

    fn load(&self, id: &CredentialId) -> Result<StoredCredential, WalletError> {
        let record = id.record_id()?;
        let bytes = self
            .store
            .get(Collection::Credentials, &record)?
            .ok_or(WalletError::UnknownCredential)?;
        StoredCredential::from_bytes(&bytes).map_err(|_| WalletError::UnreadableRecord {
            collection: Collection::Credentials,
            id: record,
        })
    }

    fn load_all(&self) -> Result<(Vec<StoredCredential>, Vec<DamagedRecord>), WalletError> {
        let mut good = Vec::new();
        let mut damaged = Vec::new();
        for record in self.store.list(Collection::Credentials)? {
            let loaded = CredentialId::parse(record.as_str())
                .ok_or_else(|| WalletError::UnreadableRecord {
                    collection: Collection::Credentials,
                    id: record.clone(),
                })
                .and_then(|id| self.load(&id));
            match loaded {
                Ok(stored) => good.push(stored),
                // Removed between list and load by another thread.
                Err(WalletError::UnknownCredential) => {}
                Err(error) => damaged.push(DamagedRecord { id: record, error }),
            }
        }
        good.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
        Ok((good, damaged))
    }

    /// Every credential's metadata; damaged records are listed apart and do not hide the
    /// others.
    pub fn credentials(&self) -> Result<CredentialList, WalletError> {
        let (good, damaged) = self.load_all()?;
        let trust = self.issuer_trust();
        Ok(CredentialList {
            credentials: good.iter().map(|s| s.metadata(&trust)).collect(),
            damaged,
        })
    }

    /// One credential's metadata.
    pub fn metadata(&self, id: &CredentialId) -> Result<CredentialMetadata, WalletError> {
        Ok(self.load(id)?.metadata(&self.issuer_trust()))
    }

    /// One credential as issued (its first batch copy; copies differ only in salts, digests
    /// and device key), for showing the holder their own data.
    pub fn credential(&self, id: &CredentialId) -> Result<Credential, WalletError> {
        self.load(id)?
            .copies
            .into_iter()
            .next()
            .map(|copy| copy.credential)
            .ok_or(WalletError::UnknownCredential)
    }

    /// The credentials that can answer `request` (its docType, active), each with what it
    /// could disclose. Damaged records are skipped.
    pub fn matching(&self, request: &RequestedDocument) -> Result<Vec<Match>, WalletError> {
        let (good, _) = self.load_all()?;
        let trust = self.issuer_trust();
        Ok(good
            .iter()
            .filter(|s| s.doc_type == request.doc_type() && s.status == CredentialStatus::Active)
            .filter_map(|s| {
                let copy = s.copies.first()?;
                Some(Match {
                    metadata: s.metadata(&trust),
                    disclosable: request.disclosable(&copy.credential),
                })
            })
            .collect())
    }

    // ----- presenting ----------------------------------------------------------------------

    /// Picks a copy for each consent per the credential's [`BatchPolicy`] and commits its use
    /// before returning, so a one-time copy can never be presented twice, even after a crash.
    ///
    /// For apps that build the response themselves (e.g. with
    /// [`session`](crate::session)): build it from [`Selection::items`], then call
    /// [`Wallet::record`] before sending it. A selection that is never sent only wastes its
    /// copies.
    pub fn select(
        &self,
        request: &ParsedRequest,
        consents: &[Consent],
    ) -> Result<Selection, WalletError> {
        let documents = request.documents();
        let _guard = self.guard();
        let mut touched: BTreeMap<CredentialId, StoredCredential> = BTreeMap::new();
        let mut picks = Vec::with_capacity(consents.len());
        for consent in consents {
            let document = documents
                .get(consent.document)
                .ok_or(WalletError::UnknownDocument {
                    index: consent.document,
                    count: documents.len(),
                })?;
            if !touched.contains_key(&consent.credential) {
                let stored = self.load(&consent.credential)?;
                touched.insert(consent.credential.clone(), stored);
            }
            let stored = touched
                .get_mut(&consent.credential)
                .ok_or(WalletError::UnknownCredential)?;
            if stored.status != CredentialStatus::Active {
                return Err(WalletError::NotPresentable {
                    status: stored.status,
                });
            }
            if stored.doc_type != document.doc_type() {
                return Err(WalletError::DocTypeMismatch);
            }
            let index = pick_copy(stored)?;
            let copy = stored
                .copies
                .get_mut(index)
                .ok_or(WalletError::UnknownCredential)?;
            copy.uses = copy.uses.saturating_add(1);
            stored.usage_count = stored.usage_count.saturating_add(1);
            let elements: Vec<RequestedElement> = document
                .disclosable(&copy.credential)
                .into_iter()
                .filter(|r| {
                    consent
                        .approved
                        .iter()
                        .any(|a| a.namespace == r.namespace && a.identifier == r.identifier)
                })
                .collect();
            picks.push((consent, document, index, elements));
        }
        for (id, stored) in &touched {
            self.store.put(
                Collection::Credentials,
                &id.record_id()?,
                &stored.to_bytes(),
            )?;
        }
        let mut items = Vec::with_capacity(picks.len());
        for (consent, document, index, elements) in picks {
            let stored = touched
                .get(&consent.credential)
                .ok_or(WalletError::UnknownCredential)?;
            let copy = stored
                .copies
                .get(index)
                .ok_or(WalletError::UnknownCredential)?;
            items.push(SelectedCopy {
                document: consent.document,
                credential_id: consent.credential.clone(),
                credential: copy.credential.clone(),
                key: AreaKey::new(Arc::clone(&self.area), copy.key.clone()),
                elements,
                verifier: VerifierIdentity::from_reader(document.reader()),
                purpose: stated_purpose(&document.request().items_request),
                fresh_copies: stored.fresh_copies(),
            });
        }
        let running_low = touched
            .values()
            .filter(|s| s.fresh_copies() <= self.low_copies)
            .map(|s| s.id.clone())
            .collect();
        Ok(Selection { items, running_low })
    }

    /// Commits one log entry per selected document, at time `at`. Call once per selection,
    /// before the response leaves the device.
    pub fn record(
        &self,
        selection: &Selection,
        at: UnixTime,
    ) -> Result<Vec<DisclosureEvent>, WalletError> {
        let mut events = Vec::with_capacity(selection.items.len());
        for item in &selection.items {
            let event = DisclosureEvent::new(
                at,
                item.verifier.clone(),
                item.purpose.clone(),
                item.credential.doc_type.clone(),
                item.credential_id.clone(),
                item.elements.clone(),
            )?;
            self.store
                .put(Collection::DisclosureLog, &event.id, &event.to_bytes())?;
            events.push(event);
        }
        Ok(events)
    }

    /// Answers `request` with the holder's `consents`: picks and commits a copy per consent,
    /// device-authenticates each document through the secure area, records the disclosures,
    /// and only then returns the response.
    pub fn present(
        &self,
        request: &ParsedRequest,
        transcript: &SessionTranscript,
        consents: &[Consent],
        auth: DeviceAuthMode,
        at: UnixTime,
    ) -> Result<Presentation, WalletError> {
        let selection = self.select(request, consents)?;
        let mut builder = ResponseBuilder::new(transcript);
        for item in &selection.items {
            let document =
                request
                    .documents()
                    .get(item.document)
                    .ok_or(WalletError::UnknownDocument {
                        index: item.document,
                        count: request.documents().len(),
                    })?;
            match &auth {
                DeviceAuthMode::Signature => {
                    builder.add_document(&item.credential, document, &item.elements, &item.key)?
                }
                DeviceAuthMode::Mac { e_reader_key } => builder.add_document_mac(
                    &item.credential,
                    document,
                    &item.elements,
                    &item.key,
                    e_reader_key,
                )?,
            }
        }
        let response = builder.finish();
        let events = self.record(&selection, at)?;
        Ok(Presentation {
            response,
            events,
            running_low: selection.running_low,
        })
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

/// What every copy of a batch shares: docType, issuer, sorted (namespace, element) pairs.
type BatchShape = (String, String, Vec<(String, String)>);

/// The subject of the document signer that signed `credential`.
fn issuer_of(credential: &Credential) -> Result<String, WalletError> {
    let auth = &credential.issuer_signed.issuer_auth;
    let chain = auth
        .x5chain()
        .map_err(|_| WalletError::Refused(CredentialProblem::IssuerCertificate))?;
    let leaf = chain
        .first()
        .and_then(|der| Certificate::from_der(der).ok())
        .ok_or(WalletError::Refused(CredentialProblem::IssuerCertificate))?;
    let key = leaf
        .public_key()
        .map_err(|_| WalletError::Refused(CredentialProblem::IssuerCertificate))?;
    auth.verify(&key, None)
        .map_err(|_| WalletError::Refused(CredentialProblem::IssuerSignature))?;
    Ok(leaf.subject())
}

/// The window both validities cover.
fn intersect(a: ValidityInfo, b: &ValidityInfo) -> ValidityInfo {
    ValidityInfo {
        signed: a.signed.max(b.signed),
        valid_from: a.valid_from.max(b.valid_from),
        valid_until: a.valid_until.min(b.valid_until),
        expected_update: match (a.expected_update, b.expected_update) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        },
    }
}

/// The copy to present next: a fresh one (random among them); under
/// [`BatchPolicy::Rotate`], once none is fresh, one of the least used.
fn pick_copy(stored: &StoredCredential) -> Result<usize, WalletError> {
    let least = stored.copies.iter().map(|c| c.uses).min();
    let candidates: Vec<usize> = match (stored.policy, least) {
        (_, Some(0)) => (0..stored.copies.len())
            .filter(|&i| stored.copies.get(i).is_some_and(|c| c.uses == 0))
            .collect(),
        (BatchPolicy::Rotate, Some(least)) => (0..stored.copies.len())
            .filter(|&i| stored.copies.get(i).is_some_and(|c| c.uses == least))
            .collect(),
        _ => Vec::new(),
    };
    if candidates.is_empty() {
        return Err(WalletError::NoUnusedCopy {
            credential: stored.id.clone(),
        });
    }
    let r = crypto::random_bytes(4).map_err(StoreError::from)?;
    let mut word = [0u8; 4];
    word.copy_from_slice(r.get(..4).unwrap_or(&[0; 4]));
    let choice = u32::from_be_bytes(word) as usize % candidates.len();
    candidates
        .get(choice)
        .copied()
        .ok_or(WalletError::NoUnusedCopy {
            credential: stored.id.clone(),
        })
}
