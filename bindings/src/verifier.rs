//! The verifier (a business): builds requests, verifies responses, manages trust anchors.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;
use zhengzhao::verifier::VerifyOptions;

use zhengzhao::cbor::{Limits, Value};
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::profiles::PurposeOfUse;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{self, Certificate, TrustStore};
use zhengzhao::verifier as core;

use crate::error::{Check, ZhengzhaoError};
use crate::keystore::{AliasKey, SecureArea};
use crate::profiles::DocumentPredicates;
use crate::status::{StatusChecker, StatusOutcome};
use crate::value::{elements, from_system_time, to_system_time, Element, MapEntry};

/// What a trust anchor is trusted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum AnchorRole {
    /// An issuing authority CA (IACA): validates document-signer chains.
    IssuingAuthority,
    /// A reader CA: validates reader-authentication chains.
    ReaderAuthority,
    /// A document signer trusted as it is (see `Verifier.dangerPinDocumentSigner`).
    PinnedDocumentSigner,
    /// A role added to the core after this mirror was written.
    Other,
}

impl From<trust::AnchorRole> for AnchorRole {
    fn from(r: trust::AnchorRole) -> Self {
        match r {
            trust::AnchorRole::IssuingAuthority => AnchorRole::IssuingAuthority,
            trust::AnchorRole::ReaderAuthority => AnchorRole::ReaderAuthority,
            trust::AnchorRole::PinnedDocumentSigner => AnchorRole::PinnedDocumentSigner,
            _ => AnchorRole::Other,
        }
    }
}

/// A trust anchor, for display and audit.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct TrustAnchorInfo {
    /// The certificate's subject (an authority's name).
    pub subject: String,
    /// What it is trusted for.
    pub role: AnchorRole,
    /// Start of the certificate's validity.
    pub not_before: SystemTime,
    /// End of the certificate's validity.
    pub not_after: SystemTime,
    /// The certificate (DER).
    pub certificate: Vec<u8>,
}

impl From<&trust::TrustAnchor> for TrustAnchorInfo {
    fn from(a: &trust::TrustAnchor) -> Self {
        TrustAnchorInfo {
            subject: a.certificate().subject(),
            role: a.role().into(),
            not_before: to_system_time(a.certificate().not_before()),
            not_after: to_system_time(a.certificate().not_after()),
            certificate: a.certificate().der().to_vec(),
        }
    }
}

pub(crate) fn anchors(store: &TrustStore) -> Vec<TrustAnchorInfo> {
    store.anchors().iter().map(TrustAnchorInfo::from).collect()
}

/// Adds a PEM bundle or DER certificate to `store` (all or nothing); returns how many.
pub(crate) fn add_anchors(
    store: &mut TrustStore,
    certificate: &[u8],
    role: trust::AnchorRole,
) -> Result<u32, ZhengzhaoError> {
    let added = match role {
        trust::AnchorRole::PinnedDocumentSigner => {
            zhengzhao::danger::add_pinned_document_signers(store, certificate)?
        }
        role => store.add_pem_or_der(certificate, role)?,
    };
    Ok(u32::try_from(added).unwrap_or(u32::MAX))
}

/// Parses a certificate chain (DER, leaf first) and checks that its leaf holds `key`'s
/// public key.
pub(crate) fn chain_for_key(
    certificate_chain: &[Vec<u8>],
    key: &AliasKey,
) -> Result<(), ZhengzhaoError> {
    let leaf = certificate_chain
        .first()
        .ok_or_else(|| ZhengzhaoError::invalid_input("empty certificate chain"))?;
    for der in certificate_chain {
        Certificate::from_der(der)?;
    }
    if Certificate::from_der(leaf)?.public_key()? != key.public()? {
        return Err(ZhengzhaoError::invalid_input(
            "the key under this alias is not the leaf certificate's key",
        ));
    }
    Ok(())
}

/// One element a verifier asks for, or a wallet was asked for.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RequestedElement {
    /// The namespace.
    pub namespace: String,
    /// The element identifier.
    pub identifier: String,
    /// Whether the verifier says it will retain the value.
    pub intent_to_retain: bool,
}

