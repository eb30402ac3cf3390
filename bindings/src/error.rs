//! The one error type of the bindings, and the single mapping from the core's errors to it.
//!
//! The core has a `thiserror` enum per module, with typed variants naming what was malformed
//! or which check failed. A host app needs less: a variant here exists only where a caller
//! would act differently (retry the transfer, reject the presentation, refresh the trust list,
//! warn about an unauthenticated reader, ask the user to unlock the key…). The `reason` is the
//! core error's text: it names structures, checks and positions, never element values, so it
//! holds no personal data. Reasons coming from the host's own callbacks are passed on as given.

use zhengzhao::cbor::{CborError, DateError};
use zhengzhao::cose::CoseError;
use zhengzhao::crypto::CryptoError;
use zhengzhao::holder::HolderError;
use zhengzhao::issuer::IssueError;
use zhengzhao::model::ModelError;
use zhengzhao::session::SessionError;
use zhengzhao::structure::StructureError;
use zhengzhao::trust::TrustError;
use zhengzhao::verifier::{Check as CoreCheck, VerifyError};
use zhengzhao::wallet::{SecureAreaError, StoreError, WalletError};

/// A verification check, as named in [`ZhengzhaoError::VerificationFailed`] and in the audit
/// trail of a verified response (mirror of the core's `verifier::Check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Check {
    /// Strict CBOR and ISO/IEC 18013-5 structure.
    WellFormed,
    /// The response status is OK and it holds documents.
    ResponseStatus,
    /// The document-signer certificate chain, valid at the time.
    IssuerChain,
    /// The issuer's signature over the Mobile Security Object.
    IssuerSignature,
    /// The MSO's document type equals the document's.
    DocType,
    /// The MSO validity window contains the time.
    Validity,
    /// Every disclosed element matches its digest in the MSO.
    Digests,
    /// The device signature or MAC over the session.
    DeviceAuthentication,
    /// Device-signed elements are authorised by the MSO.
    KeyAuthorizations,
    /// The credential's status (revocation, suspension) from the status lists it names:
    /// runs last, only with a `StatusChecker` and for an MSO that names a list.
    Status,
    /// A check added to the core after this mirror was written (still a failure: the
    /// verifier fails closed).
    Other,
}

impl From<CoreCheck> for Check {
    fn from(c: CoreCheck) -> Self {
        match c {
            CoreCheck::WellFormed => Check::WellFormed,
            CoreCheck::ResponseStatus => Check::ResponseStatus,
            CoreCheck::IssuerChain => Check::IssuerChain,
            CoreCheck::IssuerSignature => Check::IssuerSignature,
            CoreCheck::DocType => Check::DocType,
            CoreCheck::Validity => Check::Validity,
            CoreCheck::Digests => Check::Digests,
            CoreCheck::DeviceAuthentication => Check::DeviceAuthentication,
            CoreCheck::KeyAuthorizations => Check::KeyAuthorizations,
            CoreCheck::Status => Check::Status,
            _ => Check::Other,
        }
    }
}

