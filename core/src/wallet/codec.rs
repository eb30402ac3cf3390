//! Small helpers for the wallet's own CBOR records (credentials, log entries). These bytes
//! were written by this crate and passed the store's checksum or authentication tag, so a
//! decoding failure means a record from an incompatible version, reported as
//! [`WalletError::UnreadableRecord`](super::WalletError::UnreadableRecord).

use crate::cbor::{Limits, MapExt, Value};
use crate::model::ModelError;
use crate::structure::StructureError;
use crate::time::UnixTime;

/// The wallet's record format version.
pub(crate) const RECORD_VERSION: u64 = 1;

/// A record that does not decode.
#[derive(Debug)]
pub(crate) struct Unreadable;

impl From<StructureError> for Unreadable {
    fn from(_: StructureError) -> Self {
        Unreadable
    }
}

impl From<ModelError> for Unreadable {
    fn from(_: ModelError) -> Self {
        Unreadable
    }
}

/// Limits for decoding the wallet's own records: generous (a record holds a whole batch of
/// credentials) but bounded.
pub(crate) fn limits() -> Limits {
    Limits {
        max_input: super::store::MAX_RECORD_LEN,
        ..Limits::default()
    }
}

/// Decodes a record into its top-level map entries, checking the version.
pub(crate) fn decode_map(bytes: &[u8]) -> Result<Vec<(Value, Value)>, Unreadable> {
    let value = crate::cbor::decode_with(bytes, &limits()).map_err(|_| Unreadable)?;
    let Value::Map(entries) = value else {
        return Err(Unreadable);
    };
    if uint(&entries, "v")? != RECORD_VERSION {
        return Err(Unreadable);
    }
    Ok(entries)
}

/// The value under `key`.
pub(crate) fn get<'a>(m: &'a [(Value, Value)], key: &str) -> Result<&'a Value, Unreadable> {
    m.get_text_key(key).ok_or(Unreadable)
}

/// A text value under `key`.
pub(crate) fn text(m: &[(Value, Value)], key: &str) -> Result<String, Unreadable> {
    get(m, key)?.as_text().map(str::to_owned).ok_or(Unreadable)
}

/// An optional text value under `key`.
pub(crate) fn opt_text(m: &[(Value, Value)], key: &str) -> Result<Option<String>, Unreadable> {
    match m.get_text_key(key) {
        None => Ok(None),
        Some(v) => v.as_text().map(|s| Some(s.to_owned())).ok_or(Unreadable),
    }
}

/// An unsigned integer under `key`.
pub(crate) fn uint(m: &[(Value, Value)], key: &str) -> Result<u64, Unreadable> {
    get(m, key)?.as_u64().ok_or(Unreadable)
}

/// A time (seconds since the epoch) under `key`.
pub(crate) fn time(m: &[(Value, Value)], key: &str) -> Result<UnixTime, Unreadable> {
    get(m, key)?
        .as_i64()
        .map(UnixTime::from_secs)
        .ok_or(Unreadable)
}

/// An optional time under `key`.
pub(crate) fn opt_time(m: &[(Value, Value)], key: &str) -> Result<Option<UnixTime>, Unreadable> {
    match m.get_text_key(key) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(|s| Some(UnixTime::from_secs(s)))
            .ok_or(Unreadable),
    }
}

/// A time as a CBOR integer.
pub(crate) fn time_value(t: UnixTime) -> Value {
    Value::Integer(i128::from(t.secs()))
}

/// A text map entry.
pub(crate) fn entry(key: &str, value: Value) -> (Value, Value) {
    (Value::text(key), value)
}
