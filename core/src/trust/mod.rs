//! X.509 certificates, trust anchors and chain validation.
//!
//! ISO/IEC 18013-5 Annex B defines two small PKIs: an issuing authority CA (IACA) signs
//! document-signer (DS) certificates, whose keys sign the Mobile Security Object; a reader CA
//! signs reader-authentication certificates. A verifier trusts a list of IACAs, a holder a list
//! of reader CAs. [`validate_chain`] checks an `x5chain` (leaf first) against a [`TrustStore`]
//! whose [`TrustAnchor`]s each say what they are trusted for ([`AnchorRole`]).
//!
//! The validator is deliberately small: P-256 keys and `ecdsa-with-SHA256` signatures only,
//! at most [`MAX_CHAIN_LEN`] certificates, issuer/subject names compared as encoded, no
//! revocation (status is a separate check), no name or policy constraints (a certificate
//! marking such an extension critical is rejected).

pub mod cache;
mod certificate;
#[cfg(feature = "test-pki")]
pub mod testpki;

#[cfg(test)]
mod tests;

pub(crate) use cache::ChainCache;
pub use certificate::{parse_pem_or_der, Certificate};

use der::asn1::ObjectIdentifier;
use der::oid::AssociatedOid;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, IssuerAltName, KeyUsage,
    SubjectAltName, SubjectKeyIdentifier,
};

use crate::crypto::{self, CryptoProvider, EcPublicKey};
use crate::time::UnixTime;

/// Why a certificate or chain was rejected.
///
/// `position` counts along the certification path: 0 is the leaf, then the chain as given,
/// and the trust anchor comes last — at `chain.len()` when it was found in the trust store, or
/// at `chain.len() - 1` when the chain itself ends with the anchor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// Bytes that are not a strict-DER X.509 certificate (or PEM block of one), or a
    /// certificate whose public key is not a valid point.
    #[error("malformed certificate")]
    Parse,
    /// A certificate signed with anything but `ecdsa-with-SHA256`.
    #[error("unsupported signature algorithm")]
    UnsupportedAlgorithm,
    /// A certificate whose inner (`tbsCertificate.signature`) and outer
    /// (`signatureAlgorithm`) algorithm identifiers differ (RFC 5280 §4.1.1.2).
    #[error("signature algorithm mismatch in certificate {position}")]
    AlgorithmMismatch {
        /// Position of the certificate in the path.
        position: usize,
    },
    /// A public key other than P-256.
    #[error("unsupported public key type")]
    UnsupportedKey,
    /// No certificates at all.
    #[error("empty certificate chain")]
    EmptyChain,
    /// More certificates than [`MAX_CHAIN_LEN`].
    #[error("certificate chain too long")]
    ChainTooLong,
    /// The same certificate appears twice in the chain.
    #[error("certificate chain contains a loop")]
    ChainLoop,
    /// The certificate at `position` is not signed by the next one in the path.
    #[error("signature on certificate {position} does not verify")]
    SignatureInvalid {
        /// Position of the certificate whose signature failed.
        position: usize,
    },
    /// The issuer name of the certificate at `position` is not the subject of the next.
    #[error("issuer of certificate {position} does not match the next certificate")]
    IssuerMismatch {
        /// Position of the certificate whose issuer did not match.
        position: usize,
    },
    /// The chain does not end at (or is not signed by) an anchor trusted for this usage.
    #[error("chain does not lead to a trusted anchor")]
    UntrustedRoot,
    /// The certificate at `position` expired before the validation time.
    #[error("certificate {position} has expired")]
    Expired {
        /// Position of the expired certificate.
        position: usize,
    },
    /// The certificate at `position` is not yet valid at the validation time.
    #[error("certificate {position} is not yet valid")]
    NotYetValid {
        /// Position of the certificate.
        position: usize,
    },
    /// An issuing certificate without basicConstraints `cA` TRUE.
    #[error("certificate {position} is not a CA")]
    NotACa {
        /// Position of the certificate.
        position: usize,
    },
    /// keyUsage forbids the use: an issuer without `keyCertSign`, or a leaf without
    /// `digitalSignature`.
    #[error("key usage of certificate {position} does not allow this use")]
    KeyUsage {
        /// Position of the certificate.
        position: usize,
    },
    /// A certificate without the keyUsage extension where its profile requires one: a
    /// document signer (ISO/IEC 18013-5 Annex B, Table B.3), chained or pinned.
    #[error("certificate {position} has no key usage extension")]
    KeyUsageMissing {
        /// Position of the certificate.
        position: usize,
    },
    /// A document signer (the leaf, chained or pinned) with basicConstraints `cA` TRUE: Annex B
    /// forbids it, and a CA key must not sign MSOs.
    #[error("document signer certificate is a CA")]
    DocumentSignerIsCa,
    /// The leaf lacks the extended key usage the chain usage requires.
    #[error("leaf certificate lacks the required extended key usage")]
    ExtendedKeyUsage,
    /// An issuer's pathLenConstraint is exceeded by the intermediates below it.
    #[error("path length constraint of certificate {position} exceeded")]
    PathLength {
        /// Position of the constraining certificate.
        position: usize,
    },
    /// A critical extension this validator does not process.
    #[error("certificate {position} has an unsupported critical extension")]
    UnsupportedCriticalExtension {
        /// Position of the certificate.
        position: usize,
    },
    /// The same extension twice in one certificate (RFC 5280 §4.2).
    #[error("certificate {position} repeats an extension")]
    DuplicateExtension {
        /// Position of the certificate.
        position: usize,
    },
    /// An extension this validator processes (basicConstraints, keyUsage, extKeyUsage) whose
    /// value does not decode.
    #[error("certificate {position} has a malformed extension")]
    MalformedExtension {
        /// Position of the certificate.
        position: usize,
    },
    /// [`TrustStore::add_pem_or_der`] was asked to pin document signers: that is
    /// [`crate::danger::add_pinned_document_signers`].
    #[error("pinning a document signer is done through zhengzhao::danger")]
    PinnedOutsideDanger,
    /// Generating a test PKI failed (the `test-pki` feature's `testpki` module).
    #[error("could not build test certificates")]
    Build,
}

