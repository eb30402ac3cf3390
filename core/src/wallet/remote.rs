//! Remote presentation from the wallet: OpenID4VP 1.0 requests answered with the same consent
//! flow as proximity.
//!
//! [`Wallet::remote_request`] matches a [`VerifiedRequest`]'s DCQL query against the active
//! credentials and turns each credential query it can answer into a [`RequestedDocument`],
//! asking for exactly the claims DCQL selected (the first satisfiable claim set). The app
//! shows [`RemoteRequest::documents`] (who asks, what, the purpose) and collects
//! [`Consent`]s as for a proximity request; [`Wallet::present_remote`] then discloses only
//! requested ∧ held ∧ approved elements, one DeviceResponse per credential query, bound to the
//! request's transcript, records the disclosures and returns the response to send.

use super::presentation::Consent;
use super::{CredentialStatus, DisclosureEvent, Wallet, WalletError};
use crate::holder::{ParsedRequest, ReaderIdentity, RequestedDocument, ResponseBuilder};
use crate::model::{DocRequest, ItemsRequest};
use crate::oid4vp::dcql::{Candidate, DcqlError};
use crate::oid4vp::request::{Invocation, VerifiedRequest, VerifierParty};
use crate::oid4vp::response::{build_response, AuthorizationResponse, ResponseError, VpToken};
use crate::wallet::CredentialId;
use crate::UnixTime;

/// Why a remote request cannot be answered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The wallet failed (store, secure area, a consent that does not fit).
    #[error("wallet: {0}")]
    Wallet(#[from] WalletError),
    /// The DCQL query cannot be satisfied by the credentials held (§6.4: nothing is sent).
    #[error("dcql: {0}")]
    Dcql(#[from] DcqlError),
    /// The response could not be built.
    #[error("response: {0}")]
    Response(#[from] ResponseError),
}

/// A verified request matched against the wallet: what to show the holder.
#[derive(Debug, Clone)]
pub struct RemoteRequest {
    request: VerifiedRequest,
    parsed: ParsedRequest,
    query_ids: Vec<String>,
    candidates: Vec<Vec<CredentialId>>,
}

impl RemoteRequest {
    /// The request.
    pub fn request(&self) -> &VerifiedRequest {
        &self.request
    }

    /// One requested document per answerable credential query, in query order; a
    /// [`Consent`]'s `document` index points here.
    pub fn documents(&self) -> &[RequestedDocument] {
        self.parsed.documents()
    }

    /// The credential query id each document answers.
    pub fn query_ids(&self) -> &[String] {
        &self.query_ids
    }

    /// The credentials that can answer each document, in wallet order.
    pub fn candidates(&self, document: usize) -> &[CredentialId] {
        self.candidates
            .get(document)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// A remote answer ready to send, and what was recorded.
#[derive(Debug)]
#[non_exhaustive]
pub struct RemotePresentation {
    /// What to send (POST body, or the DC API's JSON).
    pub response: AuthorizationResponse,
    /// The log entries recorded (one per document).
    pub events: Vec<DisclosureEvent>,
    /// Credentials with few fresh copies left.
    pub running_low: Vec<CredentialId>,
}

impl Wallet {
    /// Matches `request`'s DCQL query against the active credentials.
    /// [`DcqlError::NotSatisfiable`] when a required credential cannot be answered: the
    /// wallet then answers nothing.
    pub fn remote_request(&self, request: VerifiedRequest) -> Result<RemoteRequest, RemoteError> {
        let (stored, _) = self.load_all()?;
        let active: Vec<_> = stored
            .iter()
            .filter(|s| s.status == CredentialStatus::Active)
            .filter_map(|s| s.copies.first().map(|c| (s.id.clone(), &c.credential)))
            .collect();
        let candidates: Vec<Candidate<'_>> = active
            .iter()
            .enumerate()
            .map(|(id, (_, credential))| Candidate { id, credential })
            .collect();
        let selection = request.dcql().select(&candidates)?;
        let reader = match request.verifier() {
            VerifierParty::Authenticated {
                subject,
                certificate,
            } => ReaderIdentity::Authenticated {
                subject: subject.clone(),
                certificate: certificate.clone(),
            },
            VerifierParty::Unauthenticated => ReaderIdentity::Unverified {
                claimed_subject: match (request.client_id(), request.invocation()) {
                    (Some(id), _) => id.as_str().to_owned(),
                    (None, Invocation::DcApi { origin }) => origin.clone(),
                    (None, _) => String::new(),
                },
            },
        };
        let mut documents = Vec::new();
        let mut query_ids = Vec::new();
        let mut per_document = Vec::new();
        for answer in selection.answers() {
            let mut items = ItemsRequest::new(answer.doc_type.clone());
            for element in &answer.elements {
                items = items.with_element(
                    element.namespace.clone(),
                    element.identifier.clone(),
                    element.intent_to_retain,
                );
            }
            documents.push((DocRequest::new(items), reader.clone()));
            query_ids.push(answer.query_id.clone());
            per_document.push(
                answer
                    .candidates
                    .iter()
                    .filter_map(|i| active.get(*i).map(|(id, _)| id.clone()))
                    .collect(),
            );
        }
        Ok(RemoteRequest {
            request,
            parsed: ParsedRequest::from_documents(documents),
            query_ids,
            candidates: per_document,
        })
    }

    /// Answers `remote` with the holder's `consents` (at most one per document unless its
    /// query allows `multiple`): commits a copy per consent, device-signs one DeviceResponse
    /// per consent over the request's transcript, records the disclosures, and only then
    /// returns the response.
    pub fn present_remote(
        &self,
        remote: &RemoteRequest,
        consents: &[Consent],
        at: UnixTime,
    ) -> Result<RemotePresentation, RemoteError> {
        let selection = self.select(&remote.parsed, consents)?;
        let transcript = remote.request.handover().transcript();
        let mut token = VpToken::new();
        for item in selection.items() {
            let document = remote.parsed.documents().get(item.document()).ok_or(
                WalletError::UnknownDocument {
                    index: item.document(),
                    count: remote.parsed.documents().len(),
                },
            )?;
            let query_id =
                remote
                    .query_ids
                    .get(item.document())
                    .ok_or(WalletError::UnknownDocument {
                        index: item.document(),
                        count: remote.query_ids.len(),
                    })?;
            let mut builder = ResponseBuilder::new(&transcript);
            builder
                .add_document(
                    item.credential(),
                    document,
                    item.elements(),
                    item.device_key(),
                )
                .map_err(WalletError::from)?;
            token.push(query_id, builder.finish());
        }
        let response = build_response(&remote.request, &token)?;
        let events = self.record(&selection, at)?;
        Ok(RemotePresentation {
            response,
            events,
            running_low: selection.running_low().to_vec(),
        })
    }
}
