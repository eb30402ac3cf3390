//! `mdoc-tool status-list`: build and decode Status List Tokens (IETF
//! draft-ietf-oauth-status-list-20, CWT form), the lists an issuing authority publishes so that
//! verifiers learn which credentials are revoked or suspended.
//!
//! ```text
//! mdoc-tool status-list build  --bits B --size N [--set I=V ...] --signer-key KEY
//!                              --signer-cert CERT --uri URI [--ttl SECONDS] [--exp RFC3339]
//!                              --out FILE
//! mdoc-tool status-list decode --token FILE (--trust CA.pem | --key PUBLIC.pem) [--uri URI]
//!                              [--at RFC3339] [--index I ...] [--json]
//! ```
//!
//! `build` writes the token's raw bytes (a tagged COSE_Sign1, what the URI serves as
//! `application/statuslist+cwt`), issued now, expiring at `--exp` or, without it, 24 hours
//! after issuance ([`DEFAULT_LIST_VALIDITY`]); the certificates of `--signer-cert` (leaf first)
//! go into the protected `x5chain`. `decode` verifies a token (raw or hex) and prints its
//! claims and the status at each `--index`; `--json` prints one line
//! `{"bits", "size", "sub", "iat", "exp", "ttl", "statuses": {"I": V}}` with `iat` and `exp` as
//! NumericDates (seconds since the epoch, as in the CWT), `exp` and `ttl` `null` when absent.
//!
//! Decisions: `decode` does not require `exp` (the draft makes it RECOMMENDED; ISO/IEC 18013-5
//! makes it mandatory only for lists an MSO names, which `verify --status-list` checks);
//! without `--uri` the `sub` is printed, not compared. With `--trust` the token's protected
//! `x5chain` must chain to that CA as a status-list signer (no document signer is involved
//! here: `verify --status-list` adds the "not the document signer" check); with `--key` the
//! signature is checked with that key and any `x5chain` is ignored.
//!
//! Exit status: 0 success; 1 a check failed (signature, chain, `typ`, `sub`, expiry, an index
//! outside the list, a value wider than the list) with a one-line reason on stderr; 2 an
//! unusable command line.

use std::io::Write;

use serde_json::{json, Map, Value as Json};
use zhengzhao::status::{
    Bits, ListContent, Status, StatusLimits, StatusList, StatusListToken, StatusListTokenBuilder,
    DEFAULT_LIST_VALIDITY,
};
use zhengzhao::time::UnixTime;

use crate::args::{Args, Kind};
use crate::mdoc_tool::Usage;
use crate::{escape, files, json_line, Error};

/// Runs `status-list <build|decode> ...`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    match args.split_first() {
        Some((sub, rest)) if sub == "build" => build(rest, out),
        Some((sub, rest)) if sub == "decode" => decode(rest, out),
        Some((sub, _)) => Err(Usage::error(format!(
            "unknown status-list command {:?} (build or decode)",
            sub
        ))),
        None => Err(Usage::error("status-list needs build or decode")),
    }
}

fn parse(args: &[String], spec: &[(&str, Kind)]) -> Result<Args, Error> {
    Args::parse(args, spec).map_err(|e| Usage::error(e.to_string()))
}

fn required<'a>(a: &'a Args, name: &str) -> Result<&'a str, Error> {
    a.value(name)
        .ok_or_else(|| Usage::error(format!("--{name} is required")))
}

fn number<T: std::str::FromStr>(name: &str, s: &str) -> Result<T, Error> {
    s.parse()
        .map_err(|_| Usage::error(format!("--{name} {s:?} is not a number")))
}

fn time(name: &str, s: &str) -> Result<UnixTime, Error> {
    UnixTime::parse_rfc3339(s).map_err(|e| Usage::error(format!("--{name} {s:?}: {e}")))
}

/// The draft's name of a status value.
pub fn status_name(value: u8) -> &'static str {
    match Status::from_value(value) {
        Status::Valid => "valid",
        Status::Invalid => "invalid (revoked)",
        Status::Suspended => "suspended",
        Status::ApplicationSpecific(_) => "application-specific",
        Status::Reserved(_) => "reserved",
    }
}

// ── build ────────────────────────────────────────────────────────────────────────────────────

