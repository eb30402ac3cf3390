//! CBOR ↔ JSON: one grammar, "typed JSON", in both directions.
//!
//! **CBOR → JSON** ([`cbor_to_json`]), as `verify --json` prints element values. The encoding is
//! unambiguous: two different CBOR values never give the same JSON, and a JSON type is used
//! only for the CBOR values it denotes exactly; everything else is a one-key (or, for tags,
//! two-key) object whose keys start with `$`:
//!
//! | CBOR | JSON |
//! |---|---|
//! | text, `true`/`false`, `null` | the same |
//! | integer in ±(2⁵³−1) | a number |
//! | other integers (up to ±2⁶⁴) | `{"$bigint": "<decimal>"}` |
//! | float | `{"$float": <number>}`; `{"$float": "NaN"}`, `"Infinity"`, `"-Infinity"` |
//! | byte string | `{"$bytes": "<standard base64, padded>"}` |
//! | array | array |
//! | map whose keys are all text, none starting with `$` | object |
//! | any other map (an integer, byte or `$…` key) | `{"$map": [[key, value], …]}`, entries in received order |
//! | `full-date` (tag 1004) over text | `{"$full-date": "1988-07-12"}` (the text as received) |
//! | `tdate` (tag 0) over text | `{"$tdate": "2025-02-19T23:36:58.210399Z"}` (the text as received) |
//! | any other tag `n` (tag 24 included) | `{"$tag": n, "$value": …}` (tag 24: `{"$bytes": …}`) |
//! | `undefined` | `{"$undefined": true}` |
//! | other simple values | `{"$simple": n}` |
//!
//! Decisions: integers are JSON numbers only within ±(2⁵³−1), the range every JSON parser
//! (JavaScript's included; RFC 7493 §2.2) reads exactly. Floats are always wrapped, because
//! JSON `1.0` and `1` are the same number to most parsers, while CBOR `1.0` and `1` differ.
//! Maps keep text-keyed objects for readability and fall back to a list of pairs for anything
//! else, so an integer key `1` and a text key `"1"` stay two entries.
//!
//! [`cbor_to_json_expanded`] (`mdoc-tool inspect`) differs in one point: a tag-24 item whose
//! content decodes is `{"$embedded": <decoded>}`.
//!
//! **JSON → CBOR** ([`json_to_cbor`]), as claims and scenario files give element values, reads
//! the same grammar (so `json_to_cbor(cbor_to_json(v)) == v`, except that a `$tdate` is
//! normalised to UTC), and is lenient where JSON is unambiguous: a plain non-integer number is
//! a float, and `$full-date` is checked to be a real date.
//!
//! Any other key starting with `$` is rejected, so a typo does not silently become a map.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Map, Number, Value as Json};
use zhengzhao::cbor::{Embedded, FullDate, TDate, Value};
use zhengzhao::time::UnixTime;

use crate::JsonError as Error;

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
        Value::Bytes(b) => json!({ "$bytes": B64.encode(b) }),
        Value::Text(s) => Json::String(s.clone()),
        Value::Array(a) => Json::Array(a.iter().map(|x| convert(x, expand)).collect()),
        Value::Map(m) => {
            let plain = m
                .iter()
                .all(|(k, _)| k.as_text().is_some_and(|k| !k.starts_with('$')));
            if plain {
                let mut out = Map::new();
                for (k, val) in m {
                    out.insert(
                        k.as_text().unwrap_or_default().to_owned(),
                        convert(val, expand),
                    );
                }
                Json::Object(out)
            } else {
                let pairs = m
                    .iter()
                    .map(|(k, val)| Json::Array(vec![convert(k, expand), convert(val, expand)]))
                    .collect();
                json!({ "$map": Json::Array(pairs) })
            }
        }
        Value::Tag(1004, inner) if inner.as_text().is_some() => {
            json!({ "$full-date": inner.as_text().unwrap_or_default() })
        }
        Value::Tag(0, inner) if inner.as_text().is_some() => {
            json!({ "$tdate": inner.as_text().unwrap_or_default() })
        }
        Value::Tag(t, inner) => json!({"$tag": t, "$value": convert(inner, expand)}),
        Value::Embedded(e) => match (expand, e.decode(&Default::default())) {
            (true, Ok(decoded)) => json!({ "$embedded": convert(&decoded, expand) }),
            _ => json!({"$tag": 24, "$value": { "$bytes": B64.encode(e.content()) }}),
        },
        Value::Bool(b) => Json::Bool(*b),
        Value::Null => Json::Null,
        Value::Undefined => json!({ "$undefined": true }),
        Value::Float(f) => match Number::from_f64(*f) {
            Some(n) => json!({ "$float": n }),
            None if f.is_nan() => json!({ "$float": "NaN" }),
            None if *f > 0.0 => json!({ "$float": "Infinity" }),
            None => json!({ "$float": "-Infinity" }),
        },
        Value::Simple(s) => json!({ "$simple": s }),
    }
}

