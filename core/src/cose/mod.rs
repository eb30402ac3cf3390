//! The ISO/IEC 18013-5 profile of COSE (RFC 9052): COSE_Sign1 with ES256, COSE_Mac0 with
//! HMAC 256/256, `x5chain` (label 33) and EC2 P-256 COSE_Key.
//!
//! The profile is small and strict, so it is written here on the crate's strict CBOR rather
//! than on a general COSE library: the protected header is kept as the exact bytes received
//! (it is signed), the algorithm must be in the protected header and on the allow-list, and a
//! label may not appear in both buckets.
//!
//! ```text
//! COSE_Sign1 = [ protected: bstr .cbor header_map, unprotected: header_map,
//!                payload: bstr / nil, signature: bstr ]
//! Sig_structure = [ "Signature1", body_protected, external_aad: bstr, payload: bstr ]
//! COSE_Mac0  = [ protected, unprotected, payload: bstr / nil, tag: bstr ]
//! MAC_structure = [ "MAC0", body_protected, external_aad, payload ]
//! ```

mod key;

pub use key::CoseKey;

use crate::cbor::{encode, write_header, Limits, Node, Value};
use crate::crypto::{self, CryptoError, CryptoProvider, EcPublicKey, Signer};
use crate::structure::{self, StructureError};

/// COSE header label `alg`.
pub const LABEL_ALG: i128 = 1;
/// COSE header label `crit` (RFC 9052 §3.1).
pub const LABEL_CRIT: i128 = 2;
/// COSE header label `kid`.
pub const LABEL_KID: i128 = 4;
/// COSE header label `x5chain` (RFC 9360).
pub const LABEL_X5CHAIN: i128 = 33;
/// CBOR tag of an explicitly tagged COSE_Sign1.
pub const TAG_SIGN1: u64 = 18;
/// CBOR tag of an explicitly tagged COSE_Mac0.
pub const TAG_MAC0: u64 = 17;

/// The header labels this implementation processes, the only ones a `crit` header may list
/// (RFC 9052 §3.1: a recipient must reject a message whose `crit` names a label it does not
/// understand and act on).
///
/// Decision: only `alg` (1). Every structure here acts on it (allow-list, structure match).
/// `x5chain` (33) is not listed: the issuer and reader signatures process it, but a
/// `deviceSignature` or `deviceMac` carrying one ignores it, and the COSE layer cannot tell
/// which structure its caller will treat it as; `kid` (4), content type (3) and the rest are
/// never acted on. A critical label outside this list is rejected
/// ([`CoseError::CritUnsupported`]), never ignored.
pub const PROCESSED_LABELS: [i128; 1] = [LABEL_ALG];

/// Most certificates accepted in one `x5chain`.
pub const MAX_X5CHAIN: usize = 8;

/// The algorithms this profile accepts. Anything else is rejected, never ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Algorithm {
    /// ECDSA P-256 with SHA-256 (COSE −7).
    Es256,
    /// HMAC with SHA-256, 256-bit tag (COSE 5).
    Hmac256,
}

impl Algorithm {
    /// The COSE algorithm identifier.
    pub fn cose_id(self) -> i128 {
        match self {
            Algorithm::Es256 => -7,
            Algorithm::Hmac256 => 5,
        }
    }

    fn from_cose_id(id: i128) -> Option<Self> {
        match id {
            -7 => Some(Algorithm::Es256),
            5 => Some(Algorithm::Hmac256),
            _ => None,
        }
    }
}

