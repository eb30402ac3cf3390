//! Licence status: revocation and suspension with Token Status Lists.
//!
//! An issuing authority publishes, at a URI, a signed **Status List Token** (IETF
//! draft-ietf-oauth-status-list-20, CWT form): a compressed array of small integers, one per
//! credential. A credential names its entry in the MSO's `status` map (ISO/IEC 18013-5 2nd
//! edition §12.3.4: `"status": {"status_list": {"idx", "uri", ?"certificate"}}`). A verifier
//! fetches the token (through the host's [`StatusResolver`]: this module does no I/O), checks
//! it, and reads the entry:
//!
//! | value | [`Status`] | meaning |
//! | --- | --- | --- |
//! | 0 | `Valid` | valid |
//! | 1 | `Invalid` | revoked, cancelled (吊销, 注销): permanent |
//! | 2 | `Suspended` | temporarily invalid (暂扣, 记满12分): may be restored |
//! | 3, 12–15 | `ApplicationSpecific` | see the profile of the list |
//! | others | `Reserved` | not yet registered: no statement can be made |
//!
//! What [`StatusChecker`] checks, each failure its own [`StatusError`] and every one of them
//! an [`StatusOutcome::Undetermined`], never "valid" and never "revoked":
//!
//! 1. the bytes are a COSE_Sign1 tagged 18 and not wrapped in the CWT tag 61 (§5.2), within
//!    [`StatusLimits::max_token_bytes`];
//! 2. the protected `typ` (16) is `application/statuslist+cwt` (the bare `statuslist+cwt` of
//!    ISO's Annex D example is accepted too; tokens written here carry the full form);
//! 3. the protected `x5chain` (33; ISO §12.3.6.3) chains to the **IACA that issued the document
//!    signer** — or to the MSO's `certificate` when it carries one — never to the document
//!    signer: a list signed with the DS key or a DS certificate is
//!    [`StatusError::SignedByDocumentSigner`], one chained to another CA a
//!    [`StatusError::Chain`] error; the key a token carries is never trusted by itself;
//! 4. the ES256 signature verifies with the chain's leaf key;
//! 5. the claims (§5.2): `sub` (2) equals the credential's `uri`, `iat` (6) is not after the
//!    verification time (and within [`StatusChecker::with_max_list_age`] if set), `exp` (4)
//!    is present (mandatory for MSO lists, ISO §12.3.6.3) and after the time, `ttl` (65534)
//!    if present is positive, `status_list` (65533) is a `StatusList` with `bits` 1 for the
//!    ISO `status_list` (§12.3.6.5);
//! 6. `lst` inflates (ZLIB) within [`StatusLimits::max_list_bytes`] — a decompression bomb
//!    is [`StatusError::ListTooLarge`] after at most that many bytes — and the index is inside
//!    the list (§8.3 step 6).
//!
//! A list that passed is cached (see [`StatusChecker`]) while `ttl`, `exp`, the certificates
//! and the caller's maximum age all allow.
//!
//! # The Chinese licence profile: suspension
//!
//! ISO/IEC 18013-5 allows only "revoked" in its 1-bit `status_list`. Chinese licences are also
//! suspended and restored, so this library defines a second reference under the project key
//! [`CN_STATUS_LIST_KEY`] of the MSO `status` map (the map allows further keys) with the same
//! shape as `status_list` and a **2-bit** list: 0 valid, 1 revoked, 2 suspended, and 3
//! [`CN_OVERDUE`] — overdue for renewal or periodic inspection (逾期未换证 / 逾期未审验):
//! not to be accepted until the holder has it renewed or inspected, lifted by the holder's
//! own action rather than by the end of a penalty. A licence may carry both references: the
//! ISO list answers "revoked?" for any ISO reader, ours adds suspension.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use zhengzhao::status::{Bits, Status, StatusChecker, StatusListPublisher, StaticResolver};
//! use zhengzhao::time::UnixTime;
//! use zhengzhao::trust::testpki::TestPki;
//!
//! let now = UnixTime::now();
//! let pki = TestPki::generate(now)?;
//! let uri = "https://dl.example.cn/status/1";
//! let mut publisher = StatusListPublisher::new(uri, Bits::One, 1024)?;
//! let index = publisher.allocate()?;                   // a random free entry
//! publisher.set(index, Status::Invalid)?;               // revoke it
//! let token = publisher.sign(&pki.status_signer_key, &[pki.status_signer.clone()], now)?;
//! let resolver = StaticResolver::new().with(uri, token);
//! let checker = StatusChecker::new(Arc::new(resolver));
//! let list = checker.fetch_list(uri, &pki.iaca, Some(&pki.document_signer), now)?;
//! assert_eq!(list.list()?.get(index)?, Status::Invalid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
mod list;
mod publisher;
mod reference;
mod token;

