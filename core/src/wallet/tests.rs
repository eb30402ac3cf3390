#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::sync::Arc;

use super::metadata::{StoredCopy, StoredCredential};
use super::*;
use crate::cbor::Value;
use crate::crypto::{verify_es256, SoftwareKey};
use crate::holder::{ParsedRequest, RequestOptions, RequestedElement};
use crate::issuer::Issuer;
use crate::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use crate::time::UnixTime;
use crate::trust::testpki::TestPki;

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "zhengzhao-wallet-unit-{tag}-{}-{}",
            std::process::id(),
            super::store::random_hex(4).unwrap()
        ));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn id(s: &str) -> RecordId {
    RecordId::new(s).unwrap()
}

fn record_path(dir: &TempDir, collection: Collection, id: &str) -> PathBuf {
    dir.0.join(collection.name()).join(format!("{id}.rec"))
}

#[test]
fn record_ids_are_file_name_safe() {
    for good in ["a", "0123abcdef", "x-y_z", &"a".repeat(64)] {
        assert!(RecordId::new(good).is_ok(), "{good}");
    }
    for bad in ["", "A", "../x", ".x", "a/b", "a b", "é", &"a".repeat(65)] {
        assert!(
            matches!(RecordId::new(bad), Err(StoreError::InvalidId)),
            "{bad}"
        );
    }
    assert!(KeyAlias::new("Key").is_err());
}

#[test]
fn file_store_round_trip_both_modes() {
    let key = StoreKey::generate().unwrap();
    for encrypted in [false, true] {
        let dir = TempDir::new("rt");
        let store = if encrypted {
            FileStore::open_encrypted(&dir.0, &key).unwrap()
        } else {
            FileStore::open(&dir.0).unwrap()
        };
        assert_eq!(store.is_encrypted(), encrypted);
        assert_eq!(store.get(Collection::Credentials, &id("a")).unwrap(), None);
        store
            .put(Collection::Credentials, &id("a"), b"first")
            .unwrap();
        store
            .put(Collection::Credentials, &id("a"), b"second")
            .unwrap();
        store.put(Collection::Credentials, &id("b"), b"").unwrap();
        store
            .put(Collection::DisclosureLog, &id("a"), b"log")
            .unwrap();
        assert_eq!(
            store
                .get(Collection::Credentials, &id("a"))
                .unwrap()
                .as_deref(),
            Some(&b"second"[..])
        );
        assert_eq!(
            store
                .get(Collection::Credentials, &id("b"))
                .unwrap()
                .as_deref(),
            Some(&b""[..])
        );
        assert_eq!(
            store.list(Collection::Credentials).unwrap(),
            vec![id("a"), id("b")]
        );
        assert!(store.delete(Collection::Credentials, &id("a")).unwrap());
        assert!(!store.delete(Collection::Credentials, &id("a")).unwrap());
        assert_eq!(store.list(Collection::Credentials).unwrap(), vec![id("b")]);
        assert_eq!(
            store.list(Collection::DisclosureLog).unwrap(),
            vec![id("a")]
        );

        // Plaintext never appears on disk when encrypted.
        store
            .put(
                Collection::Credentials,
                &id("c"),
                "张三 110101199003041234".as_bytes(),
            )
            .unwrap();
        let raw = std::fs::read(record_path(&dir, Collection::Credentials, "c")).unwrap();
        let visible = raw.windows(18).any(|w| w == b"110101199003041234");
        assert_eq!(visible, !encrypted);
    }
}

