//! Dangerous configuration: everything that lets a caller accept what the paved path rejects,
//! or reach secret material the paved path keeps inside.
//!
//! Nothing here is needed to issue, hold or verify a conformant licence. Each function exists
//! for a narrow, real need, named in its docs with what it gives up; a call to one of them
//! is a decision a reviewer should find by searching for `danger::`.
//!
//! | function | the need | what it gives up |
//! |---|---|---|
//! | [`pinned_document_signer`], [`add_pinned_document_signers`] | an issuer whose CA is not published (some public test vectors) | the whole CA: a pinned leaf is trusted by its exact bytes |
//! | [`mso_unverified`] | inspection tools that show what a credential *claims* | the issuer signature: the MSO is read before anything vouches for it |
//! | [`shared_secret_bytes`] | a host that forwards an ECDH result across a boundary (FFI, a keystore) | the raw shared secret leaves its zeroising wrapper |
//!
//! Two other relaxations are not switches here, because the standard makes them ordinary
//! outcomes that the API already reports as such: a reader without `readerAuth` is
//! [`holder::ReaderIdentity::Anonymous`](crate::holder::ReaderIdentity) and one whose
//! certificate does not chain to a configured reader CA is `Unverified`; the wallet shows that
//! instead of refusing. The chain cache's internals are not public at all.

use crate::cbor::Limits;
use crate::crypto::SharedSecret;
use crate::model::{IssuerSigned, MobileSecurityObject, ModelError};
use crate::trust::{AnchorRole, Certificate, TrustAnchor, TrustError, TrustStore};

/// Trusts one document-signer certificate by its exact bytes, in place of an issuing
/// authority CA ([`AnchorRole::PinnedDocumentSigner`]).
///
/// A response's document signer is accepted when it is byte-identical to `certificate`, valid
/// at the verification time, and free of unknown critical extensions; no CA, no issuer name,
/// no extended key usage is checked. Use it only for an issuer you have identified out of
/// band whose CA is not published.
pub fn pinned_document_signer(certificate: Certificate) -> TrustAnchor {
    TrustAnchor::pinned_document_signer(certificate)
}

/// Adds every certificate of a PEM bundle (or one DER certificate) to `store` as a pinned
/// document signer (see [`pinned_document_signer`]); returns how many were added. Nothing is
/// added if any of them fails to parse.
pub fn add_pinned_document_signers(
    store: &mut TrustStore,
    pem_or_der: &[u8],
) -> Result<usize, TrustError> {
    store.add_pem_or_der_any(pem_or_der, AnchorRole::PinnedDocumentSigner)
}

/// The MSO of `issuer_signed`, decoded from the `issuerAuth` payload **without checking the
/// issuer's signature or chain**.
///
/// For tools that display what a credential claims (its validity, digests, device key).
/// Nothing read this way is verified: a verifier uses [`crate::verifier::Verifier`], which
/// checks the chain and signature before it reads the MSO.
pub fn mso_unverified(
    issuer_signed: &IssuerSigned,
    limits: &Limits,
) -> Result<MobileSecurityObject, ModelError> {
    issuer_signed.mso_unverified(limits)
}

/// The raw bytes of an ECDH shared secret (the big-endian x-coordinate of the shared point).
///
/// For a host that must hand the result of a key agreement across a boundary it controls (a
/// foreign-language keystore adapter). The bytes are the session's root secret: copy them
/// nowhere else and wipe any copy.
pub fn shared_secret_bytes(secret: &SharedSecret) -> &[u8; 32] {
    secret.as_bytes()
}
