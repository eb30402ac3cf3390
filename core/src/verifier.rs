//! The verifier role: check a DeviceResponse completely, offline, and hand out only what
//! every check vouched for.
//!
//! This is the mdoc reader's side of ISO/IEC 18013-5: the DeviceResponse of §8.3.2.1.2.2,
//! the inspection procedure for issuer data authentication of §9.3.1 (certificate chain,
//! `issuerAuth` over the MSO of §9.1.2.4, digests, docType, validity), then mdoc
//! authentication (§9.1.3: `deviceSignature` or `deviceMac` over DeviceAuthentication, and
//! the MSO's `keyAuthorizations`). Entry point: [`Verifier::verify`].
//!
//! For each document, in this order (each a [`Check`], recorded for the audit trail):
//!
//! 1. **well-formed**: strict CBOR within [`Limits`], every structure as 18013-5 defines it;
//! 2. **issuer chain**: the `x5chain` document-signer certificate chains to a trust anchor
//!    authorised for issuing (or is a pinned signer), every certificate valid at the time;
//! 3. **issuer signature**: `issuerAuth` (ES256) verifies with the document-signer key;
//! 4. **docType**: the MSO's docType equals the document's;
//! 5. **validity**: `validFrom < validUntil`, `signed ≤ validUntil`, `signed` within the
//!    document-signer certificate's validity (18013-5 §9.3.1), and `validFrom ≤ time ≤ validUntil`;
//! 6. **digests**: every disclosed item's SHA-256 over its received `IssuerSignedItemBytes`
//!    equals the MSO digest for its namespace and digest ID; no digest ID or element twice;
//! 7. **device authentication**: `deviceSignature` with the MSO device key, or `deviceMac`
//!    with EMacKey (ECDH of the reader's ephemeral key and the device key, HKDF), over
//!    DeviceAuthenticationBytes rebuilt from the given transcript;
//! 8. **key authorizations**: device-signed elements are ones the MSO lets the device sign.
//!
//! The result is either a [`VerifiedResponse`] holding only verified elements, or a
//! [`VerifyError`] naming the failed check. There is no "data plus flags" to ignore.
//!
//! ```
//! # use zhengzhao::cbor::Value;
//! # use zhengzhao::crypto::SoftwareKey;
//! # use zhengzhao::issuer::Issuer;
//! # use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
//! # use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
//! # use zhengzhao::time::UnixTime;
//! # use zhengzhao::trust::testpki::TestPki;
//! use zhengzhao::verifier::{Verifier, VerifyOptions};
//! # let now = UnixTime::now();
//! # let pki = TestPki::generate(now)?;
//! # let trust = pki.issuer_trust_store();
//! # let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
//! # let device_key = SoftwareKey::generate()?;
//! # let credential = issuer.credential("org.iso.18013.5.1.mDL")
//! #     .element("org.iso.18013.5.1", "family_name", Value::text("Zhang"))
//! #     .device_key(device_key.public()).validity(now, now, now.add_secs(86_400)).sign()?;
//! # let transcript = SessionTranscript::new(None, None, &Value::text("example handover"));
//! # let request = DeviceRequest::new(vec![DocRequest::new(ItemsRequest::new("org.iso.18013.5.1.mDL")
//! #     .with_element("org.iso.18013.5.1", "family_name", false))]);
//! # let parsed = ParsedRequest::parse(&request.to_bytes(), &transcript, &RequestOptions::new(now))?;
//! # let mut builder = ResponseBuilder::new(&transcript);
//! # let doc = &parsed.documents()[0];
//! # builder.add_document(&credential, doc, &doc.disclosable(&credential), &device_key)?;
//! # let response_bytes = builder.finish();
//! let opts = VerifyOptions::new(&transcript, now);
//! let verified = Verifier::new(trust).verify(&response_bytes, &opts)?;
//! let doc = &verified.documents[0];
//! assert_eq!(doc.issuer_signed["org.iso.18013.5.1"]["family_name"], Value::text("Zhang"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::cbor::{Limits, Value};
use crate::cose::CoseError;
use crate::crypto::{self, CryptoError, CryptoProvider, KeyAgreement};
use crate::model::{
    DeviceAuth, DeviceResponse, Document, ModelError, SessionTranscript, ValidityInfo,
};
use crate::time::UnixTime;
use crate::trust::cache::{TrustFingerprint, DEFAULT_CHAIN_CACHE_CAPACITY};
use crate::trust::{Certificate, ChainCache, ChainUsage, TrustError, TrustStore};