#[test]
fn file_store_marker_rules() {
    let dir = TempDir::new("marker");
    let key = StoreKey::generate().unwrap();
    FileStore::open_encrypted(&dir.0, &key).unwrap();
    assert!(matches!(
        FileStore::open(&dir.0),
        Err(StoreError::KeyRequired)
    ));
    let other = StoreKey::generate().unwrap();
    assert!(matches!(
        FileStore::open_encrypted(&dir.0, &other),
        Err(StoreError::WrongKey)
    ));
    let same = StoreKey::from_bytes(key.to_bytes().as_slice()).unwrap();
    assert!(FileStore::open_encrypted(&dir.0, &same).is_ok());

    let plain = TempDir::new("marker-plain");
    FileStore::open(&plain.0).unwrap();
    assert!(matches!(
        FileStore::open_encrypted(&plain.0, &key),
        Err(StoreError::NotEncrypted)
    ));
    std::fs::write(plain.0.join("zhengzhao-store"), b"something else").unwrap();
    assert!(matches!(
        FileStore::open(&plain.0),
        Err(StoreError::UnknownFormat)
    ));
    assert!(matches!(
        StoreKey::from_bytes(&[0; 31]),
        Err(StoreError::InvalidKey)
    ));
}

#[test]
fn damage_is_local_to_one_record() {
    let key = StoreKey::generate().unwrap();
    for encrypted in [false, true] {
        let dir = TempDir::new("damage");
        let store = if encrypted {
            FileStore::open_encrypted(&dir.0, &key).unwrap()
        } else {
            FileStore::open(&dir.0).unwrap()
        };
        for name in ["a", "b", "c", "d", "e"] {
            store
                .put(
                    Collection::Credentials,
                    &id(name),
                    name.repeat(100).as_bytes(),
                )
                .unwrap();
        }
        // Flip a bit in "a", truncate "b", empty "c", copy "e" over "d" (a moved record).
        let path = |n: &str| record_path(&dir, Collection::Credentials, n);
        let mut a = std::fs::read(path("a")).unwrap();
        a[40] ^= 0x01;
        std::fs::write(path("a"), a).unwrap();
        let b = std::fs::read(path("b")).unwrap();
        std::fs::write(path("b"), &b[..b.len() - 1]).unwrap();
        std::fs::write(path("c"), b"").unwrap();
        std::fs::copy(path("e"), path("d")).unwrap();
        for name in ["a", "b", "c", "d"] {
            match store.get(Collection::Credentials, &id(name)) {
                Err(StoreError::Corrupted { collection, id }) => {
                    assert_eq!(collection, Collection::Credentials);
                    assert_eq!(id.as_str(), name);
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(
            store
                .get(Collection::Credentials, &id("e"))
                .unwrap()
                .unwrap(),
            "e".repeat(100).as_bytes()
        );
        assert_eq!(store.list(Collection::Credentials).unwrap().len(), 5);
    }
}

#[test]
fn leftover_temporaries_are_removed_on_open_and_never_listed() {
    let dir = TempDir::new("temps");
    let store = FileStore::open(&dir.0).unwrap();
    store.put(Collection::Keys, &id("k"), b"key").unwrap();
    let temp = dir.0.join("keys").join(".k.rec.123.0.tmp");
    std::fs::write(&temp, b"half a rec").unwrap();
    let marker_temp = dir.0.join(".zhengzhao-store.123.1.tmp");
    std::fs::write(&marker_temp, b"ZZS").unwrap();
    let app_file = dir.0.join(".app-state.tmp");
    std::fs::write(&app_file, b"not ours").unwrap();
    assert_eq!(store.list(Collection::Keys).unwrap(), vec![id("k")]);
    drop(store);
    let store = FileStore::open(&dir.0).unwrap();
    assert!(!temp.exists() && !marker_temp.exists());
    assert!(
        app_file.exists(),
        "files the store did not write are left alone"
    );
    assert_eq!(store.list(Collection::Keys).unwrap(), vec![id("k")]);
}

#[test]
fn software_secure_area_persists_sealed_keys() {
    let dir = TempDir::new("area");
    let host_key = StoreKey::generate().unwrap();
    // A store without encryption: the area seals keys itself.
    let store: Arc<dyn CredentialStore> = Arc::new(FileStore::open(&dir.0).unwrap());
    let area = SoftwareSecureArea::persistent(Arc::clone(&store), &host_key).unwrap();
    let alias = KeyAlias::new("device-1").unwrap();
    let public = area.create_key(&alias).unwrap();
    assert!(matches!(
        area.create_key(&alias),
        Err(SecureAreaError::AliasInUse)
    ));
    let sig = area.sign(&alias, b"message").unwrap();
    verify_es256(&public, b"message", &sig).unwrap();
    assert_eq!(area.attestation(&alias, b"challenge").unwrap(), None);

    // A second instance (a restart) loads it; a wrong host key cannot.
    let again = SoftwareSecureArea::persistent(Arc::clone(&store), &host_key).unwrap();
    assert_eq!(again.public_key(&alias).unwrap(), public);
    let peer = SoftwareKey::generate().unwrap();
    let ours = again.key_agreement(&alias, &peer.public()).unwrap();
    let theirs = crate::crypto::KeyAgreement::agree(&peer, &public).unwrap();
    assert_eq!(ours.as_bytes(), theirs.as_bytes());
    let wrong =
        SoftwareSecureArea::persistent(Arc::clone(&store), &StoreKey::generate().unwrap()).unwrap();
    assert!(matches!(
        wrong.public_key(&alias),
        Err(SecureAreaError::Store(StoreError::Corrupted { .. }))
    ));

    // The stored record is not the scalar in the clear.
    let sealed = store
        .get(Collection::Keys, &id("device-1"))
        .unwrap()
        .unwrap();
    assert_eq!(sealed.len(), 12 + 32 + 16);
    assert!(again.delete_key(&alias).unwrap());
    assert!(!again.delete_key(&alias).unwrap());
    assert!(matches!(
        SoftwareSecureArea::persistent(store, &host_key)
            .unwrap()
            .public_key(&alias),
        Err(SecureAreaError::NoSuchKey)
    ));
}

struct Setup {
    wallet: Wallet,
    issuer: Issuer,
    issuer_trust: crate::trust::TrustStore,
    now: UnixTime,
}

fn setup() -> Setup {
    let now = UnixTime::now();
    let pki = TestPki::generate(now).unwrap();
    let issuer_trust = pki.issuer_trust_store();
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()),
        Arc::new(SoftwareSecureArea::in_memory()),
    );
    Setup {
        wallet,
        issuer,
        issuer_trust,
        now,
    }
}

fn add_batch(s: &Setup, copies: usize, policy: BatchPolicy) -> CredentialMetadata {
    let pending = s.wallet.prepare(copies).unwrap();
    let batch = s
        .issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("张"))
        .element(NS, "age_over_18", Value::Bool(true))
        .validity(s.now, s.now, s.now.add_secs(86_400))
        .sign_batch(&pending.device_keys())
        .unwrap();
    s.wallet
        .add(
            pending,
            batch,
            DisplayName::new("驾驶证", "Driving licence"),
            policy,
            s.now,
        )
        .unwrap()
}

