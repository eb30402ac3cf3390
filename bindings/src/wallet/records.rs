//! The wallet's mirror records: the `uniffi::Record` and `uniffi::Enum` types the host sees
//! (credential metadata, the disclosure log, requests and consents) and their conversions
//! from and to the core's `zhengzhao::wallet` types. The objects that act on them are in
//! [`wallet`](super).

use std::time::SystemTime;

use zhengzhao::holder;
use zhengzhao::time::UnixTime;
use zhengzhao::wallet as core;

use super::credential_id;
use crate::error::ZhengzhaoError;
use crate::value::{from_system_time, to_system_time, MapEntry};
use crate::verifier::RequestedElement;

/// A data element by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, uniffi::Record)]
pub struct ElementId {
    /// The namespace.
    pub namespace: String,
    /// The element identifier.
    pub identifier: String,
}

/// A credential's name as the wallet shows it, in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DisplayName {
    /// The Chinese name, e.g. 机动车驾驶证.
    pub zh: String,
    /// The English name, e.g. Driving licence.
    pub en: String,
}

impl From<core::DisplayName> for DisplayName {
    fn from(n: core::DisplayName) -> Self {
        DisplayName { zh: n.zh, en: n.en }
    }
}

/// How the copies of a batch are used (mirror of the core's `wallet::BatchPolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum BatchPolicy {
    /// Each copy is presented at most once; then `ZhengzhaoError.NoUnusedCopy` until a new
    /// batch is added. Presentations are never linkable through the credential.
    OneTimeUse,
    /// The least-used copy is presented; copies are reused once all have been used.
    Rotate,
}

impl From<BatchPolicy> for core::BatchPolicy {
    fn from(p: BatchPolicy) -> Self {
        match p {
            BatchPolicy::OneTimeUse => core::BatchPolicy::OneTimeUse,
            BatchPolicy::Rotate => core::BatchPolicy::Rotate,
        }
    }
}

impl From<core::BatchPolicy> for BatchPolicy {
    fn from(p: core::BatchPolicy) -> Self {
        match p {
            core::BatchPolicy::Rotate => BatchPolicy::Rotate,
            // One-time use, and anything newer: the stricter reading.
            _ => BatchPolicy::OneTimeUse,
        }
    }
}

/// Whether a credential may be presented (mirror of the core's `wallet::CredentialStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CredentialStatus {
    /// May be presented.
    Active,
    /// Temporarily not presented.
    Suspended,
    /// Revoked by the issuer: never presented again.
    Revoked,
}

impl From<CredentialStatus> for core::CredentialStatus {
    fn from(s: CredentialStatus) -> Self {
        match s {
            CredentialStatus::Active => core::CredentialStatus::Active,
            CredentialStatus::Suspended => core::CredentialStatus::Suspended,
            CredentialStatus::Revoked => core::CredentialStatus::Revoked,
        }
    }
}

impl From<core::CredentialStatus> for CredentialStatus {
    fn from(s: core::CredentialStatus) -> Self {
        match s {
            core::CredentialStatus::Active => CredentialStatus::Active,
            core::CredentialStatus::Suspended => CredentialStatus::Suspended,
            // Revoked, and anything newer: not presentable.
            _ => CredentialStatus::Revoked,
        }
    }
}

/// What the wallet shows about a credential without opening it: no element values (see
/// `Wallet.credentialElements`).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CredentialInfo {
    /// The wallet's identifier (random, never sent to a verifier).
    pub id: String,
    /// The document type.
    pub doc_type: String,
    /// The issuer: the document signer's subject. Shown as the issuer only if
    /// `issuer_verified`; otherwise it is just what the certificate claims.
    pub issuer: String,
    /// Whether `issuer` chains to an issuing authority added with
    /// `Wallet.addIssuingAuthority` (checked whenever the metadata is read).
    pub issuer_verified: bool,
    /// The name shown to the holder.
    pub display_name: DisplayName,
    /// When the credential was signed.
    pub signed: SystemTime,
    /// Start of validity (for a batch: the window every copy covers).
    pub valid_from: SystemTime,
    /// End of validity.
    pub valid_until: SystemTime,
    /// Whether it may be presented.
    pub status: CredentialStatus,
    /// How its batch copies are used.
    pub policy: BatchPolicy,
    /// How many copies the batch holds.
    pub copies: u32,
    /// How many copies were never presented: ask for a new batch when it runs low.
    pub fresh_copies: u32,
    /// How many times it was presented.
    pub usage_count: u64,
    /// When it was added to the wallet.
    pub added: SystemTime,
    /// The last status-list check (`Wallet.refreshStatus`), if one ran; `null` for a
    /// credential never checked (or whose MSO names no status list).
    pub status_check: Option<StatusCheck>,
    /// The colour to show the credential in, computed when this record was produced (for
    /// `refreshStatus`: at the check's `at`): `Red` if not active or outside its validity,
    /// `Grey` if the last check was undetermined, otherwise `Green`. Read the metadata again
    /// to update it.
    pub qr_colour: QrColour,
}

