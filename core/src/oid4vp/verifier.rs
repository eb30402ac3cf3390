//! The verifier's side (OpenID4VP 1.0 §5, §8, B.2.6): a [`Transaction`] makes the signed
//! request and checks its one answer.
//!
//! A transaction draws its `nonce`, its `state` and, for the encrypted modes, an ephemeral
//! P-256 encryption key from the operating system's CSPRNG. The answer is decrypted with that
//! key, its `state` compared, the SessionTranscript rebuilt **from the transaction's own
//! parameters** (never from anything in the answer) and every DeviceResponse verified with the
//! existing [`Verifier`]. A transaction answers once: a second answer is
//! [`Oid4vpVerifyError::Replay`].

use std::collections::BTreeSet;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::client_id::ClientId;
use super::dcql::{DcqlError, DcqlQuery};
use super::handover::Handover;
use super::jose::{self, ContentEncryption, JoseError, Jwe, Jwk};
use super::json::{self, JsonError, JsonLimits};
use super::request::{parse_form, ResponseMode, REQUEST_OBJECT_TYP};
use crate::crypto::{random_bytes, CryptoError, Signer, SoftwareKey};
use crate::status::StatusChecker;
use crate::trust::Certificate;
use crate::verifier::{VerifiedResponse, Verifier, VerifyError, VerifyOptions};
use crate::UnixTime;

/// How long a request object is valid (its `exp` − `iat`), in seconds.
pub const REQUEST_LIFETIME_SECS: i64 = 300;

/// Why an answer was refused, or a request could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Oid4vpVerifyError {
    /// The CSPRNG or a key operation failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// JWS or JWE failure: signing the request, or decrypting the answer (a wrong key, a
    /// tampered tag, an `enc` not offered).
    #[error("JOSE: {0}")]
    Jose(#[from] JoseError),
    /// The answer's JSON is malformed or over a limit.
    #[error("response JSON: {0}")]
    Json(#[from] JsonError),
    /// The DCQL query given to the transaction is invalid.
    #[error("dcql_query: {0}")]
    Dcql(#[from] DcqlError),
    /// The transaction already received its answer.
    #[error("this transaction was already answered")]
    Replay,
    /// The transaction's request expired before the answer came.
    #[error("the transaction expired")]
    Expired,
    /// The encrypted mode was requested, but the answer is not a JWE (or the reverse).
    #[error("the response is not in the requested response mode")]
    WrongResponseMode,
    /// The JWE's `kid` is not the transaction's encryption key.
    #[error("the response is encrypted to another key")]
    WrongKid,
    /// `state` is missing or differs from the transaction's.
    #[error("state mismatch")]
    StateMismatch,
    /// The answer carries an error response (`error=…`); its code is given.
    #[error("the wallet answered with error {code:?}")]
    WalletError {
        /// The `error` code (e.g. `access_denied`).
        code: String,
    },
    /// `vp_token` is missing or not an object of arrays of strings.
    #[error("vp_token missing or malformed")]
    MalformedVpToken,
    /// `vp_token` answers a credential query that was not asked.
    #[error("vp_token answers a credential query that was not asked")]
    UnknownQuery,
    /// A credential query without `multiple` was answered with more than one presentation.
    #[error("credential query {query} was answered more than once")]
    NotMultiple {
        /// The query id.
        query: String,
    },
    /// A presentation is not base64url.
    #[error("a presentation in vp_token is not base64url")]
    Base64,
    /// A DeviceResponse failed verification; `handover` names the transcript it was checked
    /// against (e.g. a device-authentication failure under `openid4vp`).
    #[error("presentation for {query} (transcript {handover}): {source}")]
    Presentation {
        /// The query id.
        query: String,
        /// [`Handover::name`] of the transcript used.
        handover: &'static str,
        /// The verifier's error.
        #[source]
        source: Box<VerifyError>,
    },
    /// A presented document is not of the query's docType.
    #[error("presentation for {query} is not of the requested docType")]
    DocTypeMismatch {
        /// The query id.
        query: String,
    },
    /// A presented document discloses an element the query did not ask for.
    #[error("presentation for {query} discloses an element that was not requested")]
    UnrequestedElement {
        /// The query id.
        query: String,
    },
    /// The answers do not satisfy the query's required credential sets.
    #[error("the response does not satisfy the query's required credentials")]
    Unsatisfied,
    /// The saved transaction state is malformed.
    #[error("transaction state is malformed")]
    State,
}

/// Who the verifier is and how it wants the answer.
pub struct VerifierConfig<'a> {
    /// The client identifier, prefix included (`x509_san_dns:…` or `x509_hash:…`).
    pub client_id: ClientId,
    /// Where the wallet POSTs the answer (redirect invocations).
    pub response_uri: String,
    /// `direct_post.jwt` (the default, HAIP) or `direct_post`.
    pub response_mode: ResponseMode,
    /// The request-object signer (its certificate is the first of `certificates`).
    pub signer: &'a dyn Signer,
    /// The `x5c` chain, leaf first (the anchor left out).
    pub certificates: &'a [Certificate],
}

/// One presentation request and its single answer.
pub struct Transaction {
    client_id: String,
    response_uri: String,
    response_mode: ResponseMode,
    nonce: String,
    state: String,
    encryption_key: Option<(SoftwareKey, String)>,
    dcql: Value,
    query: DcqlQuery,
    created: UnixTime,
    expires: UnixTime,
    answered: bool,
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("client_id", &self.client_id)
            .field("response_mode", &self.response_mode)
            .field("answered", &self.answered)
            .finish_non_exhaustive()
    }
}

