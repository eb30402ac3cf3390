//! `DeviceRequest` (ISO/IEC 18013-5 §8.3.2.1.2.1).
//!
//! ```cddl
//! DeviceRequest = { "version": tstr, "docRequests": [+DocRequest] }
//! DocRequest = { "itemsRequest": ItemsRequestBytes, ? "readerAuth": ReaderAuth }
//! ItemsRequestBytes = #6.24(bstr .cbor ItemsRequest)
//! ItemsRequest = { "docType": DocType, "nameSpaces": NameSpaces, ? "requestInfo": {* tstr => any} }
//! NameSpaces = { + NameSpace => DataElements }   DataElements = { + DataElementIdentifier => IntentToRetain }
//! ReaderAuth = COSE_Sign1   ; detached payload ReaderAuthenticationBytes
//! ```

use crate::cbor::{Embedded, Limits, MapExt, Value};
use crate::cose::CoseSign1;
use crate::structure::{self, StructureError};

use super::{ModelError, MAX_DOCUMENTS};

/// What a reader asks of one document type.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ItemsRequest {
    /// The document type asked for.
    pub doc_type: String,
    /// Namespace → (element identifier, intent to retain), in the order received.
    pub namespaces: Vec<(String, Vec<(String, bool)>)>,
    /// Additional information (e.g. the purpose of use), if any.
    pub request_info: Option<Vec<(Value, Value)>>,
}

impl ItemsRequest {
    /// A request for `doc_type` with no elements yet.
    pub fn new(doc_type: impl Into<String>) -> Self {
        ItemsRequest {
            doc_type: doc_type.into(),
            namespaces: Vec::new(),
            request_info: None,
        }
    }

    /// Adds an element (idempotent).
    pub fn with_element(
        mut self,
        namespace: impl Into<String>,
        element: impl Into<String>,
        intent_to_retain: bool,
    ) -> Self {
        let (namespace, element) = (namespace.into(), element.into());
        let idx = match self.namespaces.iter().position(|(n, _)| *n == namespace) {
            Some(i) => i,
            None => {
                self.namespaces.push((namespace, Vec::new()));
                self.namespaces.len() - 1
            }
        };
        if let Some((_, els)) = self.namespaces.get_mut(idx) {
            match els.iter_mut().find(|(e, _)| *e == element) {
                Some(entry) => entry.1 = intent_to_retain,
                None => els.push((element, intent_to_retain)),
            }
        }
        self
    }

    /// Whether `element` of `namespace` is requested.
    pub fn requests(&self, namespace: &str, element: &str) -> bool {
        self.namespaces
            .iter()
            .any(|(n, els)| n == namespace && els.iter().any(|(e, _)| e == element))
    }

    /// The request as CBOR.
    pub fn to_value(&self) -> Value {
        let mut m = vec![
            (Value::text("docType"), Value::text(self.doc_type.as_str())),
            (
                Value::text("nameSpaces"),
                Value::Map(
                    self.namespaces
                        .iter()
                        .map(|(ns, els)| {
                            (
                                Value::text(ns.as_str()),
                                Value::Map(
                                    els.iter()
                                        .map(|(e, r)| (Value::text(e.as_str()), Value::Bool(*r)))
                                        .collect(),
                                ),
                            )
                        })
                        .collect(),
                ),
            ),
        ];
        if let Some(info) = &self.request_info {
            m.push((Value::text("requestInfo"), Value::Map(info.clone())));
        }
        Value::Map(m)
    }

    fn from_value(v: &Value) -> Result<Self, ModelError> {
        const AT: &str = "ItemsRequest";
        let m = structure::map(v, AT)?;
        let doc_type = structure::text(
            structure::field(m, "docType", "ItemsRequest.docType")?,
            "ItemsRequest.docType",
        )?
        .to_owned();
        const AT_NS: &str = "ItemsRequest.nameSpaces";
        let mut namespaces = Vec::new();
        for (ns, els) in structure::map(structure::field(m, "nameSpaces", AT_NS)?, AT_NS)? {
            let ns = structure::text(ns, AT_NS)?.to_owned();
            let els = structure::map(els, "ItemsRequest.nameSpaces[]")?
                .iter()
                .map(|(e, r)| {
                    Ok((
                        structure::text(e, "ItemsRequest.nameSpaces[]")?.to_owned(),
                        structure::boolean(r, "ItemsRequest.nameSpaces[].intentToRetain")?,
                    ))
                })
                .collect::<Result<Vec<_>, StructureError>>()?;
            namespaces.push((ns, els));
        }
        let request_info = match m.get_text_key("requestInfo") {
            Some(info) => Some(structure::map(info, "ItemsRequest.requestInfo")?.to_vec()),
            None => None,
        };
        Ok(ItemsRequest {
            doc_type,
            namespaces,
            request_info,
        })
    }
}

