//! The verifier role: check a DeviceResponse completely, offline, and hand out only what
//! every check vouched for.
//!
//! This is the mdoc reader's side of ISO/IEC 18013-5: the DeviceResponse of §8.3.2.1.2.2,
//! the inspection procedure for issuer data authentication of §9.3.1 (certificate chain,
//! `issuerAuth` over the MSO of §9.1.2.4, digests, docType, validity), then mdoc
//! authentication (§9.1.3: `deviceSignature` or `deviceMac` over DeviceAuthentication, and
//! the MSO's `keyAuthorizations`). Entry point: [`Verifier::verify`].
//!
//! For each document, in this order (each a [`Check`], recorded for the audit trail):
//!
//! 1. **well-formed**: strict CBOR within [`Limits`], every structure as 18013-5 defines it;
//! 2. **issuer chain**: the `x5chain` document-signer certificate chains to a trust anchor
//!    authorised for issuing (or is a pinned signer), every certificate valid at the time;
//! 3. **issuer signature**: `issuerAuth` (ES256) verifies with the document-signer key;
//! 4. **docType**: the MSO's docType equals the document's;
//! 5. **validity**: `validFrom < validUntil`, `signed ≤ validUntil`, `signed` within the
//!    document-signer certificate's validity (18013-5 §9.3.1), and `validFrom ≤ time ≤ validUntil`;
//! 6. **digests**: every disclosed item's SHA-256 over its received `IssuerSignedItemBytes`
//!    equals the MSO digest for its namespace and digest ID; no digest ID or element twice;
//! 7. **device authentication**: `deviceSignature` with the MSO device key, or `deviceMac`
//!    with EMacKey (ECDH of the reader's ephemeral key and the device key, HKDF), over
//!    DeviceAuthenticationBytes rebuilt from the given transcript;
//! 8. **key authorizations**: device-signed elements are ones the MSO lets the device sign.
//!
//! The result is either a [`VerifiedResponse`] holding only verified elements, or a
//! [`VerifyError`] naming the failed check. There is no "data plus flags" to ignore.
//!
//! ```
//! # use zhengzhao::cbor::Value;
//! # use zhengzhao::crypto::SoftwareKey;
//! # use zhengzhao::issuer::Issuer;
//! # use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
//! # use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
//! # use zhengzhao::time::UnixTime;
//! # use zhengzhao::trust::testpki::TestPki;
//! use zhengzhao::verifier::{Verifier, VerifyOptions};
//! # let now = UnixTime::now();
//! # let pki = TestPki::generate(now)?;
//! # let trust = pki.issuer_trust_store();
//! # let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
//! # let device_key = SoftwareKey::generate()?;
//! # let credential = issuer.credential("org.iso.18013.5.1.mDL")
//! #     .element("org.iso.18013.5.1", "family_name", Value::text("Zhang"))
//! #     .device_key(device_key.public()).validity(now, now, now.add_secs(86_400)).sign()?;
//! # let transcript = SessionTranscript::new(None, None, &Value::text("example handover"));
//! # let request = DeviceRequest::new(vec![DocRequest::new(ItemsRequest::new("org.iso.18013.5.1.mDL")
//! #     .with_element("org.iso.18013.5.1", "family_name", false))]);
//! # let parsed = ParsedRequest::parse(&request.to_bytes(), &transcript, &RequestOptions::new(now))?;
//! # let mut builder = ResponseBuilder::new(&transcript);
//! # let doc = &parsed.documents()[0];
//! # builder.add_document(&credential, doc, &doc.disclosable(&credential), &device_key)?;
//! # let response_bytes = builder.finish();
//! let opts = VerifyOptions::new(&transcript, now);
//! let verified = Verifier::new(trust).verify(&response_bytes, &opts)?;
//! let doc = &verified.documents[0];
//! assert_eq!(doc.issuer_signed["org.iso.18013.5.1"]["family_name"], Value::text("Zhang"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::cbor::{Limits, Value};
use crate::cose::CoseError;
use crate::crypto::{self, CryptoError, CryptoProvider, KeyAgreement};
use crate::model::{
    DeviceAuth, DeviceResponse, Document, ModelError, SessionTranscript, ValidityInfo,
};
use crate::status::{StatusChecker, StatusError, StatusOutcome};
use crate::time::UnixTime;
use crate::trust::cache::{TrustFingerprint, DEFAULT_CHAIN_CACHE_CAPACITY};
use crate::trust::{Certificate, ChainCache, ChainUsage, TrustError, TrustStore};

