//! The main demo (`cargo run --example demo`): an issuing authority issues a driving licence —
//! in its ISO/IEC 18013-5 mDL form and as the Chinese electronic driving licence (机动车驾驶证) —
//! and a resident ID card (居民身份证); the holder's wallet stores them in its embedded file
//! store with the device keys in its secure area; a car-rental company asks, stating its purpose
//! of use, for the holder's name, whether they may drive a C1 car and whether they are over 18;
//! the wallet shows who asks and what, the holder consents, and the wallet answers over a
//! proximity session started from a QR code printed in the terminal; the company verifies each
//! document and answers its three questions from the disclosed data only. Then licence
//! status (issue 15): the authority issues three more licences that name their entries in two
//! status lists (the ISO 1-bit revocation list and this project's 2-bit Chinese list), suspends
//! one (暂扣) and revokes another (吊销), publishes both lists signed by its status-list signer,
//! and a verifier with a `StatusChecker` answers "valid", "suspended (暂扣)" and
//! "revoked (吊销)" — and refuses as undetermined when it has no list.
//!
//! Everything between the three parties runs through bytes; the test PKI is generated on the
//! fly, so there is nothing to set up. Exit status is non-zero if any step fails.
//!
//! ```sh
//! cargo run --example demo
//! cargo run --example demo -- --out DIR        # also write the exchange's artefacts
//! cargo run --example demo -- --device-mac     # deviceMac instead of deviceSignature
//! cargo run --example demo -- --wallet DIR     # keep the wallet (store and host key) in DIR
//! ```
//!
//! With `--out DIR` the demo writes the artefacts of the exchange: `device_response.cbor` and
//! `device_request.cbor` (the decrypted session plaintexts), `session_transcript.cbor` (the
//! session's SessionTranscriptBytes, the tag-24 form), `issuer_ca.pem` (the trust anchor),
//! `verification.json` (what `verify --json` prints for them), `README.txt` (the time of
//! verification and the disclosed elements) and, with `--device-mac`,
//! `ephemeral_reader_key.d.hex` (the reader's ephemeral private key, which a deviceMac needs);
//! also the two Status List Tokens of the status section, `status_list.cwt` (served at
//! [`ISO_STATUS_URI`]) and `cn_status_list.cwt` (at [`CN_STATUS_URI`]), which
//! `mdoc-tool status-list decode --trust issuer_ca.pem` verifies.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{files, show_value, verify_tool, Error};
use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;
use zhengzhao::cbor::{FullDate, Value};
use zhengzhao::crypto::{EcPublicKey, SoftwareKey};
use zhengzhao::holder::{
    ParsedRequest, ReaderIdentity, RequestOptions, RequestedDocument, ResponseBuilder,
};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::oid4vp::client_id::ClientId;
use zhengzhao::oid4vp::json::JsonLimits;
use zhengzhao::oid4vp::request::{Invocation, RequestPolicy, RequestSource, ResponseMode};
use zhengzhao::oid4vp::response::AuthorizationResponse;
use zhengzhao::oid4vp::verifier::{Transaction, VerifierConfig};
use zhengzhao::profiles::{
    self, predicates, Claims, LicenceId, MsoValidity, Profile, PurposeOfUse, Uscc, VehicleClass,
};
use zhengzhao::profiles::{Authority, Namespace as ProfileNamespace, TrustList};
use zhengzhao::session::{
    BleOptions, DeviceEngagement, Handover, HolderEvent, HolderSession, ReaderOutcome,
    ReaderSession, RetrievalMethod,
};
use zhengzhao::status::{
    Bits, StaticResolver, Status, StatusChecker, StatusListPublisher, StatusListRef,
    StatusReference,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::{TestPki, TestPkiOptions};
use zhengzhao::trust::{Certificate, TrustStore};
use zhengzhao::verifier::{
    VerifiedDocument, VerifiedResponse, Verifier, VerifyError, VerifyOptions,
};
use zhengzhao::wallet::{
    BatchPolicy, Consent, CredentialId, DeviceAuthMode, DisplayName, FileStore, LogQuery,
    SoftwareSecureArea, StoreKey, Wallet,
};

/// Prints a line; output errors (a closed pipe) cannot be reported anywhere better, and the
/// exit status still says how the exchange went.
macro_rules! say {
    ($o:expr, $($t:tt)*) => {{
        let _ = writeln!($o, $($t)*);
    }};
}

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
const PURPOSE: &str = "租车资格核验 (car rental eligibility check)";
/// Copies per credential: one device key each, each presented once.
const COPIES: usize = 5;

const USAGE: &str = "usage: demo [--out DIR] [--device-mac] [--wallet DIR]

  --out DIR      also write the artefacts of the exchange (for verify, @auth0/mdl, …)
  --device-mac   authenticate the documents with deviceMac instead of deviceSignature
  --wallet DIR   keep the wallet in DIR (store/ and the demo's host-key.hex) instead of a
                 temporary directory removed at the end; a later run adds to it";

/// The command line.
#[derive(Default)]
struct Options {
    out: Option<PathBuf>,
    wallet: Option<PathBuf>,
    device_mac: bool,
}

fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{flag} needs a directory"))
        };
        match flag.as_str() {
            "--out" if o.out.is_none() => o.out = Some(value()?),
            "--wallet" if o.wallet.is_none() => o.wallet = Some(value()?),
            "--device-mac" => o.device_mac = true,
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Some(o))
}

/// Exit status: every check passed.
pub const EXIT_OK: i32 = 0;
/// Exit status: a step of the exchange failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit status: the command line is unusable.
pub const EXIT_USAGE: i32 = 2;

/// Runs the demo with `args` (without the program name), printing the story to `out` and
/// failures to `err`. Returns the exit status: [`EXIT_OK`] only if every step and check passed.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let options = match parse_args(args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            say!(out, "{USAGE}");
            return EXIT_OK;
        }
        Err(e) => {
            say!(err, "demo: {e}\n{USAGE}");
            return EXIT_USAGE;
        }
    };
    match story(out, &options) {
        Ok(()) => {
            say!(out, "\nResult: VERIFIED — every check passed.");
            EXIT_OK
        }
        Err(e) => {
            say!(err, "\nResult: FAILED — {e}");
            EXIT_FAILED
        }
    }
}

