//! The main demo: an issuing authority issues a driving licence, the holder's wallet answers a
//! car-rental company's request with only what it approved, and the company verifies it.
//!
//! Everything runs through bytes, as it would between three parties; the test PKI is generated
//! on the fly, so there is nothing to set up. Exit status is non-zero if any step fails.
//!
//! ```sh
//! cargo run --example demo
//! cargo run --example demo -- --out DIR   # also write the exchange's artefacts for other tools
//! ```
//!
//! With `--out DIR` the demo writes `device_response.cbor`, `session_transcript.cbor`
//! (SessionTranscriptBytes, the tag-24 form), `issuer_ca.pem` (the trust anchor),
//! `device_request.cbor`, `verification.json` (what `verify --json` prints for them) and
//! `README.txt` (the time of verification and the disclosed elements).
//!
//! The numbered sections are the steps of the exchange; proximity engagement and sessions, the
//! wallet's store and the Chinese licence profiles slot into the sections marked for them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use zhengzhao::cbor::{FullDate, Value};
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{ParsedRequest, ReaderIdentity, RequestOptions, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::verifier::{VerifiedResponse, Verifier};
use zhengzhao_examples::{files, show_value, verify_tool, Error};

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
const HANDOVER: &str = "zhengzhao demo handover";

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
    println!("zhengzhao demo — issue → present → verify (ISO/IEC 18013-5 mdoc)");

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
    // Chinese licence profiles (driving licence, resident ID) slot in here: the same builder,
    // with the profile's docType, namespaces and checked identifiers.
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
    let issued = licence.to_bytes();
    println!(
        "[issuer]   driving licence issued: {} elements, {} bytes, valid until {}",
        licence.element_ids().len(),
        issued.len(),
        now.add_secs(365 * 86_400)
    );

    // ── 2. Wallet stores the credential ────────────────────────────────────────────────────
    section("2. Wallet: store the credential");
    // The wallet's embedded store slots in here (put, then list what the wallet holds); until
    // then the wallet keeps the issued bytes in memory.
    let stored = issued;
    let wallet_copy = Credential::from_bytes(&stored, &Default::default())?;
    println!(
        "[wallet]   stored {} ({} bytes)",
        wallet_copy.doc_type,
        stored.len()
    );

    // ── 3. Engagement and session ──────────────────────────────────────────────────────────
    section("3. Engagement and session");
    // Proximity engagement slots in here: the wallet shows its engagement QR (printed in the
    // terminal), the reader scans it, and the session transcript and session encryption come
    // from that exchange. Until then both sides share a fixed handover.
    let transcript = SessionTranscript::new(None, None, &Value::text(HANDOVER));
    println!(
        "[session]  SessionTranscript [null, null, {HANDOVER:?}] ({} bytes)",
        transcript.tagged_bytes().len()
    );

    // ── 4. Verifier: a car-rental company builds a signed request ──────────────────────────
    section("4. Verifier: request");
    let items = ItemsRequest {
        request_info: Some(vec![(
            Value::text("purpose"),
            Value::text("租车资格核验 (car rental eligibility check)"),
        )]),
        ..ItemsRequest::new(MDL)
            .with_element(NS, "family_name", false)
            .with_element(NS, "given_name", false)
            .with_element(NS, "age_over_18", false)
            .with_element(NS, "driving_privileges", false)
    };
    let request = DeviceRequest::new(vec![DocRequest::new(items).sign_reader_auth(
        &reader_key,
        &reader_chain,
        &transcript,
    )?]);
    let request_bytes = request.to_bytes();
    println!(
        "[verifier] DeviceRequest sent: {} bytes, signed with readerAuth",
        request_bytes.len()
    );

    // ── 5. Holder's wallet: who asks, for what; consent; respond ───────────────────────────
    section("5. Wallet: who asks, consent, respond");
    let options = RequestOptions::new(now).with_reader_trust(reader_trust);
    let parsed = ParsedRequest::parse(&request_bytes, &transcript, &options)?;
    let doc = parsed.documents().first().ok_or("empty request")?;
    match doc.reader() {
        ReaderIdentity::Authenticated { subject, .. } => {
            println!("[wallet]   request from (verified): {subject}")
        }
        other => println!("[wallet]   request from: {other:?}"),
    }
    if let Some(info) = &doc.request().items_request.request_info {
        for (k, v) in info {
            println!("           {} : {}", show_value(k), show_value(v));
        }
    }
    let disclosable = doc.disclosable(&wallet_copy);
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
    let mut builder = ResponseBuilder::new(&transcript);
    builder.add_document(&wallet_copy, doc, &approved, &device_key)?;
    let response = builder.finish();
    // The wallet's disclosure log (with the store) slots in here.
    println!(
        "[wallet]   DeviceResponse sent: {} bytes, device-signed",
        response.len()
    );

    // ── 6. Verifier: check everything, offline ─────────────────────────────────────────────
    section("6. Verifier: checks and disclosed values");
    let verified = Verifier::new(issuer_trust).verify(&response, &transcript, now, None)?;
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
    let shown: usize = count_elements(&verified);
    if shown != approved.len() {
        return Err(format!(
            "expected {} disclosed elements, got {shown}",
            approved.len()
        )
        .into());
    }

    // ── 7. Artefacts for other tools (--out) ───────────────────────────────────────────────
    if let Some(dir) = out_dir {
        section("7. Artefacts");
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
             \x20 device_response.cbor     DeviceResponse (raw CBOR), device authentication by deviceSignature (ES256)\n\
             \x20 session_transcript.cbor  SessionTranscriptBytes, #6.24(<<[null, null, {HANDOVER:?}]>>)\n\
             \x20 issuer_ca.pem            the issuing authority CA certificate: the trust anchor\n\
             \x20 device_request.cbor      the DeviceRequest (with readerAuth) this response answers\n\
             \x20 verification.json        what `verify --json` prints for these files\n\
             \ncheck them with:\n\
             \x20 cargo run --example verify -- --response {d}/device_response.cbor \\\n\
             \x20     --trust {d}/issuer_ca.pem --transcript {d}/session_transcript.cbor --at {at}\n",
            d = dir.display()
        ));
        s
    }
}
