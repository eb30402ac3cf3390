//! `DeviceEngagement` (ISO/IEC 18013-5 §8.2.1.1) and its QR code form (§8.2.2.3).
//!
//! ```cddl
//! DeviceEngagement = {
//!   0: tstr,                           ; Version
//!   1: Security,
//!   ? 2: DeviceRetrievalMethods,
//!   ? 3: ServerRetrievalMethods,
//!   ? 4: ProtocolInfo,
//!   ? 5: OriginInfos,                  ; ISO/IEC 18013-7
//!   * int => any
//! }
//! Security = [ int, EDeviceKeyBytes ]  ; cipher suite identifier (1), ephemeral device key
//! EDeviceKeyBytes = #6.24(bstr .cbor EDeviceKey)
//! DeviceRetrievalMethods = [ + DeviceRetrievalMethod ]
//! DeviceRetrievalMethod = [ type: uint, version: uint, RetrievalOptions ]
//!                                      ; type 1 NFC, 2 BLE, 3 Wi-Fi Aware
//! NfcOptions = { 0: uint, 1: uint }    ; max command / response data field length
//! BleOptions = { 0: bool, 1: bool,     ; peripheral server / central client mode
//!                ? 10: bstr, ? 11: bstr, ; their UUIDs
//!                ? 20: bstr }          ; peripheral server mode device address
//! WifiOptions = { ? 0: tstr, ? 1: uint, ? 2: uint, ? 3: bstr }
//!                                      ; passphrase, operating class, channel, supported bands
//! DeviceEngagementBytes = #6.24(bstr .cbor DeviceEngagement)
//! ```
//!
//! The QR code holds `mdoc:` followed by the DeviceEngagement encoded in base64url without
//! padding. The engagement keeps the bytes it was received as: `DeviceEngagementBytes` in the
//! session transcript is tag 24 over exactly those bytes.

use std::fmt;

use crate::cbor::{encode, Embedded, Limits, Value};
use crate::cose::{CoseError, CoseKey};
use crate::crypto::EcPublicKey;
use crate::structure::{self, StructureError};

use super::base64url;

/// The URI scheme prefix of an engagement QR code (§8.2.2.3).
pub const QR_PREFIX: &str = "mdoc:";

/// Largest DeviceEngagement accepted, in bytes (a QR code holds at most 2953).
pub const MAX_ENGAGEMENT_LEN: usize = 4096;

/// Cipher suite 1: ECDH P-256, HKDF-SHA-256, AES-256-GCM (§9.1.5). The only one defined.
pub const CIPHER_SUITE_1: i128 = 1;

const AT: &str = "DeviceEngagement";
const AT_VERSION: &str = "DeviceEngagement.version";
const AT_SECURITY: &str = "DeviceEngagement.security";
const AT_KEY: &str = "DeviceEngagement.security.eDeviceKeyBytes";
const AT_METHODS: &str = "DeviceEngagement.deviceRetrievalMethods";
const AT_METHOD: &str = "DeviceEngagement.deviceRetrievalMethods[]";
const AT_OPTIONS: &str = "DeviceEngagement.deviceRetrievalMethods[].options";
const AT_ORIGIN: &str = "DeviceEngagement.originInfos";

const KEY_VERSION: i128 = 0;
const KEY_SECURITY: i128 = 1;
const KEY_METHODS: i128 = 2;
const KEY_ORIGIN_INFOS: i128 = 5;