pub use check::{
    ResolveError, StaticResolver, StatusCacheStats, StatusChecker, StatusResolver,
    DEFAULT_MAX_CACHE_AGE, DEFAULT_STATUS_CACHE_CAPACITY,
};
pub use list::{deflate, inflate, Bits, IdentifierList, StatusList};
pub use publisher::{StatusListPublisher, DEFAULT_LIST_VALIDITY};
pub use reference::{IdentifierListRef, StatusListRef, StatusReference, CN_STATUS_LIST_KEY};
pub use token::{
    ListContent, StatusListToken, StatusListTokenBuilder, CLAIM_EXP, CLAIM_IAT,
    CLAIM_IDENTIFIER_LIST, CLAIM_STATUS_LIST, CLAIM_SUB, CLAIM_TTL, LABEL_TYP, TYP_IDENTIFIER_LIST,
    TYP_STATUS_LIST,
};

use crate::cbor::CborError;
use crate::structure::StructureError;
use crate::time::UnixTime;
use crate::trust::TrustError;

/// The application-specific value 3 of the Chinese licence list ([`CN_STATUS_LIST_KEY`]):
/// overdue for renewal or periodic inspection.
pub const CN_OVERDUE: u8 = 3;

/// One entry's status (Token Status List §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0: valid.
    Valid,
    /// 1: revoked, annulled, cancelled. Permanent.
    Invalid,
    /// 2: temporarily invalid.
    Suspended,
    /// 3 or 12–15: meaning defined by the application (for [`CN_STATUS_LIST_KEY`] lists,
    /// 3 is [`CN_OVERDUE`]).
    ApplicationSpecific(u8),
    /// Any other value: reserved for future registration, so no statement can be made.
    Reserved(u8),
}

impl Status {
    /// The status for a raw entry value.
    pub fn from_value(value: u8) -> Status {
        match value {
            0 => Status::Valid,
            1 => Status::Invalid,
            2 => Status::Suspended,
            3 | 0x0C..=0x0F => Status::ApplicationSpecific(value),
            other => Status::Reserved(other),
        }
    }

    /// The raw entry value.
    pub fn value(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Invalid => 1,
            Status::Suspended => 2,
            Status::ApplicationSpecific(v) | Status::Reserved(v) => v,
        }
    }
}

/// What a status check concluded for one credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusOutcome {
    /// Every list the credential names says valid.
    Valid,
    /// A list says revoked (吊销 / 注销).
    Invalid,
    /// A list says suspended (暂扣, 记满12分).
    Suspended,
    /// A list holds an application-specific value (for Chinese licences, 3 is
    /// [`CN_OVERDUE`]).
    ApplicationSpecific(u8),
    /// No statement could be made: the list could not be fetched, verified or read. Never
    /// valid, never revoked.
    Undetermined(StatusError),
}

impl StatusOutcome {
    /// A stable snake_case name for tools and JSON: `valid`, `invalid`, `suspended`,
    /// `application_specific`, `undetermined`.
    pub fn name(&self) -> &'static str {
        match self {
            StatusOutcome::Valid => "valid",
            StatusOutcome::Invalid => "invalid",
            StatusOutcome::Suspended => "suspended",
            StatusOutcome::ApplicationSpecific(_) => "application_specific",
            StatusOutcome::Undetermined(_) => "undetermined",
        }
    }

    /// The outcome for a status read from a list.
    pub fn from_status(status: Status) -> StatusOutcome {
        match status {
            Status::Valid => StatusOutcome::Valid,
            Status::Invalid => StatusOutcome::Invalid,
            Status::Suspended => StatusOutcome::Suspended,
            Status::ApplicationSpecific(v) => StatusOutcome::ApplicationSpecific(v),
            Status::Reserved(value) => {
                StatusOutcome::Undetermined(StatusError::ReservedValue { value })
            }
        }
    }

    /// How strongly this outcome speaks against the credential, for combining several lists:
    /// a definite "revoked" from one list outweighs "could not determine" from another.
    fn severity(&self) -> u8 {
        match self {
            StatusOutcome::Valid => 0,
            StatusOutcome::Undetermined(_) => 1,
            StatusOutcome::ApplicationSpecific(_) => 2,
            StatusOutcome::Suspended => 3,
            StatusOutcome::Invalid => 4,
        }
    }
}

