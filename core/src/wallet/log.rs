//! The disclosure log: one [`DisclosureEvent`] per document presented — when, to whom (from
//! `readerAuth`, when present), for what stated purpose, which credential and which element
//! *identifiers*. Element values are never recorded.
//!
//! The holder can query it ([`LogQuery`]), export it ([`to_json`], [`to_csv`]) and delete
//! entries ([`Wallet::delete_disclosures`](super::Wallet::delete_disclosures)). Entries are
//! records of [`Collection::DisclosureLog`](super::Collection::DisclosureLog), committed like
//! credentials.

use std::fmt::{self, Write as _};

use crate::cbor::Value;
use crate::holder::{ReaderIdentity, RequestedElement};
use crate::model::ItemsRequest;
use crate::time::UnixTime;

use super::codec::{self, Unreadable};
use super::metadata::CredentialId;
use super::store::{random_hex, RecordId, StoreError};

/// The `ItemsRequest.requestInfo` key under which a verifier states its purpose of use
/// (用證事由); the same key as [`crate::profiles::PURPOSE_OF_USE_KEY`].
pub const PURPOSE_KEY: &str = "purposeOfUse";

/// The most characters of a stated purpose the log keeps (the profile's limit); a longer
/// one is cut there.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Who asked, as recorded in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifierIdentity {
    /// The request was not signed.
    Anonymous,
    /// Signed, but the reader's certificate did not chain to a configured reader trust
    /// anchor (none configured): the name is the reader's claim.
    Unverified {
        /// The subject the reader's certificate claims.
        claimed_subject: String,
    },
    /// `readerAuth` verified and chained to a reader trust anchor.
    Authenticated {
        /// The reader certificate's subject.
        subject: String,
    },
}

impl VerifierIdentity {
    /// The identity of a request's reader.
    pub fn from_reader(reader: &ReaderIdentity) -> Self {
        match reader {
            ReaderIdentity::Anonymous => VerifierIdentity::Anonymous,
            ReaderIdentity::Unverified { claimed_subject } => VerifierIdentity::Unverified {
                claimed_subject: claimed_subject.clone(),
            },
            ReaderIdentity::Authenticated { subject, .. } => VerifierIdentity::Authenticated {
                subject: subject.clone(),
            },
        }
    }

    /// `anonymous`, `unverified` or `authenticated`.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifierIdentity::Anonymous => "anonymous",
            VerifierIdentity::Unverified { .. } => "unverified",
            VerifierIdentity::Authenticated { .. } => "authenticated",
        }
    }

    /// The certificate subject, if the request was signed.
    pub fn subject(&self) -> Option<&str> {
        match self {
            VerifierIdentity::Anonymous => None,
            VerifierIdentity::Unverified { claimed_subject } => Some(claimed_subject),
            VerifierIdentity::Authenticated { subject } => Some(subject),
        }
    }

    fn from_parts(kind: &str, subject: Option<String>) -> Result<Self, Unreadable> {
        match (kind, subject) {
            ("anonymous", None) => Ok(VerifierIdentity::Anonymous),
            ("unverified", Some(claimed_subject)) => {
                Ok(VerifierIdentity::Unverified { claimed_subject })
            }
            ("authenticated", Some(subject)) => Ok(VerifierIdentity::Authenticated { subject }),
            _ => Err(Unreadable),
        }
    }
}

/// The purpose a request states (`requestInfo["purposeOfUse"]`, text), cut to
/// [`MAX_PURPOSE_CHARS`] characters; `None` if none or not text.
pub fn stated_purpose(request: &ItemsRequest) -> Option<String> {
    let text = request
        .request_info
        .iter()
        .flatten()
        .find(|(k, _)| k.as_text() == Some(PURPOSE_KEY))
        .and_then(|(_, v)| v.as_text())?;
    Some(text.chars().take(MAX_PURPOSE_CHARS).collect())
}

/// One disclosed document. `Debug` shows the entry id, time, docType and the number of
/// elements, not whom they were shown to.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisclosureEvent {
    /// The log entry's identifier (starts with the time, so identifiers sort by time).
    pub id: RecordId,
    /// When the response was released.
    pub time: UnixTime,
    /// Who asked.
    pub verifier: VerifierIdentity,
    /// The stated purpose of use, if any.
    pub purpose: Option<String>,
    /// The disclosed document's type.
    pub doc_type: String,
    /// The wallet's credential that answered.
    pub credential: CredentialId,
    /// The disclosed elements (identifiers and the reader's intent to retain; no values).
    pub elements: Vec<RequestedElement>,
}

