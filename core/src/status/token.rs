//! The Status List Token in CWT form (Token Status List §5.2) and the ISO/IEC 18013-5
//! Identifier List Token (§12.3.6.4): parse, verify, build and sign.

use super::{IdentifierList, StatusError, StatusLimits, StatusList};
use crate::cbor::{self, Limits, Value};
use crate::cose::{self, CoseError, CoseSign1, LABEL_X5CHAIN, TAG_MAC0, TAG_SIGN1};
use crate::crypto::{CryptoProvider, EcPublicKey, Signer};
use crate::structure;
use crate::time::UnixTime;
use crate::trust::{self, Certificate, ChainUsage, TrustAnchor, TrustStore, EKU_DOCUMENT_SIGNER};

/// COSE header label `typ` (RFC 9596).
pub const LABEL_TYP: i128 = 16;
/// The `typ` of a Status List Token in CWT form.
pub const TYP_STATUS_LIST: &str = "application/statuslist+cwt";
/// The `typ` of an Identifier List Token (ISO/IEC 18013-5 2nd edition §12.3.6.4).
pub const TYP_IDENTIFIER_LIST: &str = "application/identifierlist+cwt";
/// CWT claim `sub` (2): the list's URI.
pub const CLAIM_SUB: i128 = 2;
/// CWT claim `exp` (4).
pub const CLAIM_EXP: i128 = 4;
/// CWT claim `iat` (6).
pub const CLAIM_IAT: i128 = 6;
/// CWT claim `ttl` (65534): seconds a consumer may cache the token.
pub const CLAIM_TTL: i128 = 65534;
/// CWT claim `status_list` (65533).
pub const CLAIM_STATUS_LIST: i128 = 65533;
/// CWT claim `identifier_list` (65530, ISO/IEC 18013-5 2nd edition).
pub const CLAIM_IDENTIFIER_LIST: i128 = 65530;
/// The CWT tag (RFC 8392 §6), which a Status List Token must not carry.
const TAG_CWT: u64 = 61;

/// What a token lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListContent {
    /// A status list (claim 65533).
    Status(StatusList),
    /// An identifier list (claim 65530).
    Identifiers(IdentifierList),
}

/// A parsed Status List Token (or Identifier List Token). Parsing checks the structure, the
/// `typ` and the claims' types, and inflates the list; the signature and the claims' values
/// are checked by [`StatusListToken::verify_with_key`] or [`StatusListToken::verify_chain`]
/// and [`StatusListToken::check_claims`].
#[derive(Clone, Debug)]
pub struct StatusListToken {
    sign1: CoseSign1,
    sub: String,
    iat: UnixTime,
    exp: Option<UnixTime>,
    ttl: Option<u64>,
    content: ListContent,
}

/// The validity window of a signer chain, anchor included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChainWindow {
    pub(crate) not_before: UnixTime,
    pub(crate) not_after: UnixTime,
}

