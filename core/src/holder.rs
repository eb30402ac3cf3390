//! The holder (wallet) role: read a request, show who asks for what, and answer with exactly
//! the elements that were both requested and approved.
//!
//! This is the mdoc's side of ISO/IEC 18013-5 device retrieval: the DeviceRequest of
//! §8.3.2.1.2.1 with mdoc reader authentication (§9.1.4, `readerAuth` over
//! ReaderAuthentication), and the DeviceResponse of §8.3.2.1.2.2 with mdoc authentication
//! (§9.1.3, a device signature or MAC over DeviceAuthentication). An app with a credential
//! store uses it through [`wallet::Wallet`](crate::wallet::Wallet); the session layer
//! ([`session::HolderSession`](crate::session::HolderSession)) carries it over a proximity
//! session.
//!
//! 1. [`ParsedRequest::parse`] reads a DeviceRequest. When a document request carries
//!    `readerAuth` and reader trust anchors are configured, the reader's certificate chain and
//!    signature are verified (a request that fails is rejected), and
//!    [`ReaderIdentity::Authenticated`] tells the wallet who is asking before it asks for
//!    consent.
//! 2. [`RequestedDocument::disclosable`] lists what could be disclosed from a credential:
//!    requested ∩ held. The wallet shows it and collects the holder's approval.
//! 3. [`ResponseBuilder`] builds the DeviceResponse. It discloses an element only if it was
//!    requested, approved and held; everything else stays in the wallet. Device
//!    authentication is an ES256 `deviceSignature` over DeviceAuthenticationBytes, produced by
//!    a [`Signer`] in one step, or in two steps ([`ResponseBuilder::prepare_document`] then
//!    [`PendingDocument::complete`]) for keys that need a biometric prompt between the two.
//!    Signers may return DER or raw signatures; the response always carries raw `r‖s`.

use std::fmt;
use std::sync::Arc;

use crate::cbor::Limits;
use crate::cose::{CoseError, CoseMac0, CoseSign1};
use crate::crypto::{self, CryptoError, CryptoProvider, EcPublicKey, KeyAgreement, Signer};
use crate::model::{
    Credential, DeviceAuth, DeviceRequest, DeviceResponse, DeviceSigned, DocRequest, Document,
    IssuerSigned, ModelError, SessionTranscript,
};
use crate::time::UnixTime;
use crate::trust::{validate_chain, Certificate, ChainUsage, TrustError, TrustStore};

/// Why the wallet could not read a request or build a response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HolderError {
    /// The request (or a stored credential) is malformed.
    #[error("malformed: {0}")]
    Malformed(#[from] ModelError),
    /// `readerAuth` has no usable `x5chain`.
    #[error("reader authentication: certificate chain missing or malformed")]
    ReaderX5Chain(#[source] CoseError),
    /// The reader's certificate chain does not validate against the reader trust anchors.
    #[error("reader authentication: {0}")]
    ReaderChain(#[source] TrustError),
    /// The `readerAuth` signature does not verify.
    #[error("reader authentication: signature invalid")]
    ReaderSignature(#[source] CoseError),
    /// The credential is not of the requested docType.
    #[error("credential docType differs from the requested one")]
    DocTypeMismatch,
    /// The device key failed to sign or agree, or returned a malformed signature.
    #[error("device key: {0}")]
    DeviceKey(#[source] CryptoError),
    /// The device signature does not verify with the credential's device key (wrong key?).
    #[error("device signature does not match the credential's device key")]
    WrongDeviceKey(#[source] CoseError),
}

impl From<CoseError> for HolderError {
    fn from(e: CoseError) -> Self {
        match e {
            CoseError::Crypto(c) => HolderError::DeviceKey(c),
            other => HolderError::WrongDeviceKey(other),
        }
    }
}

/// How the wallet should read a request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Reader trust anchors. `None`: `readerAuth` is checked for a valid signature by its own
    /// certificate but the reader stays [`ReaderIdentity::Unverified`].
    pub reader_trust: Option<TrustStore>,
    /// The time at which certificates are checked.
    pub at: UnixTime,
    /// CBOR limits.
    pub limits: Limits,
}

impl RequestOptions {
    /// Options at time `at`, with no reader trust anchors and default limits.
    pub fn new(at: UnixTime) -> Self {
        RequestOptions {
            reader_trust: None,
            at,
            limits: Limits::default(),
        }
    }

    /// Sets the reader trust anchors.
    pub fn with_reader_trust(mut self, trust: TrustStore) -> Self {
        self.reader_trust = Some(trust);
        self
    }
}

/// Who is asking.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum ReaderIdentity {
    /// No `readerAuth`: the reader is anonymous.
    Anonymous,
    /// `readerAuth` is signed by its certificate, but no reader trust anchors were configured,
    /// so the claimed name is unverified.
    Unverified {
        /// The subject the reader's certificate claims.
        claimed_subject: String,
    },
    /// `readerAuth` verified and the certificate chains to a reader trust anchor.
    Authenticated {
        /// The reader certificate's subject.
        subject: String,
        /// The reader certificate.
        certificate: Box<Certificate>,
    },
}

impl fmt::Debug for ReaderIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReaderIdentity::Anonymous => f.write_str("Anonymous"),
            ReaderIdentity::Unverified { claimed_subject } => {
                write!(f, "Unverified({claimed_subject})")
            }
            ReaderIdentity::Authenticated { subject, .. } => write!(f, "Authenticated({subject})"),
        }
    }
}

