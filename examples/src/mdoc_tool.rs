//! `mdoc-tool`: the issuer, holder and PKI side of a file-based exchange. Together with the
//! `verify` example it runs a whole presentation through files:
//!
//! ```text
//! mdoc-tool pki        --out DIR                       # test IACA + document signer, reader CA + reader
//! mdoc-tool device-key --out FILE [--public-out FILE]  # the holder's device key (PKCS#8 PEM)
//! mdoc-tool transcript --out FILE [--handover TEXT]    # SessionTranscriptBytes for this exchange
//! mdoc-tool issue      --claims FILE --ds-cert FILE --ds-key FILE --device-key FILE --out FILE
//!                      [--valid-from RFC3339] [--valid-until RFC3339] [--decoys N]
//! mdoc-tool request    --doc-type DT --element NS/ID ... [--retain NS/ID ...] [--purpose TEXT]
//!                      [--reader-cert FILE --reader-key FILE --transcript FILE] --out FILE
//! mdoc-tool present    --credential FILE --device-key FILE --request FILE --transcript FILE
//!                      (--consent ID[,ID...] ... | --consent-all) [--reader-trust FILE]
//!                      [--at RFC3339] --out FILE
//! mdoc-tool inspect    FILE                            # any CBOR (raw or hex) as JSON
//! mdoc-tool status-list build  --bits B --size N [--set I=V ...] --signer-key KEY
//!                              --signer-cert CERT --uri URI [--ttl SECONDS] [--exp RFC3339]
//!                              --out FILE
//! mdoc-tool status-list decode --token FILE (--trust CA.pem | --key PUBLIC.pem) [--uri URI]
//!                              [--at RFC3339] [--index I ...] [--json]
//! ```
//!
//! `pki` also writes the status-list signer (`status_signer.pem`, `status_signer.key.pem`: a
//! leaf the IACA certified, which signs the Status List Tokens of `status-list build`).
//! `issue --status-uri URI --status-index I` names the credential's entry in an ISO 1-bit
//! revocation list (the MSO's `status` = `{"status_list": {"idx", "uri"}}`), and
//! `--cn-status-uri URI --cn-status-index I` its entry in this project's 2-bit Chinese licence
//! list (0 valid, 1 revoked, 2 suspended, 3 overdue; key
//! [`CN_STATUS_LIST_KEY`](zhengzhao::status::CN_STATUS_LIST_KEY)). The `status-list` commands
//! are described in [`crate::status_tool`].
//!
//! Exit status: 0 success, 1 failure (a failed check, an unreadable file), 2 an unusable
//! command line (an unknown or malformed option; for `status-list`, also a missing one).
//!
//! Claims files are JSON (element values as in [`crate::json`]):
//!
//! ```json
//! { "doc_type": "org.iso.18013.5.1.mDL",
//!   "namespaces": { "org.iso.18013.5.1": { "family_name": "张",
//!                                          "birth_date": {"$full-date": "1988-07-12"} } },
//!   "decoys": 2 }
//! ```
//!
//! Until proximity sessions land, `transcript` builds `[null, null, handover]` with a text
//! handover that both sides share; a real exchange takes the transcript from the engagement.

use std::io::Write;
use std::path::Path;

use serde_json::Value as Json;
use zhengzhao::cbor::{Limits, Value};
use zhengzhao::crypto::{EcPublicKey, SoftwareKey};
use zhengzhao::holder::{
    ParsedRequest, ReaderIdentity, RequestOptions, RequestedElement, ResponseBuilder,
};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::{TestPki, TestPkiOptions};
use zhengzhao::trust::{TrustAnchor, TrustStore};

use zhengzhao::status::{StatusListRef, StatusReference};

use crate::args::{Args, Kind};
use crate::json::{cbor_to_json_expanded, json_to_cbor};
use crate::{escape, files, json_pretty, show_value, status_tool, Error};

/// An unusable command line (exit status 2), as opposed to a failure (exit status 1).
#[derive(Debug)]
pub struct Usage(String);

