//! `SessionTranscript` (ISO/IEC 18013-5 §9.1.5.1) and the authentication structures built on it.
//!
//! ```cddl
//! SessionTranscript = [ DeviceEngagementBytes / nil, EReaderKeyBytes / nil, Handover ]
//! SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript)
//! DeviceAuthentication = [ "DeviceAuthentication", SessionTranscript, DocType, DeviceNameSpacesBytes ]
//! ReaderAuthentication = [ "ReaderAuthentication", SessionTranscript, ItemsRequestBytes ]
//! ```
//!
//! The transcript is always kept as the bytes received and spliced, unchanged, into the
//! authentication structures: a transcript from another implementation with non-preferred
//! encodings or an unknown handover (OpenID4VP, the Digital Credentials API, pre-18013-7
//! arrays) verifies exactly as its producer signed it.

use crate::cbor::{encode_into, CborError, Embedded, Limits, Value};
use crate::structure::{self, StructureError};

/// The session transcript, kept as `SessionTranscriptBytes` exactly as received or built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionTranscript {
    bytes: Embedded,
}

impl SessionTranscript {
    /// From `SessionTranscriptBytes` (the `#6.24(bstr)` form), checking that the content is a
    /// three-element array.
    pub fn from_tagged_bytes(bytes: &[u8], limits: &Limits) -> Result<Self, StructureError> {
        let e =
            Embedded::from_tagged_bytes(bytes, limits).map_err(|source| StructureError::Cbor {
                at: "SessionTranscriptBytes",
                source,
            })?;
        Self::from_embedded(e, limits)
    }

    /// From the bare `SessionTranscript` array encoding (wrapped here, content unchanged).
    pub fn from_transcript_bytes(bytes: &[u8], limits: &Limits) -> Result<Self, StructureError> {
        Self::from_embedded(Embedded::wrap(bytes), limits)
    }

    /// Accepts either form: `SessionTranscriptBytes` (tag 24) or the bare array.
    pub fn parse_any(bytes: &[u8], limits: &Limits) -> Result<Self, StructureError> {
        match Embedded::from_tagged_bytes(bytes, limits) {
            Ok(e) => Self::from_embedded(e, limits),
            Err(CborError::NotEmbedded) => Self::from_transcript_bytes(bytes, limits),
            Err(source) => Err(StructureError::Cbor {
                at: "SessionTranscriptBytes",
                source,
            }),
        }
    }

    /// Builds `[DeviceEngagementBytes / nil, EReaderKeyBytes / nil, Handover]`.
    pub fn new(
        device_engagement: Option<&Embedded>,
        e_reader_key: Option<&Embedded>,
        handover: &Value,
    ) -> Self {
        let mut content = vec![0x83];
        let mut push = |e: Option<&Embedded>| match e {
            Some(e) => content.extend_from_slice(e.tagged_bytes()),
            None => content.push(0xf6),
        };
        push(device_engagement);
        push(e_reader_key);
        encode_into(&mut content, handover);
        SessionTranscript {
            bytes: Embedded::wrap(&content),
        }
    }

    fn from_embedded(bytes: Embedded, limits: &Limits) -> Result<Self, StructureError> {
        const AT: &str = "SessionTranscript";
        let v = structure::decode_embedded(&bytes, limits, AT)?;
        if structure::array(&v, AT)?.len() != 3 {
            return Err(StructureError::InvalidValue { at: AT });
        }
        Ok(SessionTranscript { bytes })
    }

    /// `SessionTranscriptBytes`: the tag-24 form, whose SHA-256 salts the session keys.
    pub fn tagged_bytes(&self) -> &[u8] {
        self.bytes.tagged_bytes()
    }

    /// The bare `SessionTranscript` encoding, as spliced into the authentication structures.
    pub fn content(&self) -> &[u8] {
        self.bytes.content()
    }

    /// `DeviceAuthenticationBytes` for `doc_type` and the given `DeviceNameSpacesBytes`.
    pub fn device_authentication_bytes(
        &self,
        doc_type: &str,
        device_namespaces: &Embedded,
    ) -> Vec<u8> {
        let mut content = Vec::with_capacity(self.content().len() + doc_type.len() + 64);
        content.push(0x84);
        encode_into(&mut content, &Value::text("DeviceAuthentication"));
        content.extend_from_slice(self.content());
        encode_into(&mut content, &Value::text(doc_type));
        content.extend_from_slice(device_namespaces.tagged_bytes());
        // `#6.24(bstr)` around it: the bytes `Embedded::wrap` produces, without its copy.
        let mut out = Vec::with_capacity(content.len() + 11);
        out.extend_from_slice(&[0xd8, 0x18]);
        crate::cbor::write_header(&mut out, 2, content.len() as u64);
        out.extend_from_slice(&content);
        out
    }

    /// `ReaderAuthenticationBytes` for the given `ItemsRequestBytes`.
    pub fn reader_authentication_bytes(&self, items_request: &Embedded) -> Vec<u8> {
        let mut content =
            Vec::with_capacity(self.content().len() + items_request.tagged_bytes().len() + 32);
        content.push(0x83);
        encode_into(&mut content, &Value::text("ReaderAuthentication"));
        content.extend_from_slice(self.content());
        content.extend_from_slice(items_request.tagged_bytes());
        Embedded::wrap(&content).tagged_bytes().to_vec()
    }
}