fn random_b64(len: usize) -> Result<String, CryptoError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(len)?))
}

/// What a verified answer gives: per credential query id, the verified DeviceResponses.
#[derive(Debug)]
#[non_exhaustive]
pub struct VerifiedPresentation {
    /// The transcript the presentations were bound to ([`Handover::name`]).
    pub handover: &'static str,
    /// Per query id, the verified responses, in `vp_token` order.
    pub responses: Vec<(String, Vec<VerifiedResponse>)>,
}

impl Transaction {
    /// A new transaction for `dcql` (a DCQL query object) at `at`, and its signed request
    /// object (a compact JWS, `typ` `oauth-authz-req+jwt`).
    pub fn new(
        config: &VerifierConfig<'_>,
        dcql: &Value,
        at: UnixTime,
    ) -> Result<(Transaction, String), Oid4vpVerifyError> {
        let query = DcqlQuery::from_json(dcql)?;
        let encryption_key = if config.response_mode.is_encrypted() {
            Some((SoftwareKey::generate()?, random_b64(8)?))
        } else {
            None
        };
        let tx = Transaction {
            client_id: config.client_id.as_str().to_owned(),
            response_uri: config.response_uri.clone(),
            response_mode: config.response_mode,
            nonce: random_b64(32)?,
            state: random_b64(16)?,
            encryption_key,
            dcql: dcql.clone(),
            query,
            created: at,
            expires: at.add_secs(REQUEST_LIFETIME_SECS),
            answered: false,
        };
        let jwt = tx.request_object(config)?;
        Ok((tx, jwt))
    }

    fn encryption_jwk(&self) -> Result<Option<Jwk>, CryptoError> {
        self.encryption_key
            .as_ref()
            .map(|(key, kid)| Ok(Jwk::new(key.public()).with_kid(kid)))
            .transpose()
    }

    fn request_object(&self, config: &VerifierConfig<'_>) -> Result<String, Oid4vpVerifyError> {
        let mut claims = Map::new();
        claims.insert("client_id".into(), json!(self.client_id));
        claims.insert("response_type".into(), json!("vp_token"));
        claims.insert("response_mode".into(), json!(self.response_mode.name()));
        claims.insert("response_uri".into(), json!(self.response_uri));
        claims.insert("nonce".into(), json!(self.nonce));
        claims.insert("state".into(), json!(self.state));
        claims.insert("dcql_query".into(), self.dcql.clone());
        claims.insert("aud".into(), json!("https://self-issued.me/v2"));
        claims.insert("iat".into(), json!(self.created.secs()));
        claims.insert("exp".into(), json!(self.expires.secs()));
        let mut metadata = Map::new();
        metadata.insert(
            "vp_formats_supported".into(),
            json!({"mso_mdoc": {"issuerauth_alg_values": [-7], "deviceauth_alg_values": [-7]}}),
        );
        if let Some(jwk) = self.encryption_jwk()? {
            let mut key = jwk.to_json();
            if let Value::Object(m) = &mut key {
                m.insert("use".into(), json!("enc"));
                m.insert("alg".into(), json!("ECDH-ES"));
            }
            metadata.insert("jwks".into(), json!({ "keys": [key] }));
            metadata.insert(
                "encrypted_response_enc_values_supported".into(),
                json!(["A128GCM", "A256GCM"]),
            );
        }
        claims.insert("client_metadata".into(), Value::Object(metadata));
        let mut header = Map::new();
        header.insert("typ".into(), json!(REQUEST_OBJECT_TYP));
        header.insert(
            "x5c".into(),
            Value::Array(
                config
                    .certificates
                    .iter()
                    .map(|c| Value::String(STANDARD.encode(c.der())))
                    .collect(),
            ),
        );
        let payload = Value::Object(claims).to_string();
        Ok(jose::sign_es256(header, payload.as_bytes(), config.signer)?)
    }

