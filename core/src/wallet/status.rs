//! Refreshing credentials' status from their issuers' status lists.

use super::metadata::{CheckedStatus, StatusCheck};
use super::store::Collection;
use super::{CredentialId, CredentialMetadata, CredentialStatus, Wallet, WalletError};
use crate::cbor::Limits;
use crate::model::Credential;
use crate::status::{StatusChecker, StatusError, StatusOutcome};
use crate::time::UnixTime;
use crate::trust::{validate_chain, Certificate, ChainUsage, TrustStore};

/// One credential's result in [`Wallet::refresh_all_status`].
pub type StatusRefresh = (CredentialId, Result<CredentialMetadata, WalletError>);

impl Wallet {
    /// Checks a credential's status lists through `checker` (the host's resolver: the same
    /// one a verifier uses) at `at`, records the result in its metadata
    /// ([`CredentialMetadata::status_check`], [`CredentialMetadata::qr_colour`]) and updates
    /// its [`CredentialStatus`]:
    ///
    /// * revoked → [`CredentialStatus::Revoked`], for good (a revoked MSO stays revoked, ISO/IEC
    ///   18013-5 §12.3.6.1: a later "valid" does not bring it back);
    /// * suspended or application-specific (overdue) → [`CredentialStatus::Suspended`];
    /// * valid → [`CredentialStatus::Active`] again if it was suspended (a suspension lifted);
    /// * undetermined → the status is left as it was: the wallet cannot tell, and neither
    ///   "valid" nor "revoked" is written.
    ///
    /// The lists are verified against the IACA that issued the credential's document signer,
    /// which must be among the wallet's issuer trust anchors
    /// ([`Wallet::with_issuer_trust`]); without it (and without a `certificate` in the MSO)
    /// the outcome is undetermined. A credential whose MSO names no list returns its metadata
    /// unchanged. Suspended and revoked credentials are not presented unless the host says so
    /// ([`Consent::presenting_inactive`](super::Consent::presenting_inactive)).
    pub fn refresh_status(
        &self,
        id: &CredentialId,
        checker: &StatusChecker,
        at: UnixTime,
    ) -> Result<CredentialMetadata, WalletError> {
        // Resolve outside the lock: the host's resolver may block on the network.
        let stored = self.load(id)?;
        let trust = self.issuer_trust();
        let Some(copy) = stored.copies.first() else {
            return Ok(stored.metadata(&trust));
        };
        let Some(outcome) = credential_status(&copy.credential, checker, &trust, at) else {
            return Ok(stored.metadata(&trust));
        };
        let _guard = self.guard();
        let mut stored = self.load(id)?;
        let checked = match outcome {
            StatusOutcome::Valid => CheckedStatus::Valid,
            StatusOutcome::Invalid => CheckedStatus::Revoked,
            StatusOutcome::Suspended => CheckedStatus::Suspended,
            StatusOutcome::ApplicationSpecific(v) => CheckedStatus::ApplicationSpecific(v),
            StatusOutcome::Undetermined(e) => CheckedStatus::Undetermined {
                reason: e.to_string(),
            },
        };
        stored.status = match (&checked, stored.status) {
            (_, CredentialStatus::Revoked) | (CheckedStatus::Revoked, _) => {
                CredentialStatus::Revoked
            }
            (CheckedStatus::Suspended | CheckedStatus::ApplicationSpecific(_), _) => {
                CredentialStatus::Suspended
            }
            (CheckedStatus::Valid, _) => CredentialStatus::Active,
            (_, unchanged) => unchanged,
        };
        stored.status_check = Some(StatusCheck {
            at,
            outcome: checked,
        });
        self.store.put(
            Collection::Credentials,
            &id.record_id()?,
            &stored.to_bytes(),
        )?;
        Ok(stored.metadata(&trust))
    }

    /// [`Wallet::refresh_status`] for every credential (damaged records are skipped), each
    /// with its own result.
    pub fn refresh_all_status(
        &self,
        checker: &StatusChecker,
        at: UnixTime,
    ) -> Result<Vec<StatusRefresh>, WalletError> {
        let (good, _) = self.load_all()?;
        Ok(good
            .into_iter()
            .map(|s| {
                let result = self.refresh_status(&s.id, checker, at);
                (s.id, result)
            })
            .collect())
    }
}

/// The status outcome of one credential, `None` if its MSO names no list.
fn credential_status(
    credential: &Credential,
    checker: &StatusChecker,
    trust: &TrustStore,
    at: UnixTime,
) -> Option<StatusOutcome> {
    let mso = credential
        .issuer_signed
        .mso_unverified(&Limits::default())
        .ok()?;
    let reference = mso.status.as_ref().filter(|r| !r.is_empty())?;
    let chain = credential
        .issuer_signed
        .issuer_auth
        .x5chain()
        .ok()
        .and_then(|ders| {
            ders.iter()
                .map(|d| Certificate::from_der(d))
                .collect::<Result<Vec<_>, _>>()
                .ok()
        });
    let Some(ds) = chain.as_ref().and_then(|c| c.first()) else {
        return Some(StatusOutcome::Undetermined(StatusError::Certificate));
    };
    // The IACA, found by validating the document signer against the wallet's anchors (at the
    // MSO's signing time: the wallet holds credentials, it does not re-verify their validity
    // here).
    let iaca = chain
        .as_ref()
        .and_then(|c| {
            validate_chain(c, trust, ChainUsage::DocumentSigner, mso.validity.signed).ok()
        })
        .filter(|v| !v.is_pinned())
        .map(|v| v.anchor().clone());
    Some(checker.check(reference, iaca.as_ref(), ds, at))
}
