//! The Mobile Security Object (ISO/IEC 18013-5 §9.1.2.4).
//!
//! ```cddl
//! MobileSecurityObject = {
//!   "version" : tstr,                    ; "1.0"
//!   "digestAlgorithm" : tstr,            ; "SHA-256"
//!   "valueDigests" : ValueDigests,       ; { NameSpace => { DigestID => Digest } }
//!   "deviceKeyInfo" : DeviceKeyInfo,     ; { "deviceKey": COSE_Key, ? "keyAuthorizations", ? "keyInfo" }
//!   "docType" : tstr,
//!   "validityInfo" : ValidityInfo        ; { "signed", "validFrom", "validUntil": tdate, ? "expectedUpdate" }
//! }
//! MobileSecurityObjectBytes = #6.24(bstr .cbor MobileSecurityObject)
//! ```
//!
//! **Versions.** 18013-5 (2021) defines MSO version `"1.0"`; its §8.1 reserves a change of the
//! major version for changes that are not backwards compatible, so a minor version (`"1.1"`,
//! as drafts of the second edition use for additions such as `status`) only adds optional
//! fields. We accept `"1.<digits>"` and reject every other version string (another major
//! version, `"1."`, `"1.0.1"`, `"1.0-x"`): fail closed on what we cannot know the meaning of.
//! What a newer minor version adds is never silently dropped: every key this library does not
//! process (`status` included: revocation is not checked here) is listed in
//! [`MobileSecurityObject::unknown_keys`] and surfaces as `VerifiedDocument::unchecked`.

use std::collections::BTreeMap;

use crate::cbor::{Limits, Node, TDate, Value, ValueRef};
use crate::cose::{CoseError, CoseKey};
use crate::status::StatusReference;
use crate::structure::{self, StructureError};
use crate::time::UnixTime;

use super::ModelError;

/// The digest algorithm of an MSO. Only SHA-256 is implemented; SHA-384 and SHA-512, which
/// 18013-5 also allows, are rejected with a typed error rather than misverified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// `"SHA-256"`.
    Sha256,
}

impl DigestAlgorithm {
    /// The name 18013-5 uses.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }
}

/// `ValidityInfo`: when the MSO was signed and the window in which it may be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidityInfo {
    /// When the MSO was signed.
    pub signed: UnixTime,
    /// Not valid before.
    pub valid_from: UnixTime,
    /// Not valid after.
    pub valid_until: UnixTime,
    /// When the issuer expects to re-issue, if stated.
    pub expected_update: Option<UnixTime>,
}

impl ValidityInfo {
    fn from_node(v: &ValueRef<'_>) -> Result<Self, ModelError> {
        const AT: &str = "MSO.validityInfo";
        let m = structure::map(v, AT)?;
        let t = |key: &str, at: &'static str| -> Result<UnixTime, ModelError> {
            let v = structure::field(m, key, at)?;
            Ok(TDate::from_node(v)
                .map_err(|_| StructureError::InvalidValue { at })?
                .time())
        };
        let signed = t("signed", "MSO.validityInfo.signed")?;
        let valid_from = t("validFrom", "MSO.validityInfo.validFrom")?;
        let valid_until = t("validUntil", "MSO.validityInfo.validUntil")?;
        let expected_update = match structure::get_text_key(m, "expectedUpdate") {
            Some(v) => Some(
                TDate::from_node(v)
                    .map_err(|_| StructureError::InvalidValue {
                        at: "MSO.validityInfo.expectedUpdate",
                    })?
                    .time(),
            ),
            None => None,
        };
        // The order of the times is a verification rule, not a structural one: the verifier
        // rejects `validUntil <= validFrom` as its own error (`VerifyError::MsoValidityEmpty`).
        Ok(ValidityInfo {
            signed,
            valid_from,
            valid_until,
            expected_update,
        })
    }

    fn to_value(&self) -> Value {
        let mut m = vec![
            (Value::text("signed"), TDate::new(self.signed).to_value()),
            (
                Value::text("validFrom"),
                TDate::new(self.valid_from).to_value(),
            ),
            (
                Value::text("validUntil"),
                TDate::new(self.valid_until).to_value(),
            ),
        ];
        if let Some(u) = self.expected_update {
            m.push((Value::text("expectedUpdate"), TDate::new(u).to_value()));
        }
        Value::Map(m)
    }
}

/// `KeyAuthorizations`: which device-signed namespaces or elements the device key may sign.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyAuthorizations {
    /// Whole namespaces the device key may sign.
    pub namespaces: Vec<String>,
    /// Individual elements per namespace.
    pub data_elements: BTreeMap<String, Vec<String>>,
}

impl KeyAuthorizations {
    /// Whether the device key may sign `element` in `namespace`.
    pub fn allows(&self, namespace: &str, element: &str) -> bool {
        self.namespaces.iter().any(|n| n == namespace)
            || self
                .data_elements
                .get(namespace)
                .is_some_and(|els| els.iter().any(|e| e == element))
    }

