//! The wallet's side of an authorization request (OpenID4VP 1.0 §5, RFC 9101 JAR, the DC API
//! profile of Appendix A): from what arrived to a [`VerifiedRequest`] that says who asks, for
//! what, where the answer goes and how it is bound. Nothing is fetched here: a request by
//! reference comes back as [`RequestSource::ByReference`] for the host to fetch.
//!
//! Checks, in order, each with its own [`RequestError`]:
//! 1. a signed request object is a JWS with `typ` `oauth-authz-req+jwt` and `alg` `ES256`
//!    (`none` is refused by name);
//! 2. its `client_id` equals the one outside it (redirect invocations) and has a supported
//!    prefix ([`ClientId`]); `redirect_uri:` requests must not be signed, the others must be;
//! 3. the `x5c` chain ends at one of the wallet's verifier trust anchors
//!    ([`ChainUsage::RequestObject`]); the leaf names the client (`dNSName` SAN for
//!    `x509_san_dns`, SHA-256 of its DER for `x509_hash`) and its key verifies the signature;
//! 4. `exp`, `iat` and `nbf` hold at the wallet's time; `wallet_nonce` is echoed when sent;
//! 5. `response_type` is `vp_token`; the `response_mode` belongs to the invocation (redirect:
//!    `direct_post` / `direct_post.jwt`; DC API: `dc_api` / `dc_api.jwt`); a `response_uri`
//!    is present for `direct_post*` and, for `x509_san_dns`, on the client's host;
//! 6. `nonce` is present; `dcql_query` is present and valid; `transaction_data` is refused
//!    (not supported); signed DC API requests list the calling origin in `expected_origins`;
//! 7. an encrypted mode names a P-256 `ECDH-ES` key in `client_metadata.jwks` and an `enc`
//!    this library supports.
//!
//! Unknown parameters are ignored (§5).

use serde_json::{Map, Value};

use super::client_id::{san_matches, ClientId, ClientIdError, ClientIdKind};
use super::dcql::{DcqlError, DcqlQuery};
use super::handover::Handover;
use super::jose::{ContentEncryption, JoseError, Jwk, JwkSet, Jws};
use super::json::{self, JsonError, JsonLimits};
use crate::trust::{validate_chain, Certificate, ChainUsage, TrustError, TrustStore};
use crate::UnixTime;

/// The `typ` of a request object (RFC 9101 §10.8).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";

