//! The cryptography every other layer uses: ES256 signatures, P-256 key agreement, SHA-256,
//! HMAC-SHA-256, HKDF-SHA-256 and random bytes.
//!
//! Signing and key agreement go through the [`Signer`] and [`KeyAgreement`] traits so that a
//! host can keep keys in secure hardware (Android Keystore, Secure Enclave); [`SoftwareKey`]
//! is the default for servers, tests and examples. Signers may return raw `r‖s` or DER; the
//! core normalises to the raw form COSE requires with [`signature_to_raw`].
//!
//! Every operation goes through a [`CryptoProvider`]. The free functions
//! here use the default, [`RustCrypto`] (the pure-Rust `p256`, `sha2`, `hmac`, `hkdf` and
//! `aes-gcm` crates and the operating system's CSPRNG through `getrandom`); the verifier,
//! the session ciphers and the holder's response builder take another provider through
//! their `with_provider` builders. Key parsing ([`EcPublicKey`]) and the strict DER ↔ raw
//! signature conversion stay here, shared by every provider.

use p256::elliptic_curve::point::AffineCoordinates;
use zeroize::{Zeroize, Zeroizing};

mod provider;

#[cfg(fuzzing)]
#[doc(hidden)]
pub use provider::fuzzing;
#[cfg(feature = "ring")]
pub use provider::Ring;
pub use provider::{
    aes_256_gcm_open_with, aes_256_gcm_seal_with, compiled_providers, default_provider,
    hkdf_sha256_with, random_bytes_with, verify_es256_der_with, verify_es256_with, CryptoProvider,
    Es256Signature, ProviderKey, RustCrypto, AES_256_GCM_KEY_LEN, AES_GCM_IV_LEN, AES_GCM_TAG_LEN,
};

/// The default provider, for the free functions below.
const DEFAULT: RustCrypto = RustCrypto;

/// Why a cryptographic operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// Bytes that are not a valid P-256 public key (wrong length, not on the curve, identity).
    #[error("invalid P-256 public key")]
    InvalidPublicKey,
    /// A well-formed public key of a type other than P-256 (`id-ecPublicKey` with the
    /// `prime256v1` curve), for example RSA, Ed25519 or another curve.
    #[error("unsupported public key type")]
    UnsupportedKey,
    /// Bytes that are not a valid P-256 private key.
    #[error("invalid P-256 private key")]
    InvalidPrivateKey,
    /// A signature that is neither 64 raw bytes nor a DER ECDSA-Sig-Value with in-range r, s.
    #[error("invalid ECDSA signature encoding")]
    InvalidSignatureEncoding,
    /// A well-formed signature that does not verify.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// The software signer could not produce a signature.
    #[error("signing failed")]
    SigningFailed,
    /// A MAC tag that does not verify (including a tag of the wrong length).
    #[error("MAC does not verify")]
    MacInvalid,
    /// Key derivation asked for an impossible output length.
    #[error("invalid key derivation output length")]
    KdfLength,
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Rng,
    /// Authenticated decryption failed: wrong key, IV or associated data, or a modified
    /// ciphertext or tag (AES-GCM cannot tell these apart).
    #[error("authenticated decryption failed")]
    AeadOpen,
    /// A message too long for the cipher to encrypt.
    #[error("message too long to encrypt")]
    MessageTooLong,
    /// Parameters outside what the core supports (for AES-GCM: a key other than 256 bits
    /// or an IV other than 96 bits).
    #[error("unsupported cryptographic parameters")]
    UnsupportedParameters,
    /// A host key store (or other external signer) reported a failure.
    #[error("key store failed")]
    KeyStore(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// `id-ecPublicKey` (RFC 5480).
const ID_EC_PUBLIC_KEY: spki::ObjectIdentifier =
    spki::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / `prime256v1` (RFC 5480).
const SECP256R1: spki::ObjectIdentifier = spki::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Size of a P-256 field element or scalar in bytes.
pub(crate) const FIELD_LEN: usize = 32;
/// Largest HKDF-SHA-256 output (RFC 5869 §2.3: 255 · HashLen).
pub(crate) const HKDF_MAX_LEN: usize = 255 * 32;

/// A P-256 public key (a point on the curve, never the identity).
///
/// `Debug` is redacted: a device key is stable across presentations, so printing it in logs
/// would let log readers link a person's visits.
#[derive(Clone, PartialEq, Eq)]
pub struct EcPublicKey(p256::PublicKey);

impl core::fmt::Debug for EcPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EcPublicKey(..)")
    }
}