/// The most certificates accepted in one chain (leaf, intermediates and, if included, the
/// anchor).
pub const MAX_CHAIN_LEN: usize = 5;

/// `ecdsa-with-SHA256` (RFC 5758 §3.2).
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Extended key usage of a mdoc document signer (ISO/IEC 18013-5 Annex B, Table B.3).
pub const EKU_DOCUMENT_SIGNER: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.0.18013.5.1.2");

/// Extended key usage of a mdoc reader-authentication certificate (ISO/IEC 18013-5 Annex B,
/// Table B.9).
pub const EKU_READER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.0.18013.5.1.6");

/// What a trust anchor is trusted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnchorRole {
    /// An issuing authority CA (IACA): validates document-signer chains.
    IssuingAuthority,
    /// A reader CA: validates reader-authentication chains.
    ReaderAuthority,
    /// A document-signer certificate trusted as it is, when the leaf of a chain is
    /// byte-identical to it.
    ///
    /// This is an explicit opt-in for issuers whose CA is not published (some public test
    /// vectors). It skips every CA check (issuer, CA signature, the CA's extensions) and the
    /// extKeyUsage requirement, and the parts of the Annex B document-signer profile that a CA
    /// vouches for (keyUsage present, not a CA: some published issuers sign MSOs with a
    /// self-signed CA certificate). It still rejects an unknown critical extension, an
    /// extension twice, and a keyUsage without `digitalSignature`; then it checks the validity
    /// period at the validation time (and that its key is P-256). The issuerAuth signature
    /// under its key is still checked by the caller.
    PinnedDocumentSigner,
}

/// A certificate trusted for one [`AnchorRole`].
#[derive(Debug, Clone, PartialEq, Eq)]
///
/// Built with [`TrustAnchor::issuing_authority`] or [`TrustAnchor::reader_authority`]; a
/// pinned document signer only through [`crate::danger::pinned_document_signer`].
pub struct TrustAnchor {
    certificate: Certificate,
    role: AnchorRole,
}

