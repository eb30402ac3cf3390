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

  --response FILE    DeviceResponse, raw CBOR or hex text
  --trust FILE       issuing authority CA certificate (IACA), PEM or DER; repeatable
  --transcript FILE  SessionTranscriptBytes (tag 24) or the bare SessionTranscript, raw or hex
  --reader-key FILE  reader ephemeral P-256 private key (hex scalar, or PKCS#8 PEM), for deviceMac
  --at RFC3339       verification time (default: now)
  --json             print one JSON object (shape and value encoding below)
  --pinned FILE      document-signer certificate trusted as it is, without its CA (only for
                     issuers whose CA is unpublished); repeatable

exit status: 0 every document verified, 1 a check failed, 2 unusable command line or input

--json prints one line:
  {\"verified\": true, \"documents\": [{\"doc_type\", \"issuer\", \"trust_anchor\", \"device_auth\",
    \"valid_from\", \"valid_until\", \"elements\": {namespace: {identifier: value}},
    \"device_signed\": {namespace: {identifier: value}}}], \"checks\": [check, ...]}
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
    Ok(Inputs {
        response,
        trust,
        transcript,
        reader_key,
        at,
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
    let outcome = match Verifier::new(inputs.trust).verify(
        &inputs.response,
        &match key {
            Some(key) => VerifyOptions::new(&inputs.transcript, inputs.at).with_reader_key(key),
            None => VerifyOptions::new(&inputs.transcript, inputs.at),
        },
    ) {
        Ok(v) => Outcome::Verified(Box::new(v)),
        Err(e) => Outcome::Rejected {
            check: e.check(),
            message: e.to_string(),
        },
    };
    Ok((outcome, inputs.at))
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
                writeln!(out, "{}", json_line(&verified_json(&v)))
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
