//! Every limit in `LIMITS.md`, each at the limit (not rejected by it) and one past it (rejected,
//! with the limit's own error), through the public entry point that enforces it.

mod common;

use std::sync::Arc;
use zhengzhao::verifier::VerifyOptions;

use common::fixture::{self, MDL, NS};
use common::{cbor_error, chain_error};
use zhengzhao::cbor::{decode, encode, CborError, Embedded, Limits, Value};
use zhengzhao::cose::{CoseError, CoseKey, LABEL_X5CHAIN, MAX_X5CHAIN};
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{HolderError, ParsedRequest, RequestOptions};
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, ModelError, MAX_DOCUMENTS};
use zhengzhao::profiles::{PurposeError, PurposeOfUse, MAX_PURPOSE_CHARS};
use zhengzhao::session::{DeviceEngagement, EngagementError, HolderSession, SessionError};
use zhengzhao::structure::StructureError;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::trust::{validate_chain, ChainUsage, TrustError, MAX_CHAIN_LEN};
use zhengzhao::verifier::{Check, VerifyError};
use zhengzhao::wallet::{
    Collection, CredentialStore, FileStore, RecordId, SoftwareSecureArea, StoreError, Wallet,
    WalletError, MAX_BATCH, MAX_ID_LEN, MAX_RECORD_LEN,
};

const MAX_INPUT: usize = 4 * 1024 * 1024;
const MAX_DEPTH: usize = 32;
const MAX_COLLECTION: usize = 65_536;
const MAX_ITEMS: usize = 1_000_000;

/// The documented defaults are the ones in force.
#[test]
fn default_limits_are_the_documented_ones() {
    let l = Limits::default();
    assert_eq!(
        (l.max_input, l.max_depth, l.max_collection, l.max_items),
        (MAX_INPUT, MAX_DEPTH, MAX_COLLECTION, MAX_ITEMS)
    );
    assert_eq!(MAX_DOCUMENTS, 16);
    assert_eq!(MAX_X5CHAIN, 8);
    assert_eq!(MAX_CHAIN_LEN, 5);
    assert_eq!(zhengzhao::session::MAX_ENGAGEMENT_LEN, 4096);
    assert_eq!(MAX_RECORD_LEN, 64 * 1024 * 1024);
}

/// A byte string whose whole encoding is exactly `len` bytes (len ≥ 9).
fn bstr_of_len(len: usize) -> Vec<u8> {
    let content = len - 9;
    let mut b = vec![0x5b];
    b.extend((content as u64).to_be_bytes());
    b.extend(std::iter::repeat_n(0u8, content));
    b
}

fn is_cbor(e: &VerifyError, want: fn(&CborError) -> bool) -> bool {
    cbor_error(e).is_some_and(want)
}

#[test]
fn cbor_input_size() {
    assert!(decode(&bstr_of_len(MAX_INPUT)).is_ok());
    assert_eq!(
        decode(&bstr_of_len(MAX_INPUT + 1)),
        Err(CborError::TooLarge {
            len: MAX_INPUT + 1,
            limit: MAX_INPUT
        })
    );
    // Through the verifier: at the limit the response is refused for its structure, past it for
    // its size.
    let f = fixture::fixture();
    let v = zhengzhao::verifier::Verifier::new(f.trust.clone());
    let at_limit = v
        .verify(
            &bstr_of_len(MAX_INPUT),
            &VerifyOptions::new(&f.transcript, f.now),
        )
        .unwrap_err();
    assert!(matches!(
        at_limit,
        VerifyError::Malformed(ModelError::Structure(StructureError::WrongType { .. }))
    ));
    let past = v
        .verify(
            &bstr_of_len(MAX_INPUT + 1),
            &VerifyOptions::new(&f.transcript, f.now),
        )
        .unwrap_err();
    assert!(is_cbor(&past, |c| matches!(c, CborError::TooLarge { .. })));
}