/// Everything that can go wrong, as one exception type for Kotlin (`ZhengzhaoException`),
/// Swift and Python (`ZhengzhaoError`).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ZhengzhaoError {
    /// Bytes that are not what they should be: a credential, request, response, session
    /// transcript or certificate that does not decode (strict CBOR, ISO/IEC 18013-5 structure,
    /// DER). For a response this is the `WellFormed` check failing: often a damaged transfer.
    #[error("malformed: {reason}")]
    Malformed {
        /// What was malformed (a structure path, never a value).
        reason: String,
    },
    /// A response failed a verification check and was rejected; no claims are returned.
    #[error("verification failed ({check:?}): {reason}")]
    VerificationFailed {
        /// The check that failed.
        check: Check,
        /// The index of the offending document, if the failure is specific to one.
        document: Option<u32>,
        /// Details (positions, namespaces, digest IDs; never values).
        reason: String,
    },
    /// The credential is revoked (吊销 / 注销): a status list it names says so. Permanent:
    /// reject it. (Check `Status`.)
    #[error("document {document}: the credential is revoked")]
    Revoked {
        /// The index of the document.
        document: u32,
    },
    /// The credential is suspended (暂扣, 记满12分): a status list it names says so. It may be
    /// restored later: reject it for now. (Check `Status`.)
    #[error("document {document}: the credential is suspended")]
    Suspended {
        /// The index of the document.
        document: u32,
    },
    /// A status list holds an application-specific value for the credential (for Chinese
    /// licences 3: overdue for renewal or periodic inspection, 逾期未换证 / 逾期未审验): not
    /// valid; the holder must have it renewed or inspected. (Check `Status`.)
    #[error("document {document}: the credential has application-specific status {value}")]
    StatusApplicationSpecific {
        /// The index of the document.
        document: u32,
        /// The status value (3 for "overdue" in the Chinese licence list).
        value: u8,
    },
    /// The credential's status could not be determined (the host's `StatusResolver` failed,
    /// the list is invalid, expired, or does not cover the credential): neither valid nor
    /// revoked. Retry when online, or build the `StatusChecker` with `acceptUndetermined` to
    /// accept the document with its `status` reported as `Undetermined`. (Check `Status`.)
    #[error("document {document}: status could not be determined: {reason}")]
    StatusUndetermined {
        /// The index of the document.
        document: u32,
        /// Why (the resolver's message or the failed list check; never element values).
        reason: String,
    },
    /// The response's document-signer chain does not lead to any trusted issuing authority:
    /// the issuer is unknown to this verifier (refresh the trust list, or reject).
    #[error("untrusted issuer: {reason}")]
    Untrusted {
        /// Details.
        reason: String,
    },
    /// A request's reader authentication failed (its certificate chain does not validate
    /// against the reader trust anchors, or its signature is invalid). Do not answer it.
    #[error("reader authentication failed: {reason}")]
    ReaderAuthentication {
        /// Details.
        reason: String,
    },
    /// The secure area (key store) failed: a missing alias, a cancelled prompt, a hardware
    /// error, a malformed signature, or a key that is not the credential's device key.
    /// Every error a `SecureArea` callback raises arrives as this variant.
    #[error("key store: {reason}")]
    KeyStore {
        /// Details, including the host's own message if its callback raised one.
        reason: String,
    },
    /// The credential storage failed, or returned a record it was not given. Every error a
    /// `CredentialStorage` callback raises arrives as this variant.
    #[error("storage: {reason}")]
    Storage {
        /// Details, including the host's own message if its callback raised one.
        reason: String,
    },
    /// Every copy of this one-time-use credential has been presented: ask the issuer for a
    /// new batch (`Wallet.prepare`, then `Wallet.add`).
    #[error("no unused copy of credential {credential_id} is left")]
    NoUnusedCopy {
        /// The credential (the wallet's random identifier).
        credential_id: String,
    },
    /// A proximity session failed and has ended (a message that does not decrypt, a replay, a
    /// malformed message, the peer ending it with an error status): send the session's
    /// `errorReply()` if it has one, and start again.
    #[error("session: {reason}")]
    Session {
        /// What failed.
        reason: String,
    },
    /// The call does not fit the session's state (e.g. `respond` before a request arrived,
    /// anything after the end). Nothing changed.
    #[error("wrong session state: {reason}")]
    WrongState {
        /// The call and the state.
        reason: String,
    },
    /// A licence question cannot be answered: the element that answers it was not disclosed
    /// (ask for it; this is never a "no").
    #[error("element {element} was not disclosed")]
    NotDisclosed {
        /// The element that would answer it.
        element: String,
    },
    /// An argument is invalid: an unknown credential ID or document index, an impossible
    /// date, a validity window that ends before it starts, a public key that is not P-256…
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What was wrong with it.
        reason: String,
    },
    /// Something that should not happen (the operating system's random number generator
    /// failed, or a host callback failed in an unexpected way outside a key store or storage).
    #[error("internal error: {reason}")]
    Internal {
        /// Details.
        reason: String,
    },
}

impl ZhengzhaoError {
    pub(crate) fn invalid_input(reason: impl Into<String>) -> Self {
        ZhengzhaoError::InvalidInput {
            reason: reason.into(),
        }
    }

