//! The cross-province trust list: which authorities issue which licences, under which CAs.
//!
//! Mutual recognition of licences across provinces (跨省通辦, 互通互認) needs every verifier to
//! know every issuing authority — each province's or ministry's CA certificates — and what each
//! may issue: a provincial transport bureau issues driving licences, not business licences.
//! The list is modelled on the VICAL of ISO/IEC 18013-5 (Annex C): a CBOR list of issuer CAs,
//! signed as a COSE_Sign1 by a publisher the verifier trusts, verified before anything in it
//! is used.
//!
//! ```cddl
//! SignedTrustList = COSE_Sign1      ; ES256, payload attached: TrustList bytes,
//!                                   ; unprotected x5chain: the publisher's certificate
//! TrustList = {
//!   "version": "1.0",
//!   "publisher": tstr,              ; who publishes the list
//!   "sequence": uint,               ; grows with every edition; updates must increase it,
//!                                   ; and from_signed refuses one below the caller's minimum
//!   "issued": tdate,
//!   ? "nextUpdate": tdate,          ; after this the list is stale and refused; required in
//!                                   ; a signed list (TrustList::from_signed)
//!   "authorities": [* Authority]
//! }
//! Authority = {
//!   "name": tstr,                   ; e.g. "广东省公安厅"
//!   "code": tstr,                   ; the authority's unified social credit code
//!   ? "region": tstr,               ; six-digit GB/T 2260 division code of its jurisdiction
//!   "certificates": [+ bstr],       ; DER CA certificates (IACAs) its document signers chain to
//!   "licenceTypes": [+ tstr]        ; GB/T 36904 licence type codes it may issue
//! }
//! ```
//!
//! Maps are closed: an unknown key is rejected, as is a certificate that is not a CA, a
//! certificate listed twice (it could not say which authority signed), or an authority twice.
//!
//! [`LicenceVerifier`](super::LicenceVerifier) (module [`licence_verifier`](super::licence_verifier))
//! verifies a presentation with the list's CAs as the only trust anchors, then maps each
//! document's anchor to its authority ([`TrustList::authorise`]) and refuses a document whose
//! licence type (from its docType) the authority may not issue: a valid signature from the
//! wrong authority is [`AuthorisationError::UnauthorisedLicenceType`].

use super::licence_id::{LicenceIdError, LicenceTypeCode};
use super::uscc::{Uscc, UsccError};
use crate::cbor::{self, Limits, TDate, Value};
use crate::cose::{CoseError, CoseSign1, LABEL_X5CHAIN};
use crate::crypto::Signer;
use crate::structure::{self, StructureError};
use crate::time::UnixTime;
use crate::trust::{AnchorRole, Certificate, TrustAnchor, TrustError, TrustStore};
use crate::verifier::VerifiedDocument;

/// The format version written and accepted (`1.x`).
pub const TRUST_LIST_VERSION: &str = "1.0";

