//! Status lists and identifier lists: the packed entries, their zlib compression, and the
//! CBOR `StatusList` / `IdentifierList` structures (Token Status List §4.1, §4.3; ISO/IEC
//! 18013-5 2nd edition §12.3.6.4).

use std::collections::BTreeSet;

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::{Status, StatusError, StatusLimits};
use crate::cbor::{Node, Value};
use crate::structure;

/// The width of one entry of a status list, in bits (Token Status List §4.1: 1, 2, 4 or 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bits {
    /// One bit: VALID or INVALID only (ISO/IEC 18013-5 MSO lists).
    One,
    /// Two bits: up to four statuses.
    Two,
    /// Four bits: up to sixteen statuses.
    Four,
    /// Eight bits: up to 256 statuses.
    Eight,
}

impl Bits {
    /// The width for `bits` (1, 2, 4 or 8); anything else is [`StatusError::InvalidBits`].
    pub fn new(bits: u64) -> Result<Bits, StatusError> {
        match bits {
            1 => Ok(Bits::One),
            2 => Ok(Bits::Two),
            4 => Ok(Bits::Four),
            8 => Ok(Bits::Eight),
            other => Err(StatusError::InvalidBits { bits: other }),
        }
    }

    /// The number of bits, 1, 2, 4 or 8.
    pub fn get(self) -> u8 {
        match self {
            Bits::One => 1,
            Bits::Two => 2,
            Bits::Four => 4,
            Bits::Eight => 8,
        }
    }

    /// Entries per byte (8, 4, 2 or 1).
    fn per_byte(self) -> usize {
        usize::from(8 / self.get())
    }

    /// The largest value an entry can hold (1, 3, 15 or 255).
    pub fn max_value(self) -> u8 {
        match self {
            Bits::Eight => u8::MAX,
            other => (1u8 << other.get()) - 1,
        }
    }
}

/// A status list: `bits`-wide entries packed into bytes from the least significant bit
/// (Token Status List §4.1), held uncompressed.
///
/// ```
/// use zhengzhao::status::{Bits, Status, StatusLimits, StatusList};
///
/// let mut list = StatusList::new(Bits::Two, 1000)?;
/// list.set(7, Status::Suspended)?;
/// let cbor = list.to_value();                         // {"bits": 2, "lst": zlib bytes}
/// let back = StatusList::from_value(&cbor, &StatusLimits::default())?;
/// assert_eq!(back.get(7)?, Status::Suspended);
/// assert_eq!(back.get(8)?, Status::Valid);
/// assert!(back.get(1000).is_err());                   // out of range: rejected
/// # Ok::<(), zhengzhao::status::StatusError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: Bits,
    bytes: Vec<u8>,
    aggregation_uri: Option<String>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusList")
            .field("bits", &self.bits.get())
            .field("size", &self.len())
            .finish_non_exhaustive()
    }
}

impl StatusList {
    /// A list of `size` entries, all [`Status::Valid`]. The byte array is
    /// `ceil(size × bits / 8)` bytes, so the list's size (what [`StatusList::len`] reports and
    /// what a decoder sees) is `size` rounded up to a whole byte of entries.
    pub fn new(bits: Bits, size: usize) -> Result<StatusList, StatusError> {
        if size == 0 {
            return Err(StatusError::EmptyList);
        }
        let bytes = size.div_ceil(bits.per_byte());
        Ok(StatusList {
            bits,
            bytes: vec![0; bytes],
            aggregation_uri: None,
        })
    }

    /// A list over an uncompressed byte array, as §4.1 lays it out.
    pub fn from_bytes(bits: Bits, bytes: Vec<u8>) -> Result<StatusList, StatusError> {
        if bytes.is_empty() {
            return Err(StatusError::EmptyList);
        }
        Ok(StatusList {
            bits,
            bytes,
            aggregation_uri: None,
        })
    }

    /// The entry width.
    pub fn bits(&self) -> Bits {
        self.bits
    }

    /// The number of entries: `bytes × 8 / bits`.
    pub fn len(&self) -> usize {
        self.bytes.len().saturating_mul(self.bits.per_byte())
    }

    /// Whether the list has no entries (never true for a list this type builds or parses).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The uncompressed byte array.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The optional `aggregation_uri` (§4.3).
    pub fn aggregation_uri(&self) -> Option<&str> {
        self.aggregation_uri.as_deref()
    }

    /// Sets the `aggregation_uri` written by [`StatusList::to_value`].
    pub fn set_aggregation_uri(&mut self, uri: Option<String>) {
        self.aggregation_uri = uri;
    }