fn build(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse(
        args,
        &[
            ("bits", Kind::Value),
            ("size", Kind::Value),
            ("set", Kind::Repeated),
            ("signer-key", Kind::Value),
            ("signer-cert", Kind::Value),
            ("uri", Kind::Value),
            ("ttl", Kind::Value),
            ("exp", Kind::Value),
            ("out", Kind::Value),
        ],
    )?;
    let bits_text = required(&a, "bits")?;
    let bits = Bits::new(number("bits", bits_text)?)
        .map_err(|_| Usage::error(format!("--bits {bits_text} is not 1, 2, 4 or 8")))?;
    let size: usize = number("size", required(&a, "size")?)?;
    let mut sets = Vec::new();
    for s in a.values("set") {
        let (i, v) = s
            .split_once('=')
            .ok_or_else(|| Usage::error(format!("--set {s:?} is not INDEX=VALUE")))?;
        sets.push((number::<u64>("set", i)?, number::<u8>("set", v)?));
    }
    let uri = required(&a, "uri")?;
    if uri.is_empty() {
        return Err(Usage::error("--uri must not be empty"));
    }
    let ttl = a
        .value("ttl")
        .map(|s| number::<u64>("ttl", s))
        .transpose()?;
    if ttl == Some(0) {
        return Err(Usage::error("--ttl must be positive"));
    }
    let exp = a.value("exp").map(|s| time("exp", s)).transpose()?;
    let key_path = required(&a, "signer-key")?;
    let cert_path = required(&a, "signer-cert")?;
    let path = required(&a, "out")?;

    let mut list = StatusList::new(bits, size).map_err(|e| format!("--size {size}: {e}"))?;
    for (i, v) in sets {
        list.set_value(i, v)
            .map_err(|e| format!("--set {i}={v}: {e}"))?;
    }
    let key = files::read_private_key(key_path)?;
    let chain = files::read_certificates(cert_path)?;
    let iat = UnixTime::now();
    let exp = exp.unwrap_or_else(|| iat.add_secs(DEFAULT_LIST_VALIDITY as i64));
    if exp <= iat {
        return Err(format!("--exp {exp} is not after the issuance time {iat}").into());
    }
    let nonzero = (0..size as u64)
        .filter(|&i| list.value(i).is_ok_and(|v| v != 0))
        .count();
    let mut builder = StatusListTokenBuilder::new(uri, ListContent::Status(list), iat).exp(exp);
    if let Some(ttl) = ttl {
        builder = builder.ttl(ttl);
    }
    let token = builder.sign(&key, &chain)?;
    files::write(path, &token)?;
    writeln!(
        out,
        "status list for {}: {size} entries of {} bit(s), {nonzero} not valid",
        escape(uri),
        bits.get()
    )?;
    writeln!(
        out,
        "iat {iat}, exp {exp}{}",
        ttl.map(|t| format!(", ttl {t} s")).unwrap_or_default()
    )?;
    if let Some(leaf) = chain.first() {
        writeln!(out, "signed by {}", escape(&leaf.subject().to_string()))?;
    }
    writeln!(
        out,
        "Status List Token ({} bytes) written to {path}",
        token.len()
    )?;
    Ok(())
}

// ── decode ───────────────────────────────────────────────────────────────────────────────────

fn decode(args: &[String], out: &mut dyn Write) -> Result<(), Error> {
    let a = parse(
        args,
        &[
            ("token", Kind::Value),
            ("trust", Kind::Value),
            ("key", Kind::Value),
            ("uri", Kind::Value),
            ("at", Kind::Value),
            ("index", Kind::Repeated),
            ("json", Kind::Flag),
        ],
    )?;
    let token_path = required(&a, "token")?;
    let (trust, key) = match (a.value("trust"), a.value("key")) {
        (Some(t), None) => (Some(t), None),
        (None, Some(k)) => (None, Some(k)),
        _ => {
            return Err(Usage::error(
                "exactly one of --trust CA.pem and --key PUBLIC.pem",
            ))
        }
    };
    let at = match a.value("at") {
        Some(s) => time("at", s)?,
        None => UnixTime::now(),
    };
    let indexes = a
        .values("index")
        .into_iter()
        .map(|s| number::<u64>("index", s))
        .collect::<Result<Vec<_>, _>>()?;

    let bytes = files::read_cbor_or_hex(token_path)?;
    let token = StatusListToken::parse(&bytes, &StatusLimits::default())?;
    let provider = zhengzhao::crypto::default_provider();
    let verified_by = if let Some(path) = trust {
        let ca = files::read_certificates(path)?
            .into_iter()
            .next()
            .ok_or_else(|| format!("no certificate in {path}"))?;
        token.verify_chain(provider.as_ref(), &ca, None, at)?;
        format!("x5chain verified to {}", escape(&ca.subject().to_string()))
    } else if let Some(path) = key {
        token.verify_with_key(provider.as_ref(), &files::read_public_key(path)?)?;
        format!("signature verified with the key in {path}")
    } else {
        return Err(Usage::error(
            "exactly one of --trust CA.pem and --key PUBLIC.pem",
        ));
    };
    token.check_claims(a.value("uri"), at, false, None)?;
    let list = token.list()?;
    let mut statuses = Vec::with_capacity(indexes.len());
    for i in indexes {
        statuses.push((i, list.value(i)?));
    }

    if a.flag("json") {
        let map: Map<String, Json> = statuses
            .iter()
            .map(|(i, v)| (i.to_string(), Json::from(*v)))
            .collect();
        let j = json!({
            "bits": list.bits().get(),
            "size": list.len(),
            "sub": token.sub(),
            "iat": token.iat().secs(),
            "exp": token.exp().map(|e| e.secs()),
            "ttl": token.ttl(),
            "statuses": map,
        });
        writeln!(out, "{}", json_line(&j))?;
        return Ok(());
    }
    writeln!(out, "verified : {verified_by}; checked at {at}")?;
    writeln!(out, "sub      : {}", escape(token.sub()))?;
    writeln!(out, "bits     : {}", list.bits().get())?;
    writeln!(out, "size     : {}", list.len())?;
    writeln!(out, "iat      : {}", token.iat())?;
    match token.exp() {
        Some(exp) => writeln!(out, "exp      : {exp}")?,
        None => writeln!(out, "exp      : (none)")?,
    }
    match token.ttl() {
        Some(ttl) => writeln!(out, "ttl      : {ttl} s")?,
        None => writeln!(out, "ttl      : (none)")?,
    }
    for (i, v) in statuses {
        writeln!(out, "index {i}: {v} ({})", status_name(v))?;
    }
    Ok(())
}