fn section(o: &mut dyn Write, title: &str) {
    say!(
        o,
        "\n── {title} {}",
        "─".repeat(78usize.saturating_sub(title.chars().count()))
    );
}

/// A wallet directory removed when dropped (the default, without `--wallet`).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens the wallet in `dir`: an encrypted `FileStore` in `dir/store`, device keys in a
/// software secure area persisted (sealed) in the same store. The host key that encrypts both
/// would live in the platform keystore (Android Keystore, iOS Keychain); the demo keeps it in
/// `dir/host-key.hex` so that `--wallet DIR` can be opened again by a later run.
fn open_wallet(dir: &Path) -> Result<Wallet, Error> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let key_file = dir.join("host-key.hex");
    let host_key = if key_file.exists() {
        StoreKey::from_bytes(&files::decode_hex(&files::read(&key_file)?)?)?
    } else {
        let key = StoreKey::generate()?;
        files::write(&key_file, hex::encode(key.to_bytes().as_slice()))?;
        // The key decrypts the whole wallet: readable by its owner only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("protecting {}: {e}", key_file.display()))?;
        }
        key
    };
    let store = Arc::new(FileStore::open_encrypted(dir.join("store"), &host_key)?);
    let area = Arc::new(SoftwareSecureArea::persistent(store.clone(), &host_key)?);
    Ok(Wallet::new(store, area))
}

