//! The credential as issued and presented (ISO/IEC 18013-5 §8.3.2.1.2.2, §9.1).
//!
//! ```cddl
//! DeviceResponse = { "version": tstr, ? "documents": [+Document],
//!                    ? "documentErrors": [+DocumentError], "status": uint }
//! Document = { "docType": DocType, "issuerSigned": IssuerSigned,
//!              "deviceSigned": DeviceSigned, ? "errors": Errors }
//! IssuerSigned = { ? "nameSpaces": IssuerNameSpaces, "issuerAuth": COSE_Sign1 }
//! IssuerNameSpaces = { + NameSpace => [ + IssuerSignedItemBytes ] }
//! IssuerSignedItemBytes = #6.24(bstr .cbor IssuerSignedItem)
//! IssuerSignedItem = { "digestID": uint, "random": bstr,
//!                      "elementIdentifier": tstr, "elementValue": any }
//! DeviceSigned = { "nameSpaces": DeviceNameSpacesBytes, "deviceAuth": DeviceAuth }
//! DeviceNameSpacesBytes = #6.24(bstr .cbor { * NameSpace => { + tstr => any } })
//! DeviceAuth = { "deviceSignature": COSE_Sign1 // "deviceMac": COSE_Mac0 }
//! ```
//!
//! Every tag-24 item keeps the bytes it was received as ([`Embedded`]); digests and
//! signatures are computed over those bytes, never over a re-encoding.

mod mso;
mod request;
#[cfg(test)]
mod tests;
mod transcript;

pub use mso::{DigestAlgorithm, KeyAuthorizations, MobileSecurityObject, ValidityInfo};
pub use request::{DeviceRequest, DocRequest, ItemsRequest};
pub use transcript::SessionTranscript;

use std::fmt;

use crate::cbor::{Embedded, Limits, Node, Value, ValueRef};
use crate::cose::{CoseError, CoseMac0, CoseSign1};
use crate::structure::{self, StructureError};

/// Why bytes are not a well-formed 18013-5 structure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// CBOR or structure error.
    #[error(transparent)]
    Structure(#[from] StructureError),
    /// A COSE structure is malformed or uses a disallowed algorithm.
    #[error("COSE: {0}")]
    Cose(#[source] CoseError),
    /// The MSO's device key is not an acceptable COSE_Key.
    #[error("MSO device key: {0}")]
    DeviceKey(#[source] CoseError),
    /// The MSO names a digest algorithm other than SHA-256.
    #[error("unsupported MSO digest algorithm")]
    UnsupportedDigestAlgorithm,
    /// More documents than [`MAX_DOCUMENTS`].
    #[error("too many documents")]
    TooManyDocuments,
}

/// Most documents accepted in one DeviceResponse or DeviceRequest.
pub const MAX_DOCUMENTS: usize = 16;

/// One issuer-signed data element: `IssuerSignedItem`.
///
/// `Debug` prints the digest ID, the identifier, the salt's length only and the value as
/// [`Value`]'s redacting `Debug` does: salts and element values are personal data (a salt
/// lets anyone who sees it confirm a guessed value against the MSO digest).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct IssuerSignedItem {
    /// The key of this element's digest in the MSO.
    pub digest_id: u64,
    /// The salt (18013-5 requires at least 16 bytes from the issuer).
    pub random: Vec<u8>,
    /// The element identifier, e.g. `family_name`.
    pub element_identifier: String,
    /// The element value.
    pub element_value: Value,
}

impl fmt::Debug for IssuerSignedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerSignedItem")
            .field("digest_id", &self.digest_id)
            .field("random", &format_args!("<{} bytes>", self.random.len()))
            .field("element_identifier", &self.element_identifier)
            .field("element_value", &self.element_value)
            .finish()
    }
}

impl IssuerSignedItem {
    /// An item from its four fields (issuer side, or a test building one by hand).
    pub fn new(
        digest_id: u64,
        random: Vec<u8>,
        element_identifier: impl Into<String>,
        element_value: Value,
    ) -> Self {
        IssuerSignedItem {
            digest_id,
            random,
            element_identifier: element_identifier.into(),
            element_value,
        }
    }

    /// The item as a CBOR map, in the order 18013-5 lists the fields.
    pub fn to_value(&self) -> Value {
        Value::Map(vec![
            (
                Value::text("digestID"),
                Value::Integer(i128::from(self.digest_id)),
            ),
            (Value::text("random"), Value::Bytes(self.random.clone())),
            (
                Value::text("elementIdentifier"),
                Value::text(self.element_identifier.as_str()),
            ),
            (Value::text("elementValue"), self.element_value.clone()),
        ])
    }

