//! The issuer role: turn a licence's attributes into a signed mdoc credential.
//!
//! It produces what ISO/IEC 18013-5 issuer data authentication (§9.1.2) verifies: the
//! IssuerSignedItems of §8.3.2.1.2.2 and the Mobile Security Object of §9.1.2.4, signed as
//! `issuerAuth` by a document signer whose certificate follows Annex B. Entry point:
//! [`Issuer::credential`]; Chinese licences go through
//! [`profiles::issue`](crate::profiles::issue), which checks every element first.
//!
//! Every element gets a fresh 32-byte salt from the OS CSPRNG and a random digest ID (IDs do
//! not reveal element order); the digests, the holder's device key, the docType and the
//! validity window go into the Mobile Security Object, which the document signer signs
//! (COSE_Sign1, ES256, `x5chain` = the document-signer certificate chain).
//!
//! The builder is a typestate: [`CredentialBuilder::sign`] exists only once a device key and a
//! validity window were given, so a credential missing either does not compile.
//!
//! ```
//! use zhengzhao::cbor::Value;
//! use zhengzhao::crypto::SoftwareKey;
//! use zhengzhao::issuer::Issuer;
//! use zhengzhao::time::UnixTime;
//! use zhengzhao::trust::testpki::TestPki;
//!
//! let now = UnixTime::now();
//! let pki = TestPki::generate(now)?;
//! let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
//! let device_key = SoftwareKey::generate()?;
//! let credential = issuer
//!     .credential("org.iso.18013.5.1.mDL")
//!     .element("org.iso.18013.5.1", "family_name", Value::text("Zhang"))
//!     .element("org.iso.18013.5.1", "age_over_18", Value::Bool(true))
//!     .device_key(device_key.public())
//!     .validity(now, now, now.add_secs(365 * 86_400))
//!     .sign()?;
//! assert_eq!(credential.element_ids().len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use crate::cbor::{Embedded, Value};
use crate::cose::{CoseError, CoseKey, CoseSign1, LABEL_X5CHAIN};
use crate::crypto::{self, CryptoError, EcPublicKey, Signer};
use crate::model::{
    Credential, DigestAlgorithm, IssuerSigned, IssuerSignedItem, KeyAuthorizations,
    MobileSecurityObject, SignedItem, ValidityInfo,
};
use crate::status::StatusReference;
use crate::time::UnixTime;
use crate::trust::Certificate;

/// Bytes of salt per element (18013-5 requires at least 16).
pub const SALT_LEN: usize = 32;

/// Why a credential could not be issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The same element identifier twice in one namespace.
    #[error("element given twice in one namespace")]
    DuplicateElement,
    /// No elements at all.
    #[error("a credential needs at least one element")]
    NoElements,
    /// `valid_until` before `valid_from`, or `signed` after `valid_until`.
    #[error("invalid validity window")]
    InvalidValidity,
    /// Random numbers or the signer failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// Building the COSE structure failed (e.g. the signer returned a malformed signature).
    #[error("COSE: {0}")]
    Cose(#[from] CoseError),
}

/// An issuing authority's document signer: signs credentials.
pub struct Issuer {
    signer: Box<dyn Signer>,
    x5chain: Vec<Vec<u8>>,
}

impl Issuer {
    /// A document signer with its key (a [`Signer`], e.g. an HSM or
    /// [`SoftwareKey`](crate::crypto::SoftwareKey)) and certificate chain, leaf first (usually
    /// just the document-signer certificate; the IACA is the verifier's trust anchor).
    pub fn new(signer: Box<dyn Signer>, chain: Vec<Certificate>) -> Self {
        Issuer {
            signer,
            x5chain: chain.iter().map(|c| c.der().to_vec()).collect(),
        }
    }

    /// Starts a credential of `doc_type`.
    pub fn credential(
        &self,
        doc_type: impl Into<String>,
    ) -> CredentialBuilder<'_, NoDeviceKey, NoValidity> {
        CredentialBuilder {
            issuer: self,
            doc_type: doc_type.into(),
            elements: Vec::new(),
            decoys: 0,
            key_authorizations: None,
            device_key: None,
            validity: None,
            status: None,
            _state: PhantomData,
        }
    }
}

/// Typestate: no device key given yet.
pub struct NoDeviceKey;
/// Typestate: device key given.
pub struct HasDeviceKey;
/// Typestate: no validity window given yet.
pub struct NoValidity;
/// Typestate: validity window given.
pub struct HasValidity;

