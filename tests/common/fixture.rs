//! A freshly generated issuer, credential and presentation for the API tests.

use zhengzhao::cbor::Value;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::trust::TrustStore;

pub const MDL: &str = "org.iso.18013.5.1.mDL";
pub const NS: &str = "org.iso.18013.5.1";

/// Everything a test needs to present and verify.
pub struct Fixture {
    pub now: UnixTime,
    pub trust: TrustStore,
    pub credential: Credential,
    pub device_key: SoftwareKey,
    pub transcript: SessionTranscript,
    pub issuer: Issuer,
}

/// Ten mDL-like elements: the same ten the perf report and benchmarks measure
/// (`zhengzhao_examples::perf::ten_elements`), so API tests and benchmarks share one set.
pub fn ten_elements() -> Vec<(&'static str, Value)> {
    zhengzhao_examples::perf::ten_elements().expect("the fixed element values parse")
}

pub fn fixture() -> Fixture {
    fixture_from(TestPki::generate(UnixTime::now()).unwrap())
}

/// A fixture whose issuer is `pki`'s document signer.
pub fn fixture_from(pki: TestPki) -> Fixture {
    let now = UnixTime::now();
    let trust = pki.issuer_trust_store();
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let device_key = SoftwareKey::generate().unwrap();
    let mut b = issuer.credential(MDL);
    for (id, v) in ten_elements() {
        b = b.element(NS, id, v);
    }
    let credential = b
        .device_key(device_key.public())
        .validity(now, now.add_secs(-60), now.add_secs(365 * 86_400))
        .sign()
        .unwrap();
    let transcript = SessionTranscript::new(None, None, &Value::text("test handover"));
    Fixture {
        now,
        trust,
        credential,
        device_key,
        transcript,
        issuer,
    }
}

pub fn request(elements: &[&str]) -> DeviceRequest {
    let mut ir = ItemsRequest::new(MDL);
    for e in elements {
        ir = ir.with_element(NS, *e, false);
    }
    DeviceRequest::new(vec![DocRequest::new(ir)])
}

/// Presents `credential` for a request of `elements`, approving all of them.
pub fn present(f: &Fixture, credential: &Credential, elements: &[&str]) -> Vec<u8> {
    let req = request(elements).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&f.transcript);
    rb.add_document(credential, doc, &doc.disclosable(credential), &f.device_key)
        .unwrap();
    rb.finish()
}