    fn from_node(v: &ValueRef<'_>) -> Result<Self, ModelError> {
        const AT: &str = "IssuerSignedItem";
        let m = structure::map(v, AT)?;
        if m.len() != 4 {
            return Err(StructureError::InvalidValue { at: AT }.into());
        }
        Ok(IssuerSignedItem {
            digest_id: structure::uint(
                structure::field(m, "digestID", "IssuerSignedItem.digestID")?,
                "IssuerSignedItem.digestID",
            )?,
            random: structure::bytes(
                structure::field(m, "random", "IssuerSignedItem.random")?,
                "IssuerSignedItem.random",
            )?
            .to_vec(),
            element_identifier: structure::text(
                structure::field(m, "elementIdentifier", "IssuerSignedItem.elementIdentifier")?,
                "IssuerSignedItem.elementIdentifier",
            )?
            .to_owned(),
            element_value: structure::field(m, "elementValue", "IssuerSignedItem.elementValue")?
                .to_value(),
        })
    }
}

/// An `IssuerSignedItemBytes`: the item together with the exact tag-24 bytes its digest is
/// computed over.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedItem {
    bytes: Embedded,
    item: IssuerSignedItem,
}

impl SignedItem {
    /// Wraps a freshly built item (issuer side).
    pub fn new(item: IssuerSignedItem) -> Self {
        SignedItem {
            bytes: Embedded::wrap_value(&item.to_value()),
            item,
        }
    }

    /// Parses a received `IssuerSignedItemBytes`.
    pub fn from_value(v: &Value, limits: &Limits) -> Result<Self, ModelError> {
        Self::from_node(&ValueRef::borrowed(v), limits)
    }

    fn from_node(v: &ValueRef<'_>, limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "IssuerSignedItemBytes";
        let bytes = structure::embedded_ref(v, AT)?;
        let item =
            IssuerSignedItem::from_node(&structure::decode_embedded_ref(bytes, limits, AT)?)?;
        Ok(SignedItem {
            bytes: bytes.to_embedded(),
            item,
        })
    }

    /// The parts, for a consumer that keeps the item and not the bytes.
    pub(crate) fn into_item(self) -> IssuerSignedItem {
        self.item
    }

    /// The decoded item.
    pub fn item(&self) -> &IssuerSignedItem {
        &self.item
    }

    /// The whole `#6.24(bstr)` as received: what the MSO digest covers.
    pub fn tagged_bytes(&self) -> &[u8] {
        self.bytes.tagged_bytes()
    }

    /// The tag-24 item.
    pub fn to_value(&self) -> Value {
        Value::Embedded(self.bytes.clone())
    }
}

/// `IssuerSigned`: the disclosed (or, in a stored credential, all) issuer-signed items per
/// namespace, and `issuerAuth` (the signed MSO).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct IssuerSigned {
    /// Namespace → items, in the order received.
    pub namespaces: Vec<(String, Vec<SignedItem>)>,
    /// COSE_Sign1 over `MobileSecurityObjectBytes`.
    pub issuer_auth: CoseSign1,
}

impl IssuerSigned {
    /// Parses an `IssuerSigned` map.
    pub fn from_value(v: &Value, limits: &Limits) -> Result<Self, ModelError> {
        Self::from_node(&ValueRef::borrowed(v), limits)
    }

    fn from_node(v: &ValueRef<'_>, limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "IssuerSigned";
        let m = structure::map(v, AT)?;
        structure::only_keys(m, &["nameSpaces", "issuerAuth"], AT)?;
        let mut namespaces = Vec::new();
        if let Some(ns) = structure::get_text_key(m, "nameSpaces") {
            const AT_NS: &str = "IssuerSigned.nameSpaces";
            let entries = structure::map(ns, AT_NS)?;
            if entries.is_empty() {
                return Err(StructureError::Empty { at: AT_NS }.into());
            }
            for (name, items) in entries {
                let name = structure::text(name, AT_NS)?.to_owned();
                let items = structure::array(items, "IssuerSigned.nameSpaces[]")?;
                if items.is_empty() {
                    return Err(StructureError::Empty {
                        at: "IssuerSigned.nameSpaces[]",
                    }
                    .into());
                }
                let items = items
                    .iter()
                    .map(|i| SignedItem::from_node(i, limits))
                    .collect::<Result<Vec<_>, _>>()?;
                namespaces.push((name, items));
            }
        }
        let issuer_auth = CoseSign1::from_node(
            structure::field(m, "issuerAuth", "IssuerSigned.issuerAuth")?,
            limits,
        )?;
        Ok(IssuerSigned {
            namespaces,
            issuer_auth,
        })
    }