/// Why a COSE structure was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoseError {
    /// Not a COSE_Sign1 / COSE_Mac0 structure.
    #[error(transparent)]
    Structure(#[from] StructureError),
    /// No `alg` in the protected header.
    #[error("COSE protected header has no algorithm")]
    AlgorithmMissing,
    /// An algorithm outside the allow-list (the COSE id, if it was an integer).
    #[error("unsupported COSE algorithm {0:?}")]
    UnsupportedAlgorithm(Option<i128>),
    /// The algorithm does not fit the structure or key (e.g. HMAC in a COSE_Sign1).
    #[error("COSE algorithm does not match the structure or key")]
    AlgorithmMismatch,
    /// A header label in both the protected and the unprotected bucket.
    #[error("COSE header label in both protected and unprotected headers")]
    DuplicateHeaderLabel,
    /// `crit` (label 2) in the unprotected bucket; RFC 9052 §3.1 requires it protected.
    #[error("COSE crit header is unprotected")]
    CritUnprotected,
    /// `crit` that is not a non-empty array of integer or text labels.
    #[error("COSE crit header is malformed")]
    CritMalformed,
    /// `crit` lists a label the protected header does not carry.
    #[error("COSE crit header lists a label absent from the protected header")]
    CritLabelAbsent,
    /// `crit` lists a label this implementation does not process (see [`PROCESSED_LABELS`]).
    #[error("COSE crit header lists a label this implementation does not process")]
    CritUnsupported,
    /// `x5chain` is absent.
    #[error("COSE x5chain missing")]
    X5ChainMissing,
    /// An attached payload where a detached one was expected, and it is not the expected bytes.
    #[error("COSE payload does not match the detached content")]
    PayloadMismatch,
    /// No payload, attached or detached.
    #[error("COSE payload missing")]
    PayloadMissing,
    /// The signature or tag does not verify (or is malformed).
    #[error("COSE signature or MAC invalid")]
    Crypto(#[from] CryptoError),
}

/// Header buckets, with the protected one kept as the bytes received.
#[derive(Clone, Debug, PartialEq)]
struct Headers {
    protected_raw: Vec<u8>,
    protected: Vec<(Value, Value)>,
    unprotected: Vec<(Value, Value)>,
    alg: Algorithm,
}

impl Headers {
    fn parse<V: Node>(
        protected_v: &V,
        unprotected_v: &V,
        limits: &Limits,
        at_p: &'static str,
        at_u: &'static str,
    ) -> Result<Self, CoseError> {
        let protected_bytes = structure::bytes(protected_v, at_p)?;
        let protected = if protected_bytes.is_empty() {
            Vec::new()
        } else {
            owned_entries(structure::map(
                &structure::decode_ref_at(protected_bytes, limits, at_p)?,
                at_p,
            )?)
        };
        let unprotected = owned_entries(structure::map(unprotected_v, at_u)?);
        let protected_raw = protected_bytes.to_vec();
        for (k, _) in &protected {
            if unprotected.iter().any(|(k2, _)| k2 == k) {
                return Err(CoseError::DuplicateHeaderLabel);
            }
        }
        check_crit(&protected, &unprotected)?;
        let alg_v = protected
            .iter()
            .find(|(k, _)| k.as_integer() == Some(LABEL_ALG))
            .map(|(_, v)| v)
            .ok_or(CoseError::AlgorithmMissing)?;
        let id = alg_v.as_integer();
        let alg = id
            .and_then(Algorithm::from_cose_id)
            .ok_or(CoseError::UnsupportedAlgorithm(id))?;
        Ok(Headers {
            protected_raw,
            protected,
            unprotected,
            alg,
        })
    }

    fn build(alg: Algorithm, unprotected: Vec<(Value, Value)>) -> Self {
        Self::build_with(alg, Vec::new(), unprotected)
    }

    /// `alg` first, then `extra` in the protected bucket.
    fn build_with(
        alg: Algorithm,
        extra: Vec<(Value, Value)>,
        unprotected: Vec<(Value, Value)>,
    ) -> Self {
        let mut protected = vec![(Value::Integer(LABEL_ALG), Value::Integer(alg.cose_id()))];
        protected.extend(extra);
        let protected_raw = encode(&Value::Map(protected.clone()));
        Headers {
            protected_raw,
            protected,
            unprotected,
            alg,
        }
    }

    fn get(&self, label: i128) -> Option<&Value> {
        self.protected
            .iter()
            .chain(self.unprotected.iter())
            .find(|(k, _)| k.as_integer() == Some(label))
            .map(|(_, v)| v)
    }
}

/// RFC 9052 §3.1 `crit`: only in the protected bucket, a non-empty array of integer or text
/// labels, each present in the protected header and processed here ([`PROCESSED_LABELS`]).
fn check_crit(
    protected: &[(Value, Value)],
    unprotected: &[(Value, Value)],
) -> Result<(), CoseError> {
    let is_crit = |k: &Value| k.as_integer() == Some(LABEL_CRIT);
    if unprotected.iter().any(|(k, _)| is_crit(k)) {
        return Err(CoseError::CritUnprotected);
    }
    let Some((_, crit)) = protected.iter().find(|(k, _)| is_crit(k)) else {
        return Ok(());
    };
    let labels = match crit {
        Value::Array(labels) if !labels.is_empty() => labels,
        _ => return Err(CoseError::CritMalformed),
    };
    if labels
        .iter()
        .any(|l| !matches!(l, Value::Integer(_) | Value::Text(_)))
    {
        return Err(CoseError::CritMalformed);
    }
    for label in labels {
        if !protected.iter().any(|(k, _)| k == label) {
            return Err(CoseError::CritLabelAbsent);
        }
    }
    for label in labels {
        let processed = label
            .as_integer()
            .is_some_and(|l| PROCESSED_LABELS.contains(&l));
        if !processed {
            return Err(CoseError::CritUnsupported);
        }
    }
    Ok(())
}

/// Owned copies of decoded map entries.
fn owned_entries<V: Node>(m: &[(V, V)]) -> Vec<(Value, Value)> {
    m.iter()
        .map(|(k, v)| (k.to_value(), v.to_value()))
        .collect()
}

/// Splits a COSE array (optionally tagged `tag`) into its four parts.
fn four_parts<'a, V: Node>(v: &'a V, tag: u64, at: &'static str) -> Result<&'a [V], CoseError> {
    let inner = match v.as_tag() {
        Some((t, inner)) if t == tag => inner,
        Some(_) => return Err(StructureError::InvalidValue { at }.into()),
        None => v,
    };
    let parts = structure::array(inner, at)?;
    if parts.len() != 4 {
        return Err(StructureError::InvalidValue { at }.into());
    }
    Ok(parts)
}

fn payload_of<V: Node>(v: &V, at: &'static str) -> Result<Option<Vec<u8>>, CoseError> {
    if v.is_null() {
        return Ok(None);
    }
    match v.as_bytes() {
        Some(b) => Ok(Some(b.to_vec())),
        None => Err(StructureError::WrongType {
            at,
            expected: "byte string or nil",
            found: v.kind(),
        }
        .into()),
    }
}

/// `[context, protected, h'', payload]`, the bytes that are signed or MACed.
///
/// Written directly in preferred serialization (the same bytes as encoding the array as a
/// [`Value`]), without copying the payload into an intermediate value first.
fn to_be_signed(context: &str, protected_raw: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected_raw.len() + payload.len() + 32);
    write_header(&mut out, 4, 4);
    write_header(&mut out, 3, context.len() as u64);
    out.extend_from_slice(context.as_bytes());
    write_header(&mut out, 2, protected_raw.len() as u64);
    out.extend_from_slice(protected_raw);
    write_header(&mut out, 2, 0);
    write_header(&mut out, 2, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

/// Chooses the payload to verify: the detached content if given (an attached payload must
/// then be byte-identical to it), else the attached one.
fn effective_payload<'a>(
    attached: Option<&'a [u8]>,
    detached: Option<&'a [u8]>,
) -> Result<&'a [u8], CoseError> {
    match (attached, detached) {
        (Some(a), Some(d)) if a == d => Ok(d),
        (Some(_), Some(_)) => Err(CoseError::PayloadMismatch),
        (None, Some(d)) => Ok(d),
        (Some(a), None) => Ok(a),
        (None, None) => Err(CoseError::PayloadMissing),
    }
}

