//! Unit tests of session keys, encryption and transcript building, against the ISO/IEC
//! 18013-5 Annex D vectors (`tests/vectors/iso18013-5-annex-d/`) and generated keys.

use super::*;
use crate::cbor::Limits;
use crate::crypto::{EcPublicKey, SoftwareKey};

const ANNEX_D: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/iso18013-5-annex-d/"
);

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{ANNEX_D}{name}.hex");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).unwrap()
}

fn key(name: &str) -> SoftwareKey {
    SoftwareKey::from_bytes(&vector(&format!("{name}.d"))).unwrap()
}

fn public(name: &str) -> EcPublicKey {
    EcPublicKey::from_coordinates(&vector(&format!("{name}.x")), &vector(&format!("{name}.y")))
        .unwrap()
}

/// The Annex D transcript, rebuilt from its parts as a session builds it.
fn annex_d_transcript() -> SessionTranscript {
    let engagement = DeviceEngagement::parse(&vector("device_engagement_in_transcript")).unwrap();
    let e_reader_key_bytes =
        Embedded::from_tagged_bytes(&vector("e_reader_key_bytes"), &Limits::default()).unwrap();
    let handover = Handover::from_cbor(&vector("handover"), &Limits::default()).unwrap();
    build_transcript(
        &engagement,
        &e_reader_key_bytes,
        &handover,
        &Limits::default(),
    )
    .unwrap()
}

#[test]
fn annex_d_transcript_rebuilds_byte_for_byte() {
    let transcript = annex_d_transcript();
    assert_eq!(
        transcript.tagged_bytes(),
        vector("session_transcript_bytes")
    );
    // The NFC handover built from the two NDEF messages is the vector's handover.
    let Value::Array(parts) = crate::cbor::decode(&vector("handover")).unwrap() else {
        panic!("handover is an array")
    };
    let (Some(Value::Bytes(select)), Some(Value::Bytes(request))) = (parts.first(), parts.get(1))
    else {
        panic!("two byte strings")
    };
    assert_eq!(
        Handover::nfc(select, Some(request)).as_bytes(),
        vector("handover")
    );
}

#[test]
fn annex_d_session_keys_derive_to_the_listed_values_on_both_sides() {
    let transcript = annex_d_transcript();
    let holder = SessionKeys::derive(
        &key("ephemeral_device_key"),
        &public("ephemeral_reader_key"),
        &transcript,
    )
    .unwrap();
    let reader = SessionKeys::derive(
        &key("ephemeral_reader_key"),
        &public("ephemeral_device_key"),
        &transcript,
    )
    .unwrap();
    for keys in [&holder, &reader] {
        assert_eq!(keys.sk_reader().as_slice(), vector("sk_reader"));
        assert_eq!(keys.sk_device().as_slice(), vector("sk_device"));
    }
    let e_mac_key = crate::crypto::e_mac_key(
        &crate::crypto::RustCrypto,
        &key("ephemeral_reader_key"),
        &public("static_device_key"),
        transcript.tagged_bytes(),
    )
    .unwrap();
    assert_eq!(e_mac_key.as_slice(), vector("emac_key"));
}

fn annex_d_cipher(role: Role) -> SessionCipher {
    let transcript = annex_d_transcript();
    let keys = match role {
        Role::Holder => SessionKeys::derive(
            &key("ephemeral_device_key"),
            &public("ephemeral_reader_key"),
            &transcript,
        ),
        Role::Reader => SessionKeys::derive(
            &key("ephemeral_reader_key"),
            &public("ephemeral_device_key"),
            &transcript,
        ),
    }
    .unwrap();
    SessionCipher::new(keys, role).unwrap()
}

fn establishment_data() -> Vec<u8> {
    SessionEstablishment::parse(&vector("session_establishment"), &Limits::default())
        .unwrap()
        .data()
        .to_vec()
}

fn session_data() -> Vec<u8> {
    SessionData::parse(&vector("session_data"), &Limits::default())
        .unwrap()
        .data()
        .unwrap()
        .to_vec()
}