mod batch;
pub use batch::BatchItem;

/// One verification check, as named in errors and in the audit trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// Strict CBOR and 18013-5 structure.
    WellFormed,
    /// The response status is OK and it holds documents.
    ResponseStatus,
    /// The document-signer chain to a trust anchor, valid at the time.
    IssuerChain,
    /// The `issuerAuth` signature over the MSO.
    IssuerSignature,
    /// The MSO docType equals the document's.
    DocType,
    /// The MSO validity window contains the time.
    Validity,
    /// Every disclosed item matches its MSO digest.
    Digests,
    /// Device signature or MAC over DeviceAuthentication.
    DeviceAuthentication,
    /// Device-signed elements are authorised by the MSO.
    KeyAuthorizations,
}

impl Check {
    /// Every check, in declaration order. Mirrors of this enum (the bindings'
    /// `Check`) test against it, so a new check cannot silently map to a catch-all there.
    /// A slice, not an array, so that adding a check does not change its type.
    pub const ALL: &'static [Check] = &[
        Check::WellFormed,
        Check::ResponseStatus,
        Check::IssuerChain,
        Check::IssuerSignature,
        Check::DocType,
        Check::Validity,
        Check::Digests,
        Check::DeviceAuthentication,
        Check::KeyAuthorizations,
    ];

    /// A stable snake_case name, used by tools and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Check::WellFormed => "well_formed",
            Check::ResponseStatus => "response_status",
            Check::IssuerChain => "issuer_chain",
            Check::IssuerSignature => "issuer_signature",
            Check::DocType => "doc_type",
            Check::Validity => "validity",
            Check::Digests => "digests",
            Check::DeviceAuthentication => "device_authentication",
            Check::KeyAuthorizations => "key_authorizations",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why a response was rejected. [`VerifyError::check`] names the failed [`Check`]; `document`