/// Why a device engagement (or its QR code) was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngagementError {
    /// The QR code text does not start with `mdoc:`.
    #[error("not an mdoc engagement QR code (expected the \"mdoc:\" prefix)")]
    QrPrefix,
    /// The QR code payload is not canonical base64url without padding.
    #[error("QR code payload is not unpadded base64url")]
    Base64,
    /// The engagement is larger than [`MAX_ENGAGEMENT_LEN`].
    #[error("device engagement of {len} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Its length in bytes (decoded, or estimated from the QR text).
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// Not CBOR, or not the DeviceEngagement structure.
    #[error("malformed device engagement: {0}")]
    Malformed(#[from] StructureError),
    /// A version other than 1.x.
    #[error("unsupported device engagement version")]
    UnsupportedVersion,
    /// A cipher suite other than 1.
    #[error("unsupported cipher suite {0}")]
    UnsupportedCipherSuite(i128),
    /// `EDeviceKey` is not an uncompressed P-256 COSE_Key whose point is on the curve.
    #[error("ephemeral device key: {0}")]
    DeviceKey(#[source] CoseError),
}

/// A device retrieval method: how the reader reaches the holder's device after engagement.
///
/// Entries of unknown type, and unknown keys in known options, are kept as received.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RetrievalMethod {
    /// Type 1: NFC.
    Nfc {
        /// The method's version.
        version: u64,
        /// The NFC options.
        options: NfcOptions,
    },
    /// Type 2: Bluetooth Low Energy.
    Ble {
        /// The method's version.
        version: u64,
        /// The BLE options.
        options: BleOptions,
    },
    /// Type 3: Wi-Fi Aware.
    WifiAware {
        /// The method's version.
        version: u64,
        /// The Wi-Fi Aware options.
        options: WifiAwareOptions,
    },
    /// Any other type, kept as received.
    Other {
        /// The method type.
        method_type: u64,
        /// The method's version.
        version: u64,
        /// The options, as received.
        options: Value,
    },
}

/// NFC retrieval options: `{0: uint, 1: uint}`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NfcOptions {
    /// Maximum length of the command data field.
    pub max_command_data_length: u64,
    /// Maximum length of the response data field.
    pub max_response_data_length: u64,
    /// Other entries, as received.
    pub other: Vec<(Value, Value)>,
}

impl NfcOptions {
    /// Options with the two maximum lengths.
    pub fn new(max_command_data_length: u64, max_response_data_length: u64) -> Self {
        NfcOptions {
            max_command_data_length,
            max_response_data_length,
            other: Vec::new(),
        }
    }
}

/// BLE retrieval options: `{0: bool, 1: bool, ? 10: bstr, ? 11: bstr, ? 20: bstr}`.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct BleOptions {
    /// mdoc peripheral server mode supported.
    pub peripheral_server_mode: bool,
    /// mdoc central client mode supported.
    pub central_client_mode: bool,
    /// The UUID for peripheral server mode.
    pub peripheral_server_uuid: Option<Vec<u8>>,
    /// The UUID for central client mode.
    pub central_client_uuid: Option<Vec<u8>>,
    /// The device address for peripheral server mode (not printed by `Debug`).
    pub peripheral_server_address: Option<Vec<u8>>,
    /// Other entries, as received.
    pub other: Vec<(Value, Value)>,
}

impl BleOptions {
    /// Central client mode with the given service UUID (16 bytes), the mode wallets use most.
    pub fn central_client(uuid: [u8; 16]) -> Self {
        BleOptions {
            peripheral_server_mode: false,
            central_client_mode: true,
            peripheral_server_uuid: None,
            central_client_uuid: Some(uuid.to_vec()),
            peripheral_server_address: None,
            other: Vec::new(),
        }
    }

    /// Peripheral server mode with the given service UUID (16 bytes).
    pub fn peripheral_server(uuid: [u8; 16]) -> Self {
        BleOptions {
            peripheral_server_mode: true,
            central_client_mode: false,
            peripheral_server_uuid: Some(uuid.to_vec()),
            central_client_uuid: None,
            peripheral_server_address: None,
            other: Vec::new(),
        }
    }
}

impl fmt::Debug for BleOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A device address identifies the phone: shown as present or absent only.
        f.debug_struct("BleOptions")
            .field("peripheral_server_mode", &self.peripheral_server_mode)
            .field("central_client_mode", &self.central_client_mode)
            .field("peripheral_server_uuid", &self.peripheral_server_uuid)
            .field("central_client_uuid", &self.central_client_uuid)
            .field(
                "peripheral_server_address",
                &self.peripheral_server_address.as_ref().map(|_| ".."),
            )
            .field("other", &self.other)
            .finish()
    }
}

