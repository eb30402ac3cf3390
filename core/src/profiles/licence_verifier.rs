//! Verifying presentations of licences against a [`TrustList`].
//!
//! [`LicenceVerifier`] runs every check of [`Verifier::verify`] with the list's CAs as the only
//! trust anchors, then maps each document's anchor to its authority
//! ([`TrustList::authorise`]) and refuses a document whose licence type (from its docType) the
//! authority may not issue: a valid signature from the wrong authority is
//! [`AuthorisationError::UnauthorisedLicenceType`].

use super::licence_id::LicenceTypeCode;
use super::trust_list::{AuthorisationError, TrustList, TrustListError};
use super::uscc::Uscc;
use crate::verifier::{Check, VerifiedDocument, Verifier, VerifyError, VerifyOptions};

/// Why a presentation of licences was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LicenceVerifyError {
    /// A verification check failed (see [`VerifyError::check`]).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// Every check passed, but the trust list does not authorise the issuer.
    #[error("document {document}: {source}")]
    Authorisation {
        /// Document index.
        document: usize,
        /// Why.
        source: AuthorisationError,
    },
}

/// A licence that passed verification and whose issuer is authorised for its type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedLicence {
    /// The verified document.
    pub document: VerifiedDocument,
    /// Its licence type (from the docType).
    pub licence_type: LicenceTypeCode,
    /// The issuing authority's name, from the trust list.
    pub authority_name: String,
    /// The issuing authority's code.
    pub authority_code: Uscc,
}

/// A presentation that passed every check and the authorisation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedLicences {
    /// The licences, in the order received.
    pub licences: Vec<VerifiedLicence>,
    /// Documents the holder did not return: docType → error code.
    pub document_errors: Vec<(String, i64)>,
    /// The verification checks that ran and passed (the authorisation runs after them).
    pub checks: Vec<(usize, Check)>,
}

/// Verifies presentations against a [`TrustList`].
#[derive(Debug, Clone)]
pub struct LicenceVerifier {
    list: TrustList,
    verifier: Verifier,
}

impl LicenceVerifier {
    /// A verifier trusting exactly the list's CAs, each for its authority's licence types.
    pub fn new(list: TrustList) -> Self {
        LicenceVerifier {
            verifier: Verifier::new(list.trust_store()),
            list,
        }
    }

    /// The list in use.
    pub fn trust_list(&self) -> &TrustList {
        &self.list
    }

    /// Moves to a newer edition of the list ([`TrustList::update`]).
    pub fn update(&mut self, newer: TrustList) -> Result<(), TrustListError> {
        self.list.update(newer)?;
        self.verifier = Verifier::new(self.list.trust_store());
        Ok(())
    }

    /// Verifies `response` as [`Verifier::verify`] does, with the same options, then
    /// authorises every document.
    pub fn verify(
        &self,
        response: &[u8],
        options: &VerifyOptions<'_>,
    ) -> Result<VerifiedLicences, LicenceVerifyError> {
        let verified = self.verifier.verify(response, options)?;
        let mut licences = Vec::with_capacity(verified.documents.len());
        for (document, doc) in verified.documents.into_iter().enumerate() {
            let authority = self
                .list
                .authorise(&doc)
                .map_err(|source| LicenceVerifyError::Authorisation { document, source })?;
            let licence_type = LicenceTypeCode::from_doc_type(&doc.doc_type).ok_or(
                LicenceVerifyError::Authorisation {
                    document,
                    source: AuthorisationError::NotALicence,
                },
            )?;
            licences.push(VerifiedLicence {
                licence_type,
                authority_name: authority.name().to_owned(),
                authority_code: authority.code().clone(),
                document: doc,
            });
        }
        Ok(VerifiedLicences {
            licences,
            document_errors: verified.document_errors,
            checks: verified.checks,
        })
    }
}