    /// The error a `SecureArea` callback raised, as a [`ZhengzhaoError::KeyStore`] (whatever
    /// variant the host chose, and for unexpected exceptions too).
    pub(crate) fn into_key_store(self) -> Self {
        match self {
            e @ ZhengzhaoError::KeyStore { .. } => e,
            ZhengzhaoError::Internal { reason } => ZhengzhaoError::KeyStore { reason },
            other => ZhengzhaoError::KeyStore {
                reason: other.to_string(),
            },
        }
    }

    /// The error a `CredentialStorage` callback raised, as a [`ZhengzhaoError::Storage`].
    pub(crate) fn into_storage(self) -> Self {
        match self {
            e @ ZhengzhaoError::Storage { .. } => e,
            ZhengzhaoError::Internal { reason } => ZhengzhaoError::Storage { reason },
            other => ZhengzhaoError::Storage {
                reason: other.to_string(),
            },
        }
    }
}

/// A host callback threw something other than a `ZhengzhaoError` (a `RuntimeException` in
/// Kotlin, any exception in Python). The key store and storage adapters turn it into
/// `KeyStore` or `Storage`; elsewhere it stays `Internal`.
impl From<uniffi::UnexpectedUniFFICallbackError> for ZhengzhaoError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ZhengzhaoError::Internal {
            reason: format!("host callback failed: {}", e.reason),
        }
    }
}

// ---- the single mapping from core errors ---------------------------------------------------

impl From<VerifyError> for ZhengzhaoError {
    fn from(e: VerifyError) -> Self {
        let index = |d: &usize| u32::try_from(*d).unwrap_or(u32::MAX);
        match &e {
            VerifyError::Revoked { document } => {
                return ZhengzhaoError::Revoked {
                    document: index(document),
                }
            }
            VerifyError::Suspended { document } => {
                return ZhengzhaoError::Suspended {
                    document: index(document),
                }
            }
            VerifyError::StatusApplicationSpecific { document, value } => {
                return ZhengzhaoError::StatusApplicationSpecific {
                    document: index(document),
                    value: *value,
                }
            }
            VerifyError::StatusUndetermined { document, source } => {
                return ZhengzhaoError::StatusUndetermined {
                    document: index(document),
                    reason: source.to_string(),
                }
            }
            _ => {}
        }
        let reason = e.to_string();
        match (&e, e.check()) {
            (_, CoreCheck::WellFormed) => ZhengzhaoError::Malformed { reason },
            (
                VerifyError::IssuerChain {
                    source: TrustError::UntrustedRoot,
                    ..
                },
                _,
            ) => ZhengzhaoError::Untrusted { reason },
            (_, check) => ZhengzhaoError::VerificationFailed {
                check: check.into(),
                document: e.document().and_then(|d| u32::try_from(d).ok()),
                reason,
            },
        }
    }
}

impl From<HolderError> for ZhengzhaoError {
    fn from(e: HolderError) -> Self {
        match e {
            HolderError::Malformed(m) => m.into(),
            HolderError::DeviceKey(c) => c.into(),
            HolderError::ReaderX5Chain(_)
            | HolderError::ReaderChain(_)
            | HolderError::ReaderSignature(_) => ZhengzhaoError::ReaderAuthentication {
                reason: e.to_string(),
            },
            HolderError::WrongDeviceKey(_) => ZhengzhaoError::KeyStore {
                reason: e.to_string(),
            },
            HolderError::DocTypeMismatch => ZhengzhaoError::invalid_input(e.to_string()),
            other => ZhengzhaoError::Internal {
                reason: other.to_string(),
            },
        }
    }
}

impl From<IssueError> for ZhengzhaoError {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::Crypto(c) => c.into(),
            IssueError::Cose(c) => c.into(),
            IssueError::DuplicateElement | IssueError::NoElements | IssueError::InvalidValidity => {
                ZhengzhaoError::invalid_input(e.to_string())
            }
            other => ZhengzhaoError::Internal {
                reason: other.to_string(),
            },
        }
    }
}