mod batch;
mod error;
mod options;
mod result;
pub use batch::BatchItem;
pub use error::{Check, VerifyError};
pub use options::VerifyOptions;
pub use result::{DeviceAuthMethod, Elements, VerifiedDocument, VerifiedResponse};

/// Verifies DeviceResponses against a set of trust anchors.
///
/// A verifier remembers the document-signer chains it validated (a [`ChainCache`] of
/// [`DEFAULT_CHAIN_CACHE_CAPACITY`] chains, on by default; see
/// [`Verifier::with_chain_cache`]), so a chain it has seen before is not parsed or
/// signature-checked again; every certificate's validity period is still checked at each
/// verification time, and [`Check::IssuerChain`] is reported either way. Clones share the
/// cache. `Verifier` is `Send + Sync`: share one across threads, or use
/// [`Verifier::verify_batch`].
#[derive(Clone, Debug)]
pub struct Verifier {
    trust: TrustStore,
    limits: Limits,
    anchors: TrustFingerprint,
    chains: Arc<ChainCache>,
    provider: Arc<dyn CryptoProvider>,
}

impl Verifier {
    /// A verifier trusting `trust` (issuing-authority CAs, or explicitly pinned signers),
    /// with the default crypto provider.
    pub fn new(trust: TrustStore) -> Self {
        Verifier {
            anchors: TrustFingerprint::of(&trust),
            trust,
            limits: Limits::default(),
            chains: Arc::new(ChainCache::new(DEFAULT_CHAIN_CACHE_CAPACITY)),
            provider: crypto::default_provider(),
        }
    }

    /// Replaces the crypto provider. Every signature check (certificate chain, `issuerAuth`,
    /// `deviceSignature`), every digest, and the SHA-256, HKDF and HMAC of `deviceMac` run on
    /// it; the ECDH of `deviceMac` is done by the `reader_key` given to
    /// [`VerifyOptions::with_reader_key`] (wrap a software key in [`crypto::ProviderKey`] to run it on the
    /// same provider).
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// The crypto provider in use.
    pub fn provider(&self) -> &Arc<dyn CryptoProvider> {
        &self.provider
    }

    /// Replaces the chain cache with a new one holding at most `capacity` validated chains
    /// (least recently used evicted first); 0 turns caching off, so every verification
    /// validates the chain in full.
    pub fn with_chain_cache(mut self, capacity: usize) -> Self {
        self.chains = Arc::new(ChainCache::new(capacity));
        self
    }

    /// The chain cache (for its statistics, or to clear it).
    pub fn chain_cache(&self) -> &ChainCache {
        &self.chains
    }

    /// Replaces the CBOR limits (see [`Limits`] for the defaults).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The trust anchors.
    pub fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies `response` (DeviceResponse bytes) against `options`: the session transcript
    /// it must be bound to, the time, and the reader's ephemeral key for `deviceMac`.
    pub fn verify(
        &self,
        response: &[u8],
        options: &VerifyOptions<'_>,
    ) -> Result<VerifiedResponse, VerifyError> {
        let parsed =
            DeviceResponse::parse(response, &self.limits).map_err(VerifyError::Malformed)?;
        if parsed.status != 0 {
            return Err(VerifyError::Status {
                status: parsed.status,
            });
        }
        if parsed.documents.is_empty() {
            return Err(VerifyError::NoDocuments);
        }
        let mut checks = Vec::new();
        let mut documents = Vec::with_capacity(parsed.documents.len());
        for (i, doc) in parsed.documents.into_iter().enumerate() {
            checks.push((i, Check::WellFormed));
            checks.push((i, Check::ResponseStatus));
            documents.push(self.verify_document(i, doc, options, &mut checks)?);
        }
        Ok(VerifiedResponse {
            documents,
            document_errors: parsed.document_errors,
            checks,
        })
    }