impl TrustAnchor {
    /// An anchor with the given role (any role: crate-internal).
    pub(crate) fn new(certificate: Certificate, role: AnchorRole) -> Self {
        TrustAnchor { certificate, role }
    }

    /// The trusted certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// What it is trusted for.
    pub fn role(&self) -> AnchorRole {
        self.role
    }

    /// An issuing authority CA (IACA).
    pub fn issuing_authority(certificate: Certificate) -> Self {
        Self::new(certificate, AnchorRole::IssuingAuthority)
    }

    /// A reader CA.
    pub fn reader_authority(certificate: Certificate) -> Self {
        Self::new(certificate, AnchorRole::ReaderAuthority)
    }

    /// A pinned document signer; see [`AnchorRole::PinnedDocumentSigner`]. Public only as
    /// [`crate::danger::pinned_document_signer`].
    pub(crate) fn pinned_document_signer(certificate: Certificate) -> Self {
        Self::new(certificate, AnchorRole::PinnedDocumentSigner)
    }
}

/// The anchors a verifier (or holder) trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor>,
}

impl TrustStore {
    /// An empty store; it trusts nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an anchor.
    pub fn add(&mut self, anchor: TrustAnchor) {
        self.anchors.push(anchor);
    }

    /// Adds every certificate of a PEM bundle (or a single DER certificate) with `role`;
    /// returns how many were added. Nothing is added if any of them fails to parse.
    ///
    /// [`AnchorRole::PinnedDocumentSigner`] is refused here
    /// ([`TrustError::PinnedOutsideDanger`]): pinning skips the CA, so it is done only through
    /// [`crate::danger::add_pinned_document_signers`], where it says what it is.
    pub fn add_pem_or_der(&mut self, bytes: &[u8], role: AnchorRole) -> Result<usize, TrustError> {
        if role == AnchorRole::PinnedDocumentSigner {
            return Err(TrustError::PinnedOutsideDanger);
        }
        self.add_pem_or_der_any(bytes, role)
    }

    /// [`TrustStore::add_pem_or_der`] for every role, pinned included.
    pub(crate) fn add_pem_or_der_any(
        &mut self,
        bytes: &[u8],
        role: AnchorRole,
    ) -> Result<usize, TrustError> {
        let certs = parse_pem_or_der(bytes)?;
        let count = certs.len();
        self.anchors
            .extend(certs.into_iter().map(|c| TrustAnchor::new(c, role)));
        Ok(count)
    }

    /// The anchors, in the order added.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// Whether the store has no anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    fn with_role(&self, role: AnchorRole) -> impl Iterator<Item = &Certificate> + '_ {
        self.anchors
            .iter()
            .filter(move |a| a.role == role)
            .map(|a| &a.certificate)
    }
}

/// What the leaf of a chain is going to be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChainUsage {
    /// A document signer (issuerAuth `x5chain`), anchored at an
    /// [`AnchorRole::IssuingAuthority`] (or pinned with [`AnchorRole::PinnedDocumentSigner`]).
    ///
    /// The leaf must carry an extKeyUsage extension containing `1.0.18013.5.1.2`: ISO/IEC
    /// 18013-5 Annex B makes it mandatory for DS certificates, so a leaf without it is rejected
    /// ([`TrustError::ExtendedKeyUsage`]). Pinned document signers are exempt.
    DocumentSigner,
    /// A reader-authentication certificate (readerAuth `x5chain`), anchored at an
    /// [`AnchorRole::ReaderAuthority`]. The leaf must carry an extKeyUsage extension containing
    /// `1.0.18013.5.1.6` (mandatory in Annex B).
    ReaderAuth,
    /// A Status List Token signer (ISO/IEC 18013-5 2nd edition §12.3.6.2), anchored at the
    /// IACA that issued the document signer (an [`AnchorRole::IssuingAuthority`] store the
    /// status check builds with that one certificate).
    ///
    /// The leaf is not a CA, its keyUsage (if present) includes `digitalSignature`, and its
    /// extKeyUsage, if present, does not name the document-signer or reader purposes: a
    /// document signer's key signs MSOs, not status lists. The Token Status List EKU
    /// (`id-kp-oauthStatusSigning`) has no OID assigned yet (draft -20 §13), so it cannot be
    /// required.
    StatusList,
    /// An OpenID4VP verifier's request-object signer (the `x5c` of a signed authorization
    /// request, client identifier prefixes `x509_san_dns` and `x509_hash`), anchored at an
    /// [`AnchorRole::ReaderAuthority`]: remote verifiers are trusted by the same authorities
    /// as proximity readers.
    ///
    /// The leaf's keyUsage, if present, includes `digitalSignature`. OpenID4VP names no
    /// extKeyUsage, so none is required; the mdoc reader purpose (`1.0.18013.5.1.6`) is
    /// accepted, and the document-signer purpose is refused (a DS key signs MSOs only).
    RequestObject,
}

