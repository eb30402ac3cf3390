//! Adding, removing and reading credentials: [`Wallet::prepare`], [`Wallet::add`],
//! [`Wallet::remove`], [`Wallet::set_status`], [`Wallet::credentials`] and the checks a batch
//! passes before it is committed (see the [module documentation](super)).

use super::metadata::{StoredCopy, StoredCredential};
use super::{
    BatchPolicy, Collection, CredentialId, CredentialMetadata, CredentialProblem, CredentialStatus,
    DamagedRecord, DisplayName, KeyAlias, Wallet, WalletError, MAX_BATCH,
};
use crate::cbor::Limits;
use crate::crypto::EcPublicKey;
use crate::model::{Credential, ValidityInfo};
use crate::time::UnixTime;
use crate::trust::Certificate;

/// Every credential's metadata, and the records that could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub struct CredentialList {
    /// Readable credentials, oldest first.
    pub credentials: Vec<CredentialMetadata>,
    /// Damaged records: the others are unaffected.
    pub damaged: Vec<DamagedRecord>,
}

/// Device keys created for a credential that the issuer has yet to sign; pass to
/// [`Wallet::add`] (or [`Wallet::abandon`]).
#[derive(Debug)]
pub struct PendingCredential {
    id: CredentialId,
    keys: Vec<(KeyAlias, EcPublicKey)>,
}

impl PendingCredential {
    /// The identifier the credential will have.
    pub fn id(&self) -> &CredentialId {
        &self.id
    }

    /// The public device keys, one per copy, for the issuer.
    pub fn device_keys(&self) -> Vec<EcPublicKey> {
        self.keys.iter().map(|(_, k)| k.clone()).collect()
    }
}

impl Wallet {
    // ----- adding and removing -------------------------------------------------------------

    /// Creates `copies` device keys (1 to [`MAX_BATCH`]) in the secure area for a new
    /// credential; send [`PendingCredential::device_keys`] to the issuer.
    pub fn prepare(&self, copies: usize) -> Result<PendingCredential, WalletError> {
        if copies == 0 || copies > MAX_BATCH {
            return Err(WalletError::BatchSize);
        }
        let id = CredentialId::random()?;
        let mut keys = Vec::with_capacity(copies);
        for i in 0..copies {
            let created = id
                .key_alias(i)
                .and_then(|alias| Ok((alias.clone(), self.area.create_key(&alias)?)));
            match created {
                Ok(k) => keys.push(k),
                Err(e) => {
                    for (alias, _) in &keys {
                        let _ = self.area.delete_key(alias);
                    }
                    return Err(e.into());
                }
            }
        }
        Ok(PendingCredential { id, keys })
    }

    /// The pending credential `id` with `copies` keys, after a restart (its keys are in the
    /// secure area).
    pub fn resume(
        &self,
        id: CredentialId,
        copies: usize,
    ) -> Result<PendingCredential, WalletError> {
        if copies == 0 || copies > MAX_BATCH {
            return Err(WalletError::BatchSize);
        }
        let mut keys = Vec::with_capacity(copies);
        for i in 0..copies {
            let alias = id.key_alias(i)?;
            let public = self.area.public_key(&alias)?;
            keys.push((alias, public));
        }
        Ok(PendingCredential { id, keys })
    }

    /// Deletes the device keys of a credential that will not be added.
    pub fn abandon(&self, pending: PendingCredential) -> Result<(), WalletError> {
        for (alias, _) in &pending.keys {
            self.area.delete_key(alias)?;
        }
        Ok(())
    }