/// What distinguishes COSE_Sign1 from COSE_Mac0 when parsing: tag, algorithm, field paths.
struct StructurePaths {
    tag: u64,
    alg: Algorithm,
    at: &'static str,
    protected: &'static str,
    unprotected: &'static str,
    payload: &'static str,
    last: &'static str,
}

const SIGN1_PATHS: StructurePaths = StructurePaths {
    tag: TAG_SIGN1,
    alg: Algorithm::Es256,
    at: "COSE_Sign1",
    protected: "COSE_Sign1.protected",
    unprotected: "COSE_Sign1.unprotected",
    payload: "COSE_Sign1.payload",
    last: "COSE_Sign1.signature",
};

const MAC0_PATHS: StructurePaths = StructurePaths {
    tag: TAG_MAC0,
    alg: Algorithm::Hmac256,
    at: "COSE_Mac0",
    protected: "COSE_Mac0.protected",
    unprotected: "COSE_Mac0.unprotected",
    payload: "COSE_Mac0.payload",
    last: "COSE_Mac0.tag",
};

/// Headers, payload (absent when detached) and signature or tag.
type Parts = (Headers, Option<Vec<u8>>, Vec<u8>);

/// Parses `[protected, unprotected, payload / nil, signature-or-tag]` (optionally tagged),
/// requiring the structure's algorithm.
fn parse_structure<V: Node>(
    v: &V,
    limits: &Limits,
    paths: &StructurePaths,
) -> Result<Parts, CoseError> {
    let p = four_parts(v, paths.tag, paths.at)?;
    let [pv, uv, payv, lastv] = p else {
        return Err(StructureError::InvalidValue { at: paths.at }.into());
    };
    let headers = Headers::parse(pv, uv, limits, paths.protected, paths.unprotected)?;
    if headers.alg != paths.alg {
        return Err(CoseError::AlgorithmMismatch);
    }
    let payload = payload_of(payv, paths.payload)?;
    let last = structure::bytes(lastv, paths.last)?.to_vec();
    Ok((headers, payload, last))
}