/// is the index of the offending document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a well-formed DeviceResponse (CBOR or structure).
    #[error("malformed DeviceResponse: {0}")]
    Malformed(#[source] ModelError),
    /// The response reports an error status.
    #[error("DeviceResponse status {status}")]
    Status {
        /// The status code.
        status: u64,
    },
    /// The response holds no documents.
    #[error("DeviceResponse holds no documents")]
    NoDocuments,
    /// A document's MSO is malformed.
    #[error("document {document}: malformed MSO: {source}")]
    MalformedMso {
        /// Document index.
        document: usize,
        /// What was wrong.
        source: ModelError,
    },
    /// No usable `x5chain` in `issuerAuth`.
    #[error("document {document}: issuer certificate chain missing or malformed")]
    X5Chain {
        /// Document index.
        document: usize,
        /// What was wrong.
        source: CoseError,
    },
    /// The document-signer chain does not validate against the trust anchors at the time.
    #[error("document {document}: issuer chain: {source}")]
    IssuerChain {
        /// Document index.
        document: usize,
        /// Which certificate check failed.
        source: TrustError,
    },
    /// The `issuerAuth` signature does not verify.
    #[error("document {document}: issuer signature invalid")]
    IssuerSignature {
        /// Document index.
        document: usize,
        /// Detail.
        source: CoseError,
    },
    /// The MSO docType differs from the document's.
    #[error("document {document}: MSO docType does not match the document")]
    DocTypeMismatch {
        /// Document index.
        document: usize,
    },
    /// The MSO is not valid yet.
    #[error("document {document}: MSO not valid before {valid_from}")]
    MsoNotYetValid {
        /// Document index.
        document: usize,
        /// Start of validity.
        valid_from: UnixTime,
    },
    /// The MSO has expired.
    #[error("document {document}: MSO expired at {valid_until}")]
    MsoExpired {
        /// Document index.
        document: usize,
        /// End of validity.
        valid_until: UnixTime,
    },
    /// The MSO's `validUntil` is not later than its `validFrom`: there is no time at which
    /// it could be valid.
    #[error(
        "document {document}: MSO validUntil {valid_until} is not after validFrom {valid_from}"
    )]
    MsoValidityEmpty {
        /// Document index.
        document: usize,
        /// Start of validity.
        valid_from: UnixTime,
        /// End of validity.
        valid_until: UnixTime,
    },
    /// The MSO claims to have been signed after its own `validUntil`.
    #[error("document {document}: MSO signed at {signed}, after its validUntil {valid_until}")]
    MsoSignedAfterValidUntil {
        /// Document index.
        document: usize,
        /// The MSO's `signed` time.
        signed: UnixTime,
        /// End of validity.
        valid_until: UnixTime,
    },
    /// The MSO's `signed` time is before the document-signer certificate's `notBefore`
    /// (18013-5 §9.3.1: the MSO must be signed while the certificate is valid).
    #[error("document {document}: MSO signed at {signed}, before the document signer's notBefore {not_before}")]
    MsoSignedBeforeSigner {
        /// Document index.
        document: usize,
        /// The MSO's `signed` time.
        signed: UnixTime,
        /// The document-signer certificate's `notBefore`.
        not_before: UnixTime,
    },
    /// The MSO's `signed` time is after the document-signer certificate's `notAfter`.
    #[error("document {document}: MSO signed at {signed}, after the document signer's notAfter {not_after}")]
    MsoSignedAfterSigner {
        /// Document index.
        document: usize,
        /// The MSO's `signed` time.
        signed: UnixTime,
        /// The document-signer certificate's `notAfter`.
        not_after: UnixTime,
    },
    /// A disclosed item's digest differs from the MSO's.
    #[error("document {document}: digest mismatch in {namespace} for digest ID {digest_id}")]
    DigestMismatch {
        /// Document index.
        document: usize,
        /// Namespace of the item.
        namespace: String,
        /// Its digest ID.
        digest_id: u64,
    },
    /// A disclosed item has no digest in the MSO.
    #[error(
        "document {document}: element in {namespace} with digest ID {digest_id} is not in the MSO"
    )]
    ElementNotInMso {
        /// Document index.
        document: usize,
        /// Namespace of the item.
        namespace: String,
        /// Its digest ID.
        digest_id: u64,
    },
    /// Two disclosed items with the same digest ID, or the same element twice.
    #[error("document {document}: duplicate digest ID or element in {namespace}")]
    DuplicateElement {
        /// Document index.
        document: usize,
        /// Namespace of the items.
        namespace: String,
    },
    /// `deviceSignature` does not verify with the MSO device key.
    #[error("document {document}: device signature invalid")]
    DeviceSignature {
        /// Document index.
        document: usize,
        /// Detail.
        source: CoseError,
    },
    /// `deviceMac` does not verify with EMacKey.
    #[error("document {document}: device MAC invalid")]
    DeviceMac {
        /// Document index.
        document: usize,
        /// Detail.
        source: CoseError,
    },
    /// `deviceMac` needs the reader's ephemeral private key, and none was given.
    #[error("document {document}: device MAC needs the reader's ephemeral key")]
    ReaderKeyRequired {
        /// Document index.
        document: usize,
    },
    /// Key agreement for EMacKey failed.
    #[error("document {document}: key agreement for the device MAC failed")]
    KeyAgreement {
        /// Document index.
        document: usize,
        /// Detail.
        source: CryptoError,
    },
    /// A device-signed element the MSO does not authorise the device key to sign.
    #[error("document {document}: device-signed element in {namespace} not authorised")]
    KeyAuthorization {
        /// Document index.
        document: usize,
        /// Namespace of the element.
        namespace: String,
    },
}

