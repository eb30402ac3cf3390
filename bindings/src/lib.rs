//! # zhengzhao bindings — one wallet core for Android, iOS and mini-program hosts
//!
//! uniffi bindings over the [`zhengzhao`] core, generated for Kotlin, Swift and Python in
//! library mode (`.ci/bindings.sh`). Thin wrappers and mirror records only: every protocol
//! decision stays in the core, which knows nothing about uniffi.
//!
//! ```text
//!  Issuer (licence authority)        Wallet (holder's app)              Verifier (business)
//!  issue(IssuanceRequest) ───────►   addCredential(bytes, keyAlias)
//!                                                                       buildRequest(...)
//!                                    parseRequest(bytes, transcript) ◄─ DeviceRequest
//!                                    documents(): who asks, for what
//!                                    present(request, approvals) ─────► verify(...) → claims
//!                                    (device-signed by the SecureArea)   or ZhengzhaoError
//! ```
//!
//! Hosts implement two foreign traits: [`SecureArea`] (device keys in Android Keystore or
//! the Secure Enclave) and, optionally, [`CredentialStorage`]. Everything that can fail
//! raises one error type, [`ZhengzhaoError`]. A Rust panic reaching the boundary becomes an
//! exception in the host (`InternalException` in Kotlin), never an abort: keep
//! `panic = "unwind"` in every profile that builds this crate.

uniffi::setup_scaffolding!("zhengzhao");

mod error;
mod issuer;
mod keystore;
mod storage;
mod testpki;
mod transcript;
mod value;
mod verifier;
mod wallet;

#[cfg(feature = "test-hooks")]
mod hooks;
#[cfg(feature = "test-hooks")]
pub use hooks::{test_hook_panic, test_hook_rust_verify_median_nanos};

pub use error::{Check, ZhengzhaoError};
pub use issuer::{IssuanceRequest, Issuer};
pub use keystore::{software_secure_area, SecureArea};
pub use storage::{in_memory_storage, CredentialStorage};
pub use testpki::TestPki;
pub use transcript::session_transcript;
pub use value::{Element, ElementValue, MapEntry};
pub use verifier::{
    AnchorRole, DeviceAuthMethod, DocumentError, DocumentRequest, PassedCheck, RequestedElement,
    TrustAnchorInfo, VerifiedDocument, VerifiedResponse, Verifier,
};
pub use wallet::{
    Approval, Candidate, CredentialInfo, ElementId, PresentationRequest, ReaderIdentity,
    RequestedDocument, Wallet,
};
