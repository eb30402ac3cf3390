//! Presenting: which credentials can answer a request ([`Wallet::matching`]), picking and
//! committing copies ([`Wallet::select`]), the disclosure log entries ([`Wallet::record`]) and
//! the one-call path ([`Wallet::present`]) (see the [module documentation](super)).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::metadata::StoredCredential;
use super::{
    stated_purpose, AreaKey, BatchPolicy, Collection, CredentialId, CredentialMetadata,
    CredentialStatus, DisclosureEvent, StoreError, VerifierIdentity, Wallet, WalletError,
};
use crate::crypto::{self, EcPublicKey};
use crate::holder::{ParsedRequest, RequestedDocument, RequestedElement, ResponseBuilder};
use crate::model::{Credential, SessionTranscript};
use crate::time::UnixTime;

/// A credential that can answer a document request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Match {
    /// The credential.
    pub metadata: CredentialMetadata,
    /// Requested ∩ held: what it could disclose (show it, ask the holder).
    pub disclosable: Vec<RequestedElement>,
}

/// The holder's consent for one requested document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Consent {
    /// The document request's index in [`ParsedRequest::documents`].
    pub document: usize,
    /// The credential that answers it.
    pub credential: CredentialId,
    /// The approved elements (only those also requested and held are disclosed).
    pub approved: Vec<RequestedElement>,
    /// Whether the credential may be presented although it is not
    /// [`CredentialStatus::Active`] (suspended or revoked): the host's explicit decision, for
    /// example to show a suspended licence to an officer whose reader checks the status
    /// itself. Default `false`.
    pub present_inactive: bool,
}

impl Consent {
    /// A consent.
    pub fn new(document: usize, credential: CredentialId, approved: Vec<RequestedElement>) -> Self {
        Consent {
            document,
            credential,
            approved,
            present_inactive: false,
        }
    }

    /// The same consent, allowing a suspended or revoked credential to be presented (see
    /// [`Consent::present_inactive`]).
    pub fn presenting_inactive(mut self) -> Self {
        self.present_inactive = true;
        self
    }
}

/// How presented documents are authenticated.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DeviceAuthMode {
    /// `deviceSignature`: ES256 by the copy's device key.
    Signature,
    /// `deviceMac`: EMacKey from ECDH of the copy's device key and the reader's ephemeral key.
    Mac {
        /// The reader's ephemeral public key (`EReaderKey`).
        e_reader_key: EcPublicKey,
    },
}

/// One copy picked to answer one document request. No `Debug`.
pub struct SelectedCopy {
    document: usize,
    credential_id: CredentialId,
    credential: Credential,
    key: AreaKey,
    elements: Vec<RequestedElement>,
    verifier: VerifierIdentity,
    purpose: Option<String>,
    fresh_copies: usize,
}

impl SelectedCopy {
    /// The document request's index.
    pub fn document(&self) -> usize {
        self.document
    }

    /// The wallet's credential.
    pub fn credential_id(&self) -> &CredentialId {
        &self.credential_id
    }

    /// The copy to present.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// Its device key (a [`Signer`](crate::crypto::Signer) and
    /// [`KeyAgreement`](crate::crypto::KeyAgreement) in the secure area).
    pub fn device_key(&self) -> &AreaKey {
        &self.key
    }

    /// What will be disclosed: requested ∧ approved ∧ held. Pass exactly this to the
    /// response builder or the session's approval.
    pub fn elements(&self) -> &[RequestedElement] {
        &self.elements
    }

    /// Fresh copies left after this one.
    pub fn fresh_copies(&self) -> usize {
        self.fresh_copies
    }
}

/// Copies picked for a request, their use already committed. No `Debug`.
pub struct Selection {
    items: Vec<SelectedCopy>,
    running_low: Vec<CredentialId>,
}

impl Selection {
    /// One per consent, in order.
    pub fn items(&self) -> &[SelectedCopy] {
        &self.items
    }

