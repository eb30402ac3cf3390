//! What the wallet knows about each credential ([`CredentialMetadata`]), and the stored form
//! of a credential with its batch copies.

use std::fmt;

use crate::cbor::{Limits, MapExt, Value};
use crate::model::{Credential, ValidityInfo};
use crate::time::UnixTime;
use crate::trust::{validate_chain, Certificate, ChainUsage, TrustStore};

use super::codec::{self, Unreadable};
use super::secure_area::KeyAlias;
use super::store::{random_hex, RecordId, StoreError};

/// A credential's identifier in the wallet: 32 random lowercase hex digits. It is chosen by
/// the wallet, derived from nothing personal, and never sent to a verifier.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialId(String);

impl CredentialId {
    /// A fresh random identifier.
    pub(crate) fn random() -> Result<Self, StoreError> {
        Ok(CredentialId(random_hex(16)?))
    }

    /// Reads an identifier as [`CredentialId::as_str`] wrote it; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| CredentialId(s.to_owned()))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The store record holding this credential.
    pub(crate) fn record_id(&self) -> Result<RecordId, StoreError> {
        RecordId::new(self.0.as_str())
    }

    /// The secure-area alias of copy `index`'s device key.
    pub(crate) fn key_alias(&self, index: usize) -> Result<KeyAlias, super::SecureAreaError> {
        KeyAlias::new(format!("{}-{index}", self.0))
    }
}

impl fmt::Display for CredentialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a credential as the wallet shows it, in Chinese and English
/// (e.g. 居民身份證 / Resident Identity Card).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisplayName {
    /// The Chinese name.
    pub zh: String,
    /// The English name.
    pub en: String,
}

impl DisplayName {
    /// A display name.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        DisplayName {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// Whether a credential may be presented. Set by the holder or the app (for example after
/// the issuer reported a suspension); expiry is separate and read from
/// [`CredentialMetadata::validity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialStatus {
    /// May be presented.
    Active,
    /// Temporarily not presented.
    Suspended,
    /// Revoked by the issuer: never presented again.
    Revoked,
}

impl CredentialStatus {
    /// A stable name: `active`, `suspended`, `revoked`.
    pub fn name(self) -> &'static str {
        match self {
            CredentialStatus::Active => "active",
            CredentialStatus::Suspended => "suspended",
            CredentialStatus::Revoked => "revoked",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "active" => Some(CredentialStatus::Active),
            "suspended" => Some(CredentialStatus::Suspended),
            "revoked" => Some(CredentialStatus::Revoked),
            _ => None,
        }
    }
}

/// What the last status-list check of a credential concluded
/// ([`Wallet::refresh_status`](super::Wallet::refresh_status)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckedStatus {
    /// Every list says valid.
    Valid,
    /// A list says revoked.
    Revoked,
    /// A list says suspended.
    Suspended,
    /// A list holds an application-specific value (Chinese licences: 3, overdue).
    ApplicationSpecific(u8),
    /// The lists could not be fetched or verified; the credential's status was left as it
    /// was.
    Undetermined {
        /// Why (the status error's text: URIs and checks, no personal data).
        reason: String,
    },
}

impl CheckedStatus {
    /// A stable name: `valid`, `revoked`, `suspended`, `application_specific`,
    /// `undetermined`.
    pub fn name(&self) -> &'static str {
        match self {
            CheckedStatus::Valid => "valid",
            CheckedStatus::Revoked => "revoked",
            CheckedStatus::Suspended => "suspended",
            CheckedStatus::ApplicationSpecific(_) => "application_specific",
            CheckedStatus::Undetermined { .. } => "undetermined",
        }
    }
}

/// The last status-list check of a credential: when, and what it concluded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusCheck {
    /// When the check ran (the time given to the refresh).
    pub at: UnixTime,
    /// What it concluded.
    pub outcome: CheckedStatus,
}

/// The colour a wallet shows a credential in, as the 交管12123 e-licence does: green when
/// it may be used, red when it is suspended, revoked or expired, grey when the wallet could
/// not determine its status at the last check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QrColour {
    /// Usable.
    Green,
    /// Suspended, revoked, overdue or expired.
    Red,
    /// The last status check could not determine the status.
    Grey,
}

