//! Shared code of the zhengzhao examples and tools.
//!
//! The binaries under `examples/` are thin wrappers: each tool's whole behaviour (argument
//! parsing, file formats, output) lives here, so that `tests/tools.rs` runs exactly the code the
//! binaries run, without spawning nested `cargo` processes.
//!
//! | module | used by |
//! |---|---|
//! | [`json`] | CBOR ↔ JSON: the `--json` output of `verify`, claims files, scenario files |
//! | [`files`] | raw-or-hex CBOR, PEM/DER certificates and keys |
//! | [`args`] | a tiny `--flag value` parser |
//! | [`demo`] | `cargo run --example demo` and the demo test |
//! | [`verify_tool`] | `cargo run --example verify` |
//! | [`mdoc_tool`] | `cargo run --example mdoc-tool -- <pki|device-key|transcript|issue|request|present|inspect|status-list>` |
//! | [`oid4vp_tool`] | `mdoc-tool oid4vp <request|present|verify>`: OpenID4VP 1.0 through files |
//! | [`status_tool`] | `mdoc-tool status-list <build|decode>`: Status List Tokens |
//! | [`scenario`] | `cargo run --example scenarios` and the scenario test |
//! | [`perf`] | `cargo run --release --example perf` and the criterion benches |
//!
//! Examples print disclosed values on purpose; the library never does.

pub mod args;
pub mod demo;
pub mod files;
/// CBOR ↔ typed JSON (the `zhengzhao-json` crate, shared with the WebAssembly binding).
pub use zhengzhao_json::value as json;
pub mod mdoc_tool;
pub mod oid4vp_tool;
pub mod perf;
pub mod scenario;
pub mod status_tool;
pub mod verify_tool;

use std::borrow::Cow;
use std::fmt::Write as _;

use zhengzhao::cbor::{FullDate, TDate, Value};

/// Whether `c` must not reach a terminal raw: it could move the cursor, end or rewrite a line,
/// change colours, or reorder or hide the text around it.
///
/// That is every C0 and C1 control and DEL (`char::is_control`: newline, carriage return,
/// escape, and U+009B, the one-byte CSI), the line and paragraph separators U+2028/U+2029, the
/// bidirectional controls (U+061C, U+200E/U+200F, the embeddings and overrides U+202A–U+202E,
/// the isolates U+2066–U+2069) and the invisible format characters that make two different
/// identifiers look the same (soft hyphen U+00AD, U+180E, zero-width U+200B–U+200D, U+2060–
/// U+2064 and U+206A–U+206F, the byte-order mark U+FEFF, the annotation marks U+FFF9–U+FFFB).
/// Decision: an explicit list of what is dangerous or invisible on a terminal rather than a
/// Unicode category table (the tools have no Unicode data dependency); all other characters,
/// Chinese text included, print as they are. An emoji joined by U+200D shows the escape: the
/// tools prefer visible over pretty.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Escapes a holder-, issuer- or reader-chosen string for the tools' text output, so that no
/// input can add a line, erase one, or reorder what a person reads. This is the one escaping
/// function every text output of `verify` and `mdoc-tool` uses (values, element identifiers,
/// namespaces, docTypes, certificate names, error messages).
///
/// Every [`is_unsafe_char`] becomes a visible escape: `\n`, `\r`, `\t`, or `\u{XXXX}` (hex, as
/// in Rust). A backslash becomes `\\`, so an escape in the output always comes from this
/// function, never from the input. Other text, Chinese included, is left as it is.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c == '\\' || is_unsafe_char(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Serialises JSON on one line with every [`is_unsafe_char`] inside strings written as a
/// `\uXXXX` escape: the same JSON value (any parser reads back the exact string), but nothing a
/// terminal acts on. (serde_json escapes only U+0000–U+001F; C1 controls and bidi overrides
/// would otherwise reach the terminal raw.)
pub fn json_line(v: &serde_json::Value) -> String {
    json_safe(serde_json::to_string(v).unwrap_or_default())
}

/// Like [`json_line`], pretty-printed.
pub fn json_pretty(v: &serde_json::Value) -> String {
    json_safe(serde_json::to_string_pretty(v).unwrap_or_default())
}

fn json_safe(s: String) -> String {
    if !s.chars().any(is_unsafe_char) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe_char(c) {
            // Outside strings serde_json writes only ASCII structure and '\n'/' ' in pretty
            // output; pretty-printing newlines must stay.
            if c == '\n' {
                out.push(c);
                continue;
            }
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{:04x}", u);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The error type of the tools: any error, with a message meant for the person at the terminal.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Renders an element value for people: dates as dates, byte strings by length, maps and
/// arrays inline, text through [`escape`]. (Examples print disclosed values on purpose; the
/// library never does.)
pub fn show_value(v: &Value) -> String {
    match v {
        Value::Text(s) => escape(s).into_owned(),
        Value::Integer(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Bytes(b) => format!("<{} bytes>", b.len()),
        Value::Null => "null".into(),
        Value::Undefined => "undefined".into(),
        Value::Float(f) => f.to_string(),
        Value::Simple(s) => format!("simple({s})"),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(show_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", show_value(k), show_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Tag(1004, _) => {
            FullDate::from_value(v).map_or_else(|_| "<bad date>".into(), |d| d.to_string())
        }
        Value::Tag(0, _) => {
            TDate::from_value(v).map_or_else(|_| "<bad tdate>".into(), |d| d.time().to_string())
        }
        Value::Tag(t, inner) => format!("{t}({})", show_value(inner)),
        Value::Embedded(e) => format!("<{} bytes of embedded CBOR>", e.content().len()),
    }
}