    /// Credentials with few fresh copies left.
    pub fn running_low(&self) -> &[CredentialId] {
        &self.running_low
    }
}

/// A response ready to send, and what was recorded. `Debug` shows the response's length
/// only (it holds the disclosed values).
#[non_exhaustive]
pub struct Presentation {
    /// The DeviceResponse bytes.
    pub response: Vec<u8>,
    /// The log entries recorded (one per document).
    pub events: Vec<DisclosureEvent>,
    /// Credentials with few fresh copies left: time to ask the issuer for a new batch.
    pub running_low: Vec<CredentialId>,
}

impl std::fmt::Debug for Presentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presentation")
            .field("response", &format_args!("<{} bytes>", self.response.len()))
            .field("events", &self.events)
            .field("running_low", &self.running_low)
            .finish()
    }
}

impl Wallet {
    /// The credentials that can answer `request` (its docType, active), each with what it
    /// could disclose. Damaged records are skipped.
    pub fn matching(&self, request: &RequestedDocument) -> Result<Vec<Match>, WalletError> {
        let (good, _) = self.load_all()?;
        let trust = self.issuer_trust();
        Ok(good
            .iter()
            .filter(|s| s.doc_type == request.doc_type() && s.status == CredentialStatus::Active)
            .filter_map(|s| {
                let copy = s.copies.first()?;
                Some(Match {
                    metadata: s.metadata(&trust),
                    disclosable: request.disclosable(&copy.credential),
                })
            })
            .collect())
    }

    // ----- presenting ----------------------------------------------------------------------

    /// Picks a copy for each consent per the credential's [`BatchPolicy`] and commits its use
    /// before returning, so a one-time copy can never be presented twice, even after a crash.
    ///
    /// For apps that build the response themselves (e.g. with
    /// [`session`](crate::session)): build it from [`Selection::items`], then call
    /// [`Wallet::record`] before sending it. A selection that is never sent only wastes its
    /// copies.
    pub fn select(
        &self,
        request: &ParsedRequest,
        consents: &[Consent],
    ) -> Result<Selection, WalletError> {
        let documents = request.documents();
        let _guard = self.guard();
        let mut touched: BTreeMap<CredentialId, StoredCredential> = BTreeMap::new();
        let mut picks = Vec::with_capacity(consents.len());
        for consent in consents {
            let document = documents
                .get(consent.document)
                .ok_or(WalletError::UnknownDocument {
                    index: consent.document,
                    count: documents.len(),
                })?;
            if !touched.contains_key(&consent.credential) {
                let stored = self.load(&consent.credential)?;
                touched.insert(consent.credential.clone(), stored);
            }
            let stored = touched
                .get_mut(&consent.credential)
                .ok_or(WalletError::UnknownCredential)?;
            if stored.status != CredentialStatus::Active && !consent.present_inactive {
                return Err(WalletError::NotPresentable {
                    status: stored.status,
                });
            }
            if stored.doc_type != document.doc_type() {
                return Err(WalletError::DocTypeMismatch);
            }
            let index = pick_copy(stored)?;
            let copy = stored
                .copies
                .get_mut(index)
                .ok_or(WalletError::UnknownCredential)?;
            copy.uses = copy.uses.saturating_add(1);
            stored.usage_count = stored.usage_count.saturating_add(1);
            let elements: Vec<RequestedElement> = document
                .disclosable(&copy.credential)
                .into_iter()
                .filter(|r| {
                    consent
                        .approved
                        .iter()
                        .any(|a| a.namespace == r.namespace && a.identifier == r.identifier)
                })
                .collect();
            picks.push((consent, document, index, elements));
        }
        for (id, stored) in &touched {
            self.store.put(
                Collection::Credentials,
                &id.record_id()?,
                &stored.to_bytes(),
            )?;
        }
        let mut items = Vec::with_capacity(picks.len());
        for (consent, document, index, elements) in picks {
            let stored = touched
                .get(&consent.credential)
                .ok_or(WalletError::UnknownCredential)?;
            let copy = stored
                .copies
                .get(index)
                .ok_or(WalletError::UnknownCredential)?;
            items.push(SelectedCopy {
                document: consent.document,
                credential_id: consent.credential.clone(),
                credential: copy.credential.clone(),
                key: AreaKey::new(Arc::clone(&self.area), copy.key.clone()),
                elements,
                verifier: VerifierIdentity::from_reader(document.reader()),
                purpose: stated_purpose(&document.request().items_request),
                fresh_copies: stored.fresh_copies(),
            });
        }
        let running_low = touched
            .values()
            .filter(|s| s.fresh_copies() <= self.low_copies)
            .map(|s| s.id.clone())
            .collect();
        Ok(Selection { items, running_low })
    }

