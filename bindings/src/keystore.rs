//! The secure area: where device keys (and document-signer or reader keys) live.
//!
//! A host implements [`SecureArea`] over Android Keystore / StrongBox or the Secure Enclave,
//! so private keys never leave secure hardware; the bindings adapt it to the core's `Signer`
//! trait through [`AliasKey`]. [`software_secure_area`] is an in-memory implementation for
//! servers, tests and examples.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use zhengzhao::crypto::{CryptoError, EcPublicKey, KeyAgreement, Signer, SoftwareKey};

use crate::error::ZhengzhaoError;

/// A store of P-256 private keys, addressed by alias, implemented by the host.
///
/// Every method may be called on any thread, including several at once, and may block (for
/// example while a biometric prompt is shown), so call the wallet from a background thread.
/// **Re-entrancy:** an implementation must not call back into the `Wallet`, `Issuer` or
/// `Verifier` that called it. Any error it raises (or any unexpected exception) reaches the
/// caller as `ZhengzhaoError.KeyStore`.
#[uniffi::export(rust, foreign)]
pub trait SecureArea: Send + Sync {
    /// Creates a new P-256 key under `alias` and returns its public key as an uncompressed
    /// SEC 1 point (`0x04‖x‖y`, 65 bytes). Fails if the alias is already in use.
    fn create_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError>;

    /// The public key under `alias`, as an uncompressed (or compressed) SEC 1 point.
    fn public_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError>;

    /// Signs `message` with ES256 (ECDSA P-256 over SHA-256 of `message`: the implementation
    /// hashes) under `alias`. Returns the signature either raw (`r‖s`, 64 bytes) or DER
    /// (`ECDSA-Sig-Value`, as Android Keystore, CryptoKit's `derRepresentation` and most
    /// libraries return it); the core normalises it.
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError>;

    /// ECDH on P-256 between the key under `alias` and `peer_public_key` (a SEC 1 point);
    /// returns the 32-byte shared secret (the x-coordinate of the shared point).
    fn key_agreement(
        &self,
        alias: String,
        peer_public_key: Vec<u8>,
    ) -> Result<Vec<u8>, ZhengzhaoError>;

    /// Deletes the key under `alias`; deleting a missing alias is not an error.
    fn delete_key(&self, alias: String) -> Result<(), ZhengzhaoError>;
}

/// The key under one alias of a [`SecureArea`], as the core's `Signer`.
pub(crate) struct AliasKey {
    area: Arc<dyn SecureArea>,
    alias: String,
}

impl AliasKey {
    pub(crate) fn new(area: Arc<dyn SecureArea>, alias: String) -> Self {
        AliasKey { area, alias }
    }

    /// The public key, read and checked.
    pub(crate) fn public(&self) -> Result<EcPublicKey, ZhengzhaoError> {
        let sec1 = self
            .area
            .public_key(self.alias.clone())
            .map_err(ZhengzhaoError::into_key_store)?;
        EcPublicKey::from_sec1(&sec1).map_err(|_| ZhengzhaoError::KeyStore {
            reason: "the secure area returned a public key that is not a P-256 point".into(),
        })
    }
}

/// Carries the host's error through the core, to be unboxed by the error mapping.
fn through_core(e: ZhengzhaoError) -> CryptoError {
    CryptoError::KeyStore(Box::new(e.into_key_store()))
}

impl Signer for AliasKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        self.public().map_err(through_core)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.area
            .sign(self.alias.clone(), message.to_vec())
            .map_err(through_core)
    }
}

/// An in-memory [`SecureArea`] holding software keys (zeroised on drop): for servers, tests
/// and examples. Keys are lost when it is dropped. On a phone, implement `SecureArea` over the
/// platform's key store instead.
#[uniffi::export]
pub fn software_secure_area() -> Arc<dyn SecureArea> {
    Arc::new(SoftwareSecureArea::default())
}

/// The implementation behind [`software_secure_area`].
#[derive(Default)]
pub(crate) struct SoftwareSecureArea {
    keys: Mutex<HashMap<String, Arc<SoftwareKey>>>,
}

impl SoftwareSecureArea {
    /// Adds an existing key (e.g. a test PKI's); fails if the alias is taken.
    pub(crate) fn insert(&self, alias: &str, key: SoftwareKey) -> Result<(), ZhengzhaoError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.contains_key(alias) {
            return Err(ZhengzhaoError::KeyStore {
                reason: "alias already in use".into(),
            });
        }
        keys.insert(alias.to_owned(), Arc::new(key));
        Ok(())
    }

    fn get(&self, alias: &str) -> Result<Arc<SoftwareKey>, ZhengzhaoError> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(alias)
            .cloned()
            .ok_or_else(|| ZhengzhaoError::KeyStore {
                reason: "no key under this alias".into(),
            })
    }
}

impl SecureArea for SoftwareSecureArea {
    fn create_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError> {
        let key = SoftwareKey::generate()?;
        let public = key.public().to_sec1_uncompressed();
        self.insert(&alias, key)?;
        Ok(public)
    }

    fn public_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError> {
        Ok(self.get(&alias)?.public().to_sec1_uncompressed())
    }

    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        Ok(Signer::sign(self.get(&alias)?.as_ref(), &message)?)
    }

    fn key_agreement(
        &self,
        alias: String,
        peer_public_key: Vec<u8>,
    ) -> Result<Vec<u8>, ZhengzhaoError> {
        let peer = EcPublicKey::from_sec1(&peer_public_key)?;
        let shared = self.get(&alias)?.agree(&peer)?;
        Ok(shared.as_bytes().to_vec())
    }

    fn delete_key(&self, alias: String) -> Result<(), ZhengzhaoError> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&alias);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_area_signs_agrees_and_deletes() {
        let area = SoftwareSecureArea::default();
        let a = area.create_key("a".into()).unwrap();
        let b = area.create_key("b".into()).unwrap();
        assert!(matches!(
            area.create_key("a".into()),
            Err(ZhengzhaoError::KeyStore { .. })
        ));
        let key = EcPublicKey::from_sec1(&a).unwrap();
        let sig = area.sign("a".into(), b"hello".to_vec()).unwrap();
        zhengzhao::crypto::verify_es256(&key, b"hello", &sig).unwrap();
        assert_eq!(
            area.key_agreement("a".into(), b.clone()).unwrap(),
            area.key_agreement("b".into(), a).unwrap()
        );
        area.delete_key("a".into()).unwrap();
        area.delete_key("a".into()).unwrap();
        assert!(matches!(
            area.sign("a".into(), vec![]),
            Err(ZhengzhaoError::KeyStore { .. })
        ));
    }
}