impl EcPublicKey {
    /// Reads a SEC 1 `Elliptic-Curve-Point-to-Octet-String`: uncompressed (`0x04‖x‖y`,
    /// 65 bytes) or compressed (`0x02`/`0x03‖x`, 33 bytes). The point must be on the curve
    /// and not the identity; other forms (identity, "compact") are rejected.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, CryptoError> {
        let well_formed = matches!(
            (bytes.first(), bytes.len()),
            (Some(0x04), 65) | (Some(0x02 | 0x03), 33)
        );
        if !well_formed {
            return Err(CryptoError::InvalidPublicKey);
        }
        p256::PublicKey::from_sec1_bytes(bytes)
            .map(EcPublicKey)
            .map_err(|_| CryptoError::InvalidPublicKey)
    }

    /// Builds a key from its affine coordinates, each exactly 32 big-endian bytes (the COSE_Key
    /// `x` and `y` of RFC 9053 §7.1.1). The point must be on the curve.
    pub fn from_coordinates(x: &[u8], y: &[u8]) -> Result<Self, CryptoError> {
        if x.len() != FIELD_LEN || y.len() != FIELD_LEN {
            return Err(CryptoError::InvalidPublicKey);
        }
        let mut sec1 = Vec::with_capacity(1 + 2 * FIELD_LEN);
        sec1.push(0x04);
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        Self::from_sec1(&sec1)
    }

    /// Reads a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7, RFC 5480) as found in an X.509
    /// certificate. Only `id-ecPublicKey` with the named curve `prime256v1` is accepted;
    /// any other algorithm or curve is [`CryptoError::UnsupportedKey`].
    ///
    /// ```text
    /// SubjectPublicKeyInfo ::= SEQUENCE {
    ///     algorithm         AlgorithmIdentifier,   -- id-ecPublicKey, prime256v1
    ///     subjectPublicKey  BIT STRING }           -- SEC 1 point
    /// ```
    pub fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        use der::Decode;
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| CryptoError::InvalidPublicKey)?;
        if info.algorithm.oid != ID_EC_PUBLIC_KEY {
            return Err(CryptoError::UnsupportedKey);
        }
        match info.algorithm.parameters_oid() {
            Ok(curve) if curve == SECP256R1 => {}
            _ => return Err(CryptoError::UnsupportedKey),
        }
        let point = info
            .subject_public_key
            .as_bytes()
            .ok_or(CryptoError::InvalidPublicKey)?;
        Self::from_sec1(point)
    }

    /// The affine x-coordinate, 32 bytes big-endian.
    pub fn x(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.0.as_affine().x());
        out
    }

    /// The affine y-coordinate, 32 bytes big-endian.
    pub fn y(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.0.as_affine().y());
        out
    }

    /// The uncompressed SEC 1 encoding `0x04‖x‖y` (65 bytes).
    pub fn to_sec1_uncompressed(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 2 * FIELD_LEN);
        out.push(0x04);
        out.extend_from_slice(&self.x());
        out.extend_from_slice(&self.y());
        out
    }

    /// The `p256` key inside.
    pub(crate) fn as_p256(&self) -> &p256::PublicKey {
        &self.0
    }
}

/// A 32-byte ECDH shared secret (the x-coordinate), zeroised on drop.
pub struct SharedSecret(Zeroizing<[u8; 32]>);

impl SharedSecret {
    /// Wraps the x-coordinate of an ECDH shared point.
    pub(crate) fn new(bytes: [u8; 32]) -> Self {
        SharedSecret(Zeroizing::new(bytes))
    }

