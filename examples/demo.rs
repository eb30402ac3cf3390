//! The main demo: an issuing authority issues a driving licence and a resident ID card
//! (居民身份證), the holder's wallet answers a car-rental company's requests — stating their
//! purpose of use — with only what it approved, over a proximity session started from a QR code,
//! and the company verifies each answer.
//!
//! Everything runs through bytes, as it would between three parties; the test PKI is generated
//! on the fly, so there is nothing to set up. Exit status is non-zero if any step fails.
//!
//! ```sh
//! cargo run --example demo
//! cargo run --example demo -- --out DIR   # also write the exchange's artefacts for other tools
//! ```
//!
//! With `--out DIR` the demo writes the artefacts of the driving-licence exchange (the first
//! request of the session): `device_response.cbor` and `device_request.cbor` (the decrypted
//! session plaintexts), `session_transcript.cbor` (the session's SessionTranscriptBytes, the
//! tag-24 form), `issuer_ca.pem` (the trust anchor), `verification.json` (what `verify --json`
//! prints for them) and `README.txt` (the time of verification and the disclosed elements).
//!
//! The numbered sections are the steps of the exchange; the wallet's store slots into the
//! section marked for it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use qrcode::render::unicode::Dense1x2;
use qrcode::QrCode;
use zhengzhao::cbor::{FullDate, Value};
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{ReaderIdentity, RequestOptions, RequestedDocument, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::profiles::{
    self, predicates, Claims, LicenceId, MsoValidity, Profile, PurposeOfUse, Uscc,
};
use zhengzhao::session::{
    Approval, BleOptions, DeviceAuthKey, HolderEvent, HolderSession, ReaderOutcome, ReaderSession,
    RetrievalMethod,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::verifier::{VerifiedResponse, Verifier};
use zhengzhao_examples::{files, show_value, verify_tool, Error};

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
const PURPOSE: &str = "租车资格核验 (car rental eligibility check)";

const USAGE: &str = "usage: demo [--out DIR]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [] => None,
        [flag, dir] if flag == "--out" => Some(PathBuf::from(dir)),
        [flag] if flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(out.as_deref()) {
        Ok(()) => {
            println!("\nResult: VERIFIED — every check passed.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("\nResult: FAILED — {e}");
            ExitCode::FAILURE
        }
    }
}

fn section(title: &str) {
    println!(
        "\n── {title} {}",
        "─".repeat(78usize.saturating_sub(title.chars().count()))
    );
}

fn run(out_dir: Option<&Path>) -> Result<(), Error> {
    let now = UnixTime::now();
    println!("zhengzhao demo — issue → engage → present → verify (ISO/IEC 18013-5 mdoc)");

    // ── 1. Issuing authority ───────────────────────────────────────────────────────────────
    section("1. Issuing authority (licence authority)");
    let pki = TestPki::generate(now)?;
    println!("[issuer]   test PKI generated");
    println!("           issuing authority CA : {}", pki.iaca.subject());
    println!(
        "           document signer      : {}",
        pki.document_signer.subject()
    );
    let issuer_ca = pki.iaca.clone();
    let issuer_trust = pki.issuer_trust_store();
    let reader_trust = pki.reader_trust_store();
    let reader_chain = vec![pki.reader.der().to_vec()];
    let reader_key = pki.reader_key;
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);

    // The holder's device key; on a phone it would live in the secure element.
    let device_key = SoftwareKey::generate()?;
    let date = |s: &str| FullDate::parse(s).map(|d| d.to_value());
    let licence: Credential = issuer
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
        .device_key(device_key.public())
        .validity(now, now, now.add_secs(365 * 86_400))
        .sign()?;
    println!(
        "[issuer]   driving licence issued: {} elements, {} bytes, valid until {}",
        licence.element_ids().len(),
        licence.to_bytes().len(),
        now.add_secs(365 * 86_400)
    );

    // The resident ID card, issued with its profile: every claim is checked (check characters,
    // birth date and sex against the ID number, …) and `age_over_18` / `age_over_60` derived.
    let profile = Profile::resident_id_card();
    let ministry = Uscc::parse("11100000000013127D")?;
    let id_number = "110105198807120011";
    let fdate = |s: &str| FullDate::parse(s);
    let claims = Claims::new()
        .with_text(
            "licence_id",
            LicenceId::new(profile.type_code(), &ministry, "2024000001", 1)?.as_str(),
        )
        .with_text("licence_name", "居民身份证")
        .with_text("licence_type_code", profile.type_code().as_str())
        .with_text("licence_number", id_number)
        .with_text("issuing_authority", "公安部")
        .with_text("issuing_authority_code", ministry.as_str())
        .with_date("issue_date", fdate("2020-01-01")?)
        .with_text("holder_name", "张伟")
        .with_text("holder_code", id_number)
        .with_text("holder_code_type", "111")
        .with_date("validity_start", fdate("2020-01-01")?)
        .with("validity_long_term", Value::Bool(true))
        .with_text("name", "张伟")
        .with("sex", Value::int(1))
        .with_text("ethnicity", "汉")
        .with_date("birth_date", fdate("1988-07-12")?)
        .with_text("address", "北京市朝阳区")
        .with_text("id_number", id_number)
        .with_text("issuing_office", "北京市公安局朝阳分局");
    let validity = MsoValidity::new(now, now, now.add_secs(365 * 86_400));
    let id_card = profiles::issue(&issuer, &profile, &claims, device_key.public(), validity)?;
    let id_card = id_card.credential;
    println!(
        "[issuer]   resident ID card ({}) issued: {} elements, docType {}",
        profile.kind().name_zh(),
        id_card.element_ids().len(),
        id_card.doc_type
    );

    // ── 2. Wallet stores the credentials ───────────────────────────────────────────────────
    section("2. Wallet: store the credentials");
    // The wallet's embedded store slots in here (put, then list what the wallet holds); until
    // then the wallet keeps the issued bytes in memory.
    let mut wallet = Vec::new();
    for issued in [licence.to_bytes(), id_card.to_bytes()] {
        let stored = Credential::from_bytes(&issued, &Default::default())?;
        println!(
            "[wallet]   stored {} ({} bytes)",
            stored.doc_type,
            issued.len()
        );
        wallet.push(stored);
    }
    let [wallet_licence, wallet_id_card] = <[Credential; 2]>::try_from(wallet)
        .map_err(|_| "the wallet should hold two credentials")?;

    // ── 3. Engagement and session ──────────────────────────────────────────────────────────
    section("3. Engagement: the wallet shows a QR code, the reader scans it");
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
    println!(
        "[wallet]   device engagement ({} characters):\n{image}",
        qr.len()
    );
    println!("           {qr}");
    let reader = ReaderSession::from_qr(&qr)?;
    let transcript: SessionTranscript = reader.transcript().clone();
    println!(
        "[reader]   scanned; SessionTranscript [DeviceEngagementBytes, EReaderKeyBytes, null] \
         ({} bytes); session keys derived",
        transcript.tagged_bytes().len()
    );

    // ── 4. Verifier: a car-rental company builds a signed request ──────────────────────────
    section("4. Verifier: request, with its purpose of use");
    let purpose = PurposeOfUse::new(PURPOSE)?;
    let items = ItemsRequest::new(MDL)
        .with_element(NS, "family_name", false)
        .with_element(NS, "given_name", false)
        .with_element(NS, "age_over_18", false)
        .with_element(NS, "driving_privileges", false);
    let request = DeviceRequest::new(vec![DocRequest::new(purpose.attach(items))
        .sign_reader_auth(&reader_key, &reader_chain, &transcript)?]);
    let request_bytes = request.to_bytes(); // the plaintext, for --out
    let (reader, establishment) = reader.send_request(&request)?;
    println!(
        "[verifier] DeviceRequest: {} bytes, signed with readerAuth; \
         sent encrypted in a SessionEstablishment of {} bytes",
        request_bytes.len(),
        establishment.len()
    );

    // ── 5. Holder's wallet: who asks, for what; consent; respond ───────────────────────────
    section("5. Wallet: who asks, why, consent, respond");
    let options = RequestOptions::new(now).with_reader_trust(reader_trust);
    let consent = holder.handle_establishment(&establishment, &options)?;
    let doc = consent
        .request()
        .documents()
        .first()
        .ok_or("empty request")?;
    show_request(doc)?;
    let disclosable = doc.disclosable(&wallet_licence);
    println!(
        "           asks for {} elements the wallet holds:",
        disclosable.len()
    );
    for e in &disclosable {
        println!("             - {}", e.identifier);
    }
    // The holder approves everything asked except their given name.
    let approved: Vec<_> = disclosable
        .into_iter()
        .filter(|e| e.identifier != "given_name")
        .collect();
    println!(
        "[wallet]   holder approves: {}",
        approved
            .iter()
            .map(|e| e.identifier.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Built by hand on the session's transcript, so that the plaintext can be kept for --out.
    let mut builder = ResponseBuilder::new(consent.transcript());
    builder.add_document(&wallet_licence, doc, &approved, &device_key)?;
    let response = builder.finish();
    let (holder, message) = consent.send_response(&response)?;
    // The wallet's disclosure log (with the store) slots in here.
    println!(
        "[wallet]   DeviceResponse: {} bytes, device-signed; sent encrypted ({} bytes)",
        response.len(),
        message.len()
    );

    // ── 6. Verifier: check everything, offline ─────────────────────────────────────────────
    section("6. Verifier: checks and disclosed values");
    let verifier = Verifier::new(issuer_trust);
    let ReaderOutcome::Response {
        response: verified,
        session: reader,
    } = reader.handle_response(&message, &verifier, now)?
    else {
        return Err("the wallet ended the session without answering".into());
    };
    report(&verified);
    let shown = count_elements(&verified);
    if shown != approved.len() {
        return Err(format!(
            "expected {} disclosed elements, got {shown}",
            approved.len()
        )
        .into());
    }

    // ── 7. A second request in the same session: the resident ID, age only ────────────────
    section("7. Same session: age over 18, from the resident ID card");
    let items = ItemsRequest::new(profile.doc_type()).with_element(
        profile.doc_type(),
        "age_over_18",
        false,
    );
    let request = DeviceRequest::new(vec![DocRequest::new(purpose.attach(items))
        .sign_reader_auth(&reader_key, &reader_chain, reader.transcript())?]);
    let (reader, message) = reader.send_request(&request)?;
    println!(
        "[verifier] DeviceRequest for {} / age_over_18 sent",
        profile.doc_type()
    );
    let HolderEvent::Request(consent) = holder.handle_message(&message, &options)? else {
        return Err("the reader ended the session instead of asking".into());
    };
    let doc = consent
        .request()
        .documents()
        .first()
        .ok_or("empty request")?;
    show_request(doc)?;
    let approved = doc.disclosable(&wallet_id_card);
    println!("[wallet]   holder approves: age_over_18");
    let approval = Approval::new(
        0,
        &wallet_id_card,
        approved,
        DeviceAuthKey::Signature(&device_key),
    );
    let (holder, message) = consent.respond(&[approval])?;
    let ReaderOutcome::Response {
        response: verified_id,
        session: reader,
    } = reader.handle_response(&message, &verifier, now)?
    else {
        return Err("the wallet ended the session without answering".into());
    };
    report(&verified_id);
    // `predicates` answers only from disclosed elements of a Chinese licence profile. "May drive
    // C1?" reads the driving-licence profile's `vehicle_classes`, which the ISO mDL above does
    // not have (it carries `driving_privileges`), so the answer here is age, from the ID card.
    let id_doc = verified_id.documents.first().ok_or("no document")?;
    let adult = predicates::age_over(id_doc, 18)?;
    println!("[verifier] over 18 (predicates::age_over, resident ID): {adult}");
    if !adult {
        return Err("the holder is not over 18".into());
    }

    // ── 8. End of the session ──────────────────────────────────────────────────────────────
    section("8. End of the session");
    let termination = reader.terminate();
    let HolderEvent::Terminated = holder.handle_message(&termination, &options)? else {
        return Err("expected the end of the session".into());
    };
    println!("[wallet]   the reader ended the session (status 20)");

    // ── 9. Artefacts for other tools (--out) ───────────────────────────────────────────────
    if let Some(dir) = out_dir {
        section("9. Artefacts (the driving-licence exchange)");
        let artefacts = Artefacts {
            response: &response,
            transcript: &transcript,
            issuer_ca_pem: files::certificate_pem(&issuer_ca),
            request: &request_bytes,
            verified: &verified,
            at: now,
        };
        artefacts.write(dir)?;
        println!("[files]    written to {}:", dir.display());
        for name in Artefacts::NAMES {
            println!("             {name}");
        }
    }
    Ok(())
}

/// The wallet's view of a requested document: who asks, and why.
fn show_request(doc: &RequestedDocument) -> Result<(), Error> {
    match doc.reader() {
        ReaderIdentity::Authenticated { subject, .. } => {
            println!("[wallet]   request from (verified): {subject}")
        }
        other => println!("[wallet]   request from: {other:?}"),
    }
    match PurposeOfUse::from_request(&doc.request().items_request)? {
        Some(purpose) => println!("           purpose of use: {}", purpose.as_str()),
        None => println!("           purpose of use: (none stated)"),
    }
    Ok(())
}

/// The verifier's readable report: each check, then the disclosed values.
fn report(verified: &VerifiedResponse) {
    println!("[verifier] checks:");
    for (i, check) in &verified.checks {
        println!("             document {i}: {check:<22} ok");
    }
    for d in &verified.documents {
        println!("[verifier] {} issued by {}", d.doc_type, d.issuer);
        for (ns, els) in &d.issuer_signed {
            for (id, v) in els {
                println!("             {ns} / {id:<20} = {}", show_value(v));
            }
        }
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
}

impl Artefacts<'_> {
    const NAMES: [&'static str; 6] = [
        "device_response.cbor",
        "session_transcript.cbor",
        "issuer_ca.pem",
        "device_request.cbor",
        "verification.json",
        "README.txt",
    ];

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
        files::write(dir.join("README.txt"), self.readme(dir))?;
        Ok(())
    }

    fn readme(&self, dir: &Path) -> String {
        let at = self.at.to_rfc3339();
        let mut s = String::new();
        s.push_str("zhengzhao demo: the artefacts of one exchange\n\n");
        s.push_str(&format!("time of verification: {at}\n"));
        for d in &self.verified.documents {
            s.push_str(&format!("document type:        {}\n", d.doc_type));
            s.push_str(&format!("issuer:               {}\n", d.issuer));
            s.push_str(&format!("trust anchor:         {}\n", d.trust_anchor));
            s.push_str(&format!(
                "MSO valid:            {} .. {}\n",
                d.validity.valid_from, d.validity.valid_until
            ));
            s.push_str("\ndisclosed elements:\n");
            for (ns, els) in &d.issuer_signed {
                for (id, v) in els {
                    s.push_str(&format!("  {ns} / {id} = {}\n", show_value(v)));
                }
            }
        }
        s.push_str(&format!(
            "\nfiles:\n\
             \x20 device_response.cbor     DeviceResponse (raw CBOR, decrypted session plaintext), device authentication by deviceSignature (ES256)\n\
             \x20 session_transcript.cbor  SessionTranscriptBytes of the QR-engaged session, #6.24(<<[DeviceEngagementBytes, EReaderKeyBytes, null]>>)\n\
             \x20 issuer_ca.pem            the issuing authority CA certificate: the trust anchor\n\
             \x20 device_request.cbor      the DeviceRequest (with readerAuth and purpose of use) this response answers\n\
             \x20 verification.json        what `verify --json` prints for these files\n\
             \ncheck them with:\n\
             \x20 cargo run --example verify -- --response {d}/device_response.cbor \\\n\
             \x20     --trust {d}/issuer_ca.pem --transcript {d}/session_transcript.cbor --at {at}\n",
            d = dir.display()
        ));
        s
    }
}
