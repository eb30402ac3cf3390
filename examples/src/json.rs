//! CBOR ↔ JSON for the tools.
//!
//! **CBOR → JSON** ([`cbor_to_json`]), as `verify --json` prints element values:
//!
//! | CBOR | JSON |
//! |---|---|
//! | text, bool, null | the same |
//! | integer | a number (a decimal string if it does not fit in 64 bits) |
//! | float | a number (`"NaN"`, `"Infinity"`, `"-Infinity"` as strings) |
//! | byte string | standard base64 with padding |
//! | array | array |
//! | map | object; text keys as they are, integer keys in decimal, other keys as their JSON text |
//! | `full-date` (tag 1004) and `tdate` (tag 0) over text | the date text, e.g. `"1988-07-12"` |
//! | any other tag `n` (tag 24 included) | `{"tag": n, "value": …}` (tag 24: the embedded bytes, base64) |
//! | `undefined` | `null` |
//! | other simple values | `{"simple": n}` |
//!
//! **JSON → CBOR** ([`json_to_cbor`]), as claims and scenario files give element values: JSON
//! maps naturally (integers stay integers, other numbers become floats, objects become maps with
//! text keys), and four one-key objects give CBOR types JSON lacks:
//!
//! | JSON | CBOR |
//! |---|---|
//! | `{"$full-date": "1988-07-12"}` | `1004("1988-07-12")` (checked to be a real date) |
//! | `{"$tdate": "2025-01-01T08:00:00+08:00"}` | `0("2025-01-01T00:00:00Z")` (normalised to UTC) |
//! | `{"$bytes": "<base64>"}` | byte string |
//! | `{"$tag": n, "$value": …}` | tag `n` over the value |
//!
//! Any other key starting with `$` is rejected, so a typo does not silently become a map.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Map, Number, Value as Json};
use zhengzhao::cbor::{FullDate, TDate, Value};
use zhengzhao::time::UnixTime;

use crate::Error;

/// Converts a CBOR value to JSON (see the [module documentation](self)); tag-24 items stay
/// opaque bytes.
pub fn cbor_to_json(v: &Value) -> Json {
    convert(v, false)
}

/// Like [`cbor_to_json`], but decodes tag-24 items and shows their content as
/// `{"tag": 24, "value": <decoded>}` (for inspecting whole messages).
pub fn cbor_to_json_expanded(v: &Value) -> Json {
    convert(v, true)
}

fn convert(v: &Value, expand: bool) -> Json {
    match v {
        Value::Integer(i) => int_to_json(*i),
        Value::Bytes(b) => Json::String(B64.encode(b)),
        Value::Text(s) => Json::String(s.clone()),
        Value::Array(a) => Json::Array(a.iter().map(|x| convert(x, expand)).collect()),
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                out.insert(key_to_string(k), convert(val, expand));
            }
            Json::Object(out)
        }
        Value::Tag(1004 | 0, inner) if inner.as_text().is_some() => {
            Json::String(inner.as_text().unwrap_or_default().to_owned())
        }
        Value::Tag(t, inner) => json!({"tag": t, "value": convert(inner, expand)}),
        Value::Embedded(e) => {
            let value = match (expand, e.decode(&Default::default())) {
                (true, Ok(decoded)) => convert(&decoded, expand),
                _ => Json::String(B64.encode(e.content())),
            };
            json!({"tag": 24, "value": value})
        }
        Value::Bool(b) => Json::Bool(*b),
        Value::Null | Value::Undefined => Json::Null,
        Value::Float(f) => match Number::from_f64(*f) {
            Some(n) => Json::Number(n),
            None if f.is_nan() => Json::String("NaN".into()),
            None if *f > 0.0 => Json::String("Infinity".into()),
            None => Json::String("-Infinity".into()),
        },
        Value::Simple(s) => json!({ "simple": s }),
    }
}

fn int_to_json(i: i128) -> Json {
    if let Ok(n) = i64::try_from(i) {
        Json::Number(n.into())
    } else if let Ok(n) = u64::try_from(i) {
        Json::Number(n.into())
    } else {
        Json::String(i.to_string())
    }
}

fn key_to_string(k: &Value) -> String {
    match k {
        Value::Text(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        other => cbor_to_json(other).to_string(),
    }
}

/// Converts a JSON value to CBOR (see the [module documentation](self)).
pub fn json_to_cbor(j: &Json) -> Result<Value, Error> {
    Ok(match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Integer(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Integer(u.into())
            } else {
                Value::Float(n.as_f64().ok_or("number out of range")?)
            }
        }
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(json_to_cbor).collect::<Result<_, _>>()?),
        Json::Object(m) => object_to_cbor(m)?,
    })
}