impl Usage {
    /// The error for `message`.
    pub fn error(message: impl Into<String>) -> Error {
        Box::new(Usage(message.into()))
    }
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// [`Args::parse`], an error being an unusable command line.
fn parse_args(args: &[String], spec: &[(&str, Kind)]) -> Result<Args, Error> {
    Args::parse(args, spec).map_err(|e| Usage::error(e.to_string()))
}

/// The usage text.
pub const USAGE: &str = "\
usage: mdoc-tool <command> [options]

commands (a whole exchange through files; check the result with the `verify` example):
  pki        --out DIR [--valid-days N]
             writes a test PKI: iaca.pem, ds.pem, reader_ca.pem, reader.pem, status_signer.pem
             (the status-list signer, issued by the IACA), verifier.pem (an OpenID4VP
             request signer issued by the reader CA, dNSName verifier.example.cn) and their
             *.key.pem
  device-key --out FILE [--public-out FILE]
             the holder's device key (PKCS#8 PEM; on a phone it stays in secure hardware)
  transcript --out FILE [--handover TEXT]
             SessionTranscriptBytes (tag 24) for [null, null, handover] (until engagement lands)
  issue      --claims FILE --ds-cert FILE --ds-key FILE --device-key FILE --out FILE
             [--valid-from RFC3339] [--valid-until RFC3339] [--decoys N]
             [--status-uri URI --status-index I] [--cn-status-uri URI --cn-status-index I]
             signs a credential from a JSON claims file (device key: public or private PEM);
             --status-uri/--status-index name its entry in an ISO 1-bit revocation list (MSO
             status = {\"status_list\": {\"idx\", \"uri\"}}), --cn-status-uri/--cn-status-index
             in the project's 2-bit Chinese licence list (\"cn_status_list\": 0 valid, 1 revoked,
             2 suspended, 3 overdue); each pair both or neither
  request    --doc-type DT --element NS/ID [--element ...] [--retain NS/ID ...] [--purpose TEXT]
             [--reader-cert FILE --reader-key FILE --transcript FILE] --out FILE
             a DeviceRequest, with readerAuth when a reader certificate and key are given
  present    --credential FILE --device-key FILE --request FILE --transcript FILE
             (--consent ID[,ID...] ... | --consent-all) [--reader-trust FILE] [--at RFC3339]
             --out FILE
             shows who asks for what and answers with requested ∩ consented ∩ held elements
             (consent entries are NS/ID or a bare ID)
  inspect    FILE
             prints any CBOR file (raw or hex) as JSON, tag-24 items decoded
  status-list build --bits B --size N [--set I=V ...] --signer-key KEY --signer-cert CERT
             --uri URI [--ttl SECONDS] [--exp RFC3339] --out FILE
             writes a signed Status List Token (CWT, raw bytes): N entries of B bits (1, 2, 4
             or 8), all 0 (valid) but those --set (0 valid, 1 revoked, 2 suspended, 3
             application-specific); iat now, exp --exp or now + 24 h; the certificates of CERT
             (leaf first: status_signer.pem of `pki`) in the protected x5chain
  status-list decode --token FILE (--trust CA.pem | --key PUBLIC.pem) [--uri URI]
             [--at RFC3339] [--index I ...] [--json]
             verifies a token (raw or hex): with --trust its x5chain must chain to that CA,
             with --key (SPKI PEM) the signature is checked with that key; then typ, sub = --uri
             (if given), iat <= --at < exp (default now; exp is not required: the draft makes
             it RECOMMENDED, ISO only for MSO lists) and that every --index is in the list.
             Prints bits, size, sub, iat, exp, ttl and the status at each index; --json:
             {\"bits\", \"size\", \"sub\", \"iat\", \"exp\", \"ttl\", \"statuses\": {\"I\": V}}
             (iat/exp in seconds since the epoch; exp/ttl null when absent)

  oid4vp request --client-id PREFIX:ID --response-uri URI --dcql FILE --signer-key KEY
             --signer-cert CERT [--response-mode direct_post.jwt|direct_post] [--at RFC3339]
             --out DIR
             a signed OpenID4VP 1.0 request object (DIR/request.jwt), the authorization request
             URI carrying it by value (DIR/request_uri.txt) and the verifier's private
             transaction state (DIR/transaction.json: nonce, state, decryption key)
  oid4vp present --request FILE --credential FILE --device-key FILE --verifier-trust CA.pem
             [--approve all|NS/ID,...] [--at RFC3339] --out FILE
             verifies the request (request.jwt or the openid4vp:// URI) against the verifier
             trust anchors, shows who asks for what, writes the form body to POST to the
             response_uri (requested ∩ held ∩ approved elements)
  oid4vp verify --state DIR --response FILE --trust IACA.pem [--at RFC3339] [--json]
             checks the POSTed body against the transaction (single use) and the issuer CAs;
             --json prints the verify --json object, each document with its \"query_id\"

exit status: 0 success, 1 failure (a check failed, a file is unusable), 2 unusable command line";

/// Runs `mdoc-tool` on `args` (without the program name). Returns the exit status: 0 on
/// success, 1 on failure, 2 for an unusable command line.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some((command, rest)) = args.split_first() else {
        let _ = writeln!(err, "{USAGE}");
        return 2;
    };
    let result = match command.as_str() {
        "pki" => pki(rest, out),
        "device-key" => device_key(rest, out),
        "transcript" => transcript(rest, out),
        "issue" => issue(rest, out),
        "request" => request(rest, out),
        "present" => present(rest, out),
        "inspect" => inspect(rest, out),
        "status-list" => status_tool::run(rest, out),
        "oid4vp" => crate::oid4vp_tool::run(rest, out),
        "help" | "--help" | "-h" => {
            let _ = writeln!(out, "{USAGE}");
            return 0;
        }
        other => {
            let _ = writeln!(
                err,
                "mdoc-tool: unknown command \"{}\"\n\n{USAGE}",
                escape(other)
            );
            return 2;
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(err, "mdoc-tool {command}: {}", escape(&e.to_string()));
            if e.downcast_ref::<Usage>().is_some() {
                2
            } else {
                1
            }
        }
    }
}

fn parse_time(name: &str, s: &str) -> Result<UnixTime, Error> {
    UnixTime::parse_rfc3339(s).map_err(|e| format!("--{name} {s:?}: {e}").into())
}

// ── pki ──────────────────────────────────────────────────────────────────────────────────────

fn pki(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse_args(args, &[("out", Kind::Value), ("valid-days", Kind::Value)])?;
    let dir = Path::new(a.required("out")?);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let now = UnixTime::now();
    let mut options = TestPkiOptions::new(now);
    if let Some(days) = a.value("valid-days") {
        let days: i64 = days.parse().map_err(|_| "--valid-days needs a number")?;
        options.ds_not_after = now.add_secs(days * 86_400);
        options.reader_not_after = options.ds_not_after;
    }
    let pki = TestPki::generate_with(&options)?;
    let certs = [
        ("iaca", &pki.iaca, &pki.iaca_key),
        ("ds", &pki.document_signer, &pki.document_signer_key),
        ("reader_ca", &pki.reader_ca, &pki.reader_ca_key),
        ("reader", &pki.reader, &pki.reader_key),
        ("status_signer", &pki.status_signer, &pki.status_signer_key),
        ("verifier", &pki.verifier, &pki.verifier_key),
    ];
    for (name, cert, key) in certs {
        files::write(
            dir.join(format!("{name}.pem")),
            files::certificate_pem(cert),
        )?;
        files::write_private_key(dir.join(format!("{name}.key.pem")), key)?;
        writeln!(
            out,
            "{:<42} {} (valid until {})",
            format!("{name}.pem, {name}.key.pem"),
            cert.subject(),
            cert.not_after()
        )?;
    }
    writeln!(out, "test PKI written to {}", dir.display())?;
    Ok(())
}

// ── device-key, transcript ───────────────────────────────────────────────────────────────────

fn device_key(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse_args(args, &[("out", Kind::Value), ("public-out", Kind::Value)])?;
    let key = SoftwareKey::generate()?;
    let path = a.required("out")?;
    files::write_private_key(path, &key)?;
    writeln!(out, "device key written to {path}")?;
    if let Some(public) = a.value("public-out") {
        files::write(public, files::public_key_pem(&key.public()))?;
        writeln!(out, "public key written to {public}")?;
    }
    Ok(())
}

/// The handover `transcript` uses when none is given.
pub const DEFAULT_HANDOVER: &str = "zhengzhao file exchange";

fn transcript(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse_args(args, &[("out", Kind::Value), ("handover", Kind::Value)])?;
    let handover = a.value("handover").unwrap_or(DEFAULT_HANDOVER);
    let st = SessionTranscript::new(None, None, &Value::text(handover));
    let path = a.required("out")?;
    files::write(path, st.tagged_bytes())?;
    writeln!(
        out,
        "SessionTranscriptBytes [null, null, {handover:?}] written to {path} ({} bytes)",
        st.tagged_bytes().len()
    )?;
    Ok(())
}

// ── issue ────────────────────────────────────────────────────────────────────────────────────

/// A credential's content, as a claims file gives it.
#[derive(Clone, Debug)]
pub struct Claims {
    /// The document type.
    pub doc_type: String,
    /// `(namespace, identifier, value)`, in file order (JSON object keys sorted).
    pub elements: Vec<(String, String, Value)>,
    /// Decoy digests per namespace.
    pub decoys: usize,
}

impl Claims {
    /// Reads `{"doc_type": .., "namespaces": {ns: {id: value}}, "decoys": n?}`.
    pub fn from_json(j: &Json) -> Result<Claims, Error> {
        let doc_type = j
            .get("doc_type")
            .and_then(Json::as_str)
            .ok_or("claims: \"doc_type\" (a string) is required")?
            .to_owned();
        let namespaces = j
            .get("namespaces")
            .and_then(Json::as_object)
            .ok_or("claims: \"namespaces\" (an object) is required")?;
        let mut elements = Vec::new();
        for (ns, els) in namespaces {
            let els = els
                .as_object()
                .ok_or_else(|| format!("claims: namespace {ns:?} must be an object"))?;
            for (id, value) in els {
                let value = json_to_cbor(value).map_err(|e| format!("claims: {ns} / {id}: {e}"))?;
                elements.push((ns.clone(), id.clone(), value));
            }
        }
        let decoys = match j.get("decoys") {
            None => 2,
            Some(n) => n
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or("claims: \"decoys\" must be a small unsigned integer")?,
        };
        Ok(Claims {
            doc_type,
            elements,
            decoys,
        })
    }

    /// Signs a credential with these claims for `device_key`, valid from `valid_from` to
    /// `valid_until` (signed at `signed`).
    pub fn issue(
        &self,
        issuer: &Issuer,
        device_key: EcPublicKey,
        signed: UnixTime,
        valid_from: UnixTime,
        valid_until: UnixTime,
    ) -> Result<Credential, Error> {
        self.issue_with_status(
            issuer,
            device_key,
            signed,
            valid_from,
            valid_until,
            StatusReference::default(),
        )
    }

    /// As [`Claims::issue`], the MSO's `status` naming `status` (nothing if it is empty).
    pub fn issue_with_status(
        &self,
        issuer: &Issuer,
        device_key: EcPublicKey,
        signed: UnixTime,
        valid_from: UnixTime,
        valid_until: UnixTime,
        status: StatusReference,
    ) -> Result<Credential, Error> {
        let mut builder = issuer.credential(self.doc_type.as_str());
        for (ns, id, value) in &self.elements {
            builder = builder.element(ns.as_str(), id.as_str(), value.clone());
        }
        Ok(builder
            .status(status)
            .decoys(self.decoys)
            .device_key(device_key)
            .validity(signed, valid_from, valid_until)
            .sign()?)
    }
}

/// Reads a JSON file.
pub fn read_json(path: impl AsRef<Path>) -> Result<Json, Error> {
    let path = path.as_ref();
    serde_json::from_slice(&files::read(path)?)
        .map_err(|e| format!("JSON in {}: {e}", path.display()).into())
}

fn issue(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse_args(
        args,
        &[
            ("claims", Kind::Value),
            ("ds-cert", Kind::Value),
            ("ds-key", Kind::Value),
            ("device-key", Kind::Value),
            ("out", Kind::Value),
            ("valid-from", Kind::Value),
            ("valid-until", Kind::Value),
            ("decoys", Kind::Value),
            ("status-uri", Kind::Value),
            ("status-index", Kind::Value),
            ("cn-status-uri", Kind::Value),
            ("cn-status-index", Kind::Value),
        ],
    )?;
    let status = StatusReference {
        status_list: status_ref(&a, "status-uri", "status-index")?,
        identifier_list: None,
        cn_status_list: status_ref(&a, "cn-status-uri", "cn-status-index")?,
    };
    let mut claims = Claims::from_json(&read_json(a.required("claims")?)?)?;
    if let Some(n) = a.value("decoys") {
        claims.decoys = n.parse().map_err(|_| "--decoys needs a number")?;
    }
    let chain = files::read_certificates(a.required("ds-cert")?)?;
    let ds_subject = chain.first().map(|c| c.subject()).unwrap_or_default();
    let ds_key = files::read_private_key(a.required("ds-key")?)?;
    let device_key = files::read_public_key(a.required("device-key")?)?;
    let now = UnixTime::now();
    let valid_from = match a.value("valid-from") {
        Some(s) => parse_time("valid-from", s)?,
        None => now,
    };
    let valid_until = match a.value("valid-until") {
        Some(s) => parse_time("valid-until", s)?,
        None => valid_from.add_secs(365 * 86_400),
    };
    let signed = if now < valid_from { now } else { valid_from };
    let issuer = Issuer::new(Box::new(ds_key), chain);
    let credential = claims.issue_with_status(
        &issuer,
        device_key,
        signed,
        valid_from,
        valid_until,
        status.clone(),
    )?;
    let path = a.required("out")?;
    files::write(path, credential.to_bytes())?;
    writeln!(
        out,
        "issued {} with {} elements (+{} decoy digests per namespace), valid {valid_from} .. {valid_until}",
        escape(&credential.doc_type),
        credential.element_ids().len(),
        claims.decoys
    )?;
    writeln!(out, "signed by {}", escape(&ds_subject.to_string()))?;
    for (key, r) in [
        ("status_list", &status.status_list),
        (
            zhengzhao::status::CN_STATUS_LIST_KEY,
            &status.cn_status_list,
        ),
    ] {
        if let Some(r) = r {
            writeln!(out, "status: {key} index {} at {}", r.idx, escape(&r.uri))?;
        }
    }
    writeln!(out, "credential written to {path}")?;
    Ok(())
}

/// The reference `--URI_FLAG URI --INDEX_FLAG I` give: both or neither.
fn status_ref(a: &Args, uri_flag: &str, index_flag: &str) -> Result<Option<StatusListRef>, Error> {
    match (a.value(uri_flag), a.value(index_flag)) {
        (None, None) => Ok(None),
        (Some(uri), Some(idx)) if !uri.is_empty() => Ok(Some(StatusListRef {
            idx: idx.parse().map_err(|_| {
                Usage::error(format!("--{index_flag} {idx:?} is not an unsigned number"))
            })?,
            uri: uri.to_owned(),
            certificate: None,
        })),
        (Some(_), Some(_)) => Err(Usage::error(format!("--{uri_flag} must not be empty"))),
        _ => Err(Usage::error(format!(
            "--{uri_flag} and --{index_flag} go together"
        ))),
    }
}

// ── request ──────────────────────────────────────────────────────────────────────────────────

/// Splits `NS/ID` at its last `/`.
pub fn split_element(s: &str) -> Result<(String, String), Error> {
    match s.rsplit_once('/') {
        Some((ns, id)) if !ns.is_empty() && !id.is_empty() => Ok((ns.to_owned(), id.to_owned())),
        _ => Err(format!("{s:?} is not NAMESPACE/IDENTIFIER").into()),
    }
}

/// What a reader asks for.
#[derive(Clone, Debug)]
pub struct RequestSpec {
    /// The requested document type.
    pub doc_type: String,
    /// `(namespace, identifier, intent to retain)`.
    pub elements: Vec<(String, String, bool)>,
    /// A stated purpose of use (`requestInfo` `"purpose"`).
    pub purpose: Option<String>,
}

impl RequestSpec {
    /// The DeviceRequest; with `reader` (key and certificate chain, leaf first) it carries
    /// readerAuth over `transcript`.
    pub fn build(
        &self,
        reader: Option<(&SoftwareKey, &[Vec<u8>])>,
        transcript: &SessionTranscript,
    ) -> Result<DeviceRequest, Error> {
        let mut items = ItemsRequest::new(self.doc_type.as_str());
        for (ns, id, retain) in &self.elements {
            items = items.with_element(ns.as_str(), id.as_str(), *retain);
        }
        if let Some(purpose) = &self.purpose {
            items.request_info = Some(vec![(Value::text("purpose"), Value::text(purpose))]);
        }
        let mut doc = DocRequest::new(items);
        if let Some((key, chain)) = reader {
            doc = doc.sign_reader_auth(key, chain, transcript)?;
        }
        Ok(DeviceRequest::new(vec![doc]))
    }
}

fn read_transcript(path: &str) -> Result<SessionTranscript, Error> {
    SessionTranscript::parse_any(&files::read_cbor_or_hex(path)?, &Limits::default())
        .map_err(|e| format!("session transcript in {path}: {e}").into())
}

fn request(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse_args(
        args,
        &[
            ("doc-type", Kind::Value),
            ("element", Kind::Repeated),
            ("retain", Kind::Repeated),
            ("purpose", Kind::Value),
            ("reader-cert", Kind::Value),
            ("reader-key", Kind::Value),
            ("transcript", Kind::Value),
            ("out", Kind::Value),
        ],
    )?;
    let mut elements = Vec::new();
    for (name, retain) in [("element", false), ("retain", true)] {
        for s in a.values(name) {
            let (ns, id) = split_element(s)?;
            elements.push((ns, id, retain));
        }
    }
    if elements.is_empty() {
        return Err("at least one --element NS/ID is required".into());
    }
    let spec = RequestSpec {
        doc_type: a.required("doc-type")?.to_owned(),
        elements,
        purpose: a.value("purpose").map(str::to_owned),
    };
    let reader = match (a.value("reader-cert"), a.value("reader-key")) {
        (Some(cert), Some(key)) => {
            let chain: Vec<Vec<u8>> = files::read_certificates(cert)?
                .iter()
                .map(|c| c.der().to_vec())
                .collect();
            Some((files::read_private_key(key)?, chain))
        }
        (None, None) => None,
        _ => return Err("--reader-cert and --reader-key go together".into()),
    };
    let transcript = match (a.value("transcript"), &reader) {
        (Some(path), _) => read_transcript(path)?,
        (None, Some(_)) => {
            return Err("readerAuth signs the session: --transcript is required".into())
        }
        // Without readerAuth the request does not depend on the transcript.
        (None, None) => SessionTranscript::new(None, None, &Value::Null),
    };
    let request = spec.build(reader.as_ref().map(|(k, c)| (k, c.as_slice())), &transcript)?;
    let path = a.required("out")?;
    files::write(path, request.to_bytes())?;
    writeln!(
        out,
        "DeviceRequest for {} ({} elements{}) written to {path}",
        spec.doc_type,
        spec.elements.len(),
        if reader.is_some() {
            ", signed with readerAuth"
        } else {
            ", anonymous"
        }
    )?;
    Ok(())
}

// ── present ──────────────────────────────────────────────────────────────────────────────────

/// The holder's consent: everything offered, or a list of `NS/ID` or bare identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Consent {
    /// Approve everything that is requested and held.
    All,
    /// Approve these (`(Some(namespace), id)`, or `(None, id)` for the identifier in any
    /// namespace).
    Only(Vec<(Option<String>, String)>),
}

impl Consent {
    /// Parses entries like `org.iso.18013.5.1/family_name` or `family_name`; entries may also
    /// be comma-separated lists.
    pub fn parse<'a>(entries: impl IntoIterator<Item = &'a str>) -> Consent {
        let list = entries
            .into_iter()
            .flat_map(|e| e.split(','))
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| match e.rsplit_once('/') {
                Some((ns, id)) => (Some(ns.to_owned()), id.to_owned()),
                None => (None, e.to_owned()),
            })
            .collect();
        Consent::Only(list)
    }

    /// Whether the holder approves `element`.
    pub fn approves(&self, element: &RequestedElement) -> bool {
        match self {
            Consent::All => true,
            Consent::Only(list) => list.iter().any(|(ns, id)| {
                *id == element.identifier && ns.as_ref().is_none_or(|ns| *ns == element.namespace)
            }),
        }
    }
}

