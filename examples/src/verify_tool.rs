//! The `verify` tool: check a DeviceResponse received from a wallet, offline.
//!
//! ```text
//! cargo run --release --example verify -- \
//!     --response FILE            # DeviceResponse, raw CBOR or hex text
//!     --trust FILE               # issuer CA certificate, PEM or DER; repeatable
//!     --transcript FILE          # SessionTranscriptBytes (tag 24) or the bare SessionTranscript, raw or hex
//!     [--reader-key FILE]        # reader ephemeral P-256 private key, hex, for deviceMac
//!     [--at RFC3339]             # verification time; default now
//!     [--json]
//!     [--pinned FILE]            # a document-signer certificate trusted as it is; repeatable
//!     [--status-list URI=FILE]   # the Status List Token URI serves (raw or hex); repeatable
//!     [--accept-undetermined]    # a status that cannot be determined does not fail
//! ```
//!
//! Exit status: 0 only if every document verified; 1 if a verification check failed; 2 if the
//! command line or an input file is unusable.
//!
//! `--json` prints one object on one line: `{"verified": true, "documents": [{"doc_type",
//! "issuer", "trust_anchor", "device_auth", "valid_from", "valid_until", "elements":
//! {namespace: {identifier: value}}, "device_signed": {namespace: {identifier: value}},
//! "unchecked": [key, ...]}],
//! "checks": [...]}` (the checks in the order they ran, document by document), or
//! `{"verified": false, "error": {"check": "<check>", "message": "..."}}` where `check` is a
//! [`Check::name`] — or `"input"` for an unusable command line or file (exit 2).
//! `device_signed` (added in issue 13.13; absent keys mean an older tool) holds the elements
//! the device signed rather than the issuer; `unchecked` (issue 13.7) lists the MSO keys the
//! verifier did not process (e.g. `"status"`: licence status was not checked), empty if none.
//!
//! With `--status-list` (issue 15) the licence status is checked too ([`Check::Status`], last):
//! each list a credential's MSO names is looked up among the given `URI=FILE` pairs (the
//! tool does no network I/O), verified (its `x5chain` chained to the IACA of the document
//! signer, `sub`, `iat`, `exp`, the index) and read at the verification time. A revoked,
//! suspended or application-specific status fails (exit 1, the check `"status"`), and so does
//! one that cannot be determined (no list for the URI, a list that does not verify) unless
//! `--accept-undetermined`. Only then does each document in the JSON carry `"status"`: the
//! outcome's name (`valid`, `undetermined`, …, or `null` when the MSO names no list) and, for
//! `undetermined` and `application_specific`, `"status_detail"` (the reason, or the value).
//! Without `--status-list` the output is unchanged and an MSO `status` is listed in
//! `unchecked`.
//!
//! This shape is a contract other tools reproduce: keys are only ever added. Namespaces and
//! element identifiers are CBOR text, so they are JSON object keys as they are. Element values
//! use the unambiguous typed encoding of [`crate::json`] (the `zhengzhao-json` crate, which also
//! builds this object, so the WebAssembly binding's `verify()` returns the same) (the same grammar claims files use):
//! text, booleans, null, arrays, integers within ±(2⁵³−1) and text-keyed maps are plain JSON;
//! bytes are `{"$bytes": base64}`, dates `{"$full-date": …}` / `{"$tdate": …}`, floats
//! `{"$float": …}`, other integers `{"$bigint": "<decimal>"}`, other tags `{"$tag": n,
//! "$value": …}`, maps with non-text or `$`-prefixed keys `{"$map": [[key, value], …]}`,
//! `undefined` `{"$undefined": true}`, simple values `{"$simple": n}`. The output is written
//! with every control, bidi and invisible format character as a `\uXXXX` escape
//! ([`crate::json_line`]): the same JSON, safe on a terminal.
//!
//! The text output passes every string the holder, issuer or reader chose (docTypes,
//! certificate names, namespaces, identifiers, values, error messages) through
//! [`crate::escape`], so none can add, erase or reorder a line.
//!
//! `--pinned` trusts a document-signer certificate without its CA
//! ([`zhengzhao::danger::pinned_document_signer`]): only for issuers whose CA is unpublished, such as two
//! of the public test vectors.

use std::io::Write;
use std::sync::Arc;

