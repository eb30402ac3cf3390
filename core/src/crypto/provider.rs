//! The crypto provider seam: one interface through which signature verification, signing,
//! key agreement, digests, MACs, key derivation, authenticated encryption and random bytes
//! flow.
//!
//! [`RustCrypto`] (the pure-Rust `p256`, `sha2`, `hmac`, `hkdf`, `aes-gcm` crates and the
//! operating system's CSPRNG through `getrandom`) is the default everywhere: it builds for
//! every mobile target and for WebAssembly. A server verifier can inject a faster provider
//! (with the `ring` cargo feature, `Ring`) through
//! `Verifier::with_provider` and the other `with_provider` builders.
//!
//! What stays in the core, shared by every provider, so providers cannot disagree about it:
//! parsing public keys ([`EcPublicKey`]: SEC 1, COSE_Key coordinates, SPKI, on-curve checks),
//! the strict DER ↔ raw `r‖s` conversion and the `r`, `s` range checks ([`Es256Signature`]),
//! the HKDF length limit and the AES-GCM framing (12-byte IV, 16-byte tag). A provider only
//! sees inputs that are already well-formed, and reports a failed check as the same
//! [`CryptoError`] variant as every other provider.

use std::sync::Arc;

use zeroize::{Zeroize, Zeroizing};

use super::{CryptoError, EcPublicKey, SharedSecret, SoftwareKey, FIELD_LEN};

#[cfg(feature = "ring")]
mod ring;
#[cfg(feature = "ring")]
pub use self::ring::Ring;

/// The AES-256-GCM key length in bytes.
pub const AES_256_GCM_KEY_LEN: usize = 32;
/// The AES-256-GCM IV (nonce) length in bytes: 96 bits, the only size the core uses.
pub const AES_GCM_IV_LEN: usize = 12;
/// The AES-GCM authentication tag length in bytes (128 bits, appended to the ciphertext).
pub const AES_GCM_TAG_LEN: usize = 16;

/// An ES256 signature in the raw COSE form `r‖s` whose `r` and `s` are known to lie in
/// `[1, n-1]` (n the P-256 group order). Built only by the core's strict parsers, so every
/// provider sees the same, already range-checked input.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Es256Signature([u8; 64]);

impl core::fmt::Debug for Es256Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Es256Signature(..)")
    }
}

impl Es256Signature {
    /// Reads the COSE form (RFC 9053 §2.1): exactly 64 bytes, `r‖s`, each 32 bytes big-endian,
    /// each in `[1, n-1]`. Anything else is [`CryptoError::InvalidSignatureEncoding`].
    pub fn from_raw(raw: &[u8]) -> Result<Self, CryptoError> {
        let raw: [u8; 64] = raw
            .try_into()
            .map_err(|_| CryptoError::InvalidSignatureEncoding)?;
        p256::ecdsa::Signature::from_slice(&raw)
            .map_err(|_| CryptoError::InvalidSignatureEncoding)?;
        Ok(Es256Signature(raw))
    }

    /// Reads a strict-DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3), as in X.509 certificates and
    /// from platform key stores; see [`signature_to_raw`](super::signature_to_raw).
    pub fn from_der(der: &[u8]) -> Result<Self, CryptoError> {
        super::der_signature_to_raw(der).map(Es256Signature)
    }

    /// The 64 bytes `r‖s`.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

/// The cryptographic operations the core needs, behind one interface.
///
/// Implementations must be pure computations: no I/O other than the random source, no
/// calls back into the wallet or verifier. Inputs arrive well-formed (see the module
/// documentation); a failed check must be reported with the variant each method names, so
/// that behaviour is identical whichever provider is compiled in.
pub trait CryptoProvider: Send + Sync + core::fmt::Debug {
    /// A short stable name for logs and test output, e.g. `"rustcrypto"`.
    fn name(&self) -> &'static str;

    /// Verifies ES256 (ECDSA P-256 with SHA-256 over `message`). High-S signatures must be
    /// accepted (neither COSE nor ISO/IEC 18013-5 requires low-S). A signature that does not
    /// verify is [`CryptoError::SignatureInvalid`].
    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &Es256Signature,
    ) -> Result<(), CryptoError>;

    /// SHA-256 of `data`.
    fn sha256(&self, data: &[u8]) -> [u8; 32];

