//! The whole flow through the bindings' API, and the error each failure maps to.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use zhengzhao_ffi::*;

#[test]
fn issue_store_request_consent_present_verify() {
    let s = setup(software_secure_area());
    let request = s
        .wallet
        .parse_request(
            request_for(
                &s,
                &[
                    "family_name",
                    "birth_date",
                    "driving_privileges",
                    "portrait",
                ],
            ),
            s.transcript.clone(),
        )
        .unwrap();
    let doc = &request.documents()[0];
    assert!(matches!(
        &doc.reader,
        ReaderIdentity::Authenticated { subject, .. } if subject.contains("Test Reader")
    ));
    assert_eq!(doc.request_info[0].value, text("租车资格核验"));
    assert_eq!(doc.requested.len(), 4);
    // `portrait` is requested but not held.
    assert_eq!(doc.candidates[0].disclosable.len(), 3);
    // Consent: everything but the birth date.
    let approved = vec![
        ElementId {
            namespace: NS.into(),
            identifier: "family_name".into(),
        },
        ElementId {
            namespace: NS.into(),
            identifier: "driving_privileges".into(),
        },
    ];
    let response = s
        .wallet
        .present(
            request,
            vec![Approval {
                document_index: 0,
                credential_id: s.credential_id.clone(),
                elements: approved,
            }],
        )
        .unwrap();
    let verified = s
        .verifier
        .verify(response, s.transcript.clone(), None)
        .unwrap();
    let doc = &verified.documents[0];
    assert_eq!(doc.doc_type, MDL);
    assert_eq!(doc.device_auth, DeviceAuthMethod::Signature);
    let ids: Vec<_> = doc
        .issuer_signed
        .iter()
        .map(|e| e.identifier.as_str())
        .collect();
    // Only what was approved, ordered by namespace and identifier.
    assert_eq!(ids, ["driving_privileges", "family_name"]);
    assert_eq!(doc.issuer_signed[1].value, text("张"));
    assert!(verified
        .checks
        .iter()
        .any(|c| c.check == Check::DeviceAuthentication));
}

