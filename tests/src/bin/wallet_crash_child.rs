//! The child process of the wallet crash test (`tests/wallet.rs`): opens the encrypted wallet
//! store in the directory given as its only argument, then adds credentials and presents
//! them in an endless loop until the test kills it (SIGKILL).
//!
//! It prints `ready` once the store is open, `ack <credential id>` after [`Wallet::add`]
//! returned (the credential is committed), and `used <credential id>` after a presentation
//! of it returned (its use and its log entry are committed). The parent trusts exactly these
//! lines.

use std::io::Write;
use std::sync::Arc;

use zhengzhao::cbor::Value;
use zhengzhao::holder::{ParsedRequest, RequestOptions};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::wallet::{
    BatchPolicy, Consent, DeviceAuthMode, DisplayName, FileStore, SoftwareSecureArea, StoreKey,
    Wallet,
};

/// The host key of the crash test's store (a test constant, shared with `tests/wallet.rs`).
const CRASH_TEST_KEY: [u8; 32] = [0x5a; 32];
const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";

fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: wallet_crash_child <store directory>");
    let now = UnixTime::now();
    let pki = TestPki::generate(now).expect("test PKI");
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let key = StoreKey::from_bytes(&CRASH_TEST_KEY).expect("key");
    let store = Arc::new(FileStore::open_encrypted(&dir, &key).expect("open store"));
    let area = Arc::new(SoftwareSecureArea::persistent(store.clone(), &key).expect("area"));
    let wallet = Wallet::new(store, area);

    let transcript = SessionTranscript::new(None, None, &Value::text("crash test"));
    let mut items = ItemsRequest::new(MDL).with_element(NS, "age_over_18", false);
    items.request_info = Some(vec![(
        Value::text("purposeOfUse"),
        Value::text("crash test"),
    )]);
    let request_bytes = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
    let request = ParsedRequest::parse(&request_bytes, &transcript, &RequestOptions::new(now))
        .expect("request");
    let approved = request.documents()[0].requested();

    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").expect("stdout");
    out.flush().expect("stdout");
    for n in 0u64.. {
        let pending = wallet.prepare(2).expect("prepare");
        let batch = issuer
            .credential(MDL)
            .element(NS, "family_name", Value::text("张"))
            .element(NS, "document_number", Value::text(format!("D{n:08}")))
            .element(NS, "age_over_18", Value::Bool(true))
            .validity(now, now.add_secs(-60), now.add_secs(86_400))
            .sign_batch(&pending.device_keys())
            .expect("issue");
        let name = DisplayName::new("驾驶证", "Driving licence");
        let meta = wallet
            .add(pending, batch, name, BatchPolicy::Rotate, now)
            .expect("add");
        writeln!(out, "ack {}", meta.id).expect("stdout");
        out.flush().expect("stdout");
        let consent = Consent::new(0, meta.id.clone(), approved.clone());
        wallet
            .present(
                &request,
                &transcript,
                &[consent],
                DeviceAuthMode::Signature,
                now,
            )
            .expect("present");
        writeln!(out, "used {}", meta.id).expect("stdout");
        out.flush().expect("stdout");
    }
}