/// Collects a credential's elements; see the [module documentation](self).
pub struct CredentialBuilder<'a, K, V> {
    issuer: &'a Issuer,
    doc_type: String,
    elements: Vec<(String, String, Value)>,
    decoys: usize,
    key_authorizations: Option<KeyAuthorizations>,
    device_key: Option<EcPublicKey>,
    validity: Option<ValidityInfo>,
    status: Option<StatusReference>,
    _state: PhantomData<(K, V)>,
}

impl<'a, K, V> CredentialBuilder<'a, K, V> {
    /// Adds an element to a namespace.
    pub fn element(
        mut self,
        namespace: impl Into<String>,
        identifier: impl Into<String>,
        value: Value,
    ) -> Self {
        self.elements
            .push((namespace.into(), identifier.into(), value));
        self
    }

    /// Adds `n` decoy digests per namespace (random digests under unused IDs), hiding how many
    /// elements the credential really holds.
    pub fn decoys(mut self, n: usize) -> Self {
        self.decoys = n;
        self
    }

    /// States which device-signed namespaces or elements the device key may sign.
    pub fn key_authorizations(mut self, ka: KeyAuthorizations) -> Self {
        self.key_authorizations = Some(ka);
        self
    }

    /// Names where the credential's status is published (the MSO's `status` map, ISO/IEC
    /// 18013-5 2nd edition §12.3.4). Take the index from
    /// [`StatusListPublisher::allocate`](crate::status::StatusListPublisher::allocate), which
    /// draws it at random. [`CredentialBuilder::sign_batch`] writes the same reference into
    /// every credential of the batch, so a batch meant to be unlinkable is issued one
    /// [`CredentialBuilder::sign`] at a time, each with its own index.
    pub fn status(mut self, status: StatusReference) -> Self {
        self.status = (!status.is_empty()).then_some(status);
        self
    }

    fn cast<K2, V2>(self) -> CredentialBuilder<'a, K2, V2> {
        CredentialBuilder {
            issuer: self.issuer,
            doc_type: self.doc_type,
            elements: self.elements,
            decoys: self.decoys,
            key_authorizations: self.key_authorizations,
            device_key: self.device_key,
            validity: self.validity,
            status: self.status,
            _state: PhantomData,
        }
    }
}

impl<'a, V> CredentialBuilder<'a, NoDeviceKey, V> {
    /// Binds the credential to the holder's device key (the key that will authenticate
    /// presentations; on a phone it lives in secure hardware).
    pub fn device_key(mut self, key: EcPublicKey) -> CredentialBuilder<'a, HasDeviceKey, V> {
        self.device_key = Some(key);
        self.cast()
    }
}

impl<'a, K> CredentialBuilder<'a, K, NoValidity> {
    /// Sets when the MSO was signed and the window in which it is valid.
    pub fn validity(
        mut self,
        signed: UnixTime,
        valid_from: UnixTime,
        valid_until: UnixTime,
    ) -> CredentialBuilder<'a, K, HasValidity> {
        self.validity = Some(ValidityInfo {
            signed,
            valid_from,
            valid_until,
            expected_update: None,
        });
        self.cast()
    }
}

impl CredentialBuilder<'_, NoDeviceKey, HasValidity> {
    /// Signs one credential per device key: a batch for unlinkable presentations.
    ///
    /// Each copy is built and signed separately, so copies share no salt, digest ID, digest,
    /// device key or MSO signature; a wallet presents each copy once (or rotates them) so two
    /// verifiers cannot link their presentations through the credential. Copies do share the
    /// element values, the docType, the validity window and the document-signer
    /// certificate: give a coarse validity (e.g. whole days, the same for every batch issued
    /// that day) so the timestamps do not single a batch out. No device keys: no copies.
    ///
    /// ```
    /// # use zhengzhao::cbor::Value;
    /// # use zhengzhao::crypto::SoftwareKey;
    /// # use zhengzhao::issuer::Issuer;
    /// # use zhengzhao::time::UnixTime;
    /// # use zhengzhao::trust::testpki::TestPki;
    /// # let now = UnixTime::now();
    /// # let pki = TestPki::generate(now)?;
    /// # let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    /// let keys = [SoftwareKey::generate()?.public(), SoftwareKey::generate()?.public()];
    /// let batch = issuer
    ///     .credential("org.iso.18013.5.1.mDL")
    ///     .element("org.iso.18013.5.1", "age_over_18", Value::Bool(true))
    ///     .validity(now, now, now.add_secs(30 * 86_400))
    ///     .sign_batch(&keys)?;
    /// assert_eq!(batch.len(), 2);
    /// assert_ne!(batch[0].issuer_signed.issuer_auth, batch[1].issuer_signed.issuer_auth);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_batch(self, device_keys: &[EcPublicKey]) -> Result<Vec<Credential>, IssueError> {
        device_keys
            .iter()
            .map(|key| {
                CredentialBuilder::<NoDeviceKey, HasValidity> {
                    issuer: self.issuer,
                    doc_type: self.doc_type.clone(),
                    elements: self.elements.clone(),
                    decoys: self.decoys,
                    key_authorizations: self.key_authorizations.clone(),
                    device_key: None,
                    validity: self.validity.clone(),
                    status: self.status.clone(),
                    _state: PhantomData,
                }
                .device_key(key.clone())
                .sign()
            })
            .collect()
    }
}

