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
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cbor;
pub mod cose;
pub mod crypto;
pub mod format;
pub mod holder;
pub mod issuer;
pub mod model;
pub mod profiles;
pub mod session;
pub mod time;
pub mod trust;
pub mod verifier;
pub mod wallet;
