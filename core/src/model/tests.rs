//! Round-trip property tests for the wire types: what we encode, we parse back to the same
//! value, and re-encoding what we parsed gives the same bytes.

use proptest::prelude::*;

use super::*;
use crate::cbor::{decode, encode, Limits, Value};
use crate::cose::{CoseKey, CoseMac0, CoseSign1};
use crate::crypto::SoftwareKey;
use crate::time::UnixTime;

fn ident() -> impl Strategy<Value = String> {
    "[a-z_]{1,12}"
}

fn element_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Value::int),
        any::<String>().prop_map(Value::Text),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Value::Bytes),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        (1900u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| {
            crate::cbor::FullDate::new(y, m, d)
                .map(|f| f.to_value())
                .unwrap_or(Value::Null)
        }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(ident(), inner, 0..4).prop_map(|m| Value::Map(
                m.into_iter().map(|(k, v)| (Value::Text(k), v)).collect()
            )),
        ]
    })
}

fn item() -> impl Strategy<Value = IssuerSignedItem> {
    (
        any::<u32>(),
        proptest::collection::vec(any::<u8>(), 16..33),
        ident(),
        element_value(),
    )
        .prop_map(
            |(id, random, element_identifier, element_value)| IssuerSignedItem {
                digest_id: u64::from(id),
                random,
                element_identifier,
                element_value,
            },
        )
}

fn time() -> impl Strategy<Value = UnixTime> {
    (0i64..4_000_000_000).prop_map(UnixTime::from_secs)
}

fn mso() -> impl Strategy<Value = MobileSecurityObject> {
    (
        proptest::collection::btree_map(
            ident(),
            proptest::collection::btree_map(
                any::<u32>().prop_map(u64::from),
                proptest::collection::vec(any::<u8>(), 32),
                1..5,
            ),
            1..3,
        ),
        ident(),
        time(),
        0i64..100_000_000,
        proptest::option::of(time()),
    )
        .prop_map(|(value_digests, doc_type, from, len, expected_update)| {
            MobileSecurityObject {
                version: "1.0".into(),
                digest_algorithm: DigestAlgorithm::Sha256,
                value_digests,
                device_key: CoseKey::new(SoftwareKey::from_bytes(&[7u8; 32]).unwrap().public()),
                key_authorizations: None,
                doc_type,
                validity: ValidityInfo {
                    signed: from,
                    valid_from: from,
                    valid_until: from.add_secs(len),
                    expected_update,
                },
                status: None,
                unknown_keys: Vec::new(),
            }
        })
}

fn sign1(payload: Option<Vec<u8>>, sig: Vec<u8>) -> CoseSign1 {
    let v = Value::Array(vec![
        Value::Bytes(vec![0xa1, 0x01, 0x26]),
        Value::Map(vec![(Value::int(33), Value::Bytes(vec![0x30, 0x00]))]),
        payload.map_or(Value::Null, Value::Bytes),
        Value::Bytes(sig),
    ]);
    CoseSign1::from_value(&v, &Limits::default()).unwrap()
}

proptest! {
    #[test]
    fn issuer_signed_item(i in item()) {
        let signed = SignedItem::new(i.clone());
        let back = SignedItem::from_value(&decode(&encode(&signed.to_value())).unwrap(), &Limits::default()).unwrap();
        prop_assert_eq!(back.item(), &i);
        prop_assert_eq!(back.tagged_bytes(), signed.tagged_bytes());
    }

    #[test]
    fn mobile_security_object(m in mso()) {
        let bytes = encode(&m.to_value());
        let back = MobileSecurityObject::from_value(&decode(&bytes).unwrap(), &Limits::default()).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(encode(&back.to_value()), bytes);
    }

    #[test]
    fn device_request(reqs in proptest::collection::vec(
        (ident(), proptest::collection::vec((ident(), ident(), any::<bool>()), 1..6)), 1..4)
    ) {
        let docs = reqs.into_iter().map(|(dt, els)| {
            let mut ir = ItemsRequest::new(dt);
            for (ns, e, r) in els { ir = ir.with_element(ns, e, r); }
            DocRequest::new(ir)
        }).collect();
        let req = DeviceRequest::new(docs);
        let bytes = req.to_bytes();
        let back = DeviceRequest::parse(&bytes, &Limits::default()).unwrap();
        prop_assert_eq!(&back, &req);
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn device_response(
        items in proptest::collection::vec(item(), 1..5),
        doc_type in ident(),
        sig in proptest::collection::vec(any::<u8>(), 64),
        mac in any::<bool>(),
        status in 0u64..30,
        errors in proptest::collection::vec((ident(), -5i64..50), 0..3),
    ) {
        let issuer_signed = IssuerSigned {
            namespaces: vec![("ns".into(), items.into_iter().map(SignedItem::new).collect())],
            issuer_auth: sign1(Some(vec![0xd8, 0x18, 0x41, 0xa0]), sig.clone()),
        };
        let device_auth = if mac {
            DeviceAuth::Mac(CoseMac0::create_detached(&[1u8; 32], b"payload"))
        } else {
            DeviceAuth::Signature(sign1(None, sig))
        };
        let resp = DeviceResponse {
            version: "1.0".into(),
            documents: vec![Document { doc_type, issuer_signed, device_signed: DeviceSigned::new(device_auth) }],
            document_errors: errors,
            status,
        };
        let bytes = resp.to_bytes();
        let back = DeviceResponse::parse(&bytes, &Limits::default()).unwrap();
        prop_assert_eq!(&back, &resp);
        prop_assert_eq!(back.to_bytes(), bytes);
    }
}