    fn verify_document(
        &self,
        document: usize,
        mut doc: Document,
        options: &VerifyOptions<'_>,
        checks: &mut Vec<(usize, Check)>,
    ) -> Result<VerifiedDocument, VerifyError> {
        let (transcript, at, reader_key) = (options.transcript, options.at, options.reader_key);
        let status_checker = options.status;
        let issuer_auth = &doc.issuer_signed.issuer_auth;

        // 2. Issuer chain.
        let chain_der = issuer_auth
            .x5chain()
            .map_err(|source| VerifyError::X5Chain { document, source })?;
        let provider = self.provider.as_ref();
        let validated = self
            .chains
            .validate(
                provider,
                &chain_der,
                &self.trust,
                &self.anchors,
                ChainUsage::DocumentSigner,
                at,
            )
            .map_err(|source| VerifyError::IssuerChain { document, source })?;
        checks.push((document, Check::IssuerChain));

        // 3. Issuer signature over MobileSecurityObjectBytes.
        issuer_auth
            .verify_with(provider, validated.leaf_public_key(), None)
            .map_err(|source| VerifyError::IssuerSignature { document, source })?;
        checks.push((document, Check::IssuerSignature));

        let mso = doc
            .issuer_signed
            .mso_unverified(&self.limits)
            .map_err(|source| VerifyError::MalformedMso { document, source })?;

        // 4. docType.
        if mso.doc_type != doc.doc_type {
            return Err(VerifyError::DocTypeMismatch { document });
        }
        checks.push((document, Check::DocType));

        // 5. Validity: first the MSO's own times (consistent, and signed while the document
        // signer could sign), then the verification time within the window.
        check_mso_times(document, &mso.validity, validated.leaf_validity())?;
        if at < mso.validity.valid_from {
            return Err(VerifyError::MsoNotYetValid {
                document,
                valid_from: mso.validity.valid_from,
            });
        }
        if at > mso.validity.valid_until {
            return Err(VerifyError::MsoExpired {
                document,
                valid_until: mso.validity.valid_until,
            });
        }
        checks.push((document, Check::Validity));

        // 6. Digests.
        // The parsed items are moved into the result, not copied.
        let mut issuer_signed = Elements::new();
        for (ns, items) in core::mem::take(&mut doc.issuer_signed.namespaces) {
            let mut seen_ids = BTreeSet::new();
            let mut out = issuer_signed.remove(&ns).unwrap_or_default();
            for signed in items {
                let digest_id = signed.item().digest_id;
                let expected =
                    mso.digest(&ns, digest_id)
                        .ok_or_else(|| VerifyError::ElementNotInMso {
                            document,
                            namespace: ns.clone(),
                            digest_id,
                        })?;
                if provider.sha256(signed.tagged_bytes()).as_slice() != expected {
                    return Err(VerifyError::DigestMismatch {
                        document,
                        namespace: ns.clone(),
                        digest_id,
                    });
                }
                let item = signed.into_item();
                if !seen_ids.insert(digest_id) || out.contains_key(&item.element_identifier) {
                    return Err(VerifyError::DuplicateElement {
                        document,
                        namespace: ns.clone(),
                    });
                }
                out.insert(item.element_identifier, item.element_value);
            }
            issuer_signed.insert(ns, out);
        }
        checks.push((document, Check::Digests));

        // 7. Device authentication over DeviceAuthenticationBytes rebuilt from our transcript.
        let device_signed = &doc.device_signed;
        let dab =
            transcript.device_authentication_bytes(&doc.doc_type, device_signed.namespaces_bytes());
        let device_key = mso.device_key.public_key();
        let device_auth = match &device_signed.device_auth {
            DeviceAuth::Signature(sig) => {
                sig.verify_with(provider, device_key, Some(&dab))
                    .map_err(|source| VerifyError::DeviceSignature { document, source })?;
                DeviceAuthMethod::Signature
            }
            DeviceAuth::Mac(mac) => {
                let reader_key = reader_key.ok_or(VerifyError::ReaderKeyRequired { document })?;
                let key =
                    crypto::e_mac_key(provider, reader_key, device_key, transcript.tagged_bytes())
                        .map_err(|source| VerifyError::KeyAgreement { document, source })?;
                mac.verify_with(provider, &key, Some(&dab))
                    .map_err(|source| VerifyError::DeviceMac { document, source })?;
                DeviceAuthMethod::Mac
            }
        };
        checks.push((document, Check::DeviceAuthentication));

        // 8. Key authorizations for device-signed elements.
        let mut device_elements = Elements::new();
        for (ns, els) in doc.device_signed.take_namespaces() {
            for (id, value) in els {
                let allowed = mso
                    .key_authorizations
                    .as_ref()
                    .is_some_and(|ka| ka.allows(&ns, &id));
                if !allowed {
                    return Err(VerifyError::KeyAuthorization {
                        document,
                        namespace: ns.clone(),
                    });
                }
                device_elements
                    .entry(ns.clone())
                    .or_default()
                    .insert(id, value);
            }
        }
        checks.push((document, Check::KeyAuthorizations));

        // 9. Status, last (Token Status List §8.3: the credential's own checks come first).
        let mut unchecked = mso.unknown_keys;
        let status = match (status_checker, &mso.status) {
            (Some(checker), Some(reference)) => {
                let iaca = (!validated.is_pinned()).then(|| validated.anchor());
                let outcome = checker.check(reference, iaca, validated.leaf(), at);
                match &outcome {
                    StatusOutcome::Valid => {}
                    StatusOutcome::Invalid => return Err(VerifyError::Revoked { document }),
                    StatusOutcome::Suspended => return Err(VerifyError::Suspended { document }),
                    StatusOutcome::ApplicationSpecific(value) => {
                        return Err(VerifyError::StatusApplicationSpecific {
                            document,
                            value: *value,
                        })
                    }
                    StatusOutcome::Undetermined(source) if !checker.accepts_undetermined() => {
                        return Err(VerifyError::StatusUndetermined {
                            document,
                            source: source.clone(),
                        })
                    }
                    StatusOutcome::Undetermined(_) => {}
                }
                checks.push((document, Check::Status));
                Some(outcome)
            }
            (None, Some(_)) => {
                unchecked.insert(0, "status".to_owned());
                None
            }
            (_, None) => None,
        };

        Ok(VerifiedDocument {
            doc_type: doc.doc_type,
            issuer: validated.leaf_subject().to_owned(),
            trust_anchor: validated.anchor_subject().to_owned(),
            validity: mso.validity,
            issuer_signed,
            device_signed: device_elements,
            device_auth,
            status,
            unchecked,
            anchor: validated.anchor().clone(),
        })
    }
}

