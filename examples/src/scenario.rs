//! The scenario harness: each JSON file in `examples/scenarios/` describes one exchange —
//! credential claims, a request, the holder's consent, an optional tampering step — and what the
//! verifier must conclude. [`run`] plays it through bytes with a fresh test PKI: issue → wallet
//! storage → signed request → consent → DeviceResponse → (tamper) → verify.
//!
//! ```json
//! {
//!   "name": "consent narrower than request",
//!   "description": "…",
//!   "claims":   { "doc_type": "org.iso.18013.5.1.mDL", "namespaces": { "org.iso.18013.5.1": { … } } },
//!   "validity": { "valid_from_days": -1, "valid_until_days": 365 },
//!   "request":  { "elements": ["org.iso.18013.5.1/family_name", …], "purpose": "…" },
//!   "consent":  ["family_name"],
//!   "tamper":   { "kind": "element_value", "element": "org.iso.18013.5.1/family_name", "value": "李" },
//!   "expect":   { "verified": true, "disclosed": ["org.iso.18013.5.1/family_name"] }
//! }
//! ```
//!
//! * `claims` is a claims file as `mdoc-tool issue` reads it ([`Claims`]).
//! * `validity` (optional; default −1 .. 365) gives the MSO validity in days from now.
//! * `request.doc_type` defaults to the claims' docType; `request.retain` lists elements asked
//!   with intent to retain; `request.reader_auth` (default true) signs the request with the
//!   test reader certificate, which the wallet verifies.
//! * `consent` is `"all"` or a list of `NS/ID` or bare identifiers.
//! * `tamper.kind` is one of: `element_value` (`element`, `value`: replace a disclosed value,
//!   keeping its salt and digest ID), `add_element` (`element`, `value`: inject an item the
//!   issuer never signed), `issuer_signature` (flip a bit of the issuerAuth signature),
//!   `doc_type` (`value`: change the document's docType), `wrong_transcript` (the verifier uses
//!   another session's transcript), `untrusted_issuer` (the verifier trusts another IACA).
//! * `expect` is `{"verified": true, "disclosed": [NS/ID…]}` (exactly these elements) or
//!   `{"verified": false, "check": "<Check::name>"}`.

use std::path::{Path, PathBuf};
use zhengzhao::verifier::VerifyOptions;

use serde_json::Value as Json;
use zhengzhao::cbor::{Limits, Value};
use zhengzhao::cose::CoseSign1;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{ParsedRequest, RequestOptions, RequestedElement, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{
    Credential, DeviceResponse, IssuerSignedItem, SessionTranscript, SignedItem,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::verifier::Verifier;

use crate::json::json_to_cbor;
use crate::mdoc_tool::{split_element, Claims, Consent, RequestSpec};
use crate::Error;

/// The folder of the committed scenario files.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// A tampering step between the holder and the verifier.
#[derive(Clone, Debug)]
pub enum Tamper {
    /// Replace a disclosed element's value (salt and digest ID kept).
    ElementValue {
        /// Namespace.
        namespace: String,
        /// Identifier.
        identifier: String,
        /// The new value.
        value: Value,
    },
    /// Add an element the issuer never signed.
    AddElement {
        /// Namespace.
        namespace: String,
        /// Identifier.
        identifier: String,
        /// The value.
        value: Value,
    },
    /// Flip a bit of the issuerAuth signature.
    IssuerSignature,
    /// Change the document's docType.
    DocType(String),
    /// The verifier uses another session's transcript.
    WrongTranscript,
    /// The verifier trusts another issuing authority.
    UntrustedIssuer,
}

/// What the verifier must conclude.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Verified, disclosing exactly these `NS/ID` elements.
    Verified(Vec<String>),
    /// Rejected by this check ([`zhengzhao::verifier::Check::name`]).
    Rejected(String),
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Verified(els) => write!(f, "verified, {} element(s)", els.len()),
            Expect::Rejected(check) => write!(f, "rejected: {check}"),
        }
    }
}

/// One scenario file.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file it was read from.
    pub file: PathBuf,
    /// A short name.
    pub name: String,
    /// What it shows.
    pub description: String,
    claims: Claims,
    valid_from_days: i64,
    valid_until_days: i64,
    request: RequestSpec,
    reader_auth: bool,
    consent: Consent,
    tamper: Option<Tamper>,
    /// The expected outcome.
    pub expect: Expect,
}