    /// HMAC-SHA-256 (RFC 2104) of `message` under `key` of any length.
    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32];

    /// Checks an HMAC-SHA-256 tag in constant time. A tag that is not exactly 32 bytes, or
    /// does not match, is [`CryptoError::MacInvalid`].
    fn hmac_sha256_verify(&self, key: &[u8], message: &[u8], tag: &[u8])
        -> Result<(), CryptoError>;

    /// HKDF-SHA-256 (RFC 5869): extract with `salt` (empty = 32 zero bytes), expand with
    /// `info` into all of `okm`, whose length the caller has checked is at most 255 · 32.
    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), CryptoError>;

    /// Fills `out` from a cryptographically secure random source; [`CryptoError::Rng`] if it
    /// fails.
    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError>;

    /// AES-256-GCM encryption: returns `ciphertext ‖ tag` (16-byte tag).
    /// [`CryptoError::MessageTooLong`] beyond GCM's limit.
    fn aes_256_gcm_seal(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;

    /// AES-256-GCM decryption of `ciphertext ‖ tag`. Anything that does not authenticate
    /// (wrong key, IV or AAD, modified ciphertext or tag, shorter than a tag) is
    /// [`CryptoError::AeadOpen`].
    fn aes_256_gcm_open(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError>;

    /// A fresh software P-256 key from this provider's random source.
    ///
    /// The default draws 32 bytes with [`CryptoProvider::fill_random`] and uses them as the
    /// scalar when they are in `[1, n-1]`; otherwise (probability about 2⁻³²) new bytes are
    /// drawn.
    fn generate_key(&self) -> Result<SoftwareKey, CryptoError> {
        for _ in 0..16 {
            let mut bytes = Zeroizing::new([0u8; FIELD_LEN]);
            self.fill_random(bytes.as_mut_slice())?;
            if let Ok(key) = SoftwareKey::from_bytes(bytes.as_slice()) {
                return Ok(key);
            }
        }
        Err(CryptoError::Rng)
    }

    /// ES256 signature of `message` with a software key, raw `r‖s`. A provider may use a
    /// random or a deterministic (RFC 6979) nonce.
    fn sign_es256(&self, key: &SoftwareKey, message: &[u8]) -> Result<[u8; 64], CryptoError>;

    /// ECDH on P-256 between a software key and `peer`: the x-coordinate of the shared point.
    fn ecdh(&self, key: &SoftwareKey, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError>;
}

/// The default provider: [`RustCrypto`], whatever cargo features are enabled.
pub fn default_provider() -> Arc<dyn CryptoProvider> {
    Arc::new(RustCrypto)
}

/// Every provider compiled into this build, the default first: what the test suites run
/// against.
pub fn compiled_providers() -> Vec<Arc<dyn CryptoProvider>> {
    #[allow(unused_mut)]
    let mut providers: Vec<Arc<dyn CryptoProvider>> = vec![Arc::new(RustCrypto)];
    #[cfg(feature = "ring")]
    providers.push(Arc::new(Ring));
    providers
}

// ---- operations over any provider, with the shared checks ----------------------------------

/// [`CryptoProvider::verify_es256`] for a signature in the COSE form (exactly 64 bytes).
/// Encoding errors are [`CryptoError::InvalidSignatureEncoding`].
pub fn verify_es256_with(
    provider: &dyn CryptoProvider,
    key: &EcPublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    provider.verify_es256(key, message, &Es256Signature::from_raw(signature)?)
}

/// [`CryptoProvider::verify_es256`] for a strict-DER signature (X.509).
/// Encoding errors are [`CryptoError::InvalidSignatureEncoding`].
pub fn verify_es256_der_with(
    provider: &dyn CryptoProvider,
    key: &EcPublicKey,
    message: &[u8],
    der_signature: &[u8],
) -> Result<(), CryptoError> {
    provider.verify_es256(key, message, &Es256Signature::from_der(der_signature)?)
}

/// HKDF-SHA-256 to `len` bytes through `provider`; `len` above 255 · 32 = 8160 is
/// [`CryptoError::KdfLength`].
pub fn hkdf_sha256_with(
    provider: &dyn CryptoProvider,
    ikm: &[u8],
    salt: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if len > super::HKDF_MAX_LEN {
        return Err(CryptoError::KdfLength);
    }
    let mut okm = Zeroizing::new(vec![0u8; len]);
    provider.hkdf_sha256(ikm, salt, info, okm.as_mut_slice())?;
    Ok(okm)
}

/// `len` random bytes through `provider`.
pub fn random_bytes_with(
    provider: &dyn CryptoProvider,
    len: usize,
) -> Result<Vec<u8>, CryptoError> {
    let mut out = vec![0u8; len];
    provider.fill_random(&mut out)?;
    Ok(out)
}

/// AES-256-GCM encryption through `provider` with a key and IV of any length: only a
/// 32-byte key and a 12-byte IV are supported ([`CryptoError::UnsupportedParameters`]
/// otherwise). Returns `ciphertext ‖ tag`.
pub fn aes_256_gcm_seal_with(
    provider: &dyn CryptoProvider,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let (key, iv) = aes_params(key, iv)?;
    provider.aes_256_gcm_seal(key, iv, aad, plaintext)
}

/// AES-256-GCM decryption of `ciphertext ‖ tag` through `provider`: only a 32-byte key, a
/// 12-byte IV and the full 16-byte tag are supported ([`CryptoError::UnsupportedParameters`]
/// for other key or IV sizes); anything that does not authenticate is
/// [`CryptoError::AeadOpen`].
pub fn aes_256_gcm_open_with(
    provider: &dyn CryptoProvider,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (key, iv) = aes_params(key, iv)?;
    if sealed.len() < AES_GCM_TAG_LEN {
        return Err(CryptoError::AeadOpen);
    }
    provider.aes_256_gcm_open(key, iv, aad, sealed)
}

/// The HMAC-SHA-256 tag length check every provider's
/// [`CryptoProvider::hmac_sha256_verify`] applies first: a tag that is not exactly 32 bytes is
/// [`CryptoError::MacInvalid`], whichever provider runs.
fn hmac_tag(tag: &[u8]) -> Result<&[u8; 32], CryptoError> {
    tag.try_into().map_err(|_| CryptoError::MacInvalid)
}

fn aes_params<'a>(
    key: &'a [u8],
    iv: &'a [u8],
) -> Result<(&'a [u8; AES_256_GCM_KEY_LEN], &'a [u8; AES_GCM_IV_LEN]), CryptoError> {
    let key = key
        .try_into()
        .map_err(|_| CryptoError::UnsupportedParameters)?;
    let iv = iv
        .try_into()
        .map_err(|_| CryptoError::UnsupportedParameters)?;
    Ok((key, iv))
}

// ---- a software key bound to a provider ------------------------------------------------------

/// A [`SoftwareKey`] whose signing and key agreement run on a chosen provider (for example
/// the reader's ephemeral key for `deviceMac` on a server verifier). Implements
/// [`Signer`](super::Signer) and [`KeyAgreement`](super::KeyAgreement); no `Debug`.
pub struct ProviderKey {
    key: SoftwareKey,
    provider: Arc<dyn CryptoProvider>,
}

impl ProviderKey {
    /// Binds `key` to `provider`.
    pub fn new(key: SoftwareKey, provider: Arc<dyn CryptoProvider>) -> Self {
        ProviderKey { key, provider }
    }

    /// The software key inside.
    pub fn key(&self) -> &SoftwareKey {
        &self.key
    }
}

impl super::Signer for ProviderKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        Ok(self.key.public())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.provider
            .sign_es256(&self.key, message)
            .map(|s| s.to_vec())
    }
}