    /// Wraps a shared secret computed elsewhere (a platform keystore's ECDH result, the
    /// 32-byte big-endian x-coordinate), for host implementations of key agreement.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SharedSecret(Zeroizing::new(bytes))
    }

    /// The shared secret: the big-endian x-coordinate of the shared point (SEC 1 §3.3.1),
    /// which ISO/IEC 18013-5 §9.1.1.5 feeds to HKDF as the input keying material. Outside
    /// the crate: [`crate::danger::shared_secret_bytes`].
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Signs with ES256 (ECDSA P-256, SHA-256) under a key the implementer holds.
///
/// Implementations must not call back into the wallet or verifier that called them.
pub trait Signer: Send + Sync {
    /// The public key matching the signing key.
    fn public_key(&self) -> Result<EcPublicKey, CryptoError>;
    /// Signs `message` (the implementation hashes it with SHA-256). Returns raw `r‖s`
    /// (64 bytes) or a DER ECDSA-Sig-Value; callers normalise with [`signature_to_raw`].
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// Whether a holder must check each signature from this signer against the credential's
    /// device key before sending it (one ECDSA verify per document).
    ///
    /// `true`, the default, suits every signer outside this library: with a platform key store
    /// a wrong alias, or a digest hashed twice (`SHA256withECDSA` over a SHA-256 value), is an
    /// easy mistake that a verifier would otherwise report only as a bad device signature.
    /// [`SoftwareKey`] answers `false`: its signatures come from this library's RFC 6979 code
    /// over the key it holds, so the holder compares public keys instead.
    fn needs_signature_check(&self) -> bool {
        true
    }
}

/// Ephemeral-static or static-static ECDH on P-256 under a key the implementer holds.
pub trait KeyAgreement: Send + Sync {
    /// The public key matching the private key.
    fn public_key(&self) -> Result<EcPublicKey, CryptoError>;
    /// The shared secret with `peer`.
    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError>;
}

/// A P-256 private key held in memory, zeroised on drop, with no `Debug`.
///
/// The scalar lives in a `p256::SecretKey` and in the `ecdsa` signing key built from it once
/// (with its public key) when the key is made, so that neither signing nor asking for the
/// public key repeats the scalar multiplication; both zeroise the scalar on drop
/// (`ZeroizeOnDrop`), and the byte buffers derived from them here are zeroised as well.
pub struct SoftwareKey {
    secret: p256::SecretKey,
    signing: p256::ecdsa::SigningKey,
}

impl SoftwareKey {
    /// A fresh key from the operating system's CSPRNG.
    ///
    /// 32 random bytes are drawn and used as the scalar when they are in `[1, n-1]`; otherwise
    /// (probability about 2⁻³²) new bytes are drawn.
    pub fn generate() -> Result<Self, CryptoError> {
        DEFAULT.generate_key()
    }

    /// A key from its 32-byte big-endian scalar `d`, which must be in `[1, n-1]`.
    pub fn from_bytes(d: &[u8]) -> Result<Self, CryptoError> {
        if d.len() != FIELD_LEN {
            return Err(CryptoError::InvalidPrivateKey);
        }
        p256::SecretKey::from_slice(d)
            .map(SoftwareKey::from_secret)
            .map_err(|_| CryptoError::InvalidPrivateKey)
    }

    /// The 32-byte big-endian scalar, in a buffer zeroised on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut field = self.secret.to_bytes();
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&field);
        field.zeroize();
        out
    }

    /// The matching public key.
    pub fn public(&self) -> EcPublicKey {
        EcPublicKey(p256::PublicKey::from(self.signing.verifying_key()))
    }

    /// The key as an unencrypted PKCS #8 PEM document (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, CryptoError> {
        use p256::pkcs8::EncodePrivateKey;
        self.secret
            .to_pkcs8_pem(p256::pkcs8::LineEnding::LF)
            .map_err(|_| CryptoError::InvalidPrivateKey)
    }

    /// Reads an unencrypted PKCS #8 PEM document holding a P-256 key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, CryptoError> {
        use p256::pkcs8::DecodePrivateKey;
        p256::SecretKey::from_pkcs8_pem(pem)
            .map(SoftwareKey::from_secret)
            .map_err(|_| CryptoError::InvalidPrivateKey)
    }

    /// Wraps a `p256` secret key, computing its public key once.
    fn from_secret(secret: p256::SecretKey) -> Self {
        let signing = p256::ecdsa::SigningKey::from(&secret);
        SoftwareKey { secret, signing }
    }

    /// The `p256` secret key inside.
    pub(crate) fn as_p256(&self) -> &p256::SecretKey {
        &self.secret
    }

    /// The `ecdsa` signing key for this scalar (zeroised on drop), built once.
    pub(crate) fn signing_key(&self) -> &p256::ecdsa::SigningKey {
        &self.signing
    }
}