impl fmt::Debug for DisclosureEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DisclosureEvent")
            .field("id", &self.id.as_str())
            .field("time", &self.time)
            .field("doc_type", &self.doc_type)
            .field("elements", &self.elements.len())
            .finish_non_exhaustive()
    }
}

impl DisclosureEvent {
    /// A new entry with a fresh identifier.
    pub(crate) fn new(
        time: UnixTime,
        verifier: VerifierIdentity,
        purpose: Option<String>,
        doc_type: String,
        credential: CredentialId,
        elements: Vec<RequestedElement>,
    ) -> Result<Self, StoreError> {
        let secs = u64::try_from(time.secs()).unwrap_or(0);
        let id = RecordId::new(format!("{secs:016x}-{}", random_hex(6)?))?;
        Ok(DisclosureEvent {
            id,
            time,
            verifier,
            purpose,
            doc_type,
            credential,
            elements,
        })
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        use codec::entry;
        let mut verifier = vec![entry("kind", Value::text(self.verifier.kind()))];
        if let Some(subject) = self.verifier.subject() {
            verifier.push(entry("subject", Value::text(subject)));
        }
        let mut m = vec![
            entry("v", Value::Integer(i128::from(codec::RECORD_VERSION))),
            entry("time", codec::time_value(self.time)),
            entry("verifier", Value::Map(verifier)),
            entry("docType", Value::text(self.doc_type.as_str())),
            entry("credential", Value::text(self.credential.as_str())),
            entry(
                "elements",
                Value::Array(
                    self.elements
                        .iter()
                        .map(|e| {
                            Value::Array(vec![
                                Value::text(e.namespace.as_str()),
                                Value::text(e.identifier.as_str()),
                                Value::Bool(e.intent_to_retain),
                            ])
                        })
                        .collect(),
                ),
            ),
        ];
        if let Some(p) = &self.purpose {
            m.push(entry("purpose", Value::text(p.as_str())));
        }
        crate::cbor::encode(&Value::Map(m))
    }

    pub(crate) fn from_bytes(id: RecordId, bytes: &[u8]) -> Result<Self, Unreadable> {
        let m = codec::decode_map(bytes)?;
        let verifier = codec::get(&m, "verifier")?.as_map().ok_or(Unreadable)?;
        let verifier = VerifierIdentity::from_parts(
            &codec::text(verifier, "kind")?,
            codec::opt_text(verifier, "subject")?,
        )?;
        let mut elements = Vec::new();
        for e in codec::get(&m, "elements")?.as_array().ok_or(Unreadable)? {
            let [ns, id, retain] = e.as_array().ok_or(Unreadable)? else {
                return Err(Unreadable);
            };
            elements.push(RequestedElement {
                namespace: ns.as_text().ok_or(Unreadable)?.to_owned(),
                identifier: id.as_text().ok_or(Unreadable)?.to_owned(),
                intent_to_retain: retain.as_bool().ok_or(Unreadable)?,
            });
        }
        Ok(DisclosureEvent {
            id,
            time: codec::time(&m, "time")?,
            verifier,
            purpose: codec::opt_text(&m, "purpose")?,
            doc_type: codec::text(&m, "docType")?,
            credential: CredentialId::parse(&codec::text(&m, "credential")?).ok_or(Unreadable)?,
            elements,
        })
    }
}

/// Which log entries to return or delete. Every condition given must hold; the default
/// matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogQuery {
    /// Entries at or after this time.
    pub since: Option<UnixTime>,
    /// Entries at or before this time.
    pub until: Option<UnixTime>,
    /// Entries of this docType.
    pub doc_type: Option<String>,
    /// Entries of this credential.
    pub credential: Option<CredentialId>,
    /// Entries whose verifier's certificate subject contains this text.
    pub verifier: Option<String>,
}

impl LogQuery {
    /// Matches every entry.
    pub fn all() -> Self {
        LogQuery::default()
    }

    /// Only entries at or after `t`.
    pub fn since(mut self, t: UnixTime) -> Self {
        self.since = Some(t);
        self
    }

