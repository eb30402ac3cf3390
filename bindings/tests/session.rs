//! A whole proximity exchange through the session objects, purely through bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use zhengzhao_ffi::*;

fn ble() -> Vec<RetrievalMethod> {
    vec![RetrievalMethod::BlePeripheralServer {
        uuid: vec![0x42; 16],
    }]
}

fn asks(ids: &[&str]) -> Vec<DocumentRequest> {
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
            key: text("purposeOfUse"),
            value: text("租车资格核验"),
        }],
        purpose: None,
    }]
}

fn approve_all(documents: &[RequestedDocument]) -> Vec<Approval> {
    let candidate = &documents[0].candidates[0];
    vec![Approval {
        document_index: 0,
        credential_id: candidate.credential.id.clone(),
        elements: candidate
            .disclosable
            .iter()
            .map(|e| ElementId {
                namespace: e.namespace.clone(),
                identifier: e.identifier.clone(),
            })
            .collect(),
    }]
}

#[test]
fn a_whole_exchange_through_bytes() {
    let s = setup(software_secure_area());
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let qr = holder.qr_code();
    assert!(qr.starts_with("mdoc:"));
    let reader = ReaderSession::from_qr(qr, s.verifier.clone()).unwrap();

    let establishment = reader
        .send_request(asks(&["family_name", "age_over_18"]))
        .unwrap();
    let documents = holder.handle_establishment(establishment).unwrap();
    assert_eq!(documents[0].purpose.as_deref(), Some("租车资格核验"));
    assert!(matches!(
        documents[0].reader,
        ReaderIdentity::Authenticated { .. }
    ));
    let answer = holder.respond(approve_all(&documents), false).unwrap();
    assert_eq!(answer.disclosures.len(), 1);
    let ReaderOutcome::Response { response } = reader.handle_response(answer.message).unwrap()
    else {
        panic!("no response")
    };
    assert_eq!(response.documents[0].issuer_signed.len(), 2);

    // A second request in the same session, then the reader ends it.
    let again = reader.send_request(asks(&["given_name"])).unwrap();
    let HolderEvent::Request { documents } = holder.handle_message(again).unwrap() else {
        panic!("no request")
    };
    let last = holder.respond(approve_all(&documents), true).unwrap();
    assert!(matches!(
        reader.handle_response(last.message).unwrap(),
        ReaderOutcome::FinalResponse { .. }
    ));
    assert!(holder.is_ended() && reader.is_ended());
    assert_eq!(
        s.wallet
            .disclosures(LogQuery::default())
            .unwrap()
            .events
            .len(),
        2
    );
}

#[test]
fn calls_out_of_order_raise_wrong_state_and_change_nothing() {
    let s = setup(software_secure_area());
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    assert!(matches!(
        holder.respond(vec![], false),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    assert!(matches!(
        reader.handle_response(vec![0xa0]),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    let establishment = reader.send_request(asks(&["family_name"])).unwrap();
    assert!(matches!(
        reader.send_request(asks(&["family_name"])),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    let documents = holder.handle_establishment(establishment.clone()).unwrap();
    assert!(matches!(
        holder.handle_establishment(establishment),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    // A bad approval leaves the request pending.
    assert!(matches!(
        holder.respond(vec![], false),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    let declined = holder.decline().unwrap();
    assert!(matches!(
        reader.handle_response(declined).unwrap(),
        ReaderOutcome::Terminated
    ));
    assert!(s
        .wallet
        .disclosures(LogQuery::default())
        .unwrap()
        .events
        .is_empty());
    let _ = documents;
}

#[test]
fn a_tampered_message_ends_the_session_with_a_reply() {
    let s = setup(software_secure_area());
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    let mut establishment = reader.send_request(asks(&["family_name"])).unwrap();
    let last = establishment.len() - 1;
    establishment[last] ^= 1;
    assert!(matches!(
        holder.handle_establishment(establishment),
        Err(ZhengzhaoError::Session { .. })
    ));
    assert!(holder.is_ended());
    assert!(holder.error_reply().is_some());
    assert!(matches!(
        ReaderSession::from_qr("mdoc:@@".into(), s.verifier.clone()),
        Err(ZhengzhaoError::Malformed { .. })
    ));
}