    fn from_node(v: &ValueRef<'_>) -> Result<Self, ModelError> {
        const AT: &str = "MSO.deviceKeyInfo.keyAuthorizations";
        let m = structure::map(v, AT)?;
        let mut out = KeyAuthorizations::default();
        if let Some(ns) = structure::get_text_key(m, "nameSpaces") {
            for n in structure::array(ns, AT)? {
                out.namespaces.push(structure::text(n, AT)?.to_owned());
            }
        }
        if let Some(de) = structure::get_text_key(m, "dataElements") {
            for (ns, els) in structure::map(de, AT)? {
                let list = structure::array(els, AT)?
                    .iter()
                    .map(|e| structure::text(e, AT).map(str::to_owned))
                    .collect::<Result<Vec<_>, _>>()?;
                out.data_elements
                    .insert(structure::text(ns, AT)?.to_owned(), list);
            }
        }
        Ok(out)
    }

    fn to_value(&self) -> Value {
        let mut m = Vec::new();
        if !self.namespaces.is_empty() {
            m.push((
                Value::text("nameSpaces"),
                Value::Array(self.namespaces.iter().map(Value::text).collect()),
            ));
        }
        if !self.data_elements.is_empty() {
            m.push((
                Value::text("dataElements"),
                Value::Map(
                    self.data_elements
                        .iter()
                        .map(|(ns, els)| {
                            (
                                Value::text(ns.as_str()),
                                Value::Array(els.iter().map(Value::text).collect()),
                            )
                        })
                        .collect(),
                ),
            ));
        }
        Value::Map(m)
    }
}

/// The MSO keys this library processes.
const MSO_KEYS: &[&str] = &[
    "version",
    "digestAlgorithm",
    "valueDigests",
    "deviceKeyInfo",
    "docType",
    "validityInfo",
    "status",
];
/// The `DeviceKeyInfo` keys this library knows (`keyInfo` is informational in 18013-5 and has
/// nothing to check).
const DEVICE_KEY_INFO_KEYS: &[&str] = &["deviceKey", "keyAuthorizations", "keyInfo"];
/// The `ValidityInfo` keys this library processes.
const VALIDITY_INFO_KEYS: &[&str] = &["signed", "validFrom", "validUntil", "expectedUpdate"];

/// Appends to `out` every key of `m` not in `known`, as `prefix` + its name (a text key), its
/// number (an integer key) or `<kind>` (any other key).
fn push_unknown_keys(
    m: &[(ValueRef<'_>, ValueRef<'_>)],
    known: &[&str],
    prefix: &str,
    out: &mut Vec<String>,
) {
    for (k, _) in m {
        match (k.as_text(), k.as_integer()) {
            (Some(k), _) if known.contains(&k) => {}
            (Some(k), _) => out.push(format!("{prefix}{k}")),
            (None, Some(i)) => out.push(format!("{prefix}{i}")),
            (None, None) => out.push(format!("{prefix}<{}>", k.kind())),
        }
    }
}

/// Whether `version` is one we accept: `"1."` followed by one or more ASCII digits (see the
/// module documentation for why).
fn is_supported_version(version: &str) -> bool {
    version
        .strip_prefix("1.")
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
}

/// The Mobile Security Object: the issuer-signed digests, device key, docType and validity.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MobileSecurityObject {
    /// `"1.0"`, or another `"1.<minor>"` (see the module documentation).
    pub version: String,
    /// The digest algorithm of `value_digests`.
    pub digest_algorithm: DigestAlgorithm,
    /// Namespace → digest ID → digest.
    pub value_digests: BTreeMap<String, BTreeMap<u64, Vec<u8>>>,
    /// The device (holder) key that authenticates presentations.
    pub device_key: CoseKey,
    /// What the device key may sign, if stated.
    pub key_authorizations: Option<KeyAuthorizations>,
    /// The document type.
    pub doc_type: String,
    /// When the MSO may be used.
    pub validity: ValidityInfo,
    /// Where the credential's status is published (the 2nd edition's `"status"`), if it is.
    pub status: Option<StatusReference>,
    /// Keys the MSO carries that this library does not process, in the order received:
    /// top-level keys by name (e.g. `"status"`), nested ones as `"validityInfo.<key>"` or
    /// `"deviceKeyInfo.<key>"`. Their values are signed but unchecked and not kept
    /// ([`MobileSecurityObject::to_value`] does not write them).
    pub unknown_keys: Vec<String>,
}

impl MobileSecurityObject {
    /// Parses the decoded MSO map.
    pub fn from_value(v: &Value, _limits: &Limits) -> Result<Self, ModelError> {
        Self::from_node(&ValueRef::borrowed(v))
    }