/// The untagged four-element array of a COSE_Sign1 or COSE_Mac0.
fn structure_value(headers: &Headers, payload: Option<&[u8]>, last: &[u8]) -> Value {
    Value::Array(vec![
        Value::Bytes(headers.protected_raw.clone()),
        Value::Map(headers.unprotected.clone()),
        payload.map_or(Value::Null, |p| Value::Bytes(p.to_vec())),
        Value::Bytes(last.to_vec()),
    ])
}

/// A COSE_Sign1 with ES256.
#[derive(Clone, Debug, PartialEq)]
pub struct CoseSign1 {
    headers: Headers,
    payload: Option<Vec<u8>>,
    signature: Vec<u8>,
}

impl CoseSign1 {
    /// Parses a COSE_Sign1 (tagged 18 or untagged). The algorithm must be ES256.
    pub fn from_value(v: &Value, limits: &Limits) -> Result<Self, CoseError> {
        Self::from_node(v, limits)
    }

    /// [`CoseSign1::from_value`] on any decoded form.
    pub(crate) fn from_node<V: Node>(v: &V, limits: &Limits) -> Result<Self, CoseError> {
        let (headers, payload, signature) = parse_structure(v, limits, &SIGN1_PATHS)?;
        Ok(CoseSign1 {
            headers,
            payload,
            signature,
        })
    }

    /// Signs with `signer` (ES256). `payload` is attached when `attach` is true, otherwise the
    /// structure carries nil and the payload travels separately (detached), as 18013-5 wants
    /// for device and reader authentication.
    pub fn sign(
        signer: &dyn Signer,
        unprotected: Vec<(Value, Value)>,
        payload: &[u8],
        attach: bool,
    ) -> Result<Self, CoseError> {
        let headers = Headers::build(Algorithm::Es256, unprotected);
        let tbs = to_be_signed("Signature1", &headers.protected_raw, payload);
        let signature = crypto::signature_to_raw(&signer.sign(&tbs)?)?.to_vec();
        Ok(CoseSign1 {
            headers,
            payload: attach.then(|| payload.to_vec()),
            signature,
        })
    }

    /// Signs with `signer` (ES256) with further `protected` headers after `alg` (for a Status
    /// List Token: `typ` and `x5chain`), the payload attached.
    pub fn sign_with_protected(
        signer: &dyn Signer,
        protected: Vec<(Value, Value)>,
        unprotected: Vec<(Value, Value)>,
        payload: &[u8],
    ) -> Result<Self, CoseError> {
        let headers = Headers::build_with(Algorithm::Es256, protected, unprotected);
        let tbs = to_be_signed("Signature1", &headers.protected_raw, payload);
        let signature = crypto::signature_to_raw(&signer.sign(&tbs)?)?.to_vec();
        Ok(CoseSign1 {
            headers,
            payload: Some(payload.to_vec()),
            signature,
        })
    }

    /// The value of header `label` in the protected bucket, if there.
    pub fn protected_header(&self, label: i128) -> Option<&Value> {
        find_label(&self.headers.protected, label)
    }

    /// The value of header `label` in the unprotected bucket, if there.
    pub fn unprotected_header(&self, label: i128) -> Option<&Value> {
        find_label(&self.headers.unprotected, label)
    }

    /// The two-phase path: the bytes a (possibly biometric-gated) key must sign for a
    /// detached COSE_Sign1 with protected `{1: -7}` over `payload`. Pass the signature to
    /// [`CoseSign1::from_detached_signature`].
    pub fn detached_to_be_signed(payload: &[u8]) -> Vec<u8> {
        let headers = Headers::build(Algorithm::Es256, Vec::new());
        to_be_signed("Signature1", &headers.protected_raw, payload)
    }

