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
//! | [`mdoc_tool`] | `cargo run --example mdoc-tool -- <pki|device-key|transcript|issue|request|present|inspect>` |
//! | [`scenario`] | `cargo run --example scenarios` and the scenario test |
//! | [`perf`] | `cargo run --release --example perf` and the criterion benches |
//!
//! Examples print disclosed values on purpose; the library never does.

pub mod args;
pub mod demo;
pub mod files;
pub mod json;
pub mod mdoc_tool;
pub mod perf;
pub mod scenario;
pub mod verify_tool;

use zhengzhao::cbor::{FullDate, TDate, Value};

/// The error type of the tools: any error, with a message meant for the person at the terminal.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Renders an element value for people: dates as dates, byte strings by length, maps and
/// arrays inline. (Examples print disclosed values on purpose; the library never does.)
pub fn show_value(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
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