#[test]
fn annex_d_messages_decrypt_and_encrypt_exactly() {
    // Holder: the reader's establishment (SKReader, IV 00…00 ‖ 1) is the DeviceRequest.
    let mut holder = annex_d_cipher(Role::Holder);
    assert_eq!(
        holder.decrypt(&establishment_data()).unwrap(),
        vector("device_request")
    );
    // Reader: encrypting the DeviceRequest with counter 1 reproduces the ciphertext, and the
    // holder's SessionData (SKDevice, IV 00…01 ‖ 1) is the DeviceResponse.
    let mut reader = annex_d_cipher(Role::Reader);
    assert_eq!(
        reader.encrypt(&vector("device_request")).unwrap(),
        establishment_data()
    );
    assert_eq!(
        reader.decrypt(&session_data()).unwrap(),
        vector("device_response")
    );
    // And the holder reproduces the SessionData ciphertext.
    assert_eq!(
        holder.encrypt(&vector("device_response")).unwrap(),
        session_data()
    );
}

#[test]
fn annex_d_termination_is_status_20() {
    let msg = SessionData::parse(&vector("session_termination"), &Limits::default()).unwrap();
    assert_eq!(msg.status(), Some(SessionStatus::Termination));
    assert_eq!(msg.data(), None);
    assert_eq!(msg.to_bytes(), vector("session_termination"));
}

/// A fresh pair of ciphers that share keys.
fn pair() -> (SessionCipher, SessionCipher) {
    let holder_key = SoftwareKey::generate().unwrap();
    let reader_key = SoftwareKey::generate().unwrap();
    let transcript = SessionTranscript::new(None, None, &Value::Null);
    let holder = SessionKeys::derive(&holder_key, &reader_key.public(), &transcript).unwrap();
    let reader = SessionKeys::derive(&reader_key, &holder_key.public(), &transcript).unwrap();
    (
        SessionCipher::new(holder, Role::Holder).unwrap(),
        SessionCipher::new(reader, Role::Reader).unwrap(),
    )
}

#[test]
fn counters_run_per_direction_and_reject_replays_and_reordering() {
    let (mut holder, mut reader) = pair();
    let r1 = reader.encrypt(b"request 1").unwrap();
    let r2 = reader.encrypt(b"request 2").unwrap();
    let r3 = reader.encrypt(b"request 3").unwrap();
    assert_ne!(r1, r2, "each message has its own IV");

    // r2 before r1: out of order; the counter does not move, so r1 still decrypts.
    assert!(matches!(
        holder.decrypt(&r2),
        Err(SessionError::OutOfOrder {
            expected: 1,
            received: 2
        })
    ));
    assert_eq!(holder.decrypt(&r1).unwrap(), b"request 1");
    // r1 again: a replay.
    assert!(matches!(holder.decrypt(&r1), Err(SessionError::Replayed)));
    // The holder's own direction is independent: its first message carries counter 1.
    let d1 = holder.encrypt(b"response 1").unwrap();
    assert_eq!(reader.decrypt(&d1).unwrap(), b"response 1");
    assert_eq!(holder.decrypt(&r2).unwrap(), b"request 2");
    assert_eq!(holder.decrypt(&r3).unwrap(), b"request 3");
    // A reader cannot decrypt its own message (the holder's key and identifier differ).
    assert!(matches!(reader.decrypt(&r3), Err(SessionError::Decryption)));
}

#[test]
fn wrong_key_truncation_and_tampering_are_rejected() {
    let (mut holder, mut reader) = pair();
    let (mut other_holder, _) = pair();
    let message = reader.encrypt(b"a DeviceRequest").unwrap();

    assert!(matches!(
        other_holder.decrypt(&message),
        Err(SessionError::Decryption)
    ));
    assert!(matches!(
        holder.decrypt(&message[..15]),
        Err(SessionError::CiphertextTooShort)
    ));
    assert!(matches!(
        holder.decrypt(&[]),
        Err(SessionError::CiphertextTooShort)
    ));
    // Truncated but still longer than a tag: it no longer authenticates.
    assert!(matches!(
        holder.decrypt(&message[..message.len() - 1]),
        Err(SessionError::Decryption)
    ));
    for i in [0, message.len() - 1] {
        let mut tampered = message.clone();
        tampered[i] ^= 1;
        assert!(matches!(
            holder.decrypt(&tampered),
            Err(SessionError::Decryption)
        ));
    }
    // None of the failures moved the counter.
    assert_eq!(holder.decrypt(&message).unwrap(), b"a DeviceRequest");
}

