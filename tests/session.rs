//! Proximity sessions (ISO/IEC 18013-5 §9) through the public API: the Annex D session
//! vectors, and our holder and reader completing exchanges purely through bytes.

mod common;

use common::fixture::{fixture, Fixture, MDL, NS};
use common::{at, hex_vector};
use zhengzhao::cbor::{encode, Embedded, Limits, Value};
use zhengzhao::cose::CoseKey;
use zhengzhao::crypto::{EcPublicKey, SoftwareKey};
use zhengzhao::holder::{HolderError, ReaderIdentity, RequestOptions};
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::session::{
    Approval, AwaitingConsent, AwaitingResponse, DeviceAuthKey, DeviceEngagement, EngagementError,
    Handover, HolderEvent, HolderSession, ReaderConnected, ReaderOutcome, ReaderSession,
    RetrievalMethod, Role, SessionCipher, SessionData, SessionError, SessionEstablishment,
    SessionKeys, SessionStatus,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::trust::TrustStore;
use zhengzhao::verifier::{DeviceAuthMethod, VerifiedResponse, Verifier};

const D: &str = "iso18013-5-annex-d";

fn v(name: &str) -> Vec<u8> {
    hex_vector(&format!("{D}/{name}.hex"))
}

mod annex_d {
    use super::*;

    fn key(name: &str) -> SoftwareKey {
        SoftwareKey::from_bytes(&v(&format!("{name}.d"))).unwrap()
    }

    fn nfc_handover() -> Handover {
        Handover::from_cbor(&v("handover"), &Limits::default()).unwrap()
    }

    fn engagement_in_transcript() -> DeviceEngagement {
        DeviceEngagement::parse(&v("device_engagement_in_transcript")).unwrap()
    }

    fn reader_trust() -> TrustStore {
        let mut s = TrustStore::new();
        s.add_pem_or_der(
            &v("reader_root_cert.der"),
            zhengzhao::trust::AnchorRole::ReaderAuthority,
        )
        .unwrap();
        s
    }

    fn iaca() -> TrustStore {
        let mut s = TrustStore::new();
        s.add_pem_or_der(
            &v("iaca_root_cert.der"),
            zhengzhao::trust::AnchorRole::IssuingAuthority,
        )
        .unwrap();
        s
    }

    #[test]
    fn qr_engagement_parses_keeps_ble_and_reserialises_byte_identically() {
        let bytes = v("device_engagement");
        let engagement = DeviceEngagement::parse(&bytes).unwrap();
        assert_eq!(engagement.version(), "1.0");
        assert_eq!(engagement.bytes(), bytes);
        assert_eq!(encode(&engagement.to_value()), bytes);
        assert_eq!(
            engagement.e_device_key_bytes().tagged_bytes(),
            v("e_device_key_bytes")
        );
        let device_key = EcPublicKey::from_coordinates(
            &v("ephemeral_device_key.x"),
            &v("ephemeral_device_key.y"),
        )
        .unwrap();
        assert_eq!(engagement.e_device_key(), &device_key);
        let [RetrievalMethod::Ble { version, options }] = engagement.retrieval_methods() else {
            panic!("one BLE method")
        };
        assert_eq!(*version, 1);
        assert!(!options.peripheral_server_mode);
        assert!(options.central_client_mode);
        assert_eq!(
            options.central_client_uuid.as_deref(),
            Some(
                hex::decode("45efef742b2c4837a9a3b0e1d05a6917")
                    .unwrap()
                    .as_slice()
            )
        );
        assert_eq!(engagement.origin_infos(), None);
        // Its QR code round-trips to the same bytes.
        let qr = engagement.to_qr();
        assert_eq!(DeviceEngagement::from_qr(&qr).unwrap().bytes(), bytes);
        // DeviceEngagementBytes is tag 24 over exactly the bytes received.
        let tagged =
            Embedded::from_tagged_bytes(engagement.tagged_bytes(), &Limits::default()).unwrap();
        assert_eq!(tagged.content(), bytes);
    }

    #[test]
    fn the_engagement_in_the_transcript_reserialises_too() {
        let bytes = v("device_engagement_in_transcript");
        let engagement = DeviceEngagement::parse(&bytes).unwrap();
        assert!(engagement.retrieval_methods().is_empty());
        assert_eq!(encode(&engagement.to_value()), bytes);
    }

    #[test]
    fn session_keys_and_ciphertexts_through_the_public_api() {
        let transcript = SessionTranscript::from_tagged_bytes(
            &v("session_transcript_bytes"),
            &Limits::default(),
        )
        .unwrap();
        let establishment =
            SessionEstablishment::parse(&v("session_establishment"), &Limits::default()).unwrap();
        assert_eq!(
            establishment.e_reader_key_bytes().tagged_bytes(),
            v("e_reader_key_bytes")
        );
        let device_key = key("ephemeral_device_key");
        let keys =
            SessionKeys::derive(&device_key, establishment.e_reader_key(), &transcript).unwrap();
        let mut holder = SessionCipher::new(keys, Role::Holder).unwrap();
        assert_eq!(
            holder.decrypt(establishment.data()).unwrap(),
            v("device_request")
        );

        let reader_key = key("ephemeral_reader_key");
        let keys = SessionKeys::derive(&reader_key, &device_key.public(), &transcript).unwrap();
        let mut reader = SessionCipher::new(keys, Role::Reader).unwrap();
        assert_eq!(
            reader.encrypt(&v("device_request")).unwrap(),
            establishment.data()
        );
        let session_data = SessionData::parse(&v("session_data"), &Limits::default()).unwrap();
        assert_eq!(session_data.status(), None);
        assert_eq!(
            reader.decrypt(session_data.data().unwrap()).unwrap(),
            v("device_response")
        );

        // EMacKey: the reader's ephemeral key with the static device key.
        let static_device_key =
            EcPublicKey::from_coordinates(&v("static_device_key.x"), &v("static_device_key.y"))
                .unwrap();
        let e_mac_key = zhengzhao::crypto::e_mac_key(
            &zhengzhao::crypto::RustCrypto,
            &reader_key,
            &static_device_key,
            transcript.tagged_bytes(),
        )
        .unwrap();
        assert_eq!(e_mac_key.as_slice(), v("emac_key"));
    }

    #[test]
    fn termination_vector_is_status_20() {
        let msg = SessionData::parse(&v("session_termination"), &Limits::default()).unwrap();
        assert_eq!(msg.status(), Some(SessionStatus::Termination));
        assert_eq!(msg.data(), None);
    }

    #[test]
    fn holder_state_machine_reads_the_annex_d_establishment() {
        let holder = HolderSession::with_engagement(
            engagement_in_transcript(),
            Box::new(key("ephemeral_device_key")),
        )
        .unwrap()
        .with_handover(nfc_handover());
        let options =
            RequestOptions::new(at("2021-01-01T00:00:00Z")).with_reader_trust(reader_trust());
        let consent = holder
            .handle_establishment(&v("session_establishment"), &options)
            .unwrap();
        assert_eq!(
            consent.transcript().tagged_bytes(),
            v("session_transcript_bytes")
        );
        let docs = consent.request().documents();
        assert_eq!(docs.len(), 1);
        match docs[0].reader() {
            ReaderIdentity::Authenticated { subject, .. } => assert_eq!(subject, "CN=reader"),
            other => panic!("reader not authenticated: {other:?}"),
        }
        let requested = docs[0].requested();
        assert_eq!(requested.len(), 6);
        assert!(requested
            .iter()
            .any(|e| e.identifier == "portrait" && !e.intent_to_retain));
    }

    #[test]
    fn holder_with_a_key_other_than_the_engagements_is_refused() {
        let result = HolderSession::with_engagement(
            engagement_in_transcript(),
            Box::new(key("ephemeral_reader_key")),
        );
        assert!(matches!(result, Err(SessionError::KeyMismatch)));
    }

    #[test]
    fn reader_state_machine_reproduces_the_establishment_and_verifies_the_response() {
        let reader = ReaderSession::new(
            engagement_in_transcript(),
            nfc_handover(),
            Box::new(key("ephemeral_reader_key")),
        )
        .unwrap();
        assert_eq!(
            reader.transcript().tagged_bytes(),
            v("session_transcript_bytes")
        );
        let request = DeviceRequest::parse(&v("device_request"), &Limits::default()).unwrap();
        let (reader, establishment) = reader.send_request(&request).unwrap();
        assert_eq!(establishment, v("session_establishment"));

        let outcome = reader
            .handle_response(
                &v("session_data"),
                &common::verifier(iaca()),
                at("2021-01-01T00:00:00Z"),
            )
            .unwrap();
        let ReaderOutcome::Response { response, session } = outcome else {
            panic!("a response that keeps the session open")
        };
        let doc = &response.documents[0];
        assert_eq!(doc.device_auth, DeviceAuthMethod::Mac);
        assert_eq!(doc.issuer_signed[NS].len(), 6);
        assert_eq!(doc.issuer_signed[NS]["family_name"], Value::text("Doe"));
        assert_eq!(session.terminate(), v("session_termination"));
    }

    #[test]
    fn reader_rejects_the_annex_d_response_when_it_is_out_of_date() {
        let reader = ReaderSession::new(
            engagement_in_transcript(),
            nfc_handover(),
            Box::new(key("ephemeral_reader_key")),
        )
        .unwrap();
        let request = DeviceRequest::parse(&v("device_request"), &Limits::default()).unwrap();
        let (reader, _) = reader.send_request(&request).unwrap();
        let result = reader.handle_response(
            &v("session_data"),
            &common::verifier(iaca()),
            UnixTime::now(),
        );
        assert!(matches!(result, Err(SessionError::Verification(_))));
    }
}

/// A generated issuer and credential, and a reader PKI.
struct World {
    f: Fixture,
    reader_pki: TestPki,
}

fn world() -> World {
    World {
        f: fixture(),
        reader_pki: TestPki::generate(UnixTime::now()).unwrap(),
    }
}

impl World {
    fn holder_options(&self) -> RequestOptions {
        RequestOptions::new(self.f.now).with_reader_trust(self.reader_pki.reader_trust_store())
    }

    fn verifier(&self) -> Verifier {
        common::verifier(self.f.trust.clone())
    }

    /// A request for `elements`, signed by the reader for `transcript`.
    fn request(&self, elements: &[&str], transcript: &SessionTranscript) -> DeviceRequest {
        let mut items = ItemsRequest::new(MDL);
        for e in elements {
            items = items.with_element(NS, *e, false);
        }
        let doc = DocRequest::new(items)
            .sign_reader_auth(
                &self.reader_pki.reader_key,
                &[self.reader_pki.reader.der().to_vec()],
                transcript,
            )
            .unwrap();
        DeviceRequest::new(vec![doc])
    }

    fn approve_all<'a>(&'a self, consent: &AwaitingConsent, mac: bool) -> Vec<Approval<'a>> {
        let doc = &consent.request().documents()[0];
        let key = if mac {
            DeviceAuthKey::Mac(&self.f.device_key)
        } else {
            DeviceAuthKey::Signature(&self.f.device_key)
        };
        vec![Approval::new(
            0,
            &self.f.credential,
            doc.disclosable(&self.f.credential),
            key,
        )]
    }

    /// Engages by QR and delivers a first request; returns the holder awaiting consent and
    /// the reader awaiting the response.
    fn start(&self, elements: &[&str]) -> (AwaitingConsent, AwaitingResponse, Vec<u8>) {
        let holder = HolderSession::engage(Vec::new())
            .unwrap()
            .with_provider(common::provider());
        let qr = holder.qr_code();
        let reader = ReaderSession::from_qr(&qr)
            .unwrap()
            .with_provider(common::provider());
        let request = self.request(elements, reader.transcript());
        let (reader, establishment) = reader.send_request(&request).unwrap();
        let consent = holder
            .handle_establishment(&establishment, &self.holder_options())
            .unwrap();
        (consent, reader, establishment)
    }

    /// The verified response, and the reader's session if the holder kept it open.
    fn verified(
        &self,
        reader: AwaitingResponse,
        msg: &[u8],
    ) -> (VerifiedResponse, Option<ReaderConnected>) {
        match reader
            .handle_response(msg, &self.verifier(), self.f.now)
            .unwrap()
        {
            ReaderOutcome::Response { response, session } => (response, Some(session)),
            ReaderOutcome::FinalResponse(response) => (response, None),
            _ => panic!("the holder ended the session without a response"),
        }
    }
}