fn parsed_request(s: &Setup, purpose: Option<&str>) -> ParsedRequest {
    let mut items = ItemsRequest::new(MDL).with_element(NS, "age_over_18", true);
    if let Some(p) = purpose {
        items.request_info = Some(vec![(Value::text(PURPOSE_KEY), Value::text(p))]);
    }
    let bytes = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
    let transcript = SessionTranscript::new(None, None, &Value::text("unit"));
    ParsedRequest::parse(&bytes, &transcript, &RequestOptions::new(s.now)).unwrap()
}

fn present_once(s: &Setup, id: &CredentialId) -> Result<Presentation, WalletError> {
    let request = parsed_request(s, Some("unit test"));
    let transcript = SessionTranscript::new(None, None, &Value::text("unit"));
    let approved = request.documents()[0].requested();
    s.wallet.present(
        &request,
        &transcript,
        &[Consent::new(0, id.clone(), approved)],
        DeviceAuthMode::Signature,
        s.now,
    )
}

#[test]
fn one_time_use_exhausts_and_signals_low() {
    let s = setup();
    let meta = add_batch(&s, 4, BatchPolicy::OneTimeUse);
    assert_eq!(
        (meta.copies, meta.fresh_copies, meta.usage_count),
        (4, 4, 0)
    );
    assert_eq!(
        meta.issuer.name(),
        "C=CN, O=zhengzhao test, CN=Test Document Signer"
    );
    assert_eq!(meta.display_name.en, "Driving licence");
    assert!(meta.is_valid_at(s.now) && !meta.is_valid_at(s.now.add_secs(86_401)));
    let mut low = Vec::new();
    for _ in 0..4 {
        low.push(!present_once(&s, &meta.id).unwrap().running_low.is_empty());
    }
    // Default threshold 2: low after the presentation leaving 2, 1 and 0 fresh copies.
    assert_eq!(low, [false, true, true, true]);
    assert!(matches!(
        present_once(&s, &meta.id),
        Err(WalletError::NoUnusedCopy { .. })
    ));
    let after = s.wallet.metadata(&meta.id).unwrap();
    assert_eq!((after.fresh_copies, after.usage_count), (0, 4));
}

