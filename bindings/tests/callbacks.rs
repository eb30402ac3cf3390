//! Host callbacks are expected to fail, and to be called from many threads at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use common::*;
use zhengzhao_ffi::*;

/// How a [`Flaky`] secure area misbehaves when signing.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Works,
    Refuses,
    RaisesOther,
    Garbage,
    WrongKey,
}

/// A secure area wrapping the software one, whose `sign` can be made to fail, and which
/// records how many signatures run at the same time.
struct Flaky {
    inner: Arc<dyn SecureArea>,
    mode: Mutex<Mode>,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
}

impl Flaky {
    fn new() -> Arc<Self> {
        Arc::new(Flaky {
            inner: software_secure_area(),
            mode: Mutex::new(Mode::Works),
            running: AtomicUsize::new(0),
            most_at_once: AtomicUsize::new(0),
        })
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }
}

impl SecureArea for Flaky {
    fn create_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError> {
        self.inner.create_key(alias)
    }
    fn public_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError> {
        self.inner.public_key(alias)
    }
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(20));
        let mode = *self.mode.lock().unwrap();
        let result = match mode {
            Mode::Works => self.inner.sign(alias, message),
            Mode::Refuses => Err(ZhengzhaoError::KeyStore {
                reason: "user cancelled".into(),
            }),
            Mode::RaisesOther => Err(ZhengzhaoError::InvalidInput {
                reason: "odd".into(),
            }),
            Mode::Garbage => Ok(vec![0x30, 0x01]),
            Mode::WrongKey => {
                self.inner.create_key("stray".into()).ok();
                self.inner.sign("stray".into(), message)
            }
        };
        self.running.fetch_sub(1, Ordering::SeqCst);
        result
    }
    fn key_agreement(&self, alias: String, peer: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        self.inner.key_agreement(alias, peer)
    }
    fn delete_key(&self, alias: String) -> Result<bool, ZhengzhaoError> {
        self.inner.delete_key(alias)
    }
}

#[test]
fn a_failing_key_store_becomes_a_key_store_error() {
    let area = Flaky::new();
    let s = setup(area.clone());
    for (mode, expect) in [
        (Mode::Refuses, Some("user cancelled")),
        (Mode::RaisesOther, Some("odd")),
        (Mode::Garbage, None),
        (Mode::WrongKey, None),
    ] {
        area.set(mode);
        match present(&s, &["family_name"]) {
            Err(ZhengzhaoError::KeyStore { reason }) => {
                if let Some(text) = expect {
                    assert!(reason.contains(text), "{reason}");
                }
            }
            other => panic!("{other:?}"),
        }
    }
    area.set(Mode::Works);
    present(&s, &["family_name"]).unwrap();
}

#[test]
fn callbacks_run_concurrently_without_deadlock() {
    let area = Flaky::new();
    let s = Arc::new(setup(area.clone()));
    let threads = 6;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (s, barrier) = (s.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                let response = present(&s, &["family_name", "age_over_18"]).unwrap();
                s.verifier
                    .verify(response, s.transcript.clone(), None, None)
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().documents[0].issuer_signed.len(), 2);
    }
    assert!(area.most_at_once.load(Ordering::SeqCst) > 1);
}

/// A host storage in a map, whose calls can be made to fail, and which records how many
/// calls run at the same time.
#[derive(Default)]
struct MapStorage {
    records: Mutex<std::collections::BTreeMap<(String, String), Vec<u8>>>,
    broken: Mutex<Option<ZhengzhaoError>>,
    running: AtomicUsize,
    most_at_once: AtomicUsize,
}

fn key(c: RecordCollection, id: &str) -> (String, String) {
    (format!("{c:?}"), id.to_owned())
}

impl MapStorage {
    fn enter(&self) -> Result<(), ZhengzhaoError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(2));
        self.running.fetch_sub(1, Ordering::SeqCst);
        match &*self.broken.lock().unwrap() {
            Some(ZhengzhaoError::Internal { reason }) => Err(ZhengzhaoError::Internal {
                reason: reason.clone(),
            }),
            Some(_) => Err(ZhengzhaoError::Storage {
                reason: "locked".into(),
            }),
            None => Ok(()),
        }
    }
}

