//! The MSO's `status` map (ISO/IEC 18013-5 2nd edition §12.3.4, §12.3.6): where a
//! credential's status is published.

use crate::cbor::{Node, Value};
use crate::structure::{self, StructureError};

/// The project key of the MSO `status` map for the Chinese licence suspension list (2 bits;
/// see the [module documentation](super)).
pub const CN_STATUS_LIST_KEY: &str = "cn_status_list";

/// A reference into a status list: `{"idx": uint, "uri": tstr, ?"certificate": bstr}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListRef {
    /// The credential's index in the list.
    pub idx: u64,
    /// Where the Status List Token is served; must equal the token's `sub`.
    pub uri: String,
    /// ISO §12.3.6.2: a DER certificate whose key signed the top certificate of the list's
    /// `x5chain`; when present it is the trust point instead of the IACA.
    pub certificate: Option<Vec<u8>>,
}

/// A reference into an identifier list: `{"id": bstr, "uri": tstr, ?"certificate": bstr}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentifierListRef {
    /// The credential's identifier; listed means revoked.
    pub id: Vec<u8>,
    /// Where the Identifier List Token is served.
    pub uri: String,
    /// As for [`StatusListRef::certificate`].
    pub certificate: Option<Vec<u8>>,
}

/// The MSO `status` map: any of the ISO `status_list` (1 bit, revocation), the ISO
/// `identifier_list`, and this library's [`CN_STATUS_LIST_KEY`] (2 bits, suspension). Other
/// keys are RFU: ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusReference {
    /// `status_list`.
    pub status_list: Option<StatusListRef>,
    /// `identifier_list`.
    pub identifier_list: Option<IdentifierListRef>,
    /// [`CN_STATUS_LIST_KEY`].
    pub cn_status_list: Option<StatusListRef>,
}

impl StatusReference {
    /// Whether no list is referenced.
    pub fn is_empty(&self) -> bool {
        self.status_list.is_none()
            && self.identifier_list.is_none()
            && self.cn_status_list.is_none()
    }

    /// Parses the `status` map. A malformed reference is an error, never "no status": a
    /// credential whose revocation entry cannot be read must not pass as unrevocable.
    pub fn from_value(v: &Value) -> Result<StatusReference, StructureError> {
        Self::from_node(v)
    }

    pub(crate) fn from_node<V: Node>(v: &V) -> Result<Self, StructureError> {
        let m = structure::map(v, "MSO.status")?;
        let status_list = match structure::get_text_key(m, "status_list") {
            Some(v) => Some(list_ref(v, "MSO.status.status_list")?),
            None => None,
        };
        let cn_status_list = match structure::get_text_key(m, CN_STATUS_LIST_KEY) {
            Some(v) => Some(list_ref(v, "MSO.status.cn_status_list")?),
            None => None,
        };
        let identifier_list = match structure::get_text_key(m, "identifier_list") {
            Some(v) => {
                const AT: &str = "MSO.status.identifier_list";
                let r = structure::map(v, AT)?;
                Some(IdentifierListRef {
                    id: structure::bytes(structure::field(r, "id", AT)?, AT)?.to_vec(),
                    uri: uri(r, AT)?,
                    certificate: certificate(r, AT)?,
                })
            }
            None => None,
        };
        Ok(StatusReference {
            status_list,
            identifier_list,
            cn_status_list,
        })
    }

    /// The `status` map as CBOR (keys in the order `status_list`, `identifier_list`,
    /// [`CN_STATUS_LIST_KEY`]).
    pub fn to_value(&self) -> Value {
        let mut m = Vec::new();
        if let Some(r) = &self.status_list {
            m.push((Value::text("status_list"), list_ref_value(r)));
        }
        if let Some(r) = &self.identifier_list {
            let mut e = vec![
                (Value::text("id"), Value::Bytes(r.id.clone())),
                (Value::text("uri"), Value::text(r.uri.as_str())),
            ];
            if let Some(c) = &r.certificate {
                e.push((Value::text("certificate"), Value::Bytes(c.clone())));
            }
            m.push((Value::text("identifier_list"), Value::Map(e)));
        }
        if let Some(r) = &self.cn_status_list {
            m.push((Value::text(CN_STATUS_LIST_KEY), list_ref_value(r)));
        }
        Value::Map(m)
    }
}

fn list_ref_value(r: &StatusListRef) -> Value {
    let mut e = vec![
        (Value::text("idx"), Value::Integer(i128::from(r.idx))),
        (Value::text("uri"), Value::text(r.uri.as_str())),
    ];
    if let Some(c) = &r.certificate {
        e.push((Value::text("certificate"), Value::Bytes(c.clone())));
    }
    Value::Map(e)
}

fn uri<V: Node>(m: &[(V, V)], at: &'static str) -> Result<String, StructureError> {
    let uri = structure::text(structure::field(m, "uri", at)?, at)?;
    if uri.is_empty() {
        return Err(StructureError::InvalidValue { at });
    }
    Ok(uri.to_owned())
}

fn certificate<V: Node>(m: &[(V, V)], at: &'static str) -> Result<Option<Vec<u8>>, StructureError> {
    match structure::get_text_key(m, "certificate") {
        Some(c) => Ok(Some(structure::bytes(c, at)?.to_vec())),
        None => Ok(None),
    }
}

fn list_ref<V: Node>(v: &V, at: &'static str) -> Result<StatusListRef, StructureError> {
    let m = structure::map(v, at)?;
    Ok(StatusListRef {
        idx: structure::uint(structure::field(m, "idx", at)?, at)?,
        uri: uri(m, at)?,
        certificate: certificate(m, at)?,
    })
}
