//! A throw-away ISO/IEC 18013-5 Annex B test PKI: an issuing authority CA with a document
//! signer, and a reader CA with a reader-authentication certificate.
//!
//! Keys are fresh random P-256 keys on every call; nothing here is meant for production.
//! The certificates follow the Annex B profiles closely enough for [`super::validate_chain`]:
//!
//! | certificate | basicConstraints | keyUsage | extKeyUsage | key ids |
//! |---|---|---|---|---|
//! | IACA, reader CA (self-signed) | critical, CA, pathLen 0 | critical, keyCertSign, cRLSign | — | SKI |
//! | document signer | — | critical, digitalSignature | critical, 1.0.18013.5.1.2 | SKI, AKI |
//! | reader | — | critical, digitalSignature | critical, 1.0.18013.5.1.6 | SKI, AKI |
//!
//! Key identifiers are the first 160 bits of SHA-256 over the subject public key (RFC 7093
//! §2 method 1).

use core::str::FromStr;
use core::time::Duration;

use der::asn1::OctetString;
use der::oid::AssociatedOid;
use der::{Decode, Encode};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use super::{
    AnchorRole, Certificate, TrustAnchor, TrustError, TrustStore, EKU_DOCUMENT_SIGNER,
    EKU_READER_AUTH,
};
use crate::crypto::{self, SoftwareKey};
use crate::time::UnixTime;

const DAY: i64 = 86_400;

/// Validity windows and names for [`TestPki::generate_with`].
///
/// Names are written like [`Certificate::subject`] prints them: RFC 4514 attributes in
/// encoded order (most significant first) separated by commas, e.g.
/// `"C=CN, O=zhengzhao test, CN=Test Issuing Authority CA"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPkiOptions {
    /// IACA `notBefore`.
    pub iaca_not_before: UnixTime,
    /// IACA `notAfter`.
    pub iaca_not_after: UnixTime,
    /// Document signer `notBefore`.
    pub ds_not_before: UnixTime,
    /// Document signer `notAfter`.
    pub ds_not_after: UnixTime,
    /// Reader CA `notBefore`.
    pub reader_ca_not_before: UnixTime,
    /// Reader CA `notAfter`.
    pub reader_ca_not_after: UnixTime,
    /// Reader certificate `notBefore`.
    pub reader_not_before: UnixTime,
    /// Reader certificate `notAfter`.
    pub reader_not_after: UnixTime,
    /// IACA subject (and issuer of the document signer).
    pub iaca_name: String,
    /// Document signer subject.
    pub ds_name: String,
    /// Reader CA subject (and issuer of the reader certificate).
    pub reader_ca_name: String,
    /// Reader certificate subject.
    pub reader_name: String,
    /// Status-list signer subject (issued by the IACA, valid like the document signer).
    pub status_signer_name: String,
    /// OpenID4VP verifier certificate subject (issued by the reader CA, valid like the reader
    /// certificate).
    pub verifier_name: String,
    /// The verifier certificate's `dNSName` subjectAltName: an `x509_san_dns` client
    /// identifier names it.
    pub verifier_dns_name: String,
}

impl TestPkiOptions {
    /// Defaults around `now`: the CAs valid from a day before for ten years, the document
    /// signer and reader certificates from a day before for one year.
    pub fn new(now: UnixTime) -> Self {
        let start = now.add_secs(-DAY);
        TestPkiOptions {
            iaca_not_before: start,
            iaca_not_after: now.add_secs(3650 * DAY),
            ds_not_before: start,
            ds_not_after: now.add_secs(365 * DAY),
            reader_ca_not_before: start,
            reader_ca_not_after: now.add_secs(3650 * DAY),
            reader_not_before: start,
            reader_not_after: now.add_secs(365 * DAY),
            iaca_name: "C=CN, O=zhengzhao test, CN=Test Issuing Authority CA".into(),
            ds_name: "C=CN, O=zhengzhao test, CN=Test Document Signer".into(),
            reader_ca_name: "C=CN, O=zhengzhao test, CN=Test Reader CA".into(),
            reader_name: "C=CN, O=zhengzhao test, CN=Test Reader".into(),
            status_signer_name: "C=CN, O=zhengzhao test, CN=Test Status List Signer".into(),
            verifier_name: "C=CN, O=zhengzhao test, CN=Test Online Verifier".into(),
            verifier_dns_name: "verifier.example.cn".into(),
        }
    }
}