    fn position(&self, index: u64) -> Result<(usize, u32), StatusError> {
        let size = self.len();
        let out_of_range = StatusError::IndexOutOfRange {
            index,
            size: size as u64,
        };
        let i = usize::try_from(index).map_err(|_| out_of_range.clone())?;
        if i >= size {
            return Err(out_of_range);
        }
        let per = self.bits.per_byte();
        let shift = (i % per) as u32 * u32::from(self.bits.get());
        Ok((i / per, shift))
    }

    /// The raw value at `index`; an index at or past [`StatusList::len`] is
    /// [`StatusError::IndexOutOfRange`] (§8.3 step 6: the token must then be rejected).
    pub fn value(&self, index: u64) -> Result<u8, StatusError> {
        let (byte, shift) = self.position(index)?;
        let b = self.bytes.get(byte).copied().unwrap_or(0);
        Ok((b >> shift) & self.bits.max_value())
    }

    /// The status at `index` (see [`StatusList::value`]).
    pub fn get(&self, index: u64) -> Result<Status, StatusError> {
        self.value(index).map(Status::from_value)
    }

    /// Sets the raw value at `index`; a value wider than the entries is
    /// [`StatusError::ValueTooWide`].
    pub fn set_value(&mut self, index: u64, value: u8) -> Result<(), StatusError> {
        if value > self.bits.max_value() {
            return Err(StatusError::ValueTooWide {
                value,
                bits: self.bits.get(),
            });
        }
        let (byte, shift) = self.position(index)?;
        let mask = self.bits.max_value() << shift;
        if let Some(b) = self.bytes.get_mut(byte) {
            *b = (*b & !mask) | (value << shift);
        }
        Ok(())
    }

    /// Sets the status at `index` (see [`StatusList::set_value`]).
    pub fn set(&mut self, index: u64, status: Status) -> Result<(), StatusError> {
        self.set_value(index, status.value())
    }

    /// The byte array compressed as DEFLATE in the ZLIB container at the highest level
    /// (§4.1 step 4).
    pub fn compressed(&self) -> Vec<u8> {
        deflate(&self.bytes)
    }

    /// The CBOR `StatusList` map `{"bits", "lst", ?"aggregation_uri"}` (§4.3).
    pub fn to_value(&self) -> Value {
        let mut m = vec![
            (
                Value::text("bits"),
                Value::Integer(i128::from(self.bits.get())),
            ),
            (Value::text("lst"), Value::Bytes(self.compressed())),
        ];
        if let Some(uri) = &self.aggregation_uri {
            m.push((Value::text("aggregation_uri"), Value::text(uri.as_str())));
        }
        Value::Map(m)
    }

    /// Parses a CBOR `StatusList` and inflates its `lst`, bounded by
    /// [`StatusLimits::max_list_bytes`].
    pub fn from_value(v: &Value, limits: &StatusLimits) -> Result<StatusList, StatusError> {
        Self::from_node(v, limits)
    }

    pub(crate) fn from_node<V: Node>(v: &V, limits: &StatusLimits) -> Result<Self, StatusError> {
        const AT: &str = "StatusList";
        let m = structure::map(v, AT)?;
        let bits = structure::uint(
            structure::field(m, "bits", "StatusList.bits")?,
            "StatusList.bits",
        )?;
        let bits = Bits::new(bits)?;
        let lst = structure::bytes(
            structure::field(m, "lst", "StatusList.lst")?,
            "StatusList.lst",
        )?;
        let aggregation_uri = match structure::get_text_key(m, "aggregation_uri") {
            Some(u) => Some(structure::text(u, "StatusList.aggregation_uri")?.to_owned()),
            None => None,
        };
        let bytes = inflate(lst, limits.max_list_bytes)?;
        if bytes.is_empty() {
            return Err(StatusError::EmptyList);
        }
        Ok(StatusList {
            bits,
            bytes,
            aggregation_uri,
        })
    }
}

/// An identifier list (ISO/IEC 18013-5 2nd edition §12.3.6.4): the identifiers of revoked
/// MSOs; an identifier's presence means revoked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentifierList {
    identifiers: BTreeSet<Vec<u8>>,
    aggregation_uri: Option<String>,
}

impl IdentifierList {
    /// An empty list.
    pub fn new() -> Self {
        IdentifierList::default()
    }

    /// Adds `id` (revokes it).
    pub fn insert(&mut self, id: Vec<u8>) {
        self.identifiers.insert(id);
    }

    /// Removes `id`.
    pub fn remove(&mut self, id: &[u8]) {
        self.identifiers.remove(id);
    }