/// What the last status-list check of a credential concluded (mirror of the core's
/// `wallet::CheckedStatus`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CheckedStatus {
    /// Every list says valid.
    Valid,
    /// A list says revoked: the credential is `Revoked` for good.
    Revoked,
    /// A list says suspended: the credential is `Suspended`.
    Suspended,
    /// A list holds an application-specific value (Chinese licences: 3, overdue for renewal
    /// or inspection): the credential is `Suspended`.
    ApplicationSpecific {
        /// The status value.
        value: u8,
    },
    /// The lists could not be fetched or verified (resolver error, no issuing authority for
    /// the list's signer, expired list…): the credential's status was left as it was.
    Undetermined {
        /// Why (URIs and checks, never element values).
        reason: String,
    },
}

impl From<core::CheckedStatus> for CheckedStatus {
    fn from(c: core::CheckedStatus) -> Self {
        match c {
            core::CheckedStatus::Valid => CheckedStatus::Valid,
            core::CheckedStatus::Revoked => CheckedStatus::Revoked,
            core::CheckedStatus::Suspended => CheckedStatus::Suspended,
            core::CheckedStatus::ApplicationSpecific(value) => {
                CheckedStatus::ApplicationSpecific { value }
            }
            core::CheckedStatus::Undetermined { reason } => CheckedStatus::Undetermined { reason },
            // Anything newer: no statement the host could act on.
            other => CheckedStatus::Undetermined {
                reason: other.name().to_owned(),
            },
        }
    }
}

/// A credential's last status-list check: when, and what it concluded.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct StatusCheck {
    /// When the check ran (the `at` given to `refreshStatus`).
    pub at: SystemTime,
    /// What it concluded.
    pub outcome: CheckedStatus,
}

impl From<core::StatusCheck> for StatusCheck {
    fn from(c: core::StatusCheck) -> Self {
        StatusCheck {
            at: to_system_time(c.at),
            outcome: c.outcome.into(),
        }
    }
}

/// The colour a wallet shows a credential in (as the 交管12123 e-licence does; mirror of the
/// core's `wallet::QrColour`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum QrColour {
    /// Usable.
    Green,
    /// Suspended, revoked, overdue or expired.
    Red,
    /// The last status check could not determine the status.
    Grey,
}

impl From<core::QrColour> for QrColour {
    fn from(c: core::QrColour) -> Self {
        match c {
            core::QrColour::Green => QrColour::Green,
            core::QrColour::Red => QrColour::Red,
            core::QrColour::Grey => QrColour::Grey,
        }
    }
}

/// One credential's result in `Wallet.refreshAllStatus`.
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum StatusRefresh {
    /// The check ran (its outcome, possibly undetermined, is in `statusCheck`).
    Refreshed {
        /// The metadata after the check.
        credential: CredentialInfo,
    },
    /// The credential could not be refreshed (storage failed, the record went away); the
    /// others were still refreshed.
    Failed {
        /// The credential.
        credential_id: String,
        /// Why (the error's text; no element values).
        reason: String,
    },
}

/// A length or count as the FFI's `u32`, saturating.
pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<core::CredentialMetadata> for CredentialInfo {
    /// The record as of now (its `qrColour`).
    fn from(m: core::CredentialMetadata) -> Self {
        CredentialInfo::at(m, UnixTime::now())
    }
}

impl CredentialInfo {
    /// The record with its `qrColour` at `at`.
    pub(crate) fn at(m: core::CredentialMetadata, at: UnixTime) -> Self {
        let qr_colour = m.qr_colour(at).into();
        CredentialInfo {
            id: m.id.as_str().to_owned(),
            doc_type: m.doc_type,
            issuer: m.issuer.name().to_owned(),
            issuer_verified: m.issuer.is_verified(),
            display_name: m.display_name.into(),
            signed: to_system_time(m.validity.signed),
            valid_from: to_system_time(m.validity.valid_from),
            valid_until: to_system_time(m.validity.valid_until),
            status: m.status.into(),
            policy: m.policy.into(),
            copies: count(m.copies),
            fresh_copies: count(m.fresh_copies),
            usage_count: m.usage_count,
            added: to_system_time(m.added),
            status_check: m.status_check.map(Into::into),
            qr_colour,
        }
    }
}