    /// Adds the issuer's copies of a prepared credential, in one atomic commit.
    ///
    /// Every copy must be well-formed, carry the docType its MSO names, verify with its own
    /// document-signer certificate (trust in the issuer is the verifier's business), be bound
    /// to a distinct device key from `pending`, and agree with the others in docType, issuer
    /// and element identifiers. Keys the issuer did not use are deleted.
    pub fn add(
        &self,
        pending: PendingCredential,
        credentials: Vec<Credential>,
        display_name: DisplayName,
        policy: BatchPolicy,
        now: UnixTime,
    ) -> Result<CredentialMetadata, WalletError> {
        if credentials.is_empty() || credentials.len() > pending.keys.len() {
            return Err(WalletError::BatchSize);
        }
        let limits = Limits::default();
        let mut unused: Vec<Option<&(KeyAlias, EcPublicKey)>> =
            pending.keys.iter().map(Some).collect();
        let mut copies = Vec::with_capacity(credentials.len());
        // (docType, issuer, sorted element identifiers): every copy must agree.
        let mut first: Option<BatchShape> = None;
        let mut validity: Option<ValidityInfo> = None;
        for credential in credentials {
            let mso = credential
                .issuer_signed
                .mso_unverified(&limits)
                .map_err(WalletError::Malformed)?;
            if mso.doc_type != credential.doc_type {
                return Err(WalletError::Refused(CredentialProblem::DocTypeMismatch));
            }
            let issuer = issuer_of(&credential)?;
            let mut elements = credential.element_ids();
            elements.sort();
            let shape = (credential.doc_type.clone(), issuer, elements);
            match &first {
                None => first = Some(shape),
                Some(f) if *f == shape => {}
                Some(_) => return Err(WalletError::Refused(CredentialProblem::BatchMismatch)),
            }
            let slot = unused
                .iter_mut()
                .find(|k| k.is_some_and(|(_, public)| public == mso.device_key.public_key()))
                .ok_or(WalletError::Refused(CredentialProblem::UnknownDeviceKey))?;
            let Some((alias, _)) = slot.take() else {
                return Err(WalletError::Refused(CredentialProblem::UnknownDeviceKey));
            };
            validity = Some(match validity {
                None => mso.validity.clone(),
                Some(v) => intersect(v, &mso.validity),
            });
            copies.push(StoredCopy {
                credential,
                key: alias.clone(),
                uses: 0,
            });
        }
        let (Some((doc_type, issuer, _)), Some(validity)) = (first, validity) else {
            return Err(WalletError::BatchSize);
        };
        let stored = StoredCredential {
            id: pending.id.clone(),
            doc_type,
            issuer,
            validity,
            display_name,
            usage_count: 0,
            status: CredentialStatus::Active,
            policy,
            added: now,
            copies,
            status_check: None,
        };
        {
            let _guard = self.guard();
            self.store.put(
                Collection::Credentials,
                &stored.id.record_id()?,
                &stored.to_bytes(),
            )?;
        }
        for (alias, _) in unused.into_iter().flatten() {
            // The credential is committed; a key left behind here is harmless.
            let _ = self.area.delete_key(alias);
        }
        Ok(stored.metadata(&self.issuer_trust()))
    }

    /// Removes a credential (even a damaged one) and then its device keys; `false` if there
    /// was none. Its disclosure-log entries stay until the holder deletes them.
    pub fn remove(&self, id: &CredentialId) -> Result<bool, WalletError> {
        let _guard = self.guard();
        let record = id.record_id()?;
        let aliases: Vec<KeyAlias> = match self.load(id) {
            Ok(stored) => stored.copies.into_iter().map(|c| c.key).collect(),
            Err(WalletError::UnknownCredential) => Vec::new(),
            // Damaged: try every alias a batch can have.
            Err(_) => (0..MAX_BATCH)
                .map(|i| id.key_alias(i))
                .collect::<Result<_, _>>()?,
        };
        let existed = self.store.delete(Collection::Credentials, &record)?;
        for alias in &aliases {
            self.area.delete_key(alias)?;
        }
        Ok(existed)
    }

    /// Changes a credential's status.
    pub fn set_status(
        &self,
        id: &CredentialId,
        status: CredentialStatus,
    ) -> Result<CredentialMetadata, WalletError> {
        let _guard = self.guard();
        let mut stored = self.load(id)?;
        stored.status = status;
        self.store.put(
            Collection::Credentials,
            &id.record_id()?,
            &stored.to_bytes(),
        )?;
        Ok(stored.metadata(&self.issuer_trust()))
    }

