//! The wallet through its public API: crash safety under SIGKILL, unlinkable batch copies,
//! damaged records, the disclosure log, concurrent threads, and failing host callbacks.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zhengzhao::verifier::VerifyOptions;

use common::fixture::{fixture_from, ten_elements, Fixture, MDL, NS};
use zhengzhao::cbor::{Limits, Value};
use zhengzhao::crypto::{EcPublicKey, SharedSecret, SoftwareKey};
use zhengzhao::holder::{
    HolderError, ParsedRequest, RequestOptions, RequestedElement, ResponseBuilder,
};
use zhengzhao::model::{
    DeviceRequest, DeviceResponse, DocRequest, ItemsRequest, SessionTranscript,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::trust::{Certificate, TrustStore};
use zhengzhao::verifier::Verifier;
use zhengzhao::wallet::{
    to_csv, to_json, BatchPolicy, Collection, Consent, CredentialId, CredentialMetadata,
    CredentialStore, DeviceAuthMode, DisplayName, FileStore, KeyAlias, LogQuery, RecordId,
    SecureArea, SecureAreaError, SoftwareSecureArea, StoreError, StoreKey, VerifierIdentity,
    Wallet, WalletError,
};

/// The crash test's host key (the same constant as in `src/bin/wallet_crash_child.rs`).
const CRASH_TEST_KEY: [u8; 32] = [0x5a; 32];

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let unique = SoftwareKey::generate().unwrap().public().x();
        let dir = std::env::temp_dir().join(format!(
            "zhengzhao-wallet-{tag}-{}-{}",
            std::process::id(),
            hex::encode(&unique[..6])
        ));
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A wallet over an encrypted file store in `dir`, with software keys sealed in it.
fn open_wallet(dir: &Path, key: &StoreKey) -> Wallet {
    let store = Arc::new(FileStore::open_encrypted(dir, key).unwrap());
    let area = Arc::new(SoftwareSecureArea::persistent(store.clone(), key).unwrap());
    Wallet::new(store, area)
}

/// Adds a batch of `copies` of the fixture's ten-element mDL.
fn add_licence(
    wallet: &Wallet,
    f: &Fixture,
    copies: usize,
    policy: BatchPolicy,
) -> CredentialMetadata {
    let pending = wallet.prepare(copies).unwrap();
    let mut builder = f.issuer.credential(MDL).decoys(2);
    for (id, value) in ten_elements() {
        builder = builder.element(NS, id, value);
    }
    let batch = builder
        .validity(f.now, f.now.add_secs(-60), f.now.add_secs(86_400))
        .sign_batch(&pending.device_keys())
        .unwrap();
    let name = DisplayName::new("机动车驾驶证", "Motor vehicle driving licence");
    wallet.add(pending, batch, name, policy, f.now).unwrap()
}

/// A request for `elements` of an mDL, optionally with a purpose and signed by a reader.
fn request(
    f: &Fixture,
    transcript: &SessionTranscript,
    elements: &[(&str, bool)],
    purpose: Option<&str>,
    reader: Option<(&SoftwareKey, &Certificate, &TrustStore)>,
) -> ParsedRequest {
    let mut items = ItemsRequest::new(MDL);
    for (e, retain) in elements {
        items = items.with_element(NS, *e, *retain);
    }
    if let Some(p) = purpose {
        items.request_info = Some(vec![(Value::text("purposeOfUse"), Value::text(p))]);
    }
    let mut doc = DocRequest::new(items);
    let mut options = RequestOptions::new(f.now);
    if let Some((key, cert, trust)) = reader {
        doc = doc
            .sign_reader_auth(key, &[cert.der().to_vec()], transcript)
            .unwrap();
        options = options.with_reader_trust(trust.clone());
    }
    let bytes = DeviceRequest::new(vec![doc]).to_bytes();
    ParsedRequest::parse(&bytes, transcript, &options).unwrap()
}

fn approve(request: &ParsedRequest, ids: &[&str]) -> Vec<RequestedElement> {
    request.documents()[0]
        .requested()
        .into_iter()
        .filter(|r| ids.contains(&r.identifier.as_str()))
        .collect()
}

fn transcript(tag: &str) -> SessionTranscript {
    SessionTranscript::new(None, None, &Value::text(tag))
}

/// Presents `id` for `elements` (all approved) and checks the response with the verifier.
fn present_and_verify(wallet: &Wallet, f: &Fixture, id: &CredentialId, tag: &str) -> Vec<u8> {
    let t = transcript(tag);
    let req = request(
        f,
        &t,
        &[("age_over_18", false), ("family_name", false)],
        None,
        None,
    );
    let approved = approve(&req, &["age_over_18", "family_name"]);
    let shown = wallet
        .present(
            &req,
            &t,
            &[Consent::new(0, id.clone(), approved)],
            DeviceAuthMode::Signature,
            f.now,
        )
        .unwrap();
    let verified = Verifier::new(f.trust.clone())
        .verify(&shown.response, &VerifyOptions::new(&t, f.now))
        .unwrap();
    assert_eq!(verified.documents[0].issuer_signed[NS].len(), 2);
    shown.response
}

fn fixture_with_reader() -> (Fixture, SoftwareKey, Certificate, TrustStore) {
    let pki = TestPki::generate(UnixTime::now()).unwrap();
    let reader_key = SoftwareKey::from_bytes(pki.reader_key.to_bytes().as_slice()).unwrap();
    let reader_cert = pki.reader.clone();
    let reader_trust = pki.reader_trust_store();
    (fixture_from(pki), reader_key, reader_cert, reader_trust)
}

/// A small deterministic PRNG (xorshift64*) for the crash test's delays.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Acceptance: a child process commits credentials (and presents them) in a loop and is
/// killed with SIGKILL at random moments; after every kill the store reopens with every
/// acknowledged credential intact and presentable, no damaged record, and every
/// acknowledged presentation counted and logged.
#[test]
fn crash_test_every_acknowledged_commit_survives_sigkill() {
    const KILLS: usize = 60;
    let dir = TempDir::new("crash");
    let key = StoreKey::from_bytes(&CRASH_TEST_KEY).unwrap();
    let f = fixture_from(TestPki::generate(UnixTime::now()).unwrap());
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut committed: BTreeSet<String> = BTreeSet::new();
    let mut used: BTreeMap<String, u64> = BTreeMap::new();
    let mut checked: BTreeSet<String> = BTreeSet::new();
    let mut parent_presentations: BTreeMap<String, u64> = BTreeMap::new();
    let mut kills_after_a_commit = 0;
    let started = Instant::now();

    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wallet_crash_child"))
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            // Only complete lines count: a line cut by the kill was never acknowledged.
            let mut buf = BufReader::new(stdout);
            let mut line = String::new();
            while buf.read_line(&mut line).unwrap_or(0) > 0 {
                if line.ends_with('\n') && lines_tx.send(line.trim_end().to_owned()).is_err() {
                    break;
                }
                line.clear();
            }
        });
        // Kill at a random moment of the commit loop: after the child opened the store.
        let ready = lines_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(ready, "ready", "round {round}");
        std::thread::sleep(Duration::from_micros(rng.below(150_000)));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child must die by the kill"
        );
        reader.join().unwrap();
        let lines: Vec<String> = lines_rx.try_iter().collect();
        let acks_before = committed.len();
        for line in &lines {
            match line.split_once(' ') {
                Some(("ack", id)) => {
                    committed.insert(id.to_owned());
                }
                Some(("used", id)) => *used.entry(id.to_owned()).or_default() += 1,
                _ => panic!("round {round}: unexpected child output"),
            }
        }
        if committed.len() > acks_before {
            kills_after_a_commit += 1;
        }

        // Reopen and check everything acknowledged so far, from every earlier round too.
        let wallet = open_wallet(dir.path(), &key);
        let list = wallet.credentials().unwrap();
        assert!(
            list.damaged.is_empty(),
            "round {round}: a partial or damaged record is visible: {:?}",
            list.damaged
        );
        let listed: BTreeSet<String> = list
            .credentials
            .iter()
            .map(|m| m.id.as_str().to_owned())
            .collect();
        assert!(
            committed.is_subset(&listed),
            "round {round}: an acknowledged credential is missing"
        );
        let log = wallet.disclosures(&LogQuery::all()).unwrap();
        assert!(log.damaged.is_empty(), "round {round}: damaged log entry");
        for id in &committed {
            let id = CredentialId::parse(id).unwrap();
            let meta = wallet.metadata(&id).unwrap();
            assert_eq!((meta.copies, meta.doc_type.as_str()), (2, MDL));
            let acked_uses = used.get(id.as_str()).copied().unwrap_or(0);
            let ours = parent_presentations.get(id.as_str()).copied().unwrap_or(0);
            assert!(
                meta.usage_count >= acked_uses + ours,
                "round {round}: an acknowledged presentation was not counted"
            );
            let logged = log.events.iter().filter(|e| e.credential == id).count() as u64;
            assert!(
                logged >= acked_uses + ours,
                "round {round}: an acknowledged presentation is not in the log"
            );
            // Each credential once: its copies and their device keys are usable (the
            // holder checks the device signature against the MSO key before answering).
            if checked.insert(id.as_str().to_owned()) {
                let t = transcript("crash check");
                let req = request(&f, &t, &[("age_over_18", false)], None, None);
                let approved = approve(&req, &["age_over_18"]);
                let shown = wallet
                    .present(
                        &req,
                        &t,
                        &[Consent::new(0, id.clone(), approved)],
                        DeviceAuthMode::Signature,
                        f.now,
                    )
                    .unwrap();
                assert_eq!(shown.events.len(), 1);
                *parent_presentations
                    .entry(id.as_str().to_owned())
                    .or_default() += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "crash test: {KILLS} kills ({kills_after_a_commit} after at least one commit), \
         {} credentials and {} presentations acknowledged, {elapsed:.1?}",
        committed.len(),
        used.values().sum::<u64>()
    );
    const { assert!(KILLS >= 50) };
    assert!(
        kills_after_a_commit >= 25,
        "too few kills landed after a commit ({kills_after_a_commit})"
    );
}