#[test]
fn rotation_reuses_least_used_copies() {
    let s = setup();
    let meta = add_batch(&s, 2, BatchPolicy::Rotate);
    for _ in 0..5 {
        present_once(&s, &meta.id).unwrap();
    }
    let stored = s.wallet.load(&meta.id).unwrap();
    let mut uses: Vec<u64> = stored.copies.iter().map(|c| c.uses).collect();
    uses.sort();
    assert_eq!(uses, [2, 3]);
    assert_eq!(stored.usage_count, 5);
}

#[test]
fn status_blocks_presentation_and_remove_deletes_keys() {
    let s = setup();
    let meta = add_batch(&s, 2, BatchPolicy::OneTimeUse);
    s.wallet
        .set_status(&meta.id, CredentialStatus::Suspended)
        .unwrap();
    assert!(matches!(
        present_once(&s, &meta.id),
        Err(WalletError::NotPresentable {
            status: CredentialStatus::Suspended
        })
    ));
    let alias = meta.id.key_alias(0).unwrap();
    assert!(s.wallet.area.public_key(&alias).is_ok());
    assert!(s.wallet.remove(&meta.id).unwrap());
    assert!(!s.wallet.remove(&meta.id).unwrap());
    assert!(matches!(
        s.wallet.area.public_key(&alias),
        Err(SecureAreaError::NoSuchKey)
    ));
    assert!(matches!(
        s.wallet.metadata(&meta.id),
        Err(WalletError::UnknownCredential)
    ));
}

