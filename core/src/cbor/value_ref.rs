//! A decoded CBOR item that borrows its strings from the input, and [`Node`], the read-only
//! view that structure parsers use on it and on [`Value`] alike.
//!
//! The verifier decodes a DeviceResponse, its items and its MSO once each; with [`ValueRef`]
//! every byte string, text string and tag-24 item in those trees is a slice of the received
//! bytes, so decoding allocates only the arrays and maps, and the typed structures copy out
//! exactly the fields they keep.

use super::{decode::decode_ref_with, CborError, Embedded, Limits, Value};

/// One CBOR data item whose byte and text strings, and tag-24 items, borrow from the input it
/// was decoded from (or from the [`Value`] it views). Produced by the same strict decoder as
/// [`Value`], with the same checks and errors.
#[derive(Clone, PartialEq)]
pub(crate) enum ValueRef<'a> {
    /// An integer, major type 0 or 1.
    Integer(i128),
    /// A byte string.
    Bytes(&'a [u8]),
    /// A UTF-8 text string.
    Text(&'a str),
    /// An array.
    Array(Vec<ValueRef<'a>>),
    /// A map, entries in the order received; no two keys are equal.
    Map(Vec<(ValueRef<'a>, ValueRef<'a>)>),
    /// A tagged item other than tag 24 over a byte string.
    Tag(u64, Box<ValueRef<'a>>),
    /// Tag 24 over a byte string, as received.
    Embedded(EmbeddedRef<'a>),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// A float, widened to `f64`.
    Float(f64),
    /// Any other simple value.
    Simple(u8),
}

/// Shape and lengths only, as for [`Value`]: contents may be personal data.
impl core::fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&self.to_value(), f)
    }
}

/// A borrowed `#6.24(bstr)`: the whole tagged item's bytes and where its content starts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct EmbeddedRef<'a> {
    raw: &'a [u8],
    content_start: usize,
}

impl<'a> EmbeddedRef<'a> {
    /// From the exact bytes of a whole tagged item and the start of its content.
    pub(crate) fn from_parts(raw: &'a [u8], content_start: usize) -> Self {
        EmbeddedRef {
            raw,
            content_start: content_start.min(raw.len()),
        }
    }

    /// The encoded CBOR inside the byte string.
    pub(crate) fn content(&self) -> &'a [u8] {
        self.raw.get(self.content_start..).unwrap_or_default()
    }

    /// Decodes the content with `limits`, borrowing from it.
    pub(crate) fn decode(&self, limits: &Limits) -> Result<ValueRef<'a>, CborError> {
        decode_ref_with(self.content(), limits)
    }

    /// An owned copy, keeping the bytes exactly.
    pub(crate) fn to_embedded(self) -> Embedded {
        Embedded::from_parts(self.raw.to_vec(), self.content_start)
    }
}

impl<'a> ValueRef<'a> {
    /// The borrowing form of a scalar [`Value`] (a simple value or float); strings and
    /// containers go through [`ValueRef::borrowed`] instead.
    pub(crate) fn scalar(v: &Value) -> Self {
        match v {
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Null => ValueRef::Null,
            Value::Float(f) => ValueRef::Float(*f),
            Value::Simple(s) => ValueRef::Simple(*s),
            Value::Integer(i) => ValueRef::Integer(*i),
            // Strings and containers are never scalars; `undefined` is what is left.
            _ => ValueRef::Undefined,
        }
    }

    /// A view of an owned value, borrowing its strings (allocates only for containers).
    pub(crate) fn borrowed(v: &'a Value) -> Self {
        match v {
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Bytes(b) => ValueRef::Bytes(b),
            Value::Text(s) => ValueRef::Text(s),
            Value::Array(a) => ValueRef::Array(a.iter().map(ValueRef::borrowed).collect()),
            Value::Map(m) => ValueRef::Map(
                m.iter()
                    .map(|(k, v)| (ValueRef::borrowed(k), ValueRef::borrowed(v)))
                    .collect(),
            ),
            Value::Tag(t, c) => ValueRef::Tag(*t, Box::new(ValueRef::borrowed(c))),
            Value::Embedded(e) => ValueRef::Embedded(e.as_embedded_ref()),
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Null => ValueRef::Null,
            Value::Undefined => ValueRef::Undefined,
            Value::Float(f) => ValueRef::Float(*f),
            Value::Simple(s) => ValueRef::Simple(*s),
        }
    }
}

/// The value under the text key `key`, if present.
pub(crate) fn get_text_key<'a, V: Node>(m: &'a [(V, V)], key: &str) -> Option<&'a V> {
    m.iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
}

/// The value under the integer key `key`, if present.
pub(crate) fn get_int_key<V: Node>(m: &[(V, V)], key: i128) -> Option<&V> {
    m.iter()
        .find(|(k, _)| k.as_integer() == Some(key))
        .map(|(_, v)| v)
}

/// Read access to a decoded item, the same for [`Value`] and [`ValueRef`], so that one parser
/// serves both.
pub(crate) trait Node: Sized {
    /// A short name of the major type, for errors (never the content).
    fn kind(&self) -> &'static str;
    /// The integer, if this is one.
    fn as_integer(&self) -> Option<i128>;
    /// The text, if this is a text string.
    fn as_text(&self) -> Option<&str>;
    /// The bytes, if this is a byte string.
    fn as_bytes(&self) -> Option<&[u8]>;
    /// The elements, if this is an array.
    fn as_array(&self) -> Option<&[Self]>;
    /// The entries, if this is a map.
    fn as_map(&self) -> Option<&[(Self, Self)]>;
    /// `(tag, content)`, if this is a tagged item other than tag 24 over bytes.
    fn as_tag(&self) -> Option<(u64, &Self)>;
    /// The tag-24 item, if this is one.
    fn as_embedded_ref(&self) -> Option<EmbeddedRef<'_>>;
    /// Whether this is `null`.
    fn is_null(&self) -> bool;
    /// An owned copy.
    fn to_value(&self) -> Value;
    /// The integer as a `u64`, if this is a non-negative integer that fits.
    fn as_u64(&self) -> Option<u64> {
        self.as_integer().and_then(|i| u64::try_from(i).ok())
    }
}

