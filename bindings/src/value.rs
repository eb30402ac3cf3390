//! Element values as a typed enum (not JSON strings), and instants as platform timestamps.
//!
//! [`ElementValue`] mirrors the core's CBOR `Value` with the cases a licence uses spelled out:
//! `full-date` (tag 1004) and `tdate` (tag 0) become their own variants, everything without a
//! natural mapping (integers beyond 64 bits, `undefined`, simple values, embedded CBOR) is
//! carried as its exact CBOR encoding in [`ElementValue::Other`], so nothing is lost.

use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zhengzhao::cbor::{self, FullDate, TDate, Value};
use zhengzhao::time::UnixTime;

use crate::error::ZhengzhaoError;

/// One data element value. `Debug` shows the shape only, never the content (personal data).
#[derive(Clone, PartialEq, uniffi::Enum)]
pub enum ElementValue {
    /// A text string (`tstr`).
    Text {
        /// The text.
        value: String,
    },
    /// An integer that fits in 64 bits (others arrive as [`ElementValue::Other`]).
    Integer {
        /// The integer.
        value: i64,
    },
    /// `true` or `false`.
    Bool {
        /// The boolean.
        value: bool,
    },
    /// A calendar date, `full-date` (`#6.1004("YYYY-MM-DD")`), e.g. a birth date.
    FullDate {
        /// `YYYY-MM-DD`.
        value: String,
    },
    /// An instant, `tdate` (`#6.0("YYYY-MM-DDThh:mm:ssZ")`), whole seconds.
    DateTime {
        /// The instant.
        value: SystemTime,
    },
    /// A byte string (`bstr`), e.g. a portrait.
    Bytes {
        /// The bytes.
        value: Vec<u8>,
    },
    /// An array.
    Array {
        /// The items, in order.
        items: Vec<ElementValue>,
    },
    /// A map, entries in the order received (keys are unique).
    Map {
        /// The entries.
        entries: Vec<MapEntry>,
    },
    /// Any other tagged item.
    Tagged {
        /// The tag number.
        tag: u64,
        /// The tagged content.
        value: Box<ElementValue>,
    },
    /// A floating-point number.
    Float {
        /// The number.
        value: f64,
    },
    /// `null`.
    Null,
    /// Anything else, as its exact CBOR encoding.
    Other {
        /// One CBOR data item.
        cbor: Vec<u8>,
    },
}

/// One entry of an [`ElementValue::Map`] (or of a request's `requestInfo`).
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct MapEntry {
    /// The key (a text string in every structure ISO/IEC 18013-5 defines).
    pub key: ElementValue,
    /// The value.
    pub value: ElementValue,
}

impl fmt::Debug for ElementValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElementValue::Text { value } => write!(f, "Text(<{} bytes>)", value.len()),
            ElementValue::Integer { .. } => f.write_str("Integer(..)"),
            ElementValue::Bool { .. } => f.write_str("Bool(..)"),
            ElementValue::FullDate { .. } => f.write_str("FullDate(..)"),
            ElementValue::DateTime { .. } => f.write_str("DateTime(..)"),
            ElementValue::Bytes { value } => write!(f, "Bytes(<{} bytes>)", value.len()),
            ElementValue::Array { items } => f.debug_list().entries(items).finish(),
            ElementValue::Map { entries } => f
                .debug_map()
                .entries(entries.iter().map(|e| (&e.key, &e.value)))
                .finish(),
            ElementValue::Tagged { tag, value } => write!(f, "Tagged({tag}, {value:?})"),
            ElementValue::Float { .. } => f.write_str("Float(..)"),
            ElementValue::Null => f.write_str("Null"),
            ElementValue::Other { cbor } => write!(f, "Other(<{} bytes>)", cbor.len()),
        }
    }
}

impl fmt::Debug for MapEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {:?}", self.key, self.value)
    }
}