/// A generated test PKI: certificates and their private keys.
pub struct TestPki {
    /// The issuing authority CA (self-signed).
    pub iaca: Certificate,
    /// The IACA's private key.
    pub iaca_key: SoftwareKey,
    /// The document signer, issued by the IACA.
    pub document_signer: Certificate,
    /// The document signer's private key (signs MSOs).
    pub document_signer_key: SoftwareKey,
    /// The reader CA (self-signed).
    pub reader_ca: Certificate,
    /// The reader CA's private key.
    pub reader_ca_key: SoftwareKey,
    /// The reader-authentication certificate, issued by the reader CA.
    pub reader: Certificate,
    /// The reader's private key (signs ReaderAuthentication).
    pub reader_key: SoftwareKey,
    /// The status-list signer, issued by the IACA (signs Status List Tokens).
    pub status_signer: Certificate,
    /// The status-list signer's private key.
    pub status_signer_key: SoftwareKey,
    /// The OpenID4VP verifier's request-object signer, issued by the reader CA, with a
    /// `dNSName` subjectAltName and the mdoc reader extKeyUsage.
    pub verifier: Certificate,
    /// The verifier's private key (signs request objects).
    pub verifier_key: SoftwareKey,
}

impl TestPki {
    /// A test PKI with [`TestPkiOptions::new`] defaults around `now`.
    pub fn generate(now: UnixTime) -> Result<TestPki, TrustError> {
        Self::generate_with(&TestPkiOptions::new(now))
    }

    /// A test PKI with the given validity windows and names.
    pub fn generate_with(options: &TestPkiOptions) -> Result<TestPki, TrustError> {
        let iaca_key = new_key()?;
        let iaca_name = parse_name(&options.iaca_name)?;
        let iaca = ca_certificate(
            &iaca_key,
            &iaca_name,
            options.iaca_not_before,
            options.iaca_not_after,
        )?;
        let document_signer_key = new_key()?;
        let document_signer = leaf_certificate(
            &document_signer_key,
            &parse_name(&options.ds_name)?,
            &iaca_key,
            &iaca_name,
            options.ds_not_before,
            options.ds_not_after,
            Some(EKU_DOCUMENT_SIGNER),
        )?;
        // The status-list signer: issued by the IACA, keyUsage digitalSignature, no
        // extKeyUsage (the Token Status List EKU has no OID yet; see ChainUsage::StatusList).
        let status_signer_key = new_key()?;
        let status_signer = leaf_certificate(
            &status_signer_key,
            &parse_name(&options.status_signer_name)?,
            &iaca_key,
            &iaca_name,
            options.ds_not_before,
            options.ds_not_after,
            None,
        )?;

        let reader_ca_key = new_key()?;
        let reader_ca_name = parse_name(&options.reader_ca_name)?;
        let reader_ca = ca_certificate(
            &reader_ca_key,
            &reader_ca_name,
            options.reader_ca_not_before,
            options.reader_ca_not_after,
        )?;
        let reader_key = new_key()?;
        let reader = leaf_certificate(
            &reader_key,
            &parse_name(&options.reader_name)?,
            &reader_ca_key,
            &reader_ca_name,
            options.reader_not_before,
            options.reader_not_after,
            Some(EKU_READER_AUTH),
        )?;

        let verifier_key = new_key()?;
        let verifier = leaf_certificate_with(
            &verifier_key,
            &parse_name(&options.verifier_name)?,
            &reader_ca_key,
            &reader_ca_name,
            options.reader_not_before,
            options.reader_not_after,
            Some(EKU_READER_AUTH),
            Some(&options.verifier_dns_name),
        )?;

        Ok(TestPki {
            iaca,
            iaca_key,
            document_signer,
            document_signer_key,
            reader_ca,
            reader_ca_key,
            reader,
            reader_key,
            status_signer,
            status_signer_key,
            verifier,
            verifier_key,
        })
    }