fn nested_arrays(depth: usize) -> Vec<u8> {
    [vec![0x81; depth], vec![0x00]].concat()
}

#[test]
fn cbor_depth() {
    assert!(decode(&nested_arrays(MAX_DEPTH)).is_ok());
    assert_eq!(
        decode(&nested_arrays(MAX_DEPTH + 1)),
        Err(CborError::TooDeep { limit: MAX_DEPTH })
    );
    // Tags count as levels too.
    let tags = |n: usize| [[0xc1u8].repeat(n), vec![0x00]].concat();
    assert!(decode(&tags(MAX_DEPTH)).is_ok());
    assert_eq!(
        decode(&tags(MAX_DEPTH + 1)),
        Err(CborError::TooDeep { limit: MAX_DEPTH })
    );
}

/// An array head for `n` entries followed by `n` zeros.
fn array_of_zeros(n: usize) -> Vec<u8> {
    let mut b = vec![0x9a];
    b.extend((n as u32).to_be_bytes());
    b.extend(std::iter::repeat_n(0u8, n));
    b
}

#[test]
fn cbor_collection_length() {
    assert!(decode(&array_of_zeros(MAX_COLLECTION)).is_ok());
    assert_eq!(
        decode(&array_of_zeros(MAX_COLLECTION + 1)),
        Err(CborError::TooManyItems {
            limit: MAX_COLLECTION
        })
    );
}

/// An array of arrays holding `total` data items in all (the outer and inner arrays count).
fn items_total(total: usize) -> Vec<u8> {
    let inner = 16;
    let mut zeros = total - 1 - inner;
    let mut b = vec![0x90]; // array of 16
    for i in 0..inner {
        let n = if i == inner - 1 {
            zeros
        } else {
            zeros.min(MAX_COLLECTION)
        };
        zeros -= n;
        b.extend(array_of_zeros(n));
    }
    b
}

#[test]
fn cbor_total_items() {
    assert!(decode(&items_total(MAX_ITEMS)).is_ok());
    assert_eq!(
        decode(&items_total(MAX_ITEMS + 1)),
        Err(CborError::TooManyItems { limit: MAX_ITEMS })
    );
}

/// A valid response, decoded, with `f` applied, verified.
fn verify_edited(f: impl FnOnce(&mut Value, &fixture::Fixture)) -> Result<usize, VerifyError> {
    let fx = fixture::fixture();
    let bytes = fixture::present(&fx, &fx.credential, &["family_name", "age_over_18"]);
    let mut v = decode(&bytes).unwrap();
    f(&mut v, &fx);
    zhengzhao::verifier::Verifier::new(fx.trust.clone())
        .verify(&encode(&v), &VerifyOptions::new(&fx.transcript, fx.now))
        .map(|r| r.documents.len())
}

fn entry<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    match v {
        Value::Map(m) => m
            .iter_mut()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
            .unwrap(),
        _ => panic!("not a map"),
    }
}

fn first_doc(v: &mut Value) -> &mut Value {
    match entry(v, "documents") {
        Value::Array(a) => &mut a[0],
        _ => panic!("not an array"),
    }
}

#[test]
fn documents_per_response() {
    let with = |n: usize| {
        verify_edited(|v, _| {
            let d = first_doc(v).clone();
            *entry(v, "documents") = Value::Array(vec![d; n]);
        })
    };
    assert_eq!(with(MAX_DOCUMENTS).unwrap(), MAX_DOCUMENTS);
    assert!(matches!(
        with(MAX_DOCUMENTS + 1),
        Err(VerifyError::Malformed(ModelError::TooManyDocuments))
    ));
}