    /// The `IssuerSigned` map.
    pub fn to_value(&self) -> Value {
        let mut m = Vec::new();
        if !self.namespaces.is_empty() {
            m.push((
                Value::text("nameSpaces"),
                Value::Map(
                    self.namespaces
                        .iter()
                        .map(|(ns, items)| {
                            (
                                Value::text(ns.as_str()),
                                Value::Array(items.iter().map(SignedItem::to_value).collect()),
                            )
                        })
                        .collect(),
                ),
            ));
        }
        m.push((Value::text("issuerAuth"), self.issuer_auth.to_value()));
        Value::Map(m)
    }

    /// The `MobileSecurityObjectBytes` carried as the `issuerAuth` payload.
    pub fn mso_bytes(&self, limits: &Limits) -> Result<Embedded, ModelError> {
        const AT: &str = "MobileSecurityObjectBytes";
        let payload = self
            .issuer_auth
            .payload()
            .ok_or(StructureError::Missing { at: AT })?;
        Embedded::from_tagged_bytes(payload, limits)
            .map_err(|source| ModelError::Structure(StructureError::Cbor { at: AT, source }))
    }

    /// Decodes the MSO from the `issuerAuth` payload. This does **not** verify the signature.
    pub(crate) fn mso_unverified(
        &self,
        limits: &Limits,
    ) -> Result<MobileSecurityObject, ModelError> {
        // As `mso_bytes`, without copying the payload: the same checks and errors.
        const AT: &str = "MobileSecurityObjectBytes";
        let payload = self
            .issuer_auth
            .payload()
            .ok_or(StructureError::Missing { at: AT })?;
        let e = match structure::decode_ref_at(payload, limits, AT)? {
            ValueRef::Embedded(e) => e,
            _ => {
                return Err(StructureError::Cbor {
                    at: AT,
                    source: crate::cbor::CborError::NotEmbedded,
                }
                .into())
            }
        };
        let v = structure::decode_embedded_ref(e, limits, "MobileSecurityObject")?;
        MobileSecurityObject::from_node(&v)
    }
}

/// How the device authenticated the response.
#[derive(Clone, Debug, PartialEq)]
pub enum DeviceAuth {
    /// `deviceSignature`: ES256 with the MSO device key.
    Signature(CoseSign1),
    /// `deviceMac`: HMAC-SHA-256 with EMacKey from ECDH with the reader's ephemeral key.
    Mac(CoseMac0),
}

/// `DeviceSigned`: device-signed elements (kept as received) and device authentication.
///
/// The decoded namespaces are private beside the bytes they were decoded from, so the two
/// cannot disagree: read them with [`DeviceSigned::namespaces`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeviceSigned {
    namespaces_bytes: Embedded,
    /// Namespace → element identifier → value, as decoded from `namespaces_bytes`.
    namespaces: Vec<(String, Vec<(String, Value)>)>,
    /// The device authentication.
    pub device_auth: DeviceAuth,
}

impl DeviceSigned {
    /// Builds one with no device-signed elements (`#6.24(<<{}>>)`).
    pub fn new(device_auth: DeviceAuth) -> Self {
        DeviceSigned {
            namespaces_bytes: Embedded::wrap_value(&Value::Map(Vec::new())),
            namespaces: Vec::new(),
            device_auth,
        }
    }

    /// The `DeviceNameSpacesBytes` for an empty set of device-signed elements.
    pub fn empty_namespaces_bytes() -> Embedded {
        Embedded::wrap_value(&Value::Map(Vec::new()))
    }

    /// The device-signed elements (namespace → identifier → value), decoded from
    /// [`DeviceSigned::namespaces_bytes`].
    pub fn namespaces(&self) -> &[(String, Vec<(String, Value)>)] {
        &self.namespaces
    }

    /// Takes the decoded elements out (the verifier moves them into its result).
    pub(crate) fn take_namespaces(&mut self) -> Vec<(String, Vec<(String, Value)>)> {
        core::mem::take(&mut self.namespaces)
    }

    /// The exact `DeviceNameSpacesBytes` received (what device authentication covers).
    pub fn namespaces_bytes(&self) -> &Embedded {
        &self.namespaces_bytes
    }

