//! The authorization response (OpenID4VP 1.0 §8): the `vp_token` and how it travels.
//!
//! For `mso_mdoc`, the `vp_token` is a JSON object keyed by credential query `id`, each value
//! an array of base64url (no padding) `DeviceResponse`s, one per presented credential
//! (B.2.4, §8.1). The encrypted modes put the whole response object (`vp_token`, `state`) into
//! a JWE ([`jose::encrypt_ecdh_es`]) to the verifier's key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use super::jose::{self, JoseError};
use super::request::{encode_form, ResponseMode, VerifiedRequest};

/// Why a response could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// Encryption failed.
    #[error("encrypting the response: {0}")]
    Jose(#[from] JoseError),
    /// An encrypted mode without the verifier's key (cannot happen for a
    /// [`VerifiedRequest`], which checked it).
    #[error("the request has no encryption key")]
    NoEncryptionKey,
    /// No credential query was answered: §8.1 has no empty `vp_token`.
    #[error("nothing to present")]
    Empty,
}

/// The answers to a DCQL query: per credential query id, the DeviceResponses.
#[derive(Debug, Clone, Default)]
pub struct VpToken {
    entries: Vec<(String, Vec<Vec<u8>>)>,
}

impl VpToken {
    /// An empty token.
    pub fn new() -> VpToken {
        VpToken::default()
    }

    /// Adds `device_response` as an answer to the credential query `query_id`.
    pub fn push(&mut self, query_id: &str, device_response: Vec<u8>) {
        match self.entries.iter_mut().find(|(id, _)| id == query_id) {
            Some((_, list)) => list.push(device_response),
            None => self
                .entries
                .push((query_id.to_owned(), vec![device_response])),
        }
    }

    /// The answers, in the order added.
    pub fn entries(&self) -> &[(String, Vec<Vec<u8>>)] {
        &self.entries
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `{"<query id>": ["<base64url DeviceResponse>", …], …}`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (id, responses) in &self.entries {
            map.insert(
                id.clone(),
                Value::Array(
                    responses
                        .iter()
                        .map(|r| Value::String(URL_SAFE_NO_PAD.encode(r)))
                        .collect(),
                ),
            );
        }
        Value::Object(map)
    }
}

/// A response ready to send. `Debug` shows its kind and length only (it carries the
/// disclosed values, encrypted or not).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationResponse {
    /// `direct_post` / `direct_post.jwt`: the `application/x-www-form-urlencoded` body to
    /// POST to `uri`.
    FormPost {
        /// The `response_uri`.
        uri: String,
        /// The body.
        body: String,
    },
    /// `dc_api` / `dc_api.jwt`: the JSON object to return to the Digital Credentials API.
    DcApi {
        /// The object, serialised.
        json: String,
    },
}

impl std::fmt::Debug for AuthorizationResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthorizationResponse::FormPost { uri, body } => f
                .debug_struct("FormPost")
                .field("uri", uri)
                .field("body", &format_args!("<{} bytes>", body.len()))
                .finish(),
            AuthorizationResponse::DcApi { json } => f
                .debug_struct("DcApi")
                .field("json", &format_args!("<{} bytes>", json.len()))
                .finish(),
        }
    }
}

/// Builds the response to `request` carrying `vp_token`, in the request's response mode.
pub fn build_response(
    request: &VerifiedRequest,
    vp_token: &VpToken,
) -> Result<AuthorizationResponse, ResponseError> {
    if vp_token.is_empty() {
        return Err(ResponseError::Empty);
    }
    let mut payload = Map::new();
    payload.insert("vp_token".into(), vp_token.to_json());
    if let Some(state) = request.state() {
        payload.insert("state".into(), Value::String(state.to_owned()));
    }
    let mode = request.response_mode();
    let jwe = if mode.is_encrypted() {
        let (key, enc) = request.encryption().ok_or(ResponseError::NoEncryptionKey)?;
        let plaintext = Value::Object(payload.clone()).to_string();
        Some(jose::encrypt_ecdh_es(
            plaintext.as_bytes(),
            key,
            *enc,
            None,
            None,
        )?)
    } else {
        None
    };
    Ok(match mode {
        ResponseMode::DirectPost | ResponseMode::DirectPostJwt => {
            let uri = request.response_uri().unwrap_or_default().to_owned();
            let body = match &jwe {
                Some(jwe) => encode_form(&[("response", jwe)]),
                None => {
                    let token = vp_token.to_json().to_string();
                    match request.state() {
                        Some(state) => encode_form(&[("vp_token", &token), ("state", state)]),
                        None => encode_form(&[("vp_token", &token)]),
                    }
                }
            };
            AuthorizationResponse::FormPost { uri, body }
        }
        _ => {
            let object = match jwe {
                Some(jwe) => {
                    let mut m = Map::new();
                    m.insert("response".into(), Value::String(jwe));
                    Value::Object(m)
                }
                None => Value::Object(payload),
            };
            AuthorizationResponse::DcApi {
                json: object.to_string(),
            }
        }
    })
}

