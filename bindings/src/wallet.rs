//! The holder's wallet: the core `zhengzhao::wallet::Wallet` (crash-safe store, batch copies,
//! consent, disclosure log) over the host's secure area and storage.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use zeroize::Zeroizing;
use zhengzhao::cbor::Limits;
use zhengzhao::crypto::EcPublicKey;
use zhengzhao::holder::{self, ParsedRequest, PendingDocument, RequestOptions, ResponseBuilder};
use zhengzhao::model::{Credential, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{self, TrustStore};
use zhengzhao::wallet::{self as core, CredentialId, FileStore, MemoryStore, StoreKey};

mod records;

pub(crate) use records::{count, mirror};
pub use records::{
    Approval, BatchPolicy, Candidate, CheckedStatus, CredentialInfo, CredentialList,
    CredentialStatus, DamagedRecord, DisclosureEvent, DisclosureList, DisplayName, ElementId,
    LogQuery, Presentation, QrColour, ReaderIdentity, RequestedDocument, SigningRequest,
    StatusCheck, StatusRefresh, VerifierIdentity,
};

use crate::error::ZhengzhaoError;
use crate::keystore::{ForeignSecureArea, SecureArea};
use crate::status::StatusChecker;
use crate::storage::{CredentialStorage, ForeignStoreAdapter};
use crate::value::{from_system_time, Element, MapEntry};
use crate::verifier::{add_anchors, anchors, TrustAnchorInfo};

/// A parsed request, ready for consent and `Wallet.present`.
#[derive(uniffi::Object)]
pub struct PresentationRequest {
    pub(crate) parsed: ParsedRequest,
    pub(crate) transcript: SessionTranscript,
    documents: Vec<RequestedDocument>,
}

#[uniffi::export]
impl PresentationRequest {
    /// The document requests, in order.
    pub fn documents(&self) -> Vec<RequestedDocument> {
        self.documents.clone()
    }
}

/// Device keys created for a credential the issuer has yet to sign (`Wallet.prepare`): send
/// `deviceKeys()` to the issuer, then pass this to `Wallet.add` (or `Wallet.abandon`). It can
/// be used once.
#[derive(uniffi::Object)]
pub struct PendingCredential {
    id: String,
    device_keys: Vec<Vec<u8>>,
    inner: Mutex<Option<core::PendingCredential>>,
}

impl PendingCredential {
    fn take(&self) -> Result<core::PendingCredential, ZhengzhaoError> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| ZhengzhaoError::invalid_input("this pending credential was used"))
    }
}

#[uniffi::export]
impl PendingCredential {
    /// The identifier the credential will have (to `Wallet.resume` it after a restart).
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// The device public keys (SEC 1), one per copy: one credential per key from the issuer.
    pub fn device_keys(&self) -> Vec<Vec<u8>> {
        self.device_keys.clone()
    }
}

impl From<core::PendingCredential> for PendingCredential {
    fn from(p: core::PendingCredential) -> Self {
        PendingCredential {
            id: p.id().as_str().to_owned(),
            device_keys: p
                .device_keys()
                .iter()
                .map(|k| k.to_sec1_uncompressed())
                .collect(),
            inner: Mutex::new(Some(p)),
        }
    }
}

/// A presentation whose device signatures are still to be made (two-phase signing, for keys
/// behind a biometric prompt): from `Wallet.preparePresentation`, completed once by
/// `Wallet.completePresentation`. The copies it uses are already committed.
#[derive(uniffi::Object)]
pub struct PreparedPresentation {
    signing_requests: Vec<SigningRequest>,
    /// The session request it answers (`HolderSession.prepareResponse`), or `None` for
    /// `Wallet.preparePresentation`: completed only where it was prepared.
    request: Option<u64>,
    inner: Mutex<Option<Prepared>>,
}

impl PreparedPresentation {
    /// Checks the signatures' count and origin (both leave it to complete), then takes it
    /// and builds the DeviceResponse; a signature that does not verify uses it up.
    pub(crate) fn complete(
        &self,
        signatures: &[Vec<u8>],
        request: Option<u64>,
    ) -> Result<(Vec<u8>, core::Selection), ZhengzhaoError> {
        if self.request != request {
            return Err(ZhengzhaoError::invalid_input(
                "this presentation was prepared for another request",
            ));
        }
        if signatures.len() != self.signing_requests.len() {
            return Err(ZhengzhaoError::invalid_input(
                "one signature per signing request is needed",
            ));
        }
        let Prepared {
            selection,
            pending,
            transcript,
        } = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| ZhengzhaoError::invalid_input("this presentation was completed"))?;
        let mut builder = ResponseBuilder::new(&transcript);
        for (document, signature) in pending.into_iter().zip(signatures) {
            builder.add_completed(document.complete(signature)?);
        }
        Ok((builder.finish(), selection))
    }
}