fn story(o: &mut dyn Write, options: &Options) -> Result<(), Error> {
    let now = UnixTime::now();
    say!(
        o,
        "zhengzhao demo — issue → store → engage (QR) → request → consent → present → verify"
    );
    say!(
        o,
        "(ISO/IEC 18013-5 mdoc; Chinese electronic licence profiles)"
    );

    // ── 1. Issuing authority ───────────────────────────────────────────────────────────────
    section(o, "1. Issuing authority (licence authority)");
    let pki = TestPki::generate(now)?;
    say!(o, "[issuer]   test PKI generated");
    say!(
        o,
        "           issuing authority CA : {}",
        pki.iaca.subject()
    );
    say!(
        o,
        "           document signer      : {}",
        pki.document_signer.subject()
    );
    let issuer_ca = pki.iaca.clone();
    let issuer_trust = pki.issuer_trust_store();
    let reader_trust = pki.reader_trust_store();
    let reader_chain = vec![pki.reader.der().to_vec()];
    let reader_key = pki.reader_key;
    let status_signer = pki.status_signer;
    let status_signer_key = pki.status_signer_key;
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let validity = MsoValidity::new(now, now, now.add_secs(365 * 86_400));

    // ── 2. The wallet: embedded store, secure area; the issuer signs one copy per key ──────
    section(o, "2. Wallet: the embedded store and the secure area");
    let _temporary;
    let wallet_dir = match &options.wallet {
        Some(dir) => dir.clone(),
        None => {
            let dir = std::env::temp_dir().join(format!(
                "zhengzhao-demo-wallet-{}-{}",
                std::process::id(),
                hex::encode(zhengzhao::crypto::random_bytes(4)?)
            ));
            _temporary = TempDir(dir.clone());
            dir
        }
    };
    // The wallet shows an issuer name as verified only if it chains to an anchor it was given.
    let wallet = open_wallet(&wallet_dir)?.with_issuer_trust(issuer_trust.clone());
    say!(
        o,
        "[wallet]   FileStore (encrypted at rest) in {}{}",
        wallet_dir.join("store").display(),
        if options.wallet.is_some() {
            " (kept: --wallet)"
        } else {
            " (temporary; --wallet DIR keeps it)"
        }
    );
    say!(o, "           device keys: SoftwareSecureArea, sealed in the store (a phone: the secure element)");

    let mdl_id = add_mdl(o, &wallet, &issuer, now)?;
    let dl_profile = Profile::driving_licence();
    let dl_id = add_licence(
        o,
        &wallet,
        &issuer,
        &dl_profile,
        &driving_licence_claims(&dl_profile)?,
        validity,
        now,
    )?;
    say!(
        o,
        "           note: the driving licence's type code {} is a placeholder (sequence 002,\n\
         \x20          unconfirmed against the national licence catalogue), and so is its docType",
        dl_profile.type_code().as_str()
    );
    let id_profile = Profile::resident_id_card();
    let id_card_id = add_licence(
        o,
        &wallet,
        &issuer,
        &id_profile,
        &resident_id_claims(&id_profile)?,
        validity,
        now,
    )?;
    let ours = [mdl_id, dl_id, id_card_id];
    let held = wallet.credentials()?;
    say!(
        o,
        "[wallet]   holds {} credential(s){}:",
        held.credentials.len(),
        if held.damaged.is_empty() {
            String::new()
        } else {
            format!(", {} damaged record(s)", held.damaged.len())
        }
    );
    for m in &held.credentials {
        say!(
            o,
            "             {} / {}  {}  {} of {} copies fresh{}",
            m.display_name.zh,
            m.display_name.en,
            m.doc_type,
            m.fresh_copies,
            m.copies,
            if ours.contains(&m.id) {
                ""
            } else {
                "  (from an earlier run)"
            }
        );
    }

    // ── 3. Engagement and session ──────────────────────────────────────────────────────────
    section(
        o,
        "3. Engagement: the wallet shows a QR code, the reader scans it",
    );
    let ble = RetrievalMethod::Ble {
        version: 1,
        options: BleOptions::central_client([0x42; 16]),
    };
    let holder = HolderSession::engage(vec![ble])?;
    let qr = holder.qr_code();
    let image = QrCode::new(qr.as_bytes())?
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light) // light-on-dark, for the usual dark terminal
        .light_color(Dense1x2::Dark)
        .build();
    say!(
        o,
        "[wallet]   device engagement ({} characters):\n{image}",
        qr.len()
    );
    say!(o, "           {qr}");
    // The reader's ephemeral key: its scalar is kept only to write it with --out --device-mac
    // (a deviceMac can be checked only by whoever holds this key).
    let e_reader_key = SoftwareKey::generate()?;
    let e_reader_scalar = e_reader_key.to_bytes();
    let reader = ReaderSession::new(
        DeviceEngagement::from_qr(&qr)?,
        Handover::qr(),
        Box::new(e_reader_key),
    )?;
    let transcript: SessionTranscript = reader.transcript().clone();
    say!(
        o,
        "[reader]   scanned; SessionTranscript [DeviceEngagementBytes, EReaderKeyBytes, null] \
         ({} bytes); session keys derived",
        transcript.tagged_bytes().len()
    );

    // ── 4. Verifier: a car-rental company builds a signed request ──────────────────────────
    section(o, "4. Verifier: the request, with its purpose of use");
    say!(
        o,
        "[verifier] a car-rental company needs: the name, \"may drive C1\", age over 18"
    );
    let purpose = PurposeOfUse::new(PURPOSE)?;
    let documents = [
        // The name, from the licence in its ISO form; the licence number would be kept.
        ItemsRequest::new(MDL)
            .with_element(NS, "family_name", false)
            .with_element(NS, "given_name", false)
            .with_element(NS, "document_number", true),
        // "May drive C1?" from the Chinese licence's permitted vehicle classes.
        ItemsRequest::new(dl_profile.doc_type()).with_element(
            dl_profile.doc_type(),
            "vehicle_classes",
            false,
        ),
        // "Over 18?" from the resident ID card (never from a birth date).
        ItemsRequest::new(id_profile.doc_type()).with_element(
            id_profile.doc_type(),
            "age_over_18",
            false,
        ),
    ];
    let mut doc_requests = Vec::new();
    for items in documents {
        doc_requests.push(DocRequest::new(purpose.attach(items)).sign_reader_auth(
            &reader_key,
            &reader_chain,
            &transcript,
        )?);
    }
    let request = DeviceRequest::new(doc_requests);
    let request_bytes = request.to_bytes(); // the plaintext, for --out
    let (reader, establishment) = reader.send_request(&request)?;
    say!(
        o,
        "[verifier] DeviceRequest for {} documents: {} bytes, each signed with readerAuth; \
         sent encrypted in a SessionEstablishment of {} bytes",
        request.doc_requests.len(),
        request_bytes.len(),
        establishment.len()
    );

    // ── 5. Holder's wallet: who asks, for what; consent; respond ───────────────────────────
    section(
        o,
        "5. Wallet: who asks, why, what; the holder consents; the wallet answers",
    );
    let options_holder = RequestOptions::new(now).with_reader_trust(reader_trust);
    let consent = holder.handle_establishment(&establishment, &options_holder)?;
    let mut consents = Vec::new();
    let mut approved_count = 0;
    for (index, doc) in consent.request().documents().iter().enumerate() {
        if index == 0 {
            show_request(o, doc)?;
        }
        let offer = wallet
            .matching(doc)?
            .into_iter()
            .find(|m| ours.contains(&m.metadata.id))
            .ok_or_else(|| format!("the wallet holds nothing for {}", doc.doc_type()))?;
        say!(
            o,
            "[wallet]   document {index}: {} / {} (issued by {}, {} fresh copies)",
            offer.metadata.display_name.zh,
            offer.metadata.display_name.en,
            offer.metadata.issuer,
            offer.metadata.fresh_copies
        );
        // The holder approves everything asked, except what the company would keep.
        let mut approved = Vec::new();
        for e in offer.disclosable {
            let keep = e.intent_to_retain;
            say!(
                o,
                "             - {:<18}{}  → {}",
                e.identifier,
                if keep { " (would be kept)" } else { "" },
                if keep { "declined" } else { "approved" }
            );
            if !keep {
                approved.push(e);
            }
        }
        approved_count += approved.len();
        consents.push(Consent::new(index, offer.metadata.id.clone(), approved));
    }
    let auth = if options.device_mac {
        DeviceAuthMode::Mac {
            e_reader_key: consent.e_reader_key().clone(),
        }
    } else {
        DeviceAuthMode::Signature
    };
    // The wallet picks a fresh copy per credential, commits its use, has the secure area sign
    // (or MAC) for this session's transcript, and logs the disclosure before releasing it.
    let shown = wallet.present(
        consent.request(),
        consent.transcript(),
        &consents,
        auth,
        now,
    )?;
    let (holder, message) = consent.send_response(&shown.response)?;
    say!(
        o,
        "[wallet]   DeviceResponse: {} documents, {} bytes, {}; sent encrypted ({} bytes)",
        shown.events.len(),
        shown.response.len(),
        if options.device_mac {
            "deviceMac (EMacKey from the device key and EReaderKey)"
        } else {
            "deviceSignature (ES256 in the secure area)"
        },
        message.len()
    );
    for low in &shown.running_low {
        say!(
            o,
            "[wallet]   credential {low} is running low on fresh copies"
        );
    }

    // ── 6. Verifier: check everything, offline ─────────────────────────────────────────────
    section(o, "6. Verifier: checks, disclosed values, answers");
    let verifier_trust = issuer_trust.clone();
    let verifier = Verifier::new(issuer_trust);
    let ReaderOutcome::Response {
        response: verified,
        session: reader,
    } = reader.handle_response(&message, &verifier, now)?
    else {
        return Err("the wallet ended the session without answering".into());
    };
    report(o, &verified);
    let shown_count = count_elements(&verified);
    if shown_count != approved_count {
        return Err(
            format!("expected {approved_count} disclosed elements, got {shown_count}").into(),
        );
    }
    answers(o, &verified, &dl_profile, &id_profile)?;

    // ── 7. End of the session; the disclosure log ──────────────────────────────────────────
    section(o, "7. End of the session; the wallet's disclosure log");
    let termination = reader.terminate();
    let HolderEvent::Terminated = holder.handle_message(&termination, &options_holder)? else {
        return Err("expected the end of the session".into());
    };
    say!(o, "[wallet]   the reader ended the session (status 20)");
    let log = wallet.disclosures(&LogQuery::all())?;
    // This run's entries: those of this run's credentials (a kept wallet has earlier ones).
    let entries: Vec<_> = log
        .events
        .iter()
        .filter(|e| ours.contains(&e.credential))
        .collect();
    if entries.len() != consents.len() || !log.damaged.is_empty() {
        return Err(format!(
            "expected {} log entries for this exchange, found {} ({} damaged)",
            consents.len(),
            entries.len(),
            log.damaged.len()
        )
        .into());
    }
    say!(o,
        "[wallet]   disclosure log: {} entries for this exchange ({} in all); element names only, never values:",
        entries.len(),
        log.events.len()
    );
    for e in entries {
        let elements: Vec<&str> = e.elements.iter().map(|r| r.identifier.as_str()).collect();
        say!(
            o,
            "             {}  to {} ({})  purpose: {}",
            e.time,
            e.verifier.subject().unwrap_or("anonymous"),
            e.verifier.kind(),
            e.purpose.as_deref().unwrap_or("(none stated)")
        );
        say!(o, "               {}: {}", e.doc_type, elements.join(", "));
    }
    for id in &ours {
        let m = wallet.metadata(id)?;
        say!(
            o,
            "[wallet]   {}: presented {} time(s), {} of {} copies fresh",
            m.display_name.en,
            m.usage_count,
            m.fresh_copies,
            m.copies
        );
    }

    // ── 8. Licence status: one suspended, one revoked ──────────────────────────────────────
    section(
        o,
        "8. Licence status: one licence suspended (暂扣), one revoked (吊销)",
    );
    let status_lists = licence_status(
        o,
        &issuer,
        &verifier_trust,
        &status_signer,
        &status_signer_key,
        now,
    )?;

    // ── 9. Online (跨省通办): OpenID4VP ──────────────────────────────────────────────────
    section(
        o,
        "9. Online (跨省通办): a Guangdong service verifies a Shanghai licence over OpenID4VP",
    );
    online(o, &wallet, now)?;

    // ── 10. Artefacts for other tools (--out) ──────────────────────────────────────────────
    if let Some(dir) = &options.out {
        section(o, "10. Artefacts of the exchange");
        let artefacts = Artefacts {
            response: &shown.response,
            transcript: &transcript,
            issuer_ca_pem: files::certificate_pem(&issuer_ca),
            request: &request_bytes,
            verified: &verified,
            at: now,
            reader_key_hex: options
                .device_mac
                .then(|| hex::encode(e_reader_scalar.as_slice())),
            status_lists: &status_lists,
        };
        artefacts.write(dir)?;
        say!(o, "[files]    written to {}:", dir.display());
        for name in artefacts.names() {
            say!(o, "             {name}");
        }
    }
    Ok(())
}

