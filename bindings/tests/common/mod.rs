//! Shared setup for the Rust tests of the bindings' API (the same API Kotlin, Swift and
//! Python see).

#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zhengzhao_ffi::*;

pub const MDL: &str = "org.iso.18013.5.1.mDL";
pub const NS: &str = "org.iso.18013.5.1";

pub fn text(s: &str) -> ElementValue {
    ElementValue::Text { value: s.into() }
}

pub fn element(id: &str, value: ElementValue) -> Element {
    Element {
        namespace: NS.into(),
        identifier: id.into(),
        value,
    }
}

pub fn licence_elements() -> Vec<Element> {
    vec![
        element("family_name", text("张")),
        element("given_name", text("伟")),
        element(
            "birth_date",
            ElementValue::FullDate {
                value: "1988-07-12".into(),
            },
        ),
        element("age_over_18", ElementValue::Bool { value: true }),
        element("document_number", text("110105198807120011")),
        element(
            "driving_privileges",
            ElementValue::Array {
                items: vec![ElementValue::Map {
                    entries: vec![MapEntry {
                        key: text("vehicle_category_code"),
                        value: text("C1"),
                    }],
                }],
            },
        ),
    ]
}

pub struct Setup {
    pub pki: Arc<TestPki>,
    pub issuer: Arc<Issuer>,
    pub verifier: Arc<Verifier>,
    pub wallet: Arc<Wallet>,
    pub credential_id: String,
    pub transcript: Vec<u8>,
}

/// An issuer, a verifier trusting it and signing its requests, and a wallet over `area`
/// holding one licence bound to the key `device`.
pub fn setup(area: Arc<dyn SecureArea>) -> Setup {
    let pki = TestPki::generate().unwrap();
    let issuer = Issuer::from_test_pki(pki.clone()).unwrap();
    let verifier = Verifier::new();
    verifier
        .add_issuing_authority(pki.iaca_certificate())
        .unwrap();
    verifier
        .set_reader_authentication(
            pki.secure_area(),
            pki.reader_key_alias(),
            vec![pki.reader_certificate()],
        )
        .unwrap();
    let wallet = Wallet::new(area, None);
    wallet
        .add_reader_authority(pki.reader_ca_certificate())
        .unwrap();
    let device_key = wallet.create_device_key("device".into()).unwrap();
    let now = SystemTime::now();
    let credential = issuer
        .issue(IssuanceRequest {
            doc_type: MDL.into(),
            elements: licence_elements(),
            device_public_key: device_key,
            signed: now,
            valid_from: now,
            valid_until: now + Duration::from_secs(365 * 86_400),
            decoys: 2,
        })
        .unwrap();
    let credential_id = wallet
        .add_credential(credential, "device".into())
        .unwrap()
        .id;
    let transcript = session_transcript(text("test handover"), None, None).unwrap();
    Setup {
        pki,
        issuer,
        verifier,
        wallet,
        credential_id,
        transcript,
    }
}

pub fn request_for(s: &Setup, ids: &[&str]) -> Vec<u8> {
    s.verifier
        .build_request(
            vec![DocumentRequest {
                doc_type: MDL.into(),
                elements: ids
                    .iter()
                    .map(|id| RequestedElement {
                        namespace: NS.into(),
                        identifier: (*id).into(),
                        intent_to_retain: false,
                    })
                    .collect(),
                request_info: vec![MapEntry {
                    key: text("purpose"),
                    value: text("租车资格核验"),
                }],
            }],
            s.transcript.clone(),
        )
        .unwrap()
}

/// Requests `ids`, approves all of them that are held, presents.
pub fn present(s: &Setup, ids: &[&str]) -> Result<Vec<u8>, ZhengzhaoError> {
    let request = s
        .wallet
        .parse_request(request_for(s, ids), s.transcript.clone())?;
    let doc = &request.documents()[0];
    let approved = doc.candidates[0]
        .disclosable
        .iter()
        .map(|e| ElementId {
            namespace: e.namespace.clone(),
            identifier: e.identifier.clone(),
        })
        .collect();
    s.wallet.present(
        request,
        vec![Approval {
            document_index: 0,
            credential_id: s.credential_id.clone(),
            elements: approved,
        }],
    )
}