#[test]
fn holder_and_reader_complete_an_exchange_through_bytes_with_termination() {
    let w = world();
    let (consent, reader, _) = w.start(&["family_name", "age_over_18", "not_held"]);
    let doc = &consent.request().documents()[0];
    match doc.reader() {
        ReaderIdentity::Authenticated { subject, .. } => {
            assert!(subject.contains("CN="), "{subject}")
        }
        other => panic!("reader not authenticated: {other:?}"),
    }
    assert_eq!(doc.disclosable(&w.f.credential).len(), 2);
    let approvals = w.approve_all(&consent, false);
    let (holder, response) = consent.respond(&approvals).unwrap();

    let (verified, reader) = w.verified(reader, &response);
    let doc = &verified.documents[0];
    assert_eq!(doc.device_auth, DeviceAuthMethod::Signature);
    let els = &doc.issuer_signed[NS];
    assert_eq!(els.len(), 2);
    assert_eq!(els["family_name"], Value::text("张"));
    assert_eq!(els["age_over_18"], Value::Bool(true));

    let termination = reader.unwrap().terminate();
    assert_eq!(termination, b"\xa1\x66status\x14");
    assert!(matches!(
        holder
            .handle_message(&termination, &w.holder_options())
            .unwrap(),
        HolderEvent::Terminated
    ));
}

