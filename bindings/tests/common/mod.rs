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

pub fn licence_name() -> DisplayName {
    DisplayName {
        zh: "机动车驾驶证".into(),
        en: "Driving licence".into(),
    }
}

/// One credential per device key of `pending`, valid for a year.
pub fn issue_for(issuer: &Issuer, pending: &PendingCredential) -> Vec<Vec<u8>> {
    let now = SystemTime::now();
    pending
        .device_keys()
        .into_iter()
        .map(|key| {
            issuer
                .issue(IssuanceRequest {
                    doc_type: MDL.into(),
                    elements: licence_elements(),
                    device_public_key: key,
                    signed: now,
                    valid_from: now,
                    valid_until: now + Duration::from_secs(365 * 86_400),
                    decoys: 2,
                    status_list: None,
                    cn_status_list: None,
                })
                .unwrap()
        })
        .collect()
}

/// Prepares, issues and adds a licence of `copies` copies.
pub fn add_licence(
    wallet: &Wallet,
    issuer: &Issuer,
    copies: u32,
    policy: BatchPolicy,
) -> Result<CredentialInfo, ZhengzhaoError> {
    let pending = wallet.prepare(copies)?;
    let credentials = issue_for(issuer, &pending);
    wallet.add(pending, credentials, licence_name(), policy)
}

/// An issuer, a verifier trusting it and signing its requests, and `wallet` holding one
/// licence of three copies, rotated.
pub fn setup_with(wallet: Arc<Wallet>) -> Setup {
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
    wallet
        .add_reader_authority(pki.reader_ca_certificate())
        .unwrap();
    let credential_id = add_licence(&wallet, &issuer, 3, BatchPolicy::Rotate)
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

/// [`setup_with`] an in-memory wallet over `area`.
pub fn setup(area: Arc<dyn SecureArea>) -> Setup {
    setup_with(Wallet::in_memory(area))
}

/// A request for `ids` in `namespace` of `doc_type` (none to be retained), with `purpose`.
pub fn document_request(
    doc_type: &str,
    namespace: &str,
    ids: &[&str],
    purpose: Option<&str>,
) -> DocumentRequest {
    DocumentRequest {
        doc_type: doc_type.into(),
        elements: ids
            .iter()
            .map(|id| RequestedElement {
                namespace: namespace.into(),
                identifier: (*id).into(),
                intent_to_retain: false,
            })
            .collect(),
        request_info: vec![],
        purpose: purpose.map(Into::into),
    }
}

pub fn request_for(s: &Setup, ids: &[&str]) -> Vec<u8> {
    s.verifier
        .build_request(
            vec![document_request(MDL, NS, ids, Some("租车资格核验"))],
            s.transcript.clone(),
        )
        .unwrap()
}

/// Requests `ids`, approves all of them that are held, presents.
pub fn present(s: &Setup, ids: &[&str]) -> Result<Vec<u8>, ZhengzhaoError> {
    Ok(present_logged(s, ids)?.response)
}

/// Like [`present`], with what the log recorded.
pub fn present_logged(s: &Setup, ids: &[&str]) -> Result<Presentation, ZhengzhaoError> {
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
            present_inactive: false,
        }],
        None,
    )
}

/// Whether `wallet`'s disclosure log has no entry.
pub fn log_is_empty(wallet: &Wallet) -> bool {
    wallet
        .disclosures(LogQuery::default())
        .unwrap()
        .events
        .is_empty()
}