/// What a verifier asks of one document type.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DocumentRequest {
    /// The document type, e.g. `org.iso.18013.5.1.mDL`.
    pub doc_type: String,
    /// The elements asked for (at least one).
    pub elements: Vec<RequestedElement>,
    /// Other `requestInfo` entries (text keys).
    #[uniffi(default)]
    pub request_info: Vec<MapEntry>,
    /// The purpose of use (用證事由, 1 to 200 characters, no control characters), stated as
    /// `requestInfo["purposeOfUse"]` and shown to the holder before consent.
    #[uniffi(default = None)]
    pub purpose: Option<String>,
}

/// How the device authenticated a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DeviceAuthMethod {
    /// ECDSA signature with the credential's device key.
    Signature,
    /// HMAC with a key agreed with the reader's ephemeral key.
    Mac,
    /// A method added to the core after this mirror was written.
    Other,
}

impl From<core::DeviceAuthMethod> for DeviceAuthMethod {
    fn from(m: core::DeviceAuthMethod) -> Self {
        match m {
            core::DeviceAuthMethod::Signature => DeviceAuthMethod::Signature,
            core::DeviceAuthMethod::Mac => DeviceAuthMethod::Mac,
            _ => DeviceAuthMethod::Other,
        }
    }
}

/// A document that passed every check.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct VerifiedDocument {
    /// The document type.
    pub doc_type: String,
    /// The document signer's subject (the issuing authority).
    pub issuer: String,
    /// The subject of the trust anchor the chain ended at.
    pub trust_anchor: String,
    /// When the Mobile Security Object was signed.
    pub signed: SystemTime,
    /// Start of validity.
    pub valid_from: SystemTime,
    /// End of validity.
    pub valid_until: SystemTime,
    /// Issuer-signed elements, each digest-verified, ordered by namespace then identifier.
    pub issuer_signed: Vec<Element>,
    /// Device-signed elements, authenticated by the device and authorised by the issuer,
    /// ordered by namespace then identifier.
    pub device_signed: Vec<Element>,
    /// How the device authenticated.
    pub device_auth: DeviceAuthMethod,
    /// The MSO keys the verifier did not process (e.g. `status`: licence status was not
    /// checked); empty when every key of the MSO was checked.
    pub unchecked: Vec<String>,
    /// Licence questions (may drive, age over) answered from the disclosed elements.
    pub predicates: Arc<DocumentPredicates>,
    /// The licence status: `NotChecked` unless `verify` was given a `StatusChecker` and the
    /// MSO names a status list; `Valid`, or `Undetermined(reason)` when the checker accepts
    /// undetermined statuses (revoked, suspended and application-specific statuses fail
    /// verification with their own error instead).
    pub status: StatusOutcome,
}

impl From<core::VerifiedDocument> for VerifiedDocument {
    fn from(d: core::VerifiedDocument) -> Self {
        VerifiedDocument {
            predicates: Arc::new(DocumentPredicates(d.clone())),
            issuer_signed: elements(&d.issuer_signed),
            device_signed: elements(&d.device_signed),
            signed: to_system_time(d.validity.signed),
            valid_from: to_system_time(d.validity.valid_from),
            valid_until: to_system_time(d.validity.valid_until),
            device_auth: d.device_auth.into(),
            status: d.status.as_ref().into(),
            unchecked: d.unchecked().to_vec(),
            doc_type: d.doc_type,
            issuer: d.issuer,
            trust_anchor: d.trust_anchor,
        }
    }
}

/// A document the holder did not return, with its error code (information only).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DocumentError {
    /// The document type.
    pub doc_type: String,
    /// The ISO/IEC 18013-5 error code.
    pub code: i64,
}

/// A check that ran and passed, for the audit trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PassedCheck {
    /// The index of the document.
    pub document: u32,
    /// The check.
    pub check: Check,
}

/// A response that passed every check: only verified values, no flags to ignore.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct VerifiedResponse {
    /// The verified documents, in the order received.
    pub documents: Vec<VerifiedDocument>,
    /// Documents the holder did not return.
    pub document_errors: Vec<DocumentError>,
    /// Every check that ran and passed, in order.
    pub checks: Vec<PassedCheck>,
}

