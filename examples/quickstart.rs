//! Quick start: the whole issue → present → verify flow of the three roles in one process,
//! the parties exchanging only bytes.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! 1. **Issuer** (licence authority): signs a credential for the holder's device key.
//! 2. **Verifier** (business): asks for two elements, signing the request (`readerAuth`).
//! 3. **Holder** (wallet): checks who asks, discloses only what was requested *and* approved,
//!    device-signs the response for this session.
//! 4. **Verifier**: checks the response completely and reads the verified values; then shows
//!    that the same response replayed into another session is rejected.
//!
//! The keys come from `trust::testpki` (a throw-away ISO/IEC 18013-5 Annex B PKI); in
//! production the document-signer key lives in an HSM and the device key in the phone's
//! secure hardware. For the full story (QR engagement, encrypted session, wallet store,
//! disclosure log) run `cargo run --example demo`.

use std::error::Error;
use std::process::ExitCode;

use zhengzhao::cbor::FullDate;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::{
    DeviceRequest, DocRequest, Issuer, ItemsRequest, ParsedRequest, ReaderIdentity, RequestOptions,
    ResponseBuilder, SessionTranscript, SoftwareKey, UnixTime, Value, Verifier, VerifyOptions,
};

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";

fn main() -> ExitCode {
    match run() {
        Ok(()) => {
            println!("quickstart: ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("quickstart: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let now = UnixTime::now();
    let pki = TestPki::generate(now)?;
    // What each party trusts, taken before the keys move into their owners.
    let verifier_trusts = pki.issuer_trust_store(); // the issuing authorities (IACA)
    let wallet_trusts = pki.reader_trust_store(); // the reader CAs
    let reader_chain = vec![pki.reader.der().to_vec()];

    // 1. Issuer: one credential bound to the holder's device key.
    let device_key = SoftwareKey::generate()?; // the wallet's key, in secure hardware
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let credential = issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("张"))
        .element(NS, "given_name", Value::text("伟"))
        .element(NS, "birth_date", FullDate::parse("1988-07-12")?.to_value())
        .element(NS, "age_over_18", Value::Bool(true))
        .decoys(2)
        .device_key(device_key.public())
        .validity(now, now, now.add_secs(365 * 86_400))
        .sign()?;
    let issued_bytes = credential.to_bytes(); // what the wallet stores
    println!(
        "issuer:   signed {MDL} with {} elements ({} bytes)",
        credential.element_ids().len(),
        issued_bytes.len()
    );

    // Both ends of one session share its transcript (in proximity: built from the device
    // engagement and the reader's ephemeral key; here a fixed handover).
    let transcript = SessionTranscript::new(None, None, &Value::text("quickstart session"));

    // 2. Verifier: ask for the name and "over 18", signed as the reader.
    let items = ItemsRequest::new(MDL)
        .with_element(NS, "family_name", false)
        .with_element(NS, "age_over_18", false);
    let doc_request =
        DocRequest::new(items).sign_reader_auth(&pki.reader_key, &reader_chain, &transcript)?;
    let request_bytes = DeviceRequest::new(vec![doc_request]).to_bytes();

    // 3. Holder: who asks, what could be disclosed, the holder's consent, the response.
    let options = RequestOptions::new(now).with_reader_trust(wallet_trusts);
    let request = ParsedRequest::parse(&request_bytes, &transcript, &options)?;
    let doc = request
        .documents()
        .first()
        .ok_or("request has no document")?;
    match doc.reader() {
        ReaderIdentity::Authenticated { subject, .. } => println!("holder:   {subject} asks"),
        other => return Err(format!("reader not authenticated: {other:?}").into()),
    }
    // What could be disclosed: requested ∩ held. The app shows it, with who asks; here the
    // holder approves only "over 18", so the name stays in the wallet.
    let offer = doc.disclosable(&credential);
    let approved: Vec<_> = offer
        .into_iter()
        .filter(|e| e.identifier == "age_over_18")
        .collect();
    let mut response = ResponseBuilder::new(&transcript);
    response.add_document(&credential, doc, &approved, &device_key)?;
    let response_bytes = response.finish();
    println!(
        "holder:   disclosed {} of 2 requested ({} bytes)",
        approved.len(),
        response_bytes.len()
    );

    // 4. Verifier: every check, then only verified values.
    let verifier = Verifier::new(verifier_trusts);
    let verified = verifier.verify(&response_bytes, &VerifyOptions::new(&transcript, now))?;
    let vdoc = verified.documents.first().ok_or("no verified document")?;
    let over_18 = vdoc
        .issuer_signed
        .get(NS)
        .and_then(|els| els.get("age_over_18"));
    if over_18 != Some(&Value::Bool(true)) {
        return Err("age_over_18 missing from the verified document".into());
    }
    if vdoc
        .issuer_signed
        .get(NS)
        .is_some_and(|els| els.contains_key("family_name"))
    {
        return Err("family_name was disclosed without consent".into());
    }
    let checks: Vec<&str> = verified.checks.iter().map(|(_, c)| c.name()).collect();
    println!("verifier: verified {} from {}", vdoc.doc_type, vdoc.issuer);
    println!("verifier: checks {}", checks.join(", "));
    println!("verifier: age_over_18 = true; family_name withheld");

    // The same response replayed into another session fails, naming the check.
    let other = SessionTranscript::new(None, None, &Value::text("another session"));
    match verifier.verify(&response_bytes, &VerifyOptions::new(&other, now)) {
        Ok(_) => return Err("a replayed response verified".into()),
        Err(e) => println!(
            "verifier: replay rejected by check {}: {e}",
            e.check().name()
        ),
    }
    Ok(())
}