    /// The authorization request URI passing the request object by value:
    /// `openid4vp://?client_id=…&request=…`.
    pub fn request_uri(&self, request_object: &str) -> String {
        format!(
            "openid4vp://?{}",
            super::request::encode_form(&[
                ("client_id", &self.client_id),
                ("request", request_object)
            ])
        )
    }

    /// The nonce sent.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The `state` sent.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// Whether the transaction has received its answer.
    pub fn is_answered(&self) -> bool {
        self.answered
    }

    /// The handover the answer must be bound to, from the transaction's own parameters.
    pub fn handover(&self) -> Result<Handover, CryptoError> {
        Ok(Handover::OpenId4Vp {
            client_id: self.client_id.clone(),
            nonce: self.nonce.clone(),
            jwk_thumbprint: self.encryption_jwk()?.map(|k| k.thumbprint()),
            response_uri: self.response_uri.clone(),
        })
    }

    /// Checks the answer POSTed to the `response_uri` (its form body) and, if everything
    /// holds, returns the verified presentations. The transaction is spent by the first call
    /// that gets past decryption and the `state` check, whatever its outcome.
    pub fn handle_response(
        &mut self,
        form_body: &str,
        verifier: &Verifier,
        at: UnixTime,
        status: Option<&StatusChecker>,
        limits: &JsonLimits,
    ) -> Result<VerifiedPresentation, Oid4vpVerifyError> {
        if self.answered {
            return Err(Oid4vpVerifyError::Replay);
        }
        if at.secs() > self.expires.secs() {
            return Err(Oid4vpVerifyError::Expired);
        }
        if form_body.len() > limits.max_bytes {
            return Err(Oid4vpVerifyError::Json(JsonError::TooLarge {
                len: form_body.len(),
                max: limits.max_bytes,
            }));
        }
        let params = parse_form(form_body).map_err(|_| Oid4vpVerifyError::MalformedVpToken)?;
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        if let Some(code) = get("error") {
            if get("state").map(String::as_str) == Some(self.state.as_str()) {
                self.answered = true;
            }
            return Err(Oid4vpVerifyError::WalletError { code: code.clone() });
        }
        let payload: Map<String, Value> = match (&self.encryption_key, get("response")) {
            (Some((key, kid)), Some(jwe)) => {
                if get("vp_token").is_some() {
                    return Err(Oid4vpVerifyError::WrongResponseMode);
                }
                let jwe = Jwe::parse(jwe, limits)?;
                if jwe.kid() != Some(kid.as_str()) {
                    return Err(Oid4vpVerifyError::WrongKid);
                }
                let plaintext: Zeroizing<Vec<u8>> = jwe.decrypt(
                    key,
                    &[ContentEncryption::A128Gcm, ContentEncryption::A256Gcm],
                )?;
                json::parse_object(&plaintext, limits)?
            }
            (None, None) => {
                let mut m = Map::new();
                let token = get("vp_token").ok_or(Oid4vpVerifyError::MalformedVpToken)?;
                m.insert("vp_token".into(), json::parse(token.as_bytes(), limits)?);
                if let Some(state) = get("state") {
                    m.insert("state".into(), Value::String(state.clone()));
                }
                m
            }
            _ => return Err(Oid4vpVerifyError::WrongResponseMode),
        };
        if payload.get("state").and_then(Value::as_str) != Some(self.state.as_str()) {
            return Err(Oid4vpVerifyError::StateMismatch);
        }
        self.answered = true;
        let handover = self.handover()?;
        self.verify_vp_token(&payload, &handover, verifier, at, status)
    }