    // ----- reading -------------------------------------------------------------------------

    pub(super) fn load(&self, id: &CredentialId) -> Result<StoredCredential, WalletError> {
        let record = id.record_id()?;
        let bytes = self
            .store
            .get(Collection::Credentials, &record)?
            .ok_or(WalletError::UnknownCredential)?;
        StoredCredential::from_bytes(&bytes).map_err(|_| WalletError::UnreadableRecord {
            collection: Collection::Credentials,
            id: record,
        })
    }

    pub(super) fn load_all(
        &self,
    ) -> Result<(Vec<StoredCredential>, Vec<DamagedRecord>), WalletError> {
        let mut good = Vec::new();
        let mut damaged = Vec::new();
        for record in self.store.list(Collection::Credentials)? {
            let loaded = CredentialId::parse(record.as_str())
                .ok_or_else(|| WalletError::UnreadableRecord {
                    collection: Collection::Credentials,
                    id: record.clone(),
                })
                .and_then(|id| self.load(&id));
            match loaded {
                Ok(stored) => good.push(stored),
                // Removed between list and load by another thread.
                Err(WalletError::UnknownCredential) => {}
                Err(error) => damaged.push(DamagedRecord { id: record, error }),
            }
        }
        good.sort_by(|a, b| (a.added, &a.id).cmp(&(b.added, &b.id)));
        Ok((good, damaged))
    }

    /// Every credential's metadata; damaged records are listed apart and do not hide the
    /// others.
    pub fn credentials(&self) -> Result<CredentialList, WalletError> {
        let (good, damaged) = self.load_all()?;
        let trust = self.issuer_trust();
        Ok(CredentialList {
            credentials: good.iter().map(|s| s.metadata(&trust)).collect(),
            damaged,
        })
    }

    /// One credential's metadata.
    pub fn metadata(&self, id: &CredentialId) -> Result<CredentialMetadata, WalletError> {
        Ok(self.load(id)?.metadata(&self.issuer_trust()))
    }

    /// One credential as issued (its first batch copy; copies differ only in salts, digests
    /// and device key), for showing the holder their own data.
    pub fn credential(&self, id: &CredentialId) -> Result<Credential, WalletError> {
        self.load(id)?
            .copies
            .into_iter()
            .next()
            .map(|copy| copy.credential)
            .ok_or(WalletError::UnknownCredential)
    }
}

/// What every copy of a batch shares: docType, issuer, sorted (namespace, element) pairs.
type BatchShape = (String, String, Vec<(String, String)>);

/// The subject of the document signer that signed `credential`.
fn issuer_of(credential: &Credential) -> Result<String, WalletError> {
    let auth = &credential.issuer_signed.issuer_auth;
    let chain = auth
        .x5chain()
        .map_err(|_| WalletError::Refused(CredentialProblem::IssuerCertificate))?;
    let leaf = chain
        .first()
        .and_then(|der| Certificate::from_der(der).ok())
        .ok_or(WalletError::Refused(CredentialProblem::IssuerCertificate))?;
    let key = leaf
        .public_key()
        .map_err(|_| WalletError::Refused(CredentialProblem::IssuerCertificate))?;
    auth.verify(&key, None)
        .map_err(|_| WalletError::Refused(CredentialProblem::IssuerSignature))?;
    Ok(leaf.subject())
}

/// The window both validities cover.
fn intersect(a: ValidityInfo, b: &ValidityInfo) -> ValidityInfo {
    ValidityInfo {
        signed: a.signed.max(b.signed),
        valid_from: a.valid_from.max(b.valid_from),
        valid_until: a.valid_until.min(b.valid_until),
        expected_update: match (a.expected_update, b.expected_update) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        },
    }
}
