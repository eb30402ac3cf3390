//! Negative tests: each broken response fails with its specific error and check.

mod common;

use common::fixture::{fixture, fixture_from, present, Fixture, MDL, NS};
use common::{cbor_error, chain_error, cose_error};
use zhengzhao::cbor::{decode, encode, CborError, Limits, Value};
use zhengzhao::cose::{CoseError, CoseSign1};
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::model::{
    DeviceAuth, DeviceResponse, DeviceSigned, IssuerSignedItem, ModelError, SignedItem,
};
use zhengzhao::structure::StructureError;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::{TestPki, TestPkiOptions};
use zhengzhao::trust::TrustError;
use zhengzhao::verifier::VerifyOptions;
use zhengzhao::verifier::{Check, Verifier, VerifyError};

fn verify(f: &Fixture, bytes: &[u8]) -> Result<zhengzhao::verifier::VerifiedResponse, VerifyError> {
    Verifier::new(f.trust.clone()).verify(bytes, &VerifyOptions::new(&f.transcript, f.now))
}

fn good(f: &Fixture) -> Vec<u8> {
    present(
        f,
        &f.credential,
        &["family_name", "given_name", "age_over_18"],
    )
}

/// Parses, edits and re-encodes a response at the model level.
fn edit(bytes: &[u8], change: impl FnOnce(&mut DeviceResponse)) -> Vec<u8> {
    let mut r = DeviceResponse::parse(bytes, &Limits::default()).unwrap();
    change(&mut r);
    r.to_bytes()
}

/// Edits the decoded CBOR value of the response.
fn edit_value(bytes: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = decode(bytes).unwrap();
    change(&mut v);
    encode(&v)
}

fn map_mut(v: &mut Value) -> &mut Vec<(Value, Value)> {
    match v {
        Value::Map(m) => m,
        other => panic!("not a map: {other:?}"),
    }
}

fn get_mut<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    &mut map_mut(v)
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some(key))
        .unwrap()
        .1
}

fn first_doc(v: &mut Value) -> &mut Value {
    match get_mut(v, "documents") {
        Value::Array(a) => &mut a[0],
        _ => unreachable!(),
    }
}

fn credential_with(f: &Fixture, from: i64, until: i64) -> zhengzhao::model::Credential {
    f.issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("李"))
        .device_key(f.device_key.public())
        .validity(
            f.now.add_secs(from.min(0)),
            f.now.add_secs(from),
            f.now.add_secs(until),
        )
        .sign()
        .unwrap()
}

#[test]
fn the_good_response_verifies() {
    let f = fixture();
    assert_eq!(
        verify(&f, &good(&f)).unwrap().documents[0].issuer_signed[NS].len(),
        3
    );
}

#[test]
fn expired_mso() {
    let f = fixture();
    let c = credential_with(&f, -7200, -3600);
    let err = verify(&f, &present(&f, &c, &["family_name"])).unwrap_err();
    assert!(matches!(err, VerifyError::MsoExpired { .. }), "{err:?}");
    assert_eq!(err.check(), Check::Validity);
}

#[test]
fn not_yet_valid_mso() {
    let f = fixture();
    let c = credential_with(&f, 3600, 7200);
    let err = verify(&f, &present(&f, &c, &["family_name"])).unwrap_err();
    assert!(matches!(err, VerifyError::MsoNotYetValid { .. }), "{err:?}");
}

#[test]
fn expired_document_signer_certificate() {
    let now = UnixTime::now();
    let mut opts = TestPkiOptions::new(now);
    opts.ds_not_before = now.add_secs(-86_400 * 30);
    opts.ds_not_after = now.add_secs(-86_400);
    let f = fixture_from(TestPki::generate_with(&opts).unwrap());
    let err = verify(&f, &good(&f)).unwrap_err();
    assert!(
        matches!(chain_error(&err), Some(TrustError::Expired { position: 0 })),
        "{err:?}"
    );
}