#[test]
fn replay_memory_is_bounded() {
    let (mut holder, mut reader) = pair();
    let first = reader.encrypt(b"0").unwrap();
    holder.decrypt(&first).unwrap();
    for _ in 0..100 {
        let m = reader.encrypt(b"x").unwrap();
        holder.decrypt(&m).unwrap();
    }
    // Forgotten as a replay, still rejected.
    assert!(matches!(
        holder.decrypt(&first),
        Err(SessionError::Decryption)
    ));
}

#[test]
fn counter_exhaustion_ends_the_session() {
    let (mut holder, mut reader) = pair();
    reader.send_counter = Some(u32::MAX);
    let last = reader.encrypt(b"last").unwrap();
    assert!(matches!(
        reader.encrypt(b"one more"),
        Err(SessionError::CounterExhausted)
    ));
    holder.receive_counter = Some(u32::MAX);
    assert_eq!(holder.decrypt(&last).unwrap(), b"last");
    assert!(matches!(
        holder.decrypt(&last),
        Err(SessionError::CounterExhausted)
    ));
}

#[test]
fn reply_status_follows_the_kind_of_failure() {
    let cases = [
        (
            SessionError::Decryption,
            Some(SessionStatus::EncryptionError),
        ),
        (SessionError::Replayed, Some(SessionStatus::EncryptionError)),
        (
            SessionError::Malformed(StructureError::Missing { at: "x" }),
            Some(SessionStatus::CborDecodingError),
        ),
        (SessionError::KeyMismatch, Some(SessionStatus::Termination)),
        (
            SessionError::PeerStatus(SessionStatus::EncryptionError),
            None,
        ),
    ];
    for (error, status) in cases {
        assert_eq!(error.reply_status(), status, "{error}");
    }
}

#[test]
fn handover_from_cbor_must_be_one_item() {
    let limits = Limits::default();
    assert_eq!(Handover::qr().as_bytes(), [0xf6]);
    assert!(Handover::from_cbor(&[0x82, 0xf6, 0xf6], &limits).is_ok());
    assert!(Handover::from_cbor(&[0xf6, 0xf6], &limits).is_err());
    assert!(Handover::from_cbor(&[], &limits).is_err());
    assert_eq!(format!("{:?}", Handover::qr()), "Handover(<1 bytes>)");
}

/// [`crate::crypto::RustCrypto`] that counts AES-GCM opens and the bytes they covered.
#[derive(Debug, Default)]
struct CountingOpens {
    opens: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
}

impl crate::crypto::CryptoProvider for CountingOpens {
    fn name(&self) -> &'static str {
        "counting-opens"
    }
    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &crate::crypto::Es256Signature,
    ) -> Result<(), crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.verify_es256(key, message, signature)
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        crate::crypto::RustCrypto.sha256(data)
    }
    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
        crate::crypto::RustCrypto.hmac_sha256(key, message)
    }
    fn hmac_sha256_verify(
        &self,
        key: &[u8],
        message: &[u8],
        tag: &[u8],
    ) -> Result<(), crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.hmac_sha256_verify(key, message, tag)
    }
    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.hkdf_sha256(ikm, salt, info, okm)
    }
    fn fill_random(&self, out: &mut [u8]) -> Result<(), crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.fill_random(out)
    }
    fn aes_256_gcm_seal(
        &self,
        key: &[u8; 32],
        iv: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.aes_256_gcm_seal(key, iv, aad, plaintext)
    }
    fn aes_256_gcm_open(
        &self,
        key: &[u8; 32],
        iv: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::crypto::CryptoError> {
        use std::sync::atomic::Ordering::Relaxed;
        self.opens.fetch_add(1, Relaxed);
        self.bytes.fetch_add(sealed.len() as u64, Relaxed);
        crate::crypto::RustCrypto.aes_256_gcm_open(key, iv, aad, sealed)
    }
    fn sign_es256(
        &self,
        key: &SoftwareKey,
        message: &[u8],
    ) -> Result<[u8; 64], crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.sign_es256(key, message)
    }
    fn ecdh(
        &self,
        key: &SoftwareKey,
        peer: &EcPublicKey,
    ) -> Result<crate::crypto::SharedSecret, crate::crypto::CryptoError> {
        crate::crypto::RustCrypto.ecdh(key, peer)
    }
}