/// Acceptance: two presentations from one batch share no issuer signature, salt, digest or
/// device key.
#[test]
fn presentations_from_one_batch_are_unlinkable() {
    let (f, ..) = fixture_with_reader();
    let dir = TempDir::new("unlinkable");
    let wallet = open_wallet(dir.path(), &StoreKey::generate().unwrap());
    let meta = add_licence(&wallet, &f, 4, BatchPolicy::OneTimeUse);

    let first = present_and_verify(&wallet, &f, &meta.id, "verifier A");
    let second = present_and_verify(&wallet, &f, &meta.id, "verifier B");

    struct Traits {
        signature: Vec<u8>,
        salts: BTreeSet<Vec<u8>>,
        digests: BTreeSet<Vec<u8>>,
        items: BTreeSet<Vec<u8>>,
        device_key: EcPublicKey,
    }
    let traits = |response: &[u8]| {
        let limits = Limits::default();
        let parsed = DeviceResponse::parse(response, &limits).unwrap();
        let issuer_signed = &parsed.documents[0].issuer_signed;
        let mso = zhengzhao::danger::mso_unverified(issuer_signed, &limits).unwrap();
        let (mut salts, mut items) = (BTreeSet::new(), BTreeSet::new());
        for (_, list) in &issuer_signed.namespaces {
            for item in list {
                salts.insert(item.item().random.clone());
                items.insert(item.tagged_bytes().to_vec());
            }
        }
        Traits {
            signature: issuer_signed.issuer_auth.signature().to_vec(),
            salts,
            digests: mso
                .value_digests
                .values()
                .flat_map(|d| d.values().cloned())
                .collect(),
            items,
            device_key: mso.device_key.public_key().clone(),
        }
    };
    let (a, b) = (traits(&first), traits(&second));
    assert_ne!(a.signature, b.signature, "issuer signature shared");
    assert!(a.salts.is_disjoint(&b.salts), "a salt is shared");
    assert!(a.digests.is_disjoint(&b.digests), "a digest is shared");
    assert!(
        a.items.is_disjoint(&b.items),
        "an IssuerSignedItemBytes is shared"
    );
    assert_ne!(a.device_key, b.device_key, "device key shared");
    assert_eq!(
        a.digests.len(),
        10 + 2,
        "every digest of the MSO compared, decoys too"
    );

    // One-time use: the other two copies go the same way, then the wallet refuses.
    let third = present_and_verify(&wallet, &f, &meta.id, "verifier C");
    let fourth = present_and_verify(&wallet, &f, &meta.id, "verifier D");
    let keys: BTreeSet<Vec<u8>> = [&first, &second, &third, &fourth]
        .iter()
        .map(|r| traits(r).device_key.to_sec1_uncompressed())
        .collect();
    assert_eq!(keys.len(), 4, "each presentation used its own copy");
    let t = transcript("verifier E");
    let req = request(&f, &t, &[("age_over_18", false)], None, None);
    let consent = Consent::new(0, meta.id.clone(), approve(&req, &["age_over_18"]));
    match wallet.present(&req, &t, &[consent], DeviceAuthMode::Signature, f.now) {
        Err(WalletError::NoUnusedCopy { credential }) => assert_eq!(credential, meta.id),
        other => panic!("expected NoUnusedCopy, got {:?}", other.map(|p| p.events)),
    }
}