    /// Whether `id` is listed (revoked).
    pub fn contains(&self, id: &[u8]) -> bool {
        self.identifiers.contains(id)
    }

    /// The number of identifiers.
    pub fn len(&self) -> usize {
        self.identifiers.len()
    }

    /// Whether no identifier is listed.
    pub fn is_empty(&self) -> bool {
        self.identifiers.is_empty()
    }

    /// The CBOR `IdentifierList` `{"identifiers": {* bstr => {}}, ?"aggregation_uri"}`.
    pub fn to_value(&self) -> Value {
        let ids = self
            .identifiers
            .iter()
            .map(|id| (Value::Bytes(id.clone()), Value::Map(Vec::new())))
            .collect();
        let mut m = vec![(Value::text("identifiers"), Value::Map(ids))];
        if let Some(uri) = &self.aggregation_uri {
            m.push((Value::text("aggregation_uri"), Value::text(uri.as_str())));
        }
        Value::Map(m)
    }

    /// Parses a CBOR `IdentifierList`. Each `IdentifierInfo` must be a map (its content is
    /// RFU and not interpreted).
    pub fn from_value(v: &Value) -> Result<IdentifierList, StatusError> {
        Self::from_node(v)
    }

    pub(crate) fn from_node<V: Node>(v: &V) -> Result<Self, StatusError> {
        const AT: &str = "IdentifierList.identifiers";
        let m = structure::map(v, "IdentifierList")?;
        let mut identifiers = BTreeSet::new();
        for (id, info) in structure::map(structure::field(m, "identifiers", AT)?, AT)? {
            let id = structure::bytes(id, AT)?;
            structure::map(info, "IdentifierList.identifiers[]")?;
            identifiers.insert(id.to_vec());
        }
        let aggregation_uri = match structure::get_text_key(m, "aggregation_uri") {
            Some(u) => Some(structure::text(u, "IdentifierList.aggregation_uri")?.to_owned()),
            None => None,
        };
        Ok(IdentifierList {
            identifiers,
            aggregation_uri,
        })
    }
}

/// DEFLATE in the ZLIB container (RFC 1950) at level 9.
pub fn deflate(raw: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(raw, 9)
}

/// Inflates a ZLIB stream (RFC 1950: header, DEFLATE data, Adler-32) into at most `max`
/// bytes.
///
/// The output grows as needed and never past `max`: a stream that would inflate to more is
/// [`StatusError::ListTooLarge`] (a decompression bomb costs at most `max` bytes of memory).
/// A bad header, bad data, a wrong checksum or a truncated stream is
/// [`StatusError::Compression`]; bytes after the end of the stream are
/// [`StatusError::TrailingCompressedData`].
pub fn inflate(zlib: &[u8], max: usize) -> Result<Vec<u8>, StatusError> {
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32;
    let mut state = Box::<DecompressorOxide>::default();
    // Start at 64 times the input (a status list compresses well: most lists then inflate in
    // one pass, into memory the allocator hands out already zeroed; the capacity left over is
    // at most what doubling would leave), double up to `max`, and ask for one byte more than
    // `max` so that "exactly max" and "more than max" can be told apart.
    let cap = max.saturating_add(1);
    let mut out = vec![0u8; zlib.len().saturating_mul(64).max(64).min(cap)];
    let mut input = zlib;
    let mut out_pos = 0usize;
    loop {
        let (status, consumed, produced) = decompress(&mut state, input, &mut out, out_pos, flags);
        out_pos = out_pos.saturating_add(produced);
        input = input.get(consumed..).unwrap_or_default();
        match status {
            TINFLStatus::Done => {
                if !input.is_empty() {
                    return Err(StatusError::TrailingCompressedData);
                }
                if out_pos > max {
                    return Err(StatusError::ListTooLarge { max });
                }
                out.truncate(out_pos);
                return Ok(out);
            }
            TINFLStatus::HasMoreOutput => {
                if out.len() >= cap {
                    return Err(StatusError::ListTooLarge { max });
                }
                let grown = out.len().saturating_mul(2).min(cap);
                // Exactly: `resize` alone may double the capacity past `cap`.
                out.reserve_exact(grown.saturating_sub(out.len()));
                out.resize(grown, 0);
            }
            TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                return Err(StatusError::Compression {
                    reason: "truncated zlib stream",
                })
            }
            TINFLStatus::Adler32Mismatch => {
                return Err(StatusError::Compression {
                    reason: "zlib checksum mismatch",
                })
            }
            _ => {
                return Err(StatusError::Compression {
                    reason: "invalid zlib stream",
                })
            }
        }
    }
}