/// A record that could not be read, listed beside the readable ones.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DamagedRecord {
    /// The record's identifier.
    pub id: String,
    /// Why (names structures and checks, never contents).
    pub reason: String,
}

impl From<core::DamagedRecord> for DamagedRecord {
    fn from(d: core::DamagedRecord) -> Self {
        DamagedRecord {
            id: d.id.as_str().to_owned(),
            reason: ZhengzhaoError::from(d.error).to_string(),
        }
    }
}

/// Every credential's metadata, and the records that could not be read (they do not hide the
/// others).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct CredentialList {
    /// Readable credentials, oldest first.
    pub credentials: Vec<CredentialInfo>,
    /// Damaged records.
    pub damaged: Vec<DamagedRecord>,
}

/// Who asked, as the disclosure log records it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum VerifierIdentity {
    /// The request was not signed.
    Anonymous,
    /// Signed, but not chained to a reader trust anchor: the name is only claimed.
    Unverified {
        /// The subject the reader's certificate claims.
        claimed_subject: String,
    },
    /// Reader authentication verified against a reader trust anchor.
    Authenticated {
        /// The reader certificate's subject.
        subject: String,
    },
}

impl From<core::VerifierIdentity> for VerifierIdentity {
    fn from(v: core::VerifierIdentity) -> Self {
        match v {
            core::VerifierIdentity::Unverified { claimed_subject } => {
                VerifierIdentity::Unverified { claimed_subject }
            }
            core::VerifierIdentity::Authenticated { subject } => {
                VerifierIdentity::Authenticated { subject }
            }
            // Anonymous, and anything newer: claim nothing.
            _ => VerifierIdentity::Anonymous,
        }
    }
}

/// One disclosed document: when, to whom, why, which element identifiers (never values).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DisclosureEvent {
    /// The log entry's identifier (for `Wallet.deleteDisclosure`).
    pub id: String,
    /// When.
    pub time: SystemTime,
    /// To whom.
    pub verifier: VerifierIdentity,
    /// The purpose the request stated (`requestInfo["purposeOfUse"]`), if any.
    pub purpose: Option<String>,
    /// The document type.
    pub doc_type: String,
    /// The wallet's credential.
    pub credential_id: String,
    /// The disclosed elements.
    pub elements: Vec<RequestedElement>,
}

impl From<core::DisclosureEvent> for DisclosureEvent {
    fn from(e: core::DisclosureEvent) -> Self {
        DisclosureEvent {
            id: e.id.as_str().to_owned(),
            time: to_system_time(e.time),
            verifier: e.verifier.into(),
            purpose: e.purpose,
            doc_type: e.doc_type,
            credential_id: e.credential.as_str().to_owned(),
            elements: e.elements.into_iter().map(mirror).collect(),
        }
    }
}

/// Log entries matching a query, and the entries that could not be read.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct DisclosureList {
    /// Matching entries, oldest first.
    pub events: Vec<DisclosureEvent>,
    /// Damaged entries (delete them with `Wallet.deleteDisclosure`).
    pub damaged: Vec<DamagedRecord>,
}

/// Which disclosure-log entries: every field left out matches everything.
#[derive(Clone, Debug, Default, PartialEq, uniffi::Record)]
pub struct LogQuery {
    /// Entries at or after this time.
    #[uniffi(default = None)]
    pub since: Option<SystemTime>,
    /// Entries at or before this time.
    #[uniffi(default = None)]
    pub until: Option<SystemTime>,
    /// Entries of this document type.
    #[uniffi(default = None)]
    pub doc_type: Option<String>,
    /// Entries of this credential.
    #[uniffi(default = None)]
    pub credential_id: Option<String>,
    /// Entries whose verifier's certificate subject contains this text.
    #[uniffi(default = None)]
    pub verifier: Option<String>,
}

impl TryFrom<LogQuery> for core::LogQuery {
    type Error = ZhengzhaoError;

    fn try_from(q: LogQuery) -> Result<Self, ZhengzhaoError> {
        let mut out = core::LogQuery::all();
        if let Some(t) = q.since {
            out = out.since(from_system_time(t));
        }
        if let Some(t) = q.until {
            out = out.until(from_system_time(t));
        }
        if let Some(d) = q.doc_type {
            out = out.doc_type(d);
        }
        if let Some(c) = q.credential_id {
            out = out.credential(credential_id(&c)?);
        }
        if let Some(v) = q.verifier {
            out = out.verifier(v);
        }
        Ok(out)
    }
}