/// Wi-Fi Aware retrieval options: `{? 0: tstr, ? 1: uint, ? 2: uint, ? 3: bstr}`.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct WifiAwareOptions {
    /// The passphrase (a secret: not printed by `Debug`).
    pub passphrase: Option<String>,
    /// Channel info: operating class.
    pub operating_class: Option<u64>,
    /// Channel info: channel number.
    pub channel_number: Option<u64>,
    /// Band info: supported bands.
    pub supported_bands: Option<Vec<u8>>,
    /// Other entries, as received.
    pub other: Vec<(Value, Value)>,
}

impl fmt::Debug for WifiAwareOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WifiAwareOptions")
            .field("passphrase", &self.passphrase.as_ref().map(|_| ".."))
            .field("operating_class", &self.operating_class)
            .field("channel_number", &self.channel_number)
            .field("supported_bands", &self.supported_bands)
            .field("other", &self.other)
            .finish()
    }
}

/// A `DeviceEngagement`, parsed from the bytes received or built by the holder, keeping those
/// bytes (see [`DeviceEngagement::tagged_bytes`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceEngagement {
    /// `DeviceEngagementBytes`: tag 24 over the exact bytes received or built.
    bytes: Embedded,
    version: String,
    e_device_key: CoseKey,
    e_device_key_bytes: Embedded,
    retrieval_methods: Vec<RetrievalMethod>,
    origin_infos: Option<Vec<Value>>,
    other: Vec<(Value, Value)>,
}

impl DeviceEngagement {
    /// A version 1.0 engagement with cipher suite 1, the ephemeral device key `e_device_key` and
    /// the given retrieval methods (empty for a QR engagement whose transport is negotiated
    /// otherwise).
    pub fn new(e_device_key: &EcPublicKey, retrieval_methods: Vec<RetrievalMethod>) -> Self {
        let e_device_key = CoseKey::new(e_device_key.clone());
        let e_device_key_bytes = Embedded::wrap_value(&e_device_key.to_value());
        let mut engagement = DeviceEngagement {
            bytes: Embedded::wrap(&[]),
            version: "1.0".to_owned(),
            e_device_key,
            e_device_key_bytes,
            retrieval_methods,
            origin_infos: None,
            other: Vec::new(),
        };
        engagement.bytes = Embedded::wrap(&encode(&engagement.to_value()));
        engagement
    }

    /// Adds origin infos (key 5, ISO/IEC 18013-7), each kept as given.
    pub fn with_origin_infos(mut self, origin_infos: Vec<Value>) -> Self {
        self.origin_infos = Some(origin_infos);
        self.bytes = Embedded::wrap(&encode(&self.to_value()));
        self
    }