/// A random digest ID (31 bits, so it encodes in five bytes at most) not yet in `used`.
fn fresh_digest_id(used: &mut BTreeSet<u64>) -> Result<u64, CryptoError> {
    loop {
        let b = crypto::random_bytes(4)?;
        let mut arr = [0u8; 4];
        arr.copy_from_slice(b.get(..4).ok_or(CryptoError::Rng)?);
        let id = u64::from(u32::from_be_bytes(arr) & 0x7fff_ffff);
        if used.insert(id) {
            return Ok(id);
        }
    }
}

impl CredentialBuilder<'_, HasDeviceKey, HasValidity> {
    /// Salts, digests and signs. The result is what the wallet stores.
    pub fn sign(self) -> Result<Credential, IssueError> {
        let (Some(device_key), Some(validity)) = (self.device_key, self.validity) else {
            // Unreachable through the typestate; kept fail-closed rather than panicking.
            return Err(IssueError::InvalidValidity);
        };
        if validity.valid_until < validity.valid_from || validity.signed > validity.valid_until {
            return Err(IssueError::InvalidValidity);
        }
        if self.elements.is_empty() {
            return Err(IssueError::NoElements);
        }
        let mut namespaces: Vec<(String, Vec<SignedItem>)> = Vec::new();
        let mut value_digests: BTreeMap<String, BTreeMap<u64, Vec<u8>>> = BTreeMap::new();
        let mut used_ids: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        for (ns, id, value) in self.elements {
            if !seen.insert((ns.clone(), id.clone())) {
                return Err(IssueError::DuplicateElement);
            }
            let used = used_ids.entry(ns.clone()).or_default();
            let item = SignedItem::new(IssuerSignedItem {
                digest_id: fresh_digest_id(used)?,
                random: crypto::random_bytes(SALT_LEN)?,
                element_identifier: id,
                element_value: value,
            });
            value_digests.entry(ns.clone()).or_default().insert(
                item.item().digest_id,
                crypto::sha256(item.tagged_bytes()).to_vec(),
            );
            match namespaces.iter_mut().find(|(n, _)| *n == ns) {
                Some((_, items)) => items.push(item),
                None => namespaces.push((ns, vec![item])),
            }
        }
        for (ns, digests) in value_digests.iter_mut() {
            let used = used_ids.entry(ns.clone()).or_default();
            for _ in 0..self.decoys {
                digests.insert(fresh_digest_id(used)?, crypto::random_bytes(32)?);
            }
        }
        let mso = MobileSecurityObject {
            version: "1.0".to_owned(),
            digest_algorithm: DigestAlgorithm::Sha256,
            value_digests,
            device_key: CoseKey::new(device_key),
            key_authorizations: self.key_authorizations,
            doc_type: self.doc_type.clone(),
            validity,
            status: self.status.clone(),
            unknown_keys: Vec::new(),
        };
        let mso_bytes = Embedded::wrap_value(&mso.to_value());
        let x5chain = match self.issuer.x5chain.as_slice() {
            [one] => Value::Bytes(one.clone()),
            many => Value::Array(many.iter().cloned().map(Value::Bytes).collect()),
        };
        let issuer_auth = CoseSign1::sign(
            self.issuer.signer.as_ref(),
            vec![(Value::Integer(LABEL_X5CHAIN), x5chain)],
            mso_bytes.tagged_bytes(),
            true,
        )?;
        Ok(Credential {
            doc_type: self.doc_type,
            issuer_signed: IssuerSigned {
                namespaces,
                issuer_auth,
            },
        })
    }
}