impl From<core::VerifiedResponse> for VerifiedResponse {
    fn from(r: core::VerifiedResponse) -> Self {
        VerifiedResponse {
            documents: r.documents.into_iter().map(Into::into).collect(),
            document_errors: r
                .document_errors
                .into_iter()
                .map(|(doc_type, code)| DocumentError { doc_type, code })
                .collect(),
            checks: r
                .checks
                .into_iter()
                .map(|(document, check)| PassedCheck {
                    document: u32::try_from(document).unwrap_or(u32::MAX),
                    check: check.into(),
                })
                .collect(),
        }
    }
}

/// The reader's own key and certificate chain, for signing requests (`readerAuth`).
#[derive(Clone)]
struct ReaderAuthentication {
    area: Arc<dyn SecureArea>,
    alias: String,
    chain: Vec<Vec<u8>>,
}

/// Verifies DeviceResponses offline against trusted issuing authorities, and builds
/// DeviceRequests (signed, if a reader key is set).
#[derive(uniffi::Object)]
pub struct Verifier {
    inner: RwLock<core::Verifier>,
    reader: RwLock<Option<ReaderAuthentication>>,
}

impl Verifier {
    fn update_trust(
        &self,
        f: impl FnOnce(&mut TrustStore) -> Result<u32, ZhengzhaoError>,
    ) -> Result<u32, ZhengzhaoError> {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        let mut trust = inner.trust_store().clone();
        let n = f(&mut trust)?;
        *inner = core::Verifier::new(trust);
        Ok(n)
    }

    /// The DeviceRequest for `transcript`, signed with the reader key if one was set.
    pub(crate) fn device_request(
        &self,
        documents: Vec<DocumentRequest>,
        transcript: &SessionTranscript,
    ) -> Result<DeviceRequest, ZhengzhaoError> {
        if documents.is_empty() {
            return Err(ZhengzhaoError::invalid_input("no documents requested"));
        }
        // Cloned so that no lock is held while the secure area runs.
        let reader = self
            .reader
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut doc_requests = Vec::with_capacity(documents.len());
        for d in documents {
            if d.elements.is_empty() {
                return Err(ZhengzhaoError::invalid_input(
                    "a document request asks for no elements",
                ));
            }
            let mut items = ItemsRequest::new(d.doc_type);
            for e in d.elements {
                items = items.with_element(e.namespace, e.identifier, e.intent_to_retain);
            }
            if !d.request_info.is_empty() {
                let mut info = Vec::with_capacity(d.request_info.len());
                for entry in &d.request_info {
                    let key = Value::try_from(&entry.key)?;
                    if key.as_text().is_none() || info.iter().any(|(k, _)| *k == key) {
                        return Err(ZhengzhaoError::invalid_input(
                            "requestInfo keys must be distinct text strings",
                        ));
                    }
                    info.push((key, Value::try_from(&entry.value)?));
                }
                items.request_info = Some(info);
            }
            if let Some(purpose) = &d.purpose {
                items = PurposeOfUse::new(purpose.as_str())
                    .map_err(|e| ZhengzhaoError::invalid_input(e.to_string()))?
                    .attach(items);
            }
            let doc = DocRequest::new(items);
            doc_requests.push(match &reader {
                Some(r) => doc.sign_reader_auth(
                    &AliasKey::new(r.area.clone(), r.alias.clone()),
                    &r.chain,
                    transcript,
                )?,
                None => doc,
            });
        }
        Ok(DeviceRequest::new(doc_requests))
    }

    /// Runs `f` with the core verifier (the reader session, the test hooks' timing).
    pub(crate) fn with_core<T>(&self, f: impl FnOnce(&core::Verifier) -> T) -> T {
        f(&self.inner.read().unwrap_or_else(PoisonError::into_inner))
    }
}