/// Why an authorization request was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request's JSON (or a JSON-valued parameter) is malformed or over a limit.
    #[error("request JSON: {0}")]
    Json(#[from] JsonError),
    /// The request object is not a usable JWS.
    #[error("request object: {0}")]
    Jose(#[from] JoseError),
    /// The request object's `typ` is absent or not `oauth-authz-req+jwt`.
    #[error("request object typ is not oauth-authz-req+jwt")]
    WrongTyp,
    /// The client identifier cannot be used.
    #[error("client_id: {0}")]
    ClientId(#[from] ClientIdError),
    /// `client_id` is missing.
    #[error("client_id is missing")]
    MissingClientId,
    /// The `client_id` inside the request object differs from the one outside it.
    #[error("client_id of the request object differs from the request's")]
    ClientIdMismatch,
    /// A `redirect_uri:` client signed its request (§5.9.3: it must not).
    #[error("a redirect_uri client identifier must not be used with a signed request")]
    SignedRedirectUri,
    /// A client identifier prefix that needs a signed request came unsigned.
    #[error("client identifier prefix {prefix} requires a signed request")]
    UnsignedRequest {
        /// The prefix.
        prefix: &'static str,
    },
    /// The `x5c` header is missing or empty.
    #[error("request object has no x5c certificate chain")]
    MissingX5c,
    /// A certificate of the `x5c` chain does not parse, or the chain does not validate
    /// against the verifier trust anchors.
    #[error("verifier certificate chain: {0}")]
    Chain(#[source] TrustError),
    /// `x509_san_dns`: the DNS name is not a `dNSName` SAN of the leaf.
    #[error("x509_san_dns client identifier is not a dNSName of the signing certificate")]
    SanMismatch,
    /// `x509_hash`: the hash is not the SHA-256 of the leaf's DER.
    #[error("x509_hash client identifier does not match the signing certificate")]
    HashMismatch,
    /// The request object has expired (`exp` not after the wallet's time).
    #[error("request object expired")]
    Expired,
    /// `iat` or `nbf` is in the future.
    #[error("request object is not yet valid")]
    NotYetValid,
    /// The wallet sent a `wallet_nonce` and the request object does not echo it.
    #[error("wallet_nonce not echoed")]
    WalletNonceMismatch,
    /// `response_type` is not `vp_token`.
    #[error("response_type must be vp_token")]
    UnsupportedResponseType,
    /// `response_mode` is missing, unknown, or not one of the invocation's.
    #[error("response_mode {mode:?} is not allowed for this invocation")]
    ResponseMode {
        /// The mode received (empty when missing).
        mode: String,
    },
    /// `response_uri` is missing for a `direct_post*` mode, not `https`, or present together
    /// with `redirect_uri`.
    #[error("response_uri missing or unusable")]
    ResponseUri,
    /// `x509_san_dns` (redirect invocations): the `response_uri` host is not the client's
    /// DNS name (§5.9.3); `redirect_uri`: the `response_uri` is not the client identifier.
    #[error("response_uri does not belong to the client identifier")]
    ResponseUriMismatch,
    /// `nonce` is missing or empty.
    #[error("nonce is missing")]
    MissingNonce,
    /// `dcql_query` is missing (`scope` and `presentation_definition` are not supported).
    #[error("dcql_query is missing")]
    MissingDcql,
    /// The DCQL query is invalid.
    #[error("dcql_query: {0}")]
    Dcql(#[from] DcqlError),
    /// `transaction_data` is present: this wallet supports no transaction data type, and
    /// §5.1 requires such a wallet to reject the request.
    #[error("transaction_data is not supported")]
    TransactionDataUnsupported,
    /// A signed DC API request has no `expected_origins`, or the calling origin is not in it.
    #[error("the calling origin is not in expected_origins")]
    OriginNotExpected,
    /// An encrypted response mode without a usable key: no P-256 `ECDH-ES` key for
    /// encryption in `client_metadata.jwks`.
    #[error("no usable encryption key in client_metadata.jwks")]
    NoEncryptionKey,
    /// `encrypted_response_enc_values_supported` names no `enc` this library supports
    /// (A128GCM, A256GCM).
    #[error("no supported content encryption in encrypted_response_enc_values_supported")]
    NoSupportedEnc,
    /// A parameter has the wrong JSON type (e.g. `dcql_query` not an object).
    #[error("request parameter {name} has the wrong type")]
    WrongType {
        /// The parameter.
        name: &'static str,
    },
    /// The authorization request URI is malformed (bad percent-encoding, no query).
    #[error("authorization request URI is malformed")]
    MalformedUri,
    /// `request_uri_method` is neither `get` nor `post` (§5.1, `invalid_request_uri_method`).
    #[error("request_uri_method must be get or post")]
    RequestUriMethod,
}

/// How the request reached the wallet: this fixes the response modes allowed and the
/// transcript ([`Handover`]) the answer is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Invocation {
    /// A redirect or QR code (`openid4vp://`, same or cross device): answered by
    /// `direct_post` or `direct_post.jwt` to the `response_uri`.
    Redirect,
    /// The browser's Digital Credentials API, from the web origin the platform reports
    /// (e.g. `https://verifier.example.cn`, no trailing `/`): answered through the API.
    DcApi {
        /// The calling origin, as the platform gave it.
        origin: String,
    },
}

/// The response modes of OpenID4VP 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseMode {
    /// Form-encoded POST to the `response_uri`, unencrypted (§8.2).
    DirectPost,
    /// `response=<JWE>` POSTed to the `response_uri` (§8.3.1).
    DirectPostJwt,
    /// Returned through the DC API, unencrypted (Appendix A.2).
    DcApi,
    /// A JWE returned through the DC API (Appendix A.3).
    DcApiJwt,
}

impl ResponseMode {
    /// The parameter value.
    pub fn name(self) -> &'static str {
        match self {
            ResponseMode::DirectPost => "direct_post",
            ResponseMode::DirectPostJwt => "direct_post.jwt",
            ResponseMode::DcApi => "dc_api",
            ResponseMode::DcApiJwt => "dc_api.jwt",
        }
    }

    /// From the parameter value.
    pub fn from_name(name: &str) -> Option<ResponseMode> {
        match name {
            "direct_post" => Some(ResponseMode::DirectPost),
            "direct_post.jwt" => Some(ResponseMode::DirectPostJwt),
            "dc_api" => Some(ResponseMode::DcApi),
            "dc_api.jwt" => Some(ResponseMode::DcApiJwt),
            _ => None,
        }
    }

    /// Whether the response is a JWE.
    pub fn is_encrypted(self) -> bool {
        matches!(self, ResponseMode::DirectPostJwt | ResponseMode::DcApiJwt)
    }

    fn allowed_for(self, invocation: &Invocation) -> bool {
        match invocation {
            Invocation::Redirect => {
                matches!(self, ResponseMode::DirectPost | ResponseMode::DirectPostJwt)
            }
            Invocation::DcApi { .. } => {
                matches!(self, ResponseMode::DcApi | ResponseMode::DcApiJwt)
            }
        }
    }
}

/// `request_uri_method` (§5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestUriMethod {
    /// Fetch the request object with GET (the default).
    Get,
    /// POST `wallet_nonce` (and optionally `wallet_metadata`) form-encoded to the
    /// `request_uri`; the request object must echo the nonce.
    Post,
}