#[test]
fn untrusted_issuer() {
    let f = fixture();
    // Another authority with another name: no anchor is even named as the issuer.
    let mut opts = TestPkiOptions::new(f.now);
    opts.iaca_name = "C=CN, O=Elsewhere, CN=Another Issuing Authority".into();
    let stranger = TestPki::generate_with(&opts).unwrap().issuer_trust_store();
    let err = Verifier::new(stranger)
        .verify(&good(&f), &VerifyOptions::new(&f.transcript, f.now))
        .unwrap_err();
    assert!(
        matches!(chain_error(&err), Some(TrustError::UntrustedRoot)),
        "{err:?}"
    );
}

#[test]
fn impostor_issuer_with_the_same_name() {
    // Same CA name, different key: the anchor is found by name and its signature fails.
    let f = fixture();
    let impostor = fixture();
    let err = Verifier::new(impostor.trust.clone())
        .verify(&good(&f), &VerifyOptions::new(&f.transcript, f.now))
        .unwrap_err();
    assert!(
        matches!(
            chain_error(&err),
            Some(TrustError::SignatureInvalid { position: 0 })
        ),
        "{err:?}"
    );
}

#[test]
fn doc_type_mismatch() {
    let f = fixture();
    let bad = edit(&good(&f), |r| {
        r.documents[0].doc_type = "org.iso.18013.5.1.other".into()
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(err, VerifyError::DocTypeMismatch { document: 0 }),
        "{err:?}"
    );
}

#[test]
fn digest_mismatch() {
    let f = fixture();
    let bad = edit(&good(&f), |r| {
        let items = &mut r.documents[0].issuer_signed.namespaces[0].1;
        let mut item: IssuerSignedItem = items[0].item().clone();
        item.element_value = Value::text("forged");
        items[0] = SignedItem::new(item);
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(matches!(err, VerifyError::DigestMismatch { .. }), "{err:?}");
    assert_eq!(err.check(), Check::Digests);
}

#[test]
fn duplicate_digest_id() {
    let f = fixture();
    let bad = edit(&good(&f), |r| {
        let items = &mut r.documents[0].issuer_signed.namespaces[0].1;
        let dup = items[0].clone();
        items.push(dup);
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(err, VerifyError::DuplicateElement { .. }),
        "{err:?}"
    );
}

#[test]
fn element_missing_from_mso() {
    let f = fixture();
    let bad = edit(&good(&f), |r| {
        let items = &mut r.documents[0].issuer_signed.namespaces[0].1;
        let mut item = items[0].item().clone();
        item.digest_id = 0x7fff_ffff_ffff;
        items[0] = SignedItem::new(item);
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(err, VerifyError::ElementNotInMso { .. }),
        "{err:?}"
    );
}

#[test]
fn wrong_device_key() {
    let f = fixture();
    let other = SoftwareKey::generate().unwrap();
    let bad = edit(&good(&f), |r| {
        let doc = &mut r.documents[0];
        let dab = f
            .transcript
            .device_authentication_bytes(&doc.doc_type, &DeviceSigned::empty_namespaces_bytes());
        let sig = CoseSign1::sign(&other, vec![], &dab, false).unwrap();
        doc.device_signed = DeviceSigned::new(DeviceAuth::Signature(sig));
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(err, VerifyError::DeviceSignature { .. }),
        "{err:?}"
    );
    assert_eq!(err.check(), Check::DeviceAuthentication);
}

fn replace_protected(bytes: &[u8], path_issuer: bool, protected: Vec<u8>) -> Vec<u8> {
    edit_value(bytes, |v| {
        let doc = first_doc(v);
        let cose = if path_issuer {
            get_mut(get_mut(doc, "issuerSigned"), "issuerAuth")
        } else {
            get_mut(
                get_mut(get_mut(doc, "deviceSigned"), "deviceAuth"),
                "deviceSignature",
            )
        };
        if let Value::Array(a) = cose {
            a[0] = Value::Bytes(protected);
        }
    })
}

#[test]
fn unknown_algorithm() {
    let f = fixture();
    // {1: -8} (EdDSA) is not on the allow-list.
    let bad = replace_protected(&good(&f), true, vec![0xa1, 0x01, 0x27]);
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(
            cose_error(&err),
            Some(CoseError::UnsupportedAlgorithm(Some(-8)))
        ),
        "{err:?}"
    );
    assert_eq!(err.check(), Check::WellFormed);
}

#[test]
fn mismatched_algorithm() {
    let f = fixture();
    // {1: 5} (HMAC) in a COSE_Sign1.
    let bad = replace_protected(&good(&f), false, vec![0xa1, 0x01, 0x05]);
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(cose_error(&err), Some(CoseError::AlgorithmMismatch)),
        "{err:?}"
    );
}

#[test]
fn missing_algorithm() {
    let f = fixture();
    let bad = replace_protected(&good(&f), true, vec![0xa0]);
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(cose_error(&err), Some(CoseError::AlgorithmMissing)),
        "{err:?}"
    );
}

#[test]
fn missing_device_auth() {
    let f = fixture();
    let bad = edit_value(&good(&f), |v| {
        map_mut(get_mut(first_doc(v), "deviceSigned"))
            .retain(|(k, _)| k.as_text() != Some("deviceAuth"));
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Malformed(ModelError::Structure(StructureError::Missing {
                at: "DeviceSigned.deviceAuth"
            }))
        ),
        "{err:?}"
    );
}

#[test]
fn empty_device_auth() {
    let f = fixture();
    let bad = edit_value(&good(&f), |v| {
        *get_mut(get_mut(first_doc(v), "deviceSigned"), "deviceAuth") = Value::Map(vec![]);
    });
    assert!(matches!(
        verify(&f, &bad).unwrap_err(),
        VerifyError::Malformed(_)
    ));
}

#[test]
fn trailing_bytes() {
    let f = fixture();
    let mut bad = good(&f);
    bad.push(0x00);
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(cbor_error(&err), Some(CborError::TrailingBytes { .. })),
        "{err:?}"
    );
}

#[test]
fn duplicate_map_keys() {
    let f = fixture();
    let bad = edit_value(&good(&f), |v| {
        map_mut(v).push((Value::text("status"), Value::int(0)));
    });
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(cbor_error(&err), Some(CborError::DuplicateKey { .. })),
        "{err:?}"
    );
}

#[test]
fn oversize_input() {
    let f = fixture();
    let bytes = good(&f);
    let mut limits = Limits::default();
    limits.max_input = bytes.len() - 1;
    let err = Verifier::new(f.trust.clone())
        .with_limits(limits)
        .verify(&bytes, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap_err();
    assert!(
        matches!(cbor_error(&err), Some(CborError::TooLarge { .. })),
        "{err:?}"
    );
}

#[test]
fn excessive_nesting() {
    let f = fixture();
    let mut bad = vec![0xa1, 0x61, b'x'];
    bad.extend(std::iter::repeat_n(0x81, 100));
    bad.push(0x00);
    let err = verify(&f, &bad).unwrap_err();
    assert!(
        matches!(cbor_error(&err), Some(CborError::TooDeep { .. })),
        "{err:?}"
    );
}

#[test]
fn error_status_and_empty_response() {
    let f = fixture();
    let bad = edit(&good(&f), |r| r.status = 10);
    assert!(matches!(
        verify(&f, &bad).unwrap_err(),
        VerifyError::Status { status: 10 }
    ));
    let empty = edit(&good(&f), |r| r.documents.clear());
    assert!(matches!(
        verify(&f, &empty).unwrap_err(),
        VerifyError::NoDocuments
    ));
}

#[test]
fn device_signed_elements_need_key_authorization() {
    let f = fixture();
    let bad = edit_value(&good(&f), |v| {
        let inner = Value::Map(vec![(
            Value::text(NS),
            Value::Map(vec![(Value::text("family_name"), Value::text("x"))]),
        )]);
        *get_mut(get_mut(first_doc(v), "deviceSigned"), "nameSpaces") =
            Value::Embedded(zhengzhao::cbor::Embedded::wrap_value(&inner));
    });
    // The device signature no longer covers these bytes, so it fails first: device-signed
    // elements cannot be smuggled in.
    let err = verify(&f, &bad).unwrap_err();
    assert_eq!(err.check(), Check::DeviceAuthentication);
}

#[test]
fn errors_carry_no_personal_data() {
    let f = fixture();
    let bad = edit(&good(&f), |r| {
        let items = &mut r.documents[0].issuer_signed.namespaces[0].1;
        let mut item = items[0].item().clone();
        item.element_value = Value::text("秘密的名字");
        items[0] = SignedItem::new(item);
    });
    let err = verify(&f, &bad).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("秘密的名字") && !shown.contains('张'),
        "{shown}"
    );
    let ok = verify(&f, &good(&f)).unwrap();
    let dbg = format!("{:?}", ok);
    assert!(!dbg.contains('张') && !dbg.contains('三'), "{dbg}");
}

/// A credential from `f`'s issuer with the given `signed`, `validFrom` and `validUntil`
/// (seconds from `f.now`).
fn credential_times(
    f: &Fixture,
    signed: i64,
    from: i64,
    until: i64,
) -> zhengzhao::model::Credential {
    f.issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("李"))
        .device_key(f.device_key.public())
        .validity(
            f.now.add_secs(signed),
            f.now.add_secs(from),
            f.now.add_secs(until),
        )
        .sign()
        .unwrap()
}

