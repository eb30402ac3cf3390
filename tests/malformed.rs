//! The malformed-input corpus (issue 7): every file in `tests/malformed/` goes through the real
//! entry point named in `tests/malformed/MANIFEST.tsv`, and must fail with exactly the error the
//! manifest names (the chain of enum variants, and for the verifier the failed `Check`), without
//! panicking and with peak heap use bounded by a multiple of its size.
//!
//! The corpus is data: the files are committed. `regenerate_corpus` (ignored) rebuilds it and
//! documents how each file is made; run it only to change the corpus:
//!
//! ```sh
//! cargo test -p zhengzhao-tests --test malformed -- --ignored regenerate_corpus
//! ```
//!
//! Regenerating draws fresh keys and salts, so every file changes; the expectations do not.

#[path = "malformed_gen/mod.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use zhengzhao::verifier::VerifyOptions;

use peak_alloc::PeakAlloc;
use zhengzhao::cbor::Limits;
use zhengzhao::holder::{ParsedRequest, RequestOptions};
use zhengzhao::model::{Credential, SessionTranscript};
use zhengzhao::profiles::TrustList;
use zhengzhao::session::{DeviceEngagement, SessionData, SessionEstablishment};
use zhengzhao::status::{StatusLimits, StatusListToken};
use zhengzhao::trust::{
    parse_pem_or_der, validate_chain, AnchorRole, Certificate, ChainUsage, TrustStore,
};
use zhengzhao::verifier::Verifier;
use zhengzhao::wallet::{
    Collection, CredentialStore, FileStore, LogQuery, MemoryStore, RecordId, SoftwareSecureArea,
    Wallet,
};

/// Counts live heap bytes and their peak, so each entry's peak can be bounded.
#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// The tests of this binary run one at a time: the heap peak is process-wide.
static SERIAL: Mutex<()> = Mutex::new(());

/// Heap a single entry may use beyond what was live before it: a fixed allowance for the
/// verifier's and the trust store's working state, plus this many bytes per input byte.
const HEAP_BASE: usize = 256 * 1024;
const HEAP_PER_INPUT_BYTE: usize = 16;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("malformed")
}