    fn verify_vp_token(
        &self,
        payload: &Map<String, Value>,
        handover: &Handover,
        verifier: &Verifier,
        at: UnixTime,
        status: Option<&StatusChecker>,
    ) -> Result<VerifiedPresentation, Oid4vpVerifyError> {
        let token = match payload.get("vp_token") {
            Some(Value::Object(m)) if !m.is_empty() => m,
            _ => return Err(Oid4vpVerifyError::MalformedVpToken),
        };
        let transcript = handover.transcript();
        let mut options = VerifyOptions::new(&transcript, at);
        if let Some(checker) = status {
            options = options.with_status(checker);
        }
        let mut answered = BTreeSet::new();
        let mut responses = Vec::with_capacity(token.len());
        for (query_id, presentations) in token {
            let query = self
                .query
                .credential(query_id)
                .ok_or(Oid4vpVerifyError::UnknownQuery)?;
            let list = match presentations {
                Value::Array(list) if !list.is_empty() => list,
                _ => return Err(Oid4vpVerifyError::MalformedVpToken),
            };
            if list.len() > 1 && !query.multiple() {
                return Err(Oid4vpVerifyError::NotMultiple {
                    query: query_id.clone(),
                });
            }
            let mut verified = Vec::with_capacity(list.len());
            for p in list {
                let text = p.as_str().ok_or(Oid4vpVerifyError::MalformedVpToken)?;
                let bytes = URL_SAFE_NO_PAD
                    .decode(text)
                    .map_err(|_| Oid4vpVerifyError::Base64)?;
                let response = verifier.verify(&bytes, &options).map_err(|source| {
                    Oid4vpVerifyError::Presentation {
                        query: query_id.clone(),
                        handover: handover.name(),
                        source: Box::new(source),
                    }
                })?;
                for doc in &response.documents {
                    if Some(doc.doc_type.as_str()) != query.doctype_value() {
                        return Err(Oid4vpVerifyError::DocTypeMismatch {
                            query: query_id.clone(),
                        });
                    }
                    let requested = query.requested_elements();
                    let extra = doc.issuer_signed.iter().any(|(ns, elements)| {
                        elements
                            .keys()
                            .any(|id| !requested.iter().any(|(rns, rid)| rns == ns && rid == id))
                    });
                    if extra {
                        return Err(Oid4vpVerifyError::UnrequestedElement {
                            query: query_id.clone(),
                        });
                    }
                }
                verified.push(response);
            }
            answered.insert(query_id.clone());
            responses.push((query_id.clone(), verified));
        }
        if !self.query.is_satisfied_by(&answered) {
            return Err(Oid4vpVerifyError::Unsatisfied);
        }
        Ok(VerifiedPresentation {
            handover: handover.name(),
            responses,
        })
    }

    /// The transaction as JSON, **including the private encryption key**: for a verifier
    /// that keeps transactions outside memory (the `mdoc-tool oid4vp` state directory, a
    /// shared store). Keep it where only the verifier reads it.
    pub fn to_state_json(&self) -> Zeroizing<String> {
        let mut m = Map::new();
        m.insert("client_id".into(), json!(self.client_id));
        m.insert("response_uri".into(), json!(self.response_uri));
        m.insert("response_mode".into(), json!(self.response_mode.name()));
        m.insert("nonce".into(), json!(self.nonce));
        m.insert("state".into(), json!(self.state));
        m.insert("dcql_query".into(), self.dcql.clone());
        m.insert("created".into(), json!(self.created.secs()));
        m.insert("expires".into(), json!(self.expires.secs()));
        m.insert("answered".into(), json!(self.answered));
        if let Some((key, kid)) = &self.encryption_key {
            m.insert(
                "encryption_key".into(),
                json!({"d": URL_SAFE_NO_PAD.encode(key.to_bytes().as_slice()), "kid": kid}),
            );
        }
        Zeroizing::new(Value::Object(m).to_string())
    }

    /// A transaction saved with [`Transaction::to_state_json`].
    pub fn from_state_json(text: &str) -> Result<Transaction, Oid4vpVerifyError> {
        let m = json::parse_object(text.as_bytes(), &JsonLimits::default())?;
        let s = |name: &str| {
            m.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(Oid4vpVerifyError::State)
        };
        let t = |name: &str| {
            m.get(name)
                .and_then(Value::as_i64)
                .map(UnixTime::from_secs)
                .ok_or(Oid4vpVerifyError::State)
        };
        let response_mode =
            ResponseMode::from_name(&s("response_mode")?).ok_or(Oid4vpVerifyError::State)?;
        let encryption_key = match m.get("encryption_key") {
            None => None,
            Some(k) => {
                let d = k
                    .get("d")
                    .and_then(Value::as_str)
                    .and_then(|d| URL_SAFE_NO_PAD.decode(d).ok())
                    .map(Zeroizing::new)
                    .ok_or(Oid4vpVerifyError::State)?;
                let kid = k
                    .get("kid")
                    .and_then(Value::as_str)
                    .ok_or(Oid4vpVerifyError::State)?;
                Some((SoftwareKey::from_bytes(&d)?, kid.to_owned()))
            }
        };
        if response_mode.is_encrypted() != encryption_key.is_some() {
            return Err(Oid4vpVerifyError::State);
        }
        let dcql = m
            .get("dcql_query")
            .cloned()
            .ok_or(Oid4vpVerifyError::State)?;
        Ok(Transaction {
            client_id: s("client_id")?,
            response_uri: s("response_uri")?,
            response_mode,
            nonce: s("nonce")?,
            state: s("state")?,
            encryption_key,
            query: DcqlQuery::from_json(&dcql)?,
            dcql,
            created: t("created")?,
            expires: t("expires")?,
            answered: m
                .get("answered")
                .and_then(Value::as_bool)
                .ok_or(Oid4vpVerifyError::State)?,
        })
    }
}