/// Acceptance: a store with one damaged record still lists and presents the others.
#[test]
fn one_damaged_record_leaves_the_others_listed_and_presentable() {
    let (f, ..) = fixture_with_reader();
    let dir = TempDir::new("damaged");
    let key = StoreKey::generate().unwrap();
    let wallet = open_wallet(dir.path(), &key);
    let ids: Vec<CredentialId> = (0..3)
        .map(|_| add_licence(&wallet, &f, 2, BatchPolicy::Rotate).id)
        .collect();
    present_and_verify(&wallet, &f, &ids[0], "before");
    drop(wallet);

    // Damage the middle of one credential's file (the layout FileStore documents).
    let path = dir
        .path()
        .join("credentials")
        .join(format!("{}.rec", ids[1]));
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&path, bytes).unwrap();

    let wallet = open_wallet(dir.path(), &key);
    let list = wallet.credentials().unwrap();
    let listed: BTreeSet<&CredentialId> = list.credentials.iter().map(|m| &m.id).collect();
    assert_eq!(listed, [&ids[0], &ids[2]].into_iter().collect());
    assert_eq!(list.damaged.len(), 1);
    assert_eq!(list.damaged[0].id.as_str(), ids[1].as_str());
    assert!(matches!(
        list.damaged[0].error,
        WalletError::Store(StoreError::Corrupted {
            collection: Collection::Credentials,
            ..
        })
    ));
    // The error names the record, nothing from inside it.
    let message = list.damaged[0].error.to_string();
    assert!(message.contains(ids[1].as_str()) && !message.contains('张'));

    present_and_verify(&wallet, &f, &ids[0], "after A");
    present_and_verify(&wallet, &f, &ids[2], "after B");
    let t = transcript("damaged");
    let req = request(&f, &t, &[("age_over_18", false)], None, None);
    let consent = Consent::new(0, ids[1].clone(), approve(&req, &["age_over_18"]));
    assert!(matches!(
        wallet.present(&req, &t, &[consent], DeviceAuthMode::Signature, f.now),
        Err(WalletError::Store(StoreError::Corrupted { .. }))
    ));
    let offer = wallet.matching(&req.documents()[0]).unwrap();
    assert_eq!(offer.len(), 2);

    // The holder can remove the damaged record (and its keys).
    assert!(wallet.remove(&ids[1]).unwrap());
    assert!(wallet.credentials().unwrap().damaged.is_empty());

    // A damaged log entry is reported apart as well.
    let log = wallet.disclosures(&LogQuery::all()).unwrap();
    assert_eq!(log.events.len(), 3);
    let entry = &log.events[1].id;
    std::fs::write(
        dir.path()
            .join("disclosure-log")
            .join(format!("{entry}.rec")),
        b"ZZR\x01\x01 not a sealed record",
    )
    .unwrap();
    let log = wallet.disclosures(&LogQuery::all()).unwrap();
    assert_eq!((log.events.len(), log.damaged.len()), (2, 1));
    assert!(wallet.delete_disclosure(entry).unwrap());
}