impl VerifyError {
    /// The check that failed.
    pub fn check(&self) -> Check {
        match self {
            VerifyError::Malformed(_) | VerifyError::MalformedMso { .. } => Check::WellFormed,
            VerifyError::Status { .. } | VerifyError::NoDocuments => Check::ResponseStatus,
            VerifyError::X5Chain { .. } | VerifyError::IssuerChain { .. } => Check::IssuerChain,
            VerifyError::IssuerSignature { .. } => Check::IssuerSignature,
            VerifyError::DocTypeMismatch { .. } => Check::DocType,
            VerifyError::MsoNotYetValid { .. }
            | VerifyError::MsoExpired { .. }
            | VerifyError::MsoValidityEmpty { .. }
            | VerifyError::MsoSignedAfterValidUntil { .. }
            | VerifyError::MsoSignedBeforeSigner { .. }
            | VerifyError::MsoSignedAfterSigner { .. } => Check::Validity,
            VerifyError::DigestMismatch { .. }
            | VerifyError::ElementNotInMso { .. }
            | VerifyError::DuplicateElement { .. } => Check::Digests,
            VerifyError::DeviceSignature { .. }
            | VerifyError::DeviceMac { .. }
            | VerifyError::ReaderKeyRequired { .. }
            | VerifyError::KeyAgreement { .. } => Check::DeviceAuthentication,
            VerifyError::KeyAuthorization { .. } => Check::KeyAuthorizations,
        }
    }

    /// The index of the document that failed, if the failure is specific to one.
    pub fn document(&self) -> Option<usize> {
        match self {
            VerifyError::Malformed(_) | VerifyError::Status { .. } | VerifyError::NoDocuments => {
                None
            }
            VerifyError::MalformedMso { document, .. }
            | VerifyError::X5Chain { document, .. }
            | VerifyError::IssuerChain { document, .. }
            | VerifyError::IssuerSignature { document, .. }
            | VerifyError::DocTypeMismatch { document }
            | VerifyError::MsoNotYetValid { document, .. }
            | VerifyError::MsoExpired { document, .. }
            | VerifyError::MsoValidityEmpty { document, .. }
            | VerifyError::MsoSignedAfterValidUntil { document, .. }
            | VerifyError::MsoSignedBeforeSigner { document, .. }
            | VerifyError::MsoSignedAfterSigner { document, .. }
            | VerifyError::DigestMismatch { document, .. }
            | VerifyError::ElementNotInMso { document, .. }
            | VerifyError::DuplicateElement { document, .. }
            | VerifyError::DeviceSignature { document, .. }
            | VerifyError::DeviceMac { document, .. }
            | VerifyError::ReaderKeyRequired { document }
            | VerifyError::KeyAgreement { document, .. }
            | VerifyError::KeyAuthorization { document, .. } => Some(*document),
        }
    }
}

/// How the device authenticated a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceAuthMethod {
    /// ECDSA signature with the MSO device key.
    Signature,
    /// HMAC with a key agreed with the reader's ephemeral key.
    Mac,
}

/// Element values by namespace and identifier.
pub type Elements = BTreeMap<String, BTreeMap<String, Value>>;

/// A document that passed every check.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedDocument {
    /// The document type.
    pub doc_type: String,
    /// Subject of the document-signer certificate.
    pub issuer: String,
    /// Subject of the trust anchor the chain ended in.
    pub trust_anchor: String,
    /// The MSO validity window.
    pub validity: ValidityInfo,
    /// Issuer-signed elements, each digest-verified.
    pub issuer_signed: Elements,
    /// Device-signed elements, authenticated by the device and authorised by the MSO.
    pub device_signed: Elements,
    /// How the device authenticated.
    pub device_auth: DeviceAuthMethod,
    /// MSO keys nothing checked (see [`VerifiedDocument::unchecked`]).
    unchecked: Vec<String>,
    /// The trust anchor the chain ended in (for a pinned document signer, the signer itself).
    anchor: Certificate,
}

