//! The checks a verification runs and the typed error naming the one that failed.

use super::*;

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
    /// The credential's status list says it is valid (run only with
    /// [`VerifyOptions::with_status`] and an MSO that names a list).
    Status,
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
        Check::Status,
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
            Check::Status => "status",
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
    /// The credential is revoked (吊销 / 注销): a status list it names says INVALID.
    #[error("document {document}: the credential is revoked")]
    Revoked {
        /// Document index.
        document: usize,
    },
    /// The credential is suspended (暂扣, 记满12分): a status list it names says SUSPENDED.
    #[error("document {document}: the credential is suspended")]
    Suspended {
        /// Document index.
        document: usize,
    },
    /// A status list holds an application-specific value for the credential (for Chinese
    /// licences 3, [`crate::status::CN_OVERDUE`]); its meaning is not "valid", so it fails.
    #[error("document {document}: the credential has application-specific status {value}")]
    StatusApplicationSpecific {
        /// Document index.
        document: usize,
        /// The status value.
        value: u8,
    },
    /// The status could not be determined (list unreachable, invalid, expired, index out of
    /// range…). Neither valid nor revoked; see
    /// [`StatusChecker::accept_undetermined`](crate::status::StatusChecker::accept_undetermined).
    #[error("document {document}: status could not be determined: {source}")]
    StatusUndetermined {
        /// Document index.
        document: usize,
        /// Why.
        source: StatusError,
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
            VerifyError::Revoked { .. }
            | VerifyError::Suspended { .. }
            | VerifyError::StatusApplicationSpecific { .. }
            | VerifyError::StatusUndetermined { .. } => Check::Status,
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
            | VerifyError::KeyAuthorization { document, .. }
            | VerifyError::Revoked { document }
            | VerifyError::Suspended { document }
            | VerifyError::StatusApplicationSpecific { document, .. }
            | VerifyError::StatusUndetermined { document, .. } => Some(*document),
        }
    }
}