impl std::fmt::Display for StatusOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusOutcome::ApplicationSpecific(v) => write!(f, "application-specific status {v}"),
            StatusOutcome::Undetermined(e) => write!(f, "undetermined: {e}"),
            other => f.write_str(other.name()),
        }
    }
}

/// Bounds on what a status check accepts. Documented in `LIMITS.md`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusLimits {
    /// Largest Status List Token accepted, in bytes. Default 1 MiB.
    pub max_token_bytes: usize,
    /// Largest inflated list, in bytes. Default 4 MiB: 2^25 one-bit entries, or 2^22
    /// eight-bit ones (the draft's largest example, 2^20 eight-bit entries, is 1 MiB).
    pub max_list_bytes: usize,
}

impl Default for StatusLimits {
    fn default() -> Self {
        StatusLimits {
            max_token_bytes: 1024 * 1024,
            max_list_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Why a status list could not be used. Each is its own check; each makes the outcome
/// [`StatusOutcome::Undetermined`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The host's resolver could not produce the token (network, not found, offline).
    #[error("status list could not be fetched: {0}")]
    Resolve(ResolveError),
    /// The token is larger than [`StatusLimits::max_token_bytes`].
    #[error("status list token larger than {max} bytes")]
    TokenTooLarge {
        /// The limit.
        max: usize,
    },
    /// The token is not CBOR.
    #[error("status list token is not well-formed CBOR: {0}")]
    Cbor(CborError),
    /// A structure is not the one the standard defines.
    #[error("status list token: {0}")]
    Structure(StructureError),
    /// The token is wrapped in the CWT tag 61, which §5.2 forbids.
    #[error("status list token is tagged as a CWT (tag 61), which is not allowed")]
    CwtTagged,
    /// The token is not a COSE_Sign1 tagged 18 (untagged, or another tag).
    #[error("status list token is not a tagged COSE_Sign1 (18)")]
    NotSign1Tagged,
    /// A COSE_Mac0 (tag 17): allowed by the draft, but a MAC cannot prove who issued the list
    /// to a verifier that does not share the key, so it is not accepted here.
    #[error("status list token is a COSE_Mac0, which this verifier does not accept")]
    MacNotAccepted,
    /// The COSE headers are invalid (algorithm missing or mismatched, duplicate labels, crit).
    #[error("status list token headers invalid: {reason}")]
    CoseHeaders {
        /// What was wrong.
        reason: &'static str,
    },
    /// The algorithm is not ES256 (the only one this build verifies).
    #[error("status list token algorithm {0:?} is not supported")]
    UnsupportedAlgorithm(Option<i128>),
    /// No `typ` (16) in the protected header.
    #[error("status list token has no protected typ header")]
    TypMissing,
    /// `typ` is only in the unprotected header.
    #[error("status list token typ header is not protected")]
    TypUnprotected,
    /// `typ` is neither `application/statuslist+cwt` nor `application/identifierlist+cwt`
    /// (nor their bare forms), or not the kind of list the reference asks for.
    #[error("status list token typ is not the expected list type")]
    TypWrong,
    /// No payload.
    #[error("status list token has no payload")]
    PayloadMissing,
    /// A required claim is absent.
    #[error("status list token claim {claim} missing")]
    ClaimMissing {
        /// The claim's name (`sub`, `iat`, `status_list`, `identifier_list`).
        claim: &'static str,
    },
    /// A claim of the wrong type or value.
    #[error("status list token claim {claim} malformed")]
    ClaimMalformed {
        /// The claim's name.
        claim: &'static str,
    },
    /// `ttl` is 0 (it must be positive).
    #[error("status list token ttl must be positive")]
    TtlNotPositive,
    /// `sub` differs from the `uri` the credential names (§8.3 step 4a).
    #[error("status list token sub does not match the credential's status uri")]
    SubjectMismatch,
    /// `iat` is after the verification time.
    #[error("status list token issued after the verification time ({iat})")]
    IssuedInFuture {
        /// The token's `iat`.
        iat: UnixTime,
    },
    /// `iat` is older than the caller's maximum list age.
    #[error("status list token issued at {iat}, older than the maximum age allowed")]
    TooOld {
        /// The token's `iat`.
        iat: UnixTime,
    },
    /// No `exp`: ISO/IEC 18013-5 §12.3.6.3 makes it mandatory for MSO status lists.
    #[error("status list token has no exp claim")]
    ExpMissing,
    /// The verification time is at or past `exp`.
    #[error("status list token expired at {exp}")]
    Expired {
        /// The token's `exp`.
        exp: UnixTime,
    },
    /// No protected `x5chain`: ISO/IEC 18013-5 §12.3.6.3 requires it there.
    #[error("status list token has no x5chain in its protected header")]
    X5ChainMissing,
    /// The `x5chain` is only in the unprotected header.
    #[error("status list token x5chain is not protected")]
    X5ChainUnprotected,
    /// The `x5chain`, or the MSO's `certificate`, is not a usable certificate.
    #[error("status list signer certificate malformed")]
    Certificate,
    /// The signer chain does not lead to the trust point (the IACA that issued the document
    /// signer, or the MSO's `certificate`).
    #[error("status list signer chain: {0}")]
    Chain(TrustError),
    /// The list is signed with the document signer's key or certificate: a status list must
    /// be signed by a status signer the IACA certified, never by the DS key.
    #[error("status list is signed by the document signer, not by a status signer")]
    SignedByDocumentSigner,
    /// There is nothing to chain the list to: the document signer was pinned (no IACA) and
    /// the MSO names no `certificate`.
    #[error("no trust point for the status list (pinned document signer, no certificate)")]
    NoTrustPoint,
    /// The signature does not verify.
    #[error("status list token signature invalid")]
    SignatureInvalid,
    /// `bits` is not 1, 2, 4 or 8.
    #[error("status list bits {bits} is not 1, 2, 4 or 8")]
    InvalidBits {
        /// The value received.
        bits: u64,
    },
    /// `bits` is not what the reference requires (1 for an ISO `status_list`, 2 for
    /// [`CN_STATUS_LIST_KEY`]).
    #[error("status list bits {bits} where {expected} is required")]
    BitsNotAllowed {
        /// The list's bits.
        bits: u8,
        /// The bits required.
        expected: u8,
    },
    /// `lst` is not a valid ZLIB stream.
    #[error("status list lst is not valid zlib: {reason}")]
    Compression {
        /// What was wrong.
        reason: &'static str,
    },
    /// Bytes follow the end of the ZLIB stream.
    #[error("status list lst has bytes after the zlib stream")]
    TrailingCompressedData,
    /// `lst` inflates to more than [`StatusLimits::max_list_bytes`] (a decompression bomb).
    #[error("status list inflates to more than {max} bytes")]
    ListTooLarge {
        /// The limit.
        max: usize,
    },
    /// The list holds no entries.
    #[error("status list is empty")]
    EmptyList,
    /// The index is outside the list (§8.3 step 6: MUST be rejected).
    #[error("status index {index} is outside the list of {size} entries")]
    IndexOutOfRange {
        /// The credential's index.
        index: u64,
        /// The list's size in entries.
        size: u64,
    },
    /// A value does not fit the list's entry width.
    #[error("status value {value} does not fit in {bits} bits")]
    ValueTooWide {
        /// The value.
        value: u8,
        /// The width.
        bits: u8,
    },
    /// The entry holds a reserved value: no statement can be made.
    #[error("status value {value} is reserved")]
    ReservedValue {
        /// The value.
        value: u8,
    },
    /// The list is full (publisher side: no free index left).
    #[error("status list has no free index left")]
    ListFull,
    /// Signing failed (publisher side).
    #[error("status list token could not be signed")]
    Signing,
}

impl From<StructureError> for StatusError {
    fn from(e: StructureError) -> Self {
        StatusError::Structure(e)
    }
}

#[cfg(test)]
mod tests;
