//! The generator of the malformed-input corpus in `tests/malformed/`: each entry below says how
//! its file is made from a valid message and which error it must produce. See
//! `tests/malformed.rs` for how the corpus is checked and regenerated.

use std::path::Path;
use std::sync::Arc;

use zhengzhao::cbor::{encode, Embedded, Limits, Value};
use zhengzhao::cose::{CoseKey, CoseSign1, LABEL_X5CHAIN};
use zhengzhao::crypto::{sha256, SoftwareKey};
use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::profiles::TrustList;
use zhengzhao::status::{deflate, Bits, Status, StatusList, TYP_STATUS_LIST};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::{TestPki, TestPkiOptions};
use zhengzhao::wallet::{
    BatchPolicy, Collection, Consent, CredentialStore, DeviceAuthMode, DisplayName, FileStore,
    RecordId, SoftwareSecureArea, StoreKey, Wallet,
};

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
const DAY: i64 = 86_400;

/// The time every entry is checked at: 2026-06-01T00:00:00Z, inside the fixtures' validity.
pub fn at() -> UnixTime {
    UnixTime::from_secs(1_780_272_000)
}

/// A short hex digest of `bytes` (for unique scratch names).
pub fn short_hash(bytes: &[u8]) -> String {
    sha256(bytes)
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One step into a decoded structure.
#[derive(Clone, Copy)]
enum K {
    /// A text key of a map.
    S(&'static str),
    /// An integer key of a map.
    I(i128),
    /// An array index.
    N(usize),
}
use K::{I, N, S};

fn at_path<'a>(v: &'a mut Value, path: &[K]) -> &'a mut Value {
    let mut cur = v;
    for step in path {
        cur = match (cur, *step) {
            (Value::Map(m), S(k)) => m
                .iter_mut()
                .find(|(key, _)| key.as_text() == Some(k))
                .map(|(_, v)| v)
                .expect("text key present"),
            (Value::Map(m), I(k)) => m
                .iter_mut()
                .find(|(key, _)| key.as_integer() == Some(k))
                .map(|(_, v)| v)
                .expect("int key present"),
            (Value::Array(a), N(i)) => a.get_mut(i).expect("index present"),
            (Value::Tag(_, inner), step) => at_path(inner, &[step]),
            _ => panic!("path does not fit the structure"),
        };
    }
    cur
}

fn map_of(v: &mut Value) -> &mut Vec<(Value, Value)> {
    match v {
        Value::Map(m) => m,
        _ => panic!("not a map"),
    }
}

fn t(s: &str) -> Value {
    Value::text(s)
}

const DOC: [K; 2] = [S("documents"), N(0)];
const ISSUER_AUTH: [K; 4] = [S("documents"), N(0), S("issuerSigned"), S("issuerAuth")];
const ITEMS: [K; 5] = [
    S("documents"),
    N(0),
    S("issuerSigned"),
    S("nameSpaces"),
    S(NS),
];
const DEVICE_SIGNED: [K; 3] = [S("documents"), N(0), S("deviceSigned")];
const DEVICE_SIG: [K; 5] = [
    S("documents"),
    N(0),
    S("deviceSigned"),
    S("deviceAuth"),
    S("deviceSignature"),
];

fn join(a: &[K], b: &[K]) -> Vec<K> {
    a.iter().chain(b).copied().collect()
}

/// A raw `r‖s` signature as a DER ECDSA-Sig-Value.
fn raw_to_der(raw: &[u8]) -> Vec<u8> {
    let int = |b: &[u8]| {
        let mut b: Vec<u8> = b.iter().copied().skip_while(|&x| x == 0).collect();
        if b.first().is_none_or(|&x| x & 0x80 != 0) {
            b.insert(0, 0);
        }
        let mut out = vec![0x02, b.len() as u8];
        out.extend(b);
        out
    };
    let (r, s) = raw.split_at(32);
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

/// DER certificates as a PEM bundle (RFC 7468, standard base64, 64-character lines).
fn pem(ders: &[&[u8]]) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for der in ders {
        let mut b64 = String::new();
        for chunk in der.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
                << (8 * (3 - chunk.len()));
            for i in 0..4 {
                if i <= chunk.len() {
                    b64.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    b64.push('=');
                }
            }
        }
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).expect("ascii"));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out.into_bytes()
}

/// A COSE_Key map with the last byte of `y` changed: a point not on P-256.
fn off_curve_key(key: &SoftwareKey) -> Value {
    let mut k = CoseKey::new(key.public()).to_value();
    if let Value::Bytes(y) = at_path(&mut k, &[I(-3)]) {
        let last = y.len() - 1;
        y[last] ^= 0x01;
    }
    k
}

struct Corpus {
    entries: Vec<(String, &'static str, &'static str, &'static str, Vec<u8>)>,
}

impl Corpus {
    fn add(
        &mut self,
        name: &str,
        entry: &'static str,
        expected: &'static str,
        how: &'static str,
        bytes: Vec<u8>,
    ) {
        assert!(
            !self.entries.iter().any(|e| e.0 == name),
            "duplicate entry {name}"
        );
        self.entries
            .push((name.to_owned(), entry, expected, how, bytes));
    }
}

/// Rewrites `dir`: fixtures, one `<name>.bin` per entry, and `MANIFEST.tsv`.
pub fn regenerate(dir: &Path) {
    let at = at();
    let pki = TestPki::generate(at).expect("test PKI");
    let ds_der = pki.document_signer.der().to_vec();
    let ds_key =
        SoftwareKey::from_bytes(&*pki.document_signer_key.to_bytes()).expect("DS key copy");
    let iaca_der = pki.iaca.der().to_vec();
    let reader_der = pki.reader.der().to_vec();
    let reader_ca_der = pki.reader_ca.der().to_vec();
    let reader_trust = pki.reader_trust_store();
    let reader_key = SoftwareKey::from_bytes(&*pki.reader_key.to_bytes()).expect("reader key");
    let issuer = Issuer::new(
        Box::new(pki.document_signer_key),
        vec![pki.document_signer.clone()],
    );
    // A second, unrelated PKI: its certificates chain to nothing the verifier trusts.
    let stranger = TestPki::generate(at).expect("second PKI");

    let device_key = SoftwareKey::generate().expect("device key");
    let credential = issuer
        .credential(MDL)
        .element(NS, "family_name", t("Zhang"))
        .element(NS, "given_name", t("San"))
        .element(NS, "age_over_18", Value::Bool(true))
        .device_key(device_key.public())
        .validity(at.add_secs(-DAY), at.add_secs(-DAY), at.add_secs(30 * DAY))
        .sign()
        .expect("credential");
    let transcript = SessionTranscript::new(None, None, &t("zhengzhao malformed corpus"));

    let items = ItemsRequest::new(MDL)
        .with_element(NS, "family_name", false)
        .with_element(NS, "age_over_18", false);
    let doc_request = DocRequest::new(items)
        .sign_reader_auth(&reader_key, std::slice::from_ref(&reader_der), &transcript)
        .expect("reader auth");
    let request = DeviceRequest::new(vec![doc_request]).to_bytes();
    let parsed = ParsedRequest::parse(
        &request,
        &transcript,
        &RequestOptions::new(at).with_reader_trust(reader_trust),
    )
    .expect("valid request");
    let mut builder = ResponseBuilder::new(&transcript);
    let doc = &parsed.documents()[0];
    builder
        .add_document(&credential, doc, &doc.disclosable(&credential), &device_key)
        .expect("response");
    let response = builder.finish();
    let credential_bytes = credential.to_bytes();

    let reader_ephemeral = SoftwareKey::generate().expect("reader ephemeral key");
    let establishment = encode(&Value::Map(vec![
        (
            t("eReaderKey"),
            Value::Embedded(Embedded::wrap_value(
                &CoseKey::new(reader_ephemeral.public()).to_value(),
            )),
        ),
        (t("data"), Value::Bytes(vec![0xAB; 48])),
    ]));
    let engagement_key = SoftwareKey::generate().expect("engagement key");
    let engagement = zhengzhao::session::DeviceEngagement::new(&engagement_key.public(), vec![])
        .bytes()
        .to_vec();

    // ---- fixtures -----------------------------------------------------------------------------
    let fixtures = dir.join("fixtures");
    std::fs::create_dir_all(&fixtures).expect("fixtures dir");
    for (name, bytes) in [
        ("iaca.der", &iaca_der),
        ("reader_ca.der", &reader_ca_der),
        ("transcript.cbor", &transcript.tagged_bytes().to_vec()),
        ("valid_response.cbor", &response),
        ("valid_request.cbor", &request),
        ("valid_session_establishment.cbor", &establishment),
        ("valid_credential.cbor", &credential_bytes),
        ("valid_engagement.cbor", &engagement),
    ] {
        std::fs::write(fixtures.join(name), bytes).expect("write fixture");
    }

    let dec = |b: &[u8]| zhengzhao::cbor::decode(b).expect("valid CBOR");
    let resp = dec(&response);
    let req = dec(&request);
    let mut c = Corpus {
        entries: Vec::new(),
    };

    // Applies `f` to a copy of the response and encodes it.
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = resp.clone();
        f(&mut v);
        encode(&v)
    };
    // The response with its MSO changed by `f` and issuerAuth signed again by the real
    // document signer, so the change is reached behind a valid issuer signature.
    let resign_payload = |payload: Vec<u8>| {
        let sign1 = CoseSign1::sign(
            &ds_key,
            vec![(Value::Integer(LABEL_X5CHAIN), Value::Bytes(ds_der.clone()))],
            &payload,
            true,
        )
        .expect("sign");
        let mut v = resp.clone();
        *at_path(&mut v, &ISSUER_AUTH) = sign1.to_value();
        encode(&v)
    };
    let resign = |f: &dyn Fn(&mut Value)| {
        let mut v = resp.clone();
        let payload = at_path(&mut v, &join(&ISSUER_AUTH, &[N(2)]))
            .as_bytes()
            .expect("attached payload")
            .to_vec();
        let mut mso = Embedded::from_tagged_bytes(&payload, &Limits::default())
            .expect("MSO bytes")
            .decode(&Limits::default())
            .expect("MSO");
        f(&mut mso);
        resign_payload(Embedded::wrap_value(&mso).tagged_bytes().to_vec())
    };
    // Replaces the first IssuerSignedItemBytes by the tag-24 wrapping of `f(item)`.
    let edit_item = |f: &dyn Fn(&mut Value)| {
        edit(&|v| {
            let slot = at_path(v, &join(&ITEMS, &[N(0)]));
            let mut item = slot
                .as_embedded()
                .expect("tag 24")
                .decode(&Limits::default())
                .expect("item");
            f(&mut item);
            *slot = Value::Embedded(Embedded::wrap_value(&item));
        })
    };