/// How the copies of a batch are used.
///
/// A verifier that sees two presentations carrying the same MSO signature, salts, digests or
/// device key knows they came from one person; batch copies differ in all of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BatchPolicy {
    /// Each copy is presented at most once; when none is left the wallet refuses
    /// ([`WalletError::NoUnusedCopy`](super::WalletError::NoUnusedCopy)) until the issuer
    /// sends a fresh batch. Presentations are never linkable through the credential.
    OneTimeUse,
    /// The least-used copy is presented (random among equals); copies are reused once all
    /// have been used, so presentations stay possible but become linkable after that.
    Rotate,
}

impl BatchPolicy {
    fn name(self) -> &'static str {
        match self {
            BatchPolicy::OneTimeUse => "one-time",
            BatchPolicy::Rotate => "rotate",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "one-time" => Some(BatchPolicy::OneTimeUse),
            "rotate" => Some(BatchPolicy::Rotate),
            _ => None,
        }
    }
}

/// Who issued a credential, as far as the wallet can tell: the subject of its document-signer
/// certificate, verified only if the certificate chains to an issuer trust anchor the wallet
/// was given ([`Wallet::with_issuer_trust`](super::Wallet::with_issuer_trust)). As with
/// [`ReaderIdentity`](crate::holder::ReaderIdentity) for readers, anyone can put any name in
/// a self-made certificate: show an unverified name as such.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IssuerName {
    /// The document signer chains to one of the wallet's issuer trust anchors.
    Verified {
        /// The document signer's subject.
        subject: String,
    },
    /// No issuer trust anchors were given, or the document signer does not chain to one: the
    /// name is only what the certificate claims.
    Unverified {
        /// The subject the document-signer certificate claims.
        claimed_subject: String,
    },
}

impl IssuerName {
    /// The subject, verified or not (check [`IssuerName::is_verified`] before showing it as
    /// the issuer).
    pub fn name(&self) -> &str {
        match self {
            IssuerName::Verified { subject } => subject,
            IssuerName::Unverified { claimed_subject } => claimed_subject,
        }
    }

    /// Whether the name chains to an issuer trust anchor.
    pub fn is_verified(&self) -> bool {
        matches!(self, IssuerName::Verified { .. })
    }

    /// Checks the stored `claimed` name against `trust`: the first copy's `x5chain` must
    /// validate as a document-signer chain to one of its anchors at the time its MSO was
    /// signed.
    ///
    /// The time is the MSO's `signed`, not the current time: the question is whether a
    /// trusted authority's signer made this credential, and a document signer whose
    /// certificate later expired still made it (expiry of the credential itself is shown
    /// separately, from [`CredentialMetadata::validity`]). An anchor removed from `trust`
    /// makes the name unverified at once, as the check runs whenever metadata is read.
    fn check(claimed: &str, first: Option<&Credential>, trust: &TrustStore) -> Self {
        let unverified = || IssuerName::Unverified {
            claimed_subject: claimed.to_owned(),
        };
        let Some(credential) = first else {
            return unverified();
        };
        if trust.is_empty() {
            return unverified();
        }
        let auth = &credential.issuer_signed.issuer_auth;
        let Ok(ders) = auth.x5chain() else {
            return unverified();
        };
        let Ok(chain) = ders
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
        else {
            return unverified();
        };
        let Ok(mso) = credential.issuer_signed.mso_unverified(&Limits::default()) else {
            return unverified();
        };
        match validate_chain(
            &chain,
            trust,
            ChainUsage::DocumentSigner,
            mso.validity.signed,
        ) {
            Ok(validated) if validated.leaf().subject() == claimed => IssuerName::Verified {
                subject: validated.leaf().subject(),
            },
            _ => unverified(),
        }
    }
}

impl fmt::Display for IssuerName {
    /// The name, followed by " (unverified)" if it is not verified.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssuerName::Verified { subject } => f.write_str(subject),
            IssuerName::Unverified { claimed_subject } => {
                write!(f, "{claimed_subject} (unverified)")
            }
        }
    }
}