/// Acceptance: presentations appear in the log with the right verifier, purpose and element
/// names, and never element values. Exports and the files on disk hold no value either.
#[test]
fn disclosure_log_records_who_why_and_which_elements_never_values() {
    let (f, reader_key, reader_cert, reader_trust) = fixture_with_reader();
    let dir = TempDir::new("log");
    let key = StoreKey::generate().unwrap();
    let wallet = open_wallet(dir.path(), &key);
    let meta = add_licence(&wallet, &f, 3, BatchPolicy::OneTimeUse);

    // An authenticated car-rental company asks for four elements, says why, means to keep
    // the name; the holder approves two.
    let t = transcript("car rental");
    let req = request(
        &f,
        &t,
        &[
            ("family_name", true),
            ("birth_date", false),
            ("document_number", false),
            ("age_over_18", false),
        ],
        Some("租车: 核验驾驶资格, \"C1\""),
        Some((&reader_key, &reader_cert, &reader_trust)),
    );
    let offer = wallet.matching(&req.documents()[0]).unwrap();
    assert_eq!((offer.len(), offer[0].disclosable.len()), (1, 4));
    let approved = approve(&req, &["family_name", "age_over_18"]);
    let shown = wallet
        .present(
            &req,
            &t,
            &[Consent::new(0, meta.id.clone(), approved)],
            DeviceAuthMode::Signature,
            f.now,
        )
        .unwrap();
    let verified = Verifier::new(f.trust.clone())
        .verify(&shown.response, &VerifyOptions::new(&t, f.now))
        .unwrap();
    let disclosed: BTreeSet<&String> = verified.documents[0].issuer_signed[NS].keys().collect();
    assert_eq!(disclosed.len(), 2);

    // An anonymous verifier with no stated purpose, a minute later.
    let t2 = transcript("anonymous shop");
    let req2 = request(&f, &t2, &[("age_over_18", false)], None, None);
    let later = f.now.add_secs(60);
    wallet
        .present(
            &req2,
            &t2,
            &[Consent::new(
                0,
                meta.id.clone(),
                approve(&req2, &["age_over_18"]),
            )],
            DeviceAuthMode::Signature,
            later,
        )
        .unwrap();

    // Reopened: the log is persistent.
    drop(wallet);
    let wallet = open_wallet(dir.path(), &key);
    let log = wallet.disclosures(&LogQuery::all()).unwrap();
    assert_eq!(log.events.len(), 2);
    let first = &log.events[0];
    assert_eq!(
        first.verifier,
        VerifierIdentity::Authenticated {
            subject: reader_cert.subject()
        }
    );
    assert_eq!(first.purpose.as_deref(), Some("租车: 核验驾驶资格, \"C1\""));
    assert_eq!(first.doc_type, MDL);
    assert_eq!(first.credential, meta.id);
    assert_eq!(first.time, f.now);
    let names: BTreeMap<&str, bool> = first
        .elements
        .iter()
        .map(|e| (e.identifier.as_str(), e.intent_to_retain))
        .collect();
    assert_eq!(
        names,
        [("age_over_18", false), ("family_name", true)]
            .into_iter()
            .collect()
    );
    let second = &log.events[1];
    assert_eq!(second.verifier, VerifierIdentity::Anonymous);
    assert_eq!((second.purpose.as_deref(), second.time), (None, later));

    // No element value anywhere: not in the entries, exports, Debug output or files.
    let json = to_json(&log.events);
    let csv = to_csv(&log.events);
    let debug = format!("{:?}", log.events);
    assert!(json.contains("\"identifier\": \"family_name\"") && json.contains("Test Reader"));
    assert!(
        csv.contains("org.iso.18013.5.1/family_name; org.iso.18013.5.1/age_over_18")
            || csv.contains("org.iso.18013.5.1/age_over_18; org.iso.18013.5.1/family_name")
    );
    let values = [
        "张",
        "三",
        "1990-03-04",
        "110101199003041234",
        "北京市公安局",
    ];
    for value in values {
        for (what, text) in [("JSON", &json), ("CSV", &csv), ("Debug", &debug)] {
            assert!(
                !text.contains(value),
                "{what} export holds an element value"
            );
        }
    }
    for file in walk(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        for value in values {
            assert!(
                !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
                "a value is in plaintext on disk"
            );
        }
    }

    // Queries and deletion by the holder.
    let by_reader = wallet
        .disclosures(&LogQuery::all().verifier("Test Reader"))
        .unwrap();
    assert_eq!(by_reader.events.len(), 1);
    let since = wallet.disclosures(&LogQuery::all().since(later)).unwrap();
    assert_eq!(since.events.len(), 1);
    assert_eq!(
        wallet
            .delete_disclosures(&LogQuery::all().until(f.now))
            .unwrap(),
        1
    );
    let rest = wallet.disclosures(&LogQuery::all()).unwrap();
    assert_eq!(rest.events.len(), 1);
    assert_eq!(rest.events[0].verifier, VerifierIdentity::Anonymous);
    assert_eq!(wallet.delete_disclosures(&LogQuery::all()).unwrap(), 1);
    assert!(wallet
        .disclosures(&LogQuery::all())
        .unwrap()
        .events
        .is_empty());
    // The credential's own count is unaffected.
    assert_eq!(wallet.metadata(&meta.id).unwrap().usage_count, 2);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Several threads add, present and list at once over one file store.
#[test]
fn concurrent_threads_add_present_and_list() {
    const THREADS: usize = 4;
    const EACH: usize = 4;
    let (f, ..) = fixture_with_reader();
    let dir = TempDir::new("threads");
    let wallet = open_wallet(dir.path(), &StoreKey::generate().unwrap());
    let shared = add_licence(&wallet, &f, 40, BatchPolicy::OneTimeUse);
    let done = AtomicBool::new(false);
    let added: Vec<CredentialId> = std::thread::scope(|s| {
        let lister = s.spawn(|| {
            let mut rounds = 0;
            while !done.load(Ordering::Acquire) {
                let list = wallet.credentials().unwrap();
                assert!(list.damaged.is_empty(), "a reader saw a damaged record");
                assert!(wallet
                    .disclosures(&LogQuery::all())
                    .unwrap()
                    .damaged
                    .is_empty());
                rounds += 1;
            }
            rounds
        });
        let workers: Vec<_> = (0..THREADS)
            .map(|n| {
                let (wallet, f, shared) = (&wallet, &f, &shared);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..EACH {
                        let meta = add_licence(wallet, f, 2, BatchPolicy::OneTimeUse);
                        present_and_verify(wallet, f, &meta.id, &format!("own {n} {i}"));
                        // All threads also draw copies of one shared credential.
                        present_and_verify(wallet, f, &shared.id, &format!("shared {n} {i}"));
                        mine.push(meta.id);
                    }
                    mine
                })
            })
            .collect();
        let added = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        done.store(true, Ordering::Release);
        assert!(lister.join().unwrap() > 0);
        added
    });

    let list = wallet.credentials().unwrap();
    assert_eq!(list.credentials.len(), 1 + THREADS * EACH);
    for id in &added {
        let meta = wallet.metadata(id).unwrap();
        assert_eq!((meta.usage_count, meta.fresh_copies), (1, 1));
    }
    // No copy of the shared credential was handed out twice.
    let shared_now = wallet.metadata(&shared.id).unwrap();
    let uses = (THREADS * EACH) as u64;
    assert_eq!(shared_now.usage_count, uses);
    assert_eq!(shared_now.fresh_copies, 40 - THREADS * EACH);
    let log = wallet.disclosures(&LogQuery::all()).unwrap();
    assert_eq!(log.events.len(), 2 * THREADS * EACH);
}

