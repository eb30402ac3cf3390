//! Device keys: the [`SecureArea`] trait a host implements over its secure hardware (Android
//! Keystore / StrongBox, the iOS Secure Enclave), and [`SoftwareSecureArea`], the default for
//! servers, tests and examples.
//!
//! A credential's device key authenticates every presentation (ISO/IEC 18013-5 §9.1.3), so
//! it should never leave the hardware: the wallet names keys by [`KeyAlias`] and asks the
//! secure area to sign or agree. [`AreaKey`] adapts an alias to the core's
//! [`Signer`] and [`KeyAgreement`] traits so the holder API can use it directly.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use zeroize::Zeroizing;

use crate::crypto::{CryptoError, EcPublicKey, KeyAgreement, SharedSecret, Signer, SoftwareKey};

use super::seal;
use super::store::{is_valid_id, Collection, CredentialStore, RecordId, StoreError, StoreKey};

/// The name of a key in a secure area: 1 to 64 characters of `a-z`, `0-9`, `-` and `_`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyAlias(String);

impl KeyAlias {
    /// Checks an alias; anything else is [`SecureAreaError::InvalidAlias`].
    pub fn new(alias: impl Into<String>) -> Result<Self, SecureAreaError> {
        let alias = alias.into();
        if is_valid_id(&alias) {
            Ok(KeyAlias(alias))
        } else {
            Err(SecureAreaError::InvalidAlias)
        }
    }

    /// The alias.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyAlias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a secure-area operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecureAreaError {
    /// An alias outside `a-z 0-9 - _` or longer than 64 bytes.
    #[error("invalid key alias")]
    InvalidAlias,
    /// A key already exists under the alias.
    #[error("a key already exists under this alias")]
    AliasInUse,
    /// No key exists under the alias.
    #[error("no key under this alias")]
    NoSuchKey,
    /// The key operation failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// Persisting or loading a software key failed.
    #[error("key storage: {0}")]
    Store(#[from] StoreError),
    /// The platform's keystore reported a failure (user authentication cancelled, hardware
    /// unavailable…).
    #[error("platform keystore failed")]
    Platform(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Evidence from the platform that a key lives in secure hardware.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyAttestation {
    /// An X.509 attestation certificate chain, leaf first (Android key attestation).
    X509Chain(Vec<Vec<u8>>),
    /// Another format (e.g. an iOS App Attest object), named by `format`.
    Other {
        /// The format's name.
        format: String,
        /// The attestation as the platform produced it.
        bytes: Vec<u8>,
    },
}

/// P-256 device keys in secure hardware, named by alias.
///
/// Implementations must not call back into the [`Wallet`](super::Wallet) that called them;
/// they may block (a biometric prompt) and may fail ([`SecureAreaError::Platform`]). Every
/// method may be called from several threads.
pub trait SecureArea: Send + Sync {
    /// Creates a P-256 key under `alias` and returns its public key;
    /// [`SecureAreaError::AliasInUse`] if one exists.
    fn create_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError>;
    /// The public key under `alias`.
    fn public_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError>;
    /// Signs `message` with ES256 (the implementation hashes it with SHA-256); raw `r‖s` or
    /// DER, as platform keystores return.
    fn sign(&self, alias: &KeyAlias, message: &[u8]) -> Result<Vec<u8>, SecureAreaError>;
    /// The ECDH shared secret (x-coordinate) with `peer`, for `deviceMac`
    /// ([`SharedSecret::from_bytes`] wraps a platform's result).
    fn key_agreement(
        &self,
        alias: &KeyAlias,
        peer: &EcPublicKey,
    ) -> Result<SharedSecret, SecureAreaError>;
    /// Deletes the key under `alias`; `false` if there was none.
    fn delete_key(&self, alias: &KeyAlias) -> Result<bool, SecureAreaError>;
    /// Whether the holder must check each signature from this area against the key's public
    /// key before sending it (see [`Signer::needs_signature_check`]); `true` by default, for
    /// platform key stores. [`SoftwareSecureArea`] answers `false`.
    fn needs_signature_check(&self) -> bool {
        true
    }
    /// An attestation of the key bound to `challenge`, if the platform offers one.
    fn attestation(
        &self,
        alias: &KeyAlias,
        challenge: &[u8],
    ) -> Result<Option<KeyAttestation>, SecureAreaError> {
        let _ = (alias, challenge);
        Ok(None)
    }
}

/// One key of a secure area as a [`Signer`] and [`KeyAgreement`], for
/// [`ResponseBuilder`](crate::holder::ResponseBuilder) and the session API. No `Debug`.
#[derive(Clone)]
pub struct AreaKey {
    area: Arc<dyn SecureArea>,
    alias: KeyAlias,
}

impl AreaKey {
    /// The key under `alias` in `area`.
    pub fn new(area: Arc<dyn SecureArea>, alias: KeyAlias) -> Self {
        AreaKey { area, alias }
    }

    /// The alias.
    pub fn alias(&self) -> &KeyAlias {
        &self.alias
    }
}

fn to_crypto(e: SecureAreaError) -> CryptoError {
    match e {
        SecureAreaError::Crypto(c) => c,
        other => CryptoError::KeyStore(Box::new(other)),
    }
}

impl Signer for AreaKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        self.area.public_key(&self.alias).map_err(to_crypto)
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.area.sign(&self.alias, message).map_err(to_crypto)
    }

    fn needs_signature_check(&self) -> bool {
        self.area.needs_signature_check()
    }
}

impl KeyAgreement for AreaKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        self.area.public_key(&self.alias).map_err(to_crypto)
    }

    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        self.area
            .key_agreement(&self.alias, peer)
            .map_err(to_crypto)
    }
}