impl From<&Value> for ElementValue {
    fn from(v: &Value) -> Self {
        let other = || ElementValue::Other {
            cbor: cbor::encode(v),
        };
        match v {
            Value::Text(s) => ElementValue::Text { value: s.clone() },
            Value::Integer(i) => match i64::try_from(*i) {
                Ok(value) => ElementValue::Integer { value },
                Err(_) => other(),
            },
            Value::Bool(b) => ElementValue::Bool { value: *b },
            Value::Bytes(b) => ElementValue::Bytes { value: b.clone() },
            Value::Array(items) => ElementValue::Array {
                items: items.iter().map(ElementValue::from).collect(),
            },
            Value::Map(entries) => ElementValue::Map {
                entries: entries
                    .iter()
                    .map(|(k, v)| MapEntry {
                        key: k.into(),
                        value: v.into(),
                    })
                    .collect(),
            },
            Value::Tag(tag, inner) => {
                if let Ok(date) = FullDate::from_value(v) {
                    ElementValue::FullDate {
                        value: date.to_string(),
                    }
                } else if let Ok(t) = TDate::from_value(v) {
                    ElementValue::DateTime {
                        value: to_system_time(t.time()),
                    }
                } else {
                    ElementValue::Tagged {
                        tag: *tag,
                        value: Box::new(inner.as_ref().into()),
                    }
                }
            }
            Value::Float(f) => ElementValue::Float { value: *f },
            Value::Null => ElementValue::Null,
            Value::Embedded(_) | Value::Undefined | Value::Simple(_) => other(),
        }
    }
}

impl TryFrom<&ElementValue> for Value {
    type Error = ZhengzhaoError;

    /// The CBOR value to issue. Rejects impossible dates, CBOR that does not decode in
    /// [`ElementValue::Other`], and maps with a key twice (which no verifier would accept).
    fn try_from(v: &ElementValue) -> Result<Self, Self::Error> {
        Ok(match v {
            ElementValue::Text { value } => Value::Text(value.clone()),
            ElementValue::Integer { value } => Value::Integer(i128::from(*value)),
            ElementValue::Bool { value } => Value::Bool(*value),
            ElementValue::FullDate { value } => FullDate::parse(value)?.to_value(),
            ElementValue::DateTime { value } => TDate::new(from_system_time(*value)).to_value(),
            ElementValue::Bytes { value } => Value::Bytes(value.clone()),
            ElementValue::Array { items } => Value::Array(
                items
                    .iter()
                    .map(Value::try_from)
                    .collect::<Result<_, _>>()?,
            ),
            ElementValue::Map { entries } => {
                let mut out = Vec::with_capacity(entries.len());
                let mut seen = HashSet::with_capacity(entries.len());
                for e in entries {
                    let key = Value::try_from(&e.key)?;
                    if !seen.insert(cbor::encode(&key)) {
                        return Err(ZhengzhaoError::invalid_input("a map has a key twice"));
                    }
                    out.push((key, Value::try_from(&e.value)?));
                }
                Value::Map(out)
            }
            ElementValue::Tagged { tag, value } => {
                Value::Tag(*tag, Box::new(Value::try_from(value.as_ref())?))
            }
            ElementValue::Float { value } => Value::Float(*value),
            ElementValue::Null => Value::Null,
            ElementValue::Other { cbor } => cbor::decode(cbor).map_err(|e| {
                ZhengzhaoError::invalid_input(format!("ElementValue.Other is not CBOR: {e}"))
            })?,
        })
    }
}

/// A data element: namespace, identifier and value.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Element {
    /// The namespace, e.g. `org.iso.18013.5.1`.
    pub namespace: String,
    /// The element identifier, e.g. `family_name`.
    pub identifier: String,
    /// The value.
    pub value: ElementValue,
}