/// `select` and `record` for apps that build the response themselves (two-phase signing
/// here), and a deviceMac presentation through the secure area's key agreement.
#[test]
fn select_record_two_phase_and_device_mac() {
    let (f, ..) = fixture_with_reader();
    let dir = TempDir::new("two-phase");
    let wallet = open_wallet(dir.path(), &StoreKey::generate().unwrap());
    let meta = add_licence(&wallet, &f, 3, BatchPolicy::OneTimeUse);

    let t = transcript("two-phase");
    let req = request(
        &f,
        &t,
        &[("age_over_18", false), ("birth_date", false)],
        None,
        None,
    );
    let selection = wallet
        .select(
            &req,
            &[Consent::new(
                0,
                meta.id.clone(),
                approve(&req, &["age_over_18"]),
            )],
        )
        .unwrap();
    let item = &selection.items()[0];
    assert_eq!(item.elements().len(), 1);
    assert_eq!(item.fresh_copies(), 2);
    let builder_doc = &req.documents()[item.document()];
    let mut builder = ResponseBuilder::new(&t);
    let pending = builder
        .prepare_document(item.credential(), builder_doc, item.elements())
        .unwrap();
    let signature =
        zhengzhao::crypto::Signer::sign(item.device_key(), pending.to_be_signed()).unwrap();
    builder.add_completed(pending.complete(&signature).unwrap());
    let response = builder.finish();
    let events = wallet.record(&selection, f.now).unwrap();
    assert_eq!(events.len(), 1);
    Verifier::new(f.trust.clone())
        .verify(&response, &VerifyOptions::new(&t, f.now))
        .unwrap();

    // deviceMac: EMacKey from the reader's ephemeral key and the copy's device key.
    let e_reader = SoftwareKey::generate().unwrap();
    let t = transcript("mac");
    let req = request(&f, &t, &[("age_over_18", false)], None, None);
    let shown = wallet
        .present(
            &req,
            &t,
            &[Consent::new(
                0,
                meta.id.clone(),
                approve(&req, &["age_over_18"]),
            )],
            DeviceAuthMode::Mac {
                e_reader_key: e_reader.public(),
            },
            f.now,
        )
        .unwrap();
    Verifier::new(f.trust.clone())
        .verify(
            &shown.response,
            &VerifyOptions::new(&t, f.now).with_reader_key(&e_reader),
        )
        .unwrap();
    assert_eq!(
        wallet.disclosures(&LogQuery::all()).unwrap().events.len(),
        2
    );
}