    // ---- verifier: CBOR level --------------------------------------------------------------
    c.add(
        "verify_empty",
        "verify",
        "well_formed:Malformed/Structure/Cbor/Truncated",
        "zero bytes",
        vec![],
    );
    c.add(
        "verify_truncated_map_head",
        "verify",
        "well_formed:Malformed/Structure/Cbor/LengthBeyondInput",
        "only the initial byte of the top-level map (3 entries need at least 6 more bytes)",
        response[..1].to_vec(),
    );
    c.add(
        "verify_truncated_last_byte",
        "verify",
        "well_formed:Malformed/Structure/Cbor/Truncated",
        "the valid response without its last byte (the status value)",
        response[..response.len() - 1].to_vec(),
    );
    c.add("verify_truncated_half", "verify", "well_formed:Malformed/Structure/Cbor/LengthBeyondInput",
        "the first half of the valid response: inside a byte string whose declared length runs past the end",
        response[..response.len() / 2].to_vec());
    c.add(
        "verify_trailing_byte",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TrailingBytes",
        "the valid response followed by one 0x00",
        [response.clone(), vec![0]].concat(),
    );
    c.add(
        "verify_two_responses",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TrailingBytes",
        "the valid response twice, back to back",
        [response.clone(), response.clone()].concat(),
    );
    c.add(
        "verify_indefinite_top_map",
        "verify",
        "well_formed:Malformed/Structure/Cbor/IndefiniteLength",
        "the top-level map re-encoded with indefinite length (0xbf ... 0xff)",
        {
            let mut b = vec![0xbf];
            for (k, v) in resp.as_map().expect("map") {
                b.extend(encode(k));
                b.extend(encode(v));
            }
            b.push(0xff);
            b
        },
    );
    c.add(
        "verify_indefinite_version_text",
        "verify",
        "well_formed:Malformed/Structure/Cbor/IndefiniteLength",
        "version as an indefinite-length text string of two chunks",
        {
            let mut b = vec![0xa3];
            b.extend(encode(&t("version")));
            b.extend([0x7f, 0x62, b'1', b'.', 0x61, b'0', 0xff]);
            b.extend(encode(&t("documents")));
            b.push(0x80);
            b.extend(encode(&t("status")));
            b.push(0x00);
            b
        },
    );
    c.add(
        "verify_indefinite_documents_array",
        "verify",
        "well_formed:Malformed/Structure/Cbor/IndefiniteLength",
        "documents as an indefinite-length array (0x9f ... 0xff)",
        {
            let mut b = vec![0xa3];
            b.extend(encode(&t("version")));
            b.extend(encode(&t("1.0")));
            b.extend(encode(&t("documents")));
            b.push(0x9f);
            b.extend(encode(at_path(&mut resp.clone(), &DOC)));
            b.push(0xff);
            b.extend(encode(&t("status")));
            b.push(0x00);
            b
        },
    );
    c.add(
        "verify_duplicate_version_key",
        "verify",
        "well_formed:Malformed/Structure/Cbor/DuplicateKey",
        "a second \"version\" entry appended to the top-level map",
        edit(&|v| map_of(v).push((t("version"), t("1.0")))),
    );
    c.add(
        "verify_duplicate_namespace_key",
        "verify",
        "well_formed:Malformed/Structure/Cbor/DuplicateKey",
        "IssuerSigned.nameSpaces with the namespace entry twice",
        edit(&|v| {
            let ns = at_path(
                v,
                &[S("documents"), N(0), S("issuerSigned"), S("nameSpaces")],
            );
            let first = map_of(ns)[0].clone();
            map_of(ns).push(first);
        }),
    );
    c.add(
        "verify_deep_nesting",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TooDeep",
        "33 nested one-element arrays (the depth limit is 32)",
        [vec![0x81; 33], vec![0x00]].concat(),
    );
    c.add(
        "verify_deep_nesting_tags",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TooDeep",
        "33 nested tags 1000 around 0",
        [[0xd9u8, 0x03, 0xe8].repeat(33), vec![0x00]].concat(),
    );
    c.add(
        "verify_deep_nesting_in_documents",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TooDeep",
        "a documents array whose one element is 40 nested maps {\"a\": ...}",
        {
            let mut inner = Value::Integer(0);
            for _ in 0..40 {
                inner = Value::Map(vec![(t("a"), inner)]);
            }
            edit(&|v| *at_path(v, &[S("documents")]) = Value::Array(vec![inner.clone()]))
        },
    );
    c.add(
        "verify_bstr_length_u64_max",
        "verify",
        "well_formed:Malformed/Structure/Cbor/LengthBeyondInput",
        "a byte string declaring 2^64-1 bytes, followed by 4 bytes",
        vec![
            0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4,
        ],
    );
    c.add(
        "verify_text_length_4gib",
        "verify",
        "well_formed:Malformed/Structure/Cbor/LengthBeyondInput",
        "version as a text string declaring 4 GiB",
        {
            let mut b = vec![0xa1];
            b.extend(encode(&t("version")));
            b.extend([0x7a, 0xff, 0xff, 0xff, 0xff, b'1']);
            b
        },
    );
    c.add(
        "verify_array_count_2pow32",
        "verify",
        "well_formed:Malformed/Structure/Cbor/LengthBeyondInput",
        "documents declaring 2^32 elements with none present",
        {
            let mut b = vec![0xa1];
            b.extend(encode(&t("documents")));
            b.extend([0x9b, 0, 0, 0, 1, 0, 0, 0, 0]);
            b
        },
    );
    c.add(
        "verify_map_count_u64_max",
        "verify",
        "well_formed:Malformed/Structure/Cbor/LengthBeyondInput",
        "a top-level map declaring 2^64-1 entries",
        vec![
            0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
        ],
    );
    c.add(
        "verify_too_many_array_entries",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TooManyItems",
        "documents holding 65 537 zeros (one more than the collection limit)",
        {
            let mut b = vec![0xa1];
            b.extend(encode(&t("documents")));
            b.extend([0x9a, 0x00, 0x01, 0x00, 0x01]);
            b.extend(std::iter::repeat_n(0u8, 65_537));
            b
        },
    );
    c.add(
        "verify_reserved_additional_info",
        "verify",
        "well_formed:Malformed/Structure/Cbor/Malformed",
        "initial byte 0x1c (major type 0 with reserved additional information 28)",
        vec![0x1c],
    );
    c.add(
        "verify_lone_break",
        "verify",
        "well_formed:Malformed/Structure/Cbor/Malformed",
        "a lone break byte 0xff",
        vec![0xff],
    );
    c.add(
        "verify_two_byte_simple_below_32",
        "verify",
        "well_formed:Malformed/Structure/Cbor/Malformed",
        "simple value 20 in its two-byte form (0xf8 0x14), which RFC 8949 forbids",
        vec![0xf8, 0x14],
    );
    c.add(
        "verify_version_invalid_utf8",
        "verify",
        "well_formed:Malformed/Structure/Cbor/InvalidUtf8",
        "version as a text string holding 0xff 0xfe",
        {
            let mut b = vec![0xa1];
            b.extend(encode(&t("version")));
            b.extend([0x62, 0xff, 0xfe]);
            b
        },
    );
    c.add(
        "verify_bytes_map_key",
        "verify",
        "well_formed:Malformed/Structure/Cbor/UnsupportedKey",
        "a top-level map whose key is a byte string",
        vec![0xa1, 0x41, 0x00, 0x00],
    );
    c.add(
        "verify_tag24_over_text",
        "verify",
        "well_formed:Malformed/Structure/Cbor/NotEmbedded",
        "the first IssuerSignedItemBytes as tag 24 over a text string",
        edit(&|v| *at_path(v, &join(&ITEMS, &[N(0)])) = Value::Tag(24, Box::new(t("item")))),
    );

