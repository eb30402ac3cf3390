//! The secure area: where device keys (and document-signer or reader keys) live.
//!
//! A host implements [`SecureArea`] over Android Keystore / StrongBox or the Secure Enclave,
//! so private keys never leave secure hardware; the bindings adapt it to the core's `Signer`
//! trait through [`AliasKey`] (issuer and reader keys) and to the core wallet's `SecureArea`
//! through [`ForeignSecureArea`] (device keys). [`software_secure_area`] is the core's
//! in-memory software area, for servers, tests and examples.

use std::sync::Arc;

use zeroize::Zeroizing;
use zhengzhao::crypto::{CryptoError, EcPublicKey, SharedSecret, Signer};
use zhengzhao::wallet::{self, KeyAlias, SecureAreaError};

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

    /// Deletes the key under `alias`; returns whether there was one (deleting a missing
    /// alias is not an error).
    fn delete_key(&self, alias: String) -> Result<bool, ZhengzhaoError>;
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

/// The host's [`SecureArea`] as the core's `wallet::SecureArea`, so the core wallet keeps its
/// device keys in the host's secure hardware.
pub(crate) struct ForeignSecureArea(pub(crate) Arc<dyn SecureArea>);

/// Carries the host's error through the core wallet, to be unboxed by the error mapping.
fn platform(e: ZhengzhaoError) -> SecureAreaError {
    SecureAreaError::Platform(Box::new(e.into_key_store()))
}

fn point(sec1: &[u8]) -> Result<EcPublicKey, SecureAreaError> {
    EcPublicKey::from_sec1(sec1).map_err(|_| {
        platform(ZhengzhaoError::KeyStore {
            reason: "the secure area returned a public key that is not a P-256 point".into(),
        })
    })
}

impl wallet::SecureArea for ForeignSecureArea {
    fn create_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError> {
        point(
            &self
                .0
                .create_key(alias.as_str().to_owned())
                .map_err(platform)?,
        )
    }

    fn public_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError> {
        point(
            &self
                .0
                .public_key(alias.as_str().to_owned())
                .map_err(platform)?,
        )
    }

    fn sign(&self, alias: &KeyAlias, message: &[u8]) -> Result<Vec<u8>, SecureAreaError> {
        self.0
            .sign(alias.as_str().to_owned(), message.to_vec())
            .map_err(platform)
    }

    fn key_agreement(
        &self,
        alias: &KeyAlias,
        peer: &EcPublicKey,
    ) -> Result<SharedSecret, SecureAreaError> {
        let shared = Zeroizing::new(
            self.0
                .key_agreement(alias.as_str().to_owned(), peer.to_sec1_uncompressed())
                .map_err(platform)?,
        );
        let bytes: [u8; 32] = shared.as_slice().try_into().map_err(|_| {
            platform(ZhengzhaoError::KeyStore {
                reason: "the secure area returned a shared secret that is not 32 bytes".into(),
            })
        })?;
        Ok(SharedSecret::from_bytes(bytes))
    }

    fn delete_key(&self, alias: &KeyAlias) -> Result<bool, SecureAreaError> {
        self.0
            .delete_key(alias.as_str().to_owned())
            .map_err(platform)
    }
}

/// The core's in-memory software secure area (keys zeroised on drop): for servers, tests and
/// examples. Keys are lost when it is dropped. On a phone, implement `SecureArea` over the
/// platform's key store instead.
#[uniffi::export]
pub fn software_secure_area() -> Arc<dyn SecureArea> {
    Arc::new(CoreSecureArea(wallet::SoftwareSecureArea::in_memory()))
}

/// A core secure area offered to the host through the foreign-facing trait.
struct CoreSecureArea(wallet::SoftwareSecureArea);

fn alias(alias: String) -> Result<KeyAlias, ZhengzhaoError> {
    KeyAlias::new(alias).map_err(|_| {
        ZhengzhaoError::invalid_input("a key alias is 1 to 64 characters of a-z, 0-9, - and _")
    })
}

impl SecureArea for CoreSecureArea {
    fn create_key(&self, a: String) -> Result<Vec<u8>, ZhengzhaoError> {
        let public = wallet::SecureArea::create_key(&self.0, &alias(a)?)?;
        Ok(public.to_sec1_uncompressed())
    }

    fn public_key(&self, a: String) -> Result<Vec<u8>, ZhengzhaoError> {
        let public = wallet::SecureArea::public_key(&self.0, &alias(a)?)?;
        Ok(public.to_sec1_uncompressed())
    }

    fn sign(&self, a: String, message: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        Ok(wallet::SecureArea::sign(&self.0, &alias(a)?, &message)?)
    }

    fn key_agreement(&self, a: String, peer: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        let peer = EcPublicKey::from_sec1(&peer)?;
        let shared = wallet::SecureArea::key_agreement(&self.0, &alias(a)?, &peer)?;
        // The foreign keystore trait hands the ECDH result across the FFI as bytes.
        Ok(zhengzhao::danger::shared_secret_bytes(&shared).to_vec())
    }

    fn delete_key(&self, a: String) -> Result<bool, ZhengzhaoError> {
        Ok(wallet::SecureArea::delete_key(&self.0, &alias(a)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_area_signs_agrees_and_deletes() {
        let area = software_secure_area();
        let a = area.create_key("a".into()).unwrap();
        let b = area.create_key("b".into()).unwrap();
        assert!(matches!(
            area.create_key("a".into()),
            Err(ZhengzhaoError::KeyStore { .. })
        ));
        assert!(matches!(
            area.create_key("Not An Alias".into()),
            Err(ZhengzhaoError::InvalidInput { .. })
        ));
        let key = EcPublicKey::from_sec1(&a).unwrap();
        let sig = area.sign("a".into(), b"hello".to_vec()).unwrap();
        zhengzhao::crypto::verify_es256(&key, b"hello", &sig).unwrap();
        assert_eq!(
            area.key_agreement("a".into(), b.clone()).unwrap(),
            area.key_agreement("b".into(), a).unwrap()
        );
        assert!(area.delete_key("a".into()).unwrap());
        assert!(!area.delete_key("a".into()).unwrap());
        assert!(matches!(
            area.sign("a".into(), vec![]),
            Err(ZhengzhaoError::KeyStore { .. })
        ));
    }

    #[test]
    fn the_foreign_adapter_round_trips_through_the_core_trait() {
        let adapter = ForeignSecureArea(software_secure_area());
        let alias = KeyAlias::new("k").unwrap();
        let public = wallet::SecureArea::create_key(&adapter, &alias).unwrap();
        let sig = wallet::SecureArea::sign(&adapter, &alias, b"m").unwrap();
        zhengzhao::crypto::verify_es256(&public, b"m", &sig).unwrap();
        let other = KeyAlias::new("o").unwrap();
        let peer = wallet::SecureArea::create_key(&adapter, &other).unwrap();
        let x = wallet::SecureArea::key_agreement(&adapter, &alias, &peer).unwrap();
        let y = wallet::SecureArea::key_agreement(&adapter, &other, &public).unwrap();
        let raw = zhengzhao::danger::shared_secret_bytes;
        assert_eq!(raw(&x), raw(&y));
        assert!(matches!(
            wallet::SecureArea::public_key(&adapter, &KeyAlias::new("none").unwrap()),
            Err(SecureAreaError::Platform(_))
        ));
    }
}
