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
                present_inactive: false,
            }],
            None,
        )
        .unwrap();
    let verified = s
        .verifier
        .verify(response.response, s.transcript.clone(), None, None)
        .unwrap();
    let doc = &verified.documents[0];
    assert_eq!(doc.doc_type, MDL);
    assert_eq!(doc.device_auth, DeviceAuthMethod::Signature);
    assert!(doc.unchecked.is_empty(), "{:?}", doc.unchecked);
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
    match s
        .verifier
        .verify(response, s.transcript.clone(), None, None)
    {
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
        s.verifier
            .verify(response.clone(), other_transcript, None, None),
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
        stranger.verify(response.clone(), s.transcript.clone(), None, None),
        Err(ZhengzhaoError::Untrusted { .. })
    ));
    // An authority of the same name with another key is no unknown issuer but a forgery.
    let impostor = Verifier::new();
    impostor
        .add_issuing_authority(TestPki::generate().unwrap().iaca_certificate())
        .unwrap();
    assert!(matches!(
        impostor.verify(response.clone(), s.transcript.clone(), None, None),
        Err(ZhengzhaoError::VerificationFailed {
            check: Check::IssuerChain,
            ..
        })
    ));

    assert!(matches!(
        s.verifier
            .verify(vec![1, 2, 3], s.transcript.clone(), None, None),
        Err(ZhengzhaoError::Malformed { .. })
    ));
    assert!(matches!(
        s.wallet.add(
            s.wallet.prepare(1).unwrap(),
            vec![vec![0xa0]],
            licence_name(),
            BatchPolicy::Rotate
        ),
        Err(ZhengzhaoError::Malformed { .. })
    ));

    let far_future =
        std::time::SystemTime::now() + std::time::Duration::from_secs(2 * 365 * 86_400);
    assert!(matches!(
        s.verifier
            .verify(response, s.transcript.clone(), Some(far_future), None),
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
    let picky = Wallet::in_memory(software_secure_area());
    picky
        .add_reader_authority(TestPki::generate().unwrap().reader_ca_certificate())
        .unwrap();
    assert!(matches!(
        picky.parse_request(request.clone(), s.transcript.clone()),
        Err(ZhengzhaoError::ReaderAuthentication { .. })
    ));
    let trusting_nobody = Wallet::in_memory(software_secure_area());
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
    let pending = s.wallet.prepare(1).unwrap();
    let bad_date = s.issuer.issue(IssuanceRequest {
        doc_type: MDL.into(),
        elements: vec![element(
            "birth_date",
            ElementValue::FullDate {
                value: "2021-02-29".into(),
            },
        )],
        device_public_key: pending.device_keys()[0].clone(),
        signed: std::time::SystemTime::now(),
        valid_from: std::time::SystemTime::now(),
        valid_until: std::time::SystemTime::now(),
        decoys: 0,
        status_list: None,
        cn_status_list: None,
    });
    assert!(matches!(bad_date, Err(ZhengzhaoError::InvalidInput { .. })));

    let request = s
        .wallet
        .parse_request(request_for(&s, &["family_name"]), s.transcript.clone())
        .unwrap();
    let out_of_range = s.wallet.present(
        request.clone(),
        vec![Approval {
            document_index: 7,
            credential_id: s.credential_id.clone(),
            elements: vec![],
            present_inactive: false,
        }],
        None,
    );
    assert!(matches!(
        out_of_range,
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    for id in ["", "not-an-id", "0123456789abcdef0123456789abcdef"] {
        assert!(matches!(
            s.wallet.present(
                request.clone(),
                vec![Approval {
                    document_index: 0,
                    credential_id: id.into(),
                    elements: vec![],
                    present_inactive: false,
                }],
                None,
            ),
            Err(ZhengzhaoError::InvalidInput { .. })
        ));
    }
    assert!(matches!(
        s.wallet.present(request, vec![], None),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    assert!(matches!(
        s.wallet.prepare(0),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));

    // A credential bound to another pending credential's key is refused.
    let other = s.wallet.prepare(1).unwrap();
    let credential = issue_for(&s.issuer, &other);
    assert!(matches!(
        s.wallet.add(
            pending.clone(),
            credential.clone(),
            licence_name(),
            BatchPolicy::Rotate
        ),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    // A pending credential is used once (the refused add above consumed `pending`).
    assert!(matches!(
        s.wallet
            .add(pending, credential.clone(), licence_name(), BatchPolicy::Rotate),
        Err(ZhengzhaoError::InvalidInput { reason }) if reason.contains("used")
    ));
    s.wallet
        .add(
            other.clone(),
            credential.clone(),
            licence_name(),
            BatchPolicy::Rotate,
        )
        .unwrap();
    assert!(matches!(
        s.wallet.abandon(other),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}

#[test]
fn credentials_are_listed_shown_and_removed_with_their_keys() {
    let area = software_secure_area();
    let s = setup(area.clone());
    let listed = s.wallet.credentials().unwrap();
    assert!(listed.damaged.is_empty());
    let [info] = listed.credentials.as_slice() else {
        panic!("{listed:?}")
    };
    assert_eq!(info.doc_type, MDL);
    assert_eq!(info.display_name, licence_name());
    assert!(
        info.issuer.contains("Test Document Signer"),
        "{}",
        info.issuer
    );
    // The wallet was given no issuing authorities: the name is only claimed, until the
    // authority that issued it is added.
    assert!(!info.issuer_verified);
    assert_eq!(
        s.wallet
            .add_issuing_authority(s.pki.iaca_certificate())
            .unwrap(),
        1
    );
    assert_eq!(s.wallet.issuing_authorities().len(), 1);
    let again = s.wallet.credentials().unwrap();
    assert!(again.credentials[0].issuer_verified);
    assert_eq!(again.credentials[0].issuer, info.issuer);
    assert_eq!((info.copies, info.fresh_copies), (3, 3));
    assert_eq!(info.status, CredentialStatus::Active);
    assert_eq!(info.policy, BatchPolicy::Rotate);
    assert!(info.valid_from <= std::time::SystemTime::now() && info.valid_until > info.valid_from);
    let shown = s
        .wallet
        .credential_elements(s.credential_id.clone())
        .unwrap();
    assert_eq!(shown.len(), licence_elements().len());
    assert!(shown.contains(&element(
        "birth_date",
        ElementValue::FullDate {
            value: "1988-07-12".into()
        }
    )));
    let key = format!("{}-0", s.credential_id);
    area.public_key(key.clone()).unwrap();
    assert!(s.wallet.remove_credential(s.credential_id.clone()).unwrap());
    assert!(!s.wallet.remove_credential(s.credential_id.clone()).unwrap());
    assert!(s.wallet.credentials().unwrap().credentials.is_empty());
    assert!(matches!(
        area.public_key(key),
        Err(ZhengzhaoError::KeyStore { .. })
    ));
}

#[test]
fn one_time_copies_run_out_and_status_blocks_presentation() {
    let s = setup(software_secure_area());
    let one_time = add_licence(&s.wallet, &s.issuer, 2, BatchPolicy::OneTimeUse).unwrap();
    // Only the one-time credential remains presentable.
    s.wallet
        .set_status(s.credential_id.clone(), CredentialStatus::Suspended)
        .unwrap();
    let s = Setup {
        credential_id: one_time.id.clone(),
        ..s
    };
    let request = s
        .wallet
        .parse_request(request_for(&s, &["family_name"]), s.transcript.clone())
        .unwrap();
    let candidates = &request.documents()[0].candidates;
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].credential.id, one_time.id);
    assert!(present_logged(&s, &["family_name"]).unwrap().running_low == vec![one_time.id.clone()]);
    present(&s, &["family_name"]).unwrap();
    assert_eq!(
        s.wallet.metadata(one_time.id.clone()).unwrap().fresh_copies,
        0
    );
    assert!(matches!(
        present(&s, &["family_name"]),
        Err(ZhengzhaoError::NoUnusedCopy { credential_id }) if credential_id == one_time.id
    ));
}

#[test]
fn the_disclosure_log_is_queried_exported_and_deleted() {
    let s = setup(software_secure_area());
    let shown = present_logged(&s, &["family_name", "age_over_18"]).unwrap();
    present(&s, &["given_name"]).unwrap();
    let [event] = shown.disclosures.as_slice() else {
        panic!("{:?}", shown.disclosures)
    };
    assert_eq!(event.purpose.as_deref(), Some("租车资格核验"));
    assert_eq!(event.doc_type, MDL);
    assert_eq!(event.credential_id, s.credential_id);
    assert!(matches!(
        &event.verifier,
        VerifierIdentity::Authenticated { subject } if subject.contains("Test Reader")
    ));
    let ids: Vec<_> = event
        .elements
        .iter()
        .map(|e| e.identifier.as_str())
        .collect();
    assert_eq!(ids, ["family_name", "age_over_18"]);

    let all = s.wallet.disclosures(LogQuery::default()).unwrap();
    assert_eq!(all.events.len(), 2);
    assert!(all.events.contains(event));
    let by_reader = LogQuery {
        verifier: Some("Test Reader".into()),
        ..LogQuery::default()
    };
    assert_eq!(s.wallet.disclosures(by_reader).unwrap().events.len(), 2);
    let nobody = LogQuery {
        doc_type: Some("org.example.other".into()),
        ..LogQuery::default()
    };
    assert!(s.wallet.disclosures(nobody).unwrap().events.is_empty());
    let later = LogQuery {
        since: Some(std::time::SystemTime::now() + std::time::Duration::from_secs(3600)),
        ..LogQuery::default()
    };
    assert!(s.wallet.disclosures(later).unwrap().events.is_empty());

    let json = s
        .wallet
        .export_disclosures_json(LogQuery::default())
        .unwrap();
    assert!(
        json.starts_with('[') && json.contains("\"given_name\""),
        "{json}"
    );
    assert!(json.contains("租车资格核验"));
    let csv = s
        .wallet
        .export_disclosures_csv(LogQuery::default())
        .unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    // Identifiers, never values.
    assert!(!json.contains("张") && !csv.contains("张"));

    assert!(s.wallet.delete_disclosure(event.id.clone()).unwrap());
    assert!(!s.wallet.delete_disclosure(event.id.clone()).unwrap());
    assert_eq!(s.wallet.delete_disclosures(LogQuery::default()).unwrap(), 1);
    assert!(log_is_empty(&s.wallet));
    assert!(matches!(
        s.wallet.delete_disclosure("../x".into()),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}

#[test]
fn a_file_store_keeps_credentials_and_log_across_instances() {
    let dir = std::env::temp_dir().join(format!(
        "zhengzhao-ffi-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.to_string_lossy().into_owned();
    let key = generate_store_key().unwrap();
    assert_eq!(key.len(), 32);
    let area = software_secure_area();
    let s = setup_with(Wallet::open(path.clone(), area.clone(), Some(key.clone())).unwrap());
    present(&s, &["family_name"]).unwrap();
    drop(s.wallet);
    let reopened = Wallet::open(path.clone(), area.clone(), Some(key)).unwrap();
    let listed = reopened.credentials().unwrap();
    assert_eq!(listed.credentials.len(), 1);
    assert_eq!(listed.credentials[0].id, s.credential_id);
    assert_eq!(listed.credentials[0].usage_count, 1);
    assert_eq!(
        reopened
            .disclosures(LogQuery::default())
            .unwrap()
            .events
            .len(),
        1
    );
    // Opened without its key, or with another, the store refuses.
    assert!(matches!(
        Wallet::open(path.clone(), area.clone(), None),
        Err(ZhengzhaoError::Storage { .. })
    ));
    assert!(matches!(
        Wallet::open(
            path.clone(),
            area.clone(),
            Some(generate_store_key().unwrap())
        ),
        Err(ZhengzhaoError::Storage { .. })
    ));
    assert!(matches!(
        Wallet::open(path, area, Some(vec![1, 2, 3])),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_phase_signing_lets_the_host_prompt_between_the_phases() {
    let area = software_secure_area();
    let s = setup(area.clone());
    let prepare = || {
        let request = s
            .wallet
            .parse_request(
                request_for(&s, &["family_name", "age_over_18"]),
                s.transcript.clone(),
            )
            .unwrap();
        let approved = request.documents()[0].candidates[0]
            .disclosable
            .iter()
            .map(|e| ElementId {
                namespace: e.namespace.clone(),
                identifier: e.identifier.clone(),
            })
            .collect();
        s.wallet
            .prepare_presentation(
                request,
                vec![Approval {
                    document_index: 0,
                    credential_id: s.credential_id.clone(),
                    elements: approved,
                    present_inactive: false,
                }],
            )
            .unwrap()
    };
    let prepared = prepare();
    let [step] = prepared.signing_requests().try_into().unwrap();
    assert!(step.key_alias.starts_with(&s.credential_id));
    // … the host shows its biometric prompt here, then signs:
    let signature = area
        .sign(step.key_alias.clone(), step.message.clone())
        .unwrap();
    assert!(matches!(
        s.wallet.complete_presentation(prepared.clone(), vec![]),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    let shown = s
        .wallet
        .complete_presentation(prepared.clone(), vec![signature.clone()])
        .unwrap();
    assert_eq!(shown.disclosures.len(), 1);
    let verified = s
        .verifier
        .verify(shown.response, s.transcript.clone(), None, None)
        .unwrap();
    assert_eq!(verified.documents[0].issuer_signed.len(), 2);
    assert!(matches!(
        s.wallet
            .complete_presentation(prepared, vec![signature.clone()]),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    // A signature by another key, or no signature at all, is the key store's failure.
    for bad in [signature, vec![0x30, 0x01]] {
        let prepared = prepare();
        assert!(matches!(
            s.wallet.complete_presentation(prepared, vec![bad]),
            Err(ZhengzhaoError::KeyStore { .. })
        ));
    }
}

#[test]
fn licence_identifiers_are_parsed_without_values_in_errors() {
    // GB 11643-1999's own example, and a USCC with a valid check character.
    let id = parse_citizen_id("11010519491231002X".into()).unwrap();
    assert_eq!(id.birth_date, "1949-12-31");
    assert_eq!(id.sex, Sex::Female);
    assert_eq!(id.address_code, "110105");
    assert_eq!(format!("{id:?}"), "CitizenId(..)");
    for bad in ["110105194912310021", "11010519491331002X", "1101"] {
        match parse_citizen_id(bad.into()) {
            Err(ZhengzhaoError::InvalidInput { reason }) => {
                assert!(
                    !reason.contains(bad) && !reason.contains("1949"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
    let uscc = parse_social_credit_code("91350100M000100Y43".into()).unwrap();
    assert_eq!(uscc.region_code, "350100");
    assert!(matches!(
        parse_social_credit_code("91350100M000100Y44".into()),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    assert!(matches!(
        parse_licence_identifier("1.2.156.3005.2.x".into()),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}

#[test]
fn predicates_answer_from_disclosed_elements_only() {
    let s = setup(software_secure_area());
    let response = present(&s, &["family_name"]).unwrap();
    let verified = s
        .verifier
        .verify(response, s.transcript.clone(), None, None)
        .unwrap();
    // An mDL is not a Chinese licence docType: the question does not apply.
    assert!(matches!(
        verified.documents[0].predicates.age_over(18),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    assert!(matches!(
        verified.documents[0].predicates.may_drive("Z9".into()),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}

#[test]
fn may_drive_and_age_over_on_a_verified_driving_licence() {
    let s = setup(software_secure_area());
    // A licence docType: 1.2.156.3005.2.<type code: a USCC and three digits>.
    let doc_type = "1.2.156.3005.2.91350100M000100Y43001".to_owned();
    let pending = s.wallet.prepare(1).unwrap();
    let now = std::time::SystemTime::now();
    let el = |id: &str, value: ElementValue| Element {
        namespace: doc_type.clone(),
        identifier: id.into(),
        value,
    };
    let credential = s
        .issuer
        .issue(IssuanceRequest {
            doc_type: doc_type.clone(),
            elements: vec![
                el(
                    "vehicle_classes",
                    ElementValue::Array {
                        items: vec![text("C1")],
                    },
                ),
                el("age_over_18", ElementValue::Bool { value: true }),
                el("age_over_60", ElementValue::Bool { value: false }),
            ],
            device_public_key: pending.device_keys()[0].clone(),
            signed: now,
            valid_from: now,
            valid_until: now + std::time::Duration::from_secs(86_400),
            decoys: 0,
            status_list: None,
            cn_status_list: None,
        })
        .unwrap();
    let id = s
        .wallet
        .add(
            pending,
            vec![credential],
            licence_name(),
            BatchPolicy::Rotate,
        )
        .unwrap()
        .id;
    let ask = |ids: &[&str]| {
        s.verifier
            .build_request(
                vec![document_request(&doc_type, &doc_type, ids, Some("租车"))],
                s.transcript.clone(),
            )
            .unwrap()
    };
    let request = s
        .wallet
        .parse_request(
            ask(&["vehicle_classes", "age_over_18"]),
            s.transcript.clone(),
        )
        .unwrap();
    assert_eq!(request.documents()[0].purpose.as_deref(), Some("租车"));
    let approved = request.documents()[0].candidates[0]
        .disclosable
        .iter()
        .map(|e| ElementId {
            namespace: e.namespace.clone(),
            identifier: e.identifier.clone(),
        })
        .collect();
    let shown = s
        .wallet
        .present(
            request,
            vec![Approval {
                document_index: 0,
                credential_id: id,
                elements: approved,
                present_inactive: false,
            }],
            None,
        )
        .unwrap();
    let verified = s
        .verifier
        .verify(shown.response, s.transcript.clone(), None, None)
        .unwrap();
    let p = &verified.documents[0].predicates;
    assert!(p.may_drive("C1".into()).unwrap());
    assert!(p.may_drive("C2".into()).unwrap()); // implied by C1
    assert!(!p.may_drive("A1".into()).unwrap());
    assert!(p.age_over(18).unwrap());
    // Held but not disclosed: no answer, never a "no".
    assert!(matches!(
        p.age_over(60),
        Err(ZhengzhaoError::NotDisclosed { element }) if element == "age_over_60"
    ));
    // A purpose that is too long is refused before anything is signed.
    assert!(matches!(
        s.verifier.build_request(
            vec![document_request(
                &doc_type,
                &doc_type,
                &["age_over_18"],
                Some(&"长".repeat(201)),
            )],
            s.transcript.clone(),
        ),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}