impl CredentialStorage for MapStorage {
    fn put(&self, c: RecordCollection, id: String, record: Vec<u8>) -> Result<(), ZhengzhaoError> {
        self.enter()?;
        self.records.lock().unwrap().insert(key(c, &id), record);
        Ok(())
    }
    fn get(&self, c: RecordCollection, id: String) -> Result<Option<Vec<u8>>, ZhengzhaoError> {
        self.enter()?;
        Ok(self.records.lock().unwrap().get(&key(c, &id)).cloned())
    }
    fn delete(&self, c: RecordCollection, id: String) -> Result<bool, ZhengzhaoError> {
        self.enter()?;
        Ok(self.records.lock().unwrap().remove(&key(c, &id)).is_some())
    }
    fn list(&self, c: RecordCollection) -> Result<Vec<String>, ZhengzhaoError> {
        self.enter()?;
        let wanted = format!("{c:?}");
        Ok(self
            .records
            .lock()
            .unwrap()
            .keys()
            .filter(|(k, _)| *k == wanted)
            .map(|(_, id)| id.clone())
            .collect())
    }
}

#[test]
fn the_host_storage_holds_the_core_records_and_is_called_concurrently() {
    let storage = Arc::new(MapStorage::default());
    let s = Arc::new(setup_with(Wallet::new(
        software_secure_area(),
        storage.clone(),
    )));
    let threads = 4;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (s, barrier) = (s.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                let response = present(&s, &["family_name"]).unwrap();
                s.verifier
                    .verify(response, s.transcript.clone(), None, None)
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().documents[0].issuer_signed.len(), 1);
    }
    assert!(storage.most_at_once.load(Ordering::SeqCst) > 1);
    // The core's records: one credential, one log entry per presentation.
    let records = storage.records.lock().unwrap().clone();
    let in_collection = |c: RecordCollection| {
        records
            .keys()
            .filter(|(k, _)| *k == format!("{c:?}"))
            .count()
    };
    assert_eq!(in_collection(RecordCollection::Credentials), 1);
    assert_eq!(in_collection(RecordCollection::DisclosureLog), threads);
    assert_eq!(
        s.wallet
            .metadata(s.credential_id.clone())
            .unwrap()
            .usage_count,
        threads as u64
    );
}

#[test]
fn a_failing_storage_becomes_a_storage_error() {
    let storage = Arc::new(MapStorage::default());
    let s = setup_with(Wallet::new(software_secure_area(), storage.clone()));
    for (raised, expect) in [
        (
            ZhengzhaoError::Internal {
                reason: "disk full".into(),
            },
            "disk full",
        ),
        (ZhengzhaoError::Storage { reason: "x".into() }, "locked"),
    ] {
        *storage.broken.lock().unwrap() = Some(raised);
        assert!(matches!(
            add_licence(&s.wallet, &s.issuer, 1, BatchPolicy::Rotate),
            Err(ZhengzhaoError::Storage { reason }) if reason.contains(expect)
        ));
        assert!(matches!(
            s.wallet.credentials(),
            Err(ZhengzhaoError::Storage { .. })
        ));
        assert!(matches!(
            present(&s, &["family_name"]),
            Err(ZhengzhaoError::Storage { .. })
        ));
    }
    *storage.broken.lock().unwrap() = None;
    // A damaged record is listed apart and hides nothing.
    storage.records.lock().unwrap().insert(
        key(
            RecordCollection::Credentials,
            "0123456789abcdef0123456789abcdef",
        ),
        b"not a record".to_vec(),
    );
    let listed = s.wallet.credentials().unwrap();
    assert_eq!(listed.credentials.len(), 1);
    assert_eq!(listed.damaged.len(), 1);
    assert_eq!(listed.damaged[0].id, "0123456789abcdef0123456789abcdef");
    present(&s, &["family_name"]).unwrap();
}