    /// Commits one log entry per selected document, at time `at`. Call once per selection,
    /// before the response leaves the device.
    pub fn record(
        &self,
        selection: &Selection,
        at: UnixTime,
    ) -> Result<Vec<DisclosureEvent>, WalletError> {
        let mut events = Vec::with_capacity(selection.items.len());
        for item in &selection.items {
            let event = DisclosureEvent::new(
                at,
                item.verifier.clone(),
                item.purpose.clone(),
                item.credential.doc_type.clone(),
                item.credential_id.clone(),
                item.elements.clone(),
            )?;
            self.store
                .put(Collection::DisclosureLog, &event.id, &event.to_bytes())?;
            events.push(event);
        }
        Ok(events)
    }

    /// Answers `request` with the holder's `consents`: picks and commits a copy per consent,
    /// device-authenticates each document through the secure area, records the disclosures,
    /// and only then returns the response.
    pub fn present(
        &self,
        request: &ParsedRequest,
        transcript: &SessionTranscript,
        consents: &[Consent],
        auth: DeviceAuthMode,
        at: UnixTime,
    ) -> Result<Presentation, WalletError> {
        let selection = self.select(request, consents)?;
        let mut builder = ResponseBuilder::new(transcript);
        for item in &selection.items {
            let document =
                request
                    .documents()
                    .get(item.document)
                    .ok_or(WalletError::UnknownDocument {
                        index: item.document,
                        count: request.documents().len(),
                    })?;
            match &auth {
                DeviceAuthMode::Signature => {
                    builder.add_document(&item.credential, document, &item.elements, &item.key)?
                }
                DeviceAuthMode::Mac { e_reader_key } => builder.add_document_mac(
                    &item.credential,
                    document,
                    &item.elements,
                    &item.key,
                    e_reader_key,
                )?,
            }
        }
        let response = builder.finish();
        let events = self.record(&selection, at)?;
        Ok(Presentation {
            response,
            events,
            running_low: selection.running_low,
        })
    }
}

/// The copy to present next: a fresh one (random among them); under
/// [`BatchPolicy::Rotate`], once none is fresh, one of the least used.
fn pick_copy(stored: &StoredCredential) -> Result<usize, WalletError> {
    let least = stored.copies.iter().map(|c| c.uses).min();
    let candidates: Vec<usize> = match (stored.policy, least) {
        (_, Some(0)) => (0..stored.copies.len())
            .filter(|&i| stored.copies.get(i).is_some_and(|c| c.uses == 0))
            .collect(),
        (BatchPolicy::Rotate, Some(least)) => (0..stored.copies.len())
            .filter(|&i| stored.copies.get(i).is_some_and(|c| c.uses == least))
            .collect(),
        _ => Vec::new(),
    };
    if candidates.is_empty() {
        return Err(WalletError::NoUnusedCopy {
            credential: stored.id.clone(),
        });
    }
    let r = crypto::random_bytes(4).map_err(StoreError::from)?;
    let mut word = [0u8; 4];
    word.copy_from_slice(r.get(..4).unwrap_or(&[0; 4]));
    let choice = u32::from_be_bytes(word) as usize % candidates.len();
    candidates
        .get(choice)
        .copied()
        .ok_or(WalletError::NoUnusedCopy {
            credential: stored.id.clone(),
        })
}