/// The identifiers of credentials with few fresh copies left.
pub(crate) fn running_low(selection: &core::Selection) -> Vec<String> {
    selection
        .running_low()
        .iter()
        .map(|id| id.as_str().to_owned())
        .collect()
}

struct Prepared {
    selection: core::Selection,
    pending: Vec<PendingDocument>,
    transcript: SessionTranscript,
}

#[uniffi::export]
impl PreparedPresentation {
    /// The signatures to make, one per document, in order.
    pub fn signing_requests(&self) -> Vec<SigningRequest> {
        self.signing_requests.clone()
    }
}

/// The holder's wallet: the core wallet over the host's [`SecureArea`] (device keys, one per
/// batch copy) and a store of records (the host's [`CredentialStorage`], a directory, or
/// memory). Callbacks may run on any thread; several presentations may run at once. Host
/// callbacks must not call back into the wallet.
#[derive(uniffi::Object)]
pub struct Wallet {
    inner: core::Wallet,
    reader_trust: RwLock<TrustStore>,
    /// The issuer anchors; held here so that an addition and its hand-over to the core wallet
    /// are one step under the lock.
    issuer_trust: RwLock<TrustStore>,
}

fn credential_id(id: &str) -> Result<CredentialId, ZhengzhaoError> {
    CredentialId::parse(id).ok_or_else(|| ZhengzhaoError::invalid_input("not a credential ID"))
}

fn request_info(doc: &holder::RequestedDocument) -> Vec<MapEntry> {
    doc.request()
        .items_request
        .request_info
        .iter()
        .flatten()
        .map(|(k, v)| MapEntry {
            key: k.into(),
            value: v.into(),
        })
        .collect()
}

impl Wallet {
    fn over(store: Arc<dyn core::CredentialStore>, secure_area: Arc<dyn SecureArea>) -> Arc<Self> {
        Arc::new(Wallet {
            inner: core::Wallet::new(store, Arc::new(ForeignSecureArea(secure_area))),
            reader_trust: RwLock::new(TrustStore::new()),
            issuer_trust: RwLock::new(TrustStore::new()),
        })
    }

    /// The core wallet (for the session objects).
    pub(crate) fn core(&self) -> &core::Wallet {
        &self.inner
    }