impl Node for Value {
    fn kind(&self) -> &'static str {
        Value::kind(self)
    }
    fn as_integer(&self) -> Option<i128> {
        Value::as_integer(self)
    }
    fn as_text(&self) -> Option<&str> {
        Value::as_text(self)
    }
    fn as_bytes(&self) -> Option<&[u8]> {
        Value::as_bytes(self)
    }
    fn as_array(&self) -> Option<&[Self]> {
        Value::as_array(self)
    }
    fn as_map(&self) -> Option<&[(Self, Self)]> {
        Value::as_map(self)
    }
    fn as_tag(&self) -> Option<(u64, &Self)> {
        Value::as_tag(self)
    }
    fn as_embedded_ref(&self) -> Option<EmbeddedRef<'_>> {
        Value::as_embedded(self).map(Embedded::as_embedded_ref)
    }
    fn is_null(&self) -> bool {
        Value::is_null(self)
    }
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl Node for ValueRef<'_> {
    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Integer(_) => "integer",
            ValueRef::Bytes(_) => "byte string",
            ValueRef::Text(_) => "text string",
            ValueRef::Array(_) => "array",
            ValueRef::Map(_) => "map",
            ValueRef::Tag(..) => "tag",
            ValueRef::Embedded(_) => "tag 24",
            ValueRef::Bool(_) => "bool",
            ValueRef::Null => "null",
            ValueRef::Undefined => "undefined",
            ValueRef::Float(_) => "float",
            ValueRef::Simple(_) => "simple value",
        }
    }
    fn as_integer(&self) -> Option<i128> {
        match self {
            ValueRef::Integer(i) => Some(*i),
            _ => None,
        }
    }
    fn as_text(&self) -> Option<&str> {
        match self {
            ValueRef::Text(s) => Some(s),
            _ => None,
        }
    }
    fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            ValueRef::Bytes(b) => Some(b),
            _ => None,
        }
    }
    fn as_array(&self) -> Option<&[Self]> {
        match self {
            ValueRef::Array(a) => Some(a),
            _ => None,
        }
    }
    fn as_map(&self) -> Option<&[(Self, Self)]> {
        match self {
            ValueRef::Map(m) => Some(m),
            _ => None,
        }
    }
    fn as_tag(&self) -> Option<(u64, &Self)> {
        match self {
            ValueRef::Tag(t, v) => Some((*t, v)),
            _ => None,
        }
    }
    fn as_embedded_ref(&self) -> Option<EmbeddedRef<'_>> {
        match self {
            ValueRef::Embedded(e) => Some(*e),
            _ => None,
        }
    }
    fn is_null(&self) -> bool {
        matches!(self, ValueRef::Null)
    }
    fn to_value(&self) -> Value {
        match self {
            ValueRef::Integer(i) => Value::Integer(*i),
            ValueRef::Bytes(b) => Value::Bytes(b.to_vec()),
            ValueRef::Text(s) => Value::Text((*s).to_owned()),
            ValueRef::Array(a) => Value::Array(a.iter().map(Node::to_value).collect()),
            ValueRef::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.to_value(), v.to_value()))
                    .collect(),
            ),
            ValueRef::Tag(t, c) => Value::Tag(*t, Box::new(c.to_value())),
            ValueRef::Embedded(e) => Value::Embedded(e.to_embedded()),
            ValueRef::Bool(b) => Value::Bool(*b),
            ValueRef::Null => Value::Null,
            ValueRef::Undefined => Value::Undefined,
            ValueRef::Float(f) => Value::Float(*f),
            ValueRef::Simple(s) => Value::Simple(*s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{decode, encode};

    /// Decoding into a `ValueRef` and copying out equals decoding into a `Value`, and a view of
    /// a `Value` copies back to the same value.
    #[test]
    fn borrowed_decoding_matches_owned() {
        let v = Value::Map(vec![
            (Value::text("a"), Value::Bytes(vec![1, 2, 3])),
            (
                Value::int(-5),
                Value::Array(vec![
                    Value::Tag(1004, Box::new(Value::text("2024-01-01"))),
                    Value::Embedded(Embedded::wrap(&[0xf5])),
                    Value::Null,
                    Value::Float(1.5),
                    Value::Bool(true),
                ]),
            ),
        ]);
        let bytes = encode(&v);
        let r = decode_ref_with(&bytes, &Limits::default()).unwrap();
        assert_eq!(r.to_value(), decode(&bytes).unwrap());
        assert_eq!(r.to_value(), v);
        assert_eq!(ValueRef::borrowed(&v).to_value(), v);
        assert_eq!(ValueRef::borrowed(&v), r);
    }

    /// The same input errors the same way in both forms.
    #[test]
    fn borrowed_decoding_rejects_like_owned() {
        for bad in [
            &[0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02][..], // duplicate key
            &[0x01, 0x02],                                   // trailing byte
            &[0x5f, 0x40, 0xff],                             // indefinite bytes
            &[0xd8, 0x18, 0x01],                             // tag 24 over an integer
            &[0x62, 0xff, 0xfe],                             // not UTF-8
        ] {
            let owned = decode(bad).unwrap_err();
            let borrowed = decode_ref_with(bad, &Limits::default()).unwrap_err();
            assert_eq!(owned, borrowed);
        }
    }
}
