//! The session messages (ISO/IEC 18013-5 §9.1.1.4).
//!
//! ```cddl
//! SessionEstablishment = {
//!   "eReaderKey": EReaderKeyBytes,
//!   "data": bstr                      ; encrypted DeviceRequest
//! }
//! EReaderKeyBytes = #6.24(bstr .cbor EReaderKey)
//! SessionData = {
//!   ? "data": bstr,                   ; encrypted DeviceRequest or DeviceResponse
//!   ? "status": uint                  ; 10, 11 or 20
//! }
//! ```

use std::fmt;

use crate::cbor::{encode, Embedded, Limits, MapExt, Value};
use crate::cose::CoseKey;
use crate::crypto::EcPublicKey;
use crate::structure::{self, StructureError};

use super::SessionError;

/// A `SessionData` status code (§9.1.1.4, table 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionStatus {
    /// 10: error, session encryption.
    EncryptionError,
    /// 11: error, CBOR decoding.
    CborDecodingError,
    /// 20: session termination.
    Termination,
    /// Any other code, as received.
    Other(u64),
}

impl SessionStatus {
    /// The numeric code.
    pub fn code(self) -> u64 {
        match self {
            SessionStatus::EncryptionError => 10,
            SessionStatus::CborDecodingError => 11,
            SessionStatus::Termination => 20,
            SessionStatus::Other(code) => code,
        }
    }

    /// The status of a numeric code.
    pub fn from_code(code: u64) -> Self {
        match code {
            10 => SessionStatus::EncryptionError,
            11 => SessionStatus::CborDecodingError,
            20 => SessionStatus::Termination,
            other => SessionStatus::Other(other),
        }
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// The reader's first message: its ephemeral key and the encrypted DeviceRequest.
#[derive(Clone, PartialEq)]
pub struct SessionEstablishment {
    e_reader_key_bytes: Embedded,
    e_reader_key: CoseKey,
    data: Vec<u8>,
}

impl SessionEstablishment {
    /// A message carrying `e_reader_key` (encoded as `EReaderKeyBytes`) and the ciphertext.
    pub fn new(e_reader_key: &EcPublicKey, data: Vec<u8>) -> Self {
        let e_reader_key = CoseKey::new(e_reader_key.clone());
        SessionEstablishment {
            e_reader_key_bytes: Embedded::wrap_value(&e_reader_key.to_value()),
            e_reader_key,
            data,
        }
    }

    /// The message with `EReaderKeyBytes` exactly as given (as they went into the transcript).
    pub(crate) fn from_parts(
        e_reader_key: CoseKey,
        e_reader_key_bytes: Embedded,
        data: Vec<u8>,
    ) -> Self {
        SessionEstablishment {
            e_reader_key_bytes,
            e_reader_key,
            data,
        }
    }

    /// Parses SessionEstablishment bytes. `eReaderKey` must be a P-256 COSE_Key on the curve
    /// ([`SessionError::ReaderKey`]); the structure is a closed map.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, SessionError> {
        const AT: &str = "SessionEstablishment";
        const AT_KEY: &str = "SessionEstablishment.eReaderKey";
        const AT_DATA: &str = "SessionEstablishment.data";
        let v = structure::decode_at(bytes, limits, AT)?;
        let m = structure::map(&v, AT)?;
        structure::only_keys(m, &["eReaderKey", "data"], AT)?;
        let e_reader_key_bytes =
            structure::embedded(structure::field(m, "eReaderKey", AT_KEY)?, AT_KEY)?.clone();
        let data = structure::bytes(structure::field(m, "data", AT_DATA)?, AT_DATA)?.to_vec();
        let key_value = structure::decode_embedded(&e_reader_key_bytes, limits, AT_KEY)?;
        let e_reader_key =
            CoseKey::from_value(&key_value, AT_KEY).map_err(SessionError::ReaderKey)?;
        Ok(SessionEstablishment {
            e_reader_key_bytes,
            e_reader_key,
            data,
        })
    }

    /// `EReaderKeyBytes` exactly as received or built (they go into the transcript).
    pub fn e_reader_key_bytes(&self) -> &Embedded {
        &self.e_reader_key_bytes
    }

    /// The reader's ephemeral public key.
    pub fn e_reader_key(&self) -> &EcPublicKey {
        self.e_reader_key.public_key()
    }

    /// The encrypted DeviceRequest.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The message as CBOR bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&Value::Map(vec![
            (
                Value::text("eReaderKey"),
                Value::Embedded(self.e_reader_key_bytes.clone()),
            ),
            (Value::text("data"), Value::Bytes(self.data.clone())),
        ]))
    }
}

impl fmt::Debug for SessionEstablishment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionEstablishment")
            .field("e_reader_key", &self.e_reader_key)
            .field("data", &format_args!("<{} bytes>", self.data.len()))
            .finish()
    }
}

/// Every later message in either direction: encrypted data, a status, or both.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionData {
    data: Option<Vec<u8>>,
    status: Option<SessionStatus>,
}

impl SessionData {
    /// A message carrying ciphertext only.
    pub fn with_data(data: Vec<u8>) -> Self {
        SessionData {
            data: Some(data),
            status: None,
        }
    }