    /// The document requests of a parsed request, each with the credentials that could
    /// answer it.
    pub(crate) fn describe(
        &self,
        parsed: &ParsedRequest,
    ) -> Result<Vec<RequestedDocument>, ZhengzhaoError> {
        parsed
            .documents()
            .iter()
            .enumerate()
            .map(|(index, doc)| {
                Ok(RequestedDocument {
                    index: count(index),
                    doc_type: doc.doc_type().to_owned(),
                    reader: doc.reader().into(),
                    purpose: core::stated_purpose(&doc.request().items_request),
                    request_info: request_info(doc),
                    requested: doc.requested().into_iter().map(mirror).collect(),
                    candidates: self
                        .inner
                        .matching(doc)?
                        .into_iter()
                        .map(|m| Candidate {
                            credential: m.metadata.into(),
                            disclosable: m.disclosable.into_iter().map(mirror).collect(),
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// Phase one of two-phase signing for `parsed` in `transcript`; `request` ties the
    /// result to one pending session request (`None`: the wallet's own path).
    pub(crate) fn prepare_for(
        &self,
        parsed: &ParsedRequest,
        transcript: &SessionTranscript,
        approvals: Vec<Approval>,
        request: Option<u64>,
    ) -> Result<Arc<PreparedPresentation>, ZhengzhaoError> {
        let selection = self.inner.select(parsed, &consents(approvals)?)?;
        let builder = ResponseBuilder::new(transcript);
        let documents = parsed.documents();
        let mut pending = Vec::with_capacity(selection.items().len());
        let mut signing_requests = Vec::with_capacity(selection.items().len());
        for item in selection.items() {
            let document = documents.get(item.document()).ok_or_else(|| {
                ZhengzhaoError::invalid_input("no document request at this index")
            })?;
            let prepared =
                builder.prepare_document(item.credential(), document, item.elements())?;
            signing_requests.push(SigningRequest {
                key_alias: item.device_key().alias().as_str().to_owned(),
                message: prepared.to_be_signed().to_vec(),
            });
            pending.push(prepared);
        }
        Ok(Arc::new(PreparedPresentation {
            signing_requests,
            request,
            inner: Mutex::new(Some(Prepared {
                selection,
                pending,
                transcript: transcript.clone(),
            })),
        }))
    }

    /// Options for parsing a request now: the reader CAs, if any.
    pub(crate) fn request_options(&self) -> RequestOptions {
        let trust = self
            .reader_trust
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let options = RequestOptions::new(UnixTime::now());
        if trust.is_empty() {
            options
        } else {
            options.with_reader_trust(trust)
        }
    }
}

/// The holder's consents in the core's terms.
pub(crate) fn consents(approvals: Vec<Approval>) -> Result<Vec<core::Consent>, ZhengzhaoError> {
    if approvals.is_empty() {
        return Err(ZhengzhaoError::invalid_input("nothing approved"));
    }
    approvals
        .into_iter()
        .map(|a| {
            let document = usize::try_from(a.document_index)
                .map_err(|_| ZhengzhaoError::invalid_input("no document request at this index"))?;
            let approved = a
                .elements
                .into_iter()
                .map(|e| holder::RequestedElement::new(e.namespace, e.identifier, false))
                .collect();
            let consent = core::Consent::new(document, credential_id(&a.credential_id)?, approved);
            Ok(if a.present_inactive {
                consent.presenting_inactive()
            } else {
                consent
            })
        })
        .collect()
}

#[uniffi::export]
impl Wallet {
    /// A wallet over the host's secure area and its own storage.
    #[uniffi::constructor]
    pub fn new(secure_area: Arc<dyn SecureArea>, storage: Arc<dyn CredentialStorage>) -> Arc<Self> {
        Self::over(Arc::new(ForeignStoreAdapter(storage)), secure_area)
    }

    /// A wallet keeping its records in `directory` (created if missing) with the core's
    /// crash-safe file store: each record written to a temporary file, synced and renamed.
    /// With `store_key` (32 bytes from `generateStoreKey`, kept wrapped in the platform's
    /// keystore; see `generateStoreKey` for how to handle the bytes, which are wiped here
    /// after use) every record is encrypted with AES-256-GCM; without, checksummed (put the
    /// directory in storage the platform encrypts). A store is opened with the key it was
    /// created with, or fails (`Storage`).
    #[uniffi::constructor(default(store_key = None))]
    pub fn open(
        directory: String,
        secure_area: Arc<dyn SecureArea>,
        store_key: Option<Vec<u8>>,
    ) -> Result<Arc<Self>, ZhengzhaoError> {
        let directory = PathBuf::from(directory);
        let store = match store_key.map(Zeroizing::new) {
            Some(key) => FileStore::open_encrypted(&directory, &StoreKey::from_bytes(&key)?)?,
            None => FileStore::open(&directory)?,
        };
        Ok(Self::over(Arc::new(store), secure_area))
    }

    /// A wallet whose records live in memory only (tests, demos).
    #[uniffi::constructor]
    pub fn in_memory(secure_area: Arc<dyn SecureArea>) -> Arc<Self> {
        Self::over(Arc::new(MemoryStore::new()), secure_area)
    }

    // ----- adding and removing -----------------------------------------------------------

    /// Creates `copies` device keys (1 to 100) in the secure area for a new credential; send
    /// `PendingCredential.deviceKeys()` to the issuer, one credential per key.
    pub fn prepare(&self, copies: u32) -> Result<Arc<PendingCredential>, ZhengzhaoError> {
        let copies = usize::try_from(copies).unwrap_or(usize::MAX);
        Ok(Arc::new(self.inner.prepare(copies)?.into()))
    }

    /// The pending credential `id` with `copies` keys, after a restart.
    pub fn resume(
        &self,
        id: String,
        copies: u32,
    ) -> Result<Arc<PendingCredential>, ZhengzhaoError> {
        let copies = usize::try_from(copies).unwrap_or(usize::MAX);
        Ok(Arc::new(
            self.inner.resume(credential_id(&id)?, copies)?.into(),
        ))
    }

    /// Deletes the device keys of a pending credential that will not be added.
    pub fn abandon(&self, pending: Arc<PendingCredential>) -> Result<(), ZhengzhaoError> {
        Ok(self.inner.abandon(pending.take()?)?)
    }

    /// Adds the issuer's copies of a prepared credential in one atomic commit. Every copy
    /// must be well-formed (`Malformed`), verify with its own document-signer certificate, be
    /// bound to a distinct prepared device key and agree with the others (`InvalidInput`).
    pub fn add(
        &self,
        pending: Arc<PendingCredential>,
        credentials: Vec<Vec<u8>>,
        display_name: DisplayName,
        policy: BatchPolicy,
    ) -> Result<CredentialInfo, ZhengzhaoError> {
        let limits = Limits::default();
        let credentials = credentials
            .iter()
            .map(|c| Credential::from_bytes(c, &limits))
            .collect::<Result<Vec<_>, _>>()?;
        let name = core::DisplayName::new(display_name.zh, display_name.en);
        let added = self.inner.add(
            pending.take()?,
            credentials,
            name,
            policy.into(),
            UnixTime::now(),
        )?;
        Ok(added.into())
    }

    /// Every credential's metadata, oldest first; damaged records are listed apart.
    pub fn credentials(&self) -> Result<CredentialList, ZhengzhaoError> {
        let list = self.inner.credentials()?;
        Ok(CredentialList {
            credentials: list.credentials.into_iter().map(Into::into).collect(),
            damaged: list.damaged.into_iter().map(Into::into).collect(),
        })
    }

    /// One credential's metadata.
    pub fn metadata(&self, id: String) -> Result<CredentialInfo, ZhengzhaoError> {
        Ok(self.inner.metadata(&credential_id(&id)?)?.into())
    }

    /// The elements of one credential with their values (the holder's own data, for display).
    pub fn credential_elements(&self, id: String) -> Result<Vec<Element>, ZhengzhaoError> {
        let credential = self.inner.credential(&credential_id(&id)?)?;
        Ok(credential
            .issuer_signed
            .namespaces
            .iter()
            .flat_map(|(ns, items)| {
                items.iter().map(move |i| Element {
                    namespace: ns.clone(),
                    identifier: i.item().element_identifier.clone(),
                    value: (&i.item().element_value).into(),
                })
            })
            .collect())
    }

    /// Changes a credential's status (e.g. after the issuer reported a suspension).
    pub fn set_status(
        &self,
        id: String,
        status: CredentialStatus,
    ) -> Result<CredentialInfo, ZhengzhaoError> {
        Ok(self
            .inner
            .set_status(&credential_id(&id)?, status.into())?
            .into())
    }

    /// Checks the credential's status lists through `checker` (the host's resolver, as for
    /// `Verifier.verify`) at `at` (default: now), records the result in its metadata
    /// (`statusCheck`, `qrColour`) and returns the metadata. Revoked → `Revoked` for good;
    /// suspended or application-specific (overdue) → `Suspended`; valid → `Active` again if
    /// it was suspended; undetermined (resolver error, list not verifiable…) → the status is
    /// left as it was and the colour turns `Grey`. The lists are verified against the issuing
    /// authority of the credential's document signer, which must have been added with
    /// `addIssuingAuthority` (else undetermined). A credential whose MSO names no list is
    /// returned unchanged. The resolver is called without the wallet's lock held; it must not
    /// call back into the wallet.
    #[uniffi::method(default(at = None))]
    pub fn refresh_status(
        &self,
        credential_id: String,
        checker: Arc<StatusChecker>,
        at: Option<SystemTime>,
    ) -> Result<CredentialInfo, ZhengzhaoError> {
        let at = at.map(from_system_time).unwrap_or_else(UnixTime::now);
        let metadata =
            self.inner
                .refresh_status(&self::credential_id(&credential_id)?, &checker.inner, at)?;
        Ok(CredentialInfo::at(metadata, at))
    }

    /// `refreshStatus` for every credential (damaged records are skipped), each with its own
    /// result, oldest first.
    #[uniffi::method(default(at = None))]
    pub fn refresh_all_status(
        &self,
        checker: Arc<StatusChecker>,
        at: Option<SystemTime>,
    ) -> Result<Vec<StatusRefresh>, ZhengzhaoError> {
        let at = at.map(from_system_time).unwrap_or_else(UnixTime::now);
        Ok(self
            .inner
            .refresh_all_status(&checker.inner, at)?
            .into_iter()
            .map(|(id, result)| match result {
                Ok(metadata) => StatusRefresh::Refreshed {
                    credential: CredentialInfo::at(metadata, at),
                },
                Err(e) => StatusRefresh::Failed {
                    credential_id: id.as_str().to_owned(),
                    reason: ZhengzhaoError::from(e).to_string(),
                },
            })
            .collect())
    }

    /// Removes a credential and then its device keys; returns whether it was there. Its
    /// disclosure-log entries stay until the holder deletes them.
    pub fn remove_credential(&self, id: String) -> Result<bool, ZhengzhaoError> {
        Ok(self.inner.remove(&credential_id(&id)?)?)
    }

    // ----- requests ----------------------------------------------------------------------

    /// Trusts a reader CA (a PEM bundle, or one DER certificate); returns how many
    /// certificates were added. With reader CAs configured, a signed request whose reader does
    /// not chain to one of them is rejected (`ReaderAuthentication`).
    pub fn add_reader_authority(&self, certificate: Vec<u8>) -> Result<u32, ZhengzhaoError> {
        let mut trust = self
            .reader_trust
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        add_anchors(&mut trust, &certificate, trust::AnchorRole::ReaderAuthority)
    }

    /// Adds issuing-authority CA certificates (a PEM bundle or one DER certificate; all or
    /// nothing), returning how many: a credential's `CredentialInfo.issuerVerified` is true
    /// only if its document signer chains to one of them. Adding credentials does not
    /// depend on them.
    pub fn add_issuing_authority(&self, certificate: Vec<u8>) -> Result<u32, ZhengzhaoError> {
        let mut trust = self
            .issuer_trust
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let added = add_anchors(
            &mut trust,
            &certificate,
            trust::AnchorRole::IssuingAuthority,
        )?;
        self.inner.set_issuer_trust(trust.clone());
        Ok(added)
    }

    /// The issuing-authority CAs, in the order added.
    pub fn issuing_authorities(&self) -> Vec<TrustAnchorInfo> {
        anchors(
            &self
                .issuer_trust
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// The reader CAs, in the order added.
    pub fn reader_authorities(&self) -> Vec<TrustAnchorInfo> {
        anchors(
            &self
                .reader_trust
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Reads a DeviceRequest received in the session (`SessionTranscriptBytes`, or the bare
    /// array): checks its reader authentication now, and finds the credentials that could
    /// answer each document request.
    pub fn parse_request(
        &self,
        request: Vec<u8>,
        session_transcript: Vec<u8>,
    ) -> Result<Arc<PresentationRequest>, ZhengzhaoError> {
        let transcript = SessionTranscript::parse_any(&session_transcript, &Limits::default())?;
        let parsed = ParsedRequest::parse(&request, &transcript, &self.request_options())?;
        let documents = self.describe(&parsed)?;
        Ok(Arc::new(PresentationRequest {
            parsed,
            transcript,
            documents,
        }))
    }

    /// Answers the request with the holder's approvals: picks a copy per approval (per the
    /// credential's batch policy) and commits its use, device-signs through the secure area,
    /// records the disclosures, and only then returns the response to send.
    ///
    /// Without `e_reader_key` each document is authenticated by `deviceSignature`. With the
    /// reader's ephemeral public key of this session (`EReaderKey`, SEC 1 uncompressed, 65
    /// bytes) it is authenticated by `deviceMac` instead: HMAC-SHA-256 with EMacKey, agreed
    /// through the secure area between the copy's device key and that key (18013-5 §9.1.3.5),
    /// which only that reader can check. In a `HolderSession` use `respond(deviceMac = true)`.
    #[uniffi::method(default(e_reader_key = None))]
    pub fn present(
        &self,
        request: Arc<PresentationRequest>,
        approvals: Vec<Approval>,
        e_reader_key: Option<Vec<u8>>,
    ) -> Result<Presentation, ZhengzhaoError> {
        let auth = match e_reader_key {
            None => core::DeviceAuthMode::Signature,
            Some(key) => core::DeviceAuthMode::Mac {
                e_reader_key: EcPublicKey::from_sec1(&key).map_err(|_| {
                    ZhengzhaoError::invalid_input("EReaderKey is not a P-256 public key")
                })?,
            },
        };
        let presented = self.inner.present(
            &request.parsed,
            &request.transcript,
            &consents(approvals)?,
            auth,
            UnixTime::now(),
        )?;
        Ok(presented.into())
    }

    /// Phase one of two-phase signing: like `present`, but stops before the device
    /// signatures. Picks and commits a copy per approval and returns what each device key must
    /// sign; show the biometric prompt, sign, then call `completePresentation`.
    pub fn prepare_presentation(
        &self,
        request: Arc<PresentationRequest>,
        approvals: Vec<Approval>,
    ) -> Result<Arc<PreparedPresentation>, ZhengzhaoError> {
        self.prepare_for(&request.parsed, &request.transcript, approvals, None)
    }

    /// Phase two: completes a prepared presentation with one signature per signing request
    /// (raw `r‖s` or DER), each checked against the copy's device key (`KeyStore` if it does
    /// not verify), records the disclosures, and returns the response to send. Once only.
    pub fn complete_presentation(
        &self,
        prepared: Arc<PreparedPresentation>,
        signatures: Vec<Vec<u8>>,
    ) -> Result<Presentation, ZhengzhaoError> {
        let (response, selection) = prepared.complete(&signatures, None)?;
        let events = self.inner.record(&selection, UnixTime::now())?;
        Ok(Presentation {
            response,
            disclosures: events.into_iter().map(Into::into).collect(),
            running_low: running_low(&selection),
        })
    }

    // ----- the disclosure log ------------------------------------------------------------

    /// Log entries matching `query`, oldest first; damaged entries are listed apart.
    pub fn disclosures(&self, query: LogQuery) -> Result<DisclosureList, ZhengzhaoError> {
        let list = self.inner.disclosures(&query.try_into()?)?;
        Ok(DisclosureList {
            events: list.events.into_iter().map(Into::into).collect(),
            damaged: list.damaged.into_iter().map(Into::into).collect(),
        })
    }

    /// The entries matching `query` as a JSON array (the core's export format).
    pub fn export_disclosures_json(&self, query: LogQuery) -> Result<String, ZhengzhaoError> {
        let list = self.inner.disclosures(&query.try_into()?)?;
        Ok(core::to_json(&list.events))
    }

    /// The entries matching `query` as CSV with a header row (the core's export format).
    pub fn export_disclosures_csv(&self, query: LogQuery) -> Result<String, ZhengzhaoError> {
        let list = self.inner.disclosures(&query.try_into()?)?;
        Ok(core::to_csv(&list.events))
    }

    /// Deletes the entries matching `query`; returns how many.
    pub fn delete_disclosures(&self, query: LogQuery) -> Result<u32, ZhengzhaoError> {
        Ok(count(self.inner.delete_disclosures(&query.try_into()?)?))
    }

    /// Deletes one entry (also a damaged one); returns whether there was one.
    pub fn delete_disclosure(&self, id: String) -> Result<bool, ZhengzhaoError> {
        let id = core::RecordId::new(id)
            .map_err(|_| ZhengzhaoError::invalid_input("not a log entry ID"))?;
        Ok(self.inner.delete_disclosure(&id)?)
    }
}

/// A fresh 32-byte key for `Wallet.open`'s encryption at rest, from the operating system's
/// random number generator.
///
/// **Hazard: the key crosses the FFI as plain bytes** into memory the host's runtime manages
/// (a `ByteArray`, `Data` or `bytes`), which the library cannot wipe and a garbage collector
/// may copy. Whoever holds these bytes can read every record. The host must, at once:
///
/// 1. wrap it with a non-exportable key of the platform keystore (Android Keystore AES-GCM
///    key, iOS Keychain / Secure Enclave ECIES) and store only the wrapped form;
/// 2. overwrite its own copy (`fill(0)` in Kotlin, `resetBytes` in Swift; Python `bytes`
///    cannot be wiped: use a `bytearray` copy and drop the original quickly);
/// 3. at each start, unwrap it just for `Wallet.open` and overwrite that copy after the call.
///
/// The library zeroises its own copies, except the buffer that carries the bytes across the
/// FFI (freed by the generated code without wiping). A host that would rather create the key itself
/// (e.g. random bytes from the platform keystore) passes its 32 bytes to `Wallet.open`: the
/// same hazard applies to that copy, which is why this function is kept, not required.
#[uniffi::export]
pub fn generate_store_key() -> Result<Vec<u8>, ZhengzhaoError> {
    Ok(StoreKey::generate()?.to_bytes().to_vec())
}