/// HKDF label of the key that seals persisted software keys.
const SEAL_KEY_LABEL: &str = "zhengzhao software secure area v1";
/// Associated-data prefix of a sealed software key (the alias follows).
const SEAL_AAD: &[u8] = b"zhengzhao software key v1\0";

struct Persistence {
    store: Arc<dyn CredentialStore>,
    seal_key: Zeroizing<[u8; 32]>,
}

/// Software P-256 keys: in memory only, or persisted in a [`CredentialStore`] sealed with
/// AES-256-GCM under a key derived from the host's [`StoreKey`] (the associated data binds
/// each sealed key to its alias). Key material is zeroised when dropped and never written in
/// plaintext, whatever the store does. No `Debug`.
///
/// Software keys can be copied by anyone who can read the process's memory; production
/// wallets should implement [`SecureArea`] over the platform's secure hardware.
pub struct SoftwareSecureArea {
    keys: Mutex<BTreeMap<KeyAlias, Arc<SoftwareKey>>>,
    persistence: Option<Persistence>,
}

impl SoftwareSecureArea {
    /// Keys in memory only: gone when the process ends.
    pub fn in_memory() -> Self {
        SoftwareSecureArea {
            keys: Mutex::new(BTreeMap::new()),
            persistence: None,
        }
    }

    /// Keys persisted in `store` (collection [`Collection::Keys`]), sealed under `key`.
    pub fn persistent(
        store: Arc<dyn CredentialStore>,
        key: &StoreKey,
    ) -> Result<Self, SecureAreaError> {
        Ok(SoftwareSecureArea {
            keys: Mutex::new(BTreeMap::new()),
            persistence: Some(Persistence {
                store,
                seal_key: key.derive(SEAL_KEY_LABEL)?,
            }),
        })
    }

    fn aad(alias: &KeyAlias) -> Vec<u8> {
        let mut aad = SEAL_AAD.to_vec();
        aad.extend_from_slice(alias.as_str().as_bytes());
        aad
    }

    fn record_id(alias: &KeyAlias) -> Result<RecordId, SecureAreaError> {
        Ok(RecordId::new(alias.as_str())?)
    }

    /// The key under `alias`, from memory or the store.
    fn load(&self, alias: &KeyAlias) -> Result<Arc<SoftwareKey>, SecureAreaError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = keys.get(alias) {
            return Ok(Arc::clone(key));
        }
        let Some(p) = &self.persistence else {
            return Err(SecureAreaError::NoSuchKey);
        };
        let id = Self::record_id(alias)?;
        let sealed = p
            .store
            .get(Collection::Keys, &id)?
            .ok_or(SecureAreaError::NoSuchKey)?;
        let corrupted = || {
            SecureAreaError::Store(StoreError::Corrupted {
                collection: Collection::Keys,
                id: id.clone(),
            })
        };
        let scalar = seal::open(&p.seal_key, &Self::aad(alias), &sealed).ok_or_else(corrupted)?;
        let key = Arc::new(SoftwareKey::from_bytes(&scalar).map_err(|_| corrupted())?);
        keys.insert(alias.clone(), Arc::clone(&key));
        Ok(key)
    }
}

impl SecureArea for SoftwareSecureArea {
    fn create_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError> {
        // The lock is held across the check and the commit, so two threads cannot both
        // create a key under one alias.
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if keys.contains_key(alias) {
            return Err(SecureAreaError::AliasInUse);
        }
        let key = SoftwareKey::generate()?;
        if let Some(p) = &self.persistence {
            let id = Self::record_id(alias)?;
            if p.store.get(Collection::Keys, &id).map(|r| r.is_some())? {
                return Err(SecureAreaError::AliasInUse);
            }
            let sealed = seal::seal(&p.seal_key, &Self::aad(alias), key.to_bytes().as_slice())?;
            p.store.put(Collection::Keys, &id, &sealed)?;
        }
        let public = key.public();
        keys.insert(alias.clone(), Arc::new(key));
        Ok(public)
    }

    fn public_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError> {
        Ok(self.load(alias)?.public())
    }

    fn sign(&self, alias: &KeyAlias, message: &[u8]) -> Result<Vec<u8>, SecureAreaError> {
        Ok(Signer::sign(self.load(alias)?.as_ref(), message)?)
    }

    fn needs_signature_check(&self) -> bool {
        false
    }

    fn key_agreement(
        &self,
        alias: &KeyAlias,
        peer: &EcPublicKey,
    ) -> Result<SharedSecret, SecureAreaError> {
        Ok(self.load(alias)?.agree(peer)?)
    }

    fn delete_key(&self, alias: &KeyAlias) -> Result<bool, SecureAreaError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let in_memory = keys.remove(alias).is_some();
        let in_store = match &self.persistence {
            Some(p) => p.store.delete(Collection::Keys, &Self::record_id(alias)?)?,
            None => false,
        };
        Ok(in_memory || in_store)
    }
}