/// One element the wallet may disclose.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct RequestedElement {
    /// Namespace.
    pub namespace: String,
    /// Element identifier.
    pub identifier: String,
    /// Whether the reader says it will retain the value.
    pub intent_to_retain: bool,
}

impl RequestedElement {
    /// An element by namespace and identifier, with the reader's intent to retain it.
    pub fn new(
        namespace: impl Into<String>,
        identifier: impl Into<String>,
        intent_to_retain: bool,
    ) -> Self {
        RequestedElement {
            namespace: namespace.into(),
            identifier: identifier.into(),
            intent_to_retain,
        }
    }
}

/// One document request, with the reader's identity.
#[derive(Clone, Debug)]
pub struct RequestedDocument {
    request: DocRequest,
    reader: ReaderIdentity,
}

impl RequestedDocument {
    /// The requested docType.
    pub fn doc_type(&self) -> &str {
        &self.request.items_request.doc_type
    }

    /// Who asks.
    pub fn reader(&self) -> &ReaderIdentity {
        &self.reader
    }

    /// The underlying request (with `requestInfo`, e.g. a stated purpose).
    pub fn request(&self) -> &DocRequest {
        &self.request
    }

    /// Every requested element.
    pub fn requested(&self) -> Vec<RequestedElement> {
        self.request
            .items_request
            .namespaces
            .iter()
            .flat_map(|(ns, els)| {
                els.iter().map(move |(id, retain)| RequestedElement {
                    namespace: ns.clone(),
                    identifier: id.clone(),
                    intent_to_retain: *retain,
                })
            })
            .collect()
    }

    /// Requested ∩ held: what `credential` could disclose for this request (empty if the
    /// docType differs).
    pub fn disclosable(&self, credential: &Credential) -> Vec<RequestedElement> {
        if credential.doc_type != self.doc_type() {
            return Vec::new();
        }
        let held = credential.element_ids();
        self.requested()
            .into_iter()
            .filter(|r| {
                held.iter()
                    .any(|(ns, id)| *ns == r.namespace && *id == r.identifier)
            })
            .collect()
    }
}

/// A parsed DeviceRequest.
#[derive(Clone, Debug)]
pub struct ParsedRequest {
    documents: Vec<RequestedDocument>,
}

impl ParsedRequest {
    /// Parses a DeviceRequest received in the session `transcript` and checks every
    /// `readerAuth` (see [`RequestOptions::reader_trust`]).
    pub fn parse(
        bytes: &[u8],
        transcript: &SessionTranscript,
        options: &RequestOptions,
    ) -> Result<Self, HolderError> {
        let request = DeviceRequest::parse(bytes, &options.limits)?;
        let mut documents = Vec::with_capacity(request.doc_requests.len());
        for doc in request.doc_requests {
            let reader = reader_identity(&doc, transcript, options)?;
            documents.push(RequestedDocument {
                request: doc,
                reader,
            });
        }
        Ok(ParsedRequest { documents })
    }

    /// A request made of `documents` that arrived by other means than a DeviceRequest
    /// (OpenID4VP: a DCQL query matched by the wallet, the verifier authenticated by its
    /// request object).
    pub(crate) fn from_documents(documents: Vec<(DocRequest, ReaderIdentity)>) -> Self {
        ParsedRequest {
            documents: documents
                .into_iter()
                .map(|(request, reader)| RequestedDocument { request, reader })
                .collect(),
        }
    }