#[test]
fn add_refuses_foreign_keys_and_mixed_batches() {
    let s = setup();
    let pending = s.wallet.prepare(2).unwrap();
    let stranger = SoftwareKey::generate().unwrap().public();
    let foreign = s
        .issuer
        .credential(MDL)
        .element(NS, "age_over_18", Value::Bool(true))
        .validity(s.now, s.now, s.now.add_secs(60))
        .sign_batch(&[stranger])
        .unwrap();
    let name = || DisplayName::new("证", "licence");
    assert!(matches!(
        s.wallet
            .add(pending, foreign, name(), BatchPolicy::OneTimeUse, s.now),
        Err(WalletError::Refused(CredentialProblem::UnknownDeviceKey))
    ));

    let pending = s.wallet.prepare(2).unwrap();
    let keys = pending.device_keys();
    let mut mixed = s
        .issuer
        .credential(MDL)
        .element(NS, "age_over_18", Value::Bool(true))
        .validity(s.now, s.now, s.now.add_secs(60))
        .sign_batch(&keys[..1])
        .unwrap();
    mixed.extend(
        s.issuer
            .credential(MDL)
            .element(NS, "family_name", Value::text("x"))
            .validity(s.now, s.now, s.now.add_secs(60))
            .sign_batch(&keys[1..])
            .unwrap(),
    );
    assert!(matches!(
        s.wallet
            .add(pending, mixed, name(), BatchPolicy::OneTimeUse, s.now),
        Err(WalletError::Refused(CredentialProblem::BatchMismatch))
    ));

    // The same copy twice names one key twice.
    let pending = s.wallet.prepare(2).unwrap();
    let one = s
        .issuer
        .credential(MDL)
        .element(NS, "age_over_18", Value::Bool(true))
        .validity(s.now, s.now, s.now.add_secs(60))
        .sign_batch(&pending.device_keys()[..1])
        .unwrap();
    let twice = vec![one[0].clone(), one[0].clone()];
    assert!(matches!(
        s.wallet
            .add(pending, twice, name(), BatchPolicy::OneTimeUse, s.now),
        Err(WalletError::Refused(CredentialProblem::UnknownDeviceKey))
    ));

    assert!(matches!(s.wallet.prepare(0), Err(WalletError::BatchSize)));
    assert!(matches!(
        s.wallet.prepare(MAX_BATCH + 1),
        Err(WalletError::BatchSize)
    ));
}

#[test]
fn fewer_copies_than_keys_deletes_the_unused_keys_and_resume_works() {
    let s = setup();
    let pending = s.wallet.prepare(3).unwrap();
    let id = pending.id().clone();
    let resumed = s.wallet.resume(id.clone(), 3).unwrap();
    assert_eq!(resumed.device_keys(), pending.device_keys());
    let batch = s
        .issuer
        .credential(MDL)
        .element(NS, "age_over_18", Value::Bool(true))
        .validity(s.now, s.now, s.now.add_secs(60))
        .sign_batch(&pending.device_keys()[1..])
        .unwrap();
    let meta = s
        .wallet
        .add(
            resumed,
            batch,
            DisplayName::new("证", "licence"),
            BatchPolicy::Rotate,
            s.now,
        )
        .unwrap();
    assert_eq!(meta.copies, 2);
    assert!(s.wallet.area.public_key(&id.key_alias(0).unwrap()).is_err());
    assert!(s.wallet.area.public_key(&id.key_alias(1).unwrap()).is_ok());
}

#[test]
fn stored_credential_round_trips() {
    let s = setup();
    let meta = add_batch(&s, 3, BatchPolicy::Rotate);
    let stored = s.wallet.load(&meta.id).unwrap();
    let again = StoredCredential::from_bytes(&stored.to_bytes()).unwrap();
    let none = crate::trust::TrustStore::new();
    assert_eq!(again.metadata(&none), stored.metadata(&none));
    assert_eq!(again.to_bytes(), stored.to_bytes());
    let StoredCopy { credential, .. } = &again.copies[0];
    assert_eq!(*credential, stored.copies[0].credential);
    assert!(StoredCredential::from_bytes(b"\xa0").is_err());
}

#[test]
fn purpose_key_matches_the_profile() {
    assert_eq!(PURPOSE_KEY, crate::profiles::PURPOSE_OF_USE_KEY);
    let mut items = ItemsRequest::new(MDL);
    assert_eq!(stated_purpose(&items), None);
    items.request_info = Some(vec![(Value::text(PURPOSE_KEY), Value::int(3))]);
    assert_eq!(stated_purpose(&items), None);
    items.request_info = Some(vec![(
        Value::text(PURPOSE_KEY),
        Value::text("事".repeat(300)),
    )]);
    assert_eq!(
        stated_purpose(&items).map(|p| p.chars().count()),
        Some(MAX_PURPOSE_CHARS)
    );
}

