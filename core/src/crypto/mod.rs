//! The cryptography every other layer uses: ES256 signatures, P-256 key agreement, SHA-256,
//! HMAC-SHA-256, HKDF-SHA-256 and random bytes.
//!
//! Signing and key agreement go through the [`Signer`] and [`KeyAgreement`] traits so that a
//! host can keep keys in secure hardware (Android Keystore, Secure Enclave); [`SoftwareKey`]
//! is the default for servers, tests and examples. Signers may return raw `r‖s` or DER; the
//! core normalises to the raw form COSE requires with [`signature_to_raw`].

use zeroize::Zeroizing;

/// Why a cryptographic operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// Bytes that are not a valid P-256 public key (wrong length, not on the curve, identity).
    #[error("invalid P-256 public key")]
    InvalidPublicKey,
    /// Bytes that are not a valid P-256 private key.
    #[error("invalid P-256 private key")]
    InvalidPrivateKey,
    /// A signature that is neither 64 raw bytes nor a DER ECDSA-Sig-Value with in-range r, s.
    #[error("invalid ECDSA signature encoding")]
    InvalidSignatureEncoding,
    /// A well-formed signature that does not verify.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// A MAC tag that does not verify.
    #[error("MAC does not verify")]
    MacInvalid,
    /// Key derivation asked for an impossible output length.
    #[error("invalid key derivation output length")]
    KdfLength,
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Rng,
    /// A host key store (or other external signer) reported a failure.
    #[error("key store failed")]
    KeyStore(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A P-256 public key (a point on the curve, never the identity).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct EcPublicKey(p256::PublicKey);

/// A 32-byte ECDH shared secret (the x-coordinate), zeroised on drop.
pub struct SharedSecret(Zeroizing<[u8; 32]>);

/// Signs with ES256 (ECDSA P-256, SHA-256) under a key the implementer holds.
///
/// Implementations must not call back into the wallet or verifier that called them.
pub trait Signer: Send + Sync {
    /// The public key matching the signing key.
    fn public_key(&self) -> Result<EcPublicKey, CryptoError>;
    /// Signs `message` (the implementation hashes it with SHA-256). Returns raw `r‖s`
    /// (64 bytes) or a DER ECDSA-Sig-Value; callers normalise with [`signature_to_raw`].
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// Ephemeral-static or static-static ECDH on P-256 under a key the implementer holds.
pub trait KeyAgreement: Send + Sync {
    /// The public key matching the private key.
    fn public_key(&self) -> Result<EcPublicKey, CryptoError>;
    /// The shared secret with `peer`.
    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError>;
}

/// A P-256 private key held in memory, zeroised on drop, with no `Debug`.
pub struct SoftwareKey(p256::SecretKey);