/// What an `openid4vp://` (or any) authorization request URI carries.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RequestSource {
    /// A request object by value (`request=`), with the outer `client_id`.
    ByValue {
        /// The outer `client_id`.
        client_id: Option<String>,
        /// The compact JWS.
        request: String,
    },
    /// A request object by reference: fetch `request_uri` with `method`, then call
    /// [`RequestPolicy::verify_request_object`] with the body.
    ByReference {
        /// The outer `client_id`.
        client_id: Option<String>,
        /// Where the request object is.
        request_uri: String,
        /// How to fetch it.
        method: RequestUriMethod,
    },
    /// Plain parameters (an unsigned request).
    Parameters(Map<String, Value>),
}

impl RequestSource {
    /// Parses the query of an authorization request URI (`openid4vp://?client_id=…&request_uri=…`,
    /// or an `https` URI with the same query). JSON-valued parameters of an unsigned request
    /// (`dcql_query`, `client_metadata`) are decoded from their JSON strings.
    pub fn from_uri(uri: &str, limits: &JsonLimits) -> Result<RequestSource, RequestError> {
        if uri.len() > limits.max_bytes {
            return Err(RequestError::Json(JsonError::TooLarge {
                len: uri.len(),
                max: limits.max_bytes,
            }));
        }
        let query = uri
            .split_once('?')
            .map(|(_, q)| q)
            .ok_or(RequestError::MalformedUri)?;
        let query = query.split_once('#').map_or(query, |(q, _)| q);
        let params = parse_form(query)?;
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let client_id = get("client_id");
        if let Some(request) = get("request") {
            return Ok(RequestSource::ByValue { client_id, request });
        }
        if let Some(request_uri) = get("request_uri") {
            let method = match get("request_uri_method").as_deref() {
                None | Some("get") => RequestUriMethod::Get,
                Some("post") => RequestUriMethod::Post,
                Some(_) => return Err(RequestError::RequestUriMethod),
            };
            return Ok(RequestSource::ByReference {
                client_id,
                request_uri,
                method,
            });
        }
        let mut map = Map::new();
        for (k, v) in params {
            let value = match k.as_str() {
                "dcql_query" | "client_metadata" | "verifier_info" => {
                    json::parse(v.as_bytes(), limits)?
                }
                _ => Value::String(v),
            };
            if map.insert(k, value).is_some() {
                return Err(RequestError::Json(JsonError::DuplicateMember));
            }
        }
        Ok(RequestSource::Parameters(map))
    }
}

/// Parses `application/x-www-form-urlencoded` (`+` is a space, `%XX` a byte, the result UTF-8).
pub fn parse_form(body: &str) -> Result<Vec<(String, String)>, RequestError> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

fn percent_decode(s: &str) -> Result<String, RequestError> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.next().and_then(hex_digit);
                let lo = bytes.next().and_then(hex_digit);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(RequestError::MalformedUri),
                }
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| RequestError::MalformedUri)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Encodes `pairs` as `application/x-www-form-urlencoded` (unreserved characters kept,
/// everything else `%XX`, space as `%20`).
pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(&mut out, k);
        out.push('=');
        percent_encode_into(&mut out, v);
    }
    out
}

fn percent_encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Who asks, as far as the wallet could establish it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum VerifierParty {
    /// The request was signed by a certificate that chains to a verifier trust anchor and
    /// names the client identifier.
    Authenticated {
        /// The leaf certificate's subject, to show the holder.
        subject: String,
        /// The leaf certificate.
        certificate: Box<Certificate>,
    },
    /// Unsigned: a `redirect_uri:` client, or an unsigned DC API request (only the web
    /// origin the platform reports is known).
    Unauthenticated,
}

