//! The holder's wallet: keeps credentials, reads requests, presents what the holder approved.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use zhengzhao::cbor::Limits;
use zhengzhao::crypto;
use zhengzhao::holder::{self, ParsedRequest, RequestOptions, ResponseBuilder};
use zhengzhao::model::{Credential, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{self, Certificate, TrustStore};

use crate::error::ZhengzhaoError;
use crate::keystore::{AliasKey, SecureArea};
use crate::storage::{in_memory_storage, CredentialStorage, StoredCredential};
use crate::value::{to_system_time, Element, MapEntry};
use crate::verifier::{add_anchors, anchors, RequestedElement, TrustAnchorInfo};

/// A data element by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct ElementId {
    /// The namespace.
    pub namespace: String,
    /// The element identifier.
    pub identifier: String,
}

/// A credential in the wallet (no element values: see `Wallet.credentialElements`).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CredentialInfo {
    /// The wallet's ID for it (stable: derived from the credential's bytes).
    pub id: String,
    /// The document type.
    pub doc_type: String,
    /// The alias of its device key in the secure area.
    pub key_alias: String,
    /// The document signer's subject, as the credential claims it (verified by verifiers,
    /// not by the wallet).
    pub issuer: Option<String>,
    /// When it was signed.
    pub signed: SystemTime,
    /// Start of validity.
    pub valid_from: SystemTime,
    /// End of validity.
    pub valid_until: SystemTime,
    /// The elements it holds.
    pub elements: Vec<ElementId>,
}

/// Who is asking.
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum ReaderIdentity {
    /// The request is not signed: the reader is anonymous.
    Anonymous,
    /// The request is signed by its certificate, but the wallet has no reader trust anchors,
    /// so the name is only claimed.
    Unverified {
        /// The subject the reader's certificate claims.
        claimed_subject: String,
    },
    /// The request is signed and the reader's certificate chains to a reader trust anchor.
    Authenticated {
        /// The reader certificate's subject.
        subject: String,
        /// The reader certificate (DER).
        certificate: Vec<u8>,
    },
}

impl From<&holder::ReaderIdentity> for ReaderIdentity {
    fn from(r: &holder::ReaderIdentity) -> Self {
        match r {
            holder::ReaderIdentity::Unverified { claimed_subject } => ReaderIdentity::Unverified {
                claimed_subject: claimed_subject.clone(),
            },
            holder::ReaderIdentity::Authenticated {
                subject,
                certificate,
            } => ReaderIdentity::Authenticated {
                subject: subject.clone(),
                certificate: certificate.der().to_vec(),
            },
            // Anonymous, and anything newer: claim nothing.
            _ => ReaderIdentity::Anonymous,
        }
    }
}

/// A credential that could answer a document request.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Candidate {
    /// The credential's ID.
    pub credential_id: String,
    /// Requested ∩ held: what it could disclose. Show it and ask for consent.
    pub disclosable: Vec<RequestedElement>,
}

/// One document request: who asks, for what, why, and which credentials could answer.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct RequestedDocument {
    /// Its index in the request (for `Approval.documentIndex`).
    pub index: u32,
    /// The document type asked for.
    pub doc_type: String,
    /// Who asks.
    pub reader: ReaderIdentity,
    /// `requestInfo` as sent, e.g. the stated purpose of use.
    pub request_info: Vec<MapEntry>,
    /// Every element asked for.
    pub requested: Vec<RequestedElement>,
    /// The wallet's credentials of this document type.
    pub candidates: Vec<Candidate>,
}

/// The holder's consent for one document request.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Approval {
    /// The document request (`RequestedDocument.index`).
    pub document_index: u32,
    /// The credential to present.
    pub credential_id: String,
    /// The approved elements. Only elements both requested and held are ever disclosed.
    pub elements: Vec<ElementId>,
}

/// A parsed request, ready for consent and `Wallet.present`.
#[derive(uniffi::Object)]
pub struct PresentationRequest {
    parsed: ParsedRequest,
    transcript: SessionTranscript,
    documents: Vec<RequestedDocument>,
}

#[uniffi::export]
impl PresentationRequest {
    /// The document requests, in order.
    pub fn documents(&self) -> Vec<RequestedDocument> {
        self.documents.clone()
    }
}