/// What the wallet shows about a credential without opening it: no element values.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialMetadata {
    /// The wallet's identifier.
    pub id: CredentialId,
    /// The document type, e.g. `org.iso.18013.5.1.mDL` or `1.2.156.3005.2.…`.
    pub doc_type: String,
    /// The issuer: the subject of the document-signer certificate (an authority's name),
    /// verified or only claimed.
    pub issuer: IssuerName,
    /// When the credential may be used (for a batch: the window every copy covers).
    pub validity: ValidityInfo,
    /// The name shown to the holder.
    pub display_name: DisplayName,
    /// How many times the credential was presented.
    pub usage_count: u64,
    /// Whether it may be presented.
    pub status: CredentialStatus,
    /// How its batch copies are used.
    pub policy: BatchPolicy,
    /// How many copies the batch holds.
    pub copies: usize,
    /// How many copies were never presented.
    pub fresh_copies: usize,
    /// When it was added to the wallet.
    pub added: UnixTime,
    /// The last status-list check, if one ran (a credential whose MSO names no list is
    /// never checked).
    pub status_check: Option<StatusCheck>,
}

impl CredentialMetadata {
    /// Whether `at` lies in the validity window.
    pub fn is_valid_at(&self, at: UnixTime) -> bool {
        self.validity.valid_from <= at && at <= self.validity.valid_until
    }

    /// The colour to show the credential in at `at` (see [`QrColour`]).
    pub fn qr_colour(&self, at: UnixTime) -> QrColour {
        if self.status != CredentialStatus::Active || !self.is_valid_at(at) {
            return QrColour::Red;
        }
        match self.status_check.as_ref().map(|c| &c.outcome) {
            Some(CheckedStatus::Undetermined { .. }) => QrColour::Grey,
            Some(CheckedStatus::Valid) | None => QrColour::Green,
            Some(_) => QrColour::Red,
        }
    }
}

/// One copy of a batch: the credential and the alias of its device key.
pub(crate) struct StoredCopy {
    pub(crate) credential: Credential,
    pub(crate) key: KeyAlias,
    pub(crate) uses: u64,
}

/// A credential as the wallet stores it: metadata and every batch copy, in one record so
/// that adding a batch and marking a copy used are each one atomic commit.
pub(crate) struct StoredCredential {
    pub(crate) id: CredentialId,
    pub(crate) doc_type: String,
    pub(crate) issuer: String,
    pub(crate) validity: ValidityInfo,
    pub(crate) display_name: DisplayName,
    pub(crate) usage_count: u64,
    pub(crate) status: CredentialStatus,
    pub(crate) policy: BatchPolicy,
    pub(crate) added: UnixTime,
    pub(crate) copies: Vec<StoredCopy>,
    pub(crate) status_check: Option<StatusCheck>,
}

impl StoredCredential {
    /// The metadata (counts derived from the copies), the issuer's name checked against
    /// `issuer_trust`.
    pub(crate) fn metadata(&self, issuer_trust: &TrustStore) -> CredentialMetadata {
        CredentialMetadata {
            id: self.id.clone(),
            doc_type: self.doc_type.clone(),
            issuer: IssuerName::check(
                &self.issuer,
                self.copies.first().map(|c| &c.credential),
                issuer_trust,
            ),
            validity: self.validity.clone(),
            display_name: self.display_name.clone(),
            usage_count: self.usage_count,
            status: self.status,
            policy: self.policy,
            copies: self.copies.len(),
            fresh_copies: self.fresh_copies(),
            added: self.added,
            status_check: self.status_check.clone(),
        }
    }