/// Why a trust list was refused. Names the authority and certificate by index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// Not the CBOR structure above.
    #[error("trust list: {0}")]
    Malformed(#[from] StructureError),
    /// A version other than `1.x`.
    #[error("unsupported trust list version")]
    Version,
    /// An authority's code is not a valid USCC.
    #[error("authority {authority}: code: {source}")]
    AuthorityCode {
        /// Index of the authority.
        authority: usize,
        /// Which check failed.
        source: UsccError,
    },
    /// A region that is not six digits.
    #[error("authority {authority}: region is not a six-digit division code")]
    Region {
        /// Index of the authority.
        authority: usize,
    },
    /// A certificate that does not parse.
    #[error("authority {authority}: certificate {certificate}: {source}")]
    Certificate {
        /// Index of the authority.
        authority: usize,
        /// Index of the certificate.
        certificate: usize,
        /// Why.
        source: TrustError,
    },
    /// A certificate without basicConstraints `cA` TRUE.
    #[error("authority {authority}: certificate {certificate} is not a CA")]
    NotACa {
        /// Index of the authority.
        authority: usize,
        /// Index of the certificate.
        certificate: usize,
    },
    /// A licence type code that does not parse.
    #[error("authority {authority}: licence type {index}: {source}")]
    LicenceType {
        /// Index of the authority.
        authority: usize,
        /// Index of the licence type.
        index: usize,
        /// Which check failed.
        source: LicenceIdError,
    },
    /// An authority without certificates.
    #[error("authority {authority} has no certificates")]
    NoCertificates {
        /// Index of the authority.
        authority: usize,
    },
    /// An authority without licence types.
    #[error("authority {authority} may issue no licence types")]
    NoLicenceTypes {
        /// Index of the authority.
        authority: usize,
    },
    /// Two authorities with the same code.
    #[error("authority {authority} is listed twice")]
    DuplicateAuthority {
        /// Index of the second one.
        authority: usize,
    },
    /// A certificate listed twice (in one authority or two).
    #[error("authority {authority}: certificate {certificate} is listed twice")]
    DuplicateCertificate {
        /// Index of the authority.
        authority: usize,
        /// Index of the certificate.
        certificate: usize,
    },
    /// The signed list is not a COSE_Sign1 of this profile.
    #[error("signed trust list: {0}")]
    Cose(#[source] CoseError),
    /// The COSE_Sign1 carries no payload.
    #[error("signed trust list has no payload")]
    PayloadMissing,
    /// The signer's certificate is not one of the trusted publishers'.
    #[error("trust list signed by an untrusted publisher")]
    UntrustedPublisher,
    /// The publisher's certificate is not valid at the time, or its key unusable.
    #[error("publisher certificate: {0}")]
    PublisherCertificate(#[source] TrustError),
    /// The signature does not verify.
    #[error("trust list signature invalid")]
    Signature(#[source] CoseError),
    /// The list's `nextUpdate` has passed.
    #[error("trust list expired at {next_update}")]
    Expired {
        /// When it should have been replaced.
        next_update: UnixTime,
    },
    /// An update whose sequence number is not greater than the current one.
    #[error("trust list update {offered} is not newer than {current}")]
    Stale {
        /// The current list's sequence number.
        current: u64,
        /// The offered list's.
        offered: u64,
    },
    /// An update from another publisher.
    #[error("trust list update from another publisher")]
    PublisherMismatch,
    /// A signed list without `nextUpdate`: it could be replayed for ever.
    #[error("signed trust list has no nextUpdate")]
    NextUpdateMissing,
    /// A signed list older than the lowest edition the caller still accepts: an old edition
    /// (which may still list a removed authority) replayed.
    #[error("trust list edition {offered} is older than the lowest accepted, {minimum}")]
    Rollback {
        /// The lowest sequence number accepted.
        minimum: u64,
        /// The offered list's.
        offered: u64,
    },
}

/// An issuing authority: a province's or ministry's licence department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    name: String,
    code: Uscc,
    region: Option<String>,
    certificates: Vec<Certificate>,
    licence_types: Vec<LicenceTypeCode>,
}

impl Authority {
    /// An authority with no certificates or licence types yet.
    pub fn new(name: impl Into<String>, code: Uscc) -> Self {
        Authority {
            name: name.into(),
            code,
            region: None,
            certificates: Vec::new(),
            licence_types: Vec::new(),
        }
    }

    /// Sets the six-digit division code of its jurisdiction (checked when added to a list).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Adds a CA certificate.
    pub fn with_certificate(mut self, certificate: Certificate) -> Self {
        self.certificates.push(certificate);
        self
    }

    /// Adds a licence type it may issue.
    pub fn with_licence_type(mut self, licence_type: LicenceTypeCode) -> Self {
        self.licence_types.push(licence_type);
        self
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its unified social credit code.
    pub fn code(&self) -> &Uscc {
        &self.code
    }

    /// The division code of its jurisdiction, if given.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Its CA certificates.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The licence types it may issue.
    pub fn licence_types(&self) -> &[LicenceTypeCode] {
        &self.licence_types
    }

    /// Whether it may issue licences of `licence_type`.
    pub fn may_issue(&self, licence_type: &LicenceTypeCode) -> bool {
        self.licence_types.contains(licence_type)
    }

    fn to_value(&self) -> Value {
        let mut m = vec![
            (Value::text("name"), Value::text(self.name.as_str())),
            (Value::text("code"), Value::text(self.code.as_str())),
        ];
        if let Some(region) = &self.region {
            m.push((Value::text("region"), Value::text(region.as_str())));
        }
        m.push((
            Value::text("certificates"),
            Value::Array(
                self.certificates
                    .iter()
                    .map(|c| Value::Bytes(c.der().to_vec()))
                    .collect(),
            ),
        ));
        m.push((
            Value::text("licenceTypes"),
            Value::Array(
                self.licence_types
                    .iter()
                    .map(|t| Value::text(t.as_str()))
                    .collect(),
            ),
        ));
        Value::Map(m)
    }

    fn from_value(v: &Value, authority: usize) -> Result<Self, TrustListError> {
        const AT: &str = "TrustList.authorities[]";
        let m = structure::map(v, AT)?;
        structure::only_keys(
            m,
            &["name", "code", "region", "certificates", "licenceTypes"],
            AT,
        )?;
        let name = structure::text(
            structure::field(m, "name", "Authority.name")?,
            "Authority.name",
        )?;
        let code = structure::text(
            structure::field(m, "code", "Authority.code")?,
            "Authority.code",
        )?;
        let code = Uscc::parse(code)
            .map_err(|source| TrustListError::AuthorityCode { authority, source })?;
        let region = match m.iter().find(|(k, _)| k.as_text() == Some("region")) {
            Some((_, r)) => Some(structure::text(r, "Authority.region")?.to_owned()),
            None => None,
        };
        let mut out = Authority::new(name, code);
        out.region = region;
        const AT_C: &str = "Authority.certificates";
        for (certificate, der) in
            structure::array(structure::field(m, "certificates", AT_C)?, AT_C)?
                .iter()
                .enumerate()
        {
            let der = structure::bytes(der, AT_C)?;
            out.certificates
                .push(Certificate::from_der(der).map_err(|source| {
                    TrustListError::Certificate {
                        authority,
                        certificate,
                        source,
                    }
                })?);
        }
        const AT_L: &str = "Authority.licenceTypes";
        for (index, t) in structure::array(structure::field(m, "licenceTypes", AT_L)?, AT_L)?
            .iter()
            .enumerate()
        {
            out.licence_types
                .push(
                    LicenceTypeCode::parse(structure::text(t, AT_L)?).map_err(|source| {
                        TrustListError::LicenceType {
                            authority,
                            index,
                            source,
                        }
                    })?,
                );
        }
        Ok(out)
    }
}

/// A trust list: its publisher and edition, and the authorities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    publisher: String,
    sequence: u64,
    issued: UnixTime,
    next_update: Option<UnixTime>,
    authorities: Vec<Authority>,
}

impl TrustList {
    /// An empty list, edition `sequence`, issued at `issued`.
    pub fn new(publisher: impl Into<String>, sequence: u64, issued: UnixTime) -> Self {
        TrustList {
            publisher: publisher.into(),
            sequence,
            issued,
            next_update: None,
            authorities: Vec::new(),
        }
    }

    /// Sets when the list goes stale.
    pub fn with_next_update(mut self, next_update: UnixTime) -> Self {
        self.next_update = Some(next_update);
        self
    }

    /// Adds an authority after checking it: a valid region if given, at least one
    /// certificate, every certificate a CA and not already listed, at least one licence type,
    /// a code not already listed.
    pub fn add_authority(&mut self, authority: Authority) -> Result<(), TrustListError> {
        let index = self.authorities.len();
        if let Some(region) = &authority.region {
            if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TrustListError::Region { authority: index });
            }
        }
        if authority.certificates.is_empty() {
            return Err(TrustListError::NoCertificates { authority: index });
        }
        if authority.licence_types.is_empty() {
            return Err(TrustListError::NoLicenceTypes { authority: index });
        }
        if self.authorities.iter().any(|a| a.code == authority.code) {
            return Err(TrustListError::DuplicateAuthority { authority: index });
        }
        for (certificate, cert) in authority.certificates.iter().enumerate() {
            if !cert.is_ca() {
                return Err(TrustListError::NotACa {
                    authority: index,
                    certificate,
                });
            }
            let earlier = authority
                .certificates
                .get(..certificate)
                .unwrap_or_default();
            if earlier.contains(cert)
                || self
                    .authorities
                    .iter()
                    .any(|a| a.certificates.contains(cert))
            {
                return Err(TrustListError::DuplicateCertificate {
                    authority: index,
                    certificate,
                });
            }
        }
        self.authorities.push(authority);
        Ok(())
    }

    /// Removes the authority with `code`.
    pub fn remove_authority(&mut self, code: &Uscc) -> Option<Authority> {
        let i = self.authorities.iter().position(|a| a.code == *code)?;
        Some(self.authorities.remove(i))
    }

    /// The publisher.
    pub fn publisher(&self) -> &str {
        &self.publisher
    }

    /// The edition.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// When this edition was issued.
    pub fn issued(&self) -> UnixTime {
        self.issued
    }

    /// When it goes stale, if stated.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// The authorities, in order.
    pub fn authorities(&self) -> &[Authority] {
        &self.authorities
    }

    /// The authority with `code`.
    pub fn authority(&self, code: &Uscc) -> Option<&Authority> {
        self.authorities.iter().find(|a| a.code == *code)
    }

    /// The authority that lists `certificate` (compared as DER).
    pub fn authority_for_anchor(&self, certificate: &Certificate) -> Option<&Authority> {
        self.authorities
            .iter()
            .find(|a| a.certificates.contains(certificate))
    }

    /// Every listed CA as an [`AnchorRole::IssuingAuthority`] trust anchor.
    pub fn trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        for cert in self.authorities.iter().flat_map(|a| &a.certificates) {
            store.add(TrustAnchor::new(cert.clone(), AnchorRole::IssuingAuthority));
        }
        store
    }

    /// Replaces this list with a newer edition from the same publisher.
    pub fn update(&mut self, newer: TrustList) -> Result<(), TrustListError> {
        if newer.publisher != self.publisher {
            return Err(TrustListError::PublisherMismatch);
        }
        if newer.sequence <= self.sequence {
            return Err(TrustListError::Stale {
                current: self.sequence,
                offered: newer.sequence,
            });
        }
        *self = newer;
        Ok(())
    }

    /// Which authority issued a verified document, if it was allowed to: its trust anchor
    /// must be listed, its docType must be a licence docType, and the authority must be
    /// authorised for that licence type.
    pub fn authorise(&self, doc: &VerifiedDocument) -> Result<&Authority, AuthorisationError> {
        let licence_type =
            LicenceTypeCode::from_doc_type(&doc.doc_type).ok_or(AuthorisationError::NotALicence)?;
        let authority = self
            .authority_for_anchor(doc.trust_anchor_certificate())
            .ok_or(AuthorisationError::UnknownAuthority)?;
        if !authority.may_issue(&licence_type) {
            return Err(AuthorisationError::UnauthorisedLicenceType {
                authority: authority.code.clone(),
                licence_type,
            });
        }
        Ok(authority)
    }

    fn to_value(&self) -> Value {
        let mut m = vec![
            (Value::text("version"), Value::text(TRUST_LIST_VERSION)),
            (
                Value::text("publisher"),
                Value::text(self.publisher.as_str()),
            ),
            (
                Value::text("sequence"),
                Value::Integer(i128::from(self.sequence)),
            ),
            (Value::text("issued"), TDate::new(self.issued).to_value()),
        ];
        if let Some(next) = self.next_update {
            m.push((Value::text("nextUpdate"), TDate::new(next).to_value()));
        }
        m.push((
            Value::text("authorities"),
            Value::Array(self.authorities.iter().map(Authority::to_value).collect()),
        ));
        Value::Map(m)
    }

    /// The list as CBOR (unsigned).
    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::encode(&self.to_value())
    }

    /// Reads an unsigned list (from a source already trusted, e.g. bundled with the app).
    /// Every authority is checked as by [`TrustList::add_authority`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TrustListError> {
        const AT: &str = "TrustList";
        let v = structure::decode_at(bytes, &Limits::default(), AT)?;
        let m = structure::map(&v, AT)?;
        structure::only_keys(
            m,
            &[
                "version",
                "publisher",
                "sequence",
                "issued",
                "nextUpdate",
                "authorities",
            ],
            AT,
        )?;
        let version = structure::text(
            structure::field(m, "version", "TrustList.version")?,
            "TrustList.version",
        )?;
        if !version.starts_with("1.") {
            return Err(TrustListError::Version);
        }
        let publisher = structure::text(
            structure::field(m, "publisher", "TrustList.publisher")?,
            "TrustList.publisher",
        )?;
        let sequence = structure::uint(
            structure::field(m, "sequence", "TrustList.sequence")?,
            "TrustList.sequence",
        )?;
        let tdate = |v: &Value, at: &'static str| {
            TDate::from_value(v)
                .map(|t| t.time())
                .map_err(|_| StructureError::InvalidValue { at })
        };
        let issued = tdate(
            structure::field(m, "issued", "TrustList.issued")?,
            "TrustList.issued",
        )?;
        let mut list = TrustList::new(publisher, sequence, issued);
        if let Some((_, next)) = m.iter().find(|(k, _)| k.as_text() == Some("nextUpdate")) {
            list.next_update = Some(tdate(next, "TrustList.nextUpdate")?);
        }
        const AT_A: &str = "TrustList.authorities";
        for (i, a) in structure::array(structure::field(m, "authorities", AT_A)?, AT_A)?
            .iter()
            .enumerate()
        {
            list.add_authority(Authority::from_value(a, i)?)?;
        }
        Ok(list)
    }

    /// Signs the list as its publisher: a COSE_Sign1 (ES256) with the list attached and
    /// `certificate` (the publisher's) in `x5chain`.
    pub fn sign(
        &self,
        signer: &dyn Signer,
        certificate: &Certificate,
    ) -> Result<Vec<u8>, TrustListError> {
        let sign1 = CoseSign1::sign(
            signer,
            vec![(
                Value::Integer(LABEL_X5CHAIN),
                Value::Bytes(certificate.der().to_vec()),
            )],
            &self.to_bytes(),
            true,
        )
        .map_err(TrustListError::Cose)?;
        Ok(cbor::encode(&sign1.to_value()))
    }

    /// Reads a signed list and verifies it before use: the signer's certificate (first in
    /// `x5chain`) must be one of `publishers` (compared as DER) and valid at `at`, the
    /// signature must verify with its key, the list must parse, it must state `nextUpdate`
    /// ([`TrustListError::NextUpdateMissing`]) and `at` must not be after it
    /// ([`TrustListError::Expired`]), and its sequence number must be at least
    /// `min_sequence` ([`TrustListError::Rollback`]).
    ///
    /// `min_sequence` is how the caller refuses a replayed old edition (one that still lists
    /// an authority since removed) at start-up, when there is no current list to compare
    /// with: persist [`TrustList::sequence`] of every list accepted, and pass it here next
    /// time; pass 0 only on first use. It is inclusive, so the edition in use can be loaded
    /// again after a restart. A signed list must state `nextUpdate` because without it an
    /// old edition stays acceptable for as long as its publisher's certificate is valid (the
    /// `nextUpdate` bound is what limits a replay to a device that has no persisted minimum).
    pub fn from_signed(
        bytes: &[u8],
        publishers: &[Certificate],
        at: UnixTime,
        min_sequence: u64,
    ) -> Result<Self, TrustListError> {
        let limits = Limits::default();
        let v = structure::decode_at(bytes, &limits, "SignedTrustList")?;
        let sign1 = CoseSign1::from_value(&v, &limits).map_err(TrustListError::Cose)?;
        let payload = sign1.payload().ok_or(TrustListError::PayloadMissing)?;
        let chain = sign1.x5chain().map_err(TrustListError::Cose)?;
        let leaf = chain.first().ok_or(TrustListError::UntrustedPublisher)?;
        let publisher = publishers
            .iter()
            .find(|p| p.der() == leaf.as_slice())
            .ok_or(TrustListError::UntrustedPublisher)?;
        if at < publisher.not_before() {
            return Err(TrustListError::PublisherCertificate(
                TrustError::NotYetValid { position: 0 },
            ));
        }
        if at > publisher.not_after() {
            return Err(TrustListError::PublisherCertificate(TrustError::Expired {
                position: 0,
            }));
        }
        let key = publisher
            .public_key()
            .map_err(TrustListError::PublisherCertificate)?;
        sign1
            .verify(&key, None)
            .map_err(TrustListError::Signature)?;
        let list = Self::from_bytes(payload)?;
        let next_update = list.next_update.ok_or(TrustListError::NextUpdateMissing)?;
        if at > next_update {
            return Err(TrustListError::Expired { next_update });
        }
        if list.sequence < min_sequence {
            return Err(TrustListError::Rollback {
                minimum: min_sequence,
                offered: list.sequence,
            });
        }
        Ok(list)
    }
}