/// What the wallet enforces on requests.
#[derive(Debug, Clone)]
pub struct RequestPolicy {
    /// Anchors for verifiers' request-object signers ([`AnchorRole::ReaderAuthority`](crate::trust::AnchorRole::ReaderAuthority)).
    pub verifier_trust: TrustStore,
    /// The wallet's time.
    pub at: UnixTime,
    /// Allowed clock skew for `iat`, `nbf` and `exp`, in seconds (default 300).
    pub clock_skew: i64,
    /// JSON limits for the request object, its parameters and the DCQL query.
    pub json: JsonLimits,
}

impl RequestPolicy {
    /// A policy trusting `verifier_trust` at `at`, with default skew and limits.
    pub fn new(verifier_trust: TrustStore, at: UnixTime) -> RequestPolicy {
        RequestPolicy {
            verifier_trust,
            at,
            clock_skew: 300,
            json: JsonLimits::default(),
        }
    }

    /// Verifies a signed request object (by value, or as fetched from a `request_uri`).
    ///
    /// `outer_client_id` is the `client_id` outside the request object (redirect
    /// invocations); `wallet_nonce` is the nonce the wallet POSTed to the `request_uri`.
    pub fn verify_request_object(
        &self,
        jwt: &str,
        outer_client_id: Option<&str>,
        wallet_nonce: Option<&str>,
        invocation: &Invocation,
    ) -> Result<VerifiedRequest, RequestError> {
        let jws = Jws::parse(jwt.trim(), &self.json)?;
        match jws.alg() {
            Some("ES256") => {}
            Some("none") => return Err(RequestError::Jose(JoseError::AlgNone)),
            _ => return Err(RequestError::Jose(JoseError::UnsupportedAlg)),
        }
        if jws.typ() != Some(REQUEST_OBJECT_TYP) {
            return Err(RequestError::WrongTyp);
        }
        let claims = json::parse_object(jws.payload(), &self.json)?;
        let client_id_str = text(&claims, "client_id")?.ok_or(RequestError::MissingClientId)?;
        if let Some(outer) = outer_client_id {
            if outer != client_id_str {
                return Err(RequestError::ClientIdMismatch);
            }
        }
        let client_id = ClientId::parse(client_id_str)?;
        if !client_id.requires_signature() {
            return Err(RequestError::SignedRedirectUri);
        }

        let x5c = jws.x5c()?;
        if x5c.is_empty() {
            return Err(RequestError::MissingX5c);
        }
        let chain = x5c
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(RequestError::Chain)?;
        let leaf = chain.first().ok_or(RequestError::MissingX5c)?;
        match client_id.kind() {
            ClientIdKind::X509SanDns { dns_name } => {
                let sans = leaf.dns_names().map_err(RequestError::Chain)?;
                if !san_matches(dns_name, &sans) {
                    return Err(RequestError::SanMismatch);
                }
            }
            ClientIdKind::X509Hash { hash } => {
                if crate::crypto::sha256(leaf.der()) != *hash {
                    return Err(RequestError::HashMismatch);
                }
            }
            ClientIdKind::RedirectUri { .. } => return Err(RequestError::SignedRedirectUri),
        }
        let validated = validate_chain(
            &chain,
            &self.verifier_trust,
            ChainUsage::RequestObject,
            self.at,
        )
        .map_err(RequestError::Chain)?;
        jws.verify_es256(validated.leaf_public_key())?;

        self.check_times(&claims)?;
        if let Some(sent) = wallet_nonce {
            if text(&claims, "wallet_nonce")? != Some(sent) {
                return Err(RequestError::WalletNonceMismatch);
            }
        }
        if let Invocation::DcApi { origin } = invocation {
            let expected = match claims.get("expected_origins") {
                Some(Value::Array(list)) if !list.is_empty() => list,
                _ => return Err(RequestError::OriginNotExpected),
            };
            if !expected.iter().any(|o| o.as_str() == Some(origin.as_str())) {
                return Err(RequestError::OriginNotExpected);
            }
        }
        let party = VerifierParty::Authenticated {
            subject: validated.leaf().subject(),
            certificate: Box::new(validated.leaf().clone()),
        };
        self.finish(&claims, Some(client_id), party, invocation)
    }

