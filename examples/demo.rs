//! The main demo: an issuing authority issues a driving licence, the holder's wallet answers a
//! car-rental company's request with only what it approved, and the company verifies it.
//!
//! Everything runs through bytes, as it would between three parties; the test PKI is generated
//! on the fly, so there is nothing to set up. Exit status is non-zero if any step fails.
//!
//! ```sh
//! cargo run --example demo
//! ```

use std::process::ExitCode;

use zhengzhao::cbor::{FullDate, Value};
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{ParsedRequest, ReaderIdentity, RequestOptions, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::verifier::Verifier;
use zhengzhao_examples::show_value;

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";

fn main() -> ExitCode {
    match run() {
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

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let now = UnixTime::now();
    println!("zhengzhao demo — issue → present → verify (ISO/IEC 18013-5 mdoc)\n");

    // ── Issuing authority ──────────────────────────────────────────────────────────────
    let pki = TestPki::generate(now)?;
    println!("[issuer]   test PKI generated");
    println!("           issuing authority CA : {}", pki.iaca.subject());
    println!(
        "           document signer      : {}",
        pki.document_signer.subject()
    );
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
    let stored = licence.to_bytes();
    println!(
        "[issuer]   driving licence issued: {} elements, {} bytes, valid until {}",
        licence.element_ids().len(),
        stored.len(),
        now.add_secs(365 * 86_400)
    );

    // ── The session (engagement happens over QR/BLE/NFC in a real exchange) ────────────
    let transcript = SessionTranscript::new(None, None, &Value::text("zhengzhao demo handover"));

    // ── Verifier: a car-rental company builds a signed request ─────────────────────────
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
        "\n[verifier] DeviceRequest sent: {} bytes, signed with readerAuth",
        request_bytes.len()
    );

    // ── Holder's wallet: who asks, for what; consent; respond ──────────────────────────
    let wallet_copy = Credential::from_bytes(&stored, &Default::default())?;
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
    println!(
        "[wallet]   DeviceResponse sent: {} bytes, device-signed",
        response.len()
    );

    // ── Verifier: check everything, offline ────────────────────────────────────────────
    let verified = Verifier::new(issuer_trust).verify(&response, &transcript, now, None)?;
    println!("\n[verifier] checks:");
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
    let shown: usize = verified
        .documents
        .iter()
        .map(|d| d.issuer_signed.values().map(|e| e.len()).sum::<usize>())
        .sum();
    if shown != approved.len() {
        return Err(format!(
            "expected {} disclosed elements, got {shown}",
            approved.len()
        )
        .into());
    }
    Ok(())
}