impl VerifiedDocument {
    /// What the issuer signed that this verifier did not check: the MSO keys it does not
    /// process, in the order received (top-level keys by name, nested ones as
    /// `"validityInfo.<key>"` / `"deviceKeyInfo.<key>"`). An MSO carrying `status` lists
    /// `"status"` here: revocation was **not** checked, and a caller that needs it must check
    /// the status itself or refuse the document. Empty for a plain 18013-5 (2021) MSO.
    pub fn unchecked(&self) -> &[String] {
        &self.unchecked
    }

    /// The trust anchor certificate the document-signer chain ended in (for a pinned document
    /// signer, the signer itself): what a trust list maps to the authority that owns it.
    pub fn trust_anchor_certificate(&self) -> &Certificate {
        &self.anchor
    }
}

impl fmt::Debug for VerifiedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Element values are personal data: identifiers only.
        let ids = |e: &Elements| -> Vec<String> {
            e.iter()
                .flat_map(|(ns, els)| els.keys().map(move |id| format!("{ns}/{id}")))
                .collect()
        };
        f.debug_struct("VerifiedDocument")
            .field("doc_type", &self.doc_type)
            .field("issuer", &self.issuer)
            .field("issuer_signed", &ids(&self.issuer_signed))
            .field("device_signed", &ids(&self.device_signed))
            .field("device_auth", &self.device_auth)
            .field("unchecked", &self.unchecked)
            .finish_non_exhaustive()
    }
}

/// A response that passed every check.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct VerifiedResponse {
    /// The verified documents, in the order received.
    pub documents: Vec<VerifiedDocument>,
    /// Documents the holder did not return: docType → error code (information only).
    pub document_errors: Vec<(String, i64)>,
    /// Every check that ran and passed, in order (per document).
    pub checks: Vec<(usize, Check)>,
}

/// What one verification is checked against: the session it must be bound to, the time, and
/// (for `deviceMac`) the reader's ephemeral key.
///
/// ```ignore
/// let opts = VerifyOptions::new(&transcript, now);                                // deviceSignature
/// let opts = VerifyOptions::new(&transcript, now).with_reader_key(&reader_key);   // deviceMac
/// let verified = verifier.verify(&response_bytes, &opts)?;
/// ```
///
/// The fields are private so that options can grow without breaking callers: planned are a
/// status-list resolution policy (what to do when a credential names a status list) and the
/// OpenID4VP / Digital Credentials API transcripts, each added as another `with_*` method
/// with today's behaviour as the default.
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    transcript: &'a SessionTranscript,
    at: UnixTime,
    reader_key: Option<&'a dyn KeyAgreement>,
}

impl<'a> VerifyOptions<'a> {
    /// Options for a response bound to `transcript`, verified at time `at`, with no reader
    /// key (a `deviceMac` response then fails with [`VerifyError::ReaderKeyRequired`]).
    pub fn new(transcript: &'a SessionTranscript, at: UnixTime) -> Self {
        VerifyOptions {
            transcript,
            at,
            reader_key: None,
        }
    }

    /// The same options with the reader's ephemeral private key, needed only for `deviceMac`.
    pub fn with_reader_key(mut self, reader_key: &'a dyn KeyAgreement) -> Self {
        self.reader_key = Some(reader_key);
        self
    }

    /// The session transcript the response must be bound to.
    pub fn transcript(&self) -> &'a SessionTranscript {
        self.transcript
    }

    /// The verification time.
    pub fn at(&self) -> UnixTime {
        self.at
    }

    /// The reader's ephemeral private key, if given.
    pub fn reader_key(&self) -> Option<&'a dyn KeyAgreement> {
        self.reader_key
    }
}

impl fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("at", &self.at)
            .field("reader_key", &self.reader_key.is_some())
            .finish_non_exhaustive()
    }
}