/// Who is asking.
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum ReaderIdentity {
    /// The request is not signed: the reader is anonymous.
    Anonymous,
    /// The request is signed by its certificate, but the wallet has no reader trust anchors,
    /// so the name is only claimed.
    Unverified {
        /// The subject the reader's certificate claims.
        claimed_subject: String,
    },
    /// The request is signed and the reader's certificate chains to a reader trust anchor.
    Authenticated {
        /// The reader certificate's subject.
        subject: String,
        /// The reader certificate (DER).
        certificate: Vec<u8>,
    },
}

impl From<&holder::ReaderIdentity> for ReaderIdentity {
    fn from(r: &holder::ReaderIdentity) -> Self {
        match r {
            holder::ReaderIdentity::Unverified { claimed_subject } => ReaderIdentity::Unverified {
                claimed_subject: claimed_subject.clone(),
            },
            holder::ReaderIdentity::Authenticated {
                subject,
                certificate,
            } => ReaderIdentity::Authenticated {
                subject: subject.clone(),
                certificate: certificate.der().to_vec(),
            },
            // Anonymous, and anything newer: claim nothing.
            _ => ReaderIdentity::Anonymous,
        }
    }
}

/// A credential that could answer a document request.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Candidate {
    /// The credential.
    pub credential: CredentialInfo,
    /// Requested ∩ held: what it could disclose. Show it and ask for consent.
    pub disclosable: Vec<RequestedElement>,
}

/// One document request: who asks, for what, why, and which credentials could answer.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct RequestedDocument {
    /// Its index in the request (for `Approval.documentIndex`).
    pub index: u32,
    /// The document type asked for.
    pub doc_type: String,
    /// Who asks.
    pub reader: ReaderIdentity,
    /// The stated purpose of use (`requestInfo["purposeOfUse"]`), if any: show it.
    pub purpose: Option<String>,
    /// `requestInfo` as sent.
    pub request_info: Vec<MapEntry>,
    /// Every element asked for.
    pub requested: Vec<RequestedElement>,
    /// The wallet's active credentials of this document type.
    pub candidates: Vec<Candidate>,
}

/// The holder's consent for one document request.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Approval {
    /// The document request (`RequestedDocument.index`).
    pub document_index: u32,
    /// The credential to present (`CredentialInfo.id`).
    pub credential_id: String,
    /// The approved elements. Only elements both requested and held are ever disclosed.
    pub elements: Vec<ElementId>,
    /// Present the credential although it is suspended or revoked (otherwise refused with
    /// `InvalidInput`, "not presentable"): the host's explicit decision, e.g. to show a suspended licence to an
    /// officer whose reader checks the status itself. Such a credential is not among the
    /// `candidates`; use its `CredentialInfo.id`. Default false.
    #[uniffi(default = false)]
    pub present_inactive: bool,
}

/// A response ready to send, and what the disclosure log recorded.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct Presentation {
    /// The DeviceResponse bytes.
    pub response: Vec<u8>,
    /// The log entries recorded, one per document.
    pub disclosures: Vec<DisclosureEvent>,
    /// Credentials with few fresh copies left: time to ask the issuer for a new batch.
    pub running_low: Vec<String>,
}

impl std::fmt::Debug for Presentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The response holds the disclosed values: its length only.
        f.debug_struct("Presentation")
            .field("response", &format_args!("<{} bytes>", self.response.len()))
            .field("disclosures", &self.disclosures)
            .field("running_low", &self.running_low)
            .finish()
    }
}

impl From<core::Presentation> for Presentation {
    fn from(p: core::Presentation) -> Self {
        Presentation {
            response: p.response,
            disclosures: p.events.into_iter().map(Into::into).collect(),
            running_low: p
                .running_low
                .iter()
                .map(|id| id.as_str().to_owned())
                .collect(),
        }
    }
}

/// One signature a prepared presentation needs: sign `message` with ES256 (SHA-256 over it)
/// under `key_alias` in the secure area, e.g. after a biometric prompt (Android
/// `BiometricPrompt` with a `CryptoObject`, iOS `LAContext`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct SigningRequest {
    /// The device key's alias in the secure area.
    pub key_alias: String,
    /// The exact bytes to sign (`Sig_structure` of the device authentication).
    pub message: Vec<u8>,
}

impl std::fmt::Debug for SigningRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningRequest")
            .field("key_alias", &self.key_alias)
            .field("message", &format_args!("<{} bytes>", self.message.len()))
            .finish()
    }
}

/// A requested element in the verifier's mirror type (the holder and verifier share it).
pub(crate) fn mirror(e: holder::RequestedElement) -> RequestedElement {
    RequestedElement {
        namespace: e.namespace,
        identifier: e.identifier,
        intent_to_retain: e.intent_to_retain,
    }
}