/// The chain of enum variant (and other type) names in a `Debug` rendering, outermost first:
/// `Malformed(Structure(Cbor { at: "DeviceResponse", source: Truncated { offset: 3 } }))` becomes
/// `Malformed/Structure/Cbor/Truncated`. Quoted strings, field names and numbers are dropped, so
/// offsets and paths may change without breaking the expectation, variants may not.
fn variant_path(debug: &str) -> String {
    let mut names = Vec::new();
    let mut chars = debug.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            while let Some(d) = chars.next() {
                match d {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut ident = String::from(c);
            while let Some(&d) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '_' {
                    ident.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            if ident.starts_with(|ch: char| ch.is_ascii_uppercase()) {
                names.push(ident);
            }
        }
    }
    names.join("/")
}

/// The fixed setup every entry runs against (`tests/malformed/fixtures/`).
struct Setup {
    verifier: Verifier,
    reader_trust: TrustStore,
    issuer_trust: TrustStore,
    transcript: SessionTranscript,
    /// The trust-list publisher (the IACA fixture).
    publisher: Certificate,
    /// The IACA that certified the status-list signer (`status_*` entries).
    status_iaca: Certificate,
    /// The document signer of the credential whose status the `status_*` entries read.
    status_document_signer: Certificate,
}

fn setup() -> Setup {
    let dir = corpus_dir().join("fixtures");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("corpus fixture");
    let mut issuer_trust = TrustStore::new();
    issuer_trust
        .add_pem_or_der(&read("iaca.der"), AnchorRole::IssuingAuthority)
        .expect("IACA fixture");
    let mut reader_trust = TrustStore::new();
    reader_trust
        .add_pem_or_der(&read("reader_ca.der"), AnchorRole::ReaderAuthority)
        .expect("reader CA fixture");
    let transcript =
        SessionTranscript::from_tagged_bytes(&read("transcript.cbor"), &Limits::default())
            .expect("transcript fixture");
    Setup {
        verifier: Verifier::new(issuer_trust.clone()),
        reader_trust,
        issuer_trust,
        transcript,
        publisher: Certificate::from_der(&read("iaca.der")).expect("IACA fixture"),
        status_iaca: Certificate::from_der(&read("status_iaca.der")).expect("status IACA fixture"),
        status_document_signer: Certificate::from_der(&read("status_document_signer.der"))
            .expect("status document signer fixture"),
    }
}

/// Runs `input` through the entry point `entry` and renders the outcome as the manifest writes
/// it: `ok`, or the variant path of the error (for `verify`, prefixed by the failed check).
fn run(s: &Setup, entry: &str, input: &[u8]) -> String {
    let at = corpus::at();
    fn outcome<T, E: std::fmt::Debug>(r: Result<T, E>) -> String {
        match r {
            Ok(_) => "ok".to_owned(),
            Err(e) => variant_path(&format!("{e:?}")),
        }
    }
    match entry {
        "verify" => match s
            .verifier
            .verify(input, &VerifyOptions::new(&s.transcript, at))
        {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{}:{}", e.check(), variant_path(&format!("{e:?}"))),
        },
        "request" => outcome(ParsedRequest::parse(
            input,
            &s.transcript,
            &RequestOptions::new(at).with_reader_trust(s.reader_trust.clone()),
        )),
        "engagement" => outcome(DeviceEngagement::parse(input)),
        "qr" => match std::str::from_utf8(input) {
            Ok(text) => outcome(DeviceEngagement::from_qr(text)),
            Err(_) => "NotUtf8".to_owned(),
        },
        "session_establishment" => outcome(SessionEstablishment::parse(input, &Limits::default())),
        "session_data" => outcome(SessionData::parse(input, &Limits::default())),
        "certificates" => outcome(parse_pem_or_der(input).and_then(|chain| {
            validate_chain(&chain, &s.issuer_trust, ChainUsage::DocumentSigner, at)
        })),
        "credential" => outcome(Credential::from_bytes(input, &Limits::default())),
        // The lowest edition accepted is 5, as if edition 5 had been accepted before.
        "trust_list" => outcome(TrustList::from_signed(
            input,
            std::slice::from_ref(&s.publisher),
            at,
            5,
        )),
        "wallet_credential_record" | "wallet_log_record" => {
            let store = Arc::new(MemoryStore::new());
            let (collection, id) = if entry == "wallet_credential_record" {
                (Collection::Credentials, "c0123456789abcdef")
            } else {
                (Collection::DisclosureLog, "l0123456789abcdef")
            };
            let id = RecordId::new(id).expect("record id");
            store.put(collection, &id, input).expect("memory store");
            let wallet = Wallet::new(store, Arc::new(SoftwareSecureArea::in_memory()));
            let damaged = if collection == Collection::Credentials {
                let list = wallet
                    .credentials()
                    .expect("listing survives a damaged record");
                assert!(list.credentials.is_empty());
                list.damaged
            } else {
                let list = wallet
                    .disclosures(&LogQuery::all())
                    .expect("listing survives a damaged record");
                assert!(list.events.is_empty());
                list.damaged
            };
            match damaged.as_slice() {
                [] => "ok".to_owned(),
                [one] => variant_path(&format!("{:?}", one.error)),
                _ => "SeveralDamaged".to_owned(),
            }
        }
        "file_store_record" => {
            let dir = std::env::temp_dir().join(format!(
                "zhengzhao-malformed-{}-{}",
                std::process::id(),
                corpus::short_hash(input)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            let store = FileStore::open(&dir).expect("file store");
            let id = RecordId::new("corpus").expect("record id");
            std::fs::write(
                dir.join(Collection::Credentials.name()).join("corpus.rec"),
                input,
            )
            .expect("write record file");
            let r = outcome(store.get(Collection::Credentials, &id));
            drop(store);
            let _ = std::fs::remove_dir_all(&dir);
            r
        }
        "status" => status(s, input),
        other => panic!("unknown entry point {other:?} in the manifest"),
    }
}

/// A Status List Token through the verifier's path, each step prefixed to its error, which is
/// written in full (variant and fields: `Debug`): `parse` (`StatusListToken::parse`, default
/// limits), `chain` (`verify_chain` to the status IACA fixture, the status document signer
/// fixture as the credential's signer), `claims` (`check_claims` for [`corpus::STATUS_URI`],
/// `exp` required, no maximum age), then `get` (the entry at [`corpus::STATUS_INDEX`]); `ok:`
/// and the status read when every step passed.
fn status(s: &Setup, input: &[u8]) -> String {
    let at = corpus::at();
    let provider = zhengzhao::crypto::default_provider();
    let token = match StatusListToken::parse(input, &StatusLimits::default()) {
        Ok(t) => t,
        Err(e) => return format!("parse:{e:?}"),
    };
    if let Err(e) = token.verify_chain(
        provider.as_ref(),
        &s.status_iaca,
        Some(&s.status_document_signer),
        at,
    ) {
        return format!("chain:{e:?}");
    }
    if let Err(e) = token.check_claims(Some(corpus::STATUS_URI), at, true, None) {
        return format!("claims:{e:?}");
    }
    match token.list().and_then(|l| l.get(corpus::STATUS_INDEX)) {
        Ok(status) => format!("ok:{status:?}"),
        Err(e) => format!("get:{e:?}"),
    }
}

struct Entry {
    name: String,
    entry: String,
    expected: String,
}

fn manifest() -> Vec<Entry> {
    let text =
        std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("MANIFEST.tsv present");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(
                cols.len() >= 3,
                "manifest line {l:?} has fewer than 3 columns"
            );
            Entry {
                name: cols[0].to_owned(),
                entry: cols[1].to_owned(),
                expected: cols[2].to_owned(),
            }
        })
        .collect()
}

#[test]
fn malformed_corpus() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup();
    let entries = manifest();
    assert!(
        entries.len() >= 50,
        "the corpus must hold at least 50 entries, has {}",
        entries.len()
    );
    // The counter sees this binary's allocations (else every bound below would pass vacuously).
    HEAP.reset_peak_usage();
    let probe = vec![1u8; HEAP_BASE];
    assert!(
        HEAP.peak_usage() >= HEAP_BASE,
        "the counting allocator is not in use"
    );
    drop(probe);
    let mut failures = Vec::new();
    // Largest peak of any entry, and largest peak per input byte among inputs of 1 KiB or more.
    let mut largest = (0usize, String::new());
    let mut worst = (0.0f64, String::new());
    for e in &entries {
        let input = std::fs::read(corpus_dir().join(format!("{}.bin", e.name)))
            .unwrap_or_else(|_| panic!("corpus file {}.bin", e.name));
        let before = HEAP.current_usage();
        HEAP.reset_peak_usage();
        let got =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&s, &e.entry, &input)))
                .unwrap_or_else(|_| "PANIC".to_owned());
        let used = HEAP.peak_usage().saturating_sub(before);
        let mut bound = HEAP_BASE + HEAP_PER_INPUT_BYTE * input.len();
        if e.entry == "status" {
            // The inflated list may take up to `max_list_bytes` (and the counter sees the
            // inflater's buffer twice while it doubles): a bomb must stop there.
            bound += 2 * StatusLimits::default().max_list_bytes;
        }
        let ratio = used as f64 / input.len().max(1) as f64;
        if used > largest.0 {
            largest = (used, e.name.clone());
        }
        if input.len() >= 1024 && ratio > worst.0 {
            worst = (ratio, e.name.clone());
        }
        if got != e.expected {
            failures.push(format!("{}: expected {}, got {}", e.name, e.expected, got));
        }
        if used > bound {
            failures.push(format!(
                "{}: peak heap {} bytes for {} input bytes exceeds the bound {}",
                e.name,
                used,
                input.len(),
                bound
            ));
        }
    }
    println!(
        "{} entries; largest peak heap {} bytes ({}); largest per input byte (inputs >= 1 KiB) {:.1} ({})",
        entries.len(),
        largest.0,
        largest.1,
        worst.0,
        worst.1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every file in the corpus directory is in the manifest, and the other way round.
#[test]
fn manifest_lists_every_file() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut listed: Vec<String> = manifest().into_iter().map(|e| e.name).collect();
    listed.sort();
    let before = listed.len();
    listed.dedup();
    assert_eq!(before, listed.len(), "a name appears twice in the manifest");
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .filter_map(|d| {
            let name = d.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".bin").map(str::to_owned)
        })
        .collect();
    files.sort();
    assert_eq!(listed, files);
}

