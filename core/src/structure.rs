//! Structure errors and field accessors shared by the layers that turn decoded CBOR into typed
//! 18013-5 structures ("parse, don't validate": after this boundary types hold the invariants).
//!
//! Every error names *where* in the structure it occurred with a static path such as
//! `"DeviceResponse.documents[].docType"`, never the value it found (it may be personal data).

pub(crate) use crate::cbor::{get_int_key, get_text_key};
use crate::cbor::{CborError, Embedded, EmbeddedRef, Limits, Node, Value, ValueRef};

/// A CBOR structure that is not the 18013-5 structure it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StructureError {
    /// The bytes are not acceptable CBOR (see [`CborError`]).
    #[error("{at}: {source}")]
    Cbor {
        /// Which structure was being decoded.
        at: &'static str,
        /// The decoder's reason.
        source: CborError,
    },
    /// A required field is absent.
    #[error("{at}: missing")]
    Missing {
        /// The field's path.
        at: &'static str,
    },
    /// A field has the wrong CBOR type.
    #[error("{at}: expected {expected}, found {found}")]
    WrongType {
        /// The field's path.
        at: &'static str,
        /// The type 18013-5 requires.
        expected: &'static str,
        /// The type received (never its content).
        found: &'static str,
    },
    /// A field has the right type but a value 18013-5 or this profile does not allow.
    #[error("{at}: invalid value")]
    InvalidValue {
        /// The field's path.
        at: &'static str,
    },
    /// A list that must not be empty is empty.
    #[error("{at}: must not be empty")]
    Empty {
        /// The field's path.
        at: &'static str,
    },
    /// A key that the structure does not define. DeviceResponse structures are closed maps:
    /// an unknown key is most likely a damaged known one, so it is rejected, not skipped.
    #[error("{at}: unknown field")]
    UnknownField {
        /// The structure's path.
        at: &'static str,
    },
    /// The same entry appears twice where it must be unique.
    #[error("{at}: duplicate entry")]
    Duplicate {
        /// The field's path.
        at: &'static str,
    },
}

/// Decodes `bytes` as one CBOR item, naming `at` on failure.
pub(crate) fn decode_at(
    bytes: &[u8],
    limits: &Limits,
    at: &'static str,
) -> Result<Value, StructureError> {
    crate::cbor::decode_with(bytes, limits).map_err(|source| StructureError::Cbor { at, source })
}

/// [`decode_at`] into a tree that borrows its strings from `bytes`.
pub(crate) fn decode_ref_at<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    at: &'static str,
) -> Result<ValueRef<'a>, StructureError> {
    crate::cbor::decode_ref_with(bytes, limits)
        .map_err(|source| StructureError::Cbor { at, source })
}

/// Decodes the content of a tag-24 item, naming `at` on failure.
pub(crate) fn decode_embedded(
    e: &Embedded,
    limits: &Limits,
    at: &'static str,
) -> Result<Value, StructureError> {
    e.decode(limits)
        .map_err(|source| StructureError::Cbor { at, source })
}

/// [`decode_embedded`] into a tree that borrows its strings from the item's bytes.
pub(crate) fn decode_embedded_ref<'a>(
    e: EmbeddedRef<'a>,
    limits: &Limits,
    at: &'static str,
) -> Result<ValueRef<'a>, StructureError> {
    e.decode(limits)
        .map_err(|source| StructureError::Cbor { at, source })
}

fn wrong<V: Node>(at: &'static str, expected: &'static str, v: &V) -> StructureError {
    StructureError::WrongType {
        at,
        expected,
        found: v.kind(),
    }
}

/// The entries of a map.
pub(crate) fn map<'a, V: Node>(v: &'a V, at: &'static str) -> Result<&'a [(V, V)], StructureError> {
    v.as_map().ok_or_else(|| wrong(at, "map", v))
}

/// The elements of an array.
pub(crate) fn array<'a, V: Node>(v: &'a V, at: &'static str) -> Result<&'a [V], StructureError> {
    v.as_array().ok_or_else(|| wrong(at, "array", v))
}

/// A text string.
pub(crate) fn text<'a, V: Node>(v: &'a V, at: &'static str) -> Result<&'a str, StructureError> {
    v.as_text().ok_or_else(|| wrong(at, "text string", v))
}

/// A byte string.
pub(crate) fn bytes<'a, V: Node>(v: &'a V, at: &'static str) -> Result<&'a [u8], StructureError> {
    v.as_bytes().ok_or_else(|| wrong(at, "byte string", v))
}

/// An unsigned integer that fits in 64 bits.
pub(crate) fn uint<V: Node>(v: &V, at: &'static str) -> Result<u64, StructureError> {
    match v.as_integer() {
        Some(_) => v.as_u64().ok_or(StructureError::InvalidValue { at }),
        None => Err(wrong(at, "unsigned integer", v)),
    }
}

/// A boolean.
pub(crate) fn boolean(v: &Value, at: &'static str) -> Result<bool, StructureError> {
    v.as_bool().ok_or_else(|| wrong(at, "bool", v))
}

/// A tag-24 wrapped byte string.
pub(crate) fn embedded<'a>(v: &'a Value, at: &'static str) -> Result<&'a Embedded, StructureError> {
    v.as_embedded()
        .ok_or_else(|| wrong(at, "tag 24 (bstr .cbor)", v))
}

/// A tag-24 wrapped byte string, borrowed.
pub(crate) fn embedded_ref<'a, V: Node>(
    v: &'a V,
    at: &'static str,
) -> Result<EmbeddedRef<'a>, StructureError> {
    v.as_embedded_ref()
        .ok_or_else(|| wrong(at, "tag 24 (bstr .cbor)", v))
}

/// The value of a required text key.
pub(crate) fn field<'a, V: Node>(
    m: &'a [(V, V)],
    key: &str,
    at: &'static str,
) -> Result<&'a V, StructureError> {
    get_text_key(m, key).ok_or(StructureError::Missing { at })
}

/// The value of a required integer key.
pub(crate) fn int_field<'a, V: Node>(
    m: &'a [(V, V)],
    key: i128,
    at: &'static str,
) -> Result<&'a V, StructureError> {
    get_int_key(m, key).ok_or(StructureError::Missing { at })
}

/// Rejects any key of `m` that is not one of the text keys in `allowed`.
pub(crate) fn only_keys<V: Node>(
    m: &[(V, V)],
    allowed: &[&str],
    at: &'static str,
) -> Result<(), StructureError> {
    for (k, _) in m {
        match k.as_text() {
            Some(k) if allowed.contains(&k) => {}
            _ => return Err(StructureError::UnknownField { at }),
        }
    }
    Ok(())
}