    /// Completes the two-phase path: builds a detached COSE_Sign1 (protected `{1: -7}`, empty
    /// unprotected) from a signature over [`CoseSign1::detached_to_be_signed`]. Raw `r‖s` and DER are
    /// both accepted and normalised to raw.
    pub fn from_detached_signature(signature: &[u8]) -> Result<Self, CoseError> {
        Ok(CoseSign1 {
            headers: Headers::build(Algorithm::Es256, Vec::new()),
            payload: None,
            signature: crypto::signature_to_raw(signature)?.to_vec(),
        })
    }

    /// Verifies the signature with `key`. `detached` is the payload when it is not carried;
    /// if both are present they must be identical.
    pub fn verify(&self, key: &EcPublicKey, detached: Option<&[u8]>) -> Result<(), CoseError> {
        self.verify_with(&crypto::RustCrypto, key, detached)
    }

    /// [`CoseSign1::verify`] with the signature checked by `provider`.
    pub fn verify_with(
        &self,
        provider: &dyn CryptoProvider,
        key: &EcPublicKey,
        detached: Option<&[u8]>,
    ) -> Result<(), CoseError> {
        let payload = effective_payload(self.payload.as_deref(), detached)?;
        let tbs = to_be_signed("Signature1", &self.headers.protected_raw, payload);
        crypto::verify_es256_with(provider, key, &tbs, &self.signature)?;
        Ok(())
    }

    /// The attached payload, if any.
    pub fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }

    /// The protected header exactly as received.
    pub fn protected_bytes(&self) -> &[u8] {
        &self.headers.protected_raw
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The algorithm (always ES256 for a parsed COSE_Sign1).
    pub fn algorithm(&self) -> Algorithm {
        self.headers.alg
    }

    /// The DER certificates of `x5chain` (label 33) in the order carried, leaf first. A single
    /// certificate may be a bare byte string or an array of one.
    pub fn x5chain(&self) -> Result<Vec<Vec<u8>>, CoseError> {
        let v = self
            .headers
            .get(LABEL_X5CHAIN)
            .ok_or(CoseError::X5ChainMissing)?;
        parse_x5chain(v)
    }

    /// Adds a header to the unprotected bucket (outside the signature: e.g. `x5chain`).
    pub fn with_unprotected(mut self, label: i128, value: Value) -> Self {
        self.headers
            .unprotected
            .retain(|(k, _)| k.as_integer() != Some(label));
        self.headers
            .unprotected
            .push((Value::Integer(label), value));
        self
    }

    /// The untagged CBOR array, as 18013-5 carries it.
    pub fn to_value(&self) -> Value {
        structure_value(&self.headers, self.payload.as_deref(), &self.signature)
    }
}

/// Finds `label` in one header bucket.
fn find_label(bucket: &[(Value, Value)], label: i128) -> Option<&Value> {
    bucket
        .iter()
        .find(|(k, _)| k.as_integer() == Some(label))
        .map(|(_, v)| v)
}

/// The DER certificates of an `x5chain` value (RFC 9360): one bare byte string, or an array
/// of 1 to [`MAX_X5CHAIN`] byte strings, leaf first.
pub fn parse_x5chain(v: &Value) -> Result<Vec<Vec<u8>>, CoseError> {
    const AT: &str = "COSE_Sign1.x5chain";
    match v {
        Value::Bytes(b) => Ok(vec![b.clone()]),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(StructureError::Empty { at: AT }.into());
            }
            if items.len() > MAX_X5CHAIN {
                return Err(StructureError::InvalidValue { at: AT }.into());
            }
            items
                .iter()
                .map(|i| structure::bytes(i, AT).map(<[u8]>::to_vec))
                .collect::<Result<_, _>>()
                .map_err(CoseError::from)
        }
        other => Err(StructureError::WrongType {
            at: AT,
            expected: "byte string or array",
            found: other.kind(),
        }
        .into()),
    }
}

/// A COSE_Mac0 with HMAC 256/256 (18013-5 `deviceMac`).
#[derive(Clone, Debug, PartialEq)]
pub struct CoseMac0 {
    headers: Headers,
    payload: Option<Vec<u8>>,
    tag: Vec<u8>,
}

impl CoseMac0 {
    /// Parses a COSE_Mac0 (tagged 17 or untagged). The algorithm must be HMAC 256/256.
    pub fn from_value(v: &Value, limits: &Limits) -> Result<Self, CoseError> {
        Self::from_node(v, limits)
    }

