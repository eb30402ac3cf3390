//! Structure-aware verification: a valid presentation is decoded with `cbor::Value`, mutated at
//! the CBOR level by a small program the fuzzer writes (replace, delete or insert map entries,
//! swap types, change integers, wrap and unwrap tag 24, descend into tag-24 items and into byte
//! strings that hold CBOR such as the MSO payload), optionally re-hashed so the MSO digests match
//! the mutated items, re-encoded and verified on a crypto provider that accepts every
//! well-formed signature (it exists only in a `cfg(fuzzing)` build), so the mutations reach the
//! logic behind the signatures.
//!
//! Input: `len (u16, big endian) ‖ program (len bytes) ‖ response`. The response is a seed
//! (`fuzz/seeds/verify_structured/`); if it is empty or not CBOR, the valid presentation of the
//! malformed corpus (`tests/malformed/fixtures/`) is used.
#![no_main]

use std::sync::OnceLock;
use zhengzhao::verifier::VerifyOptions;

use libfuzzer_sys::fuzz_target;
use zhengzhao::cbor::{decode, encode, Embedded, Limits, Value};
use zhengzhao::crypto::sha256;
use zhengzhao::model::SessionTranscript;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{AnchorRole, TrustStore};
use zhengzhao::verifier::{Check, Verifier};

const IACA: &[u8] = include_bytes!("../../tests/malformed/fixtures/iaca.der");
const TRANSCRIPT: &[u8] = include_bytes!("../../tests/malformed/fixtures/transcript.cbor");
const RESPONSE: &[u8] = include_bytes!("../../tests/malformed/fixtures/valid_response.cbor");

/// The corpus check time (`tests/malformed_gen`): inside the fixtures' validity.
fn at() -> UnixTime {
    UnixTime::from_secs(1_780_272_000)
}

struct Setup {
    verifier: Verifier,
    transcript: SessionTranscript,
    base: Value,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let mut trust = TrustStore::new();
        trust
            .add_pem_or_der(IACA, AnchorRole::IssuingAuthority)
            .unwrap();
        Setup {
            verifier: signature_checks_skipped(Verifier::new(trust)),
            transcript: SessionTranscript::from_tagged_bytes(TRANSCRIPT, &Limits::default())
                .unwrap(),
            base: decode(RESPONSE).unwrap(),
        }
    })
}

/// The verifier on the `cfg(fuzzing)`-only provider that accepts every well-formed ES256
/// signature and 32-byte MAC tag (`crypto::fuzzing::AcceptAllSignatures`); every
/// other check, the encoding checks of signatures included, runs as in production.
fn signature_checks_skipped(verifier: Verifier) -> Verifier {
    verifier.with_provider(std::sync::Arc::new(
        zhengzhao::crypto::fuzzing::AcceptAllSignatures,
    ))
}

/// The fuzzer's program, read a byte at a time (zeros once it runs out).
struct Program<'a>(&'a [u8]);

impl Program<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.byte()) % n
        }
    }
}

/// Strings the structures use: keys, versions, namespaces, algorithms.
const WORDS: &[&str] = &[
    "version",
    "1.0",
    "documents",
    "documentErrors",
    "status",
    "docType",
    "issuerSigned",
    "nameSpaces",
    "issuerAuth",
    "deviceSigned",
    "deviceAuth",
    "deviceSignature",
    "deviceMac",
    "digestID",
    "random",
    "elementIdentifier",
    "elementValue",
    "valueDigests",
    "deviceKeyInfo",
    "deviceKey",
    "keyAuthorizations",
    "dataElements",
    "keyInfo",
    "validityInfo",
    "signed",
    "validFrom",
    "validUntil",
    "expectedUpdate",
    "digestAlgorithm",
    "SHA-256",
    "SHA-512",
    "org.iso.18013.5.1",
    "org.iso.18013.5.1.mDL",
    "family_name",
    "age_over_18",
    "2026-06-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "",
];

const INTEGERS: &[i128] = &[
    0,
    1,
    -1,
    2,
    5,
    -7,
    24,
    33,
    -35,
    255,
    256,
    65_535,
    65_536,
    4_294_967_295,
    4_294_967_296,
    i64::MAX as i128,
    u64::MAX as i128,
    -(1 << 64),
];