fn event(verifier: VerifierIdentity, purpose: Option<&str>) -> DisclosureEvent {
    DisclosureEvent::new(
        UnixTime::from_secs(1_767_225_600),
        verifier,
        purpose.map(str::to_owned),
        MDL.to_owned(),
        CredentialId::parse("0123456789abcdef0123456789abcdef").unwrap(),
        vec![
            RequestedElement {
                namespace: NS.to_owned(),
                identifier: "age_over_18".to_owned(),
                intent_to_retain: false,
            },
            RequestedElement {
                namespace: NS.to_owned(),
                identifier: "portrait".to_owned(),
                intent_to_retain: true,
            },
        ],
    )
    .unwrap()
}

#[test]
fn log_entries_round_trip() {
    for (verifier, purpose) in [
        (VerifierIdentity::Anonymous, None),
        (
            VerifierIdentity::Unverified {
                claimed_subject: "CN=x".into(),
            },
            Some("p"),
        ),
        (
            VerifierIdentity::Authenticated {
                subject: "CN=y".into(),
            },
            Some("租车"),
        ),
    ] {
        let e = event(verifier, purpose);
        assert!(e
            .id
            .as_str()
            .starts_with(&format!("{:016x}-", e.time.secs())));
        let back = DisclosureEvent::from_bytes(e.id.clone(), &e.to_bytes()).unwrap();
        assert_eq!(back, e);
        let debug = format!("{e:?}");
        assert!(!debug.contains("CN=") && !debug.contains("租车"), "{debug}");
    }
}

#[test]
fn exports_escape_what_a_verifier_controls() {
    let hostile = event(
        VerifierIdentity::Authenticated {
            subject: "CN=Rent, \"Cars\"".into(),
        },
        Some("=HYPERLINK(\"x\")\nline\u{2028}\\"),
    );
    let plain = event(VerifierIdentity::Anonymous, None);
    let csv = to_csv(&[hostile.clone(), plain.clone()]);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,time,verifier_kind,verifier,purpose,doc_type,credential,elements,retained"
    );
    assert!(lines[1].contains(",2026-01-01T00:00:00Z,authenticated,\"CN=Rent, \"\"Cars\"\"\",\"'=HYPERLINK(\"\"x\"\")\nline"));
    assert!(lines[1].ends_with(
        ",org.iso.18013.5.1.mDL,0123456789abcdef0123456789abcdef,\
         org.iso.18013.5.1/age_over_18; org.iso.18013.5.1/portrait,org.iso.18013.5.1/portrait"
    ));
    assert!(csv.ends_with(",anonymous,,,org.iso.18013.5.1.mDL,0123456789abcdef0123456789abcdef,org.iso.18013.5.1/age_over_18; org.iso.18013.5.1/portrait,org.iso.18013.5.1/portrait\r\n"));

    let json = to_json(&[hostile, plain]);
    assert!(json.contains(
        "\"verifier\": {\"kind\": \"authenticated\", \"subject\": \"CN=Rent, \\\"Cars\\\"\"}, \
         \"purpose\": \"=HYPERLINK(\\\"x\\\")\\nline\\u2028\\\\\""
    ));
    assert!(json
        .contains("\"verifier\": {\"kind\": \"anonymous\", \"subject\": null}, \"purpose\": null"));
    assert!(json.contains("{\"namespace\": \"org.iso.18013.5.1\", \"identifier\": \"portrait\", \"intentToRetain\": true}"));
    assert_eq!(to_json(&[]), "[]\n");
}

#[test]
fn log_query_filters() {
    let e = event(
        VerifierIdentity::Authenticated {
            subject: "CN=Car Rental".into(),
        },
        None,
    );
    assert!(LogQuery::all().matches(&e));
    assert!(LogQuery::all().verifier("Rental").matches(&e));
    assert!(!LogQuery::all().verifier("Bank").matches(&e));
    assert!(LogQuery::all().since(e.time).until(e.time).matches(&e));
    assert!(!LogQuery::all().since(e.time.add_secs(1)).matches(&e));
    assert!(!LogQuery::all().doc_type("other").matches(&e));
    assert!(LogQuery::all().credential(e.credential.clone()).matches(&e));
    assert!(!LogQuery::all()
        .verifier("x")
        .matches(&event(VerifierIdentity::Anonymous, None)));
}