/// Verifies DeviceResponses against a set of trust anchors.
///
/// A verifier remembers the document-signer chains it validated (a [`ChainCache`] of
/// [`DEFAULT_CHAIN_CACHE_CAPACITY`] chains, on by default; see
/// [`Verifier::with_chain_cache`]), so a chain it has seen before is not parsed or
/// signature-checked again; every certificate's validity period is still checked at each
/// verification time, and [`Check::IssuerChain`] is reported either way. Clones share the
/// cache. `Verifier` is `Send + Sync`: share one across threads, or use
/// [`Verifier::verify_batch`].
#[derive(Clone, Debug)]
pub struct Verifier {
    trust: TrustStore,
    limits: Limits,
    anchors: TrustFingerprint,
    chains: Arc<ChainCache>,
    provider: Arc<dyn CryptoProvider>,
}

impl Verifier {
    /// A verifier trusting `trust` (issuing-authority CAs, or explicitly pinned signers),
    /// with the default crypto provider.
    pub fn new(trust: TrustStore) -> Self {
        Verifier {
            anchors: TrustFingerprint::of(&trust),
            trust,
            limits: Limits::default(),
            chains: Arc::new(ChainCache::new(DEFAULT_CHAIN_CACHE_CAPACITY)),
            provider: crypto::default_provider(),
        }
    }

    /// Replaces the crypto provider. Every signature check (certificate chain, `issuerAuth`,
    /// `deviceSignature`), every digest, and the SHA-256, HKDF and HMAC of `deviceMac` run on
    /// it; the ECDH of `deviceMac` is done by the `reader_key` given to
    /// [`VerifyOptions::with_reader_key`] (wrap a software key in [`crypto::ProviderKey`] to run it on the
    /// same provider).
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// The crypto provider in use.
    pub fn provider(&self) -> &Arc<dyn CryptoProvider> {
        &self.provider
    }

    /// Replaces the chain cache with a new one holding at most `capacity` validated chains
    /// (least recently used evicted first); 0 turns caching off, so every verification
    /// validates the chain in full.
    pub fn with_chain_cache(mut self, capacity: usize) -> Self {
        self.chains = Arc::new(ChainCache::new(capacity));
        self
    }

    /// The chain cache (for its statistics, or to clear it).
    pub fn chain_cache(&self) -> &ChainCache {
        &self.chains
    }

    /// Replaces the CBOR limits (see [`Limits`] for the defaults).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The trust anchors.
    pub fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies `response` (DeviceResponse bytes) against `options`: the session transcript
    /// it must be bound to, the time, and the reader's ephemeral key for `deviceMac`.
    pub fn verify(
        &self,
        response: &[u8],
        options: &VerifyOptions<'_>,
    ) -> Result<VerifiedResponse, VerifyError> {
        let (transcript, at, reader_key) = (options.transcript, options.at, options.reader_key);
        let parsed =
            DeviceResponse::parse(response, &self.limits).map_err(VerifyError::Malformed)?;
        if parsed.status != 0 {
            return Err(VerifyError::Status {
                status: parsed.status,
            });
        }
        if parsed.documents.is_empty() {
            return Err(VerifyError::NoDocuments);
        }
        let mut checks = Vec::new();
        let mut documents = Vec::with_capacity(parsed.documents.len());
        for (i, doc) in parsed.documents.into_iter().enumerate() {
            checks.push((i, Check::WellFormed));
            checks.push((i, Check::ResponseStatus));
            documents.push(self.verify_document(
                i,
                doc,
                transcript,
                at,
                reader_key,
                &mut checks,
            )?);
        }
        Ok(VerifiedResponse {
            documents,
            document_errors: parsed.document_errors,
            checks,
        })
    }