    // ---- verifier: structure ---------------------------------------------------------------
    c.add(
        "verify_top_level_array",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "the response's values in an array instead of a map",
        encode(&Value::Array(
            resp.as_map()
                .expect("map")
                .iter()
                .map(|(_, v)| v.clone())
                .collect(),
        )),
    );
    c.add(
        "verify_top_level_text",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "a bare text string",
        encode(&t("DeviceResponse")),
    );
    c.add(
        "verify_version_integer",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "version 1 (an integer) instead of \"1.0\"",
        edit(&|v| *at_path(v, &[S("version")]) = Value::Integer(1)),
    );
    c.add(
        "verify_version_2",
        "verify",
        "well_formed:Malformed/Structure/InvalidValue",
        "version \"2.0\"",
        edit(&|v| *at_path(v, &[S("version")]) = t("2.0")),
    );
    c.add(
        "verify_version_missing",
        "verify",
        "well_formed:Malformed/Structure/Missing",
        "no version entry",
        edit(&|v| map_of(v).retain(|(k, _)| k.as_text() != Some("version"))),
    );
    c.add(
        "verify_unknown_top_level_key",
        "verify",
        "well_formed:Malformed/Structure/UnknownField",
        "an extra top-level key \"documentz\"",
        edit(&|v| map_of(v).push((t("documentz"), Value::Array(vec![])))),
    );
    c.add(
        "verify_integer_map_key",
        "verify",
        "well_formed:Malformed/Structure/UnknownField",
        "an extra top-level integer key 0",
        edit(&|v| map_of(v).push((Value::Integer(0), Value::Null))),
    );
    c.add(
        "verify_documents_map",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "documents as a map instead of an array",
        edit(&|v| *at_path(v, &[S("documents")]) = Value::Map(vec![])),
    );
    c.add(
        "verify_status_negative",
        "verify",
        "well_formed:Malformed/Structure/InvalidValue",
        "status -1",
        edit(&|v| *at_path(v, &[S("status")]) = Value::Integer(-1)),
    );
    c.add(
        "verify_status_float",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "status 0.0 as a float",
        edit(&|v| *at_path(v, &[S("status")]) = Value::Float(0.0)),
    );
    c.add(
        "verify_status_general_error",
        "verify",
        "response_status:Status",
        "status 10 (general error) on an otherwise valid response",
        edit(&|v| *at_path(v, &[S("status")]) = Value::Integer(10)),
    );
    c.add(
        "verify_no_documents",
        "verify",
        "response_status:NoDocuments",
        "an empty documents array",
        edit(&|v| *at_path(v, &[S("documents")]) = Value::Array(vec![])),
    );
    c.add(
        "verify_seventeen_documents",
        "verify",
        "well_formed:Malformed/TooManyDocuments",
        "the valid document 17 times (the limit is 16)",
        edit(&|v| {
            let d = at_path(v, &DOC).clone();
            *at_path(v, &[S("documents")]) = Value::Array(vec![d; 17]);
        }),
    );
    c.add(
        "verify_doctype_integer",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "docType 1 (an integer)",
        edit(&|v| *at_path(v, &join(&DOC, &[S("docType")])) = Value::Integer(1)),
    );
    c.add(
        "verify_namespaces_empty",
        "verify",
        "well_formed:Malformed/Structure/Empty",
        "IssuerSigned.nameSpaces as an empty map",
        edit(&|v| {
            *at_path(
                v,
                &[S("documents"), N(0), S("issuerSigned"), S("nameSpaces")],
            ) = Value::Map(vec![])
        }),
    );
    c.add(
        "verify_namespace_items_empty",
        "verify",
        "well_formed:Malformed/Structure/Empty",
        "the namespace's item array empty",
        edit(&|v| *at_path(v, &ITEMS) = Value::Array(vec![])),
    );
    c.add(
        "verify_item_not_tag24",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "the first IssuerSignedItemBytes replaced by its decoded map (no tag 24)",
        edit(&|v| {
            let slot = at_path(v, &join(&ITEMS, &[N(0)]));
            let inner = slot
                .as_embedded()
                .expect("tag 24")
                .decode(&Limits::default())
                .expect("item");
            *slot = inner;
        }),
    );
    c.add("verify_item_value_too_deep", "verify", "well_formed:Malformed/Structure/Cbor/TooDeep",
        "an IssuerSignedItem whose elementValue nests 40 arrays (decoded with the same depth limit)",
        edit_item(&|item| {
            let mut deep = Value::Integer(0);
            for _ in 0..40 {
                deep = Value::Array(vec![deep]);
            }
            *at_path(item, &[S("elementValue")]) = deep;
        }));
    c.add(
        "verify_too_many_items_in_namespace",
        "verify",
        "well_formed:Malformed/Structure/Cbor/TooManyItems",
        "65 537 entries in the namespace's item array (each a zero)",
        edit(&|v| *at_path(v, &ITEMS) = Value::Array(vec![Value::Integer(0); 65_537])),
    );
    c.add(
        "verify_device_auth_both",
        "verify",
        "well_formed:Malformed/Structure/InvalidValue",
        "deviceAuth with both deviceSignature and deviceMac",
        edit(&|v| {
            let sig = at_path(v, &DEVICE_SIG).clone();
            map_of(at_path(v, &join(&DEVICE_SIGNED, &[S("deviceAuth")])))
                .push((t("deviceMac"), sig));
        }),
    );
    c.add(
        "verify_device_auth_empty",
        "verify",
        "well_formed:Malformed/Structure/Missing",
        "deviceAuth as an empty map",
        edit(&|v| *at_path(v, &join(&DEVICE_SIGNED, &[S("deviceAuth")])) = Value::Map(vec![])),
    );
    c.add(
        "verify_device_namespaces_not_tag24",
        "verify",
        "well_formed:Malformed/Structure/WrongType",
        "DeviceSigned.nameSpaces as a plain map instead of tag 24",
        edit(&|v| *at_path(v, &join(&DEVICE_SIGNED, &[S("nameSpaces")])) = Value::Map(vec![])),
    );

