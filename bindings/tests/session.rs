//! A whole proximity exchange through the session objects, purely through bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use zhengzhao::verifier::VerifyOptions;

use zhengzhao::cbor::Limits;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::model::SessionTranscript;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{AnchorRole, TrustStore};
use zhengzhao::verifier::Verifier as CoreVerifier;

use common::*;
use zhengzhao_ffi::*;

fn ble() -> Vec<RetrievalMethod> {
    vec![RetrievalMethod::BlePeripheralServer {
        uuid: vec![0x42; 16],
    }]
}

fn asks(ids: &[&str]) -> Vec<DocumentRequest> {
    vec![DocumentRequest {
        request_info: vec![MapEntry {
            key: text("purposeOfUse"),
            value: text("租车资格核验"),
        }],
        ..document_request(MDL, NS, ids, None)
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
        present_inactive: false,
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
    let answer = holder
        .respond(approve_all(&documents), false, false)
        .unwrap();
    assert_eq!(answer.disclosures.len(), 1);
    let ReaderOutcome::Response { response } =
        reader.handle_response(answer.message, None).unwrap()
    else {
        panic!("no response")
    };
    assert_eq!(response.documents[0].issuer_signed.len(), 2);

    // A second request in the same session, then the reader ends it.
    let again = reader.send_request(asks(&["given_name"])).unwrap();
    let HolderEvent::Request { documents } = holder.handle_message(again).unwrap() else {
        panic!("no request")
    };
    let last = holder
        .respond(approve_all(&documents), true, false)
        .unwrap();
    assert!(matches!(
        reader.handle_response(last.message, None).unwrap(),
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
        holder.respond(vec![], false, false),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    assert!(matches!(
        reader.handle_response(vec![0xa0], None),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    let establishment = reader.send_request(asks(&["family_name"])).unwrap();
    assert!(matches!(
        reader.send_request(asks(&["family_name"])),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    holder.handle_establishment(establishment.clone()).unwrap();
    assert!(matches!(
        holder.handle_establishment(establishment),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    // A bad approval leaves the request pending.
    assert!(matches!(
        holder.respond(vec![], false, false),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    let declined = holder.decline().unwrap();
    assert!(matches!(
        reader.handle_response(declined, None).unwrap(),
        ReaderOutcome::Terminated
    ));
    assert!(log_is_empty(&s.wallet));
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

fn answered(outcome: ReaderOutcome) -> VerifiedResponse {
    match outcome {
        ReaderOutcome::Response { response } | ReaderOutcome::FinalResponse { response } => {
            response
        }
        ReaderOutcome::Terminated => panic!("no response"),
    }
}

#[test]
fn a_session_answered_with_device_mac_verifies_at_the_reader() {
    let s = setup(software_secure_area());
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    let documents = holder
        .handle_establishment(reader.send_request(asks(&["family_name"])).unwrap())
        .unwrap();
    let answer = holder
        .respond(approve_all(&documents), false, true)
        .unwrap();
    let response = answered(
        reader
            .handle_response(answer.message.clone(), None)
            .unwrap(),
    );
    assert_eq!(response.documents[0].device_auth, DeviceAuthMethod::Mac);
    assert_eq!(response.documents[0].issuer_signed.len(), 1);

    // The same session answered by signature, for contrast.
    let HolderEvent::Request { documents } = holder
        .handle_message(reader.send_request(asks(&["given_name"])).unwrap())
        .unwrap()
    else {
        panic!("no request")
    };
    let signed = holder
        .respond(approve_all(&documents), true, false)
        .unwrap();
    let response = answered(reader.handle_response(signed.message, None).unwrap());
    assert_eq!(
        response.documents[0].device_auth,
        DeviceAuthMethod::Signature
    );
}

#[test]
fn wallet_present_answers_with_device_mac_for_a_reader_key() {
    let s = setup(software_secure_area());
    let request = s
        .wallet
        .parse_request(request_for(&s, &["family_name"]), s.transcript.clone())
        .unwrap();
    let approvals = vec![Approval {
        document_index: 0,
        credential_id: s.credential_id.clone(),
        elements: vec![ElementId {
            namespace: NS.into(),
            identifier: "family_name".into(),
        }],
        present_inactive: false,
    }];
    // Not a point: refused before any copy is used.
    assert!(matches!(
        s.wallet
            .present(request.clone(), approvals.clone(), Some(vec![4; 65])),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    let e_reader = SoftwareKey::generate().unwrap();
    let shown = s
        .wallet
        .present(
            request,
            approvals,
            Some(e_reader.public().to_sec1_uncompressed()),
        )
        .unwrap();
    // A verifier without the reader's ephemeral private key cannot check a MAC: it fails
    // closed, naming device authentication.
    match s
        .verifier
        .verify(shown.response.clone(), s.transcript.clone(), None, None)
    {
        Err(ZhengzhaoError::VerificationFailed { check, .. }) => {
            assert_eq!(check, Check::DeviceAuthentication)
        }
        other => panic!("expected a device authentication failure, got {other:?}"),
    }
    // The reader holding it verifies the MAC (the core verifier, given the private key).
    let mut trust = TrustStore::new();
    trust
        .add_pem_or_der(&s.pki.iaca_certificate(), AnchorRole::IssuingAuthority)
        .unwrap();
    let transcript = SessionTranscript::parse_any(&s.transcript, &Limits::default()).unwrap();
    let verifier = CoreVerifier::new(trust);
    let verified = verifier
        .verify(
            &shown.response,
            &VerifyOptions::new(&transcript, UnixTime::now()).with_reader_key(&e_reader),
        )
        .unwrap();
    assert_eq!(
        verified.documents[0].device_auth,
        zhengzhao::verifier::DeviceAuthMethod::Mac
    );
    // Another reader's key does not.
    let other = SoftwareKey::generate().unwrap();
    let wrong = verifier
        .verify(
            &shown.response,
            &VerifyOptions::new(&transcript, UnixTime::now()).with_reader_key(&other),
        )
        .map(|_| ())
        .unwrap_err();
    assert_eq!(
        wrong.check(),
        zhengzhao::verifier::Check::DeviceAuthentication
    );
}

#[test]
fn two_phase_signing_inside_a_session() {
    let area = software_secure_area();
    let s = setup(area.clone());
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    let documents = holder
        .handle_establishment(
            reader
                .send_request(asks(&["family_name", "age_over_18"]))
                .unwrap(),
        )
        .unwrap();
    let prepared = holder.prepare_response(approve_all(&documents)).unwrap();
    let requests = prepared.signing_requests();
    assert_eq!(requests.len(), 1);
    // Not completable by the wallet's own path, nor with a wrong count: nothing changes.
    assert!(matches!(
        s.wallet
            .complete_presentation(prepared.clone(), vec![vec![]]),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    assert!(matches!(
        holder.complete_response(prepared.clone(), vec![], false),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    // The host signs outside (its biometric prompt), then completes and sends.
    let signatures = requests
        .iter()
        .map(|r| area.sign(r.key_alias.clone(), r.message.clone()).unwrap())
        .collect();
    let answer = holder
        .complete_response(prepared.clone(), signatures, false)
        .unwrap();
    assert_eq!(answer.disclosures.len(), 1);
    let response = answered(reader.handle_response(answer.message, None).unwrap());
    assert_eq!(
        response.documents[0].device_auth,
        DeviceAuthMethod::Signature
    );
    assert_eq!(response.documents[0].issuer_signed.len(), 2);
    // Once only, and not for the next request of the same session.
    assert!(matches!(
        holder.complete_response(prepared, vec![vec![0; 64]], false),
        Err(ZhengzhaoError::WrongState { .. })
    ));
    let HolderEvent::Request { documents } = holder
        .handle_message(reader.send_request(asks(&["given_name"])).unwrap())
        .unwrap()
    else {
        panic!("no request")
    };
    let stale = holder.prepare_response(approve_all(&documents)).unwrap();
    let fresh = holder.prepare_response(approve_all(&documents)).unwrap();
    // A wrong signature uses the prepared presentation up, the request stays pending.
    assert!(matches!(
        holder.complete_response(stale, vec![vec![1; 64]], false),
        Err(ZhengzhaoError::KeyStore { .. })
    ));
    assert!(!holder.is_ended());
    let r = &fresh.signing_requests()[0];
    let signature = area.sign(r.key_alias.clone(), r.message.clone()).unwrap();
    // The last answer ends the session in the same message.
    let answer = holder
        .complete_response(fresh, vec![signature], true)
        .unwrap();
    assert!(holder.is_ended());
    assert!(matches!(
        reader.handle_response(answer.message, None).unwrap(),
        ReaderOutcome::FinalResponse { .. }
    ));
}

/// An in-memory host storage whose calls on one collection fail while it is set.
#[derive(Default)]
struct BreakableStorage {
    records: Mutex<BTreeMap<(String, String), Vec<u8>>>,
    broken: Mutex<Option<RecordCollection>>,
}

impl BreakableStorage {
    fn check(&self, c: RecordCollection) -> Result<(String, ()), ZhengzhaoError> {
        if *self.broken.lock().unwrap() == Some(c) {
            return Err(ZhengzhaoError::Storage {
                reason: "disk unavailable".into(),
            });
        }
        Ok((format!("{c:?}"), ()))
    }
}

impl CredentialStorage for BreakableStorage {
    fn put(&self, c: RecordCollection, id: String, record: Vec<u8>) -> Result<(), ZhengzhaoError> {
        let (c, ()) = self.check(c)?;
        self.records.lock().unwrap().insert((c, id), record);
        Ok(())
    }
    fn get(&self, c: RecordCollection, id: String) -> Result<Option<Vec<u8>>, ZhengzhaoError> {
        let (c, ()) = self.check(c)?;
        Ok(self.records.lock().unwrap().get(&(c, id)).cloned())
    }
    fn delete(&self, c: RecordCollection, id: String) -> Result<bool, ZhengzhaoError> {
        let (c, ()) = self.check(c)?;
        Ok(self.records.lock().unwrap().remove(&(c, id)).is_some())
    }
    fn list(&self, c: RecordCollection) -> Result<Vec<String>, ZhengzhaoError> {
        let (c, ()) = self.check(c)?;
        Ok(self
            .records
            .lock()
            .unwrap()
            .keys()
            .filter(|(k, _)| *k == c)
            .map(|(_, id)| id.clone())
            .collect())
    }
}

#[test]
fn a_storage_failure_after_the_session_keys_exist_ends_it_with_status_20() {
    let storage = Arc::new(BreakableStorage::default());
    let s = setup_with(Wallet::new(software_secure_area(), storage.clone()));

    // Listing the candidates fails after the request was decrypted.
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    let establishment = reader.send_request(asks(&["family_name"])).unwrap();
    *storage.broken.lock().unwrap() = Some(RecordCollection::Credentials);
    assert!(matches!(
        holder.handle_establishment(establishment),
        Err(ZhengzhaoError::Storage { .. })
    ));
    assert!(holder.is_ended());
    let reply = holder.error_reply().expect("a status reply is due");
    assert!(matches!(
        reader.handle_response(reply, None).unwrap(),
        ReaderOutcome::Terminated
    ));
    *storage.broken.lock().unwrap() = None;

    // Recording the disclosure fails after the response was encrypted: nothing is sent
    // that the log does not show, and the reader is told the session ended.
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    let documents = holder
        .handle_establishment(reader.send_request(asks(&["family_name"])).unwrap())
        .unwrap();
    *storage.broken.lock().unwrap() = Some(RecordCollection::DisclosureLog);
    assert!(matches!(
        holder.respond(approve_all(&documents), false, false),
        Err(ZhengzhaoError::Storage { .. })
    ));
    assert!(holder.is_ended());
    assert!(matches!(
        reader
            .handle_response(holder.error_reply().unwrap(), None)
            .unwrap(),
        ReaderOutcome::Terminated
    ));
    *storage.broken.lock().unwrap() = None;
    assert!(log_is_empty(&s.wallet));

    // A further request whose candidates cannot be listed.
    let holder = HolderSession::new(s.wallet.clone(), ble()).unwrap();
    let reader = ReaderSession::from_qr(holder.qr_code(), s.verifier.clone()).unwrap();
    let documents = holder
        .handle_establishment(reader.send_request(asks(&["family_name"])).unwrap())
        .unwrap();
    let answer = holder
        .respond(approve_all(&documents), false, false)
        .unwrap();
    answered(reader.handle_response(answer.message, None).unwrap());
    let again = reader.send_request(asks(&["given_name"])).unwrap();
    *storage.broken.lock().unwrap() = Some(RecordCollection::Credentials);
    assert!(matches!(
        holder.handle_message(again),
        Err(ZhengzhaoError::Storage { .. })
    ));
    *storage.broken.lock().unwrap() = None;
    assert!(holder.is_ended());
    assert!(matches!(
        reader
            .handle_response(holder.error_reply().unwrap(), None)
            .unwrap(),
        ReaderOutcome::Terminated
    ));
}