    /// Verifies an unsigned request: a `redirect_uri:` client over a redirect, or an
    /// unsigned DC API request (which must not carry a `client_id`, Appendix A.2).
    pub fn verify_unsigned(
        &self,
        params: &Map<String, Value>,
        invocation: &Invocation,
    ) -> Result<VerifiedRequest, RequestError> {
        let client_id = match (invocation, text(params, "client_id")?) {
            (Invocation::Redirect, None) => return Err(RequestError::MissingClientId),
            (Invocation::Redirect, Some(id)) => {
                let id = ClientId::parse(id)?;
                if id.requires_signature() {
                    return Err(RequestError::UnsignedRequest {
                        prefix: id.prefix(),
                    });
                }
                Some(id)
            }
            (Invocation::DcApi { .. }, None) => None,
            (Invocation::DcApi { .. }, Some(id)) => {
                // A client_id in an unsigned DC API request would be unauthenticated; the
                // origin is what identifies the verifier there.
                let id = ClientId::parse(id)?;
                return Err(RequestError::UnsignedRequest {
                    prefix: id.prefix(),
                });
            }
        };
        self.finish(
            params,
            client_id,
            VerifierParty::Unauthenticated,
            invocation,
        )
    }

    fn check_times(&self, claims: &Map<String, Value>) -> Result<(), RequestError> {
        let time = |name: &'static str| -> Result<Option<i64>, RequestError> {
            match claims.get(name) {
                None => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or(RequestError::WrongType { name }),
            }
        };
        let now = self.at.secs();
        if let Some(exp) = time("exp")? {
            if exp.saturating_add(self.clock_skew) <= now {
                return Err(RequestError::Expired);
            }
        }
        for name in ["iat", "nbf"] {
            if let Some(t) = time(name)? {
                if t > now.saturating_add(self.clock_skew) {
                    return Err(RequestError::NotYetValid);
                }
            }
        }
        Ok(())
    }

    fn finish(
        &self,
        claims: &Map<String, Value>,
        client_id: Option<ClientId>,
        verifier: VerifierParty,
        invocation: &Invocation,
    ) -> Result<VerifiedRequest, RequestError> {
        if claims.contains_key("transaction_data") {
            return Err(RequestError::TransactionDataUnsupported);
        }
        if text(claims, "response_type")? != Some("vp_token") {
            return Err(RequestError::UnsupportedResponseType);
        }
        let mode_name = text(claims, "response_mode")?.unwrap_or_default();
        let response_mode = ResponseMode::from_name(mode_name)
            .filter(|m| m.allowed_for(invocation))
            .ok_or_else(|| RequestError::ResponseMode {
                mode: mode_name.to_owned(),
            })?;
        let response_uri = match response_mode {
            ResponseMode::DirectPost | ResponseMode::DirectPostJwt => {
                let uri = text(claims, "response_uri")?.ok_or(RequestError::ResponseUri)?;
                if claims.contains_key("redirect_uri") || !uri.starts_with("https://") {
                    return Err(RequestError::ResponseUri);
                }
                match client_id.as_ref().map(ClientId::kind) {
                    Some(ClientIdKind::X509SanDns { dns_name })
                        if !https_host(uri).is_some_and(|h| h.eq_ignore_ascii_case(dns_name)) =>
                    {
                        return Err(RequestError::ResponseUriMismatch)
                    }
                    Some(ClientIdKind::RedirectUri { uri: client_uri }) if client_uri != uri => {
                        return Err(RequestError::ResponseUriMismatch)
                    }
                    _ => {}
                }
                Some(uri.to_owned())
            }
            ResponseMode::DcApi | ResponseMode::DcApiJwt => None,
        };
        let nonce = text(claims, "nonce")?
            .filter(|n| !n.is_empty())
            .ok_or(RequestError::MissingNonce)?
            .to_owned();
        let state = text(claims, "state")?.map(str::to_owned);
        let dcql = match claims.get("dcql_query") {
            Some(v @ Value::Object(_)) => DcqlQuery::from_json(v)?,
            Some(_) => return Err(RequestError::WrongType { name: "dcql_query" }),
            None => return Err(RequestError::MissingDcql),
        };
        let metadata = match claims.get("client_metadata") {
            None => None,
            Some(Value::Object(m)) => Some(m),
            Some(_) => {
                return Err(RequestError::WrongType {
                    name: "client_metadata",
                })
            }
        };
        let encryption = if response_mode.is_encrypted() {
            Some(choose_encryption(metadata)?)
        } else {
            None
        };
        Ok(VerifiedRequest {
            client_id,
            verifier,
            invocation: invocation.clone(),
            response_mode,
            response_uri,
            nonce,
            state,
            dcql,
            encryption,
            verifier_info: claims.get("verifier_info").cloned(),
        })
    }
}