    // ---- verifier: COSE ----------------------------------------------------------------------
    c.add(
        "verify_issuer_auth_three_elements",
        "verify",
        "well_formed:Malformed/Cose/Structure/InvalidValue",
        "issuerAuth with its signature removed (three elements)",
        edit(&|v| {
            if let Value::Array(a) = at_path(v, &ISSUER_AUTH) {
                a.pop();
            }
        }),
    );
    c.add(
        "verify_issuer_auth_map",
        "verify",
        "well_formed:Malformed/Cose/Structure/WrongType",
        "issuerAuth as a map",
        edit(&|v| *at_path(v, &ISSUER_AUTH) = Value::Map(vec![])),
    );
    c.add(
        "verify_issuer_auth_wrong_tag",
        "verify",
        "well_formed:Malformed/Cose/Structure/InvalidValue",
        "issuerAuth wrapped in tag 17 (COSE_Mac0) instead of untagged or tag 18",
        edit(&|v| {
            let ia = at_path(v, &ISSUER_AUTH).clone();
            *at_path(v, &ISSUER_AUTH) = Value::Tag(17, Box::new(ia));
        }),
    );
    c.add(
        "verify_protected_header_map",
        "verify",
        "well_formed:Malformed/Cose/Structure/WrongType",
        "issuerAuth's protected header as a map instead of a byte string",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) =
                Value::Map(vec![(Value::Integer(1), Value::Integer(-7))])
        }),
    );
    c.add(
        "verify_alg_missing",
        "verify",
        "well_formed:Malformed/Cose/AlgorithmMissing",
        "issuerAuth's protected header {} (no alg)",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) = Value::Bytes(encode(&Value::Map(vec![])))
        }),
    );
    c.add(
        "verify_alg_es384",
        "verify",
        "well_formed:Malformed/Cose/UnsupportedAlgorithm/Some",
        "issuerAuth's protected header {1: -35} (ES384, outside the allow-list)",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) = Value::Bytes(encode(&Value::Map(vec![(
                Value::Integer(1),
                Value::Integer(-35),
            )])))
        }),
    );
    c.add(
        "verify_alg_text",
        "verify",
        "well_formed:Malformed/Cose/UnsupportedAlgorithm/None",
        "issuerAuth's protected header {1: \"ES256\"} (a text algorithm)",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) =
                Value::Bytes(encode(&Value::Map(vec![(Value::Integer(1), t("ES256"))])))
        }),
    );
    c.add(
        "verify_alg_hmac_in_sign1",
        "verify",
        "well_formed:Malformed/Cose/AlgorithmMismatch",
        "issuerAuth's protected header {1: 5} (HMAC 256/256 in a COSE_Sign1: mismatched algorithm)",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) = Value::Bytes(encode(&Value::Map(vec![(
                Value::Integer(1),
                Value::Integer(5),
            )])))
        }),
    );
    c.add(
        "verify_alg_es256_in_mac0",
        "verify",
        "well_formed:Malformed/Cose/AlgorithmMismatch",
        "deviceAuth.deviceMac whose protected header says ES256 (mismatched algorithm)",
        edit(&|v| {
            let sig = at_path(v, &DEVICE_SIG).clone();
            *at_path(v, &join(&DEVICE_SIGNED, &[S("deviceAuth")])) =
                Value::Map(vec![(t("deviceMac"), sig)]);
        }),
    );
    c.add(
        "verify_header_in_both_buckets",
        "verify",
        "well_formed:Malformed/Cose/DuplicateHeaderLabel",
        "alg also in issuerAuth's unprotected header",
        edit(&|v| {
            map_of(at_path(v, &join(&ISSUER_AUTH, &[N(1)])))
                .push((Value::Integer(1), Value::Integer(-7)))
        }),
    );
    c.add(
        "verify_protected_header_trailing",
        "verify",
        "well_formed:Malformed/Cose/Structure/Cbor/TrailingBytes",
        "issuerAuth's protected header bytes followed by 0x00",
        edit(&|v| {
            if let Value::Bytes(b) = at_path(v, &join(&ISSUER_AUTH, &[N(0)])) {
                b.push(0);
            }
        }),
    );

    // ---- verifier: issuer chain --------------------------------------------------------------
    let x5 = join(&ISSUER_AUTH, &[N(1)]);
    let set_x5 = |x: Value| {
        edit(&|v| {
            let m = map_of(at_path(v, &x5));
            m.retain(|(k, _)| k.as_integer() != Some(LABEL_X5CHAIN));
            m.push((Value::Integer(LABEL_X5CHAIN), x.clone()));
        })
    };
    c.add(
        "verify_x5chain_missing",
        "verify",
        "issuer_chain:X5Chain/X5ChainMissing",
        "issuerAuth without x5chain",
        edit(&|v| map_of(at_path(v, &x5)).clear()),
    );
    c.add(
        "verify_x5chain_integer",
        "verify",
        "issuer_chain:X5Chain/Structure/WrongType",
        "x5chain as the integer 1",
        set_x5(Value::Integer(1)),
    );
    c.add(
        "verify_x5chain_empty_array",
        "verify",
        "issuer_chain:X5Chain/Structure/Empty",
        "x5chain as an empty array",
        set_x5(Value::Array(vec![])),
    );
    c.add(
        "verify_x5chain_nine_certificates",
        "verify",
        "issuer_chain:X5Chain/Structure/InvalidValue",
        "x5chain with the document signer nine times (more than 8)",
        set_x5(Value::Array(vec![Value::Bytes(ds_der.clone()); 9])),
    );
    c.add(
        "verify_x5chain_garbage",
        "verify",
        "issuer_chain:IssuerChain/Parse",
        "x5chain as 64 bytes of 0x5a",
        set_x5(Value::Bytes(vec![0x5a; 64])),
    );
    c.add(
        "verify_x5chain_truncated_der",
        "verify",
        "issuer_chain:IssuerChain/Parse",
        "the document signer certificate without its last 10 bytes",
        set_x5(Value::Bytes(ds_der[..ds_der.len() - 10].to_vec())),
    );
    c.add(
        "verify_x5chain_text_element",
        "verify",
        "issuer_chain:X5Chain/Structure/WrongType",
        "x5chain as [DS certificate, \"garbage\"]",
        set_x5(Value::Array(vec![
            Value::Bytes(ds_der.clone()),
            t("garbage"),
        ])),
    );
    c.add(
        "verify_x5chain_loop",
        "verify",
        "issuer_chain:IssuerChain/ChainLoop",
        "x5chain [DS, IACA, DS]: a certificate repeats",
        set_x5(Value::Array(vec![
            Value::Bytes(ds_der.clone()),
            Value::Bytes(iaca_der.clone()),
            Value::Bytes(ds_der.clone()),
        ])),
    );
    c.add(
        "verify_x5chain_too_long",
        "verify",
        "issuer_chain:IssuerChain/ChainTooLong",
        "x5chain of six distinct certificates (the chain limit is 5)",
        set_x5(Value::Array(vec![
            Value::Bytes(ds_der.clone()),
            Value::Bytes(iaca_der.clone()),
            Value::Bytes(reader_der.clone()),
            Value::Bytes(reader_ca_der.clone()),
            Value::Bytes(stranger.document_signer.der().to_vec()),
            Value::Bytes(stranger.iaca.der().to_vec()),
        ])),
    );
    c.add("verify_x5chain_foreign_signer", "verify", "issuer_chain:IssuerChain/SignatureInvalid",
        "x5chain with another PKI's document signer, whose issuer has the trusted IACA's name but another key",
        set_x5(Value::Bytes(stranger.document_signer.der().to_vec())));
    c.add(
        "verify_x5chain_reader_certificate",
        "verify",
        "issuer_chain:IssuerChain/ExtendedKeyUsage",
        "x5chain with the reader-authentication certificate (issued by the reader CA)",
        set_x5(Value::Bytes(reader_der.clone())),
    );

    // ---- verifier: signatures ----------------------------------------------------------------
    let sig_at = join(&ISSUER_AUTH, &[N(3)]);
    let raw_sig = at_path(&mut resp.clone(), &sig_at)
        .as_bytes()
        .expect("sig")
        .to_vec();
    c.add(
        "verify_issuer_signature_der",
        "verify",
        "issuer_signature:IssuerSignature/Crypto/InvalidSignatureEncoding",
        "issuerAuth's signature as DER ECDSA-Sig-Value instead of raw r||s",
        edit(&|v| *at_path(v, &sig_at) = Value::Bytes(raw_to_der(&raw_sig))),
    );
    c.add(
        "verify_issuer_signature_short",
        "verify",
        "issuer_signature:IssuerSignature/Crypto/InvalidSignatureEncoding",
        "issuerAuth's signature without its last byte (63 bytes)",
        edit(&|v| *at_path(v, &sig_at) = Value::Bytes(raw_sig[..63].to_vec())),
    );
    c.add(
        "verify_issuer_signature_zero",
        "verify",
        "issuer_signature:IssuerSignature/Crypto/InvalidSignatureEncoding",
        "issuerAuth's signature as 64 zero bytes (r = s = 0)",
        edit(&|v| *at_path(v, &sig_at) = Value::Bytes(vec![0; 64])),
    );
    c.add(
        "verify_issuer_signature_flipped",
        "verify",
        "issuer_signature:IssuerSignature/Crypto/SignatureInvalid",
        "issuerAuth's signature with one bit of s flipped",
        edit(&|v| {
            let mut s = raw_sig.clone();
            s[63] ^= 1;
            *at_path(v, &sig_at) = Value::Bytes(s);
        }),
    );
    c.add("verify_issuer_payload_nonpreferred", "verify", "issuer_signature:IssuerSignature/Crypto/SignatureInvalid",
        "the MSO payload's tag-24 head re-encoded in long form (0xd8 0x18 -> 0xd9 0x00 0x18): same value, other bytes",
        edit(&|v| {
            if let Value::Bytes(p) = at_path(v, &join(&ISSUER_AUTH, &[N(2)])) {
                p.splice(0..2, [0xd9, 0x00, 0x18]);
            }
        }));
    c.add(
        "verify_issuer_payload_nil",
        "verify",
        "issuer_signature:IssuerSignature/PayloadMissing",
        "issuerAuth with a nil (detached) payload",
        edit(&|v| *at_path(v, &join(&ISSUER_AUTH, &[N(2)])) = Value::Null),
    );
    let dsig_at = join(&DEVICE_SIG, &[N(3)]);
    let raw_dsig = at_path(&mut resp.clone(), &dsig_at)
        .as_bytes()
        .expect("sig")
        .to_vec();
    c.add(
        "verify_device_signature_der",
        "verify",
        "device_authentication:DeviceSignature/Crypto/InvalidSignatureEncoding",
        "deviceSignature's signature as DER instead of raw r||s",
        edit(&|v| *at_path(v, &dsig_at) = Value::Bytes(raw_to_der(&raw_dsig))),
    );
    c.add(
        "verify_device_signature_flipped",
        "verify",
        "device_authentication:DeviceSignature/Crypto/SignatureInvalid",
        "deviceSignature's signature with one bit flipped",
        edit(&|v| {
            let mut s = raw_dsig.clone();
            s[10] ^= 0x80;
            *at_path(v, &dsig_at) = Value::Bytes(s);
        }),
    );
    c.add(
        "verify_device_mac_without_reader_key",
        "verify",
        "device_authentication:ReaderKeyRequired",
        "deviceAuth as a deviceMac (protected {1: 5}); the corpus verifies without a reader key",
        edit(&|v| {
            let mac = Value::Array(vec![
                Value::Bytes(encode(&Value::Map(vec![(
                    Value::Integer(1),
                    Value::Integer(5),
                )]))),
                Value::Map(vec![]),
                Value::Null,
                Value::Bytes(vec![0; 32]),
            ]);
            *at_path(v, &join(&DEVICE_SIGNED, &[S("deviceAuth")])) =
                Value::Map(vec![(t("deviceMac"), mac)]);
        }),
    );
    c.add(
        "verify_device_elements_unauthorised",
        "verify",
        "key_authorizations:KeyAuthorization",
        "a correctly device-signed element (family_name) the MSO gives no keyAuthorizations for",
        {
            let dns = Embedded::wrap_value(&Value::Map(vec![(
                t(NS),
                Value::Map(vec![(t("family_name"), t("Li"))]),
            )]));
            let dab = transcript.device_authentication_bytes(MDL, &dns);
            let sig = CoseSign1::sign(&device_key, vec![], &dab, false)
                .expect("device sig")
                .to_value();
            edit(&|v| {
                *at_path(v, &DEVICE_SIGNED) = Value::Map(vec![
                    (t("nameSpaces"), Value::Embedded(dns.clone())),
                    (
                        t("deviceAuth"),
                        Value::Map(vec![(t("deviceSignature"), sig.clone())]),
                    ),
                ]);
            })
        },
    );

    // ---- verifier: behind the issuer signature (MSO re-signed by the real document signer) ----
    c.add(
        "verify_mso_not_tag24",
        "verify",
        "well_formed:MalformedMso/Structure/Cbor/NotEmbedded",
        "issuerAuth payload is the MSO map itself, not #6.24(bstr), validly signed",
        {
            let mut v = resp.clone();
            let p = at_path(&mut v, &join(&ISSUER_AUTH, &[N(2)]))
                .as_bytes()
                .expect("payload")
                .to_vec();
            let content = Embedded::from_tagged_bytes(&p, &Limits::default())
                .expect("mso")
                .content()
                .to_vec();
            resign_payload(content)
        },
    );
    c.add(
        "verify_mso_garbage",
        "verify",
        "well_formed:MalformedMso/Structure/Cbor/Truncated",
        "issuerAuth payload is tag 24 over one byte 0x18 (a truncated integer), validly signed",
        resign_payload(Embedded::wrap(&[0x18]).tagged_bytes().to_vec()),
    );
    c.add(
        "verify_mso_sha512",
        "verify",
        "well_formed:MalformedMso/UnsupportedDigestAlgorithm",
        "MSO digestAlgorithm \"SHA-512\", validly signed",
        resign(&|m| *at_path(m, &[S("digestAlgorithm")]) = t("SHA-512")),
    );
    c.add("verify_mso_device_key_off_curve", "verify", "well_formed:MalformedMso/DeviceKey/Crypto/InvalidPublicKey",
        "MSO deviceKey whose y coordinate is changed in its last bit (a point not on P-256), validly signed",
        resign(&|m| *at_path(m, &[S("deviceKeyInfo"), S("deviceKey")]) = off_curve_key(&device_key)));
    c.add(
        "verify_mso_device_key_p384",
        "verify",
        "well_formed:MalformedMso/DeviceKey/AlgorithmMismatch",
        "MSO deviceKey with crv 2 (P-384), validly signed",
        resign(&|m| *at_path(m, &[S("deviceKeyInfo"), S("deviceKey"), I(-1)]) = Value::Integer(2)),
    );
    c.add(
        "verify_mso_valid_until_text",
        "verify",
        "well_formed:MalformedMso/Structure/InvalidValue",
        "MSO validUntil as an untagged text string, validly signed",
        resign(&|m| *at_path(m, &[S("validityInfo"), S("validUntil")]) = t("2027-01-01T00:00:00Z")),
    );
    c.add(
        "verify_mso_doctype_mismatch",
        "verify",
        "doc_type:DocTypeMismatch",
        "MSO docType of another document type, validly signed",
        resign(&|m| *at_path(m, &[S("docType")]) = t("org.iso.23220.photoid.1")),
    );
    c.add(
        "verify_mso_expired",
        "verify",
        "validity:MsoExpired/UnixTime",
        "MSO validUntil one second before the check time, validly signed",
        resign(&|m| {
            *at_path(m, &[S("validityInfo"), S("validUntil")]) =
                Value::Tag(0, Box::new(t("2026-05-31T23:59:59Z")))
        }),
    );
    c.add(
        "verify_mso_not_yet_valid",
        "verify",
        "validity:MsoNotYetValid/UnixTime",
        "MSO validFrom one day after the check time, validly signed",
        resign(&|m| {
            *at_path(m, &[S("validityInfo"), S("validFrom")]) =
                Value::Tag(0, Box::new(t("2026-06-02T00:00:00Z")))
        }),
    );

    // ---- verifier: digests -------------------------------------------------------------------
    c.add(
        "verify_item_value_changed",
        "verify",
        "digests:DigestMismatch",
        "the first disclosed element's value replaced",
        edit_item(&|i| *at_path(i, &[S("elementValue")]) = t("Wang")),
    );
    c.add(
        "verify_item_digest_id_unknown",
        "verify",
        "digests:ElementNotInMso",
        "the first disclosed element's digestID set to 4 000 000 000",
        edit_item(&|i| *at_path(i, &[S("digestID")]) = Value::Integer(4_000_000_000)),
    );
    c.add("verify_item_nonpreferred_digest_id", "verify", "digests:DigestMismatch",
        "the first item's bytes re-encoded with digestID in 8-byte long form: same value, other bytes, so its digest differs",
        edit(&|v| {
            let slot = at_path(v, &join(&ITEMS, &[N(0)]));
            let e = slot.as_embedded().expect("tag 24").clone();
            let item = e.decode(&Limits::default()).expect("item");
            let mut b = vec![0xa4];
            for (k, val) in item.as_map().expect("map") {
                b.extend(encode(k));
                match (k.as_text(), val.as_u64()) {
                    (Some("digestID"), Some(id)) => {
                        b.push(0x1b);
                        b.extend(id.to_be_bytes());
                    }
                    _ => b.extend(encode(val)),
                }
            }
            *slot = Value::Embedded(Embedded::wrap(&b));
        }));
    c.add(
        "verify_item_duplicated",
        "verify",
        "digests:DuplicateElement",
        "the first disclosed item twice in its namespace",
        edit(&|v| {
            if let Value::Array(a) = at_path(v, &ITEMS) {
                let first = a[0].clone();
                a.push(first);
            }
        }),
    );
    c.add(
        "verify_namespace_not_in_mso",
        "verify",
        "digests:ElementNotInMso",
        "the disclosed items moved to a namespace the MSO does not have",
        edit(&|v| {
            let ns = at_path(
                v,
                &[S("documents"), N(0), S("issuerSigned"), S("nameSpaces")],
            );
            map_of(ns)[0].0 = t("org.example.other");
        }),
    );
    c.add("verify_status_nonpreferred_accepted", "verify", "ok",
        "status 0 encoded in 8-byte long form: outside every signature, accepted by decision (non-preferred lengths are tolerated, see cbor module docs)",
        {
            let b = response.clone();
            // The status entry is last: "status" then 0x00.
            assert_eq!(b.last(), Some(&0x00));
            [b[..b.len() - 1].to_vec(), vec![0x1b, 0, 0, 0, 0, 0, 0, 0, 0]].concat()
        });

    // ---- holder: DeviceRequest ---------------------------------------------------------------
    let edit_req = |f: &dyn Fn(&mut Value)| {
        let mut v = req.clone();
        f(&mut v);
        encode(&v)
    };
    const DR0: [K; 2] = [S("docRequests"), N(0)];
    c.add(
        "request_empty",
        "request",
        "Malformed/Structure/Cbor/Truncated",
        "zero bytes",
        vec![],
    );
    c.add(
        "request_truncated",
        "request",
        "Malformed/Structure/Cbor/LengthBeyondInput",
        "the valid request without its last 20 bytes (inside readerAuth's signature)",
        request[..request.len() - 20].to_vec(),
    );
    c.add(
        "request_version_2",
        "request",
        "Malformed/Structure/InvalidValue",
        "version \"2.0\"",
        edit_req(&|v| *at_path(v, &[S("version")]) = t("2.0")),
    );
    c.add(
        "request_doc_requests_empty",
        "request",
        "Malformed/Structure/Empty",
        "docRequests as an empty array",
        edit_req(&|v| *at_path(v, &[S("docRequests")]) = Value::Array(vec![])),
    );
    c.add(
        "request_seventeen_doc_requests",
        "request",
        "Malformed/TooManyDocuments",
        "the valid DocRequest 17 times (the limit is 16)",
        edit_req(&|v| {
            let d = at_path(v, &DR0).clone();
            *at_path(v, &[S("docRequests")]) = Value::Array(vec![d; 17]);
        }),
    );
    c.add(
        "request_items_request_not_tag24",
        "request",
        "Malformed/Structure/WrongType",
        "itemsRequest as a plain map instead of tag 24",
        edit_req(&|v| *at_path(v, &join(&DR0, &[S("itemsRequest")])) = Value::Map(vec![])),
    );
    c.add(
        "request_items_request_deep",
        "request",
        "Malformed/Structure/Cbor/TooDeep",
        "itemsRequest as tag 24 over 40 nested arrays",
        edit_req(&|v| {
            let mut deep = Value::Integer(0);
            for _ in 0..40 {
                deep = Value::Array(vec![deep]);
            }
            *at_path(v, &join(&DR0, &[S("itemsRequest")])) =
                Value::Embedded(Embedded::wrap_value(&deep));
        }),
    );
    c.add(
        "request_duplicate_key",
        "request",
        "Malformed/Structure/Cbor/DuplicateKey",
        "a second \"version\" entry in the request map",
        edit_req(&|v| map_of(v).push((t("version"), t("1.0")))),
    );
    c.add(
        "request_reader_auth_garbage_x5chain",
        "request",
        "ReaderChain/Parse",
        "readerAuth's x5chain as 32 bytes of 0x00",
        edit_req(&|v| {
            let m = map_of(at_path(v, &join(&DR0, &[S("readerAuth"), N(1)])));
            m.clear();
            m.push((Value::Integer(LABEL_X5CHAIN), Value::Bytes(vec![0; 32])));
        }),
    );
    c.add(
        "request_reader_auth_no_x5chain",
        "request",
        "ReaderX5Chain/X5ChainMissing",
        "readerAuth without x5chain",
        edit_req(&|v| map_of(at_path(v, &join(&DR0, &[S("readerAuth"), N(1)]))).clear()),
    );
    c.add(
        "request_reader_auth_issuer_chain",
        "request",
        "ReaderChain/ExtendedKeyUsage",
        "readerAuth's x5chain holding the document signer (chains to the IACA, not a reader CA)",
        edit_req(&|v| {
            let m = map_of(at_path(v, &join(&DR0, &[S("readerAuth"), N(1)])));
            m.clear();
            m.push((Value::Integer(LABEL_X5CHAIN), Value::Bytes(ds_der.clone())));
        }),
    );
    let rsig = join(&DR0, &[S("readerAuth"), N(3)]);
    let raw_rsig = at_path(&mut req.clone(), &rsig)
        .as_bytes()
        .expect("sig")
        .to_vec();
    c.add(
        "request_reader_signature_der",
        "request",
        "ReaderSignature/Crypto/InvalidSignatureEncoding",
        "readerAuth's signature as DER instead of raw r||s",
        edit_req(&|v| *at_path(v, &rsig) = Value::Bytes(raw_to_der(&raw_rsig))),
    );
    c.add(
        "request_reader_signature_flipped",
        "request",
        "ReaderSignature/Crypto/SignatureInvalid",
        "readerAuth's signature with one bit flipped",
        edit_req(&|v| {
            let mut s = raw_rsig.clone();
            s[40] ^= 4;
            *at_path(v, &rsig) = Value::Bytes(s);
        }),
    );
    c.add(
        "request_reader_auth_alg_hmac",
        "request",
        "Malformed/Cose/AlgorithmMismatch",
        "readerAuth's protected header {1: 5} (HMAC in a COSE_Sign1)",
        edit_req(&|v| {
            *at_path(v, &join(&DR0, &[S("readerAuth"), N(0)])) = Value::Bytes(encode(&Value::Map(
                vec![(Value::Integer(1), Value::Integer(5))],
            )))
        }),
    );

    // ---- session messages --------------------------------------------------------------------
    let est = dec(&establishment);
    let edit_est = |f: &dyn Fn(&mut Value)| {
        let mut v = est.clone();
        f(&mut v);
        encode(&v)
    };
    c.add(
        "session_establishment_truncated",
        "session_establishment",
        "Malformed/Cbor/LengthBeyondInput",
        "the valid SessionEstablishment without its last byte",
        establishment[..establishment.len() - 1].to_vec(),
    );
    c.add(
        "session_establishment_key_off_curve",
        "session_establishment",
        "ReaderKey/Crypto/InvalidPublicKey",
        "eReaderKey with y changed in its last bit (not on P-256)",
        edit_est(&|v| {
            *at_path(v, &[S("eReaderKey")]) =
                Value::Embedded(Embedded::wrap_value(&off_curve_key(&reader_ephemeral)))
        }),
    );
    c.add(
        "session_establishment_key_not_tag24",
        "session_establishment",
        "Malformed/WrongType",
        "eReaderKey as a plain COSE_Key map (no tag 24)",
        edit_est(&|v| {
            *at_path(v, &[S("eReaderKey")]) = CoseKey::new(reader_ephemeral.public()).to_value()
        }),
    );
    c.add(
        "session_establishment_data_text",
        "session_establishment",
        "Malformed/WrongType",
        "data as a text string",
        edit_est(&|v| *at_path(v, &[S("data")]) = t("data")),
    );
    c.add(
        "session_establishment_unknown_key",
        "session_establishment",
        "Malformed/UnknownField",
        "an extra key \"status\"",
        edit_est(&|v| map_of(v).push((t("status"), Value::Integer(20)))),
    );
    c.add(
        "session_data_empty_map",
        "session_data",
        "Malformed/Missing",
        "SessionData as {} (neither data nor status)",
        encode(&Value::Map(vec![])),
    );
    c.add(
        "session_data_status_negative",
        "session_data",
        "Malformed/InvalidValue",
        "SessionData {status: -1}",
        encode(&Value::Map(vec![(t("status"), Value::Integer(-1))])),
    );
    c.add(
        "session_data_indefinite_bytes",
        "session_data",
        "Malformed/Cbor/IndefiniteLength",
        "SessionData {data: indefinite-length byte string}",
        {
            let mut b = vec![0xa1];
            b.extend(encode(&t("data")));
            b.extend([0x5f, 0x41, 0x00, 0xff]);
            b
        },
    );
    let eng = dec(&engagement);
    let edit_eng = |f: &dyn Fn(&mut Value)| {
        let mut v = eng.clone();
        f(&mut v);
        encode(&v)
    };
    c.add(
        "engagement_version_2",
        "engagement",
        "UnsupportedVersion",
        "DeviceEngagement version \"2.0\"",
        edit_eng(&|v| *at_path(v, &[I(0)]) = t("2.0")),
    );
    c.add(
        "engagement_cipher_suite_2",
        "engagement",
        "UnsupportedCipherSuite",
        "DeviceEngagement security cipher suite 2",
        edit_eng(&|v| *at_path(v, &[I(1), N(0)]) = Value::Integer(2)),
    );
    c.add(
        "engagement_key_off_curve",
        "engagement",
        "DeviceKey/Crypto/InvalidPublicKey",
        "EDeviceKey with y changed in its last bit (not on P-256)",
        edit_eng(&|v| {
            *at_path(v, &[I(1), N(1)]) =
                Value::Embedded(Embedded::wrap_value(&off_curve_key(&engagement_key)))
        }),
    );
    c.add(
        "engagement_too_large",
        "engagement",
        "TooLarge",
        "5 000 bytes (the engagement limit is 4 096)",
        vec![0; 5000],
    );
    c.add(
        "qr_no_prefix",
        "qr",
        "QrPrefix",
        "a QR text without the mdoc: prefix",
        b"https://example.invalid/".to_vec(),
    );
    c.add(
        "qr_padded_base64",
        "qr",
        "Base64",
        "mdoc: followed by padded base64 (\"oA==\")",
        b"mdoc:oA==".to_vec(),
    );

    // ---- certificates ------------------------------------------------------------------------
    c.add(
        "certificates_garbage",
        "certificates",
        "Parse",
        "100 bytes of 0x30 (SEQUENCE heads without content)",
        vec![0x30; 100],
    );
    c.add(
        "certificates_empty",
        "certificates",
        "Parse",
        "zero bytes",
        vec![],
    );
    c.add(
        "certificates_loop",
        "certificates",
        "ChainLoop",
        "a PEM bundle DS, IACA, DS: a certificate repeats",
        pem(&[&ds_der, &iaca_der, &ds_der]),
    );
    c.add(
        "certificates_too_long",
        "certificates",
        "ChainTooLong",
        "a PEM bundle of six distinct certificates (the chain limit is 5)",
        pem(&[
            &ds_der,
            &iaca_der,
            &reader_der,
            &reader_ca_der,
            stranger.document_signer.der(),
            stranger.iaca.der(),
        ]),
    );
    c.add(
        "certificates_concatenated_der",
        "certificates",
        "Parse",
        "two DER certificates back to back (only one DER certificate or a PEM bundle is accepted)",
        [ds_der.clone(), iaca_der.clone()].concat(),
    );
    c.add(
        "certificates_valid_pem_chain",
        "certificates",
        "ok",
        "control: the document signer and IACA as a PEM bundle validate",
        pem(&[&ds_der, &iaca_der]),
    );
    c.add(
        "certificates_reader_leaf",
        "certificates",
        "ExtendedKeyUsage",
        "the reader certificate validated as a document signer",
        reader_der.clone(),
    );
    c.add(
        "certificates_pem_bad_base64",
        "certificates",
        "Parse",
        "a PEM block whose body is not base64",
        b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".to_vec(),
    );

    // ---- stored credentials and wallet records ----------------------------------------------
    let cred = dec(&credential_bytes);
    c.add(
        "credential_truncated",
        "credential",
        "Structure/Cbor/LengthBeyondInput",
        "the valid stored credential cut in half",
        credential_bytes[..credential_bytes.len() / 2].to_vec(),
    );
    c.add(
        "credential_array",
        "credential",
        "Structure/WrongType",
        "a stored credential as an array",
        encode(&Value::Array(vec![])),
    );
    c.add(
        "credential_no_issuer_auth",
        "credential",
        "Structure/Missing",
        "a stored credential's IssuerSigned without issuerAuth",
        {
            let mut v = cred.clone();
            if let Value::Map(m) = &mut v {
                for (_, val) in m.iter_mut() {
                    if let Value::Map(inner) = val {
                        inner.retain(|(k, _)| k.as_text() != Some("issuerAuth"));
                    }
                }
                m.retain(|(k, _)| k.as_text() != Some("issuerAuth"));
            }
            encode(&v)
        },
    );
    c.add(
        "wallet_record_garbage",
        "wallet_credential_record",
        "UnreadableRecord/Credentials/RecordId",
        "a credential record of 16 bytes 0xff",
        vec![0xff; 16],
    );
    c.add(
        "wallet_record_version_2",
        "wallet_credential_record",
        "UnreadableRecord/Credentials/RecordId",
        "a credential record {\"v\": 2}",
        encode(&Value::Map(vec![(t("v"), Value::Integer(2))])),
    );
    c.add(
        "wallet_record_deep",
        "wallet_credential_record",
        "UnreadableRecord/Credentials/RecordId",
        "a credential record of 40 nested arrays",
        [vec![0x81; 40], vec![0]].concat(),
    );
    c.add(
        "wallet_record_bad_credential",
        "wallet_credential_record",
        "UnreadableRecord/Credentials/RecordId",
        "a version-1 credential record whose copy holds 3 garbage bytes as its credential",
        encode(&Value::Map(vec![
            (t("v"), Value::Integer(1)),
            (t("id"), t("c0123456789abcdef")),
            (
                t("copies"),
                Value::Array(vec![Value::Map(vec![
                    (t("credential"), Value::Bytes(vec![1, 2, 3])),
                    (t("key"), t("k")),
                    (t("uses"), Value::Integer(0)),
                ])]),
            ),
        ])),
    );
    c.add(
        "wallet_log_record_garbage",
        "wallet_log_record",
        "UnreadableRecord/DisclosureLog/RecordId",
        "a disclosure-log record of one byte 0x1c (reserved)",
        vec![0x1c],
    );
    c.add(
        "wallet_log_record_wrong_type",
        "wallet_log_record",
        "UnreadableRecord/DisclosureLog/RecordId",
        "a disclosure-log record {\"v\": 1, \"at\": \"yesterday\"}",
        encode(&Value::Map(vec![
            (t("v"), Value::Integer(1)),
            (t("at"), t("yesterday")),
        ])),
    );
    c.add(
        "file_record_empty",
        "file_store_record",
        "Corrupted/Credentials/RecordId",
        "an empty record file",
        vec![],
    );
    c.add(
        "file_record_bad_magic",
        "file_store_record",
        "Corrupted/Credentials/RecordId",
        "a record file starting \"ZZX\\x01\"",
        [b"ZZX\x01\x00".to_vec(), vec![0; 40]].concat(),
    );
    c.add(
        "file_record_wrong_mode",
        "file_store_record",
        "Corrupted/Credentials/RecordId",
        "a record file in AEAD mode (1) read by an unencrypted store",
        [b"ZZR\x01\x01".to_vec(), vec![0; 60]].concat(),
    );
    c.add(
        "file_record_bad_checksum",
        "file_store_record",
        "Corrupted/Credentials/RecordId",
        "a checksum-mode record whose 32-byte checksum is zeros",
        [
            b"ZZR\x01\x00".to_vec(),
            encode(&Value::Map(vec![])),
            vec![0; 32],
        ]
        .concat(),
    );
    c.add(
        "file_record_short",
        "file_store_record",
        "Corrupted/Credentials/RecordId",
        "a checksum-mode record shorter than its checksum",
        b"ZZR\x01\x00abc".to_vec(),
    );

    // ---- issue 13.2: COSE crit (RFC 9052 §3.1); 13.3: the document-signer profile ------------
    let crit_header = |labels: Vec<Value>, extra: Vec<(Value, Value)>| {
        let mut m = vec![
            (Value::Integer(1), Value::Integer(-7)),
            (Value::Integer(2), Value::Array(labels)),
        ];
        m.extend(extra);
        Value::Bytes(encode(&Value::Map(m)))
    };
    let kid = || vec![(Value::Integer(4), Value::Bytes(vec![1]))];
    c.add(
        "verify_crit_unsupported",
        "verify",
        "well_formed:Malformed/Cose/CritUnsupported",
        "issuerAuth's protected header {1: -7, 2: [4], 4: h'01'} (kid marked critical, not processed)",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) = crit_header(vec![Value::Integer(4)], kid())
        }),
    );
    c.add(
        "verify_crit_label_absent",
        "verify",
        "well_formed:Malformed/Cose/CritLabelAbsent",
        "issuerAuth's protected header {1: -7, 2: [99]} (crit lists a label not in the header)",
        edit(&|v| {
            *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) =
                crit_header(vec![Value::Integer(99)], vec![])
        }),
    );
    c.add(
        "verify_crit_empty",
        "verify",
        "well_formed:Malformed/Cose/CritMalformed",
        "issuerAuth's protected header {1: -7, 2: []} (crit must be a non-empty array)",
        edit(&|v| *at_path(v, &join(&ISSUER_AUTH, &[N(0)])) = crit_header(vec![], vec![])),
    );
    c.add(
        "verify_crit_unprotected",
        "verify",
        "well_formed:Malformed/Cose/CritUnprotected",
        "issuerAuth's unprotected header with 2: [1] (crit outside the protected header)",
        edit(&|v| {
            map_of(at_path(v, &join(&ISSUER_AUTH, &[N(1)])))
                .push((Value::Integer(2), Value::Array(vec![Value::Integer(1)])))
        }),
    );
    c.add(
        "verify_device_signature_crit",
        "verify",
        "well_formed:Malformed/Cose/CritUnsupported",
        "deviceSignature's protected header {1: -7, 2: [4], 4: h'01'}",
        edit(&|v| {
            *at_path(v, &join(&DEVICE_SIG, &[N(0)])) = crit_header(vec![Value::Integer(4)], kid())
        }),
    );
    c.add(
        "request_reader_auth_crit",
        "request",
        "Malformed/Cose/CritUnsupported",
        "readerAuth's protected header {1: -7, 2: [4], 4: h'01'}",
        edit_req(&|v| {
            *at_path(v, &join(&DR0, &[S("readerAuth"), N(0)])) =
                crit_header(vec![Value::Integer(4)], kid())
        }),
    );
    c.add(
        "certificates_iaca_as_leaf",
        "certificates",
        "DocumentSignerIsCa",
        "the IACA (cA TRUE) validated as a document signer",
        iaca_der.clone(),
    );

    // ---- signed trust lists: read with the IACA fixture as publisher, at `at`, lowest accepted
    // edition 5 (tests/malformed.rs, entry point `trust_list`) ----------------------------------
    let trust_list = |sequence: u64, next_update: Option<UnixTime>| {
        let mut list = TrustList::new("corpus trust list publisher", sequence, at);
        if let Some(next) = next_update {
            list = list.with_next_update(next);
        }
        list.sign(&pki.iaca_key, &pki.iaca)
            .expect("sign trust list")
    };
    c.add(
        "trust_list_current",
        "trust_list",
        "ok",
        "control: edition 5 with nextUpdate 30 days ahead, signed by the publisher",
        trust_list(5, Some(at.add_secs(30 * 86_400))),
    );
    c.add(
        "trust_list_rollback",
        "trust_list",
        "Rollback",
        "an older edition (4) replayed, validly signed, below the lowest accepted (5)",
        trust_list(4, Some(at.add_secs(30 * 86_400))),
    );
    c.add(
        "trust_list_no_next_update",
        "trust_list",
        "NextUpdateMissing",
        "edition 5 without nextUpdate, validly signed",
        trust_list(5, None),
    );

    // ---- verifier: the MSO's own times (issue 13.1; behind a valid issuer signature) -------
    // The document signer is valid 2026-05-31T00:00:00Z..2027-06-01T00:00:00Z; the MSO was
    // signed 2026-05-31T00:00:00Z and is valid from then until 2026-07-01T00:00:00Z.
    let tdate = |s: &str| Value::Tag(0, Box::new(t(s)));
    c.add(
        "verify_mso_signed_before_signer",
        "verify",
        "validity:MsoSignedBeforeSigner/UnixTime/UnixTime",
        "MSO signed one second before the document signer's notBefore, validly signed",
        resign(&|m| *at_path(m, &[S("validityInfo"), S("signed")]) = tdate("2026-05-30T23:59:59Z")),
    );
    c.add(
        "verify_mso_valid_until_equals_valid_from",
        "verify",
        "validity:MsoValidityEmpty/UnixTime/UnixTime",
        "MSO validUntil equal to validFrom (2026-05-31T00:00:00Z), validly signed",
        resign(&|m| {
            *at_path(m, &[S("validityInfo"), S("validUntil")]) = tdate("2026-05-31T00:00:00Z")
        }),
    );
    c.add(
        "verify_mso_valid_until_before_valid_from",
        "verify",
        "validity:MsoValidityEmpty/UnixTime/UnixTime",
        "MSO validUntil one day before validFrom, validly signed",
        resign(&|m| {
            *at_path(m, &[S("validityInfo"), S("validUntil")]) = tdate("2026-05-30T00:00:00Z")
        }),
    );
    c.add(
        "verify_mso_signed_after_valid_until",
        "verify",
        "validity:MsoSignedAfterValidUntil/UnixTime/UnixTime",
        "MSO signed one second after its own validUntil (inside the signer's validity), validly signed",
        resign(&|m| *at_path(m, &[S("validityInfo"), S("signed")]) = tdate("2026-07-01T00:00:01Z")),
    );
    c.add(
        "verify_mso_signed_after_signer",
        "verify",
        "validity:MsoSignedAfterSigner/UnixTime/UnixTime",
        "MSO signed one second after the document signer's notAfter, validUntil a month later, validly signed",
        resign(&|m| {
            *at_path(m, &[S("validityInfo"), S("signed")]) = tdate("2027-06-01T00:00:01Z");
            *at_path(m, &[S("validityInfo"), S("validUntil")]) = tdate("2027-07-01T00:00:00Z");
        }),
    );
    c.add(
        "verify_mso_version_three_part",
        "verify",
        "well_formed:MalformedMso/Structure/InvalidValue",
        "MSO version \"1.0.1\" (only \"1.<digits>\" is accepted), validly signed",
        resign(&|m| *at_path(m, &[S("version")]) = t("1.0.1")),
    );

    // ---- licence status (tests/malformed.rs, entry point `status`) ---------------------------
    status_entries(&mut c, &fixtures, at);

    // ---- write --------------------------------------------------------------------------------
    for f in std::fs::read_dir(dir).expect("corpus dir").flatten() {
        if f.path().extension().is_some_and(|e| e == "bin") {
            std::fs::remove_file(f.path()).expect("remove old entry");
        }
    }
    let mut manifest = String::from(
        "# The malformed-input corpus: name, entry point, expected outcome, how the file is made.\n\
         # Generated by tests/malformed_gen/mod.rs; checked by tests/malformed.rs.\n\
         # Expected: the chain of error variants (verify: failed check, then the variants), or ok.\n",
    );
    for (name, entry, expected, how, bytes) in &c.entries {
        std::fs::write(dir.join(format!("{name}.bin")), bytes).expect("write entry");
        manifest.push_str(&format!("{name}\t{entry}\t{expected}\t{how}\n"));
    }
    std::fs::write(dir.join("MANIFEST.tsv"), manifest).expect("write manifest");

    // The entries also seed the fuzz target of their entry point.
    let seeds = dir.join("../../fuzz/seeds");
    for target in [
        "verify_response",
        "verify_structured",
        "holder_request",
        "session_messages",
        "x509_chain",
        "transcript_and_credential",
        "wallet_records",
        "profiles",
        "status_list",
    ] {
        let d = seeds.join(target);
        std::fs::create_dir_all(&d).expect("seed dir");
        for f in std::fs::read_dir(&d).expect("seed dir").flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.starts_with("corpus_") || name.starts_with("malformed_") {
                std::fs::remove_file(f.path()).expect("remove old seed");
            }
        }
    }
    let write_seed = |target: &str, name: &str, bytes: &[u8]| {
        std::fs::write(seeds.join(target).join(format!("corpus_{name}.bin")), bytes)
            .expect("write seed");
    };
    for (name, entry, _, _, bytes) in &c.entries {
        if *entry == "status" {
            write_status_seed(&seeds.join("status_list"), name, bytes);
            continue;
        }
        let target = match *entry {
            "verify" => "verify_response",
            "request" => "holder_request",
            "engagement" | "qr" | "session_establishment" | "session_data" => "session_messages",
            "certificates" => "x509_chain",
            "credential" => "transcript_and_credential",
            "trust_list" => "profiles",
            _ => "wallet_records",
        };
        write_seed(target, name, bytes);
    }
    // The structure-aware target mutates valid presentations of the corpus PKI.
    // verify_structured reads `program length (u16) ‖ program ‖ response`: the seeds carry an
    // empty program, the valid response and the entries validly signed by the document signer.
    write_seed(
        "verify_structured",
        "valid_response",
        &[&[0u8, 0][..], &response].concat(),
    );
    for (name, _, _, _, bytes) in c.entries.iter().filter(|e| e.0.starts_with("verify_mso_")) {
        write_seed("verify_structured", name, &[&[0u8, 0][..], bytes].concat());
    }
    write_seed("verify_response", "valid_response", &response);
    write_seed("holder_request", "valid_request", &request);
    write_seed(
        "session_messages",
        "valid_session_establishment",
        &establishment,
    );
    write_seed("session_messages", "valid_engagement", &engagement);
    write_seed(
        "transcript_and_credential",
        "valid_credential",
        &credential_bytes,
    );
    write_seed("x509_chain", "valid_pem_chain", &pem(&[&ds_der, &iaca_der]));

    // Valid wallet records for wallet_records: a wallet over a file store adds a batch of two
    // copies and presents one (a log entry); each record's payload is a seed, and so is the
    // payload re-filed under the identifier the fuzz target decodes with ("fuzz").
    let scratch = std::env::temp_dir().join(format!("zhengzhao-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let store = Arc::new(FileStore::open(scratch.join("wallet")).expect("file store"));
    let area = Arc::new(
        SoftwareSecureArea::persistent(
            store.clone(),
            &StoreKey::from_bytes(&[7; 32]).expect("key"),
        )
        .expect("secure area"),
    );
    let wallet = Wallet::new(store.clone(), area);
    let pending = wallet.prepare(2).expect("prepare");
    let batch = issuer
        .credential(MDL)
        .element(NS, "family_name", t("Zhang"))
        .element(NS, "age_over_18", Value::Bool(true))
        .validity(at.add_secs(-DAY), at.add_secs(-DAY), at.add_secs(30 * DAY))
        .sign_batch(&pending.device_keys())
        .expect("batch");
    let meta = wallet
        .add(
            pending,
            batch,
            DisplayName::new("机动车驾驶证", "Driving licence"),
            BatchPolicy::OneTimeUse,
            at,
        )
        .expect("add");
    let approved = parsed.documents()[0].requested();
    wallet
        .present(
            &parsed,
            &transcript,
            &[Consent::new(0, meta.id.clone(), approved)],
            DeviceAuthMode::Signature,
            at,
        )
        .expect("present");
    let refile = FileStore::open(scratch.join("refile")).expect("file store");
    let fuzz_id = RecordId::new("fuzz").expect("id");
    for collection in Collection::ALL {
        for (n, id) in store.list(collection).expect("list").iter().enumerate() {
            let payload = store.get(collection, id).expect("get").expect("record");
            let tag = format!("{}_{n}", collection.name().replace('-', "_"));
            write_seed("wallet_records", &format!("valid_payload_{tag}"), &payload);
            refile.put(collection, &fuzz_id, &payload).expect("refile");
            let file = std::fs::read(
                scratch
                    .join("refile")
                    .join(collection.name())
                    .join("fuzz.rec"),
            )
            .expect("record file");
            write_seed("wallet_records", &format!("valid_file_{tag}"), &file);
        }
    }
    drop((store, refile));
    let _ = std::fs::remove_dir_all(&scratch);
}

// ---- licence status (issue 15) ------------------------------------------------------------------

/// The `uri` every status entry is checked for (`tests/malformed.rs`, entry point `status`).
pub const STATUS_URI: &str = "https://status.example.cn/corpus/1";
/// The credential's index every status entry is read at.
pub const STATUS_INDEX: u64 = 1000;

/// A Status List Token (tag 18) over `claims` with `protected` headers after `alg` and the
/// given `unprotected` ones, signed by `key`: the raw signed `COSE_Sign1` array is returned too,
/// for entries that change it.
fn status_token(
    key: &SoftwareKey,
    protected: Vec<(Value, Value)>,
    unprotected: Vec<(Value, Value)>,
    claims: &Value,
) -> (Vec<u8>, Value) {
    let sign1 = CoseSign1::sign_with_protected(key, protected, unprotected, &encode(claims))
        .expect("sign status list token");
    let array = sign1.to_value();
    (encode(&Value::Tag(18, Box::new(array.clone()))), array)
}

/// The CWT claims of a Status List Token: `sub`, `iat`, optional `exp` and `ttl`, and
/// `status_list`.
fn status_claims(
    sub: &str,
    iat: UnixTime,
    exp: Option<UnixTime>,
    ttl: Option<u64>,
    list: Value,
) -> Value {
    let mut m = vec![
        (Value::Integer(2), t(sub)),
        (Value::Integer(6), Value::Integer(iat.secs().into())),
    ];
    if let Some(exp) = exp {
        m.push((Value::Integer(4), Value::Integer(exp.secs().into())));
    }
    if let Some(ttl) = ttl {
        m.push((Value::Integer(65534), Value::Integer(ttl.into())));
    }
    m.push((Value::Integer(65533), list));
    Value::Map(m)
}

/// The status-list entries, checked against their own fixtures (`status_iaca.der`, the IACA
/// that certified the status signer, and `status_document_signer.der`, the document signer of
/// the credential whose status is read), which this writes into `fixtures`. Every token is
/// made with a fresh test PKI, so regenerating changes every file, never the expectations.
fn status_entries(c: &mut Corpus, fixtures: &Path, at: UnixTime) {
    let pki = TestPki::generate(at).expect("status test PKI");
    // Another IACA under another name, and an impostor under the same name as the real one.
    let mut other = TestPkiOptions::new(at);
    other.iaca_name = "C=CN, O=zhengzhao test, CN=Another Issuing Authority CA".into();
    let other = TestPki::generate_with(&other).expect("other PKI");
    let impostor = TestPki::generate(at).expect("impostor PKI");
    std::fs::create_dir_all(fixtures).expect("fixtures dir");
    std::fs::write(fixtures.join("status_iaca.der"), pki.iaca.der()).expect("write fixture");
    std::fs::write(
        fixtures.join("status_document_signer.der"),
        pki.document_signer.der(),
    )
    .expect("write fixture");

    let typ = |s: &str| (Value::Integer(16), t(s));
    let x5chain = |cert: &zhengzhao::trust::Certificate| {
        (Value::Integer(33), Value::Bytes(cert.der().to_vec()))
    };
    let standard = vec![typ(TYP_STATUS_LIST), x5chain(&pki.status_signer)];
    let iat = at.add_secs(-3600);
    let exp = Some(at.add_secs(DAY));
    // A 1-bit list of 2048 entries (256 bytes), `STATUS_INDEX` revoked when `revoked`.
    let list = |revoked: bool| {
        let mut l = StatusList::new(Bits::One, 2048).expect("list");
        l.set(STATUS_INDEX + 1, Status::Invalid).expect("set");
        if revoked {
            l.set(STATUS_INDEX, Status::Invalid).expect("set");
        }
        l
    };
    let valid_list = list(false).to_value();
    let lst = list(false).compressed();
    let with_lst = |bits: i128, lst: Vec<u8>| {
        Value::Map(vec![
            (t("bits"), Value::Integer(bits)),
            (t("lst"), Value::Bytes(lst)),
        ])
    };
    let claims = |list: Value| status_claims(STATUS_URI, iat, exp, Some(43_200), list);
    let signed = |list: Value| {
        status_token(
            &pki.status_signer_key,
            standard.clone(),
            vec![],
            &claims(list),
        )
        .0
    };

    c.add(
        "status_valid",
        "status",
        "ok:Valid",
        "control: a 1-bit list of 2048 entries, the credential's entry 0, signed by the status signer",
        signed(valid_list.clone()),
    );
    c.add(
        "status_revoked",
        "status",
        "ok:Invalid",
        "control: the same list with the credential's entry 1 (revoked), signed by the status signer",
        signed(list(true).to_value()),
    );
    c.add(
        "status_bits_3",
        "status",
        "parse:InvalidBits { bits: 3 }",
        "status_list.bits 3 (only 1, 2, 4 and 8 exist), validly signed",
        signed(with_lst(3, lst.clone())),
    );
    c.add(
        "status_zlib_truncated",
        "status",
        "parse:Compression { reason: \"truncated zlib stream\" }",
        "lst cut to its first half, validly signed",
        signed(with_lst(1, lst[..lst.len() / 2].to_vec())),
    );
    c.add(
        "status_zlib_checksum",
        "status",
        "parse:Compression { reason: \"zlib checksum mismatch\" }",
        "lst with the last byte of its Adler-32 flipped, validly signed",
        signed(with_lst(1, {
            let mut l = lst.clone();
            let last = l.len() - 1;
            l[last] ^= 0x01;
            l
        })),
    );
    c.add(
        "status_zlib_trailing",
        "status",
        "parse:TrailingCompressedData",
        "lst followed by one 0x00 after the end of the zlib stream, validly signed",
        signed(with_lst(1, [lst.clone(), vec![0]].concat())),
    );
    c.add(
        "status_zlib_bomb",
        "status",
        "parse:ListTooLarge { max: 4194304 }",
        "lst inflating to 16 MiB of zeros (the bound is 4 MiB; inflating stops there), validly signed",
        signed(with_lst(1, deflate(&vec![0u8; 16 * 1024 * 1024]))),
    );
    c.add(
        "status_typ_wrong",
        "status",
        "parse:TypWrong",
        "protected typ \"application/cwt\", validly signed",
        status_token(
            &pki.status_signer_key,
            vec![typ("application/cwt"), x5chain(&pki.status_signer)],
            vec![],
            &claims(valid_list.clone()),
        )
        .0,
    );
    c.add(
        "status_typ_missing",
        "status",
        "parse:TypMissing",
        "no typ header at all, validly signed",
        status_token(
            &pki.status_signer_key,
            vec![x5chain(&pki.status_signer)],
            vec![],
            &claims(valid_list.clone()),
        )
        .0,
    );
    c.add(
        "status_typ_unprotected",
        "status",
        "parse:TypUnprotected",
        "typ only in the unprotected header, validly signed",
        status_token(
            &pki.status_signer_key,
            vec![x5chain(&pki.status_signer)],
            vec![typ(TYP_STATUS_LIST)],
            &claims(valid_list.clone()),
        )
        .0,
    );
    let (_, array) = status_token(
        &pki.status_signer_key,
        standard.clone(),
        vec![],
        &claims(valid_list.clone()),
    );
    c.add(
        "status_cwt_tag61",
        "status",
        "parse:CwtTagged",
        "the valid token wrapped in the CWT tag 61 (61(18([...]))), which the draft forbids",
        encode(&Value::Tag(
            61,
            Box::new(Value::Tag(18, Box::new(array.clone()))),
        )),
    );
    c.add(
        "status_untagged",
        "status",
        "parse:NotSign1Tagged",
        "the valid COSE_Sign1 array without its tag 18",
        encode(&array),
    );
    c.add(
        "status_mac0",
        "status",
        "parse:MacNotAccepted",
        "the valid COSE_Sign1 array tagged 17 (COSE_Mac0) instead of 18",
        encode(&Value::Tag(17, Box::new(array.clone()))),
    );
    let with_signature = |sig: Vec<u8>| {
        let mut a = array.clone();
        *at_path(&mut a, &[N(3)]) = Value::Bytes(sig);
        encode(&Value::Tag(18, Box::new(a)))
    };
    c.add(
        "status_signature_zero",
        "status",
        "chain:SignatureInvalid",
        "unsigned: the valid token with its signature replaced by 64 zero bytes",
        with_signature(vec![0; 64]),
    );
    c.add(
        "status_signature_empty",
        "status",
        "chain:SignatureInvalid",
        "unsigned: the valid token with an empty signature byte string",
        with_signature(vec![]),
    );
    c.add(
        "status_signed_by_document_signer",
        "status",
        "chain:SignedByDocumentSigner",
        "signed with the document signer's key, its certificate as x5chain",
        status_token(
            &pki.document_signer_key,
            vec![typ(TYP_STATUS_LIST), x5chain(&pki.document_signer)],
            vec![],
            &claims(valid_list.clone()),
        )
        .0,
    );
    c.add(
        "status_other_ca",
        "status",
        "chain:Chain(UntrustedRoot)",
        "signed by the status signer of another IACA (another name)",
        status_token(
            &other.status_signer_key,
            vec![typ(TYP_STATUS_LIST), x5chain(&other.status_signer)],
            vec![],
            &claims(valid_list.clone()),
        )
        .0,
    );
    c.add(
        "status_other_ca_same_name",
        "status",
        "chain:Chain(SignatureInvalid { position: 0 })",
        "signed by the status signer of an impostor IACA with the real IACA's name",
        status_token(
            &impostor.status_signer_key,
            vec![typ(TYP_STATUS_LIST), x5chain(&impostor.status_signer)],
            vec![],
            &claims(valid_list.clone()),
        )
        .0,
    );
    c.add(
        "status_x5chain_unprotected",
        "status",
        "chain:X5ChainUnprotected",
        "x5chain only in the unprotected header, validly signed",
        status_token(
            &pki.status_signer_key,
            vec![typ(TYP_STATUS_LIST)],
            vec![x5chain(&pki.status_signer)],
            &claims(valid_list.clone()),
        )
        .0,
    );
    c.add(
        "status_x5chain_missing",
        "status",
        "chain:X5ChainMissing",
        "no x5chain at all (a token for a pinned key), validly signed",
        status_token(
            &pki.status_signer_key,
            vec![typ(TYP_STATUS_LIST)],
            vec![],
            &claims(valid_list.clone()),
        )
        .0,
    );
    let token =
        |claims: Value| status_token(&pki.status_signer_key, standard.clone(), vec![], &claims).0;
    c.add(
        "status_sub_mismatch",
        "status",
        "claims:SubjectMismatch",
        "sub is another list's uri (.../corpus/2), validly signed",
        token(status_claims(
            "https://status.example.cn/corpus/2",
            iat,
            exp,
            Some(43_200),
            valid_list.clone(),
        )),
    );
    c.add(
        "status_expired",
        "status",
        "claims:Expired { exp: UnixTime(1780271999) }",
        "exp one second before the verification time, validly signed",
        token(status_claims(
            STATUS_URI,
            at.add_secs(-DAY),
            Some(at.add_secs(-1)),
            Some(43_200),
            valid_list.clone(),
        )),
    );
    c.add(
        "status_exp_missing",
        "status",
        "claims:ExpMissing",
        "no exp (ISO/IEC 18013-5 makes it mandatory for MSO lists), validly signed",
        token(status_claims(
            STATUS_URI,
            iat,
            None,
            Some(43_200),
            valid_list.clone(),
        )),
    );
    c.add(
        "status_issued_in_future",
        "status",
        "claims:IssuedInFuture { iat: UnixTime(1780272060) }",
        "iat one minute after the verification time, validly signed",
        token(status_claims(
            STATUS_URI,
            at.add_secs(60),
            exp,
            Some(43_200),
            valid_list.clone(),
        )),
    );
    c.add(
        "status_ttl_zero",
        "status",
        "parse:TtlNotPositive",
        "ttl 0 (it must be positive), validly signed",
        token(status_claims(
            STATUS_URI,
            iat,
            exp,
            Some(0),
            valid_list.clone(),
        )),
    );
    c.add(
        "status_index_out_of_range",
        "status",
        "get:IndexOutOfRange { index: 1000, size: 8 }",
        "a list of one byte (8 entries): the credential's index 1000 is outside it, validly signed",
        token(claims(
            StatusList::new(Bits::One, 8).expect("list").to_value(),
        )),
    );
}

/// Rewrites only the status-list entries of the corpus in `dir` (their files, their lines of
/// `MANIFEST.tsv`, their fixtures and their seeds), leaving every other entry as it is.
pub fn regenerate_status(dir: &Path) {
    let mut c = Corpus {
        entries: Vec::new(),
    };
    status_entries(&mut c, &dir.join("fixtures"), at());
    for f in std::fs::read_dir(dir).expect("corpus dir").flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        if name.starts_with("status_") && name.ends_with(".bin") {
            std::fs::remove_file(f.path()).expect("remove old entry");
        }
    }
    let old = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("manifest");
    let mut manifest: String = old
        .lines()
        .filter(|l| l.split('\t').nth(1) != Some("status"))
        .map(|l| format!("{l}\n"))
        .collect();
    for (name, entry, expected, how, bytes) in &c.entries {
        std::fs::write(dir.join(format!("{name}.bin")), bytes).expect("write entry");
        manifest.push_str(&format!("{name}\t{entry}\t{expected}\t{how}\n"));
    }
    std::fs::write(dir.join("MANIFEST.tsv"), manifest).expect("write manifest");
    let seeds = dir.join("../../fuzz/seeds/status_list");
    std::fs::create_dir_all(&seeds).expect("seed dir");
    for f in std::fs::read_dir(&seeds).expect("seed dir").flatten() {
        if f.file_name().to_string_lossy().starts_with("corpus_") {
            std::fs::remove_file(f.path()).expect("remove old seed");
        }
    }
    for (name, _, _, _, bytes) in &c.entries {
        write_status_seed(&seeds, name, bytes);
    }
}

/// A token seed for the `status_list` fuzz target: its mode byte 0, then the token.
fn write_status_seed(seeds: &Path, name: &str, token: &[u8]) {
    std::fs::write(
        seeds.join(format!("corpus_{name}.bin")),
        [&[0u8][..], token].concat(),
    )
    .expect("write seed");
}