#[test]
fn a_second_request_in_the_same_session_and_holder_termination() {
    let w = world();
    let (consent, reader, _) = w.start(&["family_name"]);
    let approvals = w.approve_all(&consent, false);
    let (holder, response) = consent.respond(&approvals).unwrap();
    let (_, reader) = w.verified(reader, &response);
    let reader = reader.unwrap();

    // Second request, now as SessionData with reader counter 2.
    let request = w.request(&["birth_date"], reader.transcript());
    let (reader, message) = reader.send_request(&request).unwrap();
    let HolderEvent::Request(consent) = holder
        .handle_message(&message, &w.holder_options())
        .unwrap()
    else {
        panic!("a request")
    };
    // The holder answers with deviceMac and ends the session in the same message.
    let approvals = w.approve_all(&consent, true);
    let last = consent.respond_and_terminate(&approvals).unwrap();
    let (verified, reader) = w.verified(reader, &last);
    assert!(reader.is_none(), "the holder ended the session");
    let doc = &verified.documents[0];
    assert_eq!(doc.device_auth, DeviceAuthMethod::Mac);
    assert!(doc.issuer_signed[NS].contains_key("birth_date"));
    assert!(!doc.issuer_signed[NS].contains_key("family_name"));
}

#[test]
fn holder_can_decline() {
    let w = world();
    let (consent, reader, _) = w.start(&["family_name"]);
    let decline = consent.decline();
    assert!(matches!(
        reader
            .handle_response(&decline, &w.verifier(), w.f.now)
            .unwrap(),
        ReaderOutcome::Terminated
    ));
}