/// The encryption key and `enc` for an encrypted response (§8.3): the first key of
/// `client_metadata.jwks` for encryption (`use` absent or `enc`) with `alg` `ECDH-ES` on
/// P-256, and A128GCM (the default) or else A256GCM from
/// `encrypted_response_enc_values_supported`.
fn choose_encryption(
    metadata: Option<&Map<String, Value>>,
) -> Result<(Jwk, ContentEncryption), RequestError> {
    let metadata = metadata.ok_or(RequestError::NoEncryptionKey)?;
    let jwks = metadata.get("jwks").ok_or(RequestError::NoEncryptionKey)?;
    let set = JwkSet::from_json(jwks)?;
    let key = set
        .keys()
        .iter()
        .find(|k| k.alg() == Some("ECDH-ES") && matches!(k.key_use(), None | Some("enc")))
        .cloned()
        .ok_or(RequestError::NoEncryptionKey)?;
    let enc = match metadata.get("encrypted_response_enc_values_supported") {
        None => ContentEncryption::A128Gcm,
        Some(Value::Array(values)) => {
            let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm]
                .into_iter()
                .find(|e| names.contains(&e.name()))
                .ok_or(RequestError::NoSupportedEnc)?
        }
        Some(_) => {
            return Err(RequestError::WrongType {
                name: "encrypted_response_enc_values_supported",
            })
        }
    };
    Ok((key, enc))
}

/// The host of an `https` URI (no userinfo, no port), if it has one.
fn https_host(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') {
        return None;
    }
    let host = authority.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

fn text<'a>(
    map: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, RequestError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(RequestError::WrongType { name }),
    }
}

/// A request that passed every check: what the wallet shows the holder and answers.
#[derive(Debug, Clone)]
pub struct VerifiedRequest {
    client_id: Option<ClientId>,
    verifier: VerifierParty,
    invocation: Invocation,
    response_mode: ResponseMode,
    response_uri: Option<String>,
    nonce: String,
    state: Option<String>,
    dcql: DcqlQuery,
    encryption: Option<(Jwk, ContentEncryption)>,
    verifier_info: Option<Value>,
}

impl VerifiedRequest {
    /// The client identifier (absent for an unsigned DC API request).
    pub fn client_id(&self) -> Option<&ClientId> {
        self.client_id.as_ref()
    }

    /// Who asks.
    pub fn verifier(&self) -> &VerifierParty {
        &self.verifier
    }

    /// How the request arrived.
    pub fn invocation(&self) -> &Invocation {
        &self.invocation
    }

    /// How the answer is returned.
    pub fn response_mode(&self) -> ResponseMode {
        self.response_mode
    }

    /// Where a `direct_post*` answer goes.
    pub fn response_uri(&self) -> Option<&str> {
        self.response_uri.as_deref()
    }

    /// The verifier's nonce.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The verifier's `state`, returned with the answer.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// What is asked for.
    pub fn dcql(&self) -> &DcqlQuery {
        &self.dcql
    }

    /// The verifier's encryption key and `enc`, for the encrypted modes.
    pub fn encryption(&self) -> Option<&(Jwk, ContentEncryption)> {
        self.encryption.as_ref()
    }

    /// `verifier_info` as sent (attestations about the verifier, to show or apply policy
    /// to; not verified here).
    pub fn verifier_info(&self) -> Option<&Value> {
        self.verifier_info.as_ref()
    }

    /// The handover the DeviceResponse is bound to, fixed by the invocation:
    /// [`Handover::OpenId4Vp`] for redirects, [`Handover::OpenId4VpDcApi`] for the DC API;
    /// the thumbprint is the encryption key's, or `None` for an unencrypted response.
    pub fn handover(&self) -> Handover {
        let jwk_thumbprint = self.encryption.as_ref().map(|(k, _)| k.thumbprint());
        match &self.invocation {
            Invocation::Redirect => Handover::OpenId4Vp {
                client_id: self
                    .client_id
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
                nonce: self.nonce.clone(),
                jwk_thumbprint,
                response_uri: self.response_uri.clone().unwrap_or_default(),
            },
            Invocation::DcApi { origin } => Handover::OpenId4VpDcApi {
                origin: origin.clone(),
                nonce: self.nonce.clone(),
                jwk_thumbprint,
            },
        }
    }
}