#[uniffi::export]
impl Verifier {
    /// A verifier that trusts nothing yet.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Verifier {
            inner: RwLock::new(core::Verifier::new(TrustStore::new())),
            reader: RwLock::new(None),
        })
    }

    /// Trusts an issuing authority CA (a PEM bundle, or one DER certificate); returns how many
    /// certificates were added (none if any fails to parse).
    pub fn add_issuing_authority(&self, certificate: Vec<u8>) -> Result<u32, ZhengzhaoError> {
        self.update_trust(|t| add_anchors(t, &certificate, trust::AnchorRole::IssuingAuthority))
    }

    /// **Danger:** trusts one document-signer certificate as it is, skipping every CA check
    /// (for issuers whose CA is not published). Prefer `addIssuingAuthority`.
    pub fn danger_pin_document_signer(&self, certificate: Vec<u8>) -> Result<u32, ZhengzhaoError> {
        self.update_trust(|t| add_anchors(t, &certificate, trust::AnchorRole::PinnedDocumentSigner))
    }

    /// The trust anchors, in the order added.
    pub fn trust_anchors(&self) -> Vec<TrustAnchorInfo> {
        anchors(
            self.inner
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .trust_store(),
        )
    }

    /// Removes every trust anchor.
    pub fn clear_trust_anchors(&self) {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        *inner = core::Verifier::new(TrustStore::new());
    }

    /// Signs the requests this verifier builds (`readerAuth`) with the key under `key_alias`
    /// in `secure_area`, whose certificate chain (DER, leaf first) is `certificate_chain`.
    pub fn set_reader_authentication(
        &self,
        secure_area: Arc<dyn SecureArea>,
        key_alias: String,
        certificate_chain: Vec<Vec<u8>>,
    ) -> Result<(), ZhengzhaoError> {
        chain_for_key(
            &certificate_chain,
            &AliasKey::new(secure_area.clone(), key_alias.clone()),
        )?;
        *self.reader.write().unwrap_or_else(PoisonError::into_inner) = Some(ReaderAuthentication {
            area: secure_area,
            alias: key_alias,
            chain: certificate_chain,
        });
        Ok(())
    }

    /// A DeviceRequest for the session (`SessionTranscriptBytes`, or the bare array), signed
    /// with the reader key if one was set.
    pub fn build_request(
        &self,
        documents: Vec<DocumentRequest>,
        session_transcript: Vec<u8>,
    ) -> Result<Vec<u8>, ZhengzhaoError> {
        let transcript = SessionTranscript::parse_any(&session_transcript, &Limits::default())?;
        Ok(self.device_request(documents, &transcript)?.to_bytes())
    }

    /// Verifies a DeviceResponse for the session (`SessionTranscriptBytes`, or the bare
    /// array) at time `at` (default: now). Returns only what every check vouched for, or
    /// raises `VerificationFailed` naming the check, `Untrusted` for an unknown issuer, or
    /// `Malformed`. With a `status` checker, each credential that names a status list has it
    /// checked last: `Revoked`, `Suspended`, `StatusApplicationSpecific` or
    /// `StatusUndetermined` when it is not valid (see `VerifiedDocument.status`). The host's
    /// resolver is called without any lock held. (`deviceMac` responses need the reader's
    /// ephemeral key: verify them through a `ReaderSession`.)
    #[uniffi::method(default(at = None, status = None))]
    pub fn verify(
        &self,
        response: Vec<u8>,
        session_transcript: Vec<u8>,
        at: Option<SystemTime>,
        status: Option<Arc<StatusChecker>>,
    ) -> Result<VerifiedResponse, ZhengzhaoError> {
        let transcript = SessionTranscript::parse_any(&session_transcript, &Limits::default())?;
        let at = at.map(from_system_time).unwrap_or_else(UnixTime::now);
        let options = VerifyOptions::new(&transcript, at);
        let verified = match &status {
            None => self.with_core(|v| v.verify(&response, &options))?,
            Some(checker) => {
                // A snapshot of the core verifier, so that no lock is held while the host's
                // resolver runs (it may block on the network, or call `addIssuingAuthority`).
                let verifier = self.with_core(Clone::clone);
                verifier.verify(&response, &options.with_status(&checker.inner))?
            }
        };
        Ok(verified.into())
    }
}