fn str_field<'a>(j: &'a Json, key: &str) -> Result<&'a str, Error> {
    j.get(key)
        .and_then(Json::as_str)
        .ok_or_else(|| format!("\"{key}\" (a string) is required").into())
}

fn string_list(j: Option<&Json>, what: &str) -> Result<Vec<String>, Error> {
    let Some(j) = j else { return Ok(Vec::new()) };
    j.as_array()
        .ok_or_else(|| format!("{what} must be a list of strings"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{what} must be a list of strings").into())
        })
        .collect()
}

impl Scenario {
    /// Parses a scenario (see the [module documentation](self)).
    pub fn from_json(j: &Json, file: PathBuf) -> Result<Scenario, Error> {
        let claims = Claims::from_json(j.get("claims").ok_or("\"claims\" is required")?)?;
        let days = |key: &str, default: i64| -> Result<i64, Error> {
            match j.get("validity").and_then(|v| v.get(key)) {
                None => Ok(default),
                Some(n) => n
                    .as_i64()
                    .ok_or_else(|| format!("validity.{key} must be an integer").into()),
            }
        };
        let r = j.get("request").ok_or("\"request\" is required")?;
        let mut elements = Vec::new();
        for (key, retain) in [("elements", false), ("retain", true)] {
            for s in string_list(r.get(key), &format!("request.{key}"))? {
                let (ns, id) = split_element(&s)?;
                elements.push((ns, id, retain));
            }
        }
        let request = RequestSpec {
            doc_type: r
                .get("doc_type")
                .and_then(Json::as_str)
                .unwrap_or(&claims.doc_type)
                .to_owned(),
            elements,
            purpose: r.get("purpose").and_then(Json::as_str).map(str::to_owned),
        };
        let reader_auth = r.get("reader_auth").and_then(Json::as_bool).unwrap_or(true);
        let consent = match j.get("consent") {
            Some(Json::String(s)) if s == "all" => Consent::All,
            other => Consent::parse(
                string_list(other, "consent")?
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
        };
        let tamper = j.get("tamper").map(parse_tamper).transpose()?;
        let e = j.get("expect").ok_or("\"expect\" is required")?;
        let expect = match e.get("verified").and_then(Json::as_bool) {
            Some(true) => {
                let mut disclosed = string_list(e.get("disclosed"), "expect.disclosed")?;
                disclosed.sort();
                Expect::Verified(disclosed)
            }
            Some(false) => Expect::Rejected(str_field(e, "check")?.to_owned()),
            None => return Err("expect.verified (true or false) is required".into()),
        };
        Ok(Scenario {
            file,
            name: str_field(j, "name")?.to_owned(),
            description: j
                .get("description")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned(),
            valid_from_days: days("valid_from_days", -1)?,
            valid_until_days: days("valid_until_days", 365)?,
            claims,
            request,
            reader_auth,
            consent,
            tamper,
            expect,
        })
    }

    /// Reads a scenario file.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let j = crate::mdoc_tool::read_json(path)?;
        Scenario::from_json(&j, path.to_owned())
            .map_err(|e| format!("scenario {}: {e}", path.display()).into())
    }
}

fn parse_tamper(t: &Json) -> Result<Tamper, Error> {
    let element = || -> Result<(String, String, Value), Error> {
        let (namespace, identifier) = split_element(str_field(t, "element")?)?;
        let value = json_to_cbor(t.get("value").ok_or("tamper.value is required")?)?;
        Ok((namespace, identifier, value))
    };
    Ok(match str_field(t, "kind")? {
        "element_value" => {
            let (namespace, identifier, value) = element()?;
            Tamper::ElementValue {
                namespace,
                identifier,
                value,
            }
        }
        "add_element" => {
            let (namespace, identifier, value) = element()?;
            Tamper::AddElement {
                namespace,
                identifier,
                value,
            }
        }
        "issuer_signature" => Tamper::IssuerSignature,
        "doc_type" => Tamper::DocType(str_field(t, "value")?.to_owned()),
        "wrong_transcript" => Tamper::WrongTranscript,
        "untrusted_issuer" => Tamper::UntrustedIssuer,
        other => return Err(format!("unknown tamper kind {other:?}").into()),
    })
}

