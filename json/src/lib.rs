//! The JSON shapes of zhengzhao results, in one place so that a result reads the same
//! everywhere: `verify --json` (the native tool), the WebAssembly binding's `verify()` and the
//! scenario and claims files.
//!
//! | module | what |
//! |---|---|
//! | [`value`] | typed JSON: CBOR element values ↔ JSON, unambiguous in both directions |
//! | [`verify`] | the `verify --json` object for a verified response or a failure |
//!
//! The shapes are contracts other tools reproduce: keys are only ever added.

pub mod value;
pub mod verify;

pub use value::{cbor_to_json, cbor_to_json_expanded, json_to_cbor};
pub use verify::{error_json, verified_json};

/// A JSON value that does not denote a CBOR value in the [typed grammar](value): what is wrong,
/// in words (never the value itself beyond the offending special key or literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(String);

impl JsonError {
    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

impl From<String> for JsonError {
    fn from(s: String) -> Self {
        JsonError(s)
    }
}

impl From<&str> for JsonError {
    fn from(s: &str) -> Self {
        JsonError(s.to_owned())
    }
}