    /// [`CoseMac0::from_value`] on any decoded form.
    pub(crate) fn from_node<V: Node>(v: &V, limits: &Limits) -> Result<Self, CoseError> {
        let (headers, payload, tag) = parse_structure(v, limits, &MAC0_PATHS)?;
        Ok(CoseMac0 {
            headers,
            payload,
            tag,
        })
    }

    /// MACs `payload` (detached) with `key`.
    pub fn create_detached(key: &[u8], payload: &[u8]) -> Self {
        Self::create_detached_with(&crypto::RustCrypto, key, payload)
    }

    /// [`CoseMac0::create_detached`] with the tag computed by `provider`.
    pub fn create_detached_with(provider: &dyn CryptoProvider, key: &[u8], payload: &[u8]) -> Self {
        let headers = Headers::build(Algorithm::Hmac256, Vec::new());
        let tbm = to_be_signed("MAC0", &headers.protected_raw, payload);
        CoseMac0 {
            headers,
            payload: None,
            tag: provider.hmac_sha256(key, &tbm).to_vec(),
        }
    }

    /// Verifies the tag with `key` over the detached (or attached) payload.
    pub fn verify(&self, key: &[u8], detached: Option<&[u8]>) -> Result<(), CoseError> {
        self.verify_with(&crypto::RustCrypto, key, detached)
    }

    /// [`CoseMac0::verify`] with the tag checked by `provider`.
    pub fn verify_with(
        &self,
        provider: &dyn CryptoProvider,
        key: &[u8],
        detached: Option<&[u8]>,
    ) -> Result<(), CoseError> {
        let payload = effective_payload(self.payload.as_deref(), detached)?;
        let tbm = to_be_signed("MAC0", &self.headers.protected_raw, payload);
        provider.hmac_sha256_verify(key, &tbm, &self.tag)?;
        Ok(())
    }

    /// The untagged CBOR array.
    pub fn to_value(&self) -> Value {
        structure_value(&self.headers, self.payload.as_deref(), &self.tag)
    }
}

#[cfg(test)]
mod to_be_signed_tests {
    use super::*;
    use crate::cbor::encode;

    /// The directly written structure is byte for byte the encoding of the CBOR array.
    #[test]
    fn to_be_signed_equals_the_encoded_array() {
        for (context, protected, payload) in [
            ("Signature1", vec![0xa1, 0x01, 0x26], vec![0u8; 0]),
            ("MAC0", vec![0xa1, 0x01, 0x05], vec![7u8; 23]),
            ("Signature1", vec![], vec![1u8; 24]),
            ("Signature1", vec![0xa0], vec![2u8; 300]),
            ("Signature1", vec![0xa0], vec![3u8; 70_000]),
        ] {
            let expected = encode(&Value::Array(vec![
                Value::text(context),
                Value::Bytes(protected.clone()),
                Value::Bytes(Vec::new()),
                Value::Bytes(payload.clone()),
            ]));
            assert_eq!(to_be_signed(context, &protected, &payload), expected);
        }
    }
}

#[cfg(test)]
mod crit_tests {
    use super::*;
    use crate::crypto::SoftwareKey;

    fn int(i: i128) -> Value {
        Value::Integer(i)
    }

    /// A COSE_Sign1 (or COSE_Mac0) value with the protected header `protected` and the
    /// unprotected header `unprotected`.
    fn structure(protected: Vec<(Value, Value)>, unprotected: Vec<(Value, Value)>) -> Value {
        Value::Array(vec![
            Value::Bytes(encode(&Value::Map(protected))),
            Value::Map(unprotected),
            Value::Bytes(b"payload".to_vec()),
            Value::Bytes(vec![0; 64]),
        ])
    }

