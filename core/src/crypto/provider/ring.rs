//! The `ring` provider (cargo feature `ring`), for server verifiers.
//!
//! Signature verification, SHA-256, HMAC, HKDF, AES-256-GCM and random bytes run on `ring`
//! (BoringSSL-derived assembly: ES256 verification about 3× faster than `p256` here).
//! Software-key signing and ECDH stay on [`RustCrypto`]: `ring` does ECDH only with its own
//! ephemeral keys and signs only with a key pair whose public half is given or recomputed
//! (which costs as much as a `p256` signature); keeping both on RustCrypto also keeps
//! signatures deterministic (RFC 6979) on every provider.

use ring::{aead, digest, hkdf, hmac, rand, signature};
use zeroize::Zeroizing;

use super::{
    CryptoProvider, Es256Signature, RustCrypto, AES_256_GCM_KEY_LEN, AES_GCM_IV_LEN,
    AES_GCM_TAG_LEN,
};
use crate::crypto::{CryptoError, EcPublicKey, SharedSecret, SoftwareKey};

/// The provider on `ring` 0.17 (feature `ring`); see the module documentation for what it
/// delegates to [`RustCrypto`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ring;

/// An HKDF output length for `ring`.
struct OkmLen(usize);

impl hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

fn aes_key(key: &[u8; AES_256_GCM_KEY_LEN]) -> Result<aead::LessSafeKey, CryptoError> {
    aead::UnboundKey::new(&aead::AES_256_GCM, key)
        .map(aead::LessSafeKey::new)
        .map_err(|_| CryptoError::UnsupportedParameters)
}

impl CryptoProvider for Ring {
    fn name(&self) -> &'static str {
        "ring"
    }

    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &Es256Signature,
    ) -> Result<(), CryptoError> {
        // The point was validated by `EcPublicKey`; ring re-parses the SEC 1 form.
        signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            key.to_sec1_uncompressed(),
        )
        .verify(message, signature.as_bytes())
        .map_err(|_| CryptoError::SignatureInvalid)
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
        out
    }

    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        let mut out = [0u8; 32];
        out.copy_from_slice(hmac::sign(&key, message).as_ref());
        out
    }

    fn hmac_sha256_verify(
        &self,
        key: &[u8],
        message: &[u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        let tag = super::hmac_tag(tag)?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, key);
        hmac::verify(&key, message, tag).map_err(|_| CryptoError::MacInvalid)
    }

    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), CryptoError> {
        let info = [info];
        hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
            .extract(ikm)
            .expand(&info, OkmLen(okm.len()))
            .and_then(|out| out.fill(okm))
            .map_err(|_| CryptoError::KdfLength)
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        use rand::SecureRandom;
        rand::SystemRandom::new()
            .fill(out)
            .map_err(|_| CryptoError::Rng)
    }

    fn aes_256_gcm_seal(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let mut in_out = Vec::with_capacity(plaintext.len() + AES_GCM_TAG_LEN);
        in_out.extend_from_slice(plaintext);
        aes_key(key)?
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(*iv),
                aead::Aad::from(aad),
                &mut in_out,
            )
            .map_err(|_| CryptoError::MessageTooLong)?;
        Ok(in_out)
    }

    fn aes_256_gcm_open(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let mut in_out = Zeroizing::new(sealed.to_vec());
        let len = aes_key(key)?
            .open_in_place(
                aead::Nonce::assume_unique_for_key(*iv),
                aead::Aad::from(aad),
                in_out.as_mut_slice(),
            )
            .map_err(|_| CryptoError::AeadOpen)?
            .len();
        in_out.truncate(len);
        Ok(in_out)
    }

    fn sign_es256(&self, key: &SoftwareKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        RustCrypto.sign_es256(key, message)
    }

    fn ecdh(&self, key: &SoftwareKey, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        RustCrypto.ecdh(key, peer)
    }
}