/// Why a verified document's issuer is not accepted by the trust list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorisationError {
    /// The docType is not `1.2.156.3005.2.<licence type code>`.
    #[error("not an electronic licence docType")]
    NotALicence,
    /// The chain's trust anchor belongs to no listed authority.
    #[error("trust anchor not in the trust list")]
    UnknownAuthority,
    /// The authority is listed but may not issue this licence type.
    #[error("authority {authority} may not issue licence type {licence_type}")]
    UnauthorisedLicenceType {
        /// The authority's code.
        authority: Uscc,
        /// The licence type of the document.
        licence_type: LicenceTypeCode,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::testpki::TestPki;

    fn list(now: UnixTime, pki: &TestPki) -> TrustList {
        let mut list =
            TrustList::new("国家政务服务平台", 7, now).with_next_update(now.add_secs(86_400));
        list.add_authority(
            Authority::new("广东省公安厅", Uscc::parse("11100000000013127D").unwrap())
                .with_region("440000")
                .with_certificate(pki.iaca.clone())
                .with_licence_type(LicenceTypeCode::parse("11100000000013127D001").unwrap()),
        )
        .unwrap();
        list
    }

    /// The signed list goes through the COSE layer's `crit` rule (RFC 9052 §3.1): a protected
    /// header naming a label nobody processes is rejected, typed.
    #[test]
    fn signed_list_with_an_unprocessed_crit_label_is_rejected() {
        let now = UnixTime::from_secs(1_750_000_000);
        let pki = TestPki::generate(now).unwrap();
        let signed = list(now, &pki).sign(&pki.iaca_key, &pki.iaca).unwrap();
        let publishers = [pki.iaca.clone()];
        assert!(TrustList::from_signed(&signed, &publishers, now, 0).is_ok());
        let mut v = cbor::decode(&signed).unwrap();
        if let Value::Array(parts) = &mut v {
            parts[0] = Value::Bytes(cbor::encode(&Value::Map(vec![
                (Value::Integer(1), Value::Integer(-7)),
                (Value::Integer(2), Value::Array(vec![Value::Integer(4)])),
                (Value::Integer(4), Value::Bytes(vec![1])),
            ])));
        }
        assert!(matches!(
            TrustList::from_signed(&cbor::encode(&v), &publishers, now, 0),
            Err(TrustListError::Cose(CoseError::CritUnsupported))
        ));
    }

    #[test]
    fn bytes_round_trip_and_closed_maps() {
        let now = UnixTime::from_secs(1_750_000_000);
        let pki = TestPki::generate(now).unwrap();
        let list = list(now, &pki);
        let back = TrustList::from_bytes(&list.to_bytes()).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.authorities()[0].region(), Some("440000"));

        let mut v = list.to_value();
        if let Value::Map(m) = &mut v {
            m.push((Value::text("extra"), Value::Null));
        }
        assert!(matches!(
            TrustList::from_bytes(&cbor::encode(&v)),
            Err(TrustListError::Malformed(
                StructureError::UnknownField { .. }
            ))
        ));
    }

    #[test]
    fn authorities_are_checked() {
        let now = UnixTime::from_secs(1_750_000_000);
        let pki = TestPki::generate(now).unwrap();
        let mut list = list(now, &pki);
        let code = |s: &str| Uscc::parse(s).unwrap();
        let t = LicenceTypeCode::parse("11100000MB0143028R001").unwrap();
        let other = TestPki::generate(now).unwrap();
        type Expect = fn(&TrustListError) -> bool;
        let cases: Vec<(Authority, Expect)> = vec![
            (
                Authority::new("x", code("11100000MB0143028R")).with_licence_type(t.clone()),
                |e| matches!(e, TrustListError::NoCertificates { authority: 1 }),
            ),
            (
                Authority::new("x", code("11100000MB0143028R"))
                    .with_certificate(other.iaca.clone()),
                |e| matches!(e, TrustListError::NoLicenceTypes { authority: 1 }),
            ),
            (
                Authority::new("x", code("11100000000013127D"))
                    .with_certificate(other.iaca.clone())
                    .with_licence_type(t.clone()),
                |e| matches!(e, TrustListError::DuplicateAuthority { authority: 1 }),
            ),
            (
                Authority::new("x", code("11100000MB0143028R"))
                    .with_certificate(pki.iaca.clone())
                    .with_licence_type(t.clone()),
                |e| {
                    matches!(
                        e,
                        TrustListError::DuplicateCertificate {
                            authority: 1,
                            certificate: 0
                        }
                    )
                },
            ),
            (
                Authority::new("x", code("11100000MB0143028R"))
                    .with_certificate(other.document_signer.clone())
                    .with_licence_type(t.clone()),
                |e| {
                    matches!(
                        e,
                        TrustListError::NotACa {
                            authority: 1,
                            certificate: 0
                        }
                    )
                },
            ),
            (
                Authority::new("x", code("11100000MB0143028R"))
                    .with_region("44")
                    .with_certificate(other.iaca.clone())
                    .with_licence_type(t.clone()),
                |e| matches!(e, TrustListError::Region { authority: 1 }),
            ),
        ];
        for (authority, expected) in cases {
            let err = list.add_authority(authority).unwrap_err();
            assert!(expected(&err), "{err:?}");
        }
        assert_eq!(list.authorities().len(), 1);
        let removed = list.remove_authority(&code("11100000000013127D")).unwrap();
        assert_eq!(removed.name(), "广东省公安厅");
        assert!(list.authorities().is_empty());
    }
}