fn describe_reader(reader: &ReaderIdentity) -> String {
    match reader {
        ReaderIdentity::Anonymous => "anonymous reader (no readerAuth)".into(),
        ReaderIdentity::Unverified { claimed_subject } => {
            format!(
                "{} (UNVERIFIED: no reader trust anchors given)",
                escape(&claimed_subject.to_string())
            )
        }
        ReaderIdentity::Authenticated { subject, .. } => {
            format!("{} (verified)", escape(&subject.to_string()))
        }
        other => format!("{other:?}"),
    }
}

fn present(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse_args(
        args,
        &[
            ("credential", Kind::Value),
            ("device-key", Kind::Value),
            ("request", Kind::Value),
            ("transcript", Kind::Value),
            ("consent", Kind::Repeated),
            ("consent-all", Kind::Flag),
            ("reader-trust", Kind::Repeated),
            ("at", Kind::Value),
            ("out", Kind::Value),
        ],
    )?;
    let consent = match (a.flag("consent-all"), a.values("consent")) {
        (true, v) if v.is_empty() => Consent::All,
        (false, v) if !v.is_empty() => Consent::parse(v),
        (true, _) => return Err("give either --consent or --consent-all, not both".into()),
        (false, _) => {
            return Err(
                "the holder must consent: give --consent ID[,ID...] or --consent-all".into(),
            )
        }
    };
    let limits = Limits::default();
    let credential = Credential::from_bytes(&files::read(a.required("credential")?)?, &limits)?;
    let device_key = files::read_private_key(a.required("device-key")?)?;
    let transcript = read_transcript(a.required("transcript")?)?;
    let at = match a.value("at") {
        Some(s) => parse_time("at", s)?,
        None => UnixTime::now(),
    };
    let mut options = RequestOptions::new(at);
    let trust_files = a.values("reader-trust");
    if !trust_files.is_empty() {
        let mut trust = TrustStore::new();
        for path in trust_files {
            for cert in files::read_certificates(path)? {
                trust.add(TrustAnchor::reader_authority(cert));
            }
        }
        options = options.with_reader_trust(trust);
    }
    let request_bytes = files::read_cbor_or_hex(a.required("request")?)?;
    let parsed = ParsedRequest::parse(&request_bytes, &transcript, &options)?;
    let mut builder = ResponseBuilder::new(&transcript);
    let mut answered = 0;
    for (i, doc) in parsed.documents().iter().enumerate() {
        writeln!(out, "request {i}: {}", escape(doc.doc_type()))?;
        writeln!(out, "  from    : {}", describe_reader(doc.reader()))?;
        if let Some(info) = &doc.request().items_request.request_info {
            for (k, v) in info {
                writeln!(out, "  {:<8}: {}", show_value(k), show_value(v))?;
            }
        }
        let requested = doc.requested();
        writeln!(
            out,
            "  asks for: {}",
            requested
                .iter()
                .map(|e| format!(
                    "{}{}",
                    escape(&e.identifier),
                    if e.intent_to_retain {
                        " (retained)"
                    } else {
                        ""
                    }
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        if credential.doc_type != doc.doc_type() {
            writeln!(
                out,
                "  not answered: the credential is a {}",
                escape(&credential.doc_type)
            )?;
            continue;
        }
        let disclosable = doc.disclosable(&credential);
        let approved: Vec<RequestedElement> = disclosable
            .iter()
            .filter(|e| consent.approves(e))
            .cloned()
            .collect();
        let ids = |l: &[RequestedElement]| {
            l.iter()
                .map(|e| escape(&e.identifier))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "  held    : {}", ids(&disclosable))?;
        writeln!(out, "  approved: {}", ids(&approved))?;
        builder.add_document(&credential, doc, &approved, &device_key)?;
        answered += 1;
    }
    if answered == 0 {
        return Err("no requested document matches the credential".into());
    }
    let path = a.required("out")?;
    let response = builder.finish();
    files::write(path, &response)?;
    writeln!(
        out,
        "DeviceResponse ({} bytes, device-signed) written to {path}",
        response.len()
    )?;
    Ok(())
}

// ── inspect ──────────────────────────────────────────────────────────────────────────────────

fn inspect(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let [path] = args else {
        return Err("usage: mdoc-tool inspect FILE".into());
    };
    let value = zhengzhao::cbor::decode(&files::read_cbor_or_hex(path)?)?;
    writeln!(out, "{}", json_pretty(&cbor_to_json_expanded(&value)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_matching() {
        let el = |ns: &str, id: &str| RequestedElement::new(ns, id, false);
        let c = Consent::parse(["family_name, org.iso.18013.5.1/age_over_18", "x.y/z"]);
        assert!(c.approves(&el("org.iso.18013.5.1", "family_name")));
        assert!(c.approves(&el("other", "family_name")));
        assert!(c.approves(&el("org.iso.18013.5.1", "age_over_18")));
        assert!(!c.approves(&el("other", "age_over_18")));
        assert!(!c.approves(&el("org.iso.18013.5.1", "given_name")));
        assert!(Consent::All.approves(&el("a", "b")));
        assert_eq!(Consent::parse([""]), Consent::Only(vec![]));
    }

    #[test]
    fn element_paths() {
        assert_eq!(
            split_element("org.iso.18013.5.1/family_name").unwrap(),
            ("org.iso.18013.5.1".into(), "family_name".into())
        );
        assert!(split_element("family_name").is_err());
        assert!(split_element("ns/").is_err());
    }
}