/// A secure area whose signing can be made to fail (user cancelled the biometric prompt).
struct FlakyArea {
    inner: SoftwareSecureArea,
    fail: AtomicBool,
}

impl SecureArea for FlakyArea {
    fn create_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError> {
        self.inner.create_key(alias)
    }
    fn public_key(&self, alias: &KeyAlias) -> Result<EcPublicKey, SecureAreaError> {
        self.inner.public_key(alias)
    }
    fn sign(&self, alias: &KeyAlias, message: &[u8]) -> Result<Vec<u8>, SecureAreaError> {
        if self.fail.load(Ordering::Acquire) {
            return Err(SecureAreaError::Platform("user cancelled".into()));
        }
        self.inner.sign(alias, message)
    }
    fn key_agreement(
        &self,
        alias: &KeyAlias,
        peer: &EcPublicKey,
    ) -> Result<SharedSecret, SecureAreaError> {
        self.inner.key_agreement(alias, peer)
    }
    fn delete_key(&self, alias: &KeyAlias) -> Result<bool, SecureAreaError> {
        self.inner.delete_key(alias)
    }
}

/// A store whose disclosure-log commits can be made to fail (disk full).
struct FlakyStore {
    inner: FileStore,
    fail_log: AtomicBool,
}

impl CredentialStore for FlakyStore {
    fn put(&self, c: Collection, id: &RecordId, record: &[u8]) -> Result<(), StoreError> {
        if c == Collection::DisclosureLog && self.fail_log.load(Ordering::Acquire) {
            return Err(StoreError::Host("disk full".into()));
        }
        self.inner.put(c, id, record)
    }
    fn get(&self, c: Collection, id: &RecordId) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.get(c, id)
    }
    fn delete(&self, c: Collection, id: &RecordId) -> Result<bool, StoreError> {
        self.inner.delete(c, id)
    }
    fn list(&self, c: Collection) -> Result<Vec<RecordId>, StoreError> {
        self.inner.list(c)
    }
}