/// The online scene: a Shanghai authority's driving licence, in the same wallet, presented
/// to a Guangdong government service over OpenID4VP 1.0 (signed request, `direct_post.jwt`),
/// verified against the cross-province trust list.
fn online(o: &mut dyn Write, wallet: &Wallet, now: UnixTime) -> Result<(), Error> {
    const GD: &str = "C=CN, ST=Guangdong, O=Guangdong Government Services (test)";
    const SH: &str = "C=CN, ST=Shanghai, O=Shanghai Public Security Bureau (test)";
    let mut names = TestPkiOptions::new(now);
    names.iaca_name = format!("{SH}, CN=Shanghai Licence IACA");
    names.ds_name = format!("{SH}, CN=Shanghai Document Signer");
    names.reader_ca_name = format!("{GD}, CN=Guangdong Verifier CA");
    names.verifier_name = format!("{GD}, CN=Guangdong Online Service");
    names.verifier_dns_name = "service.gd.example.cn".into();
    let pki = TestPki::generate_with(&names)?;

    // The national trust list names the Shanghai authority, its CA and what it may issue.
    let profile = Profile::driving_licence();
    let body = "11310000000000001";
    let code = Uscc::parse(&format!("{body}{}", Uscc::check_character_for(body)?))?;
    let mut list = TrustList::new("National licence trust list (test)", 1, now)
        .with_next_update(now.add_secs(30 * 86_400));
    list.add_authority(
        Authority::new("上海市公安局交通警察总队 (test)", code)
            .with_region("310000")
            .with_certificate(pki.iaca.clone())
            .with_licence_type(profile.type_code().clone()),
    )?;
    let wallet_trusts = pki.reader_trust_store();
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let validity = MsoValidity::new(now, now, now.add_secs(365 * 86_400));
    let shanghai = add_licence(
        o,
        wallet,
        &issuer,
        &profile,
        &driving_licence_claims(&profile)?,
        validity,
        now,
    )?;

    // The Guangdong service asks for three elements.
    let ns = profile.namespace(ProfileNamespace::Licence).to_owned();
    let common = profile.namespace(ProfileNamespace::Common).to_owned();
    let dcql = serde_json::json!({"credentials": [{
        "id": "driving_licence",
        "format": "mso_mdoc",
        "meta": {"doctype_value": profile.doc_type()},
        "claims": [
            {"path": [ns, "name"]},
            {"path": [ns, "vehicle_classes"]},
            {"path": [common, "validity_end"], "intent_to_retain": true}
        ]
    }]});
    let client_id = ClientId::x509_san_dns(&names.verifier_dns_name)?;
    let config = VerifierConfig {
        client_id: client_id.clone(),
        response_uri: "https://service.gd.example.cn/oid4vp/response".into(),
        response_mode: ResponseMode::DirectPostJwt,
        signer: &pki.verifier_key,
        certificates: std::slice::from_ref(&pki.verifier),
    };
    let (mut transaction, request_object) = Transaction::new(&config, &dcql, now)?;
    let uri = transaction.request_uri(&request_object);
    say!(
        o,
        "[verifier] Guangdong service: signed request ({} bytes), QR/link {}…",
        request_object.len(),
        uri.chars().take(60).collect::<String>()
    );

    // The wallet: who asks (certificate chain to the verifier authority it trusts), for what.
    let policy = RequestPolicy::new(wallet_trusts, now);
    let source = RequestSource::from_uri(&uri, &policy.json)?;
    let RequestSource::ByValue {
        client_id: outer,
        request,
    } = source
    else {
        return Err("the demo's request is by value".into());
    };
    let verified =
        policy.verify_request_object(&request, outer.as_deref(), None, &Invocation::Redirect)?;
    let remote = wallet.remote_request(verified)?;
    let Some(document) = remote.documents().first() else {
        return Err("the wallet found nothing to answer".into());
    };
    show_request(o, document)?;
    let candidates = remote.candidates(0);
    say!(
        o,
        "[wallet]   {} driving licence(s) can answer; the holder picks the Shanghai one",
        candidates.len()
    );
    let pick = candidates
        .iter()
        .find(|c| **c == shanghai)
        .cloned()
        .ok_or("the Shanghai licence is not a candidate")?;
    let consent = Consent::new(0, pick, document.requested());
    let presented = wallet.present_remote(&remote, &[consent], now)?;
    let body = match &presented.response {
        AuthorizationResponse::FormPost { uri, body } => {
            say!(
                o,
                "[wallet]   POST {uri}: response=<JWE, ECDH-ES + A128GCM to the service's key>"
            );
            body.clone()
        }
        _ => return Err("expected a form post".into()),
    };

    // The service: decrypt, state, transcript from its own parameters, verify, authorise.
    let checked = transaction.handle_response(
        &body,
        &Verifier::new(list.trust_store()),
        now,
        None,
        &JsonLimits::default(),
    )?;
    for (query, responses) in &checked.responses {
        for doc in responses.iter().flat_map(|r| &r.documents) {
            let authority = list.authorise(doc)?;
            say!(
                o,
                "[verifier] {query}: verified (transcript {}), issued by {} (region {})",
                checked.handover,
                authority.name(),
                authority.region().unwrap_or("-")
            );
            for (namespace, elements) in &doc.issuer_signed {
                for (id, value) in elements {
                    say!(o, "             {namespace}/{id} = {}", show_value(value));
                }
            }
        }
    }
    let replay = transaction.handle_response(
        &body,
        &Verifier::new(list.trust_store()),
        now,
        None,
        &JsonLimits::default(),
    );
    say!(
        o,
        "[verifier] the same answer again: {}",
        match replay {
            Err(e) => format!("refused ({e})"),
            Ok(_) => "ACCEPTED (a bug)".into(),
        }
    );
    Ok(())
}

