//! The chain cache as the verifier uses it, and batch verification.

use crate::cbor::Value;
use crate::crypto::SoftwareKey;
use crate::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
use crate::issuer::Issuer;
use crate::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use crate::time::UnixTime;
use crate::trust::testpki::TestPki;
use crate::trust::TrustError;
use crate::verifier::VerifyOptions;
use crate::verifier::{BatchItem, Check, Verifier, VerifyError};

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
const DAY: i64 = 86_400;

struct Setup {
    now: UnixTime,
    pki_ds: Vec<u8>,
    verifier: Verifier,
    transcript: SessionTranscript,
    response: Vec<u8>,
}

fn setup() -> Setup {
    let now = UnixTime::now();
    let pki = TestPki::generate(now).unwrap();
    let trust = pki.issuer_trust_store();
    let pki_ds = pki.document_signer.der().to_vec();
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let device_key = SoftwareKey::generate().unwrap();
    let credential = issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("Zhang"))
        .element(NS, "age_over_18", Value::Bool(true))
        .device_key(device_key.public())
        .validity(now, now, now.add_secs(3 * 365 * DAY))
        .sign()
        .unwrap();
    let transcript = SessionTranscript::new(None, None, &Value::text("batch handover"));
    let request = DeviceRequest::new(vec![DocRequest::new(ItemsRequest::new(MDL).with_element(
        NS,
        "family_name",
        false,
    ))]);
    let parsed =
        ParsedRequest::parse(&request.to_bytes(), &transcript, &RequestOptions::new(now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut builder = ResponseBuilder::new(&transcript);
    builder
        .add_document(&credential, doc, &doc.disclosable(&credential), &device_key)
        .unwrap();
    let response = builder.finish();
    Setup {
        now,
        pki_ds,
        verifier: Verifier::new(trust),
        transcript,
        response,
    }
}

/// The response with the last byte of the document-signer certificate (in its signature)
/// flipped.
fn with_damaged_certificate(s: &Setup) -> Vec<u8> {
    let at = s
        .response
        .windows(s.pki_ds.len())
        .position(|w| w == s.pki_ds.as_slice())
        .expect("the DS certificate is in the response");
    let mut damaged = s.response.clone();
    damaged[at + s.pki_ds.len() - 1] ^= 0x01;
    damaged
}

fn describe(r: &Result<crate::verifier::VerifiedResponse, VerifyError>) -> String {
    match r {
        Ok(v) => format!("ok {:?}", v.checks),
        Err(e) => format!("err {e:?}"),
    }
}

#[test]
fn cached_verification_reports_the_chain_check_and_fails_like_a_cold_one() {
    let s = setup();
    let cold = s.verifier.clone().with_chain_cache(0);
    let first = s
        .verifier
        .verify(&s.response, &VerifyOptions::new(&s.transcript, s.now))
        .unwrap();
    let cached = s
        .verifier
        .verify(&s.response, &VerifyOptions::new(&s.transcript, s.now))
        .unwrap();
    assert_eq!(s.verifier.chain_cache().stats().hits, 1);
    assert_eq!(first, cached);
    assert!(cached.checks.contains(&(0, Check::IssuerChain)));
    assert_eq!(
        cached.documents[0].trust_anchor,
        first.documents[0].trust_anchor
    );

    // Two years on the DS certificate has expired: the cached entry fails as a cold chain.
    let later = s.now.add_secs(2 * 365 * DAY);
    let from_cache = s
        .verifier
        .verify(&s.response, &VerifyOptions::new(&s.transcript, later));
    let from_scratch = cold.verify(&s.response, &VerifyOptions::new(&s.transcript, later));
    assert!(matches!(
        from_cache,
        Err(VerifyError::IssuerChain {
            document: 0,
            source: TrustError::Expired { position: 0 }
        })
    ));
    assert_eq!(describe(&from_cache), describe(&from_scratch));
    assert_eq!(s.verifier.chain_cache().stats().hits, 2);
    assert_eq!(cold.chain_cache().stats().len, 0);

    // One changed byte in the certificate is another chain: validated again, and rejected.
    let damaged = with_damaged_certificate(&s);
    let err = s
        .verifier
        .verify(&damaged, &VerifyOptions::new(&s.transcript, s.now))
        .unwrap_err();
    assert_eq!(err.check(), Check::IssuerChain);
    assert_eq!(
        describe(&Err(err)),
        describe(&cold.verify(&damaged, &VerifyOptions::new(&s.transcript, s.now)))
    );
    assert_eq!(s.verifier.chain_cache().stats().misses, 2);
}

#[test]
fn batch_results_are_in_input_order_and_equal_single_verification() {
    let s = setup();
    let other = SessionTranscript::new(None, None, &Value::text("another handover"));
    let damaged = with_damaged_certificate(&s);
    let expired = s.now.add_secs(2 * 365 * DAY);
    let mut items = Vec::new();
    for i in 0..24 {
        items.push(match i % 4 {
            0 | 1 => BatchItem::new(&s.response, VerifyOptions::new(&s.transcript, s.now)),
            2 => BatchItem::new(&s.response, VerifyOptions::new(&other, s.now)),
            _ if i % 8 == 3 => BatchItem::new(&damaged, VerifyOptions::new(&s.transcript, s.now)),
            _ => BatchItem::new(&s.response, VerifyOptions::new(&s.transcript, expired)),
        });
    }
    let expected: Vec<String> = items
        .iter()
        .map(|i| describe(&s.verifier.verify(i.response(), i.options())))
        .collect();
    assert!(expected.iter().any(|e| e.starts_with("ok")));
    assert!(expected.iter().any(|e| e.contains("DeviceSignature")));
    assert!(expected.iter().any(|e| e.contains("SignatureInvalid")));
    assert!(expected.iter().any(|e| e.contains("Expired")));
    for threads in [1, 2, 3, 0, 64] {
        let got: Vec<String> = s
            .verifier
            .verify_batch(&items, threads)
            .iter()
            .map(describe)
            .collect();
        assert_eq!(got, expected, "threads = {threads}");
    }
    assert!(s.verifier.verify_batch(&[], 2).is_empty());
    let debug = format!("{:?}", items[0]);
    assert!(
        debug.contains("response_len") && !debug.contains("Zhang"),
        "{debug}"
    );
}