    fn verify_document(
        &self,
        document: usize,
        mut doc: Document,
        transcript: &SessionTranscript,
        at: UnixTime,
        reader_key: Option<&dyn KeyAgreement>,
        checks: &mut Vec<(usize, Check)>,
    ) -> Result<VerifiedDocument, VerifyError> {
        let issuer_auth = &doc.issuer_signed.issuer_auth;

        // 2. Issuer chain.
        let chain_der = issuer_auth
            .x5chain()
            .map_err(|source| VerifyError::X5Chain { document, source })?;
        let provider = self.provider.as_ref();
        let validated = self
            .chains
            .validate(
                provider,
                &chain_der,
                &self.trust,
                &self.anchors,
                ChainUsage::DocumentSigner,
                at,
            )
            .map_err(|source| VerifyError::IssuerChain { document, source })?;
        checks.push((document, Check::IssuerChain));

        // 3. Issuer signature over MobileSecurityObjectBytes.
        issuer_auth
            .verify_with(provider, validated.leaf_public_key(), None)
            .map_err(|source| VerifyError::IssuerSignature { document, source })?;
        checks.push((document, Check::IssuerSignature));

        let mso = doc
            .issuer_signed
            .mso_unverified(&self.limits)
            .map_err(|source| VerifyError::MalformedMso { document, source })?;

        // 4. docType.
        if mso.doc_type != doc.doc_type {
            return Err(VerifyError::DocTypeMismatch { document });
        }
        checks.push((document, Check::DocType));

        // 5. Validity: first the MSO's own times (consistent, and signed while the document
        // signer could sign), then the verification time within the window.
        check_mso_times(document, &mso.validity, validated.leaf_validity())?;
        if at < mso.validity.valid_from {
            return Err(VerifyError::MsoNotYetValid {
                document,
                valid_from: mso.validity.valid_from,
            });
        }
        if at > mso.validity.valid_until {
            return Err(VerifyError::MsoExpired {
                document,
                valid_until: mso.validity.valid_until,
            });
        }
        checks.push((document, Check::Validity));

        // 6. Digests.
        // The parsed items are moved into the result, not copied.
        let mut issuer_signed = Elements::new();
        for (ns, items) in core::mem::take(&mut doc.issuer_signed.namespaces) {
            let mut seen_ids = BTreeSet::new();
            let mut out = issuer_signed.remove(&ns).unwrap_or_default();
            for signed in items {
                let digest_id = signed.item().digest_id;
                let expected =
                    mso.digest(&ns, digest_id)
                        .ok_or_else(|| VerifyError::ElementNotInMso {
                            document,
                            namespace: ns.clone(),
                            digest_id,
                        })?;
                if provider.sha256(signed.tagged_bytes()).as_slice() != expected {
                    return Err(VerifyError::DigestMismatch {
                        document,
                        namespace: ns.clone(),
                        digest_id,
                    });
                }
                let item = signed.into_item();
                if !seen_ids.insert(digest_id) || out.contains_key(&item.element_identifier) {
                    return Err(VerifyError::DuplicateElement {
                        document,
                        namespace: ns.clone(),
                    });
                }
                out.insert(item.element_identifier, item.element_value);
            }
            issuer_signed.insert(ns, out);
        }
        checks.push((document, Check::Digests));

        // 7. Device authentication over DeviceAuthenticationBytes rebuilt from our transcript.
        let device_signed = &doc.device_signed;
        let dab =
            transcript.device_authentication_bytes(&doc.doc_type, device_signed.namespaces_bytes());
        let device_key = mso.device_key.public_key();
        let device_auth = match &device_signed.device_auth {
            DeviceAuth::Signature(sig) => {
                sig.verify_with(provider, device_key, Some(&dab))
                    .map_err(|source| VerifyError::DeviceSignature { document, source })?;
                DeviceAuthMethod::Signature
            }
            DeviceAuth::Mac(mac) => {
                let reader_key = reader_key.ok_or(VerifyError::ReaderKeyRequired { document })?;
                let key =
                    crypto::e_mac_key(provider, reader_key, device_key, transcript.tagged_bytes())
                        .map_err(|source| VerifyError::KeyAgreement { document, source })?;
                mac.verify_with(provider, &key, Some(&dab))
                    .map_err(|source| VerifyError::DeviceMac { document, source })?;
                DeviceAuthMethod::Mac
            }
        };
        checks.push((document, Check::DeviceAuthentication));

        // 8. Key authorizations for device-signed elements.
        let mut device_elements = Elements::new();
        for (ns, els) in doc.device_signed.take_namespaces() {
            for (id, value) in els {
                let allowed = mso
                    .key_authorizations
                    .as_ref()
                    .is_some_and(|ka| ka.allows(&ns, &id));
                if !allowed {
                    return Err(VerifyError::KeyAuthorization {
                        document,
                        namespace: ns.clone(),
                    });
                }
                device_elements
                    .entry(ns.clone())
                    .or_default()
                    .insert(id, value);
            }
        }
        checks.push((document, Check::KeyAuthorizations));

        Ok(VerifiedDocument {
            doc_type: doc.doc_type,
            issuer: validated.leaf_subject().to_owned(),
            trust_anchor: validated.anchor_subject().to_owned(),
            validity: mso.validity,
            issuer_signed,
            device_signed: device_elements,
            device_auth,
            unchecked: mso.unknown_keys,
            anchor: validated.anchor().clone(),
        })
    }
}