#[test]
fn documents_per_request() {
    let f = fixture::fixture();
    let with = |n: usize| {
        let docs = (0..n)
            .map(|_| DocRequest::new(ItemsRequest::new(MDL).with_element(NS, "age_over_18", false)))
            .collect();
        ParsedRequest::parse(
            &DeviceRequest::new(docs).to_bytes(),
            &f.transcript,
            &RequestOptions::new(f.now),
        )
    };
    assert_eq!(
        with(MAX_DOCUMENTS).unwrap().documents().len(),
        MAX_DOCUMENTS
    );
    assert!(matches!(
        with(MAX_DOCUMENTS + 1),
        Err(HolderError::Malformed(ModelError::TooManyDocuments))
    ));
}

/// Elements per namespace and namespaces per document are bounded by the collection limit:
/// at the limit the structure is refused for its content, past it for its length.
#[test]
fn elements_per_namespace() {
    let with = |n: usize| {
        verify_edited(|v, _| {
            let ns = entry(entry(first_doc(v), "issuerSigned"), "nameSpaces");
            *entry(ns, NS) = Value::Array(vec![Value::Integer(0); n]);
        })
        .unwrap_err()
    };
    assert!(matches!(
        with(MAX_COLLECTION),
        VerifyError::Malformed(ModelError::Structure(StructureError::WrongType { .. }))
    ));
    assert!(is_cbor(&with(MAX_COLLECTION + 1), |c| matches!(
        c,
        CborError::TooManyItems { .. }
    )));
}

#[test]
fn namespaces_per_document() {
    let with = |n: usize| {
        verify_edited(|v, _| {
            let ns = entry(entry(first_doc(v), "issuerSigned"), "nameSpaces");
            *ns = Value::Map(
                (0..n)
                    .map(|i| (Value::text(format!("n{i}")), Value::Array(vec![])))
                    .collect(),
            );
        })
        .unwrap_err()
    };
    assert!(matches!(
        with(MAX_COLLECTION),
        VerifyError::Malformed(ModelError::Structure(StructureError::Empty { .. }))
    ));
    assert!(is_cbor(&with(MAX_COLLECTION + 1), |c| matches!(
        c,
        CborError::TooManyItems { .. }
    )));
}

#[test]
fn certificates_in_x5chain() {
    let with = |n: usize| {
        verify_edited(|v, fx| {
            let ds = fx_ds_der(fx);
            let ia = entry(entry(first_doc(v), "issuerSigned"), "issuerAuth");
            if let Value::Array(parts) = ia {
                parts[1] = Value::Map(vec![(
                    Value::Integer(LABEL_X5CHAIN),
                    Value::Array(vec![Value::Bytes(ds); n]),
                )]);
            }
        })
        .unwrap_err()
    };
    let at_limit = with(MAX_X5CHAIN);
    assert_eq!(at_limit.check(), Check::IssuerChain);
    assert!(matches!(
        chain_error(&at_limit),
        Some(TrustError::ChainTooLong)
    ));
    assert!(matches!(
        with(MAX_X5CHAIN + 1),
        VerifyError::X5Chain {
            source: CoseError::Structure(StructureError::InvalidValue { .. }),
            ..
        }
    ));
}

/// The document signer's certificate of the fixture's issuer (from a presented document).
fn fx_ds_der(fx: &fixture::Fixture) -> Vec<u8> {
    fx.credential.issuer_signed.issuer_auth.x5chain().unwrap()[0].clone()
}

#[test]
fn certificates_in_a_validated_chain() {
    let now = zhengzhao::time::UnixTime::now();
    let a = TestPki::generate(now).unwrap();
    let b = TestPki::generate(now).unwrap();
    let pool = [
        a.document_signer.clone(),
        a.iaca.clone(),
        a.reader.clone(),
        a.reader_ca.clone(),
        b.document_signer.clone(),
        b.iaca.clone(),
    ];
    let store = a.issuer_trust_store();
    let at_limit = validate_chain(
        &pool[..MAX_CHAIN_LEN],
        &store,
        ChainUsage::DocumentSigner,
        now,
    )
    .unwrap_err();
    assert_ne!(at_limit, TrustError::ChainTooLong);
    assert_eq!(
        validate_chain(
            &pool[..MAX_CHAIN_LEN + 1],
            &store,
            ChainUsage::DocumentSigner,
            now
        )
        .unwrap_err(),
        TrustError::ChainTooLong
    );
}

