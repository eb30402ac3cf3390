//! # zhengzhao bindings — one wallet core for Android, iOS and mini-program hosts
//!
//! uniffi bindings over the [`zhengzhao`] core, generated for Kotlin, Swift and Python in
//! library mode (`.ci/bindings.sh`). Thin wrappers and mirror records only: every protocol
//! decision stays in the core, which knows nothing about uniffi.
//!
//! ```text
//!  Issuer (licence authority)        Wallet (holder's app)              Verifier (business)
//!                          ◄─────   prepare(copies): device keys
//!  issue(IssuanceRequest) per key ─►  add(pending, copies, name, policy)
//!                                                                       buildRequest(...)
//!                                    parseRequest(bytes, transcript) ◄─ DeviceRequest
//!                                    documents(): who asks, for what, why
//!                                    present(request, approvals) ─────► verify(...) → claims
//!                                    (device-signed by the SecureArea,   or ZhengzhaoError
//!                                     logged: disclosures())
//! ```
//!
//! The `Wallet` is the core's `zhengzhao::wallet::Wallet`: its crash-safe `FileStore` in a
//! directory the host names (`Wallet.open`), memory (`Wallet.inMemory`), or the host's own
//! [`CredentialStorage`]. Hosts implement [`SecureArea`] (device keys in Android Keystore or
//! the Secure Enclave) and, optionally, [`CredentialStorage`]; both are adapted to the core's
//! traits by newtypes. Callbacks must not call back into the object that called them. Everything that can fail
//! raises one error type, [`ZhengzhaoError`]. A Rust panic reaching the boundary becomes an
//! exception in the host (`InternalException` in Kotlin), never an abort: keep
//! `panic = "unwind"` in every profile that builds this crate.

uniffi::setup_scaffolding!("zhengzhao");

mod error;
mod issuer;
mod keystore;
mod profiles;
mod session;
mod status;
mod storage;
mod transcript;
mod value;
mod verifier;
mod wallet;

#[cfg(feature = "test-hooks")]
mod hooks;
#[cfg(feature = "test-hooks")]
mod testpki;
#[cfg(feature = "test-hooks")]
pub use hooks::{test_hook_panic, test_hook_rust_verify_median_nanos};

pub use error::{Check, ZhengzhaoError};
pub use issuer::{IssuanceRequest, Issuer};
pub use keystore::{software_secure_area, SecureArea};
pub use profiles::{
    parse_citizen_id, parse_licence_identifier, parse_social_credit_code, CitizenId,
    DocumentPredicates, LicenceIdentifier, Sex, SocialCreditCode,
};
pub use session::{
    HolderEvent, HolderSession, ReaderOutcome, ReaderSession, RetrievalMethod, SessionResponse,
};
pub use status::{
    ListStatus, StatusCacheStats, StatusChecker, StatusListPublisher, StatusListReference,
    StatusOutcome, StatusResolver,
};
pub use storage::{CredentialStorage, RecordCollection};
#[cfg(feature = "test-hooks")]
pub use testpki::TestPki;
pub use transcript::session_transcript;
pub use value::{Element, ElementValue, MapEntry};
pub use verifier::{
    AnchorRole, DeviceAuthMethod, DocumentError, DocumentRequest, PassedCheck, RequestedElement,
    TrustAnchorInfo, VerifiedDocument, VerifiedResponse, Verifier,
};
pub use wallet::{
    generate_store_key, Approval, BatchPolicy, Candidate, CheckedStatus, CredentialInfo,
    CredentialList, CredentialStatus, DamagedRecord, DisclosureEvent, DisclosureList, DisplayName,
    ElementId, LogQuery, PendingCredential, PreparedPresentation, Presentation,
    PresentationRequest, QrColour, ReaderIdentity, RequestedDocument, SigningRequest, StatusCheck,
    StatusRefresh, VerifierIdentity, Wallet,
};