/// The holder's wallet.
///
/// Device keys live in the host's [`SecureArea`]; credentials in its [`CredentialStorage`]
/// (or in memory). The wallet holds no lock while it calls either, so callbacks may run on
/// any thread and several presentations may run at once.
#[derive(uniffi::Object)]
pub struct Wallet {
    secure_area: Arc<dyn SecureArea>,
    storage: Arc<dyn CredentialStorage>,
    reader_trust: RwLock<TrustStore>,
}

struct Loaded {
    id: String,
    stored: StoredCredential,
    credential: Credential,
}

impl Wallet {
    fn load(&self, id: &str) -> Result<Option<Loaded>, ZhengzhaoError> {
        let Some(record) = self
            .storage
            .load(id.to_owned())
            .map_err(ZhengzhaoError::into_storage)?
        else {
            return Ok(None);
        };
        let stored = StoredCredential::from_record(&record)?;
        let credential =
            Credential::from_bytes(&stored.credential, &Limits::default()).map_err(|e| {
                ZhengzhaoError::Storage {
                    reason: format!("stored credential unreadable: {e}"),
                }
            })?;
        Ok(Some(Loaded {
            id: id.to_owned(),
            stored,
            credential,
        }))
    }

    fn load_all(&self) -> Result<Vec<Loaded>, ZhengzhaoError> {
        let mut ids = self
            .storage
            .list_ids()
            .map_err(ZhengzhaoError::into_storage)?;
        ids.sort();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            // A record deleted between listing and loading is simply gone.
            if let Some(l) = self.load(&id)? {
                out.push(l);
            }
        }
        Ok(out)
    }
}