/// Every `*.json` scenario in `dir`, sorted by file name.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Scenario>, Error> {
    let dir = dir.as_ref();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(Scenario::load).collect()
}

/// What actually happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Verified, with these `NS/ID` elements (sorted).
    Verified(Vec<String>),
    /// Rejected by a check.
    Rejected {
        /// [`zhengzhao::verifier::Check::name`].
        check: String,
        /// The error message.
        message: String,
    },
}

impl Outcome {
    /// Whether this is what `expect` asked for.
    pub fn matches(&self, expect: &Expect) -> bool {
        match (self, expect) {
            (Outcome::Verified(got), Expect::Verified(want)) => got == want,
            (Outcome::Rejected { check, .. }, Expect::Rejected(want)) => check == want,
            _ => false,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Verified(els) => write!(f, "verified, {} element(s)", els.len()),
            Outcome::Rejected { check, .. } => write!(f, "rejected: {check}"),
        }
    }
}

const DAY: i64 = 86_400;

/// Plays a scenario. `Err` means the scenario could not be played at all (a setup failure, or
/// the wallet refusing to answer), never a verification result.
pub fn run(s: &Scenario) -> Result<Outcome, Error> {
    let now = UnixTime::now();
    let limits = Limits::default();

    // Issuing authority.
    let pki = TestPki::generate(now)?;
    let mut verifier_trust = pki.issuer_trust_store();
    let reader_trust = pki.reader_trust_store();
    let reader_chain = vec![pki.reader.der().to_vec()];
    let reader_key = pki.reader_key;
    let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
    let device_key = SoftwareKey::generate()?;
    let valid_from = now.add_secs(s.valid_from_days * DAY);
    let valid_until = now.add_secs(s.valid_until_days * DAY);
    let signed = if now < valid_from { now } else { valid_from };
    let stored = s
        .claims
        .issue(
            &issuer,
            device_key.public(),
            signed,
            valid_from,
            valid_until,
        )?
        .to_bytes();

    // Session and request.
    let transcript =
        SessionTranscript::new(None, None, &Value::text(format!("scenario {}", s.name)));
    let reader = s
        .reader_auth
        .then_some((&reader_key, reader_chain.as_slice()));
    let request_bytes = s.request.build(reader, &transcript)?.to_bytes();

    // Wallet: parse the request (reader authenticated), consent, respond.
    let credential = Credential::from_bytes(&stored, &limits)?;
    let options = RequestOptions::new(now).with_reader_trust(reader_trust);
    let parsed = ParsedRequest::parse(&request_bytes, &transcript, &options)?;
    let mut builder = ResponseBuilder::new(&transcript);
    for doc in parsed.documents() {
        let approved: Vec<RequestedElement> = doc
            .disclosable(&credential)
            .into_iter()
            .filter(|e| s.consent.approves(e))
            .collect();
        builder.add_document(&credential, doc, &approved, &device_key)?;
    }
    let mut response = builder.finish();

    // Tampering, then the verifier.
    let mut verifier_transcript = transcript.clone();
    match &s.tamper {
        None => {}
        Some(Tamper::WrongTranscript) => {
            verifier_transcript =
                SessionTranscript::new(None, None, &Value::text("another session"));
        }
        Some(Tamper::UntrustedIssuer) => {
            verifier_trust = TestPki::generate(now)?.issuer_trust_store();
        }
        Some(t) => response = tamper_response(&response, t)?,
    }
    let outcome = match Verifier::new(verifier_trust)
        .verify(&response, &VerifyOptions::new(&verifier_transcript, now))
    {
        Ok(v) => {
            let mut disclosed: Vec<String> = v
                .documents
                .iter()
                .flat_map(|d| {
                    d.issuer_signed
                        .iter()
                        .flat_map(|(ns, els)| els.keys().map(move |id| format!("{ns}/{id}")))
                })
                .collect();
            disclosed.sort();
            Outcome::Verified(disclosed)
        }
        Err(e) => Outcome::Rejected {
            check: e.check().name().to_owned(),
            message: e.to_string(),
        },
    };
    Ok(outcome)
}