    /// Parses DeviceEngagement bytes (as carried in a QR code or an NFC Handover Select
    /// message), keeping them.
    pub fn parse(bytes: &[u8]) -> Result<Self, EngagementError> {
        if bytes.len() > MAX_ENGAGEMENT_LEN {
            return Err(EngagementError::TooLarge {
                len: bytes.len(),
                limit: MAX_ENGAGEMENT_LEN,
            });
        }
        let limits = Limits::default();
        let v = structure::decode_at(bytes, &limits, AT)?;
        let m = structure::map(&v, AT)?;

        let version = structure::text(
            structure::int_field(m, KEY_VERSION, AT_VERSION)?,
            AT_VERSION,
        )?;
        if !version.starts_with("1.") {
            return Err(EngagementError::UnsupportedVersion);
        }

        let security = structure::array(
            structure::int_field(m, KEY_SECURITY, AT_SECURITY)?,
            AT_SECURITY,
        )?;
        let [suite, key_bytes] = security else {
            return Err(StructureError::InvalidValue { at: AT_SECURITY }.into());
        };
        let suite = match suite {
            Value::Integer(i) => *i,
            other => {
                return Err(StructureError::WrongType {
                    at: AT_SECURITY,
                    expected: "integer",
                    found: other.kind(),
                }
                .into())
            }
        };
        if suite != CIPHER_SUITE_1 {
            return Err(EngagementError::UnsupportedCipherSuite(suite));
        }
        let e_device_key_bytes = structure::embedded(key_bytes, AT_KEY)?.clone();
        let key_value = structure::decode_embedded(&e_device_key_bytes, &limits, AT_KEY)?;
        let e_device_key =
            CoseKey::from_value(&key_value, AT_KEY).map_err(EngagementError::DeviceKey)?;

        let mut retrieval_methods = Vec::new();
        let mut origin_infos = None;
        let mut other = Vec::new();
        for (k, value) in m {
            match k.as_integer() {
                Some(KEY_VERSION | KEY_SECURITY) => {}
                Some(KEY_METHODS) => {
                    let methods = structure::array(value, AT_METHODS)?;
                    if methods.is_empty() {
                        return Err(StructureError::Empty { at: AT_METHODS }.into());
                    }
                    for method in methods {
                        retrieval_methods.push(RetrievalMethod::from_value(method)?);
                    }
                }
                Some(KEY_ORIGIN_INFOS) => {
                    origin_infos = Some(structure::array(value, AT_ORIGIN)?.to_vec());
                }
                Some(_) => other.push((k.clone(), value.clone())),
                // `* int => any`: keys of DeviceEngagement are integers.
                None => return Err(StructureError::UnknownField { at: AT }.into()),
            }
        }
        Ok(DeviceEngagement {
            bytes: Embedded::wrap(bytes),
            version: version.to_owned(),
            e_device_key,
            e_device_key_bytes,
            retrieval_methods,
            origin_infos,
            other,
        })
    }

    /// Parses the text of an engagement QR code: `mdoc:` + base64url without padding. The
    /// scheme is matched case-insensitively (RFC 3986 §3.1); the payload is strict.
    pub fn from_qr(qr: &str) -> Result<Self, EngagementError> {
        let payload = match (qr.get(..QR_PREFIX.len()), qr.get(QR_PREFIX.len()..)) {
            (Some(scheme), Some(payload)) if scheme.eq_ignore_ascii_case(QR_PREFIX) => payload,
            _ => return Err(EngagementError::QrPrefix),
        };
        // Bound the work before decoding: 4 characters carry 3 bytes.
        let len = payload.len() / 4 * 3;
        if len > MAX_ENGAGEMENT_LEN {
            return Err(EngagementError::TooLarge {
                len,
                limit: MAX_ENGAGEMENT_LEN,
            });
        }
        let bytes = base64url::decode(payload).map_err(|_| EngagementError::Base64)?;
        Self::parse(&bytes)
    }

    /// The QR code text: `mdoc:` + base64url (no padding) of the engagement bytes.
    pub fn to_qr(&self) -> String {
        let mut qr = String::from(QR_PREFIX);
        qr.push_str(&base64url::encode(self.bytes()));
        qr
    }