/// Issues the ISO mDL as a batch (one copy per device key the wallet prepared) and adds it.
fn add_mdl(
    o: &mut dyn Write,
    wallet: &Wallet,
    issuer: &Issuer,
    now: UnixTime,
) -> Result<CredentialId, Error> {
    let pending = wallet.prepare(COPIES)?;
    let date = |s: &str| FullDate::parse(s).map(|d| d.to_value());
    let batch = issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("张"))
        .element(NS, "given_name", Value::text("伟"))
        .element(NS, "birth_date", date("1988-07-12")?)
        .element(NS, "age_over_18", Value::Bool(true))
        .element(NS, "issue_date", date("2022-03-01")?)
        .element(NS, "expiry_date", date("2028-03-01")?)
        .element(NS, "issuing_country", Value::text("CN"))
        .element(
            NS,
            "issuing_authority",
            Value::text("北京市公安局公安交通管理局"),
        )
        .element(NS, "document_number", Value::text("110105198807120011"))
        .element(
            NS,
            "driving_privileges",
            Value::Array(vec![Value::Map(vec![
                (Value::text("vehicle_category_code"), Value::text("C1")),
                (Value::text("issue_date"), date("2012-05-20")?),
            ])]),
        )
        .decoys(2)
        .validity(now, now, now.add_secs(365 * 86_400))
        .sign_batch(&pending.device_keys())?;
    added(
        o,
        wallet,
        pending,
        batch,
        DisplayName::new("驾驶证 (ISO mDL)", "Driving licence (ISO mDL)"),
        now,
    )
}

/// Issues a licence under its Chinese profile, one copy per prepared device key (each with
/// its own salts, digests and signature), and adds the batch.
fn add_licence(
    o: &mut dyn Write,
    wallet: &Wallet,
    issuer: &Issuer,
    profile: &Profile,
    claims: &Claims,
    validity: MsoValidity,
    now: UnixTime,
) -> Result<CredentialId, Error> {
    let pending = wallet.prepare(COPIES)?;
    let batch = pending
        .device_keys()
        .into_iter()
        .map(|key: EcPublicKey| {
            profiles::issue(issuer, profile, claims, key, validity).map(|l| l.credential)
        })
        .collect::<Result<Vec<Credential>, _>>()?;
    added(
        o,
        wallet,
        pending,
        batch,
        DisplayName::new(profile.name_zh(), profile.name_en()),
        now,
    )
}

fn added(
    o: &mut dyn Write,
    wallet: &Wallet,
    pending: zhengzhao::wallet::PendingCredential,
    batch: Vec<Credential>,
    name: DisplayName,
    now: UnixTime,
) -> Result<CredentialId, Error> {
    let doc_type = batch
        .first()
        .map(|c| c.doc_type.clone())
        .unwrap_or_default();
    let elements = batch.first().map_or(0, |c| c.element_ids().len());
    let m = wallet.add(pending, batch, name, BatchPolicy::OneTimeUse, now)?;
    say!(
        o,
        "[issuer]   issued {} ({}): {elements} elements, {} copies",
        m.display_name.zh,
        doc_type,
        m.copies
    );
    say!(
        o,
        "[wallet]   added after checking every copy's signature and device key; valid until {}",
        m.validity.valid_until
    );
    Ok(m.id)
}

const ID_NUMBER: &str = "110105198807120011";

/// The GB/T 36903 metadata every licence carries.
fn common_claims(
    profile: &Profile,
    authority: &Uscc,
    serial: &str,
    name: &str,
) -> Result<Claims, Error> {
    Ok(Claims::new()
        .with_text(
            "licence_id",
            LicenceId::new(profile.type_code(), authority, serial, 1)?.as_str(),
        )
        .with_text("licence_name", profile.name_zh())
        .with_text("licence_type_code", profile.type_code().as_str())
        .with_text("licence_number", ID_NUMBER)
        .with_text("issuing_authority", name)
        .with_text("issuing_authority_code", authority.as_str())
        .with_date("issue_date", FullDate::parse("2020-01-01")?)
        .with_text("holder_name", "张伟")
        .with_text("holder_code", ID_NUMBER)
        .with_text("holder_code_type", "111")
        .with_date("validity_start", FullDate::parse("2020-01-01")?))
}

