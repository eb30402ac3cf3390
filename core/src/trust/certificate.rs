//! One X.509 certificate, parsed, with the exact DER it arrived as.

use core::fmt;
use core::ops::Range;
use std::sync::{Arc, OnceLock};

use der::asn1::{
    Ia5StringRef, ObjectIdentifier, PrintableStringRef, TeletexStringRef, Utf8StringRef,
};
use der::oid::AssociatedOid;
use der::{Decode, Encode, Reader};
use der::{Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};
use x509_cert::ext::Extension;
use x509_cert::name::Name;

use super::TrustError;
use crate::crypto::{CryptoError, EcPublicKey};
use crate::time::UnixTime;

/// An X.509 v3 certificate (RFC 5280 §4.1), parsed from strict DER, keeping its original bytes.
///
/// ```text
/// Certificate  ::=  SEQUENCE  {
///     tbsCertificate       TBSCertificate,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signatureValue       BIT STRING  }
/// ```
///
/// Signatures are checked over the `tbsCertificate` bytes as received, never re-encoded.
/// `Debug` prints only the subject and serial number (authority names, not personal data).
/// Cloning is cheap (the parsed certificate is shared), so a verifier can hand out the trust
/// anchor with every verified document.
#[derive(Clone)]
pub struct Certificate(Arc<Inner>);

struct Inner {
    der: Vec<u8>,
    tbs: Range<usize>,
    parsed: x509_cert::Certificate,
    /// [`Certificate::public_key`], computed on first use: a trust anchor's key is then
    /// parsed and point-checked once, not at every chain validation it ends.
    public_key: OnceLock<Result<EcPublicKey, TrustError>>,
    /// [`Certificate::subject`], formatted on first use.
    subject: OnceLock<String>,
    /// `notBefore` and `notAfter`, read from `der` here (see [`validity`]).
    not_before: UnixTime,
    not_after: UnixTime,
}

impl Certificate {
    /// Parses one DER certificate. Trailing bytes, BER-only encodings and malformed structures
    /// are [`TrustError::Parse`].
    ///
    /// A UTCTime year of 50 to 69 is 1950 to 1969 (RFC 5280 §4.1.2.5), which the `der` crate
    /// cannot represent: such a time is read here, and the structure is parsed from a copy in
    /// which it is replaced by 1970-01-01 (the same length, so nothing else moves). The copy
    /// serves the parsed fields only; the signature is checked over the received bytes and the
    /// validity period is always the one read here. A GeneralizedTime before 1970 stays
    /// [`TrustError::Parse`]: RFC 5280 requires UTCTime for every year before 2050.
    pub fn from_der(der: &[u8]) -> Result<Self, TrustError> {
        let tbs = tbs_range(der).ok_or(TrustError::Parse)?;
        let times = validity(der).ok_or(TrustError::Parse)?;
        let mut patched = None;
        for time in &times {
            if time.utc && time.secs.secs() < 0 {
                let copy = patched.get_or_insert_with(|| der.to_vec());
                copy.get_mut(time.value.clone())
                    .ok_or(TrustError::Parse)?
                    .copy_from_slice(EPOCH_UTC_TIME);
            }
        }
        let parsed = x509_cert::Certificate::from_der(patched.as_deref().unwrap_or(der))
            .map_err(|_| TrustError::Parse)?;
        let [not_before, not_after] = times;
        Ok(Certificate(Arc::new(Inner {
            der: der.to_vec(),
            tbs,
            parsed,
            public_key: OnceLock::new(),
            subject: OnceLock::new(),
            not_before: not_before.secs,
            not_after: not_after.secs,
        })))
    }