fn small_value(p: &mut Program) -> Value {
    match p.below(10) {
        0 => Value::Integer(INTEGERS[p.below(INTEGERS.len())]),
        1 => Value::text(WORDS[p.below(WORDS.len())]),
        2 => Value::Bytes(vec![p.byte(); p.below(40)]),
        3 => Value::Array(Vec::new()),
        4 => Value::Map(Vec::new()),
        5 => Value::Null,
        6 => Value::Bool(p.byte() & 1 == 1),
        7 => Value::Tag(0, Box::new(Value::text(WORDS[p.below(WORDS.len())]))),
        8 => Value::Float(f64::from(p.byte())),
        _ => Value::Embedded(Embedded::wrap_value(&Value::Integer(i128::from(p.byte())))),
    }
}

fn key(p: &mut Program) -> Value {
    if p.byte() & 1 == 0 {
        Value::text(WORDS[p.below(WORDS.len())])
    } else {
        Value::Integer(INTEGERS[p.below(INTEGERS.len())])
    }
}

/// Applies one mutation somewhere in `v`: descends a path of the program's choosing, then
/// changes the node it stops at.
fn mutate(v: &mut Value, p: &mut Program, depth: usize) {
    let descend = depth < 12 && p.byte() & 3 != 0;
    match v {
        Value::Array(items) if descend && !items.is_empty() => {
            let i = p.below(items.len());
            mutate(&mut items[i], p, depth + 1);
        }
        Value::Map(entries) if descend && !entries.is_empty() => {
            let i = p.below(entries.len());
            mutate(&mut entries[i].1, p, depth + 1);
        }
        Value::Tag(_, inner) if descend => mutate(inner, p, depth + 1),
        Value::Embedded(e) if descend => {
            // Into the tag-24 item, and re-wrapped after.
            if let Ok(mut inner) = e.decode(&Limits::default()) {
                mutate(&mut inner, p, depth + 1);
                *e = Embedded::wrap_value(&inner);
            }
        }
        Value::Bytes(b) if descend => {
            // Into byte strings that hold CBOR (the MSO payload, protected headers).
            if let Ok(mut inner) = decode(b) {
                mutate(&mut inner, p, depth + 1);
                *b = encode(&inner);
            }
        }
        _ => change(v, p),
    }
}

fn change(v: &mut Value, p: &mut Program) {
    match p.below(9) {
        // Replace by a value of another type.
        0 => *v = small_value(p),
        // Insert a map entry (or array element).
        1 => match v {
            Value::Map(m) => {
                let k = key(p);
                let val = small_value(p);
                let at = p.below(m.len() + 1);
                m.insert(at, (k, val));
            }
            Value::Array(a) => {
                let val = small_value(p);
                let at = p.below(a.len() + 1);
                a.insert(at, val);
            }
            _ => *v = small_value(p),
        },
        // Delete a map entry (or array element).
        2 => match v {
            Value::Map(m) if !m.is_empty() => {
                let at = p.below(m.len());
                m.remove(at);
            }
            Value::Array(a) if !a.is_empty() => {
                let at = p.below(a.len());
                a.remove(at);
            }
            _ => *v = Value::Null,
        },
        // Change an integer.
        3 => {
            *v = match v {
                Value::Integer(i) => match p.below(4) {
                    0 => Value::Integer(i.wrapping_add(1)),
                    1 => Value::Integer(i.wrapping_sub(1)),
                    2 => Value::Integer(-*i),
                    _ => Value::Integer(INTEGERS[p.below(INTEGERS.len())]),
                },
                _ => Value::Integer(INTEGERS[p.below(INTEGERS.len())]),
            }
        }
        // Duplicate an element or an entry (a duplicate key is a decoding error).
        4 => match v {
            Value::Array(a) if !a.is_empty() => {
                let c = a[p.below(a.len())].clone();
                a.push(c);
            }
            Value::Map(m) if !m.is_empty() => {
                let c = m[p.below(m.len())].clone();
                m.push(c);
            }
            _ => {}
        },
        // Swap two elements or entries' values.
        5 => match v {
            Value::Array(a) if a.len() > 1 => {
                let (i, j) = (p.below(a.len()), p.below(a.len()));
                a.swap(i, j);
            }
            Value::Map(m) if m.len() > 1 => {
                let (i, j) = (p.below(m.len()), p.below(m.len()));
                let vi = m[i].1.clone();
                m[i].1 = std::mem::replace(&mut m[j].1, vi);
            }
            _ => {}
        },
        // Wrap in tag 24, or unwrap a tag-24 item.
        6 => {
            let new = match &*v {
                Value::Embedded(e) => e.decode(&Limits::default()).unwrap_or(Value::Null),
                other => Value::Embedded(Embedded::wrap_value(other)),
            };
            *v = new;
        }
        // Change a text string (or a map key) to a known word.
        7 => match v {
            Value::Map(m) if !m.is_empty() => {
                let at = p.below(m.len());
                m[at].0 = key(p);
            }
            _ => *v = Value::text(WORDS[p.below(WORDS.len())]),
        },
        // Wrap in another tag, or replace by its content.
        _ => {
            let new = match &*v {
                Value::Tag(_, inner) => (**inner).clone(),
                other => Value::Tag(u64::from(p.byte()), Box::new(other.clone())),
            };
            *v = new;
        }
    }
}

