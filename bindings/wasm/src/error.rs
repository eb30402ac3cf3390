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
//! `VerificationFailed`. Licence status is not checked here (no status checker in this
//! build), so the uniffi bindings' `Revoked`, `Suspended`, `StatusApplicationSpecific` and
//! `StatusUndetermined` never arise; a status failure would be `VerificationFailed` with check
//! `status`.

use serde_json::json;
use wasm_bindgen::JsValue;
use zhengzhao::cose::CoseError;
use zhengzhao::crypto::CryptoError;
use zhengzhao::holder::HolderError;
use zhengzhao::issuer::IssueError;
use zhengzhao::model::ModelError;
use zhengzhao::trust::TrustError;
use zhengzhao::verifier::{Check, VerifyError};
use zhengzhao::wallet::{SecureAreaError, StoreError, WalletError};

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

/// An error's message followed by its sources' (`a: b: c`); core messages carry no values.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

impl From<HolderError> for JsError {
    fn from(e: HolderError) -> Self {
        match e {
            HolderError::Malformed(m) => m.into(),
            HolderError::DeviceKey(c) => c.into(),
            HolderError::ReaderX5Chain(_)
            | HolderError::ReaderChain(_)
            | HolderError::ReaderSignature(_) => JsError::new("ReaderAuthentication", chain(&e)),
            HolderError::WrongDeviceKey(_) => JsError::new("KeyStore", chain(&e)),
            HolderError::DocTypeMismatch => JsError::invalid_input(e.to_string()),
            other => JsError::new("Internal", chain(&other)),
        }
    }
}

impl From<IssueError> for JsError {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::Crypto(c) => c.into(),
            IssueError::Cose(c) => c.into(),
            IssueError::DuplicateElement | IssueError::NoElements | IssueError::InvalidValidity => {
                JsError::invalid_input(e.to_string())
            }
            other => JsError::new("Internal", chain(&other)),
        }
    }
}

impl From<CryptoError> for JsError {
    fn from(e: CryptoError) -> Self {
        match e {
            // Through the core wallet's `AreaKey`: a secure-area error.
            CryptoError::KeyStore(source) => match source.downcast::<SecureAreaError>() {
                Ok(area) => (*area).into(),
                Err(other) => JsError::new("KeyStore", other.to_string()),
            },
            CryptoError::InvalidPublicKey
            | CryptoError::UnsupportedKey
            | CryptoError::InvalidPrivateKey => JsError::invalid_input(e.to_string()),
            CryptoError::InvalidSignatureEncoding
            | CryptoError::SignatureInvalid
            | CryptoError::SigningFailed => JsError::new("KeyStore", e.to_string()),
            other => JsError::new("Internal", chain(&other)),
        }
    }
}

impl From<CoseError> for JsError {
    fn from(e: CoseError) -> Self {
        match e {
            CoseError::Crypto(c) => c.into(),
            other => JsError::malformed(chain(&other)),
        }
    }
}

impl From<ModelError> for JsError {
    fn from(e: ModelError) -> Self {
        JsError::malformed(chain(&e))
    }
}

impl From<SecureAreaError> for JsError {
    fn from(e: SecureAreaError) -> Self {
        match e {
            SecureAreaError::Crypto(c) => {
                let inner = JsError::from(c);
                JsError::new("KeyStore", inner.message)
            }
            SecureAreaError::Store(s) => s.into(),
            SecureAreaError::InvalidAlias => JsError::invalid_input(e.to_string()),
            other => JsError::new("KeyStore", chain(&other)),
        }
    }
}

impl From<StoreError> for JsError {
    fn from(e: StoreError) -> Self {
        match e {
            // What the host's storage callback threw, as it said it.
            StoreError::Host(source) => JsError::new("Storage", source.to_string()),
            StoreError::InvalidKey => JsError::invalid_input(e.to_string()),
            other => JsError::new("Storage", chain(&other)),
        }
    }
}

impl From<WalletError> for JsError {
    fn from(e: WalletError) -> Self {
        match e {
            WalletError::Store(s) => s.into(),
            WalletError::SecureArea(a) => a.into(),
            WalletError::Holder(h) => h.into(),
            WalletError::Malformed(m) => m.into(),
            WalletError::UnreadableRecord { .. } => JsError::new("Storage", chain(&e)),
            WalletError::NoUnusedCopy { .. } => JsError::new("NoUnusedCopy", e.to_string()),
            other => JsError::invalid_input(chain(&other)),
        }
    }
}