#[test]
fn issuer_name_is_verified_only_against_the_wallets_issuer_anchors() {
    let s = setup();
    const DS: &str = "C=CN, O=zhengzhao test, CN=Test Document Signer";
    let unverified = IssuerName::Unverified {
        claimed_subject: DS.to_owned(),
    };
    // No anchors given: the name is only claimed, wherever metadata is read.
    let meta = add_batch(&s, 1, BatchPolicy::Rotate);
    assert_eq!(meta.issuer, unverified);
    assert!(!meta.issuer.is_verified());
    assert_eq!(meta.issuer.to_string(), format!("{DS} (unverified)"));

    // Another authority's anchor (same names, other keys): still unverified.
    let other = TestPki::generate(s.now).unwrap();
    s.wallet.set_issuer_trust(other.issuer_trust_store());
    assert_eq!(s.wallet.metadata(&meta.id).unwrap().issuer, unverified);

    // The authority that issued it: verified, in every view of the metadata.
    s.wallet.set_issuer_trust(s.issuer_trust.clone());
    let verified = IssuerName::Verified {
        subject: DS.to_owned(),
    };
    assert_eq!(s.wallet.metadata(&meta.id).unwrap().issuer, verified);
    assert_eq!(
        s.wallet.credentials().unwrap().credentials[0].issuer,
        verified
    );
    assert_eq!(verified.to_string(), DS);
    let added = add_batch(&s, 1, BatchPolicy::Rotate);
    assert_eq!(added.issuer, verified);

    // The anchor withdrawn: unverified again.
    s.wallet.set_issuer_trust(crate::trust::TrustStore::new());
    assert_eq!(s.wallet.metadata(&meta.id).unwrap().issuer, unverified);
}