/// Flattens `namespace → identifier → value` maps into elements, in order.
pub(crate) fn elements<'a, I, J>(namespaces: I) -> Vec<Element>
where
    I: IntoIterator<Item = (&'a String, J)>,
    J: IntoIterator<Item = (&'a String, &'a Value)>,
{
    namespaces
        .into_iter()
        .flat_map(|(ns, els)| {
            els.into_iter().map(move |(id, v)| Element {
                namespace: ns.clone(),
                identifier: id.clone(),
                value: v.into(),
            })
        })
        .collect()
}

/// A core instant as a platform timestamp (`java.time.Instant`, `Date`, `datetime`).
pub(crate) fn to_system_time(t: UnixTime) -> SystemTime {
    let secs = t.secs();
    let moved = if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(secs.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    };
    // Only instants beyond what the platform clock represents (hundreds of billions of
    // years) fail; clamp to the epoch rather than panic.
    moved.unwrap_or(UNIX_EPOCH)
}

/// A platform timestamp as a core instant (whole seconds, rounded towards the past).
pub(crate) fn from_system_time(t: SystemTime) -> UnixTime {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            // 1.5 s before the epoch is second -2, not -1.
            if d.subsec_nanos() > 0 {
                whole.saturating_neg().saturating_sub(1)
            } else {
                whole.saturating_neg()
            }
        }
    };
    UnixTime::from_secs(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: Value) {
        let e = ElementValue::from(&v);
        assert_eq!(Value::try_from(&e).unwrap(), v, "{e:?}");
    }

    #[test]
    fn values_round_trip() {
        round_trip(Value::text("张"));
        round_trip(Value::int(-5));
        round_trip(Value::Bool(true));
        round_trip(FullDate::parse("1988-07-12").unwrap().to_value());
        round_trip(TDate::new(UnixTime::from_secs(1_601_559_002)).to_value());
        round_trip(Value::Bytes(vec![1, 2, 3]));
        round_trip(Value::Array(vec![Value::Null, Value::Float(1.5)]));
        round_trip(Value::Map(vec![(
            Value::text("vehicle_category_code"),
            Value::text("C1"),
        )]));
        round_trip(Value::Tag(32, Box::new(Value::text("https://example.com"))));
        round_trip(Value::Integer(i128::from(u64::MAX)));
        round_trip(Value::Undefined);
        round_trip(Value::Simple(99));
    }

    #[test]
    fn dates_are_typed() {
        let v = FullDate::parse("2020-02-29").unwrap().to_value();
        assert_eq!(
            ElementValue::from(&v),
            ElementValue::FullDate {
                value: "2020-02-29".into()
            }
        );
        // A tag-1004 text that is no real date stays a plain tagged value.
        let bad = Value::Tag(1004, Box::new(Value::text("2021-02-29")));
        assert!(matches!(
            ElementValue::from(&bad),
            ElementValue::Tagged { tag: 1004, .. }
        ));
        assert!(Value::try_from(&ElementValue::FullDate {
            value: "2021-02-29".into()
        })
        .is_err());
    }

    #[test]
    fn duplicate_map_keys_are_rejected() {
        let k = || ElementValue::Text { value: "a".into() };
        let map = ElementValue::Map {
            entries: vec![
                MapEntry {
                    key: k(),
                    value: ElementValue::Null,
                },
                MapEntry {
                    key: k(),
                    value: ElementValue::Null,
                },
            ],
        };
        assert!(matches!(
            Value::try_from(&map),
            Err(ZhengzhaoError::InvalidInput { .. })
        ));
    }

    #[test]
    fn times_convert_both_ways() {
        for secs in [0, 1, -1, 1_601_559_002, -86_400 * 365 * 100] {
            let t = UnixTime::from_secs(secs);
            assert_eq!(from_system_time(to_system_time(t)), t);
        }
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(from_system_time(before).secs(), -2);
    }

    #[test]
    fn debug_hides_content() {
        let e = ElementValue::Text {
            value: "110101199003041234".into(),
        };
        assert!(!format!("{e:?}").contains("1101"));
    }
}
