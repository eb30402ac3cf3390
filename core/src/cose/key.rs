//! EC2 P-256 COSE_Key (RFC 9053 §7.1), as used for `deviceKey`, `EDeviceKey` and `EReaderKey`.

use crate::cbor::{Node, Value};
use crate::crypto::EcPublicKey;
use crate::structure::{self, StructureError};

use super::CoseError;

const KTY: i128 = 1;
const KID: i128 = 2;
const ALG: i128 = 3;
const CRV: i128 = -1;
const X: i128 = -2;
const Y: i128 = -3;
const KTY_EC2: i128 = 2;
const CRV_P256: i128 = 1;

/// A P-256 public key in COSE_Key form: `{1: 2, -1: 1, -2: x, -3: y}`.
///
/// Only uncompressed EC2 keys on P-256 are accepted; a key whose optional `alg` is present
/// must say ES256 (−7) or ECDH-ES (−25), else it is an algorithm mismatch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoseKey {
    key: EcPublicKey,
    kid: Option<Vec<u8>>,
}

impl CoseKey {
    /// Wraps a public key.
    pub fn new(key: EcPublicKey) -> Self {
        CoseKey { key, kid: None }
    }

    /// Parses a COSE_Key map.
    pub fn from_value(v: &Value, at: &'static str) -> Result<Self, CoseError> {
        Self::from_node(v, at)
    }

    /// [`CoseKey::from_value`] on any decoded form.
    pub(crate) fn from_node<V: Node>(v: &V, at: &'static str) -> Result<Self, CoseError> {
        let m = structure::map(v, at)?;
        let int = |label: i128| -> Result<i128, CoseError> {
            let v = structure::int_field(m, label, at)?;
            v.as_integer()
                .ok_or_else(|| StructureError::InvalidValue { at }.into())
        };
        if int(KTY)? != KTY_EC2 || int(CRV)? != CRV_P256 {
            return Err(CoseError::AlgorithmMismatch);
        }
        if let Some(alg) = structure::get_int_key(m, ALG) {
            match alg.as_integer() {
                Some(-7) | Some(-25) => {}
                other => return Err(CoseError::UnsupportedAlgorithm(other)),
            }
        }
        let x = structure::bytes(structure::int_field(m, X, at)?, at)?;
        // A boolean y is point compression, which 18013-5 does not use.
        let y = structure::bytes(structure::int_field(m, Y, at)?, at)?;
        let key = EcPublicKey::from_coordinates(x, y)?;
        // RFC 9052 says bstr; producers also send text (the Paradym EU PID vector does). The kid
        // is only a hint, so either is kept as bytes; anything else is malformed.
        let kid = match structure::get_int_key(m, KID) {
            Some(k) if k.as_bytes().is_some() => k.as_bytes().map(<[u8]>::to_vec),
            Some(k) if k.as_text().is_some() => k.as_text().map(|t| t.as_bytes().to_vec()),
            Some(other) => {
                return Err(StructureError::WrongType {
                    at,
                    expected: "byte or text string",
                    found: other.kind(),
                }
                .into())
            }
            None => None,
        };
        Ok(CoseKey { key, kid })
    }

    /// The key as a COSE_Key map (`{1: 2, -1: 1, -2: x, -3: y}`).
    pub fn to_value(&self) -> Value {
        Value::Map(vec![
            (Value::Integer(KTY), Value::Integer(KTY_EC2)),
            (Value::Integer(CRV), Value::Integer(CRV_P256)),
            (Value::Integer(X), Value::Bytes(self.key.x().to_vec())),
            (Value::Integer(Y), Value::Bytes(self.key.y().to_vec())),
        ])
    }

    /// The public key.
    pub fn public_key(&self) -> &EcPublicKey {
        &self.key
    }

    /// The key identifier, if the map carried one.
    pub fn kid(&self) -> Option<&[u8]> {
        self.kid.as_deref()
    }
}