    /// The DeviceEngagement bytes, exactly as received or built.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.content()
    }

    /// `DeviceEngagementBytes`: tag 24 over [`DeviceEngagement::bytes`], as the session
    /// transcript carries it.
    pub fn tagged_bytes(&self) -> &[u8] {
        self.bytes.tagged_bytes()
    }

    /// `DeviceEngagementBytes` as an [`Embedded`].
    pub fn embedded(&self) -> &Embedded {
        &self.bytes
    }

    /// The version (`"1.0"` for engagements built here).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The holder's ephemeral public key, `EDeviceKey`.
    pub fn e_device_key(&self) -> &EcPublicKey {
        self.e_device_key.public_key()
    }

    /// `EDeviceKeyBytes`, as received.
    pub fn e_device_key_bytes(&self) -> &Embedded {
        &self.e_device_key_bytes
    }

    /// The device retrieval methods, in the order received.
    pub fn retrieval_methods(&self) -> &[RetrievalMethod] {
        &self.retrieval_methods
    }

    /// The origin infos (key 5), each as received, if present.
    pub fn origin_infos(&self) -> Option<&[Value]> {
        self.origin_infos.as_deref()
    }

    /// Every other entry (server retrieval methods, protocol info, capabilities, future keys),
    /// as received.
    pub fn other_entries(&self) -> &[(Value, Value)] {
        &self.other
    }

    /// The engagement rebuilt from its parsed fields, keys in deterministic order (RFC 8949
    /// §4.2.1). For an engagement received in that order — as 18013-5 producers emit it — its
    /// encoding equals [`DeviceEngagement::bytes`]; the transcript always uses the latter.
    pub fn to_value(&self) -> Value {
        let mut entries = vec![
            (
                Value::Integer(KEY_VERSION),
                Value::text(self.version.as_str()),
            ),
            (
                Value::Integer(KEY_SECURITY),
                Value::Array(vec![
                    Value::Integer(CIPHER_SUITE_1),
                    Value::Embedded(self.e_device_key_bytes.clone()),
                ]),
            ),
        ];
        if !self.retrieval_methods.is_empty() {
            entries.push((
                Value::Integer(KEY_METHODS),
                Value::Array(
                    self.retrieval_methods
                        .iter()
                        .map(RetrievalMethod::to_value)
                        .collect(),
                ),
            ));
        }
        if let Some(infos) = &self.origin_infos {
            entries.push((
                Value::Integer(KEY_ORIGIN_INFOS),
                Value::Array(infos.clone()),
            ));
        }
        entries.extend(self.other.iter().cloned());
        Value::Map(deterministic(entries))
    }
}

/// Sorts map entries by the bytewise order of their encoded keys (RFC 8949 §4.2.1).
fn deterministic(mut entries: Vec<(Value, Value)>) -> Vec<(Value, Value)> {
    entries.sort_by_cached_key(|(k, _)| encode(k));
    entries
}

const TYPE_NFC: u64 = 1;
const TYPE_BLE: u64 = 2;
const TYPE_WIFI_AWARE: u64 = 3;

impl RetrievalMethod {
    fn from_value(v: &Value) -> Result<Self, EngagementError> {
        let [method_type, version, options] = structure::array(v, AT_METHOD)? else {
            return Err(StructureError::InvalidValue { at: AT_METHOD }.into());
        };
        let method_type = structure::uint(method_type, AT_METHOD)?;
        let version = structure::uint(version, AT_METHOD)?;
        Ok(match method_type {
            TYPE_NFC => RetrievalMethod::Nfc {
                version,
                options: NfcOptions::from_value(options)?,
            },
            TYPE_BLE => RetrievalMethod::Ble {
                version,
                options: BleOptions::from_value(options)?,
            },
            TYPE_WIFI_AWARE => RetrievalMethod::WifiAware {
                version,
                options: WifiAwareOptions::from_value(options)?,
            },
            _ => RetrievalMethod::Other {
                method_type,
                version,
                options: options.clone(),
            },
        })
    }

    /// The method as CBOR: `[type, version, options]`.
    pub fn to_value(&self) -> Value {
        let (method_type, version, options) = match self {
            RetrievalMethod::Nfc { version, options } => (TYPE_NFC, *version, options.to_value()),
            RetrievalMethod::Ble { version, options } => (TYPE_BLE, *version, options.to_value()),
            RetrievalMethod::WifiAware { version, options } => {
                (TYPE_WIFI_AWARE, *version, options.to_value())
            }
            RetrievalMethod::Other {
                method_type,
                version,
                options,
            } => (*method_type, *version, options.clone()),
        };
        Value::Array(vec![Value::int(method_type), Value::int(version), options])
    }
}

/// An options map split into its known integer keys and every other entry.
type SplitOptions<'a> = (Vec<(i128, &'a Value)>, Vec<(Value, Value)>);