impl super::KeyAgreement for ProviderKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        Ok(self.key.public())
    }

    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        self.provider.ecdh(&self.key, peer)
    }
}

// ---- RustCrypto ------------------------------------------------------------------------------

/// The pure-Rust provider on the RustCrypto crates (`p256`, `sha2`, `hmac`, `hkdf`,
/// `aes-gcm`) and `getrandom`: the default, for mobile, WebAssembly and everywhere else.
/// Signatures use deterministic nonces (RFC 6979).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RustCrypto;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// HMAC-SHA-256 keyed with `key` of any length (RFC 2104).
fn hmac_instance(key: &[u8]) -> HmacSha256 {
    use hmac::KeyInit;
    use sha2::Digest;
    // RFC 2104 §2: a key longer than the block size is hashed first; the key is then
    // zero-padded to the block size. Doing that here makes construction infallible.
    const BLOCK: usize = 64;
    let mut block = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        let mut hashed: [u8; 32] = sha2::Sha256::digest(key).into();
        if let Some(dst) = block.get_mut(..hashed.len()) {
            dst.copy_from_slice(&hashed);
        }
        hashed.zeroize();
    } else if let Some(dst) = block.get_mut(..key.len()) {
        dst.copy_from_slice(key);
    }
    let key_array = hmac::digest::Key::<HmacSha256>::from(*block);
    let mac = HmacSha256::new(&key_array);
    let mut key_array = key_array;
    key_array.zeroize();
    mac
}

fn rustcrypto_aes(key: &[u8; AES_256_GCM_KEY_LEN]) -> aes_gcm::Aes256Gcm {
    use aes_gcm::KeyInit;
    aes_gcm::Aes256Gcm::new(&(*key).into())
}