    /// A store trusting the IACA as an [`AnchorRole::IssuingAuthority`].
    pub fn issuer_trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        store.add(TrustAnchor::new(
            self.iaca.clone(),
            AnchorRole::IssuingAuthority,
        ));
        store
    }

    /// A store trusting the reader CA as an [`AnchorRole::ReaderAuthority`].
    pub fn reader_trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        store.add(TrustAnchor::new(
            self.reader_ca.clone(),
            AnchorRole::ReaderAuthority,
        ));
        store
    }
}

pub(super) fn new_key() -> Result<SoftwareKey, TrustError> {
    SoftwareKey::generate().map_err(|_| TrustError::Build)
}

/// Parses `"C=CN, O=Org, CN=Name"` into a name with the RDNs in the order written.
pub(super) fn parse_name(text: &str) -> Result<Name, TrustError> {
    let mut rdns = RdnSequence::default();
    for part in split_unescaped(text, ',') {
        let rdn = RelativeDistinguishedName::from_str(part.trim_start())
            .map_err(|_| TrustError::Build)?;
        rdns.push(rdn);
    }
    let der = rdns.to_der().map_err(|_| TrustError::Build)?;
    Name::from_der(&der).map_err(|_| TrustError::Build)
}

/// Splits at `sep` where it is not escaped with a backslash.
fn split_unescaped(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == sep => {
                parts.push(text.get(start..i).unwrap_or_default());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

/// The profile of one certificate: fixed names and extensions.
struct Profile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

pub(super) fn extension<T: AssociatedOid + Encode>(
    critical: bool,
    value: &T,
) -> Result<Extension, TrustError> {
    let der = value.to_der().map_err(|_| TrustError::Build)?;
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(der).map_err(|_| TrustError::Build)?,
    })
}

/// RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 of the subject public key.
pub(super) fn key_identifier(key: &SoftwareKey) -> Result<OctetString, TrustError> {
    let digest = crypto::sha256(&key.public().to_sec1_uncompressed());
    OctetString::new(digest.get(..20).unwrap_or_default()).map_err(|_| TrustError::Build)
}

fn ca_certificate(
    key: &SoftwareKey,
    name: &Name,
    not_before: UnixTime,
    not_after: UnixTime,
) -> Result<Certificate, TrustError> {
    let extensions = vec![
        extension(
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: Some(0),
            },
        )?,
        extension(true, &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign))?,
        extension(false, &SubjectKeyIdentifier(key_identifier(key)?))?,
    ];
    build(key, name, name, key, not_before, not_after, extensions)
}

fn leaf_certificate(
    key: &SoftwareKey,
    subject: &Name,
    issuer_key: &SoftwareKey,
    issuer: &Name,
    not_before: UnixTime,
    not_after: UnixTime,
    eku: Option<der::asn1::ObjectIdentifier>,
) -> Result<Certificate, TrustError> {
    leaf_certificate_with(
        key, subject, issuer_key, issuer, not_before, not_after, eku, None,
    )
}

