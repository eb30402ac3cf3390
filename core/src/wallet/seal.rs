//! AES-256-GCM sealing of records at rest: `nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`,
//! a fresh random nonce per record, and associated data that binds the record to its place
//! (collection and identifier), so a record moved to another name does not open.

use zeroize::Zeroizing;

use crate::crypto::{self, CryptoError};

/// Nonce length.
pub(crate) const NONCE_LEN: usize = 12;
/// Authentication tag length.
pub(crate) const TAG_LEN: usize = 16;

/// Encrypts `plaintext` under `key` with associated data `aad`.
pub(crate) fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let iv = crypto::random_bytes(NONCE_LEN)?;
    let ciphertext = crypto::aes_256_gcm_seal(key, &iv, aad, plaintext)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&iv);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// Decrypts what [`seal`] produced; `None` if it is malformed or does not authenticate.
pub(crate) fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (iv, ciphertext) = sealed.split_at(NONCE_LEN);
    crypto::aes_256_gcm_open(key, iv, aad, ciphertext).ok()
}

/// A checksum over a record's place and contents (for stores without encryption): SHA-256
/// of a domain label, `aad` and `payload`, length-prefixed so no two inputs collide.
pub(crate) fn checksum(aad: &[u8], payload: &[u8]) -> [u8; 32] {
    let mut input = Vec::with_capacity(32 + aad.len() + payload.len());
    input.extend_from_slice(b"zhengzhao record checksum v1\0");
    input.extend_from_slice(&(aad.len() as u64).to_be_bytes());
    input.extend_from_slice(aad);
    input.extend_from_slice(payload);
    crypto::sha256(&input)
}