impl From<CryptoError> for ZhengzhaoError {
    fn from(e: CryptoError) -> Self {
        match e {
            // A host key store failure travels through the core boxed; give back what the
            // host raised (already a `KeyStore`, see `keystore::AliasKey`).
            CryptoError::KeyStore(source) => match source.downcast::<ZhengzhaoError>() {
                Ok(own) => own.into_key_store(),
                // Through the core wallet's `AreaKey`: a secure-area error, maybe the host's.
                Err(other) => match other.downcast::<SecureAreaError>() {
                    Ok(area) => (*area).into(),
                    Err(other) => ZhengzhaoError::KeyStore {
                        reason: other.to_string(),
                    },
                },
            },
            CryptoError::InvalidPublicKey
            | CryptoError::UnsupportedKey
            | CryptoError::InvalidPrivateKey => ZhengzhaoError::invalid_input(e.to_string()),
            // Produced by signers: a signature that is neither raw nor DER, or none at all.
            CryptoError::InvalidSignatureEncoding
            | CryptoError::SignatureInvalid
            | CryptoError::SigningFailed => ZhengzhaoError::KeyStore {
                reason: e.to_string(),
            },
            other => ZhengzhaoError::Internal {
                reason: other.to_string(),
            },
        }
    }
}

impl From<CoseError> for ZhengzhaoError {
    fn from(e: CoseError) -> Self {
        match e {
            CoseError::Crypto(c) => c.into(),
            other => ZhengzhaoError::Malformed {
                reason: other.to_string(),
            },
        }
    }
}

impl From<ModelError> for ZhengzhaoError {
    fn from(e: ModelError) -> Self {
        ZhengzhaoError::Malformed {
            reason: e.to_string(),
        }
    }
}

impl From<StructureError> for ZhengzhaoError {
    fn from(e: StructureError) -> Self {
        ZhengzhaoError::Malformed {
            reason: e.to_string(),
        }
    }
}

impl From<CborError> for ZhengzhaoError {
    fn from(e: CborError) -> Self {
        ZhengzhaoError::Malformed {
            reason: e.to_string(),
        }
    }
}

impl From<TrustError> for ZhengzhaoError {
    fn from(e: TrustError) -> Self {
        match e {
            TrustError::Parse => ZhengzhaoError::Malformed {
                reason: e.to_string(),
            },
            other => ZhengzhaoError::invalid_input(other.to_string()),
        }
    }
}

impl From<DateError> for ZhengzhaoError {
    fn from(e: DateError) -> Self {
        ZhengzhaoError::invalid_input(e.to_string())
    }
}

impl From<SecureAreaError> for ZhengzhaoError {
    fn from(e: SecureAreaError) -> Self {
        match e {
            // What the host's `SecureArea` raised (see `keystore::ForeignSecureArea`).
            SecureAreaError::Platform(source) => match source.downcast::<ZhengzhaoError>() {
                Ok(own) => own.into_key_store(),
                Err(other) => ZhengzhaoError::KeyStore {
                    reason: other.to_string(),
                },
            },
            SecureAreaError::Crypto(c) => ZhengzhaoError::from(c).into_key_store(),
            SecureAreaError::Store(s) => s.into(),
            SecureAreaError::InvalidAlias => ZhengzhaoError::invalid_input(e.to_string()),
            other => ZhengzhaoError::KeyStore {
                reason: other.to_string(),
            },
        }
    }
}

impl From<StoreError> for ZhengzhaoError {
    fn from(e: StoreError) -> Self {
        match e {
            // What the host's `CredentialStorage` raised (see `storage::ForeignStoreAdapter`).
            StoreError::Host(source) => match source.downcast::<ZhengzhaoError>() {
                Ok(own) => own.into_storage(),
                Err(other) => ZhengzhaoError::Storage {
                    reason: other.to_string(),
                },
            },
            StoreError::InvalidKey => ZhengzhaoError::invalid_input(e.to_string()),
            other => ZhengzhaoError::Storage {
                reason: error_chain(&other),
            },
        }
    }
}