/// The largest integer magnitude written as a JSON number: 2⁵³−1.
const MAX_SAFE_INTEGER: i128 = (1 << 53) - 1;

fn int_to_json(i: i128) -> Json {
    match i64::try_from(i) {
        Ok(n) if i.abs() <= MAX_SAFE_INTEGER => Json::Number(n.into()),
        _ => json!({ "$bigint": i.to_string() }),
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
            match (tag, inner) {
                (24, Value::Bytes(b)) => Ok(Value::Embedded(Embedded::wrap(&b))),
                (tag, inner) => Ok(Value::Tag(tag, Box::new(inner))),
            }
        }
        ["$bigint"] => {
            let s = text("$bigint")?;
            let i: i128 = s.parse().map_err(|e| format!("$bigint {s:?}: {e}"))?;
            if !(-(1i128 << 64)..(1i128 << 64)).contains(&i) {
                return Err(format!("$bigint {s:?}: outside the CBOR integer range").into());
            }
            Ok(Value::Integer(i))
        }
        ["$float"] => match m.get("$float") {
            Some(Json::Number(n)) => Ok(Value::Float(n.as_f64().ok_or("$float out of range")?)),
            Some(Json::String(s)) if s == "NaN" => Ok(Value::Float(f64::NAN)),
            Some(Json::String(s)) if s == "Infinity" => Ok(Value::Float(f64::INFINITY)),
            Some(Json::String(s)) if s == "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
            _ => Err("\"$float\" needs a number, \"NaN\", \"Infinity\" or \"-Infinity\"".into()),
        },
        ["$undefined"] => match m.get("$undefined") {
            Some(Json::Bool(true)) => Ok(Value::Undefined),
            _ => Err("\"$undefined\" needs true".into()),
        },
        ["$simple"] => {
            let n = m
                .get("$simple")
                .and_then(Json::as_u64)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or("\"$simple\" needs an integer 0..=255")?;
            Ok(Value::Simple(n))
        }
        ["$map"] => {
            let pairs = m
                .get("$map")
                .and_then(Json::as_array)
                .ok_or("\"$map\" needs an array of [key, value] pairs")?;
            let mut entries = Vec::with_capacity(pairs.len());
            for pair in pairs {
                let Some([k, v]) = pair.as_array().map(Vec::as_slice) else {
                    return Err("\"$map\" needs an array of [key, value] pairs".into());
                };
                let k = json_to_cbor(k)?;
                if entries.iter().any(|(e, _)| *e == k) {
                    return Err("\"$map\" has a duplicate key".into());
                }
                entries.push((k, json_to_cbor(v)?));
            }
            Ok(Value::Map(entries))
        }
        _ => {
            if let Some(k) = keys.iter().find(|k| k.starts_with('$')) {
                return Err(format!("unknown special key {k:?} (expected $full-date, $tdate, $bytes, $tag with $value, $bigint, $float, $map, $simple or $undefined)").into());
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
            (
                Value::int(MAX_SAFE_INTEGER),
                json!(9_007_199_254_740_991u64),
            ),
            (
                Value::int(MAX_SAFE_INTEGER + 1),
                json!({"$bigint": "9007199254740992"}),
            ),
            (
                Value::Integer(u64::MAX.into()),
                json!({"$bigint": "18446744073709551615"}),
            ),
            (
                Value::Integer(-(1i128 << 64)),
                json!({"$bigint": "-18446744073709551616"}),
            ),
            (Value::Bool(true), json!(true)),
            (Value::Null, Json::Null),
            (Value::Undefined, json!({"$undefined": true})),
            (Value::Simple(99), json!({"$simple": 99})),
            (
                Value::Bytes(vec![0, 1, 2, 255]),
                json!({"$bytes": "AAEC/w=="}),
            ),
            (date.clone(), json!({"$full-date": "1988-07-12"})),
            (
                Value::Tag(0, Box::new(Value::text("2025-02-19T23:36:58.210399Z"))),
                json!({"$tdate": "2025-02-19T23:36:58.210399Z"}),
            ),
            (
                Value::Tag(1, Box::new(Value::int(1_600_000_000))),
                json!({"$tag": 1, "$value": 1_600_000_000}),
            ),
            (
                Value::Embedded(Embedded::wrap(&[0x01])),
                json!({"$tag": 24, "$value": {"$bytes": "AQ=="}}),
            ),
            (
                Value::Map(vec![
                    (Value::text("vehicle_category_code"), Value::text("C1")),
                    (Value::text("issue_date"), date.clone()),
                ]),
                json!({"vehicle_category_code": "C1", "issue_date": {"$full-date": "1988-07-12"}}),
            ),
            (
                Value::Map(vec![(Value::text("$bytes"), Value::text("AA=="))]),
                json!({"$map": [["$bytes", "AA=="]]}),
            ),
            (
                Value::Map(vec![(Value::int(7), date)]),
                json!({"$map": [[7, {"$full-date": "1988-07-12"}]]}),
            ),
            (Value::Float(1.0), json!({"$float": 1.0})),
            (Value::Float(f64::NAN), json!({"$float": "NaN"})),
            (
                Value::Float(f64::NEG_INFINITY),
                json!({"$float": "-Infinity"}),
            ),
        ];
        for (cbor, expected) in cases {
            assert_eq!(cbor_to_json(&cbor), expected, "{cbor:?}");
        }
    }

    /// Issue 13.13: values that used to print alike (an integer key and its text, text "NaN"
    /// and a NaN, a big integer and its digits, bytes and their base64 text) stay distinct, and
    /// every value reads back as itself.
    #[test]
    fn distinct_values_stay_distinct_and_round_trip() {
        let values = vec![
            Value::Map(vec![
                (Value::int(1), Value::text("integer key")),
                (Value::text("1"), Value::text("text key")),
            ]),
            Value::Map(vec![(Value::text("1"), Value::text("text key"))]),
            Value::text("NaN"),
            Value::Float(f64::NAN),
            Value::Float(1.0),
            Value::int(1),
            Value::text("18446744073709551615"),
            Value::Integer(u64::MAX.into()),
            Value::Integer(-(1i128 << 64)),
            Value::text("AAEC/w=="),
            Value::Bytes(vec![0, 1, 2, 255]),
            Value::text("1988-07-12"),
            FullDate::parse("1988-07-12").unwrap().to_value(),
            Value::Map(vec![
                (Value::text("$tag"), Value::int(1)),
                (Value::text("$value"), Value::int(2)),
            ]),
            Value::Tag(1, Box::new(Value::int(2))),
            Value::Map(vec![(Value::Bytes(vec![1]), Value::Null)]),
            Value::Null,
            Value::Undefined,
            Value::Simple(0),
            Value::Embedded(Embedded::wrap(&[0x01])),
            Value::Tag(24, Box::new(Value::int(1))),
        ];
        let encoded: Vec<String> = values.iter().map(|v| cbor_to_json(v).to_string()).collect();
        for (i, a) in encoded.iter().enumerate() {
            for b in &encoded[i + 1..] {
                assert_ne!(a, b, "two values print alike");
            }
        }
        for (v, text) in values.iter().zip(&encoded) {
            let back = json_to_cbor(&serde_json::from_str(text).unwrap()).unwrap();
            match (v, &back) {
                (Value::Float(a), Value::Float(b)) if a.is_nan() => assert!(b.is_nan()),
                _ => assert_eq!(&back, v, "{text}"),
            }
        }
        // The integer key and the text key are both there.
        assert_eq!(
            encoded[0],
            r#"{"$map":[[1,"integer key"],["1","text key"]]}"#
        );
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
        assert_eq!(back["d"], json!({"$full-date": "2020-02-29"}));
        assert_eq!(back["t"], json!({"$tdate": "2025-01-01T00:00:00Z"}));
        assert_eq!(back["b"], json!({"$bytes": "AAEC/w=="}));
        assert_eq!(back["x"], json!({"$tag": 1, "$value": 5}));
        assert_eq!(back["f"], json!({"$float": 1.5}));
        assert_eq!(back["list"], json!([true, null]));
        for bad in [
            json!({"$full-date": "2021-02-29"}),
            json!({"$date": "2021-02-28"}),
            json!({"$bytes": "not base64!"}),
            json!({"$map": [[1, 2], [1, 3]]}),
            json!({"$bigint": "18446744073709551616"}),
            json!({"$float": "nan"}),
        ] {
            assert!(json_to_cbor(&bad).is_err(), "{bad}");
        }
    }
}