/// Verifies `bytes` three ways: with a fresh cache (a miss), again with the same verifier (a
/// hit), and with caching off; all three must give the same outcome, which is returned.
fn verify_every_cache_path(f: &Fixture, bytes: &[u8]) -> VerifyError {
    let cached = Verifier::new(f.trust.clone());
    let miss = cached
        .verify(bytes, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap_err();
    let hit = cached
        .verify(bytes, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap_err();
    assert_eq!(
        cached.chain_cache().stats().hits,
        1,
        "the second run is a hit"
    );
    let uncached = Verifier::new(f.trust.clone())
        .with_chain_cache(0)
        .verify(bytes, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap_err();
    assert_eq!(format!("{miss:?}"), format!("{hit:?}"));
    assert_eq!(format!("{miss:?}"), format!("{uncached:?}"));
    miss
}

#[test]
fn mso_signed_before_the_document_signer_was_valid() {
    // The fixture's document signer is valid from one day before now.
    let f = fixture();
    let c = credential_times(&f, -2 * 86_400, -3600, 3600);
    let err = verify_every_cache_path(&f, &present(&f, &c, &["family_name"]));
    assert!(
        matches!(err, VerifyError::MsoSignedBeforeSigner { signed, not_before, .. }
            if signed == f.now.add_secs(-2 * 86_400) && not_before < f.now),
        "{err:?}"
    );
    assert_eq!(err.check(), Check::Validity);
}

#[test]
fn mso_signed_after_the_document_signer_expired() {
    // A document signer still valid now, whose validity ends before the MSO's `signed`.
    let now = UnixTime::now();
    let mut opts = TestPkiOptions::new(now);
    opts.ds_not_after = now.add_secs(3600);
    let f = fixture_from(TestPki::generate_with(&opts).unwrap());
    let c = credential_times(&f, 7200, -3600, 86_400);
    let err = verify_every_cache_path(&f, &present(&f, &c, &["family_name"]));
    assert!(
        matches!(err, VerifyError::MsoSignedAfterSigner { .. }),
        "{err:?}"
    );
    assert_eq!(err.check(), Check::Validity);
}

#[test]
fn mso_with_valid_until_equal_to_valid_from() {
    // A one-instant window that contains the verification time is still rejected.
    let f = fixture();
    let c = credential_times(&f, -60, 0, 0);
    let err = verify(&f, &present(&f, &c, &["family_name"])).unwrap_err();
    assert!(
        matches!(err, VerifyError::MsoValidityEmpty { .. }),
        "{err:?}"
    );
    assert_eq!(err.check(), Check::Validity);
}

/// A fixture and a copy of its document-signer key, to sign edited MSOs validly.
fn fixture_with_signer() -> (Fixture, SoftwareKey, Vec<u8>) {
    let pki = TestPki::generate(UnixTime::now()).unwrap();
    let key = SoftwareKey::from_bytes(&*pki.document_signer_key.to_bytes()).unwrap();
    let ds_der = pki.document_signer.der().to_vec();
    (fixture_from(pki), key, ds_der)
}

/// `bytes` with its first document's MSO changed by `change` and signed again by `key`.
fn resign_mso(
    bytes: &[u8],
    key: &SoftwareKey,
    ds_der: &[u8],
    change: impl FnOnce(&mut Vec<(Value, Value)>),
) -> Vec<u8> {
    edit(bytes, |r| {
        let auth = &mut r.documents[0].issuer_signed.issuer_auth;
        let payload = auth.payload().unwrap().to_vec();
        let mut mso = zhengzhao::cbor::Embedded::from_tagged_bytes(&payload, &Limits::default())
            .unwrap()
            .decode(&Limits::default())
            .unwrap();
        change(map_mut(&mut mso));
        let payload = zhengzhao::cbor::Embedded::wrap_value(&mso);
        *auth = CoseSign1::sign(
            key,
            vec![(
                Value::Integer(zhengzhao::cose::LABEL_X5CHAIN),
                Value::Bytes(ds_der.to_vec()),
            )],
            payload.tagged_bytes(),
            true,
        )
        .unwrap();
    })
}

#[test]
fn unchecked_lists_the_mso_keys_nothing_checked() {
    let (f, key, ds_der) = fixture_with_signer();
    let plain = verify(&f, &good(&f)).unwrap();
    assert!(plain.documents[0].unchecked().is_empty());

    // A second-edition style MSO: version 1.1 with a status reference and an extra
    // validityInfo key. It verifies, and the caller sees what was not checked.
    let extended = resign_mso(&good(&f), &key, &ds_der, |m| {
        for (k, v) in m.iter_mut() {
            if k.as_text() == Some("version") {
                *v = Value::text("1.1");
            }
            if k.as_text() == Some("validityInfo") {
                map_mut(v).push((Value::text("nextReview"), Value::Integer(1)));
            }
        }
        m.push((
            Value::text("status"),
            Value::Map(vec![(
                Value::text("status_list"),
                Value::Map(vec![
                    (Value::text("idx"), Value::Integer(7)),
                    (Value::text("uri"), Value::text("https://example.com/sl")),
                ]),
            )]),
        ));
    });
    let out = verify(&f, &extended).unwrap();
    assert_eq!(
        out.documents[0].unchecked(),
        ["status".to_owned(), "validityInfo.nextReview".to_owned()]
    );
}

#[test]
fn mso_versions_other_than_1_minor_are_rejected() {
    let (f, key, ds_der) = fixture_with_signer();
    for version in ["1.0.1", "1.", "1.0-draft", "2.0", "10.0"] {
        let bytes = resign_mso(&good(&f), &key, &ds_der, |m| {
            for (k, v) in m.iter_mut() {
                if k.as_text() == Some("version") {
                    *v = Value::text(version);
                }
            }
        });
        let err = verify(&f, &bytes).unwrap_err();
        assert!(
            matches!(
                &err,
                VerifyError::MalformedMso {
                    source: ModelError::Structure(StructureError::InvalidValue {
                        at: "MSO.version"
                    }),
                    ..
                }
            ),
            "{version}: {err:?}"
        );
    }
}

#[test]
fn debug_output_has_no_salts_and_no_element_values() {
    let f = fixture();
    let response = good(&f);
    let parsed = DeviceResponse::parse(&response, &Limits::default()).unwrap();
    let doc = &parsed.documents[0];
    let (_, items) = &doc.issuer_signed.namespaces[0];
    let item = items[0].item();
    let renderings = [
        format!("{item:?}"),
        format!("{:?}", items[0]),
        format!("{:?}", doc.issuer_signed),
        format!("{doc:?}"),
        format!("{parsed:?}"),
        format!("{:?}", f.credential),
        format!("{:#?}", f.credential),
    ];
    let mut salts = Vec::new();
    let mut values = Vec::new();
    for (_, items) in &f.credential.issuer_signed.namespaces {
        for i in items {
            salts.push(i.item().random.clone());
            if let Some(text) = i.item().element_value.as_text() {
                values.push(text.to_owned());
            }
        }
    }
    assert!(!salts.is_empty() && !values.is_empty());
    for out in &renderings {
        for salt in &salts {
            let list = format!("{salt:?}");
            let inner = list.trim_start_matches('[').trim_end_matches(']');
            let pretty = format!("{salt:#?}");
            let hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
            assert!(!out.contains(inner), "salt (list) in {out}");
            assert!(
                !out.contains(&pretty[1..pretty.len() - 1]),
                "salt (pretty) in {out}"
            );
            assert!(!out.contains(&hex), "salt (hex) in {out}");
        }
        for value in &values {
            assert!(!out.contains(value.as_str()), "value {value} in {out}");
        }
    }
}