/// Splits an options map into its known integer keys (as given by `known`) and the rest.
fn split_options<'a>(v: &'a Value, known: &[i128]) -> Result<SplitOptions<'a>, StructureError> {
    let mut found = Vec::new();
    let mut other = Vec::new();
    for (k, value) in structure::map(v, AT_OPTIONS)? {
        match k.as_integer() {
            Some(i) if known.contains(&i) => found.push((i, value)),
            _ => other.push((k.clone(), value.clone())),
        }
    }
    Ok((found, other))
}

fn get<'a>(found: &[(i128, &'a Value)], key: i128) -> Option<&'a Value> {
    found.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn required<'a>(found: &[(i128, &'a Value)], key: i128) -> Result<&'a Value, StructureError> {
    get(found, key).ok_or(StructureError::Missing { at: AT_OPTIONS })
}

fn optional_bytes(found: &[(i128, &Value)], key: i128) -> Result<Option<Vec<u8>>, StructureError> {
    get(found, key)
        .map(|v| structure::bytes(v, AT_OPTIONS).map(<[u8]>::to_vec))
        .transpose()
}

fn optional_uint(found: &[(i128, &Value)], key: i128) -> Result<Option<u64>, StructureError> {
    get(found, key)
        .map(|v| structure::uint(v, AT_OPTIONS))
        .transpose()
}

/// Builds an options map from known entries (absent ones skipped) and the others.
fn options_value(known: Vec<(i128, Option<Value>)>, other: &[(Value, Value)]) -> Value {
    let mut entries: Vec<(Value, Value)> = known
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (Value::Integer(k), v)))
        .collect();
    entries.extend(other.iter().cloned());
    Value::Map(deterministic(entries))
}

impl NfcOptions {
    fn from_value(v: &Value) -> Result<Self, StructureError> {
        let (found, other) = split_options(v, &[0, 1])?;
        Ok(NfcOptions {
            max_command_data_length: structure::uint(required(&found, 0)?, AT_OPTIONS)?,
            max_response_data_length: structure::uint(required(&found, 1)?, AT_OPTIONS)?,
            other,
        })
    }

    fn to_value(&self) -> Value {
        options_value(
            vec![
                (0, Some(Value::int(self.max_command_data_length))),
                (1, Some(Value::int(self.max_response_data_length))),
            ],
            &self.other,
        )
    }
}

impl BleOptions {
    fn from_value(v: &Value) -> Result<Self, StructureError> {
        let (found, other) = split_options(v, &[0, 1, 10, 11, 20])?;
        Ok(BleOptions {
            peripheral_server_mode: structure::boolean(required(&found, 0)?, AT_OPTIONS)?,
            central_client_mode: structure::boolean(required(&found, 1)?, AT_OPTIONS)?,
            peripheral_server_uuid: optional_bytes(&found, 10)?,
            central_client_uuid: optional_bytes(&found, 11)?,
            peripheral_server_address: optional_bytes(&found, 20)?,
            other,
        })
    }

    fn to_value(&self) -> Value {
        options_value(
            vec![
                (0, Some(Value::Bool(self.peripheral_server_mode))),
                (1, Some(Value::Bool(self.central_client_mode))),
                (10, self.peripheral_server_uuid.clone().map(Value::Bytes)),
                (11, self.central_client_uuid.clone().map(Value::Bytes)),
                (20, self.peripheral_server_address.clone().map(Value::Bytes)),
            ],
            &self.other,
        )
    }
}

impl WifiAwareOptions {
    fn from_value(v: &Value) -> Result<Self, StructureError> {
        let (found, other) = split_options(v, &[0, 1, 2, 3])?;
        Ok(WifiAwareOptions {
            passphrase: get(&found, 0)
                .map(|v| structure::text(v, AT_OPTIONS).map(str::to_owned))
                .transpose()?,
            operating_class: optional_uint(&found, 1)?,
            channel_number: optional_uint(&found, 2)?,
            supported_bands: optional_bytes(&found, 3)?,
            other,
        })
    }