/// Every proper prefix of a valid response, request, SessionEstablishment, DeviceEngagement and
/// stored credential is rejected as truncated CBOR (each structural boundary, and every byte
/// between).
#[test]
fn every_truncation_is_rejected_as_truncated() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let s = setup();
    for (entry, name) in [
        ("verify", "valid_response"),
        ("request", "valid_request"),
        ("session_establishment", "valid_session_establishment"),
        ("engagement", "valid_engagement"),
        ("credential", "valid_credential"),
    ] {
        let full = std::fs::read(corpus_dir().join("fixtures").join(format!("{name}.cbor")))
            .expect("valid fixture");
        assert_eq!(run(&s, entry, &full), "ok", "{name} must be accepted whole");
        for cut in 0..full.len() {
            let got = run(&s, entry, &full[..cut]);
            let truncated =
                got.ends_with("Cbor/Truncated") || got.ends_with("Cbor/LengthBeyondInput");
            assert!(truncated, "{name} cut at {cut}: {got}");
        }
    }
}

#[test]
fn variant_path_reads_nested_debug() {
    assert_eq!(
        variant_path(
            r#"Malformed(Structure(Cbor { at: "Device\"Response", source: Truncated { offset: 3 } }))"#
        ),
        "Malformed/Structure/Cbor/Truncated"
    );
    assert_eq!(
        variant_path("IssuerChain { document: 0, source: ChainLoop }"),
        "IssuerChain/ChainLoop"
    );
}

#[test]
#[ignore = "rewrites tests/malformed/; run only to change the corpus"]
fn regenerate_corpus() {
    corpus::regenerate(&corpus_dir());
}

/// Rewrites only the `status_*` entries (and their fixtures and seeds).
#[test]
#[ignore = "rewrites tests/malformed/status_*; run only to change those entries"]
fn regenerate_status_corpus() {
    corpus::regenerate_status(&corpus_dir());
}

/// The wallet-record fuzz entry point holds its invariants on every committed seed (valid
/// records written by a real wallet, and the malformed ones), so it runs in every test run.
#[test]
fn wallet_record_seeds_keep_their_invariants() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = corpus_dir().join("../../fuzz/seeds/wallet_records");
    let mut seen = 0;
    for f in std::fs::read_dir(&dir)
        .expect("wallet_records seeds")
        .flatten()
    {
        let data = std::fs::read(f.path()).expect("seed");
        assert_eq!(
            zhengzhao::wallet::fuzzing::decode_records(&data),
            Ok(()),
            "{:?}",
            f.file_name()
        );
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} wallet_records seeds");
}