    /// RFC 9052 §3.1: `crit` protected, a non-empty array of labels, each present and
    /// processed; anything else is a typed rejection, in COSE_Sign1 and COSE_Mac0 alike.
    #[test]
    fn crit_is_enforced() {
        let es256 = (int(LABEL_ALG), int(-7));
        let crit = |labels: Value| (int(LABEL_CRIT), labels);
        type Row = (
            &'static str,
            Vec<(Value, Value)>,
            Vec<(Value, Value)>,
            Option<&'static str>,
        );
        let rows: Vec<Row> = vec![
            ("no crit", vec![es256.clone()], vec![], None),
            (
                "crit [alg]",
                vec![es256.clone(), crit(Value::Array(vec![int(1)]))],
                vec![],
                None,
            ),
            (
                "crit [kid], kid present",
                vec![
                    es256.clone(),
                    crit(Value::Array(vec![int(LABEL_KID)])),
                    (int(LABEL_KID), Value::Bytes(vec![1])),
                ],
                vec![],
                Some("CritUnsupported"),
            ),
            (
                "crit [x5chain], x5chain present",
                vec![
                    es256.clone(),
                    crit(Value::Array(vec![int(LABEL_X5CHAIN)])),
                    (int(LABEL_X5CHAIN), Value::Bytes(vec![0x30])),
                ],
                vec![],
                Some("CritUnsupported"),
            ),
            (
                "crit [\"ext\"], text label present",
                vec![
                    es256.clone(),
                    crit(Value::Array(vec![Value::text("ext")])),
                    (Value::text("ext"), int(1)),
                ],
                vec![],
                Some("CritUnsupported"),
            ),
            (
                "crit [alg, 99], 99 absent",
                vec![es256.clone(), crit(Value::Array(vec![int(1), int(99)]))],
                vec![],
                Some("CritLabelAbsent"),
            ),
            (
                "crit [4], kid only unprotected",
                vec![es256.clone(), crit(Value::Array(vec![int(LABEL_KID)]))],
                vec![(int(LABEL_KID), Value::Bytes(vec![1]))],
                Some("CritLabelAbsent"),
            ),
            (
                "crit []",
                vec![es256.clone(), crit(Value::Array(vec![]))],
                vec![],
                Some("CritMalformed"),
            ),
            (
                "crit 1 (not an array)",
                vec![es256.clone(), crit(int(1))],
                vec![],
                Some("CritMalformed"),
            ),
            (
                "crit [h'01']",
                vec![
                    es256.clone(),
                    crit(Value::Array(vec![Value::Bytes(vec![1])])),
                ],
                vec![],
                Some("CritMalformed"),
            ),
            (
                "crit unprotected",
                vec![es256.clone()],
                vec![crit(Value::Array(vec![int(1)]))],
                Some("CritUnprotected"),
            ),
        ];
        let name = |e: &CoseError| match e {
            CoseError::CritUnprotected => "CritUnprotected",
            CoseError::CritMalformed => "CritMalformed",
            CoseError::CritLabelAbsent => "CritLabelAbsent",
            CoseError::CritUnsupported => "CritUnsupported",
            _ => "other",
        };
        let limits = Limits::default();
        for (what, protected, unprotected, expected) in rows {
            let got =
                CoseSign1::from_value(&structure(protected.clone(), unprotected.clone()), &limits);
            assert_eq!(
                got.as_ref().err().map(name),
                expected,
                "Sign1 {what}: {got:?}"
            );
            // The same header in a COSE_Mac0, with the HMAC algorithm.
            let mac = |h: Vec<(Value, Value)>| {
                h.into_iter()
                    .map(|(k, v)| {
                        if k == int(LABEL_ALG) {
                            (k, int(5))
                        } else {
                            (k, v)
                        }
                    })
                    .collect()
            };
            let got = CoseMac0::from_value(&structure(mac(protected), unprotected), &limits);
            assert_eq!(
                got.as_ref().err().map(name),
                expected,
                "Mac0 {what}: {got:?}"
            );
        }
    }

    /// A correctly signed COSE_Sign1 whose protected header names a label it does not process
    /// is rejected before its (valid) signature counts.
    #[test]
    fn a_valid_signature_does_not_excuse_crit() {
        let key = SoftwareKey::generate().unwrap();
        let protected = encode(&Value::Map(vec![
            (int(LABEL_ALG), int(-7)),
            (int(LABEL_CRIT), Value::Array(vec![int(LABEL_KID)])),
            (int(LABEL_KID), Value::Bytes(vec![7])),
        ]));
        let tbs = to_be_signed("Signature1", &protected, b"payload");
        let signature = crypto::signature_to_raw(&key.sign(&tbs).unwrap()).unwrap();
        let v = Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(vec![]),
            Value::Bytes(b"payload".to_vec()),
            Value::Bytes(signature.to_vec()),
        ]);
        assert!(matches!(
            CoseSign1::from_value(&v, &Limits::default()),
            Err(CoseError::CritUnsupported)
        ));
    }
}