fn object_to_cbor(m: &Map<String, Json>) -> Result<Value, Error> {
    let text = |key: &str| -> Result<&str, Error> {
        m.get(key)
            .and_then(Json::as_str)
            .ok_or_else(|| format!("\"{key}\" needs a string").into())
    };
    let keys: Vec<&str> = m.keys().map(String::as_str).collect();
    match keys.as_slice() {
        ["$full-date"] => {
            let s = text("$full-date")?;
            let date = FullDate::parse(s).map_err(|e| format!("$full-date {s:?}: {e}"))?;
            Ok(date.to_value())
        }
        ["$tdate"] => {
            let s = text("$tdate")?;
            let time = UnixTime::parse_rfc3339(s).map_err(|e| format!("$tdate {s:?}: {e}"))?;
            Ok(TDate::new(time).to_value())
        }
        ["$bytes"] => {
            let s = text("$bytes")?;
            Ok(Value::Bytes(
                B64.decode(s).map_err(|e| format!("$bytes: {e}"))?,
            ))
        }
        ["$tag", "$value"] | ["$value", "$tag"] => {
            let tag = m
                .get("$tag")
                .and_then(Json::as_u64)
                .ok_or("\"$tag\" needs an unsigned integer")?;
            let inner = json_to_cbor(m.get("$value").unwrap_or(&Json::Null))?;
            Ok(Value::Tag(tag, Box::new(inner)))
        }
        _ => {
            if let Some(k) = keys.iter().find(|k| k.starts_with('$')) {
                return Err(format!("unknown special key {k:?} (expected $full-date, $tdate, $bytes, or $tag with $value)").into());
            }
            let mut entries = Vec::with_capacity(m.len());
            for (k, v) in m {
                entries.push((Value::text(k.as_str()), json_to_cbor(v)?));
            }
            Ok(Value::Map(entries))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_to_json_table() {
        let date = FullDate::parse("1988-07-12").unwrap().to_value();
        let cases: Vec<(Value, Json)> = vec![
            (Value::text("张"), json!("张")),
            (Value::int(-5), json!(-5)),
            (Value::Integer(u64::MAX.into()), json!(u64::MAX)),
            (
                Value::Integer(-(1i128 << 64)),
                json!("-18446744073709551616"),
            ),
            (Value::Bool(true), json!(true)),
            (Value::Null, Json::Null),
            (Value::Bytes(vec![0, 1, 2, 255]), json!("AAEC/w==")),
            (date.clone(), json!("1988-07-12")),
            (
                Value::Tag(0, Box::new(Value::text("2025-02-19T23:36:58.210399Z"))),
                json!("2025-02-19T23:36:58.210399Z"),
            ),
            (
                Value::Tag(1, Box::new(Value::int(1_600_000_000))),
                json!({"tag": 1, "value": 1_600_000_000}),
            ),
            (
                Value::Map(vec![
                    (Value::text("vehicle_category_code"), Value::text("C1")),
                    (Value::int(7), date),
                ]),
                json!({"vehicle_category_code": "C1", "7": "1988-07-12"}),
            ),
            (Value::Float(f64::NAN), json!("NaN")),
        ];
        for (cbor, expected) in cases {
            assert_eq!(cbor_to_json(&cbor), expected, "{cbor:?}");
        }
    }

    #[test]
    fn json_to_cbor_round_trips_claims() {
        let claims = json!({
            "name": "张",
            "n": 7,
            "f": 1.5,
            "d": {"$full-date": "2020-02-29"},
            "t": {"$tdate": "2025-01-01T08:00:00+08:00"},
            "b": {"$bytes": "AAEC/w=="},
            "x": {"$tag": 1, "$value": 5},
            "list": [true, null],
        });
        let cbor = json_to_cbor(&claims).unwrap();
        let back = cbor_to_json(&cbor);
        assert_eq!(back["d"], json!("2020-02-29"));
        assert_eq!(back["t"], json!("2025-01-01T00:00:00Z"));
        assert_eq!(back["b"], json!("AAEC/w=="));
        assert_eq!(back["x"], json!({"tag": 1, "value": 5}));
        assert_eq!(back["f"], json!(1.5));
        assert_eq!(back["list"], json!([true, null]));
        for bad in [
            json!({"$full-date": "2021-02-29"}),
            json!({"$date": "2021-02-28"}),
            json!({"$bytes": "not base64!"}),
        ] {
            assert!(json_to_cbor(&bad).is_err(), "{bad}");
        }
    }
}