impl From<WalletError> for ZhengzhaoError {
    fn from(e: WalletError) -> Self {
        match e {
            WalletError::Store(s) => s.into(),
            WalletError::SecureArea(a) => a.into(),
            WalletError::Holder(h) => h.into(),
            WalletError::Malformed(m) => m.into(),
            WalletError::UnreadableRecord { .. } => ZhengzhaoError::Storage {
                reason: e.to_string(),
            },
            WalletError::NoUnusedCopy { credential } => ZhengzhaoError::NoUnusedCopy {
                credential_id: credential.as_str().to_owned(),
            },
            other => ZhengzhaoError::invalid_input(other.to_string()),
        }
    }
}

impl From<SessionError> for ZhengzhaoError {
    fn from(e: SessionError) -> Self {
        match e {
            // The holder's request and response steps, and the reader's verification, keep
            // the variants a caller acts on outside sessions too.
            SessionError::Request(h) | SessionError::Response(h) => h.into(),
            SessionError::Verification(v) => v.into(),
            SessionError::Engagement(_) => ZhengzhaoError::Malformed {
                reason: e.to_string(),
            },
            SessionError::UnknownDocument { .. } => ZhengzhaoError::invalid_input(e.to_string()),
            other => ZhengzhaoError::Session {
                reason: error_chain(&other),
            },
        }
    }
}

/// An error's message followed by its sources' (`a: b: c`); core messages carry no values.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_check_has_a_mirror() {
        // `CoreCheck::ALL` is kept complete by a test in the core, so a check added there
        // fails here until it has its own mirror variant.
        let mut mirrors = Vec::new();
        for &c in CoreCheck::ALL {
            let mirror = Check::from(c);
            assert_ne!(mirror, Check::Other, "{}", c.name());
            assert!(!mirrors.contains(&mirror), "{} shares a mirror", c.name());
            mirrors.push(mirror);
        }
    }

    #[test]
    fn status_failures_have_their_own_variants() {
        use zhengzhao::status::{ResolveError, StatusError};
        assert!(matches!(
            ZhengzhaoError::from(VerifyError::Revoked { document: 1 }),
            ZhengzhaoError::Revoked { document: 1 }
        ));
        assert!(matches!(
            ZhengzhaoError::from(VerifyError::Suspended { document: 0 }),
            ZhengzhaoError::Suspended { document: 0 }
        ));
        assert!(matches!(
            ZhengzhaoError::from(VerifyError::StatusApplicationSpecific {
                document: 2,
                value: 3
            }),
            ZhengzhaoError::StatusApplicationSpecific {
                document: 2,
                value: 3
            }
        ));
        assert!(matches!(
            ZhengzhaoError::from(VerifyError::StatusUndetermined {
                document: 0,
                source: StatusError::Resolve(ResolveError::new("offline")),
            }),
            ZhengzhaoError::StatusUndetermined { document: 0, reason } if reason.contains("offline")
        ));
    }

    #[test]
    fn callback_errors_become_the_trait_variant() {
        let unexpected: ZhengzhaoError =
            uniffi::UnexpectedUniFFICallbackError::new("RuntimeException: boom").into();
        assert!(matches!(
            unexpected.into_key_store(),
            ZhengzhaoError::KeyStore { reason } if reason.contains("boom")
        ));
        let raised = ZhengzhaoError::KeyStore {
            reason: "user cancelled".into(),
        };
        assert!(matches!(
            raised.into_key_store(),
            ZhengzhaoError::KeyStore { reason } if reason == "user cancelled"
        ));
        let other = ZhengzhaoError::invalid_input("x");
        assert!(matches!(
            other.into_storage(),
            ZhengzhaoError::Storage { .. }
        ));
    }

    #[test]
    fn boxed_key_store_error_comes_back_unchanged() {
        let core = CryptoError::KeyStore(Box::new(ZhengzhaoError::KeyStore {
            reason: "locked".into(),
        }));
        assert!(matches!(
            ZhengzhaoError::from(HolderError::DeviceKey(core)),
            ZhengzhaoError::KeyStore { reason } if reason == "locked"
        ));
    }
}