    /// Only entries at or before `t`.
    pub fn until(mut self, t: UnixTime) -> Self {
        self.until = Some(t);
        self
    }

    /// Only entries of `doc_type`.
    pub fn doc_type(mut self, doc_type: impl Into<String>) -> Self {
        self.doc_type = Some(doc_type.into());
        self
    }

    /// Only entries of `credential`.
    pub fn credential(mut self, credential: CredentialId) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Only entries whose verifier's subject contains `text`.
    pub fn verifier(mut self, text: impl Into<String>) -> Self {
        self.verifier = Some(text.into());
        self
    }

    /// Whether `event` matches.
    pub fn matches(&self, event: &DisclosureEvent) -> bool {
        self.since.is_none_or(|t| event.time >= t)
            && self.until.is_none_or(|t| event.time <= t)
            && self.doc_type.as_ref().is_none_or(|d| *d == event.doc_type)
            && self
                .credential
                .as_ref()
                .is_none_or(|c| *c == event.credential)
            && self.verifier.as_ref().is_none_or(|v| {
                event
                    .verifier
                    .subject()
                    .is_some_and(|s| s.contains(v.as_str()))
            })
    }
}

/// The entries as a JSON array, one object per entry:
///
/// ```json
/// [{"id": "…", "time": "2026-01-01T08:00:00Z",
///   "verifier": {"kind": "authenticated", "subject": "CN=…"}, "purpose": "…" | null,
///   "docType": "…", "credential": "…",
///   "elements": [{"namespace": "…", "identifier": "…", "intentToRetain": false}]}]
/// ```
pub fn to_json(events: &[DisclosureEvent]) -> String {
    let mut out = String::from("[");
    for (i, e) in events.iter().enumerate() {
        out.push_str(if i == 0 { "\n  {" } else { ",\n  {" });
        let _ = write!(
            out,
            "\"id\": {}, \"time\": {}, \"verifier\": {{\"kind\": {}, \"subject\": {}}}, \
             \"purpose\": {}, \"docType\": {}, \"credential\": {}, \"elements\": [",
            json_string(e.id.as_str()),
            json_string(&e.time.to_rfc3339()),
            json_string(e.verifier.kind()),
            e.verifier.subject().map_or("null".to_owned(), json_string),
            e.purpose.as_deref().map_or("null".to_owned(), json_string),
            json_string(&e.doc_type),
            json_string(e.credential.as_str()),
        );
        for (j, el) in e.elements.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            let _ = write!(
                out,
                "{{\"namespace\": {}, \"identifier\": {}, \"intentToRetain\": {}}}",
                json_string(&el.namespace),
                json_string(&el.identifier),
                el.intent_to_retain
            );
        }
        out.push_str("]}");
    }
    out.push_str(if events.is_empty() { "]\n" } else { "\n]\n" });
    out
}

/// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped,
/// and U+2028/U+2029 too, so the output is also safe inside JavaScript.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The entries as CSV (RFC 4180, CRLF line ends, a header row):
///
/// ```text
/// id,time,verifier_kind,verifier,purpose,doc_type,credential,elements,retained
/// ```
///
/// `elements` lists every disclosed element as `namespace/identifier`, separated by `; `;
/// `retained` lists those the verifier said it would keep. Fields are quoted when needed, and
/// a field a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or
/// carriage return: a verifier chooses its name and purpose) is prefixed with `'`.
pub fn to_csv(events: &[DisclosureEvent]) -> String {
    let mut out = String::from(
        "id,time,verifier_kind,verifier,purpose,doc_type,credential,elements,retained\r\n",
    );
    for e in events {
        let list = |retained_only: bool| {
            e.elements
                .iter()
                .filter(|el| !retained_only || el.intent_to_retain)
                .map(|el| format!("{}/{}", el.namespace, el.identifier))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let fields = [
            e.id.as_str().to_owned(),
            e.time.to_rfc3339(),
            e.verifier.kind().to_owned(),
            e.verifier.subject().unwrap_or_default().to_owned(),
            e.purpose.clone().unwrap_or_default(),
            e.doc_type.clone(),
            e.credential.as_str().to_owned(),
            list(false),
            list(true),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field: neutralised against formula injection, quoted if it holds a comma, quote
/// or line break (quotes doubled).
fn csv_field(s: &str) -> String {
    let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}