/// One `DocRequest`: the items request as received plus optional reader authentication.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DocRequest {
    items_request_bytes: Embedded,
    /// The decoded items request.
    pub items_request: ItemsRequest,
    /// `readerAuth`, if the reader signed its request.
    pub reader_auth: Option<CoseSign1>,
}

impl DocRequest {
    /// Wraps an items request (reader side), without reader authentication.
    pub fn new(items_request: ItemsRequest) -> Self {
        DocRequest {
            items_request_bytes: Embedded::wrap_value(&items_request.to_value()),
            items_request,
            reader_auth: None,
        }
    }

    /// The exact `ItemsRequestBytes` (what `readerAuth` signs).
    pub fn items_request_bytes(&self) -> &Embedded {
        &self.items_request_bytes
    }

    fn from_value(v: &Value, limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "DocRequest";
        let m = structure::map(v, AT)?;
        let items_request_bytes = structure::embedded(
            structure::field(m, "itemsRequest", "DocRequest.itemsRequest")?,
            "DocRequest.itemsRequest",
        )?
        .clone();
        let items_request = ItemsRequest::from_value(&structure::decode_embedded(
            &items_request_bytes,
            limits,
            "ItemsRequest",
        )?)?;
        let reader_auth = match m.get_text_key("readerAuth") {
            Some(ra) => Some(CoseSign1::from_value(ra, limits)?),
            None => None,
        };
        Ok(DocRequest {
            items_request_bytes,
            items_request,
            reader_auth,
        })
    }

    fn to_value(&self) -> Value {
        let mut m = vec![(
            Value::text("itemsRequest"),
            Value::Embedded(self.items_request_bytes.clone()),
        )];
        if let Some(ra) = &self.reader_auth {
            m.push((Value::text("readerAuth"), ra.to_value()));
        }
        Value::Map(m)
    }
}

/// A `DeviceRequest`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeviceRequest {
    /// `"1.0"`.
    pub version: String,
    /// The document requests (at least one).
    pub doc_requests: Vec<DocRequest>,
}

impl DeviceRequest {
    /// A version 1.0 request.
    pub fn new(doc_requests: Vec<DocRequest>) -> Self {
        DeviceRequest {
            version: "1.0".to_owned(),
            doc_requests,
        }
    }

    /// Parses DeviceRequest bytes.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, ModelError> {
        const AT: &str = "DeviceRequest";
        let v = structure::decode_at(bytes, limits, AT)?;
        let m = structure::map(&v, AT)?;
        let version = structure::text(
            structure::field(m, "version", "DeviceRequest.version")?,
            "DeviceRequest.version",
        )?;
        if !version.starts_with("1.") {
            return Err(StructureError::InvalidValue {
                at: "DeviceRequest.version",
            }
            .into());
        }
        const AT_D: &str = "DeviceRequest.docRequests";
        let docs = structure::array(structure::field(m, "docRequests", AT_D)?, AT_D)?;
        if docs.is_empty() {
            return Err(StructureError::Empty { at: AT_D }.into());
        }
        if docs.len() > MAX_DOCUMENTS {
            return Err(ModelError::TooManyDocuments);
        }
        Ok(DeviceRequest {
            version: version.to_owned(),
            doc_requests: docs
                .iter()
                .map(|d| DocRequest::from_value(d, limits))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Encodes the request.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::cbor::encode(&Value::Map(vec![
            (Value::text("version"), Value::text(self.version.as_str())),
            (
                Value::text("docRequests"),
                Value::Array(self.doc_requests.iter().map(DocRequest::to_value).collect()),
            ),
        ]))
    }
}

impl DocRequest {
    /// Signs this request as the reader (`readerAuth`: ES256, detached
    /// ReaderAuthenticationBytes, `x5chain` = `reader_chain` leaf first).
    pub fn sign_reader_auth(
        mut self,
        signer: &dyn crate::crypto::Signer,
        reader_chain: &[Vec<u8>],
        transcript: &super::SessionTranscript,
    ) -> Result<Self, crate::cose::CoseError> {
        let payload = transcript.reader_authentication_bytes(&self.items_request_bytes);
        let x5 = match reader_chain {
            [one] => Value::Bytes(one.clone()),
            many => Value::Array(many.iter().cloned().map(Value::Bytes).collect()),
        };
        let unprotected = vec![(Value::Integer(crate::cose::LABEL_X5CHAIN), x5)];
        self.reader_auth = Some(CoseSign1::sign(signer, unprotected, &payload, false)?);
        Ok(self)
    }
}