impl Signer for SoftwareKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        Ok(self.public())
    }

    /// ES256 with a deterministic nonce (RFC 6979, default provider); returns raw `r‖s`
    /// (64 bytes).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        DEFAULT.sign_es256(self, message).map(|s| s.to_vec())
    }

    fn needs_signature_check(&self) -> bool {
        false
    }
}

impl KeyAgreement for SoftwareKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        Ok(self.public())
    }

    /// ECDH with the default provider.
    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        DEFAULT.ecdh(self, peer)
    }
}

/// Verifies an ES256 signature in the COSE form (RFC 9053 §2.1): exactly 64 bytes, `r‖s`,
/// each 32 bytes big-endian, with the default provider.
///
/// Any other length, or `r`/`s` zero or not below the group order, is
/// [`CryptoError::InvalidSignatureEncoding`]; a well-formed signature that does not verify is
/// [`CryptoError::SignatureInvalid`]. High-S signatures are accepted: neither COSE nor
/// ISO/IEC 18013-5 requires low-S.
pub fn verify_es256(
    key: &EcPublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    provider::verify_es256_with(&DEFAULT, key, message, signature)
}

/// Verifies an `ecdsa-with-SHA256` signature in X.509 form: a strict-DER `ECDSA-Sig-Value`
/// (RFC 5480 §2.2.3, RFC 3279 §2.2.3), with the default provider. Encoding errors are
/// [`CryptoError::InvalidSignatureEncoding`], a failed check [`CryptoError::SignatureInvalid`].
pub fn verify_es256_der(
    key: &EcPublicKey,
    message: &[u8],
    der_signature: &[u8],
) -> Result<(), CryptoError> {
    provider::verify_es256_der_with(&DEFAULT, key, message, der_signature)
}

/// Normalises an ECDSA P-256 signature to the raw `r‖s` form COSE uses.
///
/// 64 bytes are returned as they are (the COSE form; range checks happen at verification).
/// Anything else must be a strict-DER `ECDSA-Sig-Value` — as platform key stores return —
/// with minimal, positive integers and `r`, `s` in `[1, n-1]`, and no trailing bytes; `r` and
/// `s` are left-padded to 32 bytes each. Otherwise [`CryptoError::InvalidSignatureEncoding`].
///
/// ```text
/// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
/// ```
pub fn signature_to_raw(sig: &[u8]) -> Result<[u8; 64], CryptoError> {
    if sig.len() == 2 * FIELD_LEN {
        let mut out = [0u8; 64];
        out.copy_from_slice(sig);
        return Ok(out);
    }
    der_signature_to_raw(sig)
}

/// Strict DER `ECDSA-Sig-Value` to raw `r‖s`, with `r`, `s` range-checked.
pub(crate) fn der_signature_to_raw(sig: &[u8]) -> Result<[u8; 64], CryptoError> {
    const BAD: CryptoError = CryptoError::InvalidSignatureEncoding;
    // The content is at most 2 · (2 + 33) = 70 bytes, so DER requires the short length form.
    let (content, rest) = read_tlv(sig, 0x30).ok_or(BAD)?;
    if !rest.is_empty() {
        return Err(BAD);
    }
    let (r, content) = read_tlv(content, 0x02).ok_or(BAD)?;
    let (s, content) = read_tlv(content, 0x02).ok_or(BAD)?;
    if !content.is_empty() {
        return Err(BAD);
    }
    let mut out = [0u8; 64];
    let (r_out, s_out) = out.split_at_mut(FIELD_LEN);
    copy_der_uint(r, r_out).ok_or(BAD)?;
    copy_der_uint(s, s_out).ok_or(BAD)?;
    // Range check: r, s in [1, n-1].
    p256::ecdsa::Signature::from_slice(&out).map_err(|_| BAD)?;
    Ok(out)
}

/// Reads one TLV with the given tag and a short-form length; returns (value, rest).
fn read_tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, input) = input.split_first()?;
    let (&len, input) = input.split_first()?;
    if t != tag || len >= 0x80 {
        return None;
    }
    let len = usize::from(len);
    if input.len() < len {
        return None;
    }
    Some(input.split_at(len))
}