    /// The document requests, in order.
    pub fn documents(&self) -> &[RequestedDocument] {
        &self.documents
    }
}

fn reader_identity(
    doc: &DocRequest,
    transcript: &SessionTranscript,
    options: &RequestOptions,
) -> Result<ReaderIdentity, HolderError> {
    let Some(reader_auth) = &doc.reader_auth else {
        return Ok(ReaderIdentity::Anonymous);
    };
    let chain = reader_auth
        .x5chain()
        .map_err(HolderError::ReaderX5Chain)?
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(HolderError::ReaderChain)?;
    let payload = transcript.reader_authentication_bytes(doc.items_request_bytes());
    match &options.reader_trust {
        Some(trust) => {
            let validated = validate_chain(&chain, trust, ChainUsage::ReaderAuth, options.at)
                .map_err(HolderError::ReaderChain)?;
            reader_auth
                .verify(validated.leaf_public_key(), Some(&payload))
                .map_err(HolderError::ReaderSignature)?;
            Ok(ReaderIdentity::Authenticated {
                subject: validated.leaf().subject(),
                certificate: Box::new(validated.leaf().clone()),
            })
        }
        None => {
            let leaf = chain
                .first()
                .ok_or(HolderError::ReaderChain(TrustError::EmptyChain))?;
            let key = leaf.public_key().map_err(HolderError::ReaderChain)?;
            reader_auth
                .verify(&key, Some(&payload))
                .map_err(HolderError::ReaderSignature)?;
            Ok(ReaderIdentity::Unverified {
                claimed_subject: leaf.subject(),
            })
        }
    }
}

/// A document whose device signature is still to be made (two-phase signing).
pub struct PendingDocument {
    doc_type: String,
    issuer_signed: IssuerSigned,
    device_key: EcPublicKey,
    device_authentication: Vec<u8>,
    to_be_signed: Vec<u8>,
}

impl PendingDocument {
    /// The exact bytes the device key must sign (ES256: the signer hashes them).
    pub fn to_be_signed(&self) -> &[u8] {
        &self.to_be_signed
    }

    /// Completes the document with a signature (raw `r‖s` or DER) over
    /// [`PendingDocument::to_be_signed`]; the signature is checked against the credential's
    /// device key before it is accepted.
    pub fn complete(self, signature: &[u8]) -> Result<Document, HolderError> {
        let sig = CoseSign1::from_detached_signature(signature)?;
        sig.verify(&self.device_key, Some(&self.device_authentication))
            .map_err(HolderError::WrongDeviceKey)?;
        Ok(self.finish(sig))
    }

    /// [`PendingDocument::complete`] without the signature check, for this library's own
    /// signers (see [`Signer::needs_signature_check`]); the encoding is still checked.
    fn complete_unchecked(self, signature: &[u8]) -> Result<Document, HolderError> {
        let sig = CoseSign1::from_detached_signature(signature)?;
        Ok(self.finish(sig))
    }

    fn finish(self, sig: CoseSign1) -> Document {
        Document {
            doc_type: self.doc_type,
            issuer_signed: self.issuer_signed,
            device_signed: DeviceSigned::new(DeviceAuth::Signature(sig)),
        }
    }
}

/// Builds a DeviceResponse for one session.
pub struct ResponseBuilder<'t> {
    transcript: &'t SessionTranscript,
    documents: Vec<Document>,
    limits: Limits,
    provider: Arc<dyn CryptoProvider>,
}

impl<'t> ResponseBuilder<'t> {
    /// A builder for the session `transcript`.
    pub fn new(transcript: &'t SessionTranscript) -> Self {
        ResponseBuilder {
            transcript,
            documents: Vec::new(),
            limits: Limits::default(),
            provider: crate::crypto::default_provider(),
        }
    }