fn get<'a>(m: &'a mut Value, k: &str) -> Option<&'a mut Value> {
    match m {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(key, _)| key.as_text() == Some(k))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Sets every MSO digest to the SHA-256 of the item bytes now in the response, so that item
/// mutations get past the digest check (the MSO signature is not checked in this build).
fn rehash(response: &mut Value) {
    let Some(Value::Array(docs)) = get(response, "documents") else {
        return;
    };
    for doc in docs {
        let Some(signed) = get(doc, "issuerSigned") else {
            continue;
        };
        let mut digests: Vec<(String, i128, Vec<u8>)> = Vec::new();
        if let Some(Value::Map(namespaces)) = get(signed, "nameSpaces") {
            for (ns, items) in namespaces.iter() {
                let (Some(ns), Some(items)) = (ns.as_text(), items.as_array()) else {
                    continue;
                };
                for item in items {
                    let Some(e) = item.as_embedded() else {
                        continue;
                    };
                    let id = e.decode(&Limits::default()).ok().and_then(|i| {
                        i.as_map().and_then(|m| {
                            m.iter()
                                .find(|(k, _)| k.as_text() == Some("digestID"))
                                .and_then(|(_, v)| v.as_integer())
                        })
                    });
                    if let Some(id) = id {
                        digests.push((ns.to_owned(), id, sha256(e.tagged_bytes()).to_vec()));
                    }
                }
            }
        }
        let Some(Value::Array(auth)) = get(signed, "issuerAuth") else {
            continue;
        };
        let Some(Value::Bytes(payload)) = auth.get_mut(2) else {
            continue;
        };
        let Ok(Value::Embedded(e)) = decode(payload) else {
            continue;
        };
        let Ok(mut mso) = e.decode(&Limits::default()) else {
            continue;
        };
        if let Some(Value::Map(by_ns)) = get(&mut mso, "valueDigests") {
            for (ns, id, digest) in &digests {
                let slot = match by_ns.iter_mut().find(|(k, _)| k.as_text() == Some(ns)) {
                    Some((_, v)) => v,
                    None => {
                        by_ns.push((Value::text(ns.as_str()), Value::Map(Vec::new())));
                        &mut by_ns.last_mut().unwrap().1
                    }
                };
                if let Value::Map(ids) = slot {
                    match ids.iter_mut().find(|(k, _)| k.as_integer() == Some(*id)) {
                        Some((_, d)) => *d = Value::Bytes(digest.clone()),
                        None => ids.push((Value::Integer(*id), Value::Bytes(digest.clone()))),
                    }
                }
            }
        }
        *payload = Embedded::wrap_value(&mso).tagged_bytes().to_vec();
    }
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let (program, response) = match data {
        [hi, lo, rest @ ..] => {
            let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len());
            rest.split_at(len)
        }
        _ => (data, &[][..]),
    };
    let mut value = match decode(response) {
        Ok(v) => v,
        Err(_) => s.base.clone(),
    };
    let mut p = Program(program);
    // An empty program verifies the seed as it is.
    let rounds = p.below(9);
    for _ in 0..rounds {
        mutate(&mut value, &mut p, 0);
    }
    if p.byte() & 1 == 1 {
        rehash(&mut value);
    }
    let bytes = encode(&value);
    if let Ok(r) = s
        .verifier
        .verify(&bytes, &VerifyOptions::new(&s.transcript, at()))
    {
        for i in 0..r.documents.len() {
            for c in [
                Check::WellFormed,
                Check::IssuerChain,
                Check::IssuerSignature,
                Check::DocType,
                Check::Validity,
                Check::Digests,
                Check::DeviceAuthentication,
                Check::KeyAuthorizations,
            ] {
                assert!(r.checks.contains(&(i, c)), "accepted without {c}");
            }
        }
        // Every element handed out was disclosed in the response.
        for d in &r.documents {
            assert!(!d.issuer_signed.values().any(|els| els.is_empty()));
        }
    }
});