impl ChainUsage {
    fn anchor_role(self) -> AnchorRole {
        match self {
            ChainUsage::DocumentSigner => AnchorRole::IssuingAuthority,
            ChainUsage::ReaderAuth => AnchorRole::ReaderAuthority,
            ChainUsage::StatusList => AnchorRole::IssuingAuthority,
            ChainUsage::RequestObject => AnchorRole::ReaderAuthority,
        }
    }

    /// The extKeyUsage purpose the leaf must carry, if the usage requires one.
    fn eku(self) -> Option<ObjectIdentifier> {
        match self {
            ChainUsage::DocumentSigner => Some(EKU_DOCUMENT_SIGNER),
            ChainUsage::ReaderAuth => Some(EKU_READER_AUTH),
            ChainUsage::StatusList | ChainUsage::RequestObject => None,
        }
    }
}

/// A chain that passed [`validate_chain`].
#[derive(Debug, Clone)]
pub struct ValidatedChain {
    leaf: Certificate,
    anchor: Certificate,
    leaf_key: EcPublicKey,
    pinned: bool,
}

impl ValidatedChain {
    /// The leaf (end-entity) certificate.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The trust anchor the chain ended at (for a pinned document signer, the leaf itself).
    pub fn anchor(&self) -> &Certificate {
        &self.anchor
    }

    /// The leaf's public key, the key that must have signed the issuerAuth or readerAuth.
    pub fn leaf_public_key(&self) -> &EcPublicKey {
        &self.leaf_key
    }

    /// Whether the leaf was accepted as an [`AnchorRole::PinnedDocumentSigner`].
    pub fn is_pinned(&self) -> bool {
        self.pinned
    }
}

/// Validates `chain` (leaf first, as carried in an `x5chain`) for `usage` at time `at`.
///
/// In order:
/// 1. the chain has 1 to [`MAX_CHAIN_LEN`] certificates, none twice;
/// 2. for [`ChainUsage::DocumentSigner`], a leaf byte-identical to a
///    [`AnchorRole::PinnedDocumentSigner`] anchor is accepted if it meets the document-signer
///    profile (below) and is valid at `at`;
/// 3. the leaf's key is P-256 and its extKeyUsage is present and includes the usage's OID
///    (see [`ChainUsage`]); a document signer's keyUsage is present and includes
///    `digitalSignature` and it is not a CA (ISO/IEC 18013-5 Annex B); a reader's keyUsage,
///    if present, includes `digitalSignature`;
/// 4. each certificate is issued by the next: issuer name equals the next subject (as
///    encoded) and the `ecdsa-with-SHA256` signature over the received `tbsCertificate`
///    verifies with the next certificate's P-256 key;
/// 5. the last certificate either is byte-identical to an anchor of the matching role (then
///    it is the anchor; a one-certificate chain never anchors itself) or is signed by one:
///    no anchor of that role named as its issuer is [`TrustError::UntrustedRoot`], named
///    anchors whose keys all fail to verify it are [`TrustError::SignatureInvalid`]. Every
///    anchor that verifies it gives a candidate path, tried in store order; the first that
///    passes step 6 is the result, and if none does, the first one's error is returned;
/// 6. every certificate of the path, anchor included, is valid at `at` (bounds inclusive) and
///    has no critical extension other than basicConstraints, keyUsage, extKeyUsage, subject
///    and authority key identifiers, subject and issuer alternative names, and no extension
///    twice; every issuer has basicConstraints `cA` TRUE, `keyCertSign` if it has keyUsage,
///    and a pathLenConstraint (if any) not exceeded by the intermediates below it that are
///    not self-issued (RFC 5280 §6.1.4 (l): a re-issued CA certificate does not count).
pub fn validate_chain(
    chain: &[Certificate],
    store: &TrustStore,
    usage: ChainUsage,
    at: UnixTime,
) -> Result<ValidatedChain, TrustError> {
    validate_chain_with(&crypto::RustCrypto, chain, store, usage, at)
}