impl CryptoProvider for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &Es256Signature,
    ) -> Result<(), CryptoError> {
        use p256::ecdsa::signature::Verifier as _;
        let signature = p256::ecdsa::Signature::from_slice(signature.as_bytes())
            .map_err(|_| CryptoError::InvalidSignatureEncoding)?;
        p256::ecdsa::VerifyingKey::from(key.as_p256())
            .verify(message, &signature)
            .map_err(|_| CryptoError::SignatureInvalid)
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(data).into()
    }

    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = hmac_instance(key);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    fn hmac_sha256_verify(
        &self,
        key: &[u8],
        message: &[u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        use hmac::Mac;
        let tag = hmac_tag(tag)?;
        let mut mac = hmac_instance(key);
        mac.update(message);
        mac.verify_slice(tag).map_err(|_| CryptoError::MacInvalid)
    }

    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), CryptoError> {
        hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm)
            .expand(info, okm)
            .map_err(|_| CryptoError::KdfLength)
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        getrandom::fill(out).map_err(|_| CryptoError::Rng)
    }

    fn aes_256_gcm_seal(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        use aes_gcm::aead::{Aead, Payload};
        rustcrypto_aes(key)
            .encrypt(
                &(*iv).into(),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::MessageTooLong)
    }

    fn aes_256_gcm_open(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        use aes_gcm::aead::{Aead, Payload};
        rustcrypto_aes(key)
            .decrypt(&(*iv).into(), Payload { msg: sealed, aad })
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::AeadOpen)
    }

    fn sign_es256(&self, key: &SoftwareKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        use p256::ecdsa::signature::Signer as _;
        let signature: p256::ecdsa::Signature = key
            .signing_key()
            .try_sign(message)
            .map_err(|_| CryptoError::SigningFailed)?;
        Ok(signature.to_bytes().into())
    }

    fn ecdh(&self, key: &SoftwareKey, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        let shared = key.as_p256().diffie_hellman(peer.as_p256());
        let mut out = [0u8; 32];
        out.copy_from_slice(shared.raw_secret_bytes());
        let secret = SharedSecret::new(out);
        out.zeroize();
        Ok(secret)
    }
}

// ---- fuzzing ---------------------------------------------------------------------------------

/// Providers for fuzzing only (`cfg(fuzzing)`, set by cargo-fuzz): never compiled otherwise.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    use zeroize::Zeroizing;

    use super::{
        CryptoError, CryptoProvider, EcPublicKey, Es256Signature, RustCrypto, SharedSecret,
        SoftwareKey, AES_256_GCM_KEY_LEN, AES_GCM_IV_LEN,
    };

    /// Delegates everything to [`RustCrypto`], except that every well-formed ES256 signature
    /// and every 32-byte HMAC tag verifies: lets a structure-aware fuzz target reach the
    /// logic behind signatures and MACs. Encoding checks (signature range, tag length) still
    /// apply, as they are part of the logic under test.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct AcceptAllSignatures;

    impl CryptoProvider for AcceptAllSignatures {
        fn name(&self) -> &'static str {
            "fuzzing-accept-all-signatures"
        }

        fn verify_es256(
            &self,
            _key: &EcPublicKey,
            _message: &[u8],
            _signature: &Es256Signature,
        ) -> Result<(), CryptoError> {
            Ok(())
        }

        fn sha256(&self, data: &[u8]) -> [u8; 32] {
            RustCrypto.sha256(data)
        }

        fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
            RustCrypto.hmac_sha256(key, message)
        }

        fn hmac_sha256_verify(
            &self,
            _key: &[u8],
            _message: &[u8],
            tag: &[u8],
        ) -> Result<(), CryptoError> {
            super::hmac_tag(tag).map(|_| ())
        }

        fn hkdf_sha256(
            &self,
            ikm: &[u8],
            salt: &[u8],
            info: &[u8],
            okm: &mut [u8],
        ) -> Result<(), CryptoError> {
            RustCrypto.hkdf_sha256(ikm, salt, info, okm)
        }

        fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
            RustCrypto.fill_random(out)
        }

        fn aes_256_gcm_seal(
            &self,
            key: &[u8; AES_256_GCM_KEY_LEN],
            iv: &[u8; AES_GCM_IV_LEN],
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<Vec<u8>, CryptoError> {
            RustCrypto.aes_256_gcm_seal(key, iv, aad, plaintext)
        }

        fn aes_256_gcm_open(
            &self,
            key: &[u8; AES_256_GCM_KEY_LEN],
            iv: &[u8; AES_GCM_IV_LEN],
            aad: &[u8],
            sealed: &[u8],
        ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
            RustCrypto.aes_256_gcm_open(key, iv, aad, sealed)
        }

        fn generate_key(&self) -> Result<SoftwareKey, CryptoError> {
            RustCrypto.generate_key()
        }

        fn sign_es256(&self, key: &SoftwareKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
            RustCrypto.sign_es256(key, message)
        }

        fn ecdh(&self, key: &SoftwareKey, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
            RustCrypto.ecdh(key, peer)
        }
    }
}