/// Copies a minimal, non-negative DER INTEGER value into `out` (right-aligned).
fn copy_der_uint(value: &[u8], out: &mut [u8]) -> Option<()> {
    let (&first, tail) = value.split_first()?;
    if first & 0x80 != 0 {
        return None; // negative
    }
    let magnitude = if first == 0 {
        match tail.first() {
            // A leading zero is only allowed (and required) before a byte with the high bit set.
            Some(&next) if next & 0x80 != 0 => tail,
            Some(_) => return None,
            None => value, // the integer 0; rejected later by the range check
        }
    } else {
        value
    };
    let offset = out.len().checked_sub(magnitude.len())?;
    out.get_mut(offset..)?.copy_from_slice(magnitude);
    Some(())
}

/// SHA-256 of `data` (default provider).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    DEFAULT.sha256(data)
}

/// HMAC-SHA-256 (RFC 2104) of `message` under `key` (default provider).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    DEFAULT.hmac_sha256(key, message)
}

/// Checks an HMAC-SHA-256 tag in constant time (default provider). A tag that is not
/// exactly 32 bytes, or does not match, is [`CryptoError::MacInvalid`].
pub fn hmac_sha256_verify(key: &[u8], message: &[u8], tag: &[u8]) -> Result<(), CryptoError> {
    DEFAULT.hmac_sha256_verify(key, message, tag)
}

/// HKDF-SHA-256 (RFC 5869): extract with `salt`, expand with `info` to `len` bytes (default
/// provider).
///
/// `len` above 255 · 32 = 8160 is [`CryptoError::KdfLength`]. An empty `salt` is the same as
/// the RFC's default of 32 zero bytes.
pub fn hkdf_sha256(
    ikm: &[u8],
    salt: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    provider::hkdf_sha256_with(&DEFAULT, ikm, salt, info, len)
}

/// `EMacKey`, the MAC key of `deviceMac` (ISO/IEC 18013-5 §9.1.3.5):
/// HKDF-SHA-256(IKM = ECDH(`own`, `peer`) x-coordinate, salt =
/// SHA-256(`SessionTranscriptBytes`), info = "EMacKey", L = 32).
///
/// The reader calls it with its ephemeral key and the MSO's device key; the holder with the
/// device key and `EReaderKey`: both get the same key. SHA-256 and HKDF run on `provider`;
/// the ECDH is `own`'s (wrap a software key in [`ProviderKey`] to run it on `provider` too).
///
/// `session_transcript_bytes` must be `SessionTranscriptBytes`, the tag-24 form
/// (`model::SessionTranscript::tagged_bytes`), not the bare array. The function takes bytes,
/// not the model's `SessionTranscript`, because the crypto layer sits below the data model
/// (the model uses crypto, not the other way round). It stays public so the raw key can be
/// checked against published vectors (Annex D's `EMacKey`); the roles call it themselves.
pub fn e_mac_key(
    provider: &dyn CryptoProvider,
    own: &dyn KeyAgreement,
    peer: &EcPublicKey,
    session_transcript_bytes: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let shared = own.agree(peer)?;
    provider::hkdf_sha256_with(
        provider,
        shared.as_bytes(),
        &provider.sha256(session_transcript_bytes),
        b"EMacKey",
        32,
    )
}

/// `len` bytes from the operating system's CSPRNG; [`CryptoError::Rng`] if it fails.
pub fn random_bytes(len: usize) -> Result<Vec<u8>, CryptoError> {
    provider::random_bytes_with(&DEFAULT, len)
}

/// AES-256-GCM encryption (default provider) of `plaintext` under `key` (32 bytes) with
/// `iv` (12 bytes) and associated data `aad`; returns `ciphertext ‖ tag` (16-byte tag).
/// Other key or IV sizes are [`CryptoError::UnsupportedParameters`].
pub fn aes_256_gcm_seal(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    provider::aes_256_gcm_seal_with(&DEFAULT, key, iv, aad, plaintext)
}

/// AES-256-GCM decryption (default provider) of `ciphertext ‖ tag` under `key` (32 bytes)
/// with `iv` (12 bytes) and `aad`. Other key or IV sizes are
/// [`CryptoError::UnsupportedParameters`]; anything that does not authenticate is
/// [`CryptoError::AeadOpen`].
pub fn aes_256_gcm_open(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    provider::aes_256_gcm_open_with(&DEFAULT, key, iv, aad, sealed)
}

#[cfg(test)]
mod tests;
