//! Shared helpers for the examples: readable rendering of element values.

use zhengzhao::cbor::{FullDate, TDate, Value};

/// Renders an element value for people: dates as dates, byte strings by length, maps and
/// arrays inline. (Examples print disclosed values on purpose; the library never does.)
pub fn show_value(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Bytes(b) => format!("<{} bytes>", b.len()),
        Value::Null => "null".into(),
        Value::Undefined => "undefined".into(),
        Value::Float(f) => f.to_string(),
        Value::Simple(s) => format!("simple({s})"),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(show_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", show_value(k), show_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Tag(1004, _) => {
            FullDate::from_value(v).map_or_else(|_| "<bad date>".into(), |d| d.to_string())
        }
        Value::Tag(0, _) => {
            TDate::from_value(v).map_or_else(|_| "<bad tdate>".into(), |d| d.time().to_string())
        }
        Value::Tag(t, inner) => format!("{t}({})", show_value(inner)),
        Value::Embedded(e) => format!("<{} bytes of embedded CBOR>", e.content().len()),
    }
}