/// The driving licence: every claim is checked by the profile (check characters, birth date
/// and sex against the ID number, known vehicle classes, …) and `age_over_18` derived.
fn driving_licence_claims(profile: &Profile) -> Result<Claims, Error> {
    let ministry = Uscc::parse("11100000000013127D")?;
    Ok(
        common_claims(profile, &ministry, "2024000002", "公安部交通管理局")?
            .with_date("validity_end", FullDate::parse("2030-01-01")?)
            .with_text("name", "张伟")
            .with("sex", Value::int(1))
            .with_text("nationality", "中国")
            .with_text("address", "北京市朝阳区")
            .with_date("birth_date", FullDate::parse("1988-07-12")?)
            .with_date("first_issue_date", FullDate::parse("2012-05-20")?)
            .with("vehicle_classes", Value::Array(vec![Value::text("C1")]))
            .with_text("id_number", ID_NUMBER)
            .with_text("issuing_office", "北京市公安局公安交通管理局"),
    )
}

/// The resident ID card, issued with its profile.
fn resident_id_claims(profile: &Profile) -> Result<Claims, Error> {
    let ministry = Uscc::parse("11100000000013127D")?;
    Ok(common_claims(profile, &ministry, "2024000001", "公安部")?
        .with("validity_long_term", Value::Bool(true))
        .with_text("name", "张伟")
        .with("sex", Value::int(1))
        .with_text("ethnicity", "汉")
        .with_date("birth_date", FullDate::parse("1988-07-12")?)
        .with_text("address", "北京市朝阳区")
        .with_text("id_number", ID_NUMBER)
        .with_text("issuing_office", "北京市公安局朝阳分局"))
}

/// The wallet's view of the request: who asks, and why.
fn show_request(o: &mut dyn Write, doc: &RequestedDocument) -> Result<(), Error> {
    match doc.reader() {
        ReaderIdentity::Authenticated { subject, .. } => {
            say!(
                o,
                "[wallet]   request from (readerAuth verified): {subject}"
            )
        }
        other => say!(o, "[wallet]   request from: {other:?}"),
    }
    match PurposeOfUse::from_request(&doc.request().items_request)? {
        Some(purpose) => say!(o, "           purpose of use: {}", purpose.as_str()),
        None => say!(o, "           purpose of use: (none stated)"),
    }
    Ok(())
}

/// The verifier's readable report: each check, then the disclosed values.
fn report(o: &mut dyn Write, verified: &VerifiedResponse) {
    // Each check, with the documents it passed for (a failed check is an error, not a line).
    let mut checks: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, check) in &verified.checks {
        let name = check.to_string();
        match checks.iter_mut().find(|(n, _)| *n == name) {
            Some((_, docs)) => docs.push(*i),
            None => checks.push((name, vec![*i])),
        }
    }
    say!(o, "[verifier] checks:");
    for (name, docs) in &checks {
        let docs: Vec<String> = docs.iter().map(usize::to_string).collect();
        say!(
            o,
            "             {name:<22} ok  (documents {})",
            docs.join(", ")
        );
    }
    for (i, d) in verified.documents.iter().enumerate() {
        let kind = Profile::for_doc_type(&d.doc_type).map_or_else(
            || "ISO/IEC 18013-5 mDL".to_owned(),
            |p| p.name_zh().to_owned(),
        );
        say!(o, "[verifier] document {i}: {} ({kind})", d.doc_type);
        say!(
            o,
            "             issued by {}; device authentication: {:?}",
            d.issuer,
            d.device_auth
        );
        for (ns, els) in &d.issuer_signed {
            for (id, v) in els {
                say!(o, "             {ns} / {id:<18} = {}", show_value(v));
            }
        }
    }
}

/// The company's three questions, answered from disclosed, verified elements only.
fn answers(
    o: &mut dyn Write,
    verified: &VerifiedResponse,
    driving_licence: &Profile,
    id_card: &Profile,
) -> Result<(), Error> {
    let doc = |doc_type: &str| -> Result<&VerifiedDocument, Error> {
        verified
            .documents
            .iter()
            .find(|d| d.doc_type == doc_type)
            .ok_or_else(|| format!("no verified {doc_type}").into())
    };
    let mdl = doc(MDL)?;
    let text = |id: &str| {
        mdl.issuer_signed
            .get(NS)
            .and_then(|e| e.get(id))
            .and_then(Value::as_text)
    };
    let name: String = [text("family_name"), text("given_name")]
        .into_iter()
        .flatten()
        .collect();
    if name.is_empty() {
        return Err("no name was disclosed".into());
    }
    let may_drive = predicates::may_drive(doc(driving_licence.doc_type())?, VehicleClass::C1)?;
    let adult = predicates::age_over(doc(id_card.doc_type())?, 18)?;
    say!(o, "[verifier] answers:");
    say!(
        o,
        "             name                                      : {name}"
    );
    say!(
        o,
        "             may drive C1 (predicates::may_drive, 驾驶证) : {}",
        yes_no(may_drive)
    );
    say!(
        o,
        "             over 18 (predicates::age_over, 居民身份证)    : {}",
        yes_no(adult)
    );
    if !may_drive {
        return Err("the holder may not drive a C1 car".into());
    }
    if !adult {
        return Err("the holder is not over 18".into());
    }
    Ok(())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn count_elements(v: &VerifiedResponse) -> usize {
    v.documents
        .iter()
        .map(|d| d.issuer_signed.values().map(|e| e.len()).sum::<usize>())
        .sum()
}

/// What `--out` writes.
struct Artefacts<'a> {
    response: &'a [u8],
    transcript: &'a SessionTranscript,
    issuer_ca_pem: String,
    request: &'a [u8],
    verified: &'a VerifiedResponse,
    at: UnixTime,
    /// With deviceMac: the reader's ephemeral private key (hex scalar).
    reader_key_hex: Option<String>,
    /// The Status List Tokens of the status section.
    status_lists: &'a [StatusListFile],
}