    /// A message carrying a status only, such as termination (20) or an error (10, 11).
    pub fn with_status(status: SessionStatus) -> Self {
        SessionData {
            data: None,
            status: Some(status),
        }
    }

    /// A message carrying ciphertext and a status (the holder's last response, §9.1.1.4).
    pub fn with_data_and_status(data: Vec<u8>, status: SessionStatus) -> Self {
        SessionData {
            data: Some(data),
            status: Some(status),
        }
    }

    /// Parses SessionData bytes: a closed map with at least one of `data` and `status`.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, SessionError> {
        const AT: &str = "SessionData";
        const AT_DATA: &str = "SessionData.data";
        const AT_STATUS: &str = "SessionData.status";
        let v = structure::decode_at(bytes, limits, AT)?;
        let m = structure::map(&v, AT)?;
        structure::only_keys(m, &["data", "status"], AT)?;
        let data = m
            .get_text_key("data")
            .map(|d| structure::bytes(d, AT_DATA).map(<[u8]>::to_vec))
            .transpose()?;
        let status = m
            .get_text_key("status")
            .map(|s| structure::uint(s, AT_STATUS).map(SessionStatus::from_code))
            .transpose()?;
        if data.is_none() && status.is_none() {
            return Err(StructureError::Missing { at: AT_DATA }.into());
        }
        Ok(SessionData { data, status })
    }

    /// The ciphertext, if any.
    pub fn data(&self) -> Option<&[u8]> {
        self.data.as_deref()
    }

    /// The status, if any.
    pub fn status(&self) -> Option<SessionStatus> {
        self.status
    }

    /// The message as CBOR bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(2);
        if let Some(data) = &self.data {
            m.push((Value::text("data"), Value::Bytes(data.clone())));
        }
        if let Some(status) = self.status {
            m.push((Value::text("status"), Value::int(status.code())));
        }
        encode(&Value::Map(m))
    }
}

impl fmt::Debug for SessionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionData")
            .field("data", &self.data.as_ref().map(|d| d.len()))
            .field("status", &self.status)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::CborError;
    use crate::crypto::SoftwareKey;

    #[test]
    fn session_data_round_trips() {
        for msg in [
            SessionData::with_data(vec![1, 2, 3]),
            SessionData::with_status(SessionStatus::Termination),
            SessionData::with_status(SessionStatus::Other(99)),
            SessionData::with_data_and_status(vec![4], SessionStatus::Termination),
        ] {
            let parsed = SessionData::parse(&msg.to_bytes(), &Limits::default()).unwrap();
            assert_eq!(parsed, msg);
        }
        // Termination is {"status": 20}.
        assert_eq!(
            SessionData::with_status(SessionStatus::Termination).to_bytes(),
            b"\xa1\x66status\x14"
        );
    }

    #[test]
    fn session_data_rejections() {
        let limits = Limits::default();
        let bad: &[(&[u8], &str)] = &[
            (b"\xa0", "empty map"),
            (b"\xa1\x64data\x01", "data not bstr"),
            (b"\xa1\x66status\x20", "negative status"),
            (b"\xa1\x61x\x01", "unknown key"),
            (b"\x80", "not a map"),
        ];
        for (bytes, what) in bad {
            assert!(
                matches!(
                    SessionData::parse(bytes, &limits),
                    Err(SessionError::Malformed(_))
                ),
                "{what}"
            );
        }
        assert!(matches!(
            SessionData::parse(b"\xa1\x66status\x14\x00", &limits),
            Err(SessionError::Malformed(StructureError::Cbor {
                source: CborError::TrailingBytes { .. },
                ..
            }))
        ));
    }

    #[test]
    fn establishment_round_trips_and_checks_the_key() {
        let key = SoftwareKey::generate().unwrap().public();
        let msg = SessionEstablishment::new(&key, vec![9; 20]);
        let parsed = SessionEstablishment::parse(&msg.to_bytes(), &Limits::default()).unwrap();
        assert_eq!(parsed, msg);
        assert_eq!(parsed.e_reader_key(), &key);
        assert_eq!(parsed.to_bytes(), msg.to_bytes());

        // Missing data.
        let no_data = encode(&Value::Map(vec![(
            Value::text("eReaderKey"),
            Value::Embedded(msg.e_reader_key_bytes().clone()),
        )]));
        assert!(matches!(
            SessionEstablishment::parse(&no_data, &Limits::default()),
            Err(SessionError::Malformed(StructureError::Missing { .. }))
        ));
        // A key off the curve.
        let mut y = key.y();
        y[0] ^= 0x80;
        let off = Value::Map(vec![
            (Value::int(1), Value::int(2)),
            (Value::int(-1), Value::int(1)),
            (Value::int(-2), Value::Bytes(key.x().to_vec())),
            (Value::int(-3), Value::Bytes(y.to_vec())),
        ]);
        let bytes = encode(&Value::Map(vec![
            (
                Value::text("eReaderKey"),
                Value::Embedded(Embedded::wrap_value(&off)),
            ),
            (Value::text("data"), Value::Bytes(vec![0; 16])),
        ]));
        assert!(matches!(
            SessionEstablishment::parse(&bytes, &Limits::default()),
            Err(SessionError::ReaderKey(_))
        ));
    }
}