    fn to_value(&self) -> Value {
        options_value(
            vec![
                (0, self.passphrase.clone().map(Value::Text)),
                (1, self.operating_class.map(Value::int)),
                (2, self.channel_number.map(Value::int)),
                (3, self.supported_bands.clone().map(Value::Bytes)),
            ],
            &self.other,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SoftwareKey;

    fn key() -> EcPublicKey {
        SoftwareKey::generate().unwrap().public()
    }

    fn all_methods() -> Vec<RetrievalMethod> {
        let mut ble = BleOptions::peripheral_server([7; 16]);
        ble.peripheral_server_address = Some(vec![1, 2, 3, 4, 5, 6]);
        ble.other.push((Value::Integer(21), Value::int(192)));
        vec![
            RetrievalMethod::Ble {
                version: 1,
                options: ble,
            },
            RetrievalMethod::Nfc {
                version: 1,
                options: NfcOptions::new(255, 256),
            },
            RetrievalMethod::WifiAware {
                version: 1,
                options: WifiAwareOptions {
                    passphrase: Some("secret".into()),
                    operating_class: Some(81),
                    channel_number: Some(6),
                    supported_bands: Some(vec![1]),
                    other: Vec::new(),
                },
            },
            RetrievalMethod::Other {
                method_type: 99,
                version: 2,
                options: Value::text("future"),
            },
        ]
    }

    #[test]
    fn built_engagement_round_trips_through_bytes_and_qr() {
        let k = key();
        let built = DeviceEngagement::new(&k, all_methods())
            .with_origin_infos(vec![Value::Map(vec![(Value::text("cat"), Value::int(1))])]);
        let parsed = DeviceEngagement::parse(built.bytes()).unwrap();
        assert_eq!(parsed, built);
        assert_eq!(parsed.e_device_key(), &k);
        assert_eq!(parsed.retrieval_methods(), all_methods().as_slice());
        assert_eq!(encode(&parsed.to_value()), built.bytes());
        let qr = built.to_qr();
        assert!(qr.starts_with("mdoc:"));
        assert_eq!(DeviceEngagement::from_qr(&qr).unwrap(), built);
        // The scheme is case-insensitive.
        let upper = format!("MDOC:{}", qr.strip_prefix("mdoc:").unwrap());
        assert_eq!(DeviceEngagement::from_qr(&upper).unwrap(), built);
    }

    #[test]
    fn tagged_bytes_wrap_exactly_the_received_bytes() {
        let built = DeviceEngagement::new(&key(), Vec::new());
        let tagged = built.tagged_bytes();
        assert_eq!(&tagged[..2], &[0xd8, 0x18]);
        assert!(tagged.ends_with(built.bytes()));
    }

    #[test]
    fn debug_hides_the_passphrase_and_device_address() {
        let text = format!("{:?}", all_methods());
        assert!(!text.contains("secret"));
        assert!(!text.contains("[1, 2, 3, 4, 5, 6]"));
    }

    fn with_security(security: Value) -> Vec<u8> {
        encode(&Value::Map(vec![
            (Value::int(0), Value::text("1.0")),
            (Value::int(1), security),
        ]))
    }

    fn key_bytes(k: &EcPublicKey) -> Value {
        Value::Embedded(Embedded::wrap_value(&CoseKey::new(k.clone()).to_value()))
    }

    #[test]
    fn rejects_unsupported_cipher_suite_version_and_keys() {
        let k = key();
        let bytes = with_security(Value::Array(vec![Value::int(2), key_bytes(&k)]));
        assert!(matches!(
            DeviceEngagement::parse(&bytes),
            Err(EngagementError::UnsupportedCipherSuite(2))
        ));

        let bytes = encode(&Value::Map(vec![
            (Value::int(0), Value::text("2.0")),
            (
                Value::int(1),
                Value::Array(vec![Value::int(1), key_bytes(&k)]),
            ),
        ]));
        assert!(matches!(
            DeviceEngagement::parse(&bytes),
            Err(EngagementError::UnsupportedVersion)
        ));

        // A point off the curve: y + 1.
        let mut y = k.y();
        y[31] ^= 1;
        let off_curve = Value::Map(vec![
            (Value::int(1), Value::int(2)),
            (Value::int(-1), Value::int(1)),
            (Value::int(-2), Value::Bytes(k.x().to_vec())),
            (Value::int(-3), Value::Bytes(y.to_vec())),
        ]);
        let bytes = with_security(Value::Array(vec![
            Value::int(1),
            Value::Embedded(Embedded::wrap_value(&off_curve)),
        ]));
        assert!(matches!(
            DeviceEngagement::parse(&bytes),
            Err(EngagementError::DeviceKey(CoseError::Crypto(_)))
        ));

        // Security without the tag 24, or with a third element.
        for security in [
            Value::Array(vec![Value::int(1), Value::Bytes(vec![0xa0])]),
            Value::Array(vec![Value::int(1), key_bytes(&k), Value::Null]),
            Value::Array(vec![Value::text("1"), key_bytes(&k)]),
        ] {
            assert!(matches!(
                DeviceEngagement::parse(&with_security(security)),
                Err(EngagementError::Malformed(_))
            ));
        }
    }

    #[test]
    fn rejects_malformed_qr_codes() {
        let good = DeviceEngagement::new(&key(), Vec::new()).to_qr();
        let payload = good.strip_prefix("mdoc:").unwrap();
        assert!(matches!(
            DeviceEngagement::from_qr(&format!("mdoc;{payload}")),
            Err(EngagementError::QrPrefix)
        ));
        assert!(matches!(
            DeviceEngagement::from_qr(""),
            Err(EngagementError::QrPrefix)
        ));
        assert!(matches!(
            DeviceEngagement::from_qr(&format!("mdoc:{payload}=")),
            Err(EngagementError::Base64)
        ));
        assert!(matches!(
            DeviceEngagement::from_qr("mdoc:AAAA"),
            Err(EngagementError::Malformed(_))
        ));
        let huge = format!("mdoc:{}", "A".repeat(8 * MAX_ENGAGEMENT_LEN));
        assert!(matches!(
            DeviceEngagement::from_qr(&huge),
            Err(EngagementError::TooLarge { .. })
        ));
    }

    #[test]
    fn unknown_option_keys_and_text_keys() {
        // A text key at the top level is not `int => any`.
        let k = key();
        let bytes = encode(&Value::Map(vec![
            (Value::int(0), Value::text("1.0")),
            (
                Value::int(1),
                Value::Array(vec![Value::int(1), key_bytes(&k)]),
            ),
            (Value::text("x"), Value::Null),
        ]));
        assert!(matches!(
            DeviceEngagement::parse(&bytes),
            Err(EngagementError::Malformed(
                StructureError::UnknownField { .. }
            ))
        ));
        // `DeviceRetrievalMethods` is `[+ DeviceRetrievalMethod]`.
        let bytes = encode(&Value::Map(vec![
            (Value::int(0), Value::text("1.0")),
            (
                Value::int(1),
                Value::Array(vec![Value::int(1), key_bytes(&k)]),
            ),
            (Value::int(2), Value::Array(Vec::new())),
        ]));
        assert!(matches!(
            DeviceEngagement::parse(&bytes),
            Err(EngagementError::Malformed(StructureError::Empty { .. }))
        ));
        // BLE options missing a mandatory key.
        let bytes = encode(&Value::Map(vec![
            (Value::int(0), Value::text("1.0")),
            (
                Value::int(1),
                Value::Array(vec![Value::int(1), key_bytes(&k)]),
            ),
            (
                Value::int(2),
                Value::Array(vec![Value::Array(vec![
                    Value::int(2),
                    Value::int(1),
                    Value::Map(vec![(Value::int(0), Value::Bool(true))]),
                ])]),
            ),
        ]));
        assert!(matches!(
            DeviceEngagement::parse(&bytes),
            Err(EngagementError::Malformed(StructureError::Missing { .. }))
        ));
    }
}