use serde_json::Value as Json;
use zhengzhao::status::{StaticResolver, StatusChecker, StatusOutcome};
use zhengzhao::verifier::VerifyOptions;

use zhengzhao::cbor::Limits;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::model::SessionTranscript;
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{TrustAnchor, TrustStore};
use zhengzhao::verifier::{Check, VerifiedResponse, Verifier};

use crate::args::{Args, Kind};
use crate::{escape, files, json_line, show_value, Error};

/// The usage text.
pub const USAGE: &str = "\
usage: verify --response FILE --trust FILE [--trust FILE ...] --transcript FILE
              [--reader-key FILE] [--at RFC3339] [--json] [--pinned FILE ...]
              [--status-list URI=FILE ...] [--accept-undetermined]

  --response FILE    DeviceResponse, raw CBOR or hex text
  --trust FILE       issuing authority CA certificate (IACA), PEM or DER; repeatable
  --transcript FILE  SessionTranscriptBytes (tag 24) or the bare SessionTranscript, raw or hex
  --reader-key FILE  reader ephemeral P-256 private key (hex scalar, or PKCS#8 PEM), for deviceMac
  --at RFC3339       verification time (default: now)
  --json             print one JSON object (shape and value encoding below)
  --pinned FILE      document-signer certificate trusted as it is, without its CA (only for
                     issuers whose CA is unpublished); repeatable
  --status-list URI=FILE
                     check the licence status: FILE is the Status List Token URI serves (raw
                     or hex); repeatable. Revoked, suspended, application-specific and
                     undetermined (e.g. no list given for a URI the MSO names) fail (exit 1)
  --accept-undetermined
                     with --status-list: a status that cannot be determined does not fail
                     (it is reported as \"undetermined\")

exit status: 0 every document verified, 1 a check failed, 2 unusable command line or input

--json prints one line:
  {\"verified\": true, \"documents\": [{\"doc_type\", \"issuer\", \"trust_anchor\", \"device_auth\",
    \"valid_from\", \"valid_until\", \"elements\": {namespace: {identifier: value}},
    \"device_signed\": {namespace: {identifier: value}}}], \"checks\": [check, ...]}
  with --status-list each document also has \"status\": valid, undetermined, ... (null: the
    MSO names no list) and, for undetermined / application_specific, \"status_detail\"
  or {\"verified\": false, \"error\": {\"check\": check or \"input\", \"message\": text}}
values are JSON where JSON is exact, otherwise a $-object (keys are only ever added):
  text, true/false, null, arrays     as they are
  integer within +-(2^53-1)          a number; other integers {\"$bigint\": \"<decimal>\"}
  float                              {\"$float\": number}, or \"NaN\", \"Infinity\", \"-Infinity\"
  byte string                        {\"$bytes\": \"<base64>\"}
  full-date / tdate                  {\"$full-date\": \"1988-07-12\"} / {\"$tdate\": \"<text>\"}
  other tag                          {\"$tag\": n, \"$value\": value}
  map, all keys text without $       an object
  any other map                      {\"$map\": [[key, value], ...]}
  undefined / other simple value     {\"$undefined\": true} / {\"$simple\": n}
control, bidi and invisible characters are written as \\uXXXX escapes; in the text output
every input-chosen string shows them as \\n, \\r, \\t or \\u{XXXX} (and \\ as \\\\)";

const SPEC: &[(&str, Kind)] = &[
    ("response", Kind::Value),
    ("trust", Kind::Repeated),
    ("transcript", Kind::Value),
    ("reader-key", Kind::Value),
    ("at", Kind::Value),
    ("json", Kind::Flag),
    ("pinned", Kind::Repeated),
    ("status-list", Kind::Repeated),
    ("accept-undetermined", Kind::Flag),
    ("help", Kind::Flag),
];

/// Exit status: every document verified.
pub const EXIT_VERIFIED: i32 = 0;
/// Exit status: a verification check failed.
pub const EXIT_REJECTED: i32 = 1;
/// Exit status: unusable command line or input file.
pub const EXIT_INPUT: i32 = 2;

/// Everything `verify` needs, read from files.
struct Inputs {
    response: Vec<u8>,
    trust: TrustStore,
    transcript: SessionTranscript,
    reader_key: Option<SoftwareKey>,
    at: UnixTime,
    /// With `--status-list`: the checker over the given lists.
    status: Option<StatusChecker>,
}

fn load(args: &Args) -> Result<Inputs, Error> {
    let response = files::read_cbor_or_hex(args.required("response")?)?;
    let mut trust = TrustStore::new();
    let anchors = args.values("trust");
    let pinned = args.values("pinned");
    if anchors.is_empty() && pinned.is_empty() {
        return Err("--trust is required (at least one issuing authority CA)".into());
    }
    for path in anchors {
        for cert in files::read_certificates(path)? {
            trust.add(TrustAnchor::issuing_authority(cert));
        }
    }
    for path in pinned {
        for cert in files::read_certificates(path)? {
            trust.add(zhengzhao::danger::pinned_document_signer(cert));
        }
    }
    let transcript_path = args.required("transcript")?;
    let transcript = SessionTranscript::parse_any(
        &files::read_cbor_or_hex(transcript_path)?,
        &Limits::default(),
    )
    .map_err(|e| format!("session transcript in {transcript_path}: {e}"))?;
    let reader_key = args
        .value("reader-key")
        .map(files::read_private_key)
        .transpose()?;
    let at = match args.value("at") {
        Some(s) => UnixTime::parse_rfc3339(s).map_err(|e| format!("--at {s:?}: {e}"))?,
        None => UnixTime::now(),
    };
    let lists = args.values("status-list");
    if lists.is_empty() && args.flag("accept-undetermined") {
        return Err("--accept-undetermined needs --status-list".into());
    }
    let status = if lists.is_empty() {
        None
    } else {
        let mut resolver = StaticResolver::new();
        for pair in lists {
            let (uri, path) = pair
                .split_once('=')
                .filter(|(uri, path)| !uri.is_empty() && !path.is_empty())
                .ok_or_else(|| format!("--status-list {pair:?} is not URI=FILE"))?;
            resolver.insert(uri, files::read_cbor_or_hex(path)?);
        }
        Some(
            StatusChecker::new(Arc::new(resolver))
                .accept_undetermined(args.flag("accept-undetermined")),
        )
    };
    Ok(Inputs {
        response,
        trust,
        transcript,
        reader_key,
        at,
        status,
    })
}

/// The outcome of one run, before printing.
enum Outcome {
    /// Every check passed.
    Verified(Box<VerifiedResponse>),
    /// A check failed: which, and the error message (the core's errors carry no personal data).
    Rejected { check: Check, message: String },
}

/// Runs `verify` on already-parsed options; `Err` is an input problem (exit 2).
fn verify(args: &Args) -> Result<(Outcome, UnixTime), Error> {
    let inputs = load(args)?;
    let key = inputs
        .reader_key
        .as_ref()
        .map(|k| k as &dyn zhengzhao::crypto::KeyAgreement);
    let mut options = VerifyOptions::new(&inputs.transcript, inputs.at);
    if let Some(key) = key {
        options = options.with_reader_key(key);
    }
    if let Some(checker) = &inputs.status {
        options = options.with_status(checker);
    }
    let outcome = match Verifier::new(inputs.trust).verify(&inputs.response, &options) {
        Ok(v) => Outcome::Verified(Box::new(v)),
        Err(e) => Outcome::Rejected {
            check: e.check(),
            message: e.to_string(),
        },
    };
    Ok((outcome, inputs.at))
}

/// The outcome's JSON: `(status, status_detail)` (see the module documentation).
fn status_json(outcome: Option<&StatusOutcome>) -> (Json, Option<Json>) {
    match outcome {
        None => (Json::Null, None),
        Some(o) => (
            Json::from(o.name()),
            match o {
                StatusOutcome::Undetermined(e) => Some(Json::from(e.to_string())),
                StatusOutcome::ApplicationSpecific(v) => Some(Json::from(*v)),
                _ => None,
            },
        ),
    }
}

/// [`verified_json`], with each document's `"status"` (and `"status_detail"`) when the status
/// was checked.
fn verified_json_with_status(v: &VerifiedResponse, status_checked: bool) -> Json {
    let mut j = verified_json(v);
    if !status_checked {
        return j;
    }
    if let Some(docs) = j.get_mut("documents").and_then(Json::as_array_mut) {
        for (doc, d) in docs.iter_mut().zip(&v.documents) {
            if let Some(obj) = doc.as_object_mut() {
                let (status, detail) = status_json(d.status.as_ref());
                obj.insert("status".into(), status);
                if let Some(detail) = detail {
                    obj.insert("status_detail".into(), detail);
                }
            }
        }
    }
    j
}

pub use zhengzhao_json::verify::{device_auth_name, error_json, verified_json};

fn print_text(out: &mut dyn Write, v: &VerifiedResponse, at: UnixTime) -> std::io::Result<()> {
    writeln!(out, "verification time: {at}")?;
    for (i, d) in v.documents.iter().enumerate() {
        writeln!(out, "document {i}: {}", escape(&d.doc_type))?;
        writeln!(out, "  issuer (document signer): {}", escape(&d.issuer))?;
        writeln!(
            out,
            "  trust anchor            : {}",
            escape(&d.trust_anchor)
        )?;
        writeln!(
            out,
            "  MSO valid               : {} .. {}",
            d.validity.valid_from, d.validity.valid_until
        )?;
        writeln!(
            out,
            "  device authentication   : {}",
            device_auth_name(d.device_auth)
        )?;
        let checks: Vec<&str> = v
            .checks
            .iter()
            .filter(|(doc, _)| *doc == i)
            .map(|(_, c)| c.name())
            .collect();
        writeln!(out, "  checks passed           : {}", checks.join(", "))?;
        if let Some(status) = &d.status {
            writeln!(
                out,
                "  licence status          : {}",
                escape(&status.to_string())
            )?;
        }
        if !d.unchecked().is_empty() {
            let unchecked: Vec<String> = d
                .unchecked()
                .iter()
                .map(|k| escape(k).into_owned())
                .collect();
            writeln!(
                out,
                "  NOT checked (MSO keys)  : {} (e.g. `status`: licence status was not checked)",
                unchecked.join(", ")
            )?;
        }
        writeln!(out, "  disclosed elements:")?;
        for (ns, els) in &d.issuer_signed {
            for (id, value) in els {
                writeln!(
                    out,
                    "    {} / {} = {}",
                    escape(ns),
                    escape(id),
                    show_value(value)
                )?;
            }
        }
        for (ns, els) in &d.device_signed {
            for (id, value) in els {
                writeln!(
                    out,
                    "    (device-signed) {} / {} = {}",
                    escape(ns),
                    escape(id),
                    show_value(value)
                )?;
            }
        }
    }
    let count: usize = v
        .documents
        .iter()
        .map(|d| d.issuer_signed.values().map(|e| e.len()).sum::<usize>())
        .sum();
    writeln!(
        out,
        "VERIFIED: {} document(s), {count} element(s)",
        v.documents.len()
    )
}

/// Runs the tool on `args` (without the program name), printing to `out` (results) and `err`
/// (usage and input problems). Returns the exit status.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // Output errors (a closed pipe) cannot be reported anywhere better; the status still says it.
    let parsed = match Args::parse(args, SPEC) {
        Ok(a) if a.flag("help") => {
            let _ = writeln!(out, "{USAGE}");
            return EXIT_VERIFIED;
        }
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(err, "verify: {}\n\n{USAGE}", escape(&e.to_string()));
            if args.iter().any(|a| a == "--json") {
                let _ = writeln!(out, "{}", json_line(&error_json("input", &e.to_string())));
            }
            return EXIT_INPUT;
        }
    };
    let json = parsed.flag("json");
    let status_checked = !parsed.values("status-list").is_empty();
    match verify(&parsed) {
        Err(e) => {
            if json {
                let _ = writeln!(out, "{}", json_line(&error_json("input", &e.to_string())));
            }
            let _ = writeln!(err, "verify: {}", escape(&e.to_string()));
            EXIT_INPUT
        }
        Ok((Outcome::Verified(v), at)) => {
            let _ = if json {
                writeln!(
                    out,
                    "{}",
                    json_line(&verified_json_with_status(&v, status_checked))
                )
            } else {
                print_text(out, &v, at)
            };
            EXIT_VERIFIED
        }
        Ok((Outcome::Rejected { check, message }, at)) => {
            let _ = if json {
                writeln!(out, "{}", json_line(&error_json(check.name(), &message)))
            } else {
                writeln!(
                    out,
                    "verification time: {at}\nREJECTED by check {check}: {}",
                    escape(&message)
                )
            };
            EXIT_REJECTED
        }
    }
}