/// Failing host callbacks release nothing: no response without its log entry.
#[test]
fn failing_callbacks_release_no_response() {
    let (f, ..) = fixture_with_reader();
    let dir = TempDir::new("flaky");
    let store = Arc::new(FlakyStore {
        inner: FileStore::open(dir.path()).unwrap(),
        fail_log: AtomicBool::new(false),
    });
    let area = Arc::new(FlakyArea {
        inner: SoftwareSecureArea::in_memory(),
        fail: AtomicBool::new(false),
    });
    let wallet = Wallet::new(store.clone(), area.clone());
    let meta = add_licence(&wallet, &f, 3, BatchPolicy::OneTimeUse);
    let t = transcript("flaky");
    let req = request(&f, &t, &[("age_over_18", false)], None, None);
    let consent = || Consent::new(0, meta.id.clone(), approve(&req, &["age_over_18"]));

    area.fail.store(true, Ordering::Release);
    match wallet.present(&req, &t, &[consent()], DeviceAuthMode::Signature, f.now) {
        Err(WalletError::Holder(HolderError::DeviceKey(_))) => {}
        other => panic!(
            "expected a device key error, got {:?}",
            other.map(|p| p.events)
        ),
    }
    area.fail.store(false, Ordering::Release);
    store.fail_log.store(true, Ordering::Release);
    assert!(matches!(
        wallet.present(&req, &t, &[consent()], DeviceAuthMode::Signature, f.now),
        Err(WalletError::Store(StoreError::Host(_)))
    ));
    store.fail_log.store(false, Ordering::Release);
    assert!(wallet
        .disclosures(&LogQuery::all())
        .unwrap()
        .events
        .is_empty());
    // Both failed attempts used up their copy (never reused); the last one still works.
    assert_eq!(wallet.metadata(&meta.id).unwrap().fresh_copies, 1);
    present_and_verify(&wallet, &f, &meta.id, "recovered");
    assert_eq!(
        wallet.disclosures(&LogQuery::all()).unwrap().events.len(),
        1
    );
}