    /// Copies never presented.
    pub(crate) fn fresh_copies(&self) -> usize {
        self.copies.iter().filter(|c| c.uses == 0).count()
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        use codec::{entry, time_value};
        let mut validity = vec![
            entry("signed", time_value(self.validity.signed)),
            entry("validFrom", time_value(self.validity.valid_from)),
            entry("validUntil", time_value(self.validity.valid_until)),
        ];
        if let Some(u) = self.validity.expected_update {
            validity.push(entry("expectedUpdate", time_value(u)));
        }
        let copies = self
            .copies
            .iter()
            .map(|c| {
                Value::Map(vec![
                    entry("credential", Value::Bytes(c.credential.to_bytes())),
                    entry("key", Value::text(c.key.as_str())),
                    entry("uses", Value::Integer(i128::from(c.uses))),
                ])
            })
            .collect();
        let mut record = vec![
            entry("v", Value::Integer(i128::from(codec::RECORD_VERSION))),
            entry("id", Value::text(self.id.as_str())),
            entry("docType", Value::text(self.doc_type.as_str())),
            entry("issuer", Value::text(self.issuer.as_str())),
            entry("validity", Value::Map(validity)),
            entry(
                "name",
                Value::Map(vec![
                    entry("zh", Value::text(self.display_name.zh.as_str())),
                    entry("en", Value::text(self.display_name.en.as_str())),
                ]),
            ),
            entry("usage", Value::Integer(i128::from(self.usage_count))),
            entry("status", Value::text(self.status.name())),
            entry("policy", Value::text(self.policy.name())),
            entry("added", time_value(self.added)),
            entry("copies", Value::Array(copies)),
        ];
        if let Some(check) = &self.status_check {
            let mut c = vec![
                entry("at", time_value(check.at)),
                entry("outcome", Value::text(check.outcome.name())),
            ];
            match &check.outcome {
                CheckedStatus::ApplicationSpecific(v) => {
                    c.push(entry("value", Value::Integer(i128::from(*v))))
                }
                CheckedStatus::Undetermined { reason } => {
                    c.push(entry("reason", Value::text(reason.as_str())))
                }
                _ => {}
            }
            record.push(entry("statusCheck", Value::Map(c)));
        }
        crate::cbor::encode(&Value::Map(record))
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Self, Unreadable> {
        let m = codec::decode_map(bytes)?;
        let id = CredentialId::parse(&codec::text(&m, "id")?).ok_or(Unreadable)?;
        let validity = codec::get(&m, "validity")?.as_map().ok_or(Unreadable)?;
        let name = codec::get(&m, "name")?.as_map().ok_or(Unreadable)?;
        let mut copies = Vec::new();
        for copy in codec::get(&m, "copies")?.as_array().ok_or(Unreadable)? {
            let c = copy.as_map().ok_or(Unreadable)?;
            let bytes = codec::get(c, "credential")?.as_bytes().ok_or(Unreadable)?;
            copies.push(StoredCopy {
                credential: Credential::from_bytes(bytes, &codec::limits())?,
                key: KeyAlias::new(codec::text(c, "key")?).map_err(|_| Unreadable)?,
                uses: codec::uint(c, "uses")?,
            });
        }
        Ok(StoredCredential {
            id,
            doc_type: codec::text(&m, "docType")?,
            issuer: codec::text(&m, "issuer")?,
            validity: ValidityInfo {
                signed: codec::time(validity, "signed")?,
                valid_from: codec::time(validity, "validFrom")?,
                valid_until: codec::time(validity, "validUntil")?,
                expected_update: codec::opt_time(validity, "expectedUpdate")?,
            },
            display_name: DisplayName::new(codec::text(name, "zh")?, codec::text(name, "en")?),
            usage_count: codec::uint(&m, "usage")?,
            status: CredentialStatus::from_name(&codec::text(&m, "status")?).ok_or(Unreadable)?,
            policy: BatchPolicy::from_name(&codec::text(&m, "policy")?).ok_or(Unreadable)?,
            added: codec::time(&m, "added")?,
            copies,
            status_check: match m.get_text_key("statusCheck") {
                None => None,
                Some(c) => Some(read_status_check(c.as_map().ok_or(Unreadable)?)?),
            },
        })
    }
}

/// Reads a record's `statusCheck` map (absent in records written before status lists).
fn read_status_check(c: &[(Value, Value)]) -> Result<StatusCheck, Unreadable> {
    let outcome = match codec::text(c, "outcome")?.as_str() {
        "valid" => CheckedStatus::Valid,
        "revoked" => CheckedStatus::Revoked,
        "suspended" => CheckedStatus::Suspended,
        "application_specific" => CheckedStatus::ApplicationSpecific(
            u8::try_from(codec::uint(c, "value")?).map_err(|_| Unreadable)?,
        ),
        "undetermined" => CheckedStatus::Undetermined {
            reason: codec::text(c, "reason")?,
        },
        _ => return Err(Unreadable),
    };
    Ok(StatusCheck {
        at: codec::time(c, "at")?,
        outcome,
    })
}