impl Artefacts<'_> {
    const READER_KEY: &'static str = "ephemeral_reader_key.d.hex";

    fn names(&self) -> Vec<&'static str> {
        let mut names = vec![
            "device_response.cbor",
            "session_transcript.cbor",
            "issuer_ca.pem",
            "device_request.cbor",
            "verification.json",
            "README.txt",
        ];
        if self.reader_key_hex.is_some() {
            names.push(Self::READER_KEY);
        }
        names.extend(self.status_lists.iter().map(|l| l.file));
        names
    }

    fn write(&self, dir: &Path) -> Result<(), Error> {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        files::write(dir.join("device_response.cbor"), self.response)?;
        files::write(
            dir.join("session_transcript.cbor"),
            self.transcript.tagged_bytes(),
        )?;
        files::write(dir.join("issuer_ca.pem"), &self.issuer_ca_pem)?;
        files::write(dir.join("device_request.cbor"), self.request)?;
        files::write(
            dir.join("verification.json"),
            format!("{}\n", verify_tool::verified_json(self.verified)),
        )?;
        if let Some(key) = &self.reader_key_hex {
            files::write(dir.join(Self::READER_KEY), format!("{key}\n"))?;
        }
        for l in self.status_lists {
            files::write(dir.join(l.file), &l.token)?;
        }
        files::write(dir.join("README.txt"), self.readme(dir))?;
        Ok(())
    }

    fn readme(&self, dir: &Path) -> String {
        let at = self.at.to_rfc3339();
        let mac = self.reader_key_hex.is_some();
        let mut s = String::new();
        s.push_str("zhengzhao demo: the artefacts of one exchange\n\n");
        s.push_str(&format!("time of verification: {at}\n"));
        for (i, d) in self.verified.documents.iter().enumerate() {
            s.push_str(&format!("\ndocument {i}:\n"));
            s.push_str(&format!("  document type:  {}\n", d.doc_type));
            s.push_str(&format!("  issuer:         {}\n", d.issuer));
            s.push_str(&format!("  trust anchor:   {}\n", d.trust_anchor));
            s.push_str(&format!(
                "  MSO valid:      {} .. {}\n",
                d.validity.valid_from, d.validity.valid_until
            ));
            s.push_str("  disclosed elements:\n");
            for (ns, els) in &d.issuer_signed {
                for (id, v) in els {
                    s.push_str(&format!("    {ns} / {id} = {}\n", show_value(v)));
                }
            }
        }
        s.push_str(
            "\nThe Chinese driving licence's docType ends in a placeholder licence type code\n\
             (11100000000013127D002: sequence 002 is unconfirmed against the national catalogue).\n",
        );
        let auth = if mac {
            "deviceMac (HMAC-SHA-256 under EMacKey, from the device key and the reader's ephemeral key)"
        } else {
            "deviceSignature (ES256)"
        };
        s.push_str(&format!(
            "\nfiles:\n\
             \x20 device_response.cbor        DeviceResponse (raw CBOR, decrypted session plaintext), device authentication by {auth}\n\
             \x20 session_transcript.cbor     SessionTranscriptBytes of the QR-engaged session, #6.24(<<[DeviceEngagementBytes, EReaderKeyBytes, null]>>)\n\
             \x20 issuer_ca.pem               the issuing authority CA certificate: the trust anchor\n\
             \x20 device_request.cbor         the DeviceRequest (with readerAuth and purpose of use) this response answers\n\
             \x20 verification.json           what `verify --json` prints for these files\n"
        ));
        if mac {
            s.push_str(
                "  ephemeral_reader_key.d.hex  the reader's ephemeral P-256 private key (hex scalar): only its holder\n\
                 \x20                             can check a deviceMac; a throw-away key of this session\n",
            );
        }
        for l in self.status_lists {
            s.push_str(&format!(
                "  {:<27} the Status List Token served at {} ({}; raw CWT bytes)\n",
                l.file, l.uri, l.what
            ));
        }
        s.push_str(&format!(
            "\ncheck them with:\n\
             \x20 cargo run --example verify -- --response {d}/device_response.cbor \\\n\
             \x20     --trust {d}/issuer_ca.pem --transcript {d}/session_transcript.cbor --at {at}{k}\n",
            d = dir.display(),
            k = if mac {
                format!(" \\\n      --reader-key {}/{}", dir.display(), Self::READER_KEY)
            } else {
                String::new()
            }
        ));
        for l in self.status_lists {
            s.push_str(&format!(
                "\x20 cargo run --example mdoc-tool -- status-list decode --token {d}/{f} \\\n\
                 \x20     --trust {d}/issuer_ca.pem --uri {u} --at {at}\n",
                d = dir.display(),
                f = l.file,
                u = l.uri,
            ));
        }
        s
    }
}

/// Where the demo's ISO 1-bit revocation list is served.
pub const ISO_STATUS_URI: &str = "https://status.example.cn/mdl/1";
/// Where the demo's 2-bit Chinese licence list (`cn_status_list`) is served.
pub const CN_STATUS_URI: &str = "https://status.example.cn/cn-dl/1";

/// A Status List Token the demo publishes, for `--out`.
struct StatusListFile {
    file: &'static str,
    uri: &'static str,
    what: &'static str,
    token: Vec<u8>,
}

