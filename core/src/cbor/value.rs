//! The decoded CBOR data model.

use core::fmt;

use super::{decode_with, encode, CborError, Limits};

/// One CBOR data item.
///
/// `Debug` never prints text or byte contents (they may be a name, a portrait or an ID
/// number): it shows the shape and lengths only.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// An integer, major type 0 or 1: the full CBOR range −2⁶⁴ ..= 2⁶⁴−1.
    Integer(i128),
    /// A byte string (major type 2).
    Bytes(Vec<u8>),
    /// A UTF-8 text string (major type 3).
    Text(String),
    /// An array (major type 4).
    Array(Vec<Value>),
    /// A map (major type 5), entries in the order received or given. Decoding guarantees
    /// that no two keys are equal.
    Map(Vec<(Value, Value)>),
    /// A tagged item (major type 6), other than tag 24 over a byte string.
    Tag(u64, Box<Value>),
    /// Tag 24 over a byte string holding encoded CBOR ("bstr .cbor"), kept as received.
    Embedded(Embedded),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// A half, single or double precision float, widened to `f64`.
    Float(f64),
    /// Any other simple value (major type 7, values 0..=19 and 32..=255).
    Simple(u8),
}

impl Value {
    /// A text value.
    pub fn text(s: impl Into<String>) -> Self {
        Value::Text(s.into())
    }

    /// An integer value.
    pub fn int(i: impl Into<i128>) -> Self {
        Value::Integer(i.into())
    }

    /// The text, if this is a text string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a byte string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The integer as a `u64`, if this is a non-negative integer that fits.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_integer().and_then(|i| u64::try_from(i).ok())
    }

    /// The integer as an `i64`, if it fits.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_integer().and_then(|i| i64::try_from(i).ok())
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The entries, if this is a map.
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The tag-24 wrapper, if this is one.
    pub fn as_embedded(&self) -> Option<&Embedded> {
        match self {
            Value::Embedded(e) => Some(e),
            _ => None,
        }
    }

    /// `(tag, content)`, if this is a tagged item other than tag 24 over bytes.
    pub fn as_tag(&self) -> Option<(u64, &Value)> {
        match self {
            Value::Tag(t, v) => Some((*t, v)),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short name of the major type, for error messages (never the content).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Integer(_) => "integer",
            Value::Bytes(_) => "byte string",
            Value::Text(_) => "text string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Tag(..) => "tag",
            Value::Embedded(_) => "tag 24",
            Value::Bool(_) => "bool",
            Value::Null => "null",
            Value::Undefined => "undefined",
            Value::Float(_) => "float",
            Value::Simple(_) => "simple value",
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Integer(_) => f.write_str("Integer(..)"),
            Value::Bytes(b) => write!(f, "Bytes(<{} bytes>)", b.len()),
            Value::Text(s) => write!(f, "Text(<{} bytes>)", s.len()),
            Value::Array(a) => f.debug_list().entries(a.iter()).finish(),
            Value::Map(m) => f
                .debug_map()
                .entries(m.iter().map(|(k, v)| (k, v)))
                .finish(),
            Value::Tag(t, v) => write!(f, "Tag({t}, {v:?})"),
            Value::Embedded(e) => write!(f, "{e:?}"),
            Value::Bool(_) => f.write_str("Bool(..)"),
            Value::Null => f.write_str("Null"),
            Value::Undefined => f.write_str("Undefined"),
            Value::Float(_) => f.write_str("Float(..)"),
            Value::Simple(s) => write!(f, "Simple({s})"),
        }
    }
}

/// Lookups in map entries by text or integer key, for parsing typed structures.
pub trait MapExt {
    /// The value under the text key `key`.
    fn get_text_key(&self, key: &str) -> Option<&Value>;
    /// The value under the integer key `key`.
    fn get_int_key(&self, key: i128) -> Option<&Value>;
}

impl MapExt for [(Value, Value)] {
    fn get_text_key(&self, key: &str) -> Option<&Value> {
        super::get_text_key(self, key)
    }

    fn get_int_key(&self, key: i128) -> Option<&Value> {
        super::get_int_key(self, key)
    }
}

/// `#6.24(bstr .cbor T)`: encoded CBOR inside a byte string, tagged 24.
///
/// 18013-5 hashes and signs these as the exact bytes of the whole tagged item
/// (`IssuerSignedItemBytes`, `MobileSecurityObjectBytes`, `DeviceNameSpacesBytes`,
/// `SessionTranscriptBytes`…). An `Embedded` therefore keeps the encoding it was decoded from,
/// header included, and never re-encodes it. The bytes are private; read them through
/// [`Embedded::tagged_bytes`] and [`Embedded::content`].
#[derive(Clone, PartialEq, Eq)]
pub struct Embedded {
    /// The whole `#6.24(bstr)` encoding as received (or as produced by [`Embedded::wrap`]).
    raw: Vec<u8>,
    /// Where the byte-string content starts in `raw`; it runs to the end.
    content_start: usize,
}

impl Embedded {
    /// Wraps already-encoded CBOR `content` as `#6.24(bstr)` in preferred serialization.
    pub fn wrap(content: &[u8]) -> Self {
        let mut raw = Vec::with_capacity(content.len() + 11);
        raw.extend_from_slice(&[0xd8, 0x18]);
        super::encode::write_header(&mut raw, 2, content.len() as u64);
        let content_start = raw.len();
        raw.extend_from_slice(content);
        Embedded { raw, content_start }
    }

    /// Encodes `value` and wraps it.
    pub fn wrap_value(value: &Value) -> Self {
        Embedded::wrap(&encode(value))
    }

    /// Builds from the exact bytes of a whole tagged item and the start of its content.
    /// Used by the decoder; `content_start` must lie within `raw`.
    pub(crate) fn from_parts(raw: Vec<u8>, content_start: usize) -> Self {
        let content_start = content_start.min(raw.len());
        Embedded { raw, content_start }
    }

    /// Parses a whole `#6.24(bstr)` item, e.g. `SessionTranscriptBytes` handed in by a caller.
    pub fn from_tagged_bytes(bytes: &[u8], limits: &Limits) -> Result<Self, CborError> {
        match decode_with(bytes, limits)? {
            Value::Embedded(e) => Ok(e),
            _ => Err(CborError::NotEmbedded),
        }
    }

    /// A borrowed view of the same bytes.
    pub(crate) fn as_embedded_ref(&self) -> super::EmbeddedRef<'_> {
        super::EmbeddedRef::from_parts(&self.raw, self.content_start)
    }

    /// The whole tagged item as received: what 18013-5 hashes and signs.
    pub fn tagged_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// The encoded CBOR inside the byte string.
    pub fn content(&self) -> &[u8] {
        self.raw.get(self.content_start..).unwrap_or_default()
    }

    /// Decodes the content with `limits`.
    pub fn decode(&self, limits: &Limits) -> Result<Value, CborError> {
        decode_with(self.content(), limits)
    }
}

impl fmt::Debug for Embedded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Embedded(<{} bytes>)", self.content().len())
    }
}
