//! Fuzz target for the strict CBOR decoder, the first parser every untrusted byte goes through.
//!
//! Properties checked on every input:
//! * `decode` never panics, whatever the bytes;
//! * whatever `decode` accepts, `encode` writes back out, and decoding that re-encoding gives an
//!   equal value (skipped when the value holds a NaN, since NaN != NaN);
//! * the content of every tag-24 item found anywhere in an accepted value is itself fed to
//!   `decode` (errors are fine; panics are not);
//! * the borrowing decoder the verify path uses accepts and rejects exactly as `decode`, with
//!   the same value (compared by its encoding, so a NaN equals itself) or the same error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhengzhao::cbor::{decode, encode, fuzzing::decode_borrowed, Limits, Value};

fuzz_target!(|data: &[u8]| {
    let owned = decode(data);
    let borrowed = decode_borrowed(data, &Limits::default());
    assert_eq!(
        owned.as_ref().map(encode),
        borrowed.as_ref().map(encode),
        "the owned and borrowing decoders disagree"
    );
    let Ok(value) = owned else {
        return;
    };

    let reencoded = encode(&value);
    match decode(&reencoded) {
        Ok(again) => {
            if !has_nan(&value) {
                assert!(
                    again == value,
                    "decode(encode(v)) != v: {value:?} vs {again:?}"
                );
            }
        }
        Err(e) => panic!("the re-encoding of an accepted value was rejected: {e} ({value:?})"),
    }

    visit_embedded(&value);
});

/// Whether `v` holds a float NaN anywhere.
fn has_nan(v: &Value) -> bool {
    match v {
        Value::Float(f) => f.is_nan(),
        Value::Array(items) => items.iter().any(has_nan),
        Value::Map(entries) => entries.iter().any(|(k, v)| has_nan(k) || has_nan(v)),
        Value::Tag(_, inner) => has_nan(inner),
        _ => false,
    }
}

/// Decodes the content of every tag-24 item in `v`, recursing into what decodes.
fn visit_embedded(v: &Value) {
    match v {
        Value::Embedded(e) => {
            if let Ok(inner) = decode(e.content()) {
                visit_embedded(&inner);
            }
        }
        Value::Array(items) => items.iter().for_each(visit_embedded),
        Value::Map(entries) => entries.iter().for_each(|(k, v)| {
            visit_embedded(k);
            visit_embedded(v);
        }),
        Value::Tag(_, inner) => visit_embedded(inner),
        _ => {}
    }
}