/// The [`Check::Validity`] rules on the MSO's own times, independent of the verification time:
///
/// - `validUntil` later than `validFrom` (an empty or inverted window is never usable; equal
///   times are rejected too, since `validFrom ≤ t ≤ validUntil` would then admit one second
///   only, which no issuer means);
/// - `signed` not after `validUntil` (an MSO cannot be signed after it stopped being valid);
/// - `signed` within the document-signer certificate's `notBefore..=notAfter` (18013-5
///   §9.3.1), using the leaf window the chain validation captured, so a chain served from the
///   [`ChainCache`] is held to exactly the same rule as a freshly validated one.
///
/// `signed` is not required to be at or before `validFrom`: 18013-5 does not ask for it and
/// issuers that pre-date `validFrom` for clock skew exist.
fn check_mso_times(
    document: usize,
    validity: &ValidityInfo,
    (not_before, not_after): (UnixTime, UnixTime),
) -> Result<(), VerifyError> {
    let ValidityInfo {
        signed,
        valid_from,
        valid_until,
        ..
    } = *validity;
    if valid_until <= valid_from {
        return Err(VerifyError::MsoValidityEmpty {
            document,
            valid_from,
            valid_until,
        });
    }
    if signed > valid_until {
        return Err(VerifyError::MsoSignedAfterValidUntil {
            document,
            signed,
            valid_until,
        });
    }
    if signed < not_before {
        return Err(VerifyError::MsoSignedBeforeSigner {
            document,
            signed,
            not_before,
        });
    }
    if signed > not_after {
        return Err(VerifyError::MsoSignedAfterSigner {
            document,
            signed,
            not_after,
        });
    }
    Ok(())
}

#[cfg(test)]
mod check_list_tests {
    use super::Check;

    /// The declaration index of `check`. The match has no wildcard, so a new variant does not
    /// compile until it is placed here, and the test below then fails until `ALL` lists it.
    fn position(check: Check) -> usize {
        match check {
            Check::WellFormed => 0,
            Check::ResponseStatus => 1,
            Check::IssuerChain => 2,
            Check::IssuerSignature => 3,
            Check::DocType => 4,
            Check::Validity => 5,
            Check::Digests => 6,
            Check::DeviceAuthentication => 7,
            Check::KeyAuthorizations => 8,
        }
    }

    #[test]
    fn all_is_a_slice_so_new_checks_do_not_change_its_type() {
        // Does not compile while `ALL` is an array: the slice type is the public contract.
        const ALL: &[Check] = Check::ALL;
        assert_eq!(ALL.first(), Some(&Check::WellFormed));
    }

    #[test]
    fn all_lists_every_check_once_in_declaration_order() {
        for (i, check) in Check::ALL.iter().copied().enumerate() {
            assert_eq!(position(check), i, "{check}");
        }
        let highest = Check::ALL.iter().copied().map(position).max();
        assert_eq!(highest, Some(Check::ALL.len() - 1));
        let mut names: Vec<&str> = Check::ALL.iter().copied().map(Check::name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Check::ALL.len(), "names are unique");
    }
}