/// A DeviceResponse for `consent`'s first requested document, built by hand with two-phase
/// signing: prepare, sign outside (the host key store, after a biometric prompt), complete.
fn two_phase_response(w: &World, consent: &AwaitingConsent) -> Vec<u8> {
    use zhengzhao::holder::ResponseBuilder;
    let doc = &consent.request().documents()[0];
    let pending = ResponseBuilder::new(consent.transcript())
        .prepare_document(&w.f.credential, doc, &doc.disclosable(&w.f.credential))
        .unwrap();
    let signature =
        zhengzhao::crypto::Signer::sign(&w.f.device_key, pending.to_be_signed()).unwrap();
    let mut builder = ResponseBuilder::new(consent.transcript());
    builder.add_completed(pending.complete(&signature).unwrap());
    builder.finish()
}

#[test]
fn two_phase_signing_through_send_response() {
    let w = world();
    let (consent, reader, _) = w.start(&["age_over_18"]);
    let response = two_phase_response(&w, &consent);
    let (_, message) = consent.send_response(&response).unwrap();
    let (verified, _) = w.verified(reader, &message);
    assert_eq!(verified.documents[0].issuer_signed[NS].len(), 1);
}

#[test]
fn two_phase_response_can_end_the_session_in_the_same_message() {
    let w = world();
    let (consent, reader, _) = w.start(&["age_over_18", "family_name"]);
    let response = two_phase_response(&w, &consent);
    let last = consent.send_response_and_terminate(&response).unwrap();
    // One message carries the response and status 20: the reader verifies, then is done.
    let parsed = SessionData::parse(&last, &Limits::default()).unwrap();
    assert_eq!(parsed.status(), Some(SessionStatus::Termination));
    let (verified, reader) = w.verified(reader, &last);
    assert!(reader.is_none(), "the holder ended the session");
    assert_eq!(verified.documents[0].issuer_signed[NS].len(), 2);
}

