//! What a verification hands out: only documents that passed every check.

use super::*;

/// How the device authenticated a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceAuthMethod {
    /// ECDSA signature with the MSO device key.
    Signature,
    /// HMAC with a key agreed with the reader's ephemeral key.
    Mac,
}

/// Element values by namespace and identifier.
pub type Elements = BTreeMap<String, BTreeMap<String, Value>>;

/// A document that passed every check.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedDocument {
    /// The document type.
    pub doc_type: String,
    /// Subject of the document-signer certificate.
    pub issuer: String,
    /// Subject of the trust anchor the chain ended in.
    pub trust_anchor: String,
    /// The MSO validity window.
    pub validity: ValidityInfo,
    /// Issuer-signed elements, each digest-verified.
    pub issuer_signed: Elements,
    /// Device-signed elements, authenticated by the device and authorised by the MSO.
    pub device_signed: Elements,
    /// How the device authenticated.
    pub device_auth: DeviceAuthMethod,
    /// The status check's outcome ([`Check::Status`]): `None` when the status was not checked
    /// (no [`VerifyOptions::with_status`], or an MSO that names no status list). A document
    /// reaches the result only as valid, or as undetermined when the checker accepts that.
    pub status: Option<StatusOutcome>,
    /// MSO keys nothing checked (see [`VerifiedDocument::unchecked`]).
    pub(super) unchecked: Vec<String>,
    /// The trust anchor the chain ended in (for a pinned document signer, the signer itself).
    pub(super) anchor: Certificate,
}

impl VerifiedDocument {
    /// What the issuer signed that this verifier did not check: the MSO keys it does not
    /// process, in the order received (top-level keys by name, nested ones as
    /// `"validityInfo.<key>"` / `"deviceKeyInfo.<key>"`). An MSO carrying `status` lists
    /// `"status"` here: revocation was **not** checked, and a caller that needs it must check
    /// the status itself or refuse the document. Empty for a plain 18013-5 (2021) MSO.
    pub fn unchecked(&self) -> &[String] {
        &self.unchecked
    }

    /// The trust anchor certificate the document-signer chain ended in (for a pinned document
    /// signer, the signer itself): what a trust list maps to the authority that owns it.
    pub fn trust_anchor_certificate(&self) -> &Certificate {
        &self.anchor
    }
}

impl fmt::Debug for VerifiedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Element values are personal data: identifiers only.
        let ids = |e: &Elements| -> Vec<String> {
            e.iter()
                .flat_map(|(ns, els)| els.keys().map(move |id| format!("{ns}/{id}")))
                .collect()
        };
        f.debug_struct("VerifiedDocument")
            .field("doc_type", &self.doc_type)
            .field("issuer", &self.issuer)
            .field("issuer_signed", &ids(&self.issuer_signed))
            .field("device_signed", &ids(&self.device_signed))
            .field("device_auth", &self.device_auth)
            .field("status", &self.status.as_ref().map(StatusOutcome::name))
            .field("unchecked", &self.unchecked)
            .finish_non_exhaustive()
    }
}

/// A response that passed every check.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct VerifiedResponse {
    /// The verified documents, in the order received.
    pub documents: Vec<VerifiedDocument>,
    /// Documents the holder did not return: docType → error code (information only).
    pub document_errors: Vec<(String, i64)>,
    /// Every check that ran and passed, in order (per document).
    pub checks: Vec<(usize, Check)>,
}