    fn from_node(v: &ValueRef<'_>, limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "DeviceSigned";
        let m = structure::map(v, AT)?;
        structure::only_keys(m, &["nameSpaces", "deviceAuth"], AT)?;
        let namespaces_ref = structure::embedded_ref(
            structure::field(m, "nameSpaces", "DeviceSigned.nameSpaces")?,
            "DeviceSigned.nameSpaces",
        )?;
        let decoded = structure::decode_embedded_ref(namespaces_ref, limits, "DeviceNameSpaces")?;
        let mut namespaces = Vec::new();
        for (ns, els) in structure::map(&decoded, "DeviceNameSpaces")? {
            let ns = structure::text(ns, "DeviceNameSpaces")?.to_owned();
            let mut list = Vec::new();
            for (id, val) in structure::map(els, "DeviceNameSpaces[]")? {
                list.push((
                    structure::text(id, "DeviceNameSpaces[]")?.to_owned(),
                    val.to_value(),
                ));
            }
            namespaces.push((ns, list));
        }
        const AT_DA: &str = "DeviceSigned.deviceAuth";
        let da = structure::map(structure::field(m, "deviceAuth", AT_DA)?, AT_DA)?;
        structure::only_keys(da, &["deviceSignature", "deviceMac"], AT_DA)?;
        let device_auth = match (
            structure::get_text_key(da, "deviceSignature"),
            structure::get_text_key(da, "deviceMac"),
        ) {
            (Some(s), None) => DeviceAuth::Signature(CoseSign1::from_node(s, limits)?),
            (None, Some(mac)) => DeviceAuth::Mac(CoseMac0::from_node(mac, limits)?),
            (None, None) => return Err(StructureError::Missing { at: AT_DA }.into()),
            (Some(_), Some(_)) => return Err(StructureError::InvalidValue { at: AT_DA }.into()),
        };
        Ok(DeviceSigned {
            namespaces_bytes: namespaces_ref.to_embedded(),
            namespaces,
            device_auth,
        })
    }

    fn to_value(&self) -> Value {
        let auth = match &self.device_auth {
            DeviceAuth::Signature(s) => (Value::text("deviceSignature"), s.to_value()),
            DeviceAuth::Mac(m) => (Value::text("deviceMac"), m.to_value()),
        };
        Value::Map(vec![
            (
                Value::text("nameSpaces"),
                Value::Embedded(self.namespaces_bytes.clone()),
            ),
            (Value::text("deviceAuth"), Value::Map(vec![auth])),
        ])
    }
}

/// One `Document` of a DeviceResponse.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Document {
    /// The document type, e.g. `org.iso.18013.5.1.mDL`.
    pub doc_type: String,
    /// Issuer-signed part.
    pub issuer_signed: IssuerSigned,
    /// Device-signed part (required by 18013-5 in a response).
    pub device_signed: DeviceSigned,
}

impl Document {
    fn from_node(v: &ValueRef<'_>, limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "Document";
        let m = structure::map(v, AT)?;
        structure::only_keys(
            m,
            &["docType", "issuerSigned", "deviceSigned", "errors"],
            AT,
        )?;
        Ok(Document {
            doc_type: structure::text(
                structure::field(m, "docType", "Document.docType")?,
                "Document.docType",
            )?
            .to_owned(),
            issuer_signed: IssuerSigned::from_node(
                structure::field(m, "issuerSigned", "Document.issuerSigned")?,
                limits,
            )?,
            device_signed: DeviceSigned::from_node(
                structure::field(m, "deviceSigned", "Document.deviceSigned")?,
                limits,
            )?,
        })
    }

    fn to_value(&self) -> Value {
        Value::Map(vec![
            (Value::text("docType"), Value::text(self.doc_type.as_str())),
            (Value::text("issuerSigned"), self.issuer_signed.to_value()),
            (Value::text("deviceSigned"), self.device_signed.to_value()),
        ])
    }
}

/// A `DeviceResponse`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeviceResponse {
    /// `"1.0"`.
    pub version: String,
    /// The returned documents.
    pub documents: Vec<Document>,
    /// Documents not returned: docType → error code.
    pub document_errors: Vec<(String, i64)>,
    /// 0 = OK, 10 = general error, 11 = CBOR decoding error, 12 = CBOR validation error.
    pub status: u64,
}

impl DeviceResponse {
    /// Parses DeviceResponse bytes (strict CBOR with `limits`).
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, ModelError> {
        let v = structure::decode_ref_at(bytes, limits, "DeviceResponse")?;
        Self::from_node(&v, limits)
    }