#[test]
fn replayed_and_reordered_messages_are_rejected() {
    let w = world();
    let (consent, reader, establishment) = w.start(&["family_name"]);
    let approvals = w.approve_all(&consent, false);
    let (holder, response) = consent.respond(&approvals).unwrap();
    let (_, reader) = w.verified(reader, &response);
    let reader = reader.unwrap();

    // The establishment's ciphertext replayed as a SessionData: a replay.
    let est = SessionEstablishment::parse(&establishment, &Limits::default()).unwrap();
    let replay = SessionData::with_data(est.data().to_vec()).to_bytes();
    let err = holder
        .handle_message(&replay, &w.holder_options())
        .err()
        .unwrap();
    assert!(matches!(err, SessionError::Replayed), "{err}");
    assert_eq!(err.reply_status(), Some(SessionStatus::EncryptionError));

    // The holder's response replayed to the reader after a second request: a replay.
    let request = w.request(&["birth_date"], reader.transcript());
    let (reader, _) = reader.send_request(&request).unwrap();
    let err = reader
        .handle_response(&response, &w.verifier(), w.f.now)
        .err()
        .unwrap();
    assert!(matches!(err, SessionError::Replayed), "{err}");
}

#[test]
fn a_message_from_ahead_is_out_of_order() {
    // The typestate does not let a reader send twice without a response in between, so
    // reordering is shown on the ciphers a session is built from.
    let a = SoftwareKey::generate().unwrap();
    let b = SoftwareKey::generate().unwrap();
    let t = SessionTranscript::new(None, None, &Value::Null);
    let keys = |own: &SoftwareKey, peer: &SoftwareKey| {
        SessionKeys::derive(own, &peer.public(), &t).unwrap()
    };
    let mut reader = SessionCipher::new(keys(&a, &b), Role::Reader).unwrap();
    let mut holder = SessionCipher::new(keys(&b, &a), Role::Holder).unwrap();
    let first = reader.encrypt(b"first").unwrap();
    let second = reader.encrypt(b"second").unwrap();
    assert!(matches!(
        holder.decrypt(&second),
        Err(SessionError::OutOfOrder {
            expected: 1,
            received: 2
        })
    ));
    assert_eq!(holder.decrypt(&first).unwrap(), b"first");
    assert_eq!(holder.decrypt(&second).unwrap(), b"second");
    assert!(matches!(
        holder.decrypt(&first),
        Err(SessionError::Replayed)
    ));
}

/// Replaces the ciphertext of a SessionData message.
fn with_ciphertext(message: &[u8], f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let parsed = SessionData::parse(message, &Limits::default()).unwrap();
    let mut data = parsed.data().unwrap().to_vec();
    f(&mut data);
    SessionData::with_data(data).to_bytes()
}

