//! The one error shape of the JavaScript API.
//!
//! Thrown by every raw export as JSON text, `{"code", "check", "document", "message"}`, which
//! `js/api.js` turns into an `Error` with the same fields:
//!
//! | field | meaning |
//! |---|---|
//! | `code` | the error kind, the same names as the Kotlin/Python `ZhengzhaoError` variants: `Malformed`, `VerificationFailed`, `Untrusted`, `ReaderAuthentication`, `KeyStore`, `Storage`, `NoUnusedCopy`, `Session`, `WrongState`, `NotDisclosed`, `InvalidInput`, `Internal` |
//! | `check` | for a response that failed verification, the failed check's [`Check::name`] (`"digests"`, `"issuer_chain"`, …), as `verify --json` writes it; otherwise `null` |
//! | `document` | the index of the offending document, if the failure is specific to one; otherwise `null` |
//! | `message` | what went wrong, in words; never a disclosed value or a key |
//!
//! The mapping from core errors is the one the uniffi bindings use (`bindings/src/error.rs`):
//! a response that is not well formed is `Malformed` with check `well_formed`, a chain to no
//! trusted root is `Untrusted` with check `issuer_chain`, any other failed check is
//! `VerificationFailed`.

use serde_json::json;
use wasm_bindgen::JsValue;
use zhengzhao::trust::TrustError;
use zhengzhao::verifier::{Check, VerifyError};

/// An error on its way to JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsError {
    /// The kind (see the [module documentation](self)).
    pub code: &'static str,
    /// The failed verification check, if any.
    pub check: Option<Check>,
    /// The offending document's index, if any.
    pub document: Option<usize>,
    /// The message.
    pub message: String,
}

impl JsError {
    /// An error of `code` with no check.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        JsError {
            code,
            check: None,
            document: None,
            message: message.into(),
        }
    }

    /// An `InvalidInput` error.
    pub fn invalid_input(message: impl Into<String>) -> Self {
        JsError::new("InvalidInput", message)
    }

    /// A `Malformed` error.
    pub fn malformed(message: impl Into<String>) -> Self {
        JsError::new("Malformed", message)
    }

    /// The JSON text thrown to JavaScript.
    pub fn to_json(&self) -> String {
        json!({
            "code": self.code,
            "check": self.check.map(Check::name),
            "document": self.document,
            "message": self.message,
        })
        .to_string()
    }
}

impl From<JsError> for JsValue {
    fn from(e: JsError) -> Self {
        JsValue::from_str(&e.to_json())
    }
}

impl From<VerifyError> for JsError {
    fn from(e: VerifyError) -> Self {
        let check = e.check();
        let code = match (&e, check) {
            (_, Check::WellFormed) => "Malformed",
            (
                VerifyError::IssuerChain {
                    source: TrustError::UntrustedRoot,
                    ..
                },
                _,
            ) => "Untrusted",
            _ => "VerificationFailed",
        };
        JsError {
            code,
            check: Some(check),
            document: e.document(),
            message: e.to_string(),
        }
    }
}

impl From<TrustError> for JsError {
    fn from(e: TrustError) -> Self {
        match e {
            TrustError::Parse => JsError::malformed(e.to_string()),
            other => JsError::invalid_input(other.to_string()),
        }
    }
}