    /// Parses one PEM certificate (`-----BEGIN CERTIFICATE-----`, RFC 7468).
    pub fn from_pem(pem: &str) -> Result<Self, TrustError> {
        let (label, der) =
            der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| TrustError::Parse)?;
        if label != PEM_LABEL {
            return Err(TrustError::Parse);
        }
        Self::from_der(&der)
    }

    /// The certificate's DER encoding, exactly as received.
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// The DER `tbsCertificate`, the bytes the issuer signed.
    pub(crate) fn tbs_der(&self) -> &[u8] {
        self.0.der.get(self.0.tbs.clone()).unwrap_or_default()
    }

    /// The parsed form.
    pub(crate) fn parsed(&self) -> &x509_cert::Certificate {
        &self.0.parsed
    }

    /// The subject name: RFC 4514 attribute syntax and escaping, RDNs in the order encoded
    /// (not reversed as in an RFC 4514 string) separated by `", "` — for example
    /// `"CN=utopia ds, C=US"` for the ISO/IEC 18013-5 Annex D document signer, or
    /// `"C=CN, O=zhengzhao test, CN=Test Document Signer"`. An authority's name, not personal
    /// data.
    pub fn subject(&self) -> String {
        self.0
            .subject
            .get_or_init(|| format_name(self.0.parsed.tbs_certificate().subject()))
            .clone()
    }

    /// The issuer name, formatted like [`Certificate::subject`].
    pub fn issuer(&self) -> String {
        format_name(self.0.parsed.tbs_certificate().issuer())
    }

    /// The start of the validity period (`notBefore`).
    pub fn not_before(&self) -> UnixTime {
        self.0.not_before
    }

    /// The end of the validity period (`notAfter`, inclusive).
    pub fn not_after(&self) -> UnixTime {
        self.0.not_after
    }

    /// The subject public key; only P-256 (`id-ecPublicKey`, `prime256v1`) is supported, other
    /// key types are [`TrustError::UnsupportedKey`].
    pub fn public_key(&self) -> Result<EcPublicKey, TrustError> {
        self.0
            .public_key
            .get_or_init(|| self.parse_public_key())
            .clone()
    }

    fn parse_public_key(&self) -> Result<EcPublicKey, TrustError> {
        let spki = self
            .0
            .parsed
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| TrustError::Parse)?;
        EcPublicKey::from_spki_der(&spki).map_err(|e| match e {
            CryptoError::UnsupportedKey => TrustError::UnsupportedKey,
            _ => TrustError::Parse,
        })
    }

    /// Whether basicConstraints is present with `cA` TRUE.
    pub fn is_ca(&self) -> bool {
        matches!(self.basic_constraints(), Ok(Some(bc)) if bc.ca)
    }

    /// The serial number as lower-case hex (big-endian, leading zero bytes stripped).
    pub fn serial_hex(&self) -> String {
        let bytes = self.0.parsed.tbs_certificate().serial_number().as_bytes();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The `dNSName` entries of the subjectAltName extension, in the order encoded (empty
    /// without the extension). A subjectAltName that is present but does not decode is
    /// [`TrustError::MalformedExtension`]. OpenID4VP's `x509_san_dns` client identifiers are
    /// compared against these, exactly.
    pub fn dns_names(&self) -> Result<Vec<String>, TrustError> {
        let san = self
            .extension::<SubjectAltName>()
            .map_err(|_| TrustError::MalformedExtension { position: 0 })?;
        Ok(san
            .map(|san| {
                san.0
                    .iter()
                    .filter_map(|name| match name {
                        GeneralName::DnsName(dns) => Some(dns.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The extensions, empty for v1/v2 certificates.
    pub(crate) fn extensions(&self) -> &[Extension] {
        self.0
            .parsed
            .tbs_certificate()
            .extensions()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn extension<'a, T: Decode<'a> + AssociatedOid>(&'a self) -> Result<Option<T>, Malformed> {
        match self.extensions().iter().find(|e| e.extn_id == T::OID) {
            None => Ok(None),
            Some(ext) => T::from_der(ext.extn_value.as_bytes())
                .map(Some)
                .map_err(|_| Malformed),
        }
    }

    /// basicConstraints, if present; `Err` if present but malformed.
    pub(crate) fn basic_constraints(&self) -> Result<Option<BasicConstraints>, Malformed> {
        self.extension::<BasicConstraints>()
    }

    /// keyUsage, if present; `Err` if present but malformed.
    pub(crate) fn key_usage(&self) -> Result<Option<KeyUsage>, Malformed> {
        self.extension::<KeyUsage>()
    }

    /// extKeyUsage, if present; `Err` if present but malformed.
    pub(crate) fn extended_key_usage(&self) -> Result<Option<ExtendedKeyUsage>, Malformed> {
        self.extension::<ExtendedKeyUsage>()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.0.der == other.0.der
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("serial", &self.serial_hex())
            .finish_non_exhaustive()
    }
}

/// An extension that is present but whose value does not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

const PEM_LABEL: &str = "CERTIFICATE";
const PEM_BEGIN: &str = "-----BEGIN ";
const PEM_END_CERT: &str = "-----END CERTIFICATE-----";

/// Reads certificates from a PEM bundle (one or more `CERTIFICATE` blocks; text between
/// blocks is ignored, blocks of any other type are an error) or from a single DER
/// certificate. An input with no certificate is [`TrustError::Parse`].
pub fn parse_pem_or_der(bytes: &[u8]) -> Result<Vec<Certificate>, TrustError> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![Certificate::from_der(bytes)?]);
    }
    let text = core::str::from_utf8(bytes).map_err(|_| TrustError::Parse)?;
    let mut certs = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(PEM_BEGIN) {
        let block = rest.get(start..).ok_or(TrustError::Parse)?;
        let label = block
            .get(PEM_BEGIN.len()..)
            .and_then(|s| s.split_once("-----"))
            .map(|(label, _)| label)
            .ok_or(TrustError::Parse)?;
        if label != PEM_LABEL {
            return Err(TrustError::Parse);
        }
        let end = block.find(PEM_END_CERT).ok_or(TrustError::Parse)? + PEM_END_CERT.len();
        let pem = block.get(..end).ok_or(TrustError::Parse)?;
        certs.push(Certificate::from_pem(pem)?);
        rest = block.get(end..).ok_or(TrustError::Parse)?;
    }
    if certs.is_empty() {
        return Err(TrustError::Parse);
    }
    Ok(certs)
}

/// The byte ranges of the `notBefore` and `notAfter` values in a certificate's DER (for the
/// test PKI, which writes pre-1970 times itself).
#[cfg(feature = "test-pki")]
pub(super) fn validity_ranges(der: &[u8]) -> Option<[Range<usize>; 2]> {
    let [a, b] = validity(der)?;
    Some([a.value, b.value])
}

/// The `tbsCertificate` bytes of a certificate's DER (for the test PKI).
#[cfg(feature = "test-pki")]
pub(super) fn tbs_bytes(der: &[u8]) -> Option<&[u8]> {
    der.get(tbs_range(der)?)
}

/// The byte range of `tbsCertificate` inside a certificate's DER.
fn tbs_range(der: &[u8]) -> Option<Range<usize>> {
    let mut reader = der::SliceReader::new(der).ok()?;
    let outer = der::Header::decode(&mut reader).ok()?;
    if outer.tag() != der::Tag::Sequence {
        return None;
    }
    let start = usize::try_from(reader.position()).ok()?;
    let tbs = reader.tlv_bytes().ok()?;
    let end = start.checked_add(tbs.len())?;
    Some(start..end)
}

/// Formats a name as `"C=US, O=Org, CN=Name"` (RDNs in encoded order; multi-valued RDNs
/// joined with `+`; values escaped as in RFC 4514, unknown types as `oid=#hex`).
pub(crate) fn format_name(name: &Name) -> String {
    name.iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(format_attribute)
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The attribute types that occur in authorities' names (X.520, RFC 4519, PKCS #9 email),
/// with the key x509-cert's `Display` prints for them: the shortest name in const-oid's
/// database, upper-cased (checked against it in the tests).
///
/// Decision: a type outside this table is printed in RFC 4514's dotted-decimal form
/// (`2.5.4.97=#0c…`) even where const-oid's database knows a name for it. RFC 4514 §2.3
/// allows exactly this (a short name only for types in a published table), and it keeps the
/// whole database — some 55 KB of names, a third of the WebAssembly verifier's data — out of
/// every build: x509-cert's `Display` searches it for each attribute, so calling that
/// `Display` at all links it in.
const SHORT_NAMES: [(ObjectIdentifier, &str); 25] = [
    (ObjectIdentifier::new_unwrap("2.5.4.3"), "CN"),
    (ObjectIdentifier::new_unwrap("2.5.4.4"), "SN"),
    (ObjectIdentifier::new_unwrap("2.5.4.5"), "SERIALNUMBER"),
    (ObjectIdentifier::new_unwrap("2.5.4.6"), "C"),
    (ObjectIdentifier::new_unwrap("2.5.4.7"), "L"),
    (ObjectIdentifier::new_unwrap("2.5.4.8"), "ST"),
    (ObjectIdentifier::new_unwrap("2.5.4.9"), "STREET"),
    (ObjectIdentifier::new_unwrap("2.5.4.10"), "O"),
    (ObjectIdentifier::new_unwrap("2.5.4.11"), "OU"),
    (ObjectIdentifier::new_unwrap("2.5.4.12"), "TITLE"),
    (ObjectIdentifier::new_unwrap("2.5.4.13"), "DESCRIPTION"),
    (ObjectIdentifier::new_unwrap("2.5.4.15"), "BUSINESSCATEGORY"),
    (ObjectIdentifier::new_unwrap("2.5.4.16"), "POSTALADDRESS"),
    (ObjectIdentifier::new_unwrap("2.5.4.17"), "POSTALCODE"),
    (ObjectIdentifier::new_unwrap("2.5.4.18"), "POSTOFFICEBOX"),
    (ObjectIdentifier::new_unwrap("2.5.4.20"), "TELEPHONENUMBER"),
    (ObjectIdentifier::new_unwrap("2.5.4.41"), "NAME"),
    (ObjectIdentifier::new_unwrap("2.5.4.42"), "GN"),
    (ObjectIdentifier::new_unwrap("2.5.4.43"), "INITIALS"),
    (
        ObjectIdentifier::new_unwrap("2.5.4.44"),
        "GENERATIONQUALIFIER",
    ),
    (ObjectIdentifier::new_unwrap("2.5.4.46"), "DNQUALIFIER"),
    (ObjectIdentifier::new_unwrap("2.5.4.65"), "PSEUDONYM"),
    (
        ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1"),
        "UID",
    ),
    (
        ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25"),
        "DC",
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"),
        "EMAIL",
    ),
];

/// One attribute as `KEY=value` (RFC 4514 escaping) for a type in [`SHORT_NAMES`] with a
/// string value, otherwise `oid=#hex` (the DER of the value): what x509-cert's `Display`
/// prints, without its OID database (see [`SHORT_NAMES`] for the one difference).
fn format_attribute(atv: &AttributeTypeAndValue) -> String {
    let key = SHORT_NAMES
        .iter()
        .find(|(oid, _)| *oid == atv.oid)
        .map(|(_, key)| *key);
    let value = match atv.value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(&atv.value)
            .ok()
            .map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(&atv.value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(&atv.value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(&atv.value)
            .ok()
            .map(|s| s.as_str()),
        _ => None,
    };
    let (Some(key), Some(value)) = (key, value) else {
        let mut out = format!("{}=#", atv.oid);
        // A value that does not re-encode prints as `oid=#`; x509-cert's `Display` fails
        // there instead, which `to_string` would turn into a panic.
        for byte in atv.value.to_der().unwrap_or_default() {
            out.push_str(&format!("{byte:02x}"));
        }
        return out;
    };
    let mut out = String::with_capacity(key.len() + 1 + value.len());
    out.push_str(key);
    out.push('=');
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || chars.peek().is_none() => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => out.push_str(&format!("\\{:02x}", c as u8)),
            _ => out.push(c),
        }
    }
    out
}

/// The UTCTime value of 1970-01-01T00:00:00Z, standing in for a pre-1970 one (see
/// [`Certificate::from_der`]).
const EPOCH_UTC_TIME: &[u8; 13] = b"700101000000Z";

/// One validity time: where its value is in the DER, and the instant.
struct ValidityTime {
    value: Range<usize>,
    utc: bool,
    secs: UnixTime,
}

/// `notBefore` and `notAfter` of a certificate's DER, read directly:
///
/// ```text
/// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, serialNumber,
///     signature AlgorithmIdentifier, issuer Name, validity Validity, ... }
/// Validity ::= SEQUENCE { notBefore Time, notAfter Time }
/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// ```
///
/// Only the DER forms RFC 5280 §4.1.2.5 allows: `YYMMDDhhmmssZ` (years 50–99 are 19YY, 00–49
/// are 20YY) and `YYYYMMDDhhmmssZ`. The rest of the structure is checked by the full parse.
fn validity(der: &[u8]) -> Option<[ValidityTime; 2]> {
    let mut reader = der::SliceReader::new(der).ok()?;
    der::Header::decode(&mut reader).ok()?; // Certificate
    der::Header::decode(&mut reader).ok()?; // TBSCertificate
    if reader.peek_byte()? == 0xa0 {
        reader.tlv_bytes().ok()?; // version
    }
    reader.tlv_bytes().ok()?; // serialNumber
    reader.tlv_bytes().ok()?; // signature
    reader.tlv_bytes().ok()?; // issuer
    if der::Header::decode(&mut reader).ok()?.tag() != Tag::Sequence {
        return None;
    }
    let mut time = || -> Option<ValidityTime> {
        let header = der::Header::decode(&mut reader).ok()?;
        let start = usize::try_from(reader.position()).ok()?;
        let value = reader.read_slice(header.length()).ok()?;
        let secs = parse_time(header.tag(), value)?;
        Some(ValidityTime {
            value: start..start.checked_add(value.len())?,
            utc: header.tag() == Tag::UtcTime,
            secs,
        })
    };
    let not_before = time()?;
    let not_after = time()?;
    Some([not_before, not_after])
}

/// A UTCTime or GeneralizedTime value in the one form RFC 5280 allows (UTC, with seconds).
fn parse_time(tag: Tag, value: &[u8]) -> Option<UnixTime> {
    let (year, rest) = match (tag, value.len()) {
        (Tag::UtcTime, 13) => {
            let yy = i64::from(two_digits(value.get(0..2)?)?);
            (
                if yy >= 50 { 1900 + yy } else { 2000 + yy },
                value.get(2..)?,
            )
        }
        (Tag::GeneralizedTime, 15) => {
            let hi = i64::from(two_digits(value.get(0..2)?)?);
            let lo = i64::from(two_digits(value.get(2..4)?)?);
            (hi * 100 + lo, value.get(4..)?)
        }
        _ => return None,
    };
    if rest.get(10) != Some(&b'Z') {
        return None;
    }
    let field = |i: usize| two_digits(rest.get(i..i + 2)?);
    UnixTime::from_civil(year, field(0)?, field(2)?, field(4)?, field(6)?, field(8)?).ok()
}

/// Two ASCII digits as a number.
fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [h, l] if h.is_ascii_digit() && l.is_ascii_digit() => {
            Some(u32::from(h - b'0') * 10 + u32::from(l - b'0'))
        }
        _ => None,
    }
}
#[cfg(test)]
mod tests {
    use der::asn1::Any;

    use super::*;

    /// The direct formatting is byte-identical to x509-cert's `Display` for every listed type,
    /// each string tag, and values needing every kind of escape.
    #[test]
    fn attribute_formatting_matches_x509_cert_display() {
        let values = [
            "Test Issuing Authority CA",
            "#hash",
            "a#b",
            " leading",
            "trailing ",
            " ",
            "a,b+c\"d;e<f>g\\h",
            "ctl\x01\x1f\x7fend",
            "北京市公安局",
            "",
        ];
        let mut checked = 0;
        for (oid, _) in SHORT_NAMES.iter().chain([
            // Not in const-oid's database (organizationIdentifier, jurisdictionC).
            &(ObjectIdentifier::new_unwrap("2.5.4.97"), ""),
            &(ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.60.2.1.3"), ""),
        ]) {
            for tag in [
                Tag::Utf8String,
                Tag::PrintableString,
                Tag::Ia5String,
                Tag::TeletexString,
                Tag::OctetString,
                Tag::BmpString,
            ] {
                for value in values {
                    let Ok(any) = Any::new(tag, value.as_bytes()) else {
                        continue;
                    };
                    let atv = AttributeTypeAndValue {
                        oid: *oid,
                        value: any,
                    };
                    assert_eq!(
                        format_attribute(&atv),
                        atv.to_string(),
                        "{oid} {tag:?} {value:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 800, "{checked}");
    }

    /// A type const-oid's database names but [`SHORT_NAMES`] does not list prints in the
    /// dotted-decimal form (RFC 4514 §2.3), so the database stays out of the build.
    #[test]
    fn unlisted_attribute_type_prints_dotted() {
        let atv = AttributeTypeAndValue {
            // PKCS #9 unstructuredName: "UNSTRUCTUREDNAME" in const-oid's database.
            oid: ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.2"),
            value: Any::new(Tag::Utf8String, b"a b".as_slice()).unwrap(),
        };
        assert_eq!(format_attribute(&atv), "1.2.840.113549.1.9.2=#0c03612062");
    }
}