    /// Parses a decoded DeviceResponse.
    pub fn from_value(v: &Value, limits: &Limits) -> Result<Self, ModelError> {
        Self::from_node(&ValueRef::borrowed(v), limits)
    }

    fn from_node(v: &ValueRef<'_>, limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "DeviceResponse";
        let m = structure::map(v, AT)?;
        structure::only_keys(m, &["version", "documents", "documentErrors", "status"], AT)?;
        let version = structure::text(
            structure::field(m, "version", "DeviceResponse.version")?,
            "DeviceResponse.version",
        )?;
        // Exactly "1.0": the only DeviceResponse version 18013-5 defines. The version is outside
        // every signature, so accepting "1.x" would let a changed byte pass unnoticed.
        if version != "1.0" {
            return Err(StructureError::InvalidValue {
                at: "DeviceResponse.version",
            }
            .into());
        }
        let mut documents = Vec::new();
        if let Some(docs) = structure::get_text_key(m, "documents") {
            let docs = structure::array(docs, "DeviceResponse.documents")?;
            if docs.len() > MAX_DOCUMENTS {
                return Err(ModelError::TooManyDocuments);
            }
            for d in docs {
                documents.push(Document::from_node(d, limits)?);
            }
        }
        let mut document_errors = Vec::new();
        if let Some(errs) = structure::get_text_key(m, "documentErrors") {
            const AT_E: &str = "DeviceResponse.documentErrors";
            for e in structure::array(errs, AT_E)? {
                for (dt, code) in structure::map(e, AT_E)? {
                    let code = code
                        .as_integer()
                        .and_then(|c| i64::try_from(c).ok())
                        .ok_or(StructureError::InvalidValue { at: AT_E })?;
                    document_errors.push((structure::text(dt, AT_E)?.to_owned(), code));
                }
            }
        }
        let status = structure::uint(
            structure::field(m, "status", "DeviceResponse.status")?,
            "DeviceResponse.status",
        )?;
        Ok(DeviceResponse {
            version: version.to_owned(),
            documents,
            document_errors,
            status,
        })
    }

    /// The DeviceResponse as CBOR.
    pub fn to_value(&self) -> Value {
        let mut m = vec![(Value::text("version"), Value::text(self.version.as_str()))];
        if !self.documents.is_empty() {
            m.push((
                Value::text("documents"),
                Value::Array(self.documents.iter().map(Document::to_value).collect()),
            ));
        }
        if !self.document_errors.is_empty() {
            m.push((
                Value::text("documentErrors"),
                Value::Array(
                    self.document_errors
                        .iter()
                        .map(|(dt, c)| {
                            Value::Map(vec![(
                                Value::text(dt.as_str()),
                                Value::Integer(i128::from(*c)),
                            )])
                        })
                        .collect(),
                ),
            ));
        }
        m.push((
            Value::text("status"),
            Value::Integer(i128::from(self.status)),
        ));
        Value::Map(m)
    }

    /// Encodes the DeviceResponse.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::cbor::encode(&self.to_value())
    }
}

/// A credential as the wallet stores it: the docType and the complete `IssuerSigned`
/// (every element with its salt, and the signed MSO).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Credential {
    /// The document type.
    pub doc_type: String,
    /// All issuer-signed items and `issuerAuth`.
    pub issuer_signed: IssuerSigned,
}

impl Credential {
    /// Encodes as `{"docType": tstr, "issuerSigned": IssuerSigned}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::cbor::encode(&Value::Map(vec![
            (Value::text("docType"), Value::text(self.doc_type.as_str())),
            (Value::text("issuerSigned"), self.issuer_signed.to_value()),
        ]))
    }

    /// Decodes what [`Credential::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Result<Self, ModelError> {
        let v = structure::decode_ref_at(bytes, limits, "Credential")?;
        let m = structure::map(&v, "Credential")?;
        Ok(Credential {
            doc_type: structure::text(
                structure::field(m, "docType", "Credential.docType")?,
                "Credential.docType",
            )?
            .to_owned(),
            issuer_signed: IssuerSigned::from_node(
                structure::field(m, "issuerSigned", "Credential.issuerSigned")?,
                limits,
            )?,
        })
    }

    /// Every element the credential holds, as `(namespace, identifier)`.
    pub fn element_ids(&self) -> Vec<(String, String)> {
        self.issuer_signed
            .namespaces
            .iter()
            .flat_map(|(ns, items)| {
                items
                    .iter()
                    .map(move |i| (ns.clone(), i.item().element_identifier.clone()))
            })
            .collect()
    }
}
