//! `mdoc-tool oid4vp`: remote presentation over OpenID4VP 1.0 through files (no network I/O).
//!
//! ```text
//! mdoc-tool oid4vp request --client-id PREFIX:ID --response-uri URI --dcql FILE
//!                          --signer-key KEY --signer-cert CERT
//!                          [--response-mode direct_post.jwt|direct_post] [--at RFC3339] --out DIR
//! mdoc-tool oid4vp present --request FILE --credential FILE --device-key FILE
//!                          --verifier-trust CA.pem [--approve all|NS/ID,...] [--at RFC3339]
//!                          --out FILE
//! mdoc-tool oid4vp verify  --state DIR --response FILE --trust IACA.pem [--at RFC3339] [--json]
//! ```
//!
//! * `request` writes `DIR/request.jwt` (the signed request object, `typ`
//!   `oauth-authz-req+jwt`, `x5c` = the certificates of `--signer-cert`, leaf first),
//!   `DIR/request_uri.txt` (the authorization request URI `openid4vp://?client_id=…&request=…`,
//!   the request object by value: what the QR code carries) and `DIR/transaction.json`, the
//!   verifier's private transaction state (nonce, state and the ephemeral decryption key:
//!   keep it where only the verifier reads it). The client identifier must name the
//!   certificate (`x509_san_dns:` a dNSName of it, `x509_hash:` the SHA-256 of its DER).
//!   The default response mode is `direct_post.jwt` (HAIP).
//! * `present` reads a request (`request.jwt`, or the `openid4vp://` URI), verifies it against
//!   `--verifier-trust` (a reader-authority CA), shows who asks for what, and writes the body
//!   the wallet POSTs to the `response_uri` (`application/x-www-form-urlencoded`; printed on
//!   stdout too). `--approve` lists the approved elements (default `all`: everything requested
//!   and held).
//! * `verify` checks that body against the transaction in `--state DIR` and the issuer CAs
//!   (`--trust`, repeatable). The transaction is single use: `transaction.json` is marked
//!   answered before the presentations are verified, so a second `verify` fails. `--json`
//!   prints the `verify --json` object (the same keys; each document also carries `query_id`,
//!   and the object `handover`, the transcript used), or `{"verified": false, "error":
//!   {"check", "message"}}` where `check` is a verifier [`Check`](zhengzhao::verifier::Check)
//!   name or one of `oid4vp` (the response itself: state, decryption, vp_token) and `input`.
//!
//! Exit status: 0 success; 1 a check failed; 2 an unusable command line.

use std::io::Write;
use std::path::Path;

use serde_json::{json, Value as Json};
use zhengzhao::cbor::Limits;
use zhengzhao::model::Credential;
use zhengzhao::oid4vp::client_id::ClientId;
use zhengzhao::oid4vp::json::JsonLimits;
use zhengzhao::oid4vp::request::{
    Invocation, RequestPolicy, RequestSource, ResponseMode, VerifierParty,
};
use zhengzhao::oid4vp::response::{answer, AuthorizationResponse, HeldCredential};
use zhengzhao::oid4vp::verifier::{Oid4vpVerifyError, Transaction, VerifierConfig};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::{TrustAnchor, TrustStore};
use zhengzhao::verifier::Verifier;

use crate::args::{Args, Kind};
use crate::mdoc_tool::{Consent, Usage};
use crate::verify_tool::{error_json, verified_json};
use crate::{escape, files, json_line, Error};

/// Runs `oid4vp <request|present|verify> ...`; returns the exit status.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    match args.split_first() {
        Some((sub, rest)) if sub == "request" => request(rest, out),
        Some((sub, rest)) if sub == "present" => present(rest, out),
        Some((sub, rest)) if sub == "verify" => verify(rest, out),
        Some((sub, _)) => Err(Usage::error(format!(
            "unknown oid4vp command {sub:?} (request, present or verify)"
        ))),
        None => Err(Usage::error("oid4vp needs request, present or verify")),
    }
}

fn parse(args: &[String], spec: &[(&str, Kind)]) -> Result<Args, Error> {
    Args::parse(args, spec).map_err(|e| Usage::error(e.to_string()))
}

fn required<'a>(a: &'a Args, name: &str) -> Result<&'a str, Error> {
    a.value(name)
        .ok_or_else(|| Usage::error(format!("--{name} is required")))
}

fn at(a: &Args) -> Result<UnixTime, Error> {
    match a.value("at") {
        Some(s) => UnixTime::parse_rfc3339(s).map_err(|e| Usage::error(format!("--at {s:?}: {e}"))),
        None => Ok(UnixTime::now()),
    }
}

fn read_text(path: &str) -> Result<String, Error> {
    String::from_utf8(files::read(path)?).map_err(|_| format!("{path} is not UTF-8 text").into())
}

// ── request ──────────────────────────────────────────────────────────────────────────────────