#[allow(clippy::too_many_arguments)]
fn leaf_certificate_with(
    key: &SoftwareKey,
    subject: &Name,
    issuer_key: &SoftwareKey,
    issuer: &Name,
    not_before: UnixTime,
    not_after: UnixTime,
    eku: Option<der::asn1::ObjectIdentifier>,
    dns_name: Option<&str>,
) -> Result<Certificate, TrustError> {
    let mut extensions = vec![extension(
        true,
        &KeyUsage(KeyUsages::DigitalSignature.into()),
    )?];
    if let Some(eku) = eku {
        extensions.push(extension(true, &ExtendedKeyUsage(vec![eku]))?);
    }
    if let Some(dns) = dns_name {
        let dns = der::asn1::Ia5String::new(dns).map_err(|_| TrustError::Build)?;
        extensions.push(extension(
            false,
            &x509_cert::ext::pkix::SubjectAltName(vec![
                x509_cert::ext::pkix::name::GeneralName::DnsName(dns),
            ]),
        )?);
    }
    extensions.extend([
        extension(false, &SubjectKeyIdentifier(key_identifier(key)?))?,
        extension(
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(key_identifier(issuer_key)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
    ]);
    build(
        key, subject, issuer, issuer_key, not_before, not_after, extensions,
    )
}

/// The time for the builder; an instant before 1970 (which `der` cannot represent) is built as
/// the epoch and written into the DER afterwards (see [`build`]).
fn to_time(t: UnixTime) -> Result<Time, TrustError> {
    let secs = u64::try_from(t.secs()).unwrap_or(0);
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(secs))
        .map_err(|_| TrustError::Build)?;
    Ok(Time::from(dt))
}

fn random_serial() -> Result<SerialNumber, TrustError> {
    let mut bytes = crypto::random_bytes(16).map_err(|_| TrustError::Build)?;
    if let Some(first) = bytes.first_mut() {
        // Positive, and exactly 16 bytes long.
        *first = (*first & 0x7f) | 0x40;
    }
    SerialNumber::new(&bytes).map_err(|_| TrustError::Build)
}

pub(super) fn build(
    subject_key: &SoftwareKey,
    subject: &Name,
    issuer: &Name,
    issuer_key: &SoftwareKey,
    not_before: UnixTime,
    not_after: UnixTime,
    extensions: Vec<Extension>,
) -> Result<Certificate, TrustError> {
    let profile = Profile {
        subject: subject.clone(),
        issuer: issuer.clone(),
        extensions,
    };
    let spki = SubjectPublicKeyInfoOwned::from_key(subject_key.public().as_p256())
        .map_err(|_| TrustError::Build)?;
    let validity = Validity::new(to_time(not_before)?, to_time(not_after)?);
    let builder = CertificateBuilder::new(profile, random_serial()?, validity, spki)
        .map_err(|_| TrustError::Build)?;
    let signer = issuer_key.signing_key();
    let cert = builder
        .build::<_, p256::ecdsa::DerSignature>(signer)
        .map_err(|_| TrustError::Build)?;
    let der = cert.to_der().map_err(|_| TrustError::Build)?;
    if not_before.secs() >= 0 && not_after.secs() >= 0 {
        return Certificate::from_der(&der);
    }
    // A time before 1970: write its UTCTime over the epoch the builder got, and sign again.
    let mut der = der;
    let ranges = super::certificate::validity_ranges(&der).ok_or(TrustError::Build)?;
    for (range, t) in ranges.into_iter().zip([not_before, not_after]) {
        if t.secs() < 0 {
            let (y, mo, d, h, mi, s) = t.to_civil();
            if !(1950..1970).contains(&y) {
                return Err(TrustError::Build);
            }
            let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
            der.get_mut(range)
                .filter(|slot| slot.len() == text.len())
                .ok_or(TrustError::Build)?
                .copy_from_slice(text.as_bytes());
        }
    }
    let tbs = super::certificate::tbs_bytes(&der).ok_or(TrustError::Build)?;
    let signature: p256::ecdsa::DerSignature =
        p256::ecdsa::signature::Signer::sign(issuer_key.signing_key(), tbs);
    let algorithm = cert
        .signature_algorithm()
        .to_der()
        .map_err(|_| TrustError::Build)?;
    let mut bit_string = vec![0u8];
    bit_string.extend_from_slice(signature.as_bytes());
    let mut body = tbs.to_vec();
    body.extend_from_slice(&algorithm);
    body.extend(der_tlv(0x03, &bit_string));
    Certificate::from_der(&der_tlv(0x30, &body))
}

/// One DER TLV (definite length, up to 65535 bytes).
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let len = value.len();
    let mut out = vec![tag];
    match u8::try_from(len) {
        Ok(l) if l < 0x80 => out.push(l),
        Ok(l) => out.extend([0x81, l]),
        Err(_) => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
    out
}