#[test]
fn device_engagement_size() {
    let limit = zhengzhao::session::MAX_ENGAGEMENT_LEN;
    let at_limit = DeviceEngagement::parse(&bstr_of_len(limit)).unwrap_err();
    assert!(matches!(at_limit, EngagementError::Malformed(_)));
    assert!(matches!(
        DeviceEngagement::parse(&bstr_of_len(limit + 1)),
        Err(EngagementError::TooLarge { len, limit: l }) if len == limit + 1 && l == limit
    ));
    // The QR code: 5 462 base64url characters carry 4 096 bytes, 5 463 carry 4 097.
    let qr = |chars: usize| format!("mdoc:{}", "A".repeat(chars));
    assert!(matches!(
        DeviceEngagement::from_qr(&qr(5462)),
        Err(EngagementError::Malformed(_))
    ));
    assert!(matches!(
        DeviceEngagement::from_qr(&qr(5463)),
        Err(EngagementError::TooLarge { len, .. }) if len == limit + 1
    ));
}

/// A SessionEstablishment carrying a DeviceRequest within the default limits may be up to
/// 1 024 bytes larger than the request limit (key, wrapping, tag).
#[test]
fn session_message_size() {
    let limit = MAX_INPUT + 1024;
    let reader_key = SoftwareKey::generate().unwrap();
    let key = Value::Embedded(Embedded::wrap_value(
        &CoseKey::new(reader_key.public()).to_value(),
    ));
    let message = |len: usize| {
        let probe = encode(&Value::Map(vec![
            (Value::text("eReaderKey"), key.clone()),
            (Value::text("data"), Value::Bytes(vec![0; 70_000])),
        ]));
        let data = 70_000 + len - probe.len();
        let m = encode(&Value::Map(vec![
            (Value::text("eReaderKey"), key.clone()),
            (Value::text("data"), Value::Bytes(vec![0; data])),
        ]));
        assert_eq!(m.len(), len);
        m
    };
    let f = fixture::fixture();
    let options = RequestOptions::new(f.now);
    let holder = || HolderSession::engage(Vec::new()).unwrap();
    assert!(matches!(
        holder().handle_establishment(&message(limit), &options),
        Err(SessionError::Decryption)
    ));
    assert!(matches!(
        holder().handle_establishment(&message(limit + 1), &options),
        Err(SessionError::Malformed(StructureError::Cbor {
            source: CborError::TooLarge { .. },
            ..
        }))
    ));
}