/// A credential and its device key, for a holder without a [`Wallet`](crate::wallet::Wallet)
/// store (tools, servers holding a credential for tests).
pub struct HeldCredential<'a> {
    /// The credential.
    pub credential: &'a crate::model::Credential,
    /// Its device key.
    pub device_key: &'a dyn crate::crypto::Signer,
}

/// What [`answer`] sent.
#[derive(Debug)]
#[non_exhaustive]
pub struct Answered {
    /// The response to send.
    pub response: AuthorizationResponse,
    /// Per credential query answered: the elements disclosed.
    pub disclosed: Vec<(String, Vec<crate::holder::RequestedElement>)>,
}

/// Answers `request` from `held` without a wallet store: DCQL selects the credentials and
/// claims (the first candidate per credential query), `approve` is the holder's consent per
/// query id and element, and only requested ∧ held ∧ approved elements leave. A query for
/// which nothing is approved (and that asked for something) is not answered.
///
/// [`Wallet::remote_request`](crate::wallet::Wallet::remote_request) is the same flow over
/// the wallet's store, with copies, status and the disclosure log.
pub fn answer(
    request: &VerifiedRequest,
    held: &[HeldCredential<'_>],
    approve: &dyn Fn(&str, &crate::holder::RequestedElement) -> bool,
) -> Result<Answered, AnswerError> {
    use crate::holder::{ParsedRequest, ReaderIdentity, ResponseBuilder};
    use crate::model::{DocRequest, ItemsRequest};

    let candidates: Vec<super::dcql::Candidate<'_>> = held
        .iter()
        .enumerate()
        .map(|(id, h)| super::dcql::Candidate {
            id,
            credential: h.credential,
        })
        .collect();
    let selection = request.dcql().select(&candidates)?;
    let reader = match request.verifier() {
        super::request::VerifierParty::Authenticated {
            subject,
            certificate,
        } => ReaderIdentity::Authenticated {
            subject: subject.clone(),
            certificate: certificate.clone(),
        },
        _ => ReaderIdentity::Unverified {
            claimed_subject: request
                .client_id()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
        },
    };
    let transcript = request.handover().transcript();
    let mut token = VpToken::new();
    let mut disclosed = Vec::new();
    for answer in selection.answers() {
        let Some(h) = answer.candidates.first().and_then(|i| held.get(*i)) else {
            continue;
        };
        let mut items = ItemsRequest::new(answer.doc_type.clone());
        for e in &answer.elements {
            items = items.with_element(
                e.namespace.clone(),
                e.identifier.clone(),
                e.intent_to_retain,
            );
        }
        let parsed = ParsedRequest::from_documents(vec![(DocRequest::new(items), reader.clone())]);
        let Some(document) = parsed.documents().first() else {
            continue;
        };
        let approved: Vec<_> = document
            .disclosable(h.credential)
            .into_iter()
            .filter(|e| approve(&answer.query_id, e))
            .collect();
        if approved.is_empty() && !answer.elements.is_empty() {
            continue;
        }
        let mut builder = ResponseBuilder::new(&transcript);
        builder.add_document(h.credential, document, &approved, h.device_key)?;
        token.push(&answer.query_id, builder.finish());
        disclosed.push((answer.query_id.clone(), approved));
    }
    Ok(Answered {
        response: build_response(request, &token)?,
        disclosed,
    })
}

/// Why [`answer`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// The query cannot be satisfied by the credentials held.
    #[error("dcql: {0}")]
    Dcql(#[from] super::dcql::DcqlError),
    /// Building a DeviceResponse failed (the device key).
    #[error("device response: {0}")]
    Holder(#[from] crate::holder::HolderError),
    /// Building the authorization response failed.
    #[error("{0}")]
    Response(#[from] ResponseError),
}