    pub(crate) fn from_node(v: &ValueRef<'_>) -> Result<Self, ModelError> {
        const AT: &str = "MSO";
        let m = structure::map(v, AT)?;
        let version = structure::text(
            structure::field(m, "version", "MSO.version")?,
            "MSO.version",
        )?;
        if !is_supported_version(version) {
            return Err(StructureError::InvalidValue { at: "MSO.version" }.into());
        }
        let alg = structure::text(
            structure::field(m, "digestAlgorithm", "MSO.digestAlgorithm")?,
            "MSO.digestAlgorithm",
        )?;
        let digest_algorithm = match alg {
            "SHA-256" => DigestAlgorithm::Sha256,
            _ => return Err(ModelError::UnsupportedDigestAlgorithm),
        };
        let mut value_digests = BTreeMap::new();
        const AT_VD: &str = "MSO.valueDigests";
        for (ns, ids) in structure::map(structure::field(m, "valueDigests", AT_VD)?, AT_VD)? {
            let ns = structure::text(ns, AT_VD)?.to_owned();
            let mut per_ns = BTreeMap::new();
            for (id, digest) in structure::map(ids, AT_VD)? {
                let id = structure::uint(id, "MSO.valueDigests[].digestID")?;
                let digest = structure::bytes(digest, "MSO.valueDigests[].digest")?;
                if digest.len() != 32 {
                    return Err(StructureError::InvalidValue {
                        at: "MSO.valueDigests[].digest",
                    }
                    .into());
                }
                per_ns.insert(id, digest.to_vec());
            }
            value_digests.insert(ns, per_ns);
        }
        const AT_DK: &str = "MSO.deviceKeyInfo";
        let dki = structure::map(structure::field(m, "deviceKeyInfo", AT_DK)?, AT_DK)?;
        let device_key = CoseKey::from_node(
            structure::field(dki, "deviceKey", "MSO.deviceKeyInfo.deviceKey")?,
            "MSO.deviceKeyInfo.deviceKey",
        )
        .map_err(ModelError::DeviceKey)?;
        let key_authorizations = match structure::get_text_key(dki, "keyAuthorizations") {
            Some(v) => Some(KeyAuthorizations::from_node(v)?),
            None => None,
        };
        let doc_type = structure::text(
            structure::field(m, "docType", "MSO.docType")?,
            "MSO.docType",
        )?
        .to_owned();
        let validity_node = structure::field(m, "validityInfo", "MSO.validityInfo")?;
        let validity = ValidityInfo::from_node(validity_node)?;
        let status = match structure::get_text_key(m, "status") {
            Some(v) => Some(StatusReference::from_node(v)?),
            None => None,
        };
        let mut unknown_keys = Vec::new();
        push_unknown_keys(m, MSO_KEYS, "", &mut unknown_keys);
        push_unknown_keys(
            dki,
            DEVICE_KEY_INFO_KEYS,
            "deviceKeyInfo.",
            &mut unknown_keys,
        );
        push_unknown_keys(
            structure::map(validity_node, "MSO.validityInfo")?,
            VALIDITY_INFO_KEYS,
            "validityInfo.",
            &mut unknown_keys,
        );
        Ok(MobileSecurityObject {
            version: version.to_owned(),
            digest_algorithm,
            value_digests,
            device_key,
            key_authorizations,
            doc_type,
            validity,
            status,
            unknown_keys,
        })
    }

    /// The MSO as a CBOR map.
    pub fn to_value(&self) -> Value {
        let mut dki = vec![(Value::text("deviceKey"), self.device_key.to_value())];
        if let Some(ka) = &self.key_authorizations {
            dki.push((Value::text("keyAuthorizations"), ka.to_value()));
        }
        Value::Map(
            vec![
                (Value::text("version"), Value::text(self.version.as_str())),
                (
                    Value::text("digestAlgorithm"),
                    Value::text(self.digest_algorithm.name()),
                ),
                (
                    Value::text("valueDigests"),
                    Value::Map(
                        self.value_digests
                            .iter()
                            .map(|(ns, ids)| {
                                (
                                    Value::text(ns.as_str()),
                                    Value::Map(
                                        ids.iter()
                                            .map(|(id, d)| {
                                                (
                                                    Value::Integer(i128::from(*id)),
                                                    Value::Bytes(d.clone()),
                                                )
                                            })
                                            .collect(),
                                    ),
                                )
                            })
                            .collect(),
                    ),
                ),
                (Value::text("deviceKeyInfo"), Value::Map(dki)),
                (Value::text("docType"), Value::text(self.doc_type.as_str())),
                (Value::text("validityInfo"), self.validity.to_value()),
            ]
            .into_iter()
            .chain(
                self.status
                    .as_ref()
                    .map(|s| (Value::text("status"), s.to_value())),
            )
            .collect(),
        )
    }

    /// The digest for `digest_id` in `namespace`, if the MSO has one.
    pub fn digest(&self, namespace: &str, digest_id: u64) -> Option<&[u8]> {
        self.value_digests
            .get(namespace)
            .and_then(|m| m.get(&digest_id))
            .map(Vec::as_slice)
    }
}

impl From<CoseError> for ModelError {
    fn from(e: CoseError) -> Self {
        ModelError::Cose(e)
    }
}