impl ChainWindow {
    /// Whether every certificate of the chain is valid at `at` (bounds inclusive).
    pub(crate) fn contains(&self, at: UnixTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

fn cose_error(e: CoseError) -> StatusError {
    match e {
        CoseError::Structure(s) => StatusError::Structure(s),
        CoseError::UnsupportedAlgorithm(id) => StatusError::UnsupportedAlgorithm(id),
        CoseError::Crypto(_) => StatusError::SignatureInvalid,
        CoseError::PayloadMissing => StatusError::PayloadMissing,
        CoseError::AlgorithmMissing => StatusError::CoseHeaders {
            reason: "no algorithm",
        },
        CoseError::AlgorithmMismatch => StatusError::CoseHeaders {
            reason: "algorithm does not match the structure",
        },
        CoseError::DuplicateHeaderLabel => StatusError::CoseHeaders {
            reason: "label in both buckets",
        },
        _ => StatusError::CoseHeaders {
            reason: "crit or other header invalid",
        },
    }
}

/// [`StatusError::SignedByDocumentSigner`] when the signer `leaf` (with key `leaf_key`) is
/// the document signer's certificate or carries its key.
pub(crate) fn not_document_signer(
    leaf: &Certificate,
    leaf_key: &EcPublicKey,
    document_signer: Option<&Certificate>,
) -> Result<(), StatusError> {
    match document_signer {
        Some(ds) if leaf == ds || ds.public_key().is_ok_and(|k| &k == leaf_key) => {
            Err(StatusError::SignedByDocumentSigner)
        }
        _ => Ok(()),
    }
}

fn numeric_date(v: &Value, claim: &'static str) -> Result<UnixTime, StatusError> {
    v.as_i64()
        .map(UnixTime::from_secs)
        .ok_or(StatusError::ClaimMalformed { claim })
}

impl StatusListToken {
    /// Parses a token: at most [`StatusLimits::max_token_bytes`], a COSE_Sign1 tagged 18 (not
    /// wrapped in tag 61, not a COSE_Mac0), ES256, protected `typ`, and the claims `sub`,
    /// `iat`, optional `exp` and positive `ttl`, and the list (inflated within
    /// [`StatusLimits::max_list_bytes`]).
    pub fn parse(bytes: &[u8], limits: &StatusLimits) -> Result<StatusListToken, StatusError> {
        if bytes.len() > limits.max_token_bytes {
            return Err(StatusError::TokenTooLarge {
                max: limits.max_token_bytes,
            });
        }
        let cbor_limits = Limits {
            max_input: limits.max_token_bytes,
            // An identifier list's keys are byte strings (ISO §12.3.6.4); the lists are
            // several thousand entries, so the collection bound is the item bound.
            byte_string_keys: true,
            max_collection: Limits::default().max_items,
            ..Limits::default()
        };
        let v = cbor::decode_with(bytes, &cbor_limits).map_err(StatusError::Cbor)?;
        match v.as_tag() {
            Some((TAG_SIGN1, _)) => {}
            Some((TAG_CWT, _)) => return Err(StatusError::CwtTagged),
            Some((TAG_MAC0, _)) => return Err(StatusError::MacNotAccepted),
            _ => return Err(StatusError::NotSign1Tagged),
        }
        let sign1 = CoseSign1::from_value(&v, &cbor_limits).map_err(cose_error)?;
        let kind = match sign1.protected_header(LABEL_TYP) {
            Some(Value::Text(t)) => match t.as_str() {
                TYP_STATUS_LIST | "statuslist+cwt" => CLAIM_STATUS_LIST,
                TYP_IDENTIFIER_LIST | "identifierlist+cwt" => CLAIM_IDENTIFIER_LIST,
                _ => return Err(StatusError::TypWrong),
            },
            Some(_) => return Err(StatusError::TypWrong),
            None if sign1.unprotected_header(LABEL_TYP).is_some() => {
                return Err(StatusError::TypUnprotected)
            }
            None => return Err(StatusError::TypMissing),
        };
        let payload = sign1.payload().ok_or(StatusError::PayloadMissing)?;
        let claims_v = cbor::decode_with(payload, &cbor_limits).map_err(StatusError::Cbor)?;
        let claims = structure::map(&claims_v, "CWT claims")?;
        let claim = |label: i128| structure::get_int_key(claims, label);
        let sub = match claim(CLAIM_SUB) {
            Some(Value::Text(s)) => s.clone(),
            Some(_) => return Err(StatusError::ClaimMalformed { claim: "sub" }),
            None => return Err(StatusError::ClaimMissing { claim: "sub" }),
        };
        let iat = numeric_date(
            claim(CLAIM_IAT).ok_or(StatusError::ClaimMissing { claim: "iat" })?,
            "iat",
        )?;
        let exp = claim(CLAIM_EXP)
            .map(|v| numeric_date(v, "exp"))
            .transpose()?;
        let ttl = match claim(CLAIM_TTL) {
            Some(v) => match v.as_u64() {
                Some(0) => return Err(StatusError::TtlNotPositive),
                Some(t) if matches!(v, Value::Integer(_)) => Some(t),
                _ => return Err(StatusError::ClaimMalformed { claim: "ttl" }),
            },
            None => None,
        };
        let content = if kind == CLAIM_STATUS_LIST {
            let v = claim(CLAIM_STATUS_LIST).ok_or(StatusError::ClaimMissing {
                claim: "status_list",
            })?;
            ListContent::Status(StatusList::from_value(v, limits)?)
        } else {
            let v = claim(CLAIM_IDENTIFIER_LIST).ok_or(StatusError::ClaimMissing {
                claim: "identifier_list",
            })?;
            ListContent::Identifiers(IdentifierList::from_value(v)?)
        };
        Ok(StatusListToken {
            sign1,
            sub,
            iat,
            exp,
            ttl,
            content,
        })
    }

    /// `sub`: the URI the token is for.
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// `iat`.
    pub fn iat(&self) -> UnixTime {
        self.iat
    }

    /// `exp`, if present.
    pub fn exp(&self) -> Option<UnixTime> {
        self.exp
    }

    /// `ttl` in seconds, if present.
    pub fn ttl(&self) -> Option<u64> {
        self.ttl
    }

    /// The list.
    pub fn content(&self) -> &ListContent {
        &self.content
    }

    /// The status list, or [`StatusError::TypWrong`] for an identifier list.
    pub fn list(&self) -> Result<&StatusList, StatusError> {
        match &self.content {
            ListContent::Status(l) => Ok(l),
            ListContent::Identifiers(_) => Err(StatusError::TypWrong),
        }
    }

    /// The identifier list, or [`StatusError::TypWrong`] for a status list.
    pub fn identifiers(&self) -> Result<&IdentifierList, StatusError> {
        match &self.content {
            ListContent::Identifiers(l) => Ok(l),
            ListContent::Status(_) => Err(StatusError::TypWrong),
        }
    }

    /// Verifies the signature with a key the caller trusts for this list (the draft's
    /// examples, a pinned status signer). An `x5chain` the token carries is ignored.
    pub fn verify_with_key(
        &self,
        provider: &dyn CryptoProvider,
        key: &EcPublicKey,
    ) -> Result<(), StatusError> {
        self.sign1
            .verify_with(provider, key, None)
            .map_err(cose_error)
    }

    /// The DER certificates of the protected `x5chain`, leaf first.
    pub fn x5chain(&self) -> Result<Vec<Vec<u8>>, StatusError> {
        match self.sign1.protected_header(LABEL_X5CHAIN) {
            Some(v) => cose::parse_x5chain(v).map_err(cose_error),
            None if self.sign1.unprotected_header(LABEL_X5CHAIN).is_some() => {
                Err(StatusError::X5ChainUnprotected)
            }
            None => Err(StatusError::X5ChainMissing),
        }
    }

    /// Verifies the token as ISO/IEC 18013-5 §12.3.6.2 wants: the protected `x5chain` chains
    /// at `at` to `trust_point` (the IACA that issued the document signer, or the MSO's
    /// `certificate`), its leaf is a status-list signer (see [`ChainUsage::StatusList`]) and
    /// neither `document_signer` nor any document-signer certificate, and the signature
    /// verifies with the leaf's key.
    pub fn verify_chain(
        &self,
        provider: &dyn CryptoProvider,
        trust_point: &Certificate,
        document_signer: Option<&Certificate>,
        at: UnixTime,
    ) -> Result<(), StatusError> {
        self.verify_chain_signer(provider, trust_point, document_signer, at)
            .map(|_| ())
    }

    /// [`StatusListToken::verify_chain`], returning the chain's validity window and the
    /// validated leaf (for [`super::StatusChecker`]'s caches).
    pub(crate) fn verify_chain_signer(
        &self,
        provider: &dyn CryptoProvider,
        trust_point: &Certificate,
        document_signer: Option<&Certificate>,
        at: UnixTime,
    ) -> Result<(ChainWindow, Certificate), StatusError> {
        let chain = self
            .x5chain()?
            .iter()
            .map(|der| Certificate::from_der(der).map_err(|_| StatusError::Certificate))
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = chain.first().ok_or(StatusError::X5ChainMissing)?;
        let leaf_key = leaf.public_key().map_err(|_| StatusError::Certificate)?;
        not_document_signer(leaf, &leaf_key, document_signer)?;
        if let Ok(Some(eku)) = leaf.extended_key_usage() {
            if eku.0.contains(&EKU_DOCUMENT_SIGNER) {
                return Err(StatusError::SignedByDocumentSigner);
            }
        }
        let mut store = TrustStore::new();
        store.add(TrustAnchor::issuing_authority(trust_point.clone()));
        let validated =
            trust::validate_chain_with(provider, &chain, &store, ChainUsage::StatusList, at)
                .map_err(StatusError::Chain)?;
        self.sign1
            .verify_with(provider, validated.leaf_public_key(), None)
            .map_err(cose_error)?;
        let mut window = ChainWindow {
            not_before: trust_point.not_before(),
            not_after: trust_point.not_after(),
        };
        for cert in &chain {
            window.not_before = window.not_before.max(cert.not_before());
            window.not_after = window.not_after.min(cert.not_after());
        }
        Ok((window, leaf.clone()))
    }

    /// The relying-party checks of the claims (§8.3 step 4, ISO §12.3.6.3): `sub` equals
    /// `uri`, `iat` is not after `at` (nor more than `max_age` seconds before it, if given),
    /// `exp` is present when `require_exp` and, if present, after `at`.
    pub fn check_claims(
        &self,
        uri: Option<&str>,
        at: UnixTime,
        require_exp: bool,
        max_age: Option<u64>,
    ) -> Result<(), StatusError> {
        if uri.is_some_and(|uri| uri != self.sub) {
            return Err(StatusError::SubjectMismatch);
        }
        if self.iat > at {
            return Err(StatusError::IssuedInFuture { iat: self.iat });
        }
        if let Some(max) = max_age {
            let age = at.secs().saturating_sub(self.iat.secs());
            if u64::try_from(age).unwrap_or(u64::MAX) > max {
                return Err(StatusError::TooOld { iat: self.iat });
            }
        }
        match self.exp {
            None if require_exp => Err(StatusError::ExpMissing),
            Some(exp) if at >= exp => Err(StatusError::Expired { exp }),
            _ => Ok(()),
        }
    }
}

/// Builds and signs a Status List Token (or Identifier List Token).
///
/// The claims are written in the order of the draft's example (`sub`, `iat`, `exp`, `ttl`,
/// the list); the protected header is `{1: -7, 16: typ, 33: x5chain}`; the token is tagged
/// 18 and never 61.
#[derive(Clone, Debug)]
pub struct StatusListTokenBuilder {
    sub: String,
    iat: UnixTime,
    exp: Option<UnixTime>,
    ttl: Option<u64>,
    content: ListContent,
}

impl StatusListTokenBuilder {
    /// A token for `list`, served at `uri`, issued at `iat`.
    pub fn new(uri: impl Into<String>, content: ListContent, iat: UnixTime) -> Self {
        StatusListTokenBuilder {
            sub: uri.into(),
            iat,
            exp: None,
            ttl: None,
            content,
        }
    }

    /// Sets `exp` (mandatory for ISO MSO lists; recommended by the draft).
    pub fn exp(mut self, exp: UnixTime) -> Self {
        self.exp = Some(exp);
        self
    }

    /// Sets `ttl` in seconds (0 is not allowed and is left out).
    pub fn ttl(mut self, ttl: u64) -> Self {
        self.ttl = (ttl > 0).then_some(ttl);
        self
    }

    /// The CWT claims map.
    fn claims(&self) -> Value {
        let mut m = vec![
            (Value::Integer(CLAIM_SUB), Value::text(self.sub.as_str())),
            (
                Value::Integer(CLAIM_IAT),
                Value::Integer(self.iat.secs().into()),
            ),
        ];
        if let Some(exp) = self.exp {
            m.push((Value::Integer(CLAIM_EXP), Value::Integer(exp.secs().into())));
        }
        if let Some(ttl) = self.ttl {
            m.push((Value::Integer(CLAIM_TTL), Value::Integer(ttl.into())));
        }
        match &self.content {
            ListContent::Status(l) => m.push((Value::Integer(CLAIM_STATUS_LIST), l.to_value())),
            ListContent::Identifiers(l) => {
                m.push((Value::Integer(CLAIM_IDENTIFIER_LIST), l.to_value()))
            }
        }
        Value::Map(m)
    }

    /// Signs with `signer` and puts `chain` (leaf first; the status signer's certificate,
    /// without the IACA) in the protected `x5chain`; an empty chain leaves `x5chain` out (a
    /// token for a verifier that pins the key). Returns the token's bytes, the body to serve
    /// as `application/statuslist+cwt`.
    pub fn sign(&self, signer: &dyn Signer, chain: &[Certificate]) -> Result<Vec<u8>, StatusError> {
        let typ = match self.content {
            ListContent::Status(_) => TYP_STATUS_LIST,
            ListContent::Identifiers(_) => TYP_IDENTIFIER_LIST,
        };
        let mut protected = vec![(Value::Integer(LABEL_TYP), Value::text(typ))];
        match chain {
            [] => {}
            [one] => protected.push((
                Value::Integer(LABEL_X5CHAIN),
                Value::Bytes(one.der().to_vec()),
            )),
            many => protected.push((
                Value::Integer(LABEL_X5CHAIN),
                Value::Array(
                    many.iter()
                        .map(|c| Value::Bytes(c.der().to_vec()))
                        .collect(),
                ),
            )),
        }
        let payload = cbor::encode(&self.claims());
        let sign1 = CoseSign1::sign_with_protected(signer, protected, Vec::new(), &payload)
            .map_err(|_| StatusError::Signing)?;
        Ok(cbor::encode(&Value::Tag(
            TAG_SIGN1,
            Box::new(sign1.to_value()),
        )))
    }
}
