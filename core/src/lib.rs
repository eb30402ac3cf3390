//! # zhengzhao — an electronic licence (電子證照) wallet core
//!
//! Credentials are ISO/IEC 18013-5 mdoc documents: every attribute is salted and digested,
//! the digests are signed by the issuing authority (COSE_Sign1, ES256), and the holder
//! discloses only the attributes a verifier asks for and the holder approves, bound to the
//! session by a device signature or MAC. The verifier checks everything offline against its
//! trust anchors and hands out claims only when every check passed.
//!
//! ```text
//!  Issuer (licence authority)        Holder (wallet app)              Verifier (business)
//!  build claims ─► sign MSO ─────►   store credential
//!                                    ◄──────────────────────────────  DeviceRequest (+readerAuth)
//!                                    consent: pick subset
//!                                    DeviceResponse ─────────────►    verify: chain, MSO signature,
//!                                    (device-signed)                  digests, validity, device auth
//! ```
//!
//! # Where to start
//!
//! Each role has one entry type; everything else is what it takes and returns.
//!
//! | role | start with | then |
//! |---|---|---|
//! | issuer (licence authority) | [`issuer::Issuer`] | [`issuer::CredentialBuilder::sign`] → [`model::Credential`]; Chinese licences through [`profiles::issue`] |
//! | holder (wallet app) | [`wallet::Wallet`] | or, without a store: [`holder::ParsedRequest::parse`] → [`holder::ResponseBuilder`] |
//! | verifier (business) | [`verifier::Verifier`] | [`verifier::Verifier::verify`] → [`verifier::VerifiedResponse`] or a [`verifier::VerifyError`] naming the [`verifier::Check`]; per-licence-type authorisation through [`profiles::LicenceVerifier`] |
//! | both ends of a proximity session | [`session::HolderSession`], [`session::ReaderSession`] | bytes in, bytes out; the reader's result is the [`verifier::Verifier`]'s |
//! | tests and demos | `trust::testpki::TestPki` (feature `test-pki`) | a throw-away Annex B PKI (never for production keys) |
//!
//! # Example: issue → present → verify
//!
//! ```
//! use zhengzhao::trust::testpki::TestPki;
//! use zhengzhao::{
//!     DeviceRequest, DocRequest, Issuer, ItemsRequest, ParsedRequest, RequestOptions,
//!     ResponseBuilder, SessionTranscript, SoftwareKey, UnixTime, Value, Verifier, VerifyOptions,
//! };
//!
//! let now = UnixTime::now();
//! let pki = TestPki::generate(now)?; // production: an HSM-held document-signer key
//! let trust = pki.issuer_trust_store(); // what the verifier trusts: the issuing authority
//!
//! // Issuer: a credential bound to the holder's device key.
//! let device_key = SoftwareKey::generate()?; // production: the phone's secure hardware
//! let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
//! let credential = issuer
//!     .credential("org.iso.18013.5.1.mDL")
//!     .element("org.iso.18013.5.1", "family_name", Value::text("张"))
//!     .element("org.iso.18013.5.1", "age_over_18", Value::Bool(true))
//!     .device_key(device_key.public())
//!     .validity(now, now, now.add_secs(365 * 86_400))
//!     .sign()?;
//!
//! // Verifier asks for "over 18" in a session both ends share.
//! let transcript = SessionTranscript::new(None, None, &Value::text("example session"));
//! let items = ItemsRequest::new("org.iso.18013.5.1.mDL").with_element(
//!     "org.iso.18013.5.1",
//!     "age_over_18",
//!     false,
//! );
//! let request_bytes = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
//!
//! // Holder: requested ∩ held, the holder's consent (here: all of it), device-signed.
//! let request = ParsedRequest::parse(&request_bytes, &transcript, &RequestOptions::new(now))?;
//! let doc = &request.documents()[0];
//! let approved = doc.disclosable(&credential);
//! let mut response = ResponseBuilder::new(&transcript);
//! response.add_document(&credential, doc, &approved, &device_key)?;
//! let response_bytes = response.finish();
//!
//! // Verifier: every check, then only verified values; family_name was never sent.
//! let verified = Verifier::new(trust).verify(&response_bytes, &VerifyOptions::new(&transcript, now))?;
//! let mdl = &verified.documents[0].issuer_signed["org.iso.18013.5.1"];
//! assert_eq!(mdl.get("age_over_18"), Some(&Value::Bool(true)));
//! assert!(mdl.get("family_name").is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same flow with `readerAuth` and the holder's choice is `examples/quickstart.rs`
//! (`cargo run --example quickstart`); with QR engagement, an encrypted session and the
//! wallet store, `cargo run --example demo`.
//!
//! # Modules
//!
//! Layers, lowest first; a module uses only those above it, and the role modules never
//! import each other.
//!
//! | module | what it is | used by |
//! |---|---|---|
//! | [`time`] | UTC instants ([`time::UnixTime`]), RFC 3339: the verification clock | every role |
//! | [`cbor`] | strict CBOR decoder with limits, [`cbor::Value`], the tag-24 wrapper keeping its bytes, `full-date` and `tdate` | every role |
//! | [`structure`] | structure errors naming *where* (never the value) and field accessors | internal layers; error types seen by every role |
//! | [`crypto`] | ES256, P-256 ECDH, SHA-256, HMAC, HKDF, AES-256-GCM behind [`crypto::CryptoProvider`]; the [`crypto::Signer`] / [`crypto::KeyAgreement`] traits for secure hardware; [`crypto::SoftwareKey`] | every role; hosts implement `Signer` |
//! | [`cose`] | the 18013-5 profile of COSE_Sign1 / COSE_Mac0, `x5chain`, COSE_Key | issuer, holder, verifier |
//! | [`trust`] | X.509 parsing, chain validation, trust anchors with roles, the chain cache, the test PKI | verifier (issuing authorities), holder (reader authorities) |
//! | [`model`] | the mdoc structures: IssuerSignedItem, MSO, DeviceRequest, DeviceResponse, SessionTranscript, the stored [`model::Credential`] | every role |
//! | [`session`] | proximity presentation: device engagement (QR), session keys and encryption, holder and reader state machines | holder and verifier apps in proximity |
//! | [`issuer`] | the issuer role: salted digests, MSO, signing, batches | issuer |
//! | [`holder`] | the holder role: parse a request, check `readerAuth`, build the response | holder (directly, or through [`wallet`]) |
//! | [`verifier`] | the verifier role: every check in order, typed result or the failed check | verifier |
//! | [`profiles`] | Chinese licences: identifiers and check characters, licence types, purpose of use, the signed cross-province trust list | issuer (checked issuance), holder (purpose), verifier (authorisation per licence type) |
//! | [`wallet`] | the holder's wallet: crash-safe store, secure area, batch copies, disclosure log | holder |
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `ring` | off | [`crypto::Ring`](crate::crypto), a `ring`-backed [`crypto::CryptoProvider`] for server verifiers (about three times faster ES256 verification); the default provider stays RustCrypto either way |
//! | `test-pki` | off | `trust::testpki`: a generated test PKI (IACA, document signer, reader CA) *with its private keys*, for tests, examples and demos; never in a release build |
//!
//! Without features the core is pure Rust (RustCrypto), with no I/O outside the wallet's
//! `FileStore`, and `#![forbid(unsafe_code)]`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cbor;
pub mod cose;
pub mod crypto;
pub mod danger;
pub mod holder;
pub mod issuer;
pub mod model;
pub mod oid4vp;
pub mod profiles;
pub mod session;
pub mod status;
pub mod structure;
pub mod time;
pub mod trust;
pub mod verifier;
pub mod wallet;