#[test]
fn a_failed_message_costs_bounded_decryption_work() {
    use std::sync::atomic::Ordering::Relaxed;
    let (mut holder, mut reader) = pair();
    let counting = std::sync::Arc::new(CountingOpens::default());
    holder.set_provider(counting.clone());
    // (opens, bytes opened) for decrypting `message`, and its result.
    let mut cost = |message: &[u8]| {
        counting.opens.store(0, Relaxed);
        counting.bytes.store(0, Relaxed);
        let result = holder.decrypt(message).map(|_| ());
        (
            result,
            counting.opens.load(Relaxed),
            counting.bytes.load(Relaxed),
        )
    };
    let limit = encryption::REORDER_PROBE_MAX_LEN;

    // A garbage message of 4 MiB: one open, not nine.
    let garbage = vec![0x5a; 4 * 1024 * 1024];
    let (result, opens, bytes) = cost(&garbage);
    assert!(matches!(result, Err(SessionError::Decryption)));
    assert_eq!((opens, bytes), (1, garbage.len() as u64));

    // At the bound: the expected counter and the 8 ahead of it are tried.
    let at_limit = vec![0x5a; limit];
    let (result, opens, _) = cost(&at_limit);
    assert!(matches!(result, Err(SessionError::Decryption)));
    assert_eq!(opens, 9);
    // One byte past it: only the expected counter.
    let (result, opens, _) = cost(&vec![0x5a; limit + 1]);
    assert!(matches!(result, Err(SessionError::Decryption)));
    assert_eq!(opens, 1);

    // A small message from a later counter is still named out of order; a large one is
    // rejected as undecryptable, after one open. Neither moves the counter.
    let first = reader.encrypt(b"first").unwrap();
    let small_second = reader.encrypt(b"second").unwrap();
    let (result, opens, _) = cost(&small_second);
    assert!(matches!(
        result,
        Err(SessionError::OutOfOrder {
            expected: 1,
            received: 2
        })
    ));
    assert_eq!(opens, 2);
    let large_third = reader.encrypt(&vec![7; limit]).unwrap();
    let (result, opens, _) = cost(&large_third);
    assert!(matches!(result, Err(SessionError::Decryption)));
    assert_eq!(opens, 1);
    // A replay is named from its tag, after one open.
    let (result, opens, bytes) = cost(&first);
    assert!(result.is_ok());
    assert_eq!((opens, bytes), (1, first.len() as u64));
    let (result, opens, _) = cost(&first);
    assert!(matches!(result, Err(SessionError::Replayed)));
    assert_eq!(opens, 1);
}

#[test]
fn request_and_response_bytes_cross_a_session_unchanged() {
    use crate::holder::RequestOptions;
    use crate::model::{DeviceRequest, DocRequest, ItemsRequest};
    let now = crate::time::UnixTime::from_secs(1_700_000_000);
    let ble = RetrievalMethod::Ble {
        version: 1,
        options: BleOptions::central_client([7; 16]),
    };
    let holder = HolderSession::engage(vec![ble]).unwrap();
    let reader = ReaderSession::from_qr(&holder.qr_code()).unwrap();
    let request = DeviceRequest::new(vec![DocRequest::new(
        ItemsRequest::new("org.iso.18013.5.1.mDL").with_element(
            "org.iso.18013.5.1",
            "age_over_18",
            false,
        ),
    )]);
    let (reader, establishment) = reader.send_request(&request).unwrap();
    let consent = holder
        .handle_establishment(&establishment, &RequestOptions::new(now))
        .unwrap();
    assert_eq!(consent.request_bytes(), request.to_bytes());
    assert_eq!(
        consent.transcript().tagged_bytes(),
        reader.transcript().tagged_bytes()
    );
    // Any bytes: decrypt_response does not look inside (verification is the caller's).
    let response = b"\xa1\x67version\x631.0".to_vec();
    let message = consent.send_response_and_terminate(&response).unwrap();
    let ReaderReceived::FinalResponse(received) = reader.decrypt_response(&message).unwrap() else {
        panic!("the holder ended the session with its response")
    };
    assert_eq!(received, response);
}