fn request(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse(
        args,
        &[
            ("client-id", Kind::Value),
            ("response-uri", Kind::Value),
            ("dcql", Kind::Value),
            ("signer-key", Kind::Value),
            ("signer-cert", Kind::Value),
            ("response-mode", Kind::Value),
            ("at", Kind::Value),
            ("out", Kind::Value),
        ],
    )?;
    let client_id = ClientId::parse(required(&a, "client-id")?)
        .map_err(|e| Usage::error(format!("--client-id: {e}")))?;
    let response_mode = match a.value("response-mode").unwrap_or("direct_post.jwt") {
        "direct_post.jwt" => ResponseMode::DirectPostJwt,
        "direct_post" => ResponseMode::DirectPost,
        other => {
            return Err(Usage::error(format!(
                "--response-mode {other:?}: direct_post.jwt or direct_post"
            )))
        }
    };
    let response_uri = required(&a, "response-uri")?.to_owned();
    let dcql_path = required(&a, "dcql")?;
    let dcql = zhengzhao::oid4vp::json::parse(&files::read(dcql_path)?, &JsonLimits::default())
        .map_err(|e| format!("{dcql_path}: {e}"))?;
    let signer = files::read_private_key(required(&a, "signer-key")?)?;
    let certificates = files::read_certificates(required(&a, "signer-cert")?)?;
    let leaf = certificates
        .first()
        .ok_or("--signer-cert holds no certificate")?;
    match client_id.kind() {
        zhengzhao::oid4vp::client_id::ClientIdKind::X509SanDns { dns_name } => {
            if !leaf
                .dns_names()?
                .iter()
                .any(|n| n.eq_ignore_ascii_case(dns_name))
            {
                return Err(format!(
                    "--client-id {}: {} is not a dNSName of the signer certificate",
                    escape(client_id.as_str()),
                    escape(dns_name)
                )
                .into());
            }
        }
        zhengzhao::oid4vp::client_id::ClientIdKind::X509Hash { .. } => {
            if ClientId::x509_hash(leaf.der()) != client_id {
                return Err(format!(
                    "--client-id: the signer certificate's x509_hash is {}",
                    ClientId::x509_hash(leaf.der())
                )
                .into());
            }
        }
        _ => {
            return Err(Usage::error(
                "--client-id: a signed request needs x509_san_dns: or x509_hash:",
            ))
        }
    }
    let config = VerifierConfig {
        client_id,
        response_uri,
        response_mode,
        signer: &signer,
        certificates: &certificates,
    };
    let (tx, jwt) = Transaction::new(&config, &dcql, at(&a)?)?;
    let dir = Path::new(required(&a, "out")?);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    files::write(dir.join("request.jwt"), format!("{jwt}\n"))?;
    files::write(
        dir.join("request_uri.txt"),
        format!("{}\n", tx.request_uri(&jwt)),
    )?;
    write_state(dir, &tx)?;
    writeln!(
        out,
        "request.jwt, request_uri.txt and transaction.json (private) written to {}",
        dir.display()
    )?;
    Ok(())
}

fn write_state(dir: &Path, tx: &Transaction) -> Result<(), Error> {
    let path = dir.join("transaction.json");
    let tmp = dir.join("transaction.json.tmp");
    files::write(&tmp, tx.to_state_json().as_bytes())?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(())
}

// ── present ──────────────────────────────────────────────────────────────────────────────────

