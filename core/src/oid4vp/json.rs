//! Bounded JSON for everything OpenID4VP takes from the network: request objects, JOSE
//! headers, responses, DCQL queries.
//!
//! [`parse`] checks the size first, then builds a `serde_json::Value` through a visitor of our
//! own that counts the nesting as it goes (an input nested deeper than
//! [`JsonLimits::max_depth`] fails at that depth, without recursing further) and refuses an
//! object with the same member twice (RFC 8259 leaves duplicates to the implementation; JOSE
//! headers with duplicates must be rejected or read consistently, RFC 7515 §5.2, and refusing
//! them is the reading no peer can disagree with).

use core::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Limits on a JSON document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// The largest document, in bytes (default 256 KiB).
    pub max_bytes: usize,
    /// The deepest nesting of arrays and objects (default 16).
    pub max_depth: usize,
}

impl Default for JsonLimits {
    fn default() -> Self {
        JsonLimits {
            max_bytes: 256 * 1024,
            max_depth: 16,
        }
    }
}

/// Why JSON was refused. No variant carries any of the input's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The document is larger than the limit.
    #[error("JSON document of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Nested deeper than the limit.
    #[error("JSON nested deeper than {max} levels")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// An object has the same member twice.
    #[error("JSON object with a duplicate member")]
    DuplicateMember,
    /// Not JSON (or not UTF-8), at this position.
    #[error("malformed JSON at line {line}, column {column}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The document is not an object where one is required.
    #[error("{at} is not a JSON object")]
    NotAnObject {
        /// What was being read.
        at: &'static str,
    },
    /// A required member is missing.
    #[error("{at} is missing")]
    Missing {
        /// The member.
        at: &'static str,
    },
    /// A member has the wrong type.
    #[error("{at} has the wrong JSON type")]
    WrongType {
        /// The member.
        at: &'static str,
    },
}

/// Parses `bytes` as one JSON value within `limits`.
pub fn parse(bytes: &[u8], limits: &JsonLimits) -> Result<Value, JsonError> {
    if bytes.len() > limits.max_bytes {
        return Err(JsonError::TooLarge {
            len: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // serde_json's own recursion guard stays on as a second bound.
    let seed = Seed {
        depth: 0,
        max: limits.max_depth,
    };
    let value = seed
        .deserialize(&mut de)
        .map_err(|e| classify(&e, limits))?;
    de.end().map_err(|e| classify(&e, limits))?;
    Ok(value)
}

/// [`parse`], requiring an object.
pub fn parse_object(bytes: &[u8], limits: &JsonLimits) -> Result<Map<String, Value>, JsonError> {
    match parse(bytes, limits)? {
        Value::Object(m) => Ok(m),
        _ => Err(JsonError::NotAnObject { at: "document" }),
    }
}

const TOO_DEEP: &str = "zhengzhao: too deep";
const DUPLICATE: &str = "zhengzhao: duplicate member";

fn classify(e: &serde_json::Error, limits: &JsonLimits) -> JsonError {
    let text = e.to_string();
    if text.starts_with(TOO_DEEP) || text.starts_with("recursion limit exceeded") {
        JsonError::TooDeep {
            max: limits.max_depth,
        }
    } else if text.starts_with(DUPLICATE) {
        JsonError::DuplicateMember
    } else {
        JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        }
    }
}

#[derive(Clone, Copy)]
struct Seed {
    depth: usize,
    max: usize,
}

impl Seed {
    fn child<E: serde::de::Error>(&self) -> Result<Seed, E> {
        if self.depth >= self.max {
            return Err(E::custom(TOO_DEEP));
        }
        Ok(Seed {
            depth: self.depth + 1,
            max: self.max,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let child = self.child::<A::Error>()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(child)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let child = self.child::<A::Error>()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(child)?;
            if out.insert(key, value).is_some() {
                return Err(A::Error::custom(DUPLICATE));
            }
        }
        Ok(Value::Object(out))
    }
}

/// A text member: `None` if absent, [`JsonError::WrongType`] if not a string.
pub fn str_member<'a>(
    map: &'a Map<String, Value>,
    key: &'static str,
) -> Result<Option<&'a str>, JsonError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(JsonError::WrongType { at: key }),
    }
}

/// A boolean member: `None` if absent, [`JsonError::WrongType`] if not a boolean.
pub fn bool_member(map: &Map<String, Value>, key: &'static str) -> Result<Option<bool>, JsonError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(JsonError::WrongType { at: key }),
    }
}

/// An array member: `None` if absent, [`JsonError::WrongType`] if not an array.
pub fn array_member<'a>(
    map: &'a Map<String, Value>,
    key: &'static str,
) -> Result<Option<&'a Vec<Value>>, JsonError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(_) => Err(JsonError::WrongType { at: key }),
    }
}

/// An object member: `None` if absent, [`JsonError::WrongType`] if not an object.
pub fn object_member<'a>(
    map: &'a Map<String, Value>,
    key: &'static str,
) -> Result<Option<&'a Map<String, Value>>, JsonError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(JsonError::WrongType { at: key }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let l = JsonLimits::default();
        assert_eq!(
            parse(br#"{"a":[1,{"b":null}],"c":"x"}"#, &l).unwrap(),
            serde_json::json!({"a":[1,{"b":null}],"c":"x"})
        );
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(nest(16).as_bytes(), &l).is_ok());
        assert_eq!(
            parse(nest(17).as_bytes(), &l),
            Err(JsonError::TooDeep { max: 16 })
        );
        // Far deeper than any stack would allow if it recursed.
        let deep = nest(200_000);
        let big = JsonLimits {
            max_bytes: deep.len(),
            ..l
        };
        assert_eq!(
            parse(deep.as_bytes(), &big),
            Err(JsonError::TooDeep { max: 16 })
        );
        assert_eq!(
            parse(br#"{"a":1,"a":2}"#, &l),
            Err(JsonError::DuplicateMember)
        );
        assert!(matches!(
            parse(br#"{"a":1} x"#, &l),
            Err(JsonError::Syntax { .. })
        ));
        let small = JsonLimits {
            max_bytes: 4,
            max_depth: 16,
        };
        assert_eq!(
            parse(b"[1,2,3]", &small),
            Err(JsonError::TooLarge { len: 7, max: 4 })
        );
        assert_eq!(
            parse_object(b"[]", &l),
            Err(JsonError::NotAnObject { at: "document" })
        );
    }
}