fn temp_store(name: &str) -> (std::path::PathBuf, FileStore) {
    let dir = std::env::temp_dir().join(format!("zhengzhao-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FileStore::open(&dir).unwrap();
    (dir, store)
}

#[test]
fn wallet_record_size() {
    let (dir, store) = temp_store("record");
    let id = RecordId::new("big").unwrap();
    let record = vec![7u8; MAX_RECORD_LEN];
    store.put(Collection::Credentials, &id, &record).unwrap();
    assert_eq!(
        store
            .get(Collection::Credentials, &id)
            .unwrap()
            .map(|r| r.len()),
        Some(MAX_RECORD_LEN)
    );
    let past = vec![7u8; MAX_RECORD_LEN + 1];
    assert!(matches!(
        store.put(Collection::Credentials, &id, &past),
        Err(StoreError::TooLarge { len, limit }) if len == MAX_RECORD_LEN + 1 && limit == MAX_RECORD_LEN
    ));
    // A record file grown past the longest valid one is damaged, and not read whole.
    let file = dir.join("credentials").join("big.rec");
    let valid_len = std::fs::metadata(&file).unwrap().len();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap()
        .set_len(valid_len + 64)
        .unwrap();
    assert!(matches!(
        store.get(Collection::Credentials, &id),
        Err(StoreError::Corrupted { .. })
    ));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn record_identifier_length() {
    assert!(RecordId::new("a".repeat(MAX_ID_LEN)).is_ok());
    assert!(matches!(
        RecordId::new("a".repeat(MAX_ID_LEN + 1)),
        Err(StoreError::InvalidId)
    ));
}

#[test]
fn batch_size() {
    let wallet = Wallet::new(
        Arc::new(zhengzhao::wallet::MemoryStore::new()),
        Arc::new(SoftwareSecureArea::in_memory()),
    );
    assert_eq!(
        wallet.prepare(MAX_BATCH).unwrap().device_keys().len(),
        MAX_BATCH
    );
    assert!(matches!(
        wallet.prepare(MAX_BATCH + 1),
        Err(WalletError::BatchSize)
    ));
}

#[test]
fn purpose_of_use_length() {
    assert!(PurposeOfUse::new("用".repeat(MAX_PURPOSE_CHARS)).is_ok());
    assert_eq!(
        PurposeOfUse::new("用".repeat(MAX_PURPOSE_CHARS + 1)),
        Err(PurposeError::TooLong {
            chars: MAX_PURPOSE_CHARS + 1
        })
    );
}

/// The signed trust list is read with the default CBOR limits.
#[test]
fn trust_list_size() {
    use zhengzhao::profiles::{TrustList, TrustListError};
    let now = zhengzhao::time::UnixTime::now();
    let at_limit = TrustList::from_signed(&bstr_of_len(MAX_INPUT), &[], now, 0).unwrap_err();
    assert!(!matches!(
        at_limit,
        TrustListError::Malformed(StructureError::Cbor { .. })
    ));
    assert!(matches!(
        TrustList::from_signed(&bstr_of_len(MAX_INPUT + 1), &[], now, 0),
        Err(TrustListError::Malformed(StructureError::Cbor {
            source: CborError::TooLarge { .. },
            ..
        }))
    ));
}

/// A Status List Token is read only up to `StatusLimits::max_token_bytes` (1 MiB): the length
/// is checked before a byte is decoded.
#[test]
fn status_token_size() {
    use zhengzhao::status::{StatusError, StatusLimits, StatusListToken};
    let limits = StatusLimits::default();
    assert_eq!(limits.max_token_bytes, 1024 * 1024);
    // At the limit: one byte string of exactly 1 MiB is decoded (and is not a COSE_Sign1).
    assert_eq!(
        StatusListToken::parse(&bstr_of_len(limits.max_token_bytes), &limits).unwrap_err(),
        StatusError::NotSign1Tagged
    );
    assert_eq!(
        StatusListToken::parse(&bstr_of_len(limits.max_token_bytes + 1), &limits).unwrap_err(),
        StatusError::TokenTooLarge {
            max: limits.max_token_bytes
        }
    );
}

/// A status list inflates to at most `StatusLimits::max_list_bytes` (4 MiB); the bound holds
/// while inflating, so a bomb stops there.
#[test]
fn status_list_size() {
    use zhengzhao::status::{deflate, StatusError, StatusLimits, StatusList};
    let limits = StatusLimits::default();
    let max = limits.max_list_bytes;
    assert_eq!(max, 4 * 1024 * 1024);
    let list = |len: usize| {
        Value::Map(vec![
            (Value::text("bits"), Value::Integer(1)),
            (Value::text("lst"), Value::Bytes(deflate(&vec![0u8; len]))),
        ])
    };
    let at_limit = StatusList::from_value(&list(max), &limits).unwrap();
    assert_eq!(at_limit.as_bytes().len(), max);
    assert_eq!(
        StatusList::from_value(&list(max + 1), &limits),
        Err(StatusError::ListTooLarge { max })
    );
}