/// The [`Check::Validity`] rules on the MSO's own times, independent of the verification time:
///
/// - `validUntil` later than `validFrom` (an empty or inverted window is never usable; equal
///   times are rejected too, since `validFrom ≤ t ≤ validUntil` would then admit one second
///   only, which no issuer means);
/// - `signed` not after `validUntil` (an MSO cannot be signed after it stopped being valid);
/// - `signed` within the document-signer certificate's `notBefore..=notAfter` (18013-5
///   §9.3.1), using the leaf window the chain validation captured, so a chain served from the
///   [`ChainCache`] is held to exactly the same rule as a freshly validated one.
///
/// `signed` is not required to be at or before `validFrom`: 18013-5 does not ask for it and
/// issuers that pre-date `validFrom` for clock skew exist.
fn check_mso_times(
    document: usize,
    validity: &ValidityInfo,
    (not_before, not_after): (UnixTime, UnixTime),
) -> Result<(), VerifyError> {
    let ValidityInfo {
        signed,
        valid_from,
        valid_until,
        ..
    } = *validity;
    if valid_until <= valid_from {
        return Err(VerifyError::MsoValidityEmpty {
            document,
            valid_from,
            valid_until,
        });
    }
    if signed > valid_until {
        return Err(VerifyError::MsoSignedAfterValidUntil {
            document,
            signed,
            valid_until,
        });
    }
    if signed < not_before {
        return Err(VerifyError::MsoSignedBeforeSigner {
            document,
            signed,
            not_before,
        });
    }
    if signed > not_after {
        return Err(VerifyError::MsoSignedAfterSigner {
            document,
            signed,
            not_after,
        });
    }
    Ok(())
}

#[cfg(test)]
mod check_list_tests {
    use super::Check;

    /// The declaration index of `check`. The match has no wildcard, so a new variant does not
    /// compile until it is placed here, and the test below then fails until `ALL` lists it.
    fn position(check: Check) -> usize {
        match check {
            Check::WellFormed => 0,
            Check::ResponseStatus => 1,
            Check::IssuerChain => 2,
            Check::IssuerSignature => 3,
            Check::DocType => 4,
            Check::Validity => 5,
            Check::Digests => 6,
            Check::DeviceAuthentication => 7,
            Check::KeyAuthorizations => 8,
            Check::Status => 9,
        }
    }

    #[test]
    fn all_is_a_slice_so_new_checks_do_not_change_its_type() {
        // Does not compile while `ALL` is an array: the slice type is the public contract.
        const ALL: &[Check] = Check::ALL;
        assert_eq!(ALL.first(), Some(&Check::WellFormed));
    }

    #[test]
    fn all_lists_every_check_once_in_declaration_order() {
        for (i, check) in Check::ALL.iter().copied().enumerate() {
            assert_eq!(position(check), i, "{check}");
        }
        let highest = Check::ALL.iter().copied().map(position).max();
        assert_eq!(highest, Some(Check::ALL.len() - 1));
        let mut names: Vec<&str> = Check::ALL.iter().copied().map(Check::name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Check::ALL.len(), "names are unique");
    }
}