/// The status section: three licences naming entries in both lists; one suspended, one
/// revoked; both lists published; each licence presented and verified with a
/// `StatusChecker`, and the verifier's answer compared with what the authority set.
fn licence_status(
    o: &mut dyn Write,
    issuer: &Issuer,
    trust: &TrustStore,
    status_signer: &Certificate,
    status_signer_key: &SoftwareKey,
    now: UnixTime,
) -> Result<Vec<StatusListFile>, Error> {
    // Ten minutes of caching for verifiers; the lists expire after a day (the default).
    let mut iso = StatusListPublisher::new(ISO_STATUS_URI, Bits::One, 1024)?.with_ttl(600);
    let mut cn = StatusListPublisher::new(CN_STATUS_URI, Bits::Two, 1024)?.with_ttl(600);
    say!(
        o,
        "[issuer]   status lists: {ISO_STATUS_URI} (ISO status_list, 1 bit: revoked)\n\
         \x20          and {CN_STATUS_URI} (cn_status_list, 2 bits: 0 valid, 1 revoked,\n\
         \x20          2 suspended, 3 overdue); 1024 entries each, indices drawn at random"
    );
    // (holder, what the authority does, the answer expected)
    let holders = [
        ("赵敏", None, "valid"),
        ("李娜", Some(Status::Suspended), "suspended (暂扣)"),
        ("王强", Some(Status::Invalid), "revoked (吊销)"),
    ];
    let mut issued = Vec::new();
    for (name, change, _) in holders {
        let (iso_idx, cn_idx) = (iso.allocate()?, cn.allocate()?);
        let device_key = SoftwareKey::generate()?;
        let credential = issuer
            .credential(MDL)
            .element(NS, "family_name", Value::text(name))
            .element(NS, "issuing_country", Value::text("CN"))
            .device_key(device_key.public())
            .validity(now, now, now.add_secs(365 * 86_400))
            .status(StatusReference {
                status_list: Some(StatusListRef {
                    idx: iso_idx,
                    uri: ISO_STATUS_URI.into(),
                    certificate: None,
                }),
                identifier_list: None,
                cn_status_list: Some(StatusListRef {
                    idx: cn_idx,
                    uri: CN_STATUS_URI.into(),
                    certificate: None,
                }),
            })
            .sign()?;
        let action = match change {
            // 暂扣: only the Chinese list can say suspended (the ISO list says revoked or not).
            Some(Status::Suspended) => {
                cn.set(cn_idx, Status::Suspended)?;
                "suspended (暂扣) in cn_status_list"
            }
            // 吊销: both lists, so that an ISO-only reader learns it too.
            Some(status) => {
                iso.set(iso_idx, status)?;
                cn.set(cn_idx, status)?;
                "revoked (吊销) in both lists"
            }
            None => "valid",
        };
        say!(
            o,
            "[issuer]   {name}'s licence: status_list idx {iso_idx}, cn_status_list idx {cn_idx} → {action}"
        );
        issued.push((name, credential, device_key));
    }
    let iso_token = iso.sign(status_signer_key, std::slice::from_ref(status_signer), now)?;
    let cn_token = cn.sign(status_signer_key, std::slice::from_ref(status_signer), now)?;
    say!(
        o,
        "[issuer]   published: {} + {} bytes, signed by {} (certified by the IACA)",
        iso_token.len(),
        cn_token.len(),
        status_signer.subject()
    );

    // The verifier fetched both lists (here: a StaticResolver over the published bytes).
    let resolver = StaticResolver::new()
        .with(ISO_STATUS_URI, iso_token.clone())
        .with(CN_STATUS_URI, cn_token.clone());
    let checker = StatusChecker::new(Arc::new(resolver));
    let offline = StatusChecker::new(Arc::new(StaticResolver::new()));
    let verifier = Verifier::new(trust.clone());
    let transcript = SessionTranscript::new(None, None, &Value::text("demo: licence status"));
    for (i, ((name, credential, device_key), (_, _, expected))) in
        issued.iter().zip(holders).enumerate()
    {
        let response = present_name(credential, device_key, &transcript, now)?;
        let options = VerifyOptions::new(&transcript, now).with_status(&checker);
        let answer = match verifier.verify(&response, &options) {
            Ok(v) => match v.documents.first().and_then(|d| d.status.as_ref()) {
                Some(outcome) => outcome.to_string(),
                None => "not checked".into(),
            },
            Err(VerifyError::Suspended { .. }) => "suspended (暂扣)".into(),
            Err(VerifyError::Revoked { .. }) => "revoked (吊销)".into(),
            Err(e) => format!("error: {e}"),
        };
        let verdict = if answer == "valid" {
            "accepted"
        } else {
            "refused"
        };
        say!(o, "[verifier] {name}'s licence: {answer} — {verdict}");
        if answer != expected {
            return Err(format!(
                "licence {i}: the verifier answered {answer}, expected {expected}"
            )
            .into());
        }
        if i == 0 {
            // Without the lists (offline, never fetched) the answer is not "valid".
            let options = VerifyOptions::new(&transcript, now).with_status(&offline);
            match verifier.verify(&response, &options) {
                Err(VerifyError::StatusUndetermined { .. }) => say!(
                    o,
                    "[verifier] {name}'s licence with no list at hand: undetermined — refused \
                     (never reported as valid, nor as revoked)"
                ),
                other => {
                    return Err(format!("no list: expected undetermined, got {other:?}").into())
                }
            }
        }
    }
    Ok(vec![
        StatusListFile {
            file: "status_list.cwt",
            uri: ISO_STATUS_URI,
            what: "ISO status_list, 1 bit",
            token: iso_token,
        },
        StatusListFile {
            file: "cn_status_list.cwt",
            uri: CN_STATUS_URI,
            what: "cn_status_list, 2 bits",
            token: cn_token,
        },
    ])
}

/// A DeviceResponse disclosing `family_name` of `credential`, device-signed for `transcript`.
fn present_name(
    credential: &Credential,
    device_key: &SoftwareKey,
    transcript: &SessionTranscript,
    now: UnixTime,
) -> Result<Vec<u8>, Error> {
    let request = DeviceRequest::new(vec![DocRequest::new(ItemsRequest::new(MDL).with_element(
        NS,
        "family_name",
        false,
    ))]);
    let parsed = ParsedRequest::parse(&request.to_bytes(), transcript, &RequestOptions::new(now))?;
    let doc = parsed
        .documents()
        .first()
        .ok_or("the request has no document")?;
    let approved = doc.disclosable(credential);
    let mut builder = ResponseBuilder::new(transcript);
    builder.add_document(credential, doc, &approved, device_key)?;
    Ok(builder.finish())
}