// ---- The paved paths ------------------------------------------------------------------------
// What each role needs, re-exported at the root (as rustls does): these are the same items as
// at their module paths, named once more here so that a newcomer's `use zhengzhao::{...}` is
// one line. Everything else is reached through its module; everything that accepts what would
// otherwise be rejected is in [`danger`].

// Issuer (licence authority).
pub use crate::issuer::{CredentialBuilder, IssueError, Issuer};
// Holder (wallet app): read a request, choose, respond; or the whole wallet.
pub use crate::holder::{
    HolderError, ParsedRequest, ReaderIdentity, RequestOptions, RequestedDocument, ResponseBuilder,
};
pub use crate::wallet::Wallet;
// Verifier (business).
pub use crate::verifier::{
    Check, VerifiedDocument, VerifiedResponse, Verifier, VerifyError, VerifyOptions,
};
// Trust anchors and their roles.
pub use crate::trust::{AnchorRole, Certificate, TrustAnchor, TrustError, TrustStore};
// What the roles exchange, and the time every check is made at.
pub use crate::cbor::Value;
pub use crate::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
pub use crate::time::UnixTime;
// Keys: the software key (servers, tests) and the traits a host's secure hardware implements.
pub use crate::crypto::{KeyAgreement, Signer, SoftwareKey};
// Proximity sessions (engagement QR, encrypted messages).
pub use crate::session::{DeviceEngagement, HolderSession, ReaderSession};

/// The README's Rust snippets, compiled (and the issuer's run) as doctests of this crate, so
/// the quick starts cannot drift from the API. Only under `cfg(doctest)`: the item is not in
/// the public API, and a build or `cargo package` never reads a file outside the crate.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