fn credential_id(bytes: &[u8]) -> String {
    crypto::sha256(bytes)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn info(l: &Loaded) -> Result<CredentialInfo, ZhengzhaoError> {
    let mso = l
        .credential
        .issuer_signed
        .mso_unverified(&Limits::default())?;
    let issuer = l
        .credential
        .issuer_signed
        .issuer_auth
        .x5chain()
        .ok()
        .and_then(|chain| {
            chain
                .first()
                .and_then(|der| Certificate::from_der(der).ok())
        })
        .map(|c| c.subject());
    Ok(CredentialInfo {
        id: l.id.clone(),
        doc_type: l.credential.doc_type.clone(),
        key_alias: l.stored.key_alias.clone(),
        issuer,
        signed: to_system_time(mso.validity.signed),
        valid_from: to_system_time(mso.validity.valid_from),
        valid_until: to_system_time(mso.validity.valid_until),
        elements: l
            .credential
            .element_ids()
            .into_iter()
            .map(|(namespace, identifier)| ElementId {
                namespace,
                identifier,
            })
            .collect(),
    })
}

fn mirror(e: holder::RequestedElement) -> RequestedElement {
    RequestedElement {
        namespace: e.namespace,
        identifier: e.identifier,
        intent_to_retain: e.intent_to_retain,
    }
}

#[uniffi::export]
impl Wallet {
    /// A wallet over the host's secure area and, optionally, its credential storage
    /// (default: in memory).
    #[uniffi::constructor(default(storage = None))]
    pub fn new(
        secure_area: Arc<dyn SecureArea>,
        storage: Option<Arc<dyn CredentialStorage>>,
    ) -> Arc<Self> {
        Arc::new(Wallet {
            secure_area,
            storage: storage.unwrap_or_else(in_memory_storage),
            reader_trust: RwLock::new(TrustStore::new()),
        })
    }

    /// Creates a device key under `alias` in the secure area; returns its public key (SEC 1)
    /// for the issuer (`IssuanceRequest.devicePublicKey`).
    pub fn create_device_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError> {
        self.secure_area
            .create_key(alias)
            .map_err(ZhengzhaoError::into_key_store)
    }

    /// Stores a credential whose device key is under `key_alias`. Fails with `Malformed` if
    /// the bytes are no credential and `InvalidInput` if the credential is bound to another
    /// key. Adding the same credential again replaces it (same ID).
    pub fn add_credential(
        &self,
        credential: Vec<u8>,
        key_alias: String,
    ) -> Result<CredentialInfo, ZhengzhaoError> {
        let parsed = Credential::from_bytes(&credential, &Limits::default())?;
        let mso = parsed.issuer_signed.mso_unverified(&Limits::default())?;
        let key = AliasKey::new(self.secure_area.clone(), key_alias.clone()).public()?;
        if *mso.device_key.public_key() != key {
            return Err(ZhengzhaoError::invalid_input(
                "the credential is bound to another device key than the one under this alias",
            ));
        }
        let loaded = Loaded {
            id: credential_id(&credential),
            stored: StoredCredential {
                credential,
                key_alias,
            },
            credential: parsed,
        };
        let info = info(&loaded)?;
        self.storage
            .save(loaded.id.clone(), loaded.stored.to_record())
            .map_err(ZhengzhaoError::into_storage)?;
        Ok(info)
    }

    /// Every credential in the wallet, ordered by ID.
    pub fn credentials(&self) -> Result<Vec<CredentialInfo>, ZhengzhaoError> {
        self.load_all()?.iter().map(info).collect()
    }

    /// The elements of one credential with their values (the holder's own data, for display).
    pub fn credential_elements(&self, id: String) -> Result<Vec<Element>, ZhengzhaoError> {
        let l = self
            .load(&id)?
            .ok_or_else(|| ZhengzhaoError::invalid_input("no credential with this ID"))?;
        Ok(l.credential
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

    /// Removes a credential; returns whether it was there. Its device key is deleted from the
    /// secure area too, unless another credential still uses it.
    pub fn remove_credential(&self, id: String) -> Result<bool, ZhengzhaoError> {
        let Some(removed) = self.load(&id)? else {
            return Ok(false);
        };
        self.storage
            .delete(id)
            .map_err(ZhengzhaoError::into_storage)?;
        let alias = removed.stored.key_alias;
        if !self.load_all()?.iter().any(|l| l.stored.key_alias == alias) {
            self.secure_area
                .delete_key(alias)
                .map_err(ZhengzhaoError::into_key_store)?;
        }
        Ok(true)
    }

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
        let trust = self
            .reader_trust
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut options = RequestOptions::new(UnixTime::now());
        if !trust.is_empty() {
            options = options.with_reader_trust(trust);
        }
        let parsed = ParsedRequest::parse(&request, &transcript, &options)?;
        let held = self.load_all()?;
        let documents = parsed
            .documents()
            .iter()
            .enumerate()
            .map(|(index, doc)| RequestedDocument {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                doc_type: doc.doc_type().to_owned(),
                reader: doc.reader().into(),
                request_info: doc
                    .request()
                    .items_request
                    .request_info
                    .iter()
                    .flatten()
                    .map(|(k, v)| MapEntry {
                        key: k.into(),
                        value: v.into(),
                    })
                    .collect(),
                requested: doc.requested().into_iter().map(mirror).collect(),
                candidates: held
                    .iter()
                    .filter(|l| l.credential.doc_type == doc.doc_type())
                    .map(|l| Candidate {
                        credential_id: l.id.clone(),
                        disclosable: doc
                            .disclosable(&l.credential)
                            .into_iter()
                            .map(mirror)
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Ok(Arc::new(PresentationRequest {
            parsed,
            transcript,
            documents,
        }))
    }

    /// Builds the DeviceResponse: for each approval, the approved elements that were requested
    /// and are held, device-signed through the secure area. Returns the bytes to send.
    pub fn present(
        &self,
        request: Arc<PresentationRequest>,
        approvals: Vec<Approval>,
    ) -> Result<Vec<u8>, ZhengzhaoError> {
        if approvals.is_empty() {
            return Err(ZhengzhaoError::invalid_input("nothing approved"));
        }
        let mut builder = ResponseBuilder::new(&request.transcript);
        for approval in approvals {
            let doc = usize::try_from(approval.document_index)
                .ok()
                .and_then(|i| request.parsed.documents().get(i))
                .ok_or_else(|| {
                    ZhengzhaoError::invalid_input("no document request at this index")
                })?;
            let held = self
                .load(&approval.credential_id)?
                .ok_or_else(|| ZhengzhaoError::invalid_input("no credential with this ID"))?;
            let approved: Vec<holder::RequestedElement> = approval
                .elements
                .into_iter()
                .map(|e| holder::RequestedElement {
                    namespace: e.namespace,
                    identifier: e.identifier,
                    intent_to_retain: false,
                })
                .collect();
            let key = AliasKey::new(self.secure_area.clone(), held.stored.key_alias);
            builder.add_document(&held.credential, doc, &approved, &key)?;
        }
        Ok(builder.finish())
    }
}
