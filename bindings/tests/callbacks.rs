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
    fn delete_key(&self, alias: String) -> Result<(), ZhengzhaoError> {
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
                    .verify(response, s.transcript.clone(), None)
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().documents[0].issuer_signed.len(), 2);
    }
    assert!(area.most_at_once.load(Ordering::SeqCst) > 1);
}

/// A storage whose every call fails.
struct BrokenStorage;

impl CredentialStorage for BrokenStorage {
    fn save(&self, _: String, _: Vec<u8>) -> Result<(), ZhengzhaoError> {
        Err(ZhengzhaoError::Internal {
            reason: "disk full".into(),
        })
    }
    fn load(&self, _: String) -> Result<Option<Vec<u8>>, ZhengzhaoError> {
        Ok(Some(b"not a record".to_vec()))
    }
    fn list_ids(&self) -> Result<Vec<String>, ZhengzhaoError> {
        Ok(vec!["x".into()])
    }
    fn delete(&self, _: String) -> Result<(), ZhengzhaoError> {
        Ok(())
    }
}

#[test]
fn a_failing_storage_becomes_a_storage_error() {
    let s = setup(software_secure_area());
    let area = software_secure_area();
    let wallet = Wallet::new(area.clone(), Some(Arc::new(BrokenStorage)));
    let key = wallet.create_device_key("d".into()).unwrap();
    let now = std::time::SystemTime::now();
    let credential = s
        .issuer
        .issue(IssuanceRequest {
            doc_type: MDL.into(),
            elements: licence_elements(),
            device_public_key: key,
            signed: now,
            valid_from: now,
            valid_until: now + Duration::from_secs(60),
            decoys: 0,
        })
        .unwrap();
    assert!(matches!(
        wallet.add_credential(credential, "d".into()),
        Err(ZhengzhaoError::Storage { reason }) if reason.contains("disk full")
    ));
    assert!(matches!(
        wallet.credentials(),
        Err(ZhengzhaoError::Storage { .. })
    ));
}