#[test]
fn wrong_key_truncated_ciphertext_and_tampered_tag_are_rejected() {
    let w = world();
    let (consent, _reader, _) = w.start(&["family_name"]);
    let approvals = w.approve_all(&consent, false);
    let (_, response) = consent.respond(&approvals).unwrap();

    // Wrong key: the same response handed to the reader of another session.
    let (_, other_reader, _) = w.start(&["family_name"]);
    let err = other_reader
        .handle_response(&response, &w.verifier(), w.f.now)
        .err()
        .unwrap();
    assert!(matches!(err, SessionError::Decryption), "{err}");

    // Each rejection ends a session: give each attempt its own.
    for what in ["truncated", "tampered tag", "tampered ciphertext"] {
        let (consent, reader, _) = w.start(&["family_name"]);
        let approvals = w.approve_all(&consent, false);
        let (_, response) = consent.respond(&approvals).unwrap();
        let message = with_ciphertext(&response, |d| match what {
            "truncated" => d.truncate(10),
            "tampered tag" => *d.last_mut().unwrap() ^= 0x01,
            _ => d[0] ^= 0x80,
        });
        let err = reader
            .handle_response(&message, &w.verifier(), w.f.now)
            .err()
            .unwrap();
        if what == "truncated" {
            assert!(matches!(err, SessionError::CiphertextTooShort), "{err}");
        } else {
            assert!(matches!(err, SessionError::Decryption), "{what}: {err}");
        }
        assert_eq!(err.reply_status(), Some(SessionStatus::EncryptionError));
    }
}

#[test]
fn the_holder_learns_of_failed_reader_authentication_before_consent() {
    let w = world();
    let holder = HolderSession::engage(Vec::new()).unwrap();
    let reader = ReaderSession::from_qr(&holder.qr_code()).unwrap();
    let request = w.request(&["family_name"], reader.transcript());
    let (_, establishment) = reader.send_request(&request).unwrap();
    // The holder trusts another reader CA.
    let other = TestPki::generate(w.f.now).unwrap();
    let options = RequestOptions::new(w.f.now).with_reader_trust(other.reader_trust_store());
    let err = holder
        .handle_establishment(&establishment, &options)
        .err()
        .unwrap();
    assert!(
        matches!(err, SessionError::Request(HolderError::ReaderChain(_))),
        "{err}"
    );
    assert_eq!(err.reply_status(), Some(SessionStatus::Termination));
}

#[test]
fn a_peer_error_status_ends_the_session() {
    let w = world();
    let (_consent, reader, _) = w.start(&["family_name"]);
    let status_10 = SessionData::with_status(SessionStatus::EncryptionError).to_bytes();
    let err = reader
        .handle_response(&status_10, &w.verifier(), w.f.now)
        .err()
        .unwrap();
    assert!(matches!(
        err,
        SessionError::PeerStatus(SessionStatus::EncryptionError)
    ));
    assert_eq!(err.reply_status(), None);
}

#[test]
fn malformed_messages_are_cbor_decoding_errors() {
    let w = world();
    let holder = HolderSession::engage(Vec::new()).unwrap();
    let err = holder
        .handle_establishment(b"\xa1\x64data\x40", &w.holder_options())
        .err()
        .unwrap();
    assert!(matches!(err, SessionError::Malformed(_)), "{err}");
    assert_eq!(err.reply_status(), Some(SessionStatus::CborDecodingError));
}

/// A holder and reader over a given handover; returns what the reader verified.
fn exchange_over(
    w: &World,
    holder_handover: Handover,
    reader_handover: Handover,
) -> Result<VerifiedResponse, SessionError> {
    let holder = HolderSession::engage(Vec::new())?.with_handover(holder_handover);
    // The engagement travels some other way (e.g. inside an NFC Handover Select message).
    let engagement = DeviceEngagement::parse(holder.engagement().bytes())?;
    let reader = ReaderSession::new(
        engagement,
        reader_handover,
        Box::new(SoftwareKey::generate().unwrap()),
    )?;
    let request = w.request(&["family_name"], reader.transcript());
    let (reader, establishment) = reader.send_request(&request)?;
    let consent = holder.handle_establishment(&establishment, &w.holder_options())?;
    let approvals = w.approve_all(&consent, true);
    let (_, response) = consent.respond(&approvals)?;
    match reader.handle_response(&response, &w.verifier(), w.f.now)? {
        ReaderOutcome::Response { response, .. } => Ok(response),
        _ => panic!("a response"),
    }
}