/// Applies a response-level tampering step to DeviceResponse bytes.
fn tamper_response(bytes: &[u8], t: &Tamper) -> Result<Vec<u8>, Error> {
    let limits = Limits::default();
    let mut response = DeviceResponse::parse(bytes, &limits)?;
    let doc = response
        .documents
        .first_mut()
        .ok_or("tampering needs a document in the response")?;
    match t {
        Tamper::ElementValue {
            namespace,
            identifier,
            value,
        } => {
            let item = doc
                .issuer_signed
                .namespaces
                .iter_mut()
                .filter(|(ns, _)| ns == namespace)
                .flat_map(|(_, items)| items.iter_mut())
                .find(|i| i.item().element_identifier == *identifier)
                .ok_or_else(|| format!("{namespace}/{identifier} is not disclosed"))?;
            let mut changed: IssuerSignedItem = item.item().clone();
            changed.element_value = value.clone();
            *item = SignedItem::new(changed);
        }
        Tamper::AddElement {
            namespace,
            identifier,
            value,
        } => {
            let mso = zhengzhao::danger::mso_unverified(&doc.issuer_signed, &limits)?;
            // A digest ID the MSO does not use, so the injected item has no digest at all.
            let digest_id = (1u64..)
                .find(|id| mso.digest(namespace, *id).is_none())
                .ok_or("no free digest ID")?;
            let item = SignedItem::new(IssuerSignedItem::new(
                digest_id,
                zhengzhao::crypto::random_bytes(32)?,
                identifier.clone(),
                value.clone(),
            ));
            match doc
                .issuer_signed
                .namespaces
                .iter_mut()
                .find(|(ns, _)| ns == namespace)
            {
                Some((_, items)) => items.push(item),
                None => doc
                    .issuer_signed
                    .namespaces
                    .push((namespace.clone(), vec![item])),
            }
        }
        Tamper::IssuerSignature => {
            let Value::Array(mut parts) = doc.issuer_signed.issuer_auth.to_value() else {
                return Err("issuerAuth is not an array".into());
            };
            if let Some(Value::Bytes(sig)) = parts.get_mut(3) {
                if let Some(b) = sig.first_mut() {
                    *b ^= 0x01;
                }
            }
            doc.issuer_signed.issuer_auth = CoseSign1::from_value(&Value::Array(parts), &limits)?;
        }
        Tamper::DocType(dt) => doc.doc_type = dt.clone(),
        Tamper::WrongTranscript | Tamper::UntrustedIssuer => {}
    }
    Ok(response.to_bytes())
}

/// One row of [`run_all`].
pub struct Row {
    /// The scenario.
    pub scenario: Scenario,
    /// What happened (`Err`: it could not be played).
    pub outcome: Result<Outcome, String>,
}

impl Row {
    /// Whether the outcome is the expected one.
    pub fn passed(&self) -> bool {
        self.outcome
            .as_ref()
            .is_ok_and(|o| o.matches(&self.scenario.expect))
    }
}

/// Plays every scenario.
pub fn run_all(scenarios: Vec<Scenario>) -> Vec<Row> {
    scenarios
        .into_iter()
        .map(|scenario| {
            let outcome = run(&scenario).map_err(|e| e.to_string());
            Row { scenario, outcome }
        })
        .collect()
}

/// The results as a text table.
pub fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.scenario.name.clone(),
                r.scenario.expect.to_string(),
                match &r.outcome {
                    Ok(o) => o.to_string(),
                    Err(e) => format!("error: {e}"),
                },
                if r.passed() { "PASS" } else { "FAIL" }.to_owned(),
            ]
        })
        .collect();
    let header = [
        "scenario".to_owned(),
        "expected".to_owned(),
        "actual".to_owned(),
        "result".to_owned(),
    ];
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String; 4]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header);
    out.push_str(&format!(
        "{}\n",
        "-".repeat(widths.iter().sum::<usize>() + 6)
    ));
    for row in &cells {
        out.push_str(&line(row));
    }
    let passed = rows.iter().filter(|r| r.passed()).count();
    out.push_str(&format!("{passed}/{} scenarios as expected\n", rows.len()));
    out
}