/// [`validate_chain`] with the certificate signatures verified by `provider`.
pub fn validate_chain_with(
    provider: &dyn CryptoProvider,
    chain: &[Certificate],
    store: &TrustStore,
    usage: ChainUsage,
    at: UnixTime,
) -> Result<ValidatedChain, TrustError> {
    let paths = candidate_paths(provider, chain, store, usage)?;
    let chosen = paths.select(at)?;
    let anchor = paths
        .paths
        .get(chosen)
        .map_or(&paths.leaf, |path| &path.anchor);
    Ok(ValidatedChain {
        leaf: paths.leaf.clone(),
        anchor: anchor.clone(),
        leaf_key: paths.leaf_key.clone(),
        pinned: paths.pinned,
    })
}

/// The certification paths a chain can take to the trust store, with every check that does
/// not depend on the time already done: what [`validate_chain`] decides at a given time, and
/// what the [`cache`] keeps of a chain that validated.
#[derive(Clone)]
pub(crate) struct CandidatePaths {
    leaf: Certificate,
    leaf_key: EcPublicKey,
    pinned: bool,
    /// One per anchor that verifies the chain, in trust-store order (exactly one when the
    /// chain ends with its anchor or the leaf is pinned).
    paths: Vec<CandidatePath>,
}

/// One certification path ending at `anchor`.
#[derive(Clone)]
pub(crate) struct CandidatePath {
    pub(crate) anchor: Certificate,
    /// The checks of every certificate of the path, leaf first, anchor last.
    steps: Vec<PathStep>,
}

/// The checks of one certificate of a path, in the order they run: extensions, validity
/// period, then (for an issuer) the CA checks. Only the validity depends on the time.
#[derive(Clone)]
struct PathStep {
    extensions: Result<(), TrustError>,
    not_before: UnixTime,
    not_after: UnixTime,
    issuer: Result<(), TrustError>,
}

impl CandidatePath {
    /// The path `path` (leaf first), whose last certificate is `anchor`.
    fn new(path: &[&Certificate], anchor: &Certificate) -> Self {
        let steps = path
            .iter()
            .enumerate()
            .map(|(position, cert)| PathStep {
                extensions: check_extensions(cert, position),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
                issuer: if position > 0 {
                    check_issuer(path, position)
                } else {
                    Ok(())
                },
            })
            .collect();
        CandidatePath {
            anchor: anchor.clone(),
            steps,
        }
    }

    /// The path's checks at `at`, in path order: the first failure is the error.
    fn check(&self, at: UnixTime) -> Result<(), TrustError> {
        for (position, step) in self.steps.iter().enumerate() {
            step.extensions.clone()?;
            check_validity_window(step.not_before, step.not_after, position, at)?;
            step.issuer.clone()?;
        }
        Ok(())
    }

    /// `(notBefore, notAfter)` of every certificate on the path, leaf first.
    #[cfg(test)]
    pub(crate) fn windows(&self) -> impl Iterator<Item = (UnixTime, UnixTime)> + '_ {
        self.steps.iter().map(|s| (s.not_before, s.not_after))
    }
}