    /// Replaces the crypto provider for the `deviceMac` path (SHA-256, HKDF and HMAC; the
    /// ECDH is the device key's own). Device signatures are made by the [`Signer`] given.
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// The credential's issuer-signed part reduced to the approved subset of the request.
    fn select(
        credential: &Credential,
        request: &RequestedDocument,
        approved: &[RequestedElement],
    ) -> Result<IssuerSigned, HolderError> {
        if credential.doc_type != request.doc_type() {
            return Err(HolderError::DocTypeMismatch);
        }
        let items_request = &request.request.items_request;
        let namespaces = credential
            .issuer_signed
            .namespaces
            .iter()
            .filter_map(|(ns, items)| {
                let kept: Vec<_> = items
                    .iter()
                    .filter(|i| {
                        let id = &i.item().element_identifier;
                        items_request.requests(ns, id)
                            && approved
                                .iter()
                                .any(|a| a.namespace == *ns && a.identifier == *id)
                    })
                    .cloned()
                    .collect();
                (!kept.is_empty()).then(|| (ns.clone(), kept))
            })
            .collect();
        Ok(IssuerSigned {
            namespaces,
            issuer_auth: credential.issuer_signed.issuer_auth.clone(),
        })
    }

    /// Phase one of two-phase signing: selects the disclosure and returns what the device key
    /// must sign.
    pub fn prepare_document(
        &self,
        credential: &Credential,
        request: &RequestedDocument,
        approved: &[RequestedElement],
    ) -> Result<PendingDocument, HolderError> {
        let issuer_signed = Self::select(credential, request, approved)?;
        let mso = credential.issuer_signed.mso_unverified(&self.limits)?;
        let device_authentication = self.transcript.device_authentication_bytes(
            &credential.doc_type,
            &DeviceSigned::empty_namespaces_bytes(),
        );
        Ok(PendingDocument {
            doc_type: credential.doc_type.clone(),
            issuer_signed,
            device_key: mso.device_key.public_key().clone(),
            to_be_signed: CoseSign1::detached_to_be_signed(&device_authentication),
            device_authentication,
        })
    }

    /// Adds a document completed by [`PendingDocument::complete`].
    pub fn add_completed(&mut self, document: Document) {
        self.documents.push(document);
    }

    /// Adds the approved subset of `credential` for `request`, device-signed by
    /// `device_key` (which must be the credential's device key).
    pub fn add_document(
        &mut self,
        credential: &Credential,
        request: &RequestedDocument,
        approved: &[RequestedElement],
        device_key: &dyn Signer,
    ) -> Result<(), HolderError> {
        let pending = self.prepare_document(credential, request, approved)?;
        let check = device_key.needs_signature_check();
        if !check {
            // This library's own signer: its key must be the credential's device key, and then
            // its signature is right by construction, so one ECDSA verify is saved.
            let public = device_key.public_key().map_err(HolderError::DeviceKey)?;
            if public != pending.device_key {
                return Err(HolderError::WrongDeviceKey(CoseError::Crypto(
                    CryptoError::SignatureInvalid,
                )));
            }
        }
        let signature = device_key
            .sign(pending.to_be_signed())
            .map_err(HolderError::DeviceKey)?;
        let doc = if check {
            pending.complete(&signature)?
        } else {
            pending.complete_unchecked(&signature)?
        };
        self.documents.push(doc);
        Ok(())
    }

    /// Adds the approved subset authenticated with `deviceMac`: EMacKey from ECDH of the
    /// device key and the reader's ephemeral key `e_reader_key`.
    pub fn add_document_mac(
        &mut self,
        credential: &Credential,
        request: &RequestedDocument,
        approved: &[RequestedElement],
        device_key: &dyn KeyAgreement,
        e_reader_key: &EcPublicKey,
    ) -> Result<(), HolderError> {
        let issuer_signed = Self::select(credential, request, approved)?;
        let device_authentication = self.transcript.device_authentication_bytes(
            &credential.doc_type,
            &DeviceSigned::empty_namespaces_bytes(),
        );
        let key = crypto::e_mac_key(
            self.provider.as_ref(),
            device_key,
            e_reader_key,
            self.transcript.tagged_bytes(),
        )
        .map_err(HolderError::DeviceKey)?;
        let mac =
            CoseMac0::create_detached_with(self.provider.as_ref(), &key, &device_authentication);
        self.documents.push(Document {
            doc_type: credential.doc_type.clone(),
            issuer_signed,
            device_signed: DeviceSigned::new(DeviceAuth::Mac(mac)),
        });
        Ok(())
    }

    /// The DeviceResponse bytes (status 0).
    pub fn finish(self) -> Vec<u8> {
        DeviceResponse {
            version: "1.0".to_owned(),
            documents: self.documents,
            document_errors: Vec::new(),
            status: 0,
        }
        .to_bytes()
    }
}