#[test]
fn nfc_and_open_handovers_bind_the_transcript() {
    let w = world();
    let nfc = Handover::nfc(b"\x91\x02\x0fHs select", Some(b"\x91\x02\x0fHr request"));
    let verified = exchange_over(&w, nfc.clone(), nfc.clone()).unwrap();
    assert_eq!(verified.documents[0].device_auth, DeviceAuthMethod::Mac);

    // An open handover, spliced as given even in a non-preferred encoding (a one-byte
    // integer written in two bytes), as OpenID4VP or the Digital Credentials API would
    // supply it.
    let open = Handover::from_cbor(b"\x82\x18\x01\x63abc", &Limits::default()).unwrap();
    assert_eq!(open.as_bytes(), b"\x82\x18\x01\x63abc");
    exchange_over(&w, open.clone(), open.clone()).unwrap();

    // The two sides disagreeing about the handover derive different keys.
    let err = exchange_over(&w, nfc, Handover::qr()).err().unwrap();
    assert!(matches!(err, SessionError::Decryption), "{err}");
}

mod qr {
    use super::*;

    fn qr_of(bytes: &[u8]) -> String {
        // Encode through an engagement-shaped round trip is not possible for invalid
        // content, so build the text with a tiny local encoder.
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut s = String::from("mdoc:");
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..=chunk.len() {
                s.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        s
    }

    fn engagement_with(security: Value) -> Vec<u8> {
        encode(&Value::Map(vec![
            (Value::int(0), Value::text("1.0")),
            (Value::int(1), security),
        ]))
    }

    fn key_bytes(x: &[u8], y: &[u8]) -> Value {
        Value::Embedded(Embedded::wrap_value(&Value::Map(vec![
            (Value::int(1), Value::int(2)),
            (Value::int(-1), Value::int(1)),
            (Value::int(-2), Value::Bytes(x.to_vec())),
            (Value::int(-3), Value::Bytes(y.to_vec())),
        ])))
    }

    #[test]
    fn round_trip() {
        let holder = HolderSession::engage(vec![RetrievalMethod::Ble {
            version: 1,
            options: zhengzhao::session::BleOptions::central_client([9; 16]),
        }])
        .unwrap();
        let qr = holder.qr_code();
        assert!(qr.starts_with("mdoc:"));
        assert!(!qr.contains('='));
        let parsed = DeviceEngagement::from_qr(&qr).unwrap();
        assert_eq!(&parsed, holder.engagement());
        assert_eq!(parsed.to_qr(), qr);
        // Our local encoder agrees with the library's.
        assert_eq!(qr_of(holder.engagement().bytes()), qr);
        // And the Annex D engagement.
        let annex = DeviceEngagement::parse(&v("device_engagement")).unwrap();
        assert_eq!(qr_of(annex.bytes()), annex.to_qr());
    }

    #[test]
    fn malformed_qr_strings_are_rejected_with_typed_errors() {
        let key = SoftwareKey::generate().unwrap().public();
        let good = engagement_with(Value::Array(vec![
            Value::int(1),
            Value::Embedded(Embedded::wrap_value(&CoseKey::new(key.clone()).to_value())),
        ]));
        assert!(DeviceEngagement::from_qr(&qr_of(&good)).is_ok());
        let payload = qr_of(&good)["mdoc:".len()..].to_owned();

        let mut off_curve_y = key.y();
        off_curve_y[31] ^= 0x01;
        type Expect = fn(&EngagementError) -> bool;
        let cases: Vec<(&str, String, Expect)> = vec![
            ("no prefix", payload.clone(), |e| {
                matches!(e, EngagementError::QrPrefix)
            }),
            ("wrong scheme", format!("mdl:{payload}"), |e| {
                matches!(e, EngagementError::QrPrefix)
            }),
            ("padding", format!("mdoc:{payload}=="), |e| {
                matches!(e, EngagementError::Base64)
            }),
            (
                "standard alphabet",
                format!("mdoc:{}+/", &payload[..payload.len() - payload.len() % 4]),
                |e| matches!(e, EngagementError::Base64),
            ),
            ("whitespace", format!("mdoc: {payload}"), |e| {
                matches!(e, EngagementError::Base64)
            }),
            ("not CBOR", qr_of(b"\xff\xff\xff"), |e| {
                matches!(e, EngagementError::Malformed(_))
            }),
            (
                "trailing bytes",
                qr_of(&[good.clone(), vec![0]].concat()),
                |e| matches!(e, EngagementError::Malformed(_)),
            ),
            ("not a map", qr_of(b"\x80"), |e| {
                matches!(e, EngagementError::Malformed(_))
            }),
            (
                "cipher suite 2",
                qr_of(&engagement_with(Value::Array(vec![
                    Value::int(2),
                    key_bytes(&key.x(), &key.y()),
                ]))),
                |e| matches!(e, EngagementError::UnsupportedCipherSuite(2)),
            ),
            (
                "point not on the curve",
                qr_of(&engagement_with(Value::Array(vec![
                    Value::int(1),
                    key_bytes(&key.x(), &off_curve_y),
                ]))),
                |e| matches!(e, EngagementError::DeviceKey(_)),
            ),
        ];
        for (what, qr, expected) in cases {
            let err = DeviceEngagement::from_qr(&qr)
                .err()
                .unwrap_or_else(|| panic!("{what} accepted"));
            assert!(expected(&err), "{what}: {err}");
            // The reader surfaces the same typed error.
            match ReaderSession::from_qr(&qr) {
                Err(SessionError::Engagement(e)) => assert!(expected(&e), "{what}: {e}"),
                Err(other) => panic!("{what}: {other}"),
                Ok(_) => panic!("{what} accepted by the reader"),
            }
        }
    }
}

/// An app driving the session with the wallet: `Wallet::present` builds the response for the
/// session's transcript, authenticated by `deviceMac` with the reader's ephemeral key as the
/// holder received it (`AwaitingConsent::e_reader_key`), and the reader verifies it.
#[test]
fn the_wallet_answers_over_a_session_with_device_mac() {
    use std::sync::Arc;
    use zhengzhao::wallet::{
        BatchPolicy, Consent, DeviceAuthMode, DisplayName, LogQuery, MemoryStore,
        SoftwareSecureArea, Wallet,
    };
    let w = world();
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()),
        Arc::new(SoftwareSecureArea::in_memory()),
    );
    let pending = wallet.prepare(1).unwrap();
    let batch =
        w.f.issuer
            .credential(MDL)
            .element(NS, "family_name", Value::text("张"))
            .element(NS, "age_over_18", Value::Bool(true))
            .validity(w.f.now, w.f.now, w.f.now.add_secs(86_400))
            .sign_batch(&pending.device_keys())
            .unwrap();
    let name = DisplayName::new("机动车驾驶证", "Driving licence");
    let licence = wallet
        .add(pending, batch, name, BatchPolicy::OneTimeUse, w.f.now)
        .unwrap();

    // The reader's ephemeral key is known here only to check what the holder received.
    let reader_key = SoftwareKey::generate().unwrap();
    let reader_public = reader_key.public();
    let holder = HolderSession::engage(Vec::new()).unwrap();
    let engagement = DeviceEngagement::from_qr(&holder.qr_code()).unwrap();
    let reader = ReaderSession::new(engagement, Handover::qr(), Box::new(reader_key)).unwrap();
    let request = w.request(&["age_over_18"], reader.transcript());
    let (reader, establishment) = reader.send_request(&request).unwrap();
    let consent = holder
        .handle_establishment(&establishment, &w.holder_options())
        .unwrap();
    assert_eq!(consent.e_reader_key(), &reader_public);

    let offer = wallet.matching(&consent.request().documents()[0]).unwrap();
    assert_eq!(offer.len(), 1);
    let approval = Consent::new(0, licence.id.clone(), offer[0].disclosable.clone());
    let mac = DeviceAuthMode::Mac {
        e_reader_key: consent.e_reader_key().clone(),
    };
    let shown = wallet
        .present(
            consent.request(),
            consent.transcript(),
            &[approval],
            mac,
            w.f.now,
        )
        .unwrap();
    let (_, message) = consent.send_response(&shown.response).unwrap();
    let (verified, _) = w.verified(reader, &message);
    let doc = &verified.documents[0];
    assert_eq!(doc.device_auth, DeviceAuthMethod::Mac);
    assert_eq!(doc.issuer_signed[NS]["age_over_18"], Value::Bool(true));
    assert!(!doc.issuer_signed[NS].contains_key("family_name"));
    let log = wallet.disclosures(&LogQuery::all()).unwrap();
    assert_eq!(log.events.len(), 1);
    assert_eq!(log.events[0].elements[0].identifier, "age_over_18");
}