#[test]
fn tampered_response_fails_the_digest_check() {
    let s = setup(software_secure_area());
    let mut response = present(&s, &["family_name"]).unwrap();
    let zhang = "张".as_bytes();
    let at = response
        .windows(zhang.len())
        .position(|w| w == zhang)
        .unwrap();
    response[at..at + zhang.len()].copy_from_slice("李".as_bytes());
    match s.verifier.verify(response, s.transcript.clone(), None) {
        Err(ZhengzhaoError::VerificationFailed {
            check: Check::Digests,
            document: Some(0),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn failures_map_to_the_variant_a_caller_acts_on() {
    let s = setup(software_secure_area());
    let response = present(&s, &["family_name"]).unwrap();

    let other_transcript = session_transcript(text("another session"), None, None).unwrap();
    assert!(matches!(
        s.verifier.verify(response.clone(), other_transcript, None),
        Err(ZhengzhaoError::VerificationFailed {
            check: Check::DeviceAuthentication,
            ..
        })
    ));

    // A verifier that trusts another authority (here: one named differently).
    let stranger = Verifier::new();
    stranger
        .add_issuing_authority(s.pki.reader_ca_certificate())
        .unwrap();
    assert!(matches!(
        stranger.verify(response.clone(), s.transcript.clone(), None),
        Err(ZhengzhaoError::Untrusted { .. })
    ));
    // An authority of the same name with another key is no unknown issuer but a forgery.
    let impostor = Verifier::new();
    impostor
        .add_issuing_authority(TestPki::generate().unwrap().iaca_certificate())
        .unwrap();
    assert!(matches!(
        impostor.verify(response.clone(), s.transcript.clone(), None),
        Err(ZhengzhaoError::VerificationFailed {
            check: Check::IssuerChain,
            ..
        })
    ));

    assert!(matches!(
        s.verifier.verify(vec![1, 2, 3], s.transcript.clone(), None),
        Err(ZhengzhaoError::Malformed { .. })
    ));
    assert!(matches!(
        s.wallet.add_credential(vec![0xa0], "device".into()),
        Err(ZhengzhaoError::Malformed { .. })
    ));

    let far_future =
        std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 365 * 86_400);
    assert!(matches!(
        s.verifier
            .verify(response, s.transcript.clone(), Some(far_future)),
        Err(ZhengzhaoError::VerificationFailed {
            check: Check::IssuerChain | Check::Validity,
            ..
        })
    ));
}

#[test]
fn a_reader_outside_the_trust_list_is_rejected() {
    let s = setup(software_secure_area());
    let request = request_for(&s, &["family_name"]);
    let picky = Wallet::new(software_secure_area(), None);
    picky
        .add_reader_authority(TestPki::generate().unwrap().reader_ca_certificate())
        .unwrap();
    assert!(matches!(
        picky.parse_request(request.clone(), s.transcript.clone()),
        Err(ZhengzhaoError::ReaderAuthentication { .. })
    ));
    let trusting_nobody = Wallet::new(software_secure_area(), None);
    let parsed = trusting_nobody
        .parse_request(request, s.transcript.clone())
        .unwrap();
    assert!(matches!(
        parsed.documents()[0].reader,
        ReaderIdentity::Unverified { .. }
    ));
    assert!(parsed.documents()[0].candidates.is_empty());
}

#[test]
fn invalid_input_is_reported_as_such() {
    let s = setup(software_secure_area());
    let bad_date = s.issuer.issue(IssuanceRequest {
        doc_type: MDL.into(),
        elements: vec![element(
            "birth_date",
            ElementValue::FullDate {
                value: "2021-02-29".into(),
            },
        )],
        device_public_key: s.wallet.create_device_key("other".into()).unwrap(),
        signed: std::time::SystemTime::now(),
        valid_from: std::time::SystemTime::now(),
        valid_until: std::time::SystemTime::now(),
        decoys: 0,
    });
    assert!(matches!(bad_date, Err(ZhengzhaoError::InvalidInput { .. })));

    let request = s
        .wallet
        .parse_request(request_for(&s, &["family_name"]), s.transcript.clone())
        .unwrap();
    let out_of_range = s.wallet.present(
        request,
        vec![Approval {
            document_index: 7,
            credential_id: s.credential_id.clone(),
            elements: vec![],
        }],
    );
    assert!(matches!(
        out_of_range,
        Err(ZhengzhaoError::InvalidInput { .. })
    ));

    // A credential bound to `device` cannot be stored under `other`.
    let credential = s.issuer.issue(IssuanceRequest {
        doc_type: MDL.into(),
        elements: licence_elements(),
        device_public_key: s.wallet.create_device_key("third".into()).unwrap(),
        signed: std::time::SystemTime::now(),
        valid_from: std::time::SystemTime::now(),
        valid_until: std::time::SystemTime::now() + std::time::Duration::from_secs(60),
        decoys: 0,
    });
    assert!(matches!(
        s.wallet.add_credential(credential.unwrap(), "other".into()),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}

#[test]
fn credentials_are_listed_shown_and_removed_with_their_key() {
    let area = software_secure_area();
    let s = setup(area.clone());
    let listed = s.wallet.credentials().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].doc_type, MDL);
    assert_eq!(listed[0].elements.len(), licence_elements().len());
    let shown = s
        .wallet
        .credential_elements(s.credential_id.clone())
        .unwrap();
    assert!(shown.contains(&element(
        "birth_date",
        ElementValue::FullDate {
            value: "1988-07-12".into()
        }
    )));
    assert!(s.wallet.remove_credential(s.credential_id.clone()).unwrap());
    assert!(!s.wallet.remove_credential(s.credential_id.clone()).unwrap());
    assert!(s.wallet.credentials().unwrap().is_empty());
    assert!(matches!(
        area.public_key("device".into()),
        Err(ZhengzhaoError::KeyStore { .. })
    ));
}