impl CandidatePaths {
    /// The index of the first path (in trust-store order) valid at `at`; if none is, the
    /// error of the first path.
    ///
    /// Decision: RFC 5280 §6 validates one given path; with several anchors of the same name
    /// and key (an IACA renewed with its key kept, the old certificate still in the store),
    /// every one is tried, so an expired or not-yet-valid twin never hides a valid path. The
    /// error reported when all fail is the first anchor's, which keeps it deterministic and
    /// identical between a cold validation and the cache.
    pub(crate) fn select(&self, at: UnixTime) -> Result<usize, TrustError> {
        let mut first_error = None;
        for (index, path) in self.paths.iter().enumerate() {
            match path.check(at) {
                Ok(()) => return Ok(index),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error.unwrap_or(TrustError::UntrustedRoot))
    }

    /// The leaf certificate.
    pub(crate) fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The leaf's public key.
    pub(crate) fn leaf_key(&self) -> &EcPublicKey {
        &self.leaf_key
    }

    /// Whether the leaf is a pinned document signer.
    pub(crate) fn is_pinned(&self) -> bool {
        self.pinned
    }

    /// The candidate paths, in trust-store order.
    pub(crate) fn paths(&self) -> &[CandidatePath] {
        &self.paths
    }
}

/// Everything of [`validate_chain`] that does not depend on the time: the chain's shape, the
/// leaf's profile, the links inside the chain and the anchors that sign its last certificate.
pub(crate) fn candidate_paths(
    provider: &dyn CryptoProvider,
    chain: &[Certificate],
    store: &TrustStore,
    usage: ChainUsage,
) -> Result<CandidatePaths, TrustError> {
    let leaf = chain.first().ok_or(TrustError::EmptyChain)?;
    let last = chain.last().ok_or(TrustError::EmptyChain)?;
    if chain.len() > MAX_CHAIN_LEN {
        return Err(TrustError::ChainTooLong);
    }
    for (i, cert) in chain.iter().enumerate() {
        if chain.iter().skip(i + 1).any(|other| other == cert) {
            return Err(TrustError::ChainLoop);
        }
    }

    if usage == ChainUsage::DocumentSigner
        && store
            .with_role(AnchorRole::PinnedDocumentSigner)
            .any(|pinned| pinned == leaf)
    {
        // Pinning trusts these exact bytes in place of a CA: the CA-issued profile (keyUsage
        // present, not a CA) is what a CA vouches for, so it is not required here; unknown
        // critical or repeated extensions, and a keyUsage that excludes signing, still fail.
        check_extensions(leaf, 0)?;
        check_pinned_signer_profile(leaf)?;
        let leaf_key = leaf.public_key()?;
        return Ok(CandidatePaths {
            leaf: leaf.clone(),
            leaf_key,
            pinned: true,
            paths: vec![CandidatePath {
                anchor: leaf.clone(),
                steps: vec![PathStep {
                    extensions: Ok(()),
                    not_before: leaf.not_before(),
                    not_after: leaf.not_after(),
                    issuer: Ok(()),
                }],
            }],
        });
    }

    check_leaf_usage(leaf, usage)?;
    let leaf_key = leaf.public_key()?;

    let role = usage.anchor_role();
    let last_is_anchor = chain.len() >= 2 && store.with_role(role).any(|a| a == last);

    // Links inside the chain: certificate i issued by certificate i + 1.
    for (position, pair) in chain.windows(2).enumerate() {
        if let [subject, issuer] = pair {
            check_issued_by(provider, subject, issuer, position)?;
        }
    }

    let mut path: Vec<&Certificate> = chain.iter().collect();
    let paths = if last_is_anchor {
        vec![CandidatePath::new(&path, last)]
    } else {
        let position = chain.len() - 1;
        check_signature_algorithm(last, position)?;
        // Anchors named as the issuer; a certificate never anchors itself.
        let candidates: Vec<&Certificate> = store
            .with_role(role)
            .filter(|anchor| *anchor != last)
            .filter(|anchor| {
                anchor.parsed().tbs_certificate().subject()
                    == last.parsed().tbs_certificate().issuer()
            })
            .collect();
        if candidates.is_empty() {
            return Err(TrustError::UntrustedRoot);
        }
        let mut paths = Vec::new();
        for anchor in candidates {
            if verify_signature(provider, last, anchor, position).is_ok() {
                path.push(anchor);
                paths.push(CandidatePath::new(&path, anchor));
                path.pop();
            }
        }
        if paths.is_empty() {
            return Err(TrustError::SignatureInvalid { position });
        }
        paths
    };
    Ok(CandidatePaths {
        leaf: leaf.clone(),
        leaf_key,
        pinned: false,
        paths,
    })
}

/// The one validity rule, shared with [`cache`]: bounds inclusive.
fn check_validity_window(
    not_before: UnixTime,
    not_after: UnixTime,
    position: usize,
    at: UnixTime,
) -> Result<(), TrustError> {
    if at < not_before {
        return Err(TrustError::NotYetValid { position });
    }
    if at > not_after {
        return Err(TrustError::Expired { position });
    }
    Ok(())
}

fn check_leaf_usage(leaf: &Certificate, usage: ChainUsage) -> Result<(), TrustError> {
    let malformed = TrustError::MalformedExtension { position: 0 };
    if !matches!(usage, ChainUsage::ReaderAuth | ChainUsage::RequestObject) {
        // Document and status-list signers: Annex B's end-entity signer profile.
        check_document_signer_profile(leaf)?;
    } else if let Some(ku) = leaf.key_usage().map_err(|_| malformed.clone())? {
        if !ku.digital_signature() {
            return Err(TrustError::KeyUsage { position: 0 });
        }
    }
    let eku = leaf.extended_key_usage().map_err(|_| malformed)?;
    match (usage.eku(), eku) {
        (Some(required), Some(eku)) if eku.0.contains(&required) => Ok(()),
        (Some(_), _) => Err(TrustError::ExtendedKeyUsage),
        (None, Some(eku)) if usage == ChainUsage::RequestObject => {
            if eku.0.contains(&EKU_DOCUMENT_SIGNER) {
                Err(TrustError::ExtendedKeyUsage)
            } else {
                Ok(())
            }
        }
        (None, Some(eku))
            if eku.0.contains(&EKU_DOCUMENT_SIGNER) || eku.0.contains(&EKU_READER_AUTH) =>
        {
            Err(TrustError::ExtendedKeyUsage)
        }
        (None, _) => Ok(()),
    }
}

/// The document-signer profile of ISO/IEC 18013-5 Annex B (Table B.3), for a chain's leaf
/// and for a pinned signer alike: not a CA (basicConstraints, if present, has `cA` FALSE) and
/// a keyUsage extension that is present and includes `digitalSignature`.
fn check_document_signer_profile(leaf: &Certificate) -> Result<(), TrustError> {
    let malformed = TrustError::MalformedExtension { position: 0 };
    if let Some(bc) = leaf.basic_constraints().map_err(|_| malformed.clone())? {
        if bc.ca {
            return Err(TrustError::DocumentSignerIsCa);
        }
    }
    match leaf.key_usage().map_err(|_| malformed)? {
        None => Err(TrustError::KeyUsageMissing { position: 0 }),
        Some(ku) if !ku.digital_signature() => Err(TrustError::KeyUsage { position: 0 }),
        Some(_) => Ok(()),
    }
}

/// What a pinned document signer must meet (see [`AnchorRole::PinnedDocumentSigner`]): a
/// keyUsage extension, if present, includes `digitalSignature`.
fn check_pinned_signer_profile(leaf: &Certificate) -> Result<(), TrustError> {
    let malformed = TrustError::MalformedExtension { position: 0 };
    match leaf.key_usage().map_err(|_| malformed)? {
        Some(ku) if !ku.digital_signature() => Err(TrustError::KeyUsage { position: 0 }),
        _ => Ok(()),
    }
}

/// `subject` at `position` is named and signed by `issuer`.
fn check_issued_by(
    provider: &dyn CryptoProvider,
    subject: &Certificate,
    issuer: &Certificate,
    position: usize,
) -> Result<(), TrustError> {
    if subject.parsed().tbs_certificate().issuer() != issuer.parsed().tbs_certificate().subject() {
        return Err(TrustError::IssuerMismatch { position });
    }
    check_signature_algorithm(subject, position)?;
    verify_signature(provider, subject, issuer, position)
}

fn check_signature_algorithm(cert: &Certificate, position: usize) -> Result<(), TrustError> {
    let outer = cert.parsed().signature_algorithm();
    if outer.oid != ECDSA_WITH_SHA256 || outer.parameters.is_some() {
        return Err(TrustError::UnsupportedAlgorithm);
    }
    if cert.parsed().tbs_certificate().signature() != outer {
        return Err(TrustError::AlgorithmMismatch { position });
    }
    Ok(())
}

/// The signature on `subject` verifies under `issuer`'s key (algorithm already checked).
fn verify_signature(
    provider: &dyn CryptoProvider,
    subject: &Certificate,
    issuer: &Certificate,
    position: usize,
) -> Result<(), TrustError> {
    let key = issuer.public_key()?;
    let signature = subject
        .parsed()
        .signature()
        .as_bytes()
        .ok_or(TrustError::SignatureInvalid { position })?;
    crypto::verify_es256_der_with(provider, &key, subject.tbs_der(), signature)
        .map_err(|_| TrustError::SignatureInvalid { position })
}

/// Extensions that may be marked critical: those processed here, and identifiers and names
/// that impose no constraint on the path.
fn is_understood(oid: &ObjectIdentifier) -> bool {
    [
        BasicConstraints::OID,
        KeyUsage::OID,
        ExtendedKeyUsage::OID,
        SubjectKeyIdentifier::OID,
        AuthorityKeyIdentifier::OID,
        SubjectAltName::OID,
        IssuerAltName::OID,
    ]
    .contains(oid)
}

fn check_extensions(cert: &Certificate, position: usize) -> Result<(), TrustError> {
    let extensions = cert.extensions();
    for (i, ext) in extensions.iter().enumerate() {
        if extensions
            .iter()
            .skip(i + 1)
            .any(|other| other.extn_id == ext.extn_id)
        {
            return Err(TrustError::DuplicateExtension { position });
        }
        if ext.critical && !is_understood(&ext.extn_id) {
            return Err(TrustError::UnsupportedCriticalExtension { position });
        }
    }
    Ok(())
}

/// Whether `cert` is self-issued (RFC 5280 §6.1): its issuer and subject names are the same
/// (compared as encoded, like every name comparison here).
fn is_self_issued(cert: &Certificate) -> bool {
    let tbs = cert.parsed().tbs_certificate();
    tbs.issuer() == tbs.subject()
}

/// CA checks for the certificate at `position` ≥ 1 of `path`, which issued the one below it.
fn check_issuer(path: &[&Certificate], position: usize) -> Result<(), TrustError> {
    let Some(cert) = path.get(position) else {
        return Err(TrustError::NotACa { position });
    };
    let malformed = TrustError::MalformedExtension { position };
    let bc = cert
        .basic_constraints()
        .map_err(|_| malformed.clone())?
        .filter(|bc| bc.ca)
        .ok_or(TrustError::NotACa { position })?;
    if let Some(ku) = cert.key_usage().map_err(|_| malformed)? {
        if !ku.key_cert_sign() {
            return Err(TrustError::KeyUsage { position });
        }
    }
    // Intermediate CAs below this one (RFC 5280 §4.2.1.9): positions 1..position, of which
    // the self-issued ones (a re-issued CA certificate) do not count (§6.1.4 (l)).
    let below = path
        .get(1..position)
        .unwrap_or_default()
        .iter()
        .filter(|c| !is_self_issued(c))
        .count();
    if let Some(max) = bc.path_len_constraint {
        if below > usize::from(max) {
            return Err(TrustError::PathLength { position });
        }
    }
    Ok(())
}