#[test]
fn refresh_status_follows_the_lists_and_blocks_presentation() {
    use crate::status::{
        Bits, StaticResolver, Status, StatusChecker, StatusListPublisher, StatusListRef,
        StatusReference,
    };
    let now = UnixTime::now();
    let pki = TestPki::generate(now).unwrap();
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()),
        Arc::new(SoftwareSecureArea::in_memory()),
    )
    .with_issuer_trust(pki.issuer_trust_store());
    let (iso_uri, cn_uri) = ("https://dl.example.cn/s/1", "https://dl.example.cn/s/cn");
    let mut iso = StatusListPublisher::new(iso_uri, Bits::One, 256).unwrap();
    let mut cn = StatusListPublisher::new(cn_uri, Bits::Two, 256).unwrap();
    let idx = iso.allocate().unwrap();
    cn.mark_allocated(idx).unwrap();
    let issuer = Issuer::new(
        Box::new(SoftwareKey::from_bytes(&pki.document_signer_key.to_bytes()[..]).unwrap()),
        vec![pki.document_signer.clone()],
    );
    let r = |uri: &str| StatusListRef {
        idx,
        uri: uri.into(),
        certificate: None,
    };
    let pending = wallet.prepare(2).unwrap();
    let batch = issuer
        .credential(MDL)
        .element(NS, "age_over_18", Value::Bool(true))
        .status(StatusReference {
            status_list: Some(r(iso_uri)),
            cn_status_list: Some(r(cn_uri)),
            ..Default::default()
        })
        .validity(now, now, now.add_secs(86_400))
        .sign_batch(&pending.device_keys())
        .unwrap();
    let meta = wallet
        .add(
            pending,
            batch,
            DisplayName::new("驾驶证", "Driving licence"),
            BatchPolicy::Rotate,
            now,
        )
        .unwrap();
    assert_eq!(
        (meta.qr_colour(now), &meta.status_check),
        (QrColour::Green, &None)
    );
    let signer = std::slice::from_ref(&pki.status_signer);
    let checker = |iso: &StatusListPublisher, cn: &StatusListPublisher| {
        StatusChecker::new(Arc::new(
            StaticResolver::new()
                .with(
                    iso_uri,
                    iso.sign(&pki.status_signer_key, signer, now).unwrap(),
                )
                .with(
                    cn_uri,
                    cn.sign(&pki.status_signer_key, signer, now).unwrap(),
                ),
        ))
    };
    let present = |consent: Consent| {
        let items = ItemsRequest::new(MDL).with_element(NS, "age_over_18", false);
        let bytes = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
        let transcript = SessionTranscript::new(None, None, &Value::text("unit"));
        let request = ParsedRequest::parse(&bytes, &transcript, &RequestOptions::new(now)).unwrap();
        wallet.present(
            &request,
            &transcript,
            &[consent],
            DeviceAuthMode::Signature,
            now,
        )
    };
    let approved = vec![RequestedElement {
        namespace: NS.into(),
        identifier: "age_over_18".into(),
        intent_to_retain: false,
    }];

    let m = wallet
        .refresh_status(&meta.id, &checker(&iso, &cn), now)
        .unwrap();
    assert_eq!(m.status, CredentialStatus::Active);
    assert_eq!(
        m.status_check.as_ref().unwrap().outcome,
        CheckedStatus::Valid
    );
    assert_eq!(m.qr_colour(now), QrColour::Green);

    // Suspended (the red QR): not presented unless the host says so.
    cn.set(idx, Status::Suspended).unwrap();
    let m = wallet
        .refresh_status(&meta.id, &checker(&iso, &cn), now)
        .unwrap();
    assert_eq!(
        (m.status, m.qr_colour(now)),
        (CredentialStatus::Suspended, QrColour::Red)
    );
    assert!(matches!(
        present(Consent::new(0, meta.id.clone(), approved.clone())),
        Err(WalletError::NotPresentable {
            status: CredentialStatus::Suspended
        })
    ));
    assert!(
        present(Consent::new(0, meta.id.clone(), approved.clone()).presenting_inactive()).is_ok()
    );
    // The check is stored with the record.
    assert_eq!(
        wallet.metadata(&meta.id).unwrap().status_check,
        m.status_check
    );

    // Restored; then offline: undetermined leaves the status alone and shows grey.
    cn.set(idx, Status::Valid).unwrap();
    let m = wallet
        .refresh_status(&meta.id, &checker(&iso, &cn), now)
        .unwrap();
    assert_eq!(m.status, CredentialStatus::Active);
    let offline = StatusChecker::new(Arc::new(StaticResolver::new()));
    let m = wallet.refresh_status(&meta.id, &offline, now).unwrap();
    assert_eq!(m.status, CredentialStatus::Active);
    assert!(matches!(
        m.status_check.as_ref().unwrap().outcome,
        CheckedStatus::Undetermined { .. }
    ));
    assert_eq!(m.qr_colour(now), QrColour::Grey);

    // Revoked is for good, even if a later list says valid.
    iso.set(idx, Status::Invalid).unwrap();
    let m = wallet
        .refresh_status(&meta.id, &checker(&iso, &cn), now)
        .unwrap();
    assert_eq!(m.status, CredentialStatus::Revoked);
    iso.set(idx, Status::Valid).unwrap();
    let m = wallet
        .refresh_status(&meta.id, &checker(&iso, &cn), now)
        .unwrap();
    assert_eq!(
        (m.status, m.qr_colour(now)),
        (CredentialStatus::Revoked, QrColour::Red)
    );
    let all = wallet.refresh_all_status(&offline, now).unwrap();
    assert_eq!(all.len(), 1);
}
