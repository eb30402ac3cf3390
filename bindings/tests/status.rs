//! Licence status through the bindings' API (the same API Kotlin, Swift and Python see): a
//! credential naming a status list, the host's resolver serving the list, and each outcome.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::*;
use zhengzhao_ffi::*;

const URI: &str = "https://dl.example.cn/status/7";

/// A host resolver serving one token, or failing as if offline.
struct HostResolver {
    token: Mutex<Option<Vec<u8>>>,
    calls: Mutex<Vec<String>>,
}

impl StatusResolver for HostResolver {
    fn resolve(&self, uri: String) -> Result<Vec<u8>, ZhengzhaoError> {
        self.calls.lock().unwrap().push(uri);
        self.token
            .lock()
            .unwrap()
            .clone()
            .ok_or_else(|| ZhengzhaoError::Internal {
                reason: "offline: no network".into(),
            })
    }
}

struct StatusSetup {
    s: Setup,
    publisher: Arc<StatusListPublisher>,
    index: u64,
    resolver: Arc<HostResolver>,
}

impl StatusSetup {
    fn new() -> Self {
        let s = setup(software_secure_area());
        let publisher = StatusListPublisher::new(URI.into(), 2, 4096).unwrap();
        let index = publisher.allocate().unwrap();
        let pending = s.wallet.prepare(1).unwrap();
        let now = SystemTime::now();
        let credential = s
            .issuer
            .issue(IssuanceRequest {
                doc_type: MDL.into(),
                elements: licence_elements(),
                device_public_key: pending.device_keys().remove(0),
                signed: now,
                valid_from: now,
                valid_until: now + Duration::from_secs(365 * 86_400),
                decoys: 0,
                status_list: None,
                cn_status_list: Some(StatusListReference {
                    uri: URI.into(),
                    index,
                    certificate: None,
                }),
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
        let resolver = Arc::new(HostResolver {
            token: Mutex::new(None),
            calls: Mutex::new(vec![]),
        });
        let mut st = StatusSetup {
            s,
            publisher,
            index,
            resolver,
        };
        st.s.credential_id = id;
        st.publish();
        st
    }

    /// Signs the list as it is now and serves it.
    fn publish(&self) {
        let token = self
            .publisher
            .sign(
                self.s.pki.secure_area(),
                self.s.pki.status_signer_key_alias(),
                vec![self.s.pki.status_signer_certificate()],
                None,
            )
            .unwrap();
        *self.resolver.token.lock().unwrap() = Some(token);
    }

    fn verify(&self, accept_undetermined: bool) -> Result<VerifiedResponse, ZhengzhaoError> {
        let checker = StatusChecker::new(self.resolver.clone(), accept_undetermined, None, None);
        let response = present(&self.s, &["family_name"]).unwrap();
        self.s
            .verifier
            .verify(response, self.s.transcript.clone(), None, Some(checker))
    }
}

#[test]
fn a_listed_valid_credential_verifies_with_status_valid() {
    let st = StatusSetup::new();
    let verified = st.verify(false).unwrap();
    assert_eq!(verified.documents[0].status, StatusOutcome::Valid);
    assert!(verified.documents[0].unchecked.is_empty());
    assert!(verified
        .checks
        .iter()
        .any(|c| c.check == Check::Status && c.document == 0));
    assert_eq!(*st.resolver.calls.lock().unwrap(), vec![URI.to_owned()]);
    // Without a checker the status is reported as not checked.
    let response = present(&st.s, &["family_name"]).unwrap();
    let unchecked =
        st.s.verifier
            .verify(response, st.s.transcript.clone(), None, None)
            .unwrap();
    assert_eq!(unchecked.documents[0].status, StatusOutcome::NotChecked);
    assert_eq!(unchecked.documents[0].unchecked, vec!["status".to_owned()]);
}

#[test]
fn revoked_suspended_and_overdue_are_typed_errors() {
    let st = StatusSetup::new();
    st.publisher.set(st.index, ListStatus::Invalid).unwrap();
    st.publish();
    assert!(matches!(
        st.verify(false),
        Err(ZhengzhaoError::Revoked { document: 0 })
    ));
    st.publisher.set(st.index, ListStatus::Suspended).unwrap();
    assert_eq!(
        st.publisher.status(st.index).unwrap(),
        ListStatus::Suspended
    );
    st.publish();
    // Accepting undetermined statuses never accepts a definite one.
    assert!(matches!(
        st.verify(true),
        Err(ZhengzhaoError::Suspended { document: 0 })
    ));
    st.publisher
        .set(st.index, ListStatus::ApplicationSpecific { value: 3 })
        .unwrap();
    st.publish();
    assert!(matches!(
        st.verify(false),
        Err(ZhengzhaoError::StatusApplicationSpecific {
            document: 0,
            value: 3
        })
    ));
}

#[test]
fn a_failing_resolver_is_undetermined_and_accepted_only_when_asked() {
    let st = StatusSetup::new();
    *st.resolver.token.lock().unwrap() = None;
    match st.verify(false) {
        Err(ZhengzhaoError::StatusUndetermined { document, reason }) => {
            assert_eq!(document, 0);
            assert!(reason.contains("offline: no network"), "{reason}");
        }
        other => panic!("expected StatusUndetermined, got {other:?}"),
    }
    let verified = st.verify(true).unwrap();
    assert!(matches!(
        &verified.documents[0].status,
        StatusOutcome::Undetermined { reason } if reason.contains("offline: no network")
    ));
}

#[test]
fn a_list_signed_by_the_document_signer_is_undetermined_never_valid() {
    let st = StatusSetup::new();
    let forged = st
        .publisher
        .sign(
            st.s.pki.secure_area(),
            st.s.pki.document_signer_key_alias(),
            vec![st.s.pki.document_signer_certificate()],
            None,
        )
        .unwrap();
    *st.resolver.token.lock().unwrap() = Some(forged);
    assert!(matches!(
        st.verify(false),
        Err(ZhengzhaoError::StatusUndetermined { .. })
    ));
}

#[test]
fn the_checker_caches_lists_between_verifications() {
    let st = StatusSetup::new();
    let checker = StatusChecker::new(st.resolver.clone(), false, Some(3600), None);
    for _ in 0..2 {
        let response = present(&st.s, &["family_name"]).unwrap();
        let verified =
            st.s.verifier
                .verify(
                    response,
                    st.s.transcript.clone(),
                    None,
                    Some(checker.clone()),
                )
                .unwrap();
        assert_eq!(verified.documents[0].status, StatusOutcome::Valid);
    }
    assert_eq!(st.resolver.calls.lock().unwrap().len(), 1);
    assert_eq!(checker.cache_stats().hits, 1);
    checker.clear_cache();
    assert!(!checker.accepts_undetermined());
}

#[test]
fn publisher_input_is_checked() {
    assert!(matches!(
        StatusListPublisher::new(URI.into(), 3, 16),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    let one_bit = StatusListPublisher::new(URI.into(), 1, 16).unwrap();
    assert!(matches!(
        one_bit.set(0, ListStatus::Suspended),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    assert!(matches!(
        one_bit.set(16, ListStatus::Invalid),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    assert!(matches!(
        one_bit.set(0, ListStatus::ApplicationSpecific { value: 4 }),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}

/// A proximity session whose reader checks status: the holder answers by `deviceMac` (so the
/// reader's ephemeral key is needed again at verification), first valid, then revoked.
#[test]
fn a_reader_session_checks_status_too() {
    let st = StatusSetup::new();
    let checker = StatusChecker::new(st.resolver.clone(), false, None, None);
    let exchange = |checker: Arc<StatusChecker>| {
        let holder = HolderSession::new(
            st.s.wallet.clone(),
            vec![RetrievalMethod::BlePeripheralServer {
                uuid: vec![0x42; 16],
            }],
        )
        .unwrap();
        let reader = ReaderSession::from_qr(holder.qr_code(), st.s.verifier.clone()).unwrap();
        let establishment = reader
            .send_request(vec![document_request(MDL, NS, &["family_name"], None)])
            .unwrap();
        let documents = holder.handle_establishment(establishment).unwrap();
        let approval = Approval {
            document_index: 0,
            credential_id: st.s.credential_id.clone(),
            elements: vec![ElementId {
                namespace: NS.into(),
                identifier: "family_name".into(),
            }],
            present_inactive: false,
        };
        assert!(documents[0]
            .candidates
            .iter()
            .any(|c| c.credential.id == st.s.credential_id));
        let answer = holder.respond(vec![approval], false, true).unwrap();
        let outcome = reader.handle_response(answer.message, Some(checker));
        (reader, outcome)
    };
    let (_, outcome) = exchange(checker.clone());
    let Ok(ReaderOutcome::Response { response }) = outcome else {
        panic!("expected a verified response, got {outcome:?}")
    };
    assert_eq!(response.documents[0].status, StatusOutcome::Valid);
    assert_eq!(response.documents[0].device_auth, DeviceAuthMethod::Mac);

    st.publisher.set(st.index, ListStatus::Invalid).unwrap();
    st.publish();
    checker.clear_cache();
    let (reader, outcome) = exchange(checker);
    assert!(matches!(
        outcome,
        Err(ZhengzhaoError::Revoked { document: 0 })
    ));
    assert!(reader.is_ended());
}

/// Presents `family_name` from the status credential, with or without the inactive flag.
fn present_status_credential(
    st: &StatusSetup,
    present_inactive: bool,
) -> Result<Presentation, ZhengzhaoError> {
    let request = st.s.wallet.parse_request(
        request_for(&st.s, &["family_name"]),
        st.s.transcript.clone(),
    )?;
    st.s.wallet.present(
        request,
        vec![Approval {
            document_index: 0,
            credential_id: st.s.credential_id.clone(),
            elements: vec![ElementId {
                namespace: NS.into(),
                identifier: "family_name".into(),
            }],
            present_inactive,
        }],
        None,
    )
}

/// The holder's side: the wallet refreshes the credential's status through the host's
/// resolver, records it in the metadata with the colour to show, and refuses to present a
/// suspended credential unless the host says so.
#[test]
fn the_wallet_refreshes_status_and_colours_the_credential() {
    let st = StatusSetup::new();
    let wallet = &st.s.wallet;
    let id = st.s.credential_id.clone();
    wallet
        .add_issuing_authority(st.s.pki.iaca_certificate())
        .unwrap();
    let checker = || StatusChecker::new(st.resolver.clone(), false, None, None);

    let before = wallet.metadata(id.clone()).unwrap();
    assert_eq!(
        (before.status_check, before.qr_colour),
        (None, QrColour::Green)
    );

    // Whole seconds: the wallet records times to the second.
    let at = SystemTime::UNIX_EPOCH
        + Duration::from_secs(
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        );
    let valid = wallet
        .refresh_status(id.clone(), checker(), Some(at))
        .unwrap();
    assert_eq!(
        valid.status_check,
        Some(StatusCheck {
            at,
            outcome: CheckedStatus::Valid
        })
    );
    assert_eq!(
        (valid.status, valid.qr_colour),
        (CredentialStatus::Active, QrColour::Green)
    );
    assert_eq!(st.resolver.calls.lock().unwrap().len(), 1);

    // Offline while active: grey, the status left as it was.
    *st.resolver.token.lock().unwrap() = None;
    let offline = wallet.refresh_status(id.clone(), checker(), None).unwrap();
    assert!(matches!(
        offline.status_check.as_ref().map(|c| &c.outcome),
        Some(CheckedStatus::Undetermined { reason }) if reason.contains("offline: no network")
    ));
    assert_eq!(
        (offline.status, offline.qr_colour),
        (CredentialStatus::Active, QrColour::Grey)
    );
    assert_eq!(
        wallet.metadata(id.clone()).unwrap().qr_colour,
        QrColour::Grey
    );

    st.publisher.set(st.index, ListStatus::Suspended).unwrap();
    st.publish();
    let suspended = wallet.refresh_status(id.clone(), checker(), None).unwrap();
    assert_eq!(
        suspended.status_check.as_ref().map(|c| &c.outcome),
        Some(&CheckedStatus::Suspended)
    );
    assert_eq!(
        (suspended.status, suspended.qr_colour),
        (CredentialStatus::Suspended, QrColour::Red)
    );
    // Stored: the metadata read back says the same.
    assert_eq!(
        wallet.metadata(id.clone()).unwrap().status_check,
        suspended.status_check
    );

    // A suspended credential is no candidate and is refused, unless the host says so.
    let request = wallet
        .parse_request(
            request_for(&st.s, &["family_name"]),
            st.s.transcript.clone(),
        )
        .unwrap();
    assert!(request.documents()[0]
        .candidates
        .iter()
        .all(|c| c.credential.id != id));
    assert!(matches!(
        present_status_credential(&st, false),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
    let presented = present_status_credential(&st, true).unwrap();
    assert_eq!(presented.disclosures[0].credential_id, id);

    // Offline while suspended: undetermined, still suspended (never "valid"), still red.
    *st.resolver.token.lock().unwrap() = None;
    let unknown = wallet.refresh_status(id.clone(), checker(), None).unwrap();
    assert!(matches!(
        unknown.status_check.as_ref().map(|c| &c.outcome),
        Some(CheckedStatus::Undetermined { .. })
    ));
    assert_eq!(
        (unknown.status, unknown.qr_colour),
        (CredentialStatus::Suspended, QrColour::Red)
    );

    // The suspension lifted: active and green again.
    st.publisher.set(st.index, ListStatus::Valid).unwrap();
    st.publish();
    let lifted = wallet.refresh_status(id.clone(), checker(), None).unwrap();
    assert_eq!(
        (lifted.status, lifted.qr_colour),
        (CredentialStatus::Active, QrColour::Green)
    );
}

#[test]
fn refresh_all_status_reports_each_credential() {
    let st = StatusSetup::new();
    st.s.wallet
        .add_issuing_authority(st.s.pki.iaca_certificate())
        .unwrap();
    st.publisher.set(st.index, ListStatus::Invalid).unwrap();
    st.publish();
    let checker = StatusChecker::new(st.resolver.clone(), false, None, None);
    let results = st.s.wallet.refresh_all_status(checker, None).unwrap();
    assert_eq!(results.len(), 2);
    let mut listed = 0;
    for result in results {
        let StatusRefresh::Refreshed { credential } = result else {
            panic!("expected every credential refreshed, got {result:?}")
        };
        if credential.id == st.s.credential_id {
            listed += 1;
            assert_eq!(
                credential.status_check.map(|c| c.outcome),
                Some(CheckedStatus::Revoked)
            );
            assert_eq!(
                (credential.status, credential.qr_colour),
                (CredentialStatus::Revoked, QrColour::Red)
            );
        } else {
            // The other licence names no status list: never checked, still green.
            assert_eq!(
                (credential.status_check, credential.qr_colour),
                (None, QrColour::Green)
            );
        }
    }
    assert_eq!(listed, 1);
    // Revoked for good: a later "valid" list does not bring it back.
    st.publisher.set(st.index, ListStatus::Valid).unwrap();
    st.publish();
    let checker = StatusChecker::new(st.resolver.clone(), false, None, None);
    let again =
        st.s.wallet
            .refresh_status(st.s.credential_id.clone(), checker, None)
            .unwrap();
    assert_eq!(again.status, CredentialStatus::Revoked);
}

#[test]
fn refresh_status_rejects_an_unknown_id() {
    let st = StatusSetup::new();
    let checker = StatusChecker::new(st.resolver.clone(), false, None, None);
    assert!(matches!(
        st.s.wallet
            .refresh_status("not an id".into(), checker, None),
        Err(ZhengzhaoError::InvalidInput { .. })
    ));
}