fn present(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse(
        args,
        &[
            ("request", Kind::Value),
            ("credential", Kind::Value),
            ("device-key", Kind::Value),
            ("verifier-trust", Kind::Repeated),
            ("approve", Kind::Value),
            ("at", Kind::Value),
            ("out", Kind::Value),
        ],
    )?;
    let consent = match a.value("approve").unwrap_or("all") {
        "all" => Consent::All,
        list => Consent::parse([list]),
    };
    let mut trust = TrustStore::new();
    let trust_files = a.values("verifier-trust");
    if trust_files.is_empty() {
        return Err(Usage::error("--verifier-trust is required"));
    }
    for path in trust_files {
        for cert in files::read_certificates(path)? {
            trust.add(TrustAnchor::reader_authority(cert));
        }
    }
    let policy = RequestPolicy::new(trust, at(&a)?);
    let text = read_text(required(&a, "request")?)?;
    let text = text.trim();
    let invocation = Invocation::Redirect;
    let request = if text.contains('?') {
        match RequestSource::from_uri(text, &policy.json)? {
            RequestSource::ByValue { client_id, request } => {
                policy.verify_request_object(&request, client_id.as_deref(), None, &invocation)?
            }
            RequestSource::Parameters(params) => policy.verify_unsigned(&params, &invocation)?,
            RequestSource::ByReference { request_uri, .. } => {
                return Err(format!(
                    "the request is by reference: fetch {} and pass the request object",
                    escape(&request_uri)
                )
                .into())
            }
            _ => return Err("unsupported request source".into()),
        }
    } else {
        policy.verify_request_object(text, None, None, &invocation)?
    };
    let who = match request.verifier() {
        VerifierParty::Authenticated { subject, .. } => format!("{} (verified)", escape(subject)),
        _ => "an unauthenticated verifier".into(),
    };
    writeln!(
        out,
        "request from {who}, client_id {}",
        escape(request.client_id().map(ClientId::as_str).unwrap_or("-"))
    )?;
    let limits = Limits::default();
    let credential = Credential::from_bytes(&files::read(required(&a, "credential")?)?, &limits)?;
    let device_key = files::read_private_key(required(&a, "device-key")?)?;
    let held = [HeldCredential {
        credential: &credential,
        device_key: &device_key,
    }];
    let answered = answer(&request, &held, &|_, e| consent.approves(e))?;
    for (query, elements) in &answered.disclosed {
        writeln!(
            out,
            "  {}: discloses {}",
            escape(query),
            elements
                .iter()
                .map(|e| escape(&e.identifier).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    let body = match &answered.response {
        AuthorizationResponse::FormPost { uri, body } => {
            writeln!(out, "POST to {}", escape(uri))?;
            body.clone()
        }
        AuthorizationResponse::DcApi { json } => json.clone(),
        _ => return Err("unsupported response".into()),
    };
    let path = required(&a, "out")?;
    files::write(path, &body)?;
    writeln!(out, "response written to {path}")?;
    Ok(())
}

// ── verify ───────────────────────────────────────────────────────────────────────────────────

fn verify(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse(
        args,
        &[
            ("state", Kind::Value),
            ("response", Kind::Value),
            ("trust", Kind::Repeated),
            ("at", Kind::Value),
            ("json", Kind::Flag),
        ],
    )?;
    let json_out = a.flag("json");
    let fail = |out: &mut dyn Write, check: &str, message: String| -> Result<(), Error> {
        if json_out {
            writeln!(out, "{}", json_line(&error_json(check, &message)))?;
        }
        Err(message.into())
    };
    let dir = Path::new(required(&a, "state")?);
    let mut tx =
        Transaction::from_state_json(&read_text(&dir.join("transaction.json").to_string_lossy())?)?;
    let mut trust = TrustStore::new();
    let trust_files = a.values("trust");
    if trust_files.is_empty() {
        return Err(Usage::error("--trust is required"));
    }
    for path in trust_files {
        for cert in files::read_certificates(path)? {
            trust.add(TrustAnchor::issuing_authority(cert));
        }
    }
    let body = read_text(required(&a, "response")?)?;
    let was_answered = tx.is_answered();
    let result = tx.handle_response(
        body.trim(),
        &Verifier::new(trust),
        at(&a)?,
        None,
        &JsonLimits::default(),
    );
    if tx.is_answered() && !was_answered {
        write_state(dir, &tx)?;
    }
    match result {
        Ok(presentation) => {
            if json_out {
                let mut documents = Vec::new();
                let mut checks = Vec::new();
                for (query, responses) in &presentation.responses {
                    for r in responses {
                        let j = verified_json(r);
                        if let Some(docs) = j.get("documents").and_then(Json::as_array) {
                            for d in docs {
                                let mut d = d.clone();
                                if let Json::Object(m) = &mut d {
                                    m.insert("query_id".into(), json!(query));
                                }
                                documents.push(d);
                            }
                        }
                        if let Some(c) = j.get("checks").and_then(Json::as_array) {
                            checks.extend(c.iter().cloned());
                        }
                    }
                }
                let j = json!({"verified": true, "documents": documents, "checks": checks,
                               "handover": presentation.handover});
                writeln!(out, "{}", json_line(&j))?;
            } else {
                writeln!(
                    out,
                    "VERIFIED (transcript {}): {} credential quer{} answered",
                    presentation.handover,
                    presentation.responses.len(),
                    if presentation.responses.len() == 1 {
                        "y"
                    } else {
                        "ies"
                    }
                )?;
                for (query, responses) in &presentation.responses {
                    for r in responses {
                        for d in &r.documents {
                            writeln!(out, "  {}: {}", escape(query), escape(&d.doc_type))?;
                            for (ns, elements) in &d.issuer_signed {
                                for (id, value) in elements {
                                    writeln!(
                                        out,
                                        "    {}/{} = {}",
                                        escape(ns),
                                        escape(id),
                                        crate::show_value(value)
                                    )?;
                                }
                            }
                        }
                    }
                }
            }
            Ok(())
        }
        Err(Oid4vpVerifyError::Presentation { source, .. }) => {
            let message = source.to_string();
            fail(out, source.check().name(), message)
        }
        Err(e) => fail(out, "oid4vp", e.to_string()),
    }
}
