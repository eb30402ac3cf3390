//! The strict decoder. See the module documentation of [`crate::cbor`].

use super::{Embedded, Value, ValueRef};

/// Bounds on what the decoder accepts. The defaults suit a DeviceResponse with a few
/// documents and portraits; a verifier that expects more raises them deliberately.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 4 MiB.
    pub max_input: usize,
    /// Deepest nesting of arrays, maps and tags. Default 32; a value above [`MAX_DEPTH`] is
    /// treated as [`MAX_DEPTH`].
    pub max_depth: usize,
    /// Most entries in one array or map. Default 65 536.
    pub max_collection: usize,
    /// Most data items in the whole input (all levels together). Default 1 000 000.
    pub max_items: usize,
    /// Whether byte strings may be map keys. Default `false`: 18013-5 keys are integers and
    /// text ([`CborError::UnsupportedKey`]). The ISO/IEC 18013-5 identifier list
    /// (`{"identifiers": {* bstr => IdentifierInfo}}`) is the one structure that needs them.
    pub byte_string_keys: bool,
}

/// The deepest nesting any [`Limits`] allows, whatever `max_depth` asks for.
///
/// The decoder keeps its own stack, but a decoded [`Value`] is dropped, encoded, compared and
/// formatted (`Debug`) by recursion over its tree, as are the structures built from it. A hard
/// cap keeps all of these within a small, fixed amount of stack (a few hundred KiB in a debug
/// build, on a 512 KiB secondary thread of a phone or in a 1 MiB WebAssembly stack), so a
/// caller that raises the limit cannot make a hostile input overflow the stack later. 128 is
/// four times the default and far beyond anything 18013-5 nests (under 10 levels); making
/// every traversal iterative instead would cost an explicit stack in each of them for depths
/// no real structure has.
pub const MAX_DEPTH: usize = 128;

impl Limits {
    /// The depth limit in force: `max_depth`, at most [`MAX_DEPTH`].
    pub fn effective_depth(&self) -> usize {
        self.max_depth.min(MAX_DEPTH)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 4 * 1024 * 1024,
            max_depth: 32,
            max_collection: 65_536,
            max_items: 1_000_000,
            byte_string_keys: false,
        }
    }
}

/// Why bytes are not acceptable CBOR. Offsets are byte positions in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborError {
    /// The input ends inside an item.
    #[error("CBOR input truncated at byte {offset}")]
    Truncated {
        /// Where more bytes were needed.
        offset: usize,
    },
    /// Bytes follow the single top-level item.
    #[error("trailing bytes after the CBOR item, from byte {offset}")]
    TrailingBytes {
        /// Where the trailing bytes start.
        offset: usize,
    },
    /// A map has two equal keys.
    #[error("duplicate map key at byte {offset}")]
    DuplicateKey {
        /// Where the second key starts.
        offset: usize,
    },
    /// An indefinite-length string, array or map.
    #[error("indefinite-length item at byte {offset}")]
    IndefiniteLength {
        /// Where the item starts.
        offset: usize,
    },
    /// Nesting deeper than [`Limits::max_depth`] (at most [`MAX_DEPTH`]); `limit` is the one
    /// in force.
    #[error("CBOR nested deeper than {limit}")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// Input longer than [`Limits::max_input`].
    #[error("CBOR input of {len} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Input length.
        len: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A collection longer than [`Limits::max_collection`], or more items in all than
    /// [`Limits::max_items`].
    #[error("CBOR collection or item count exceeds the limit of {limit}")]
    TooManyItems {
        /// The limit in force.
        limit: usize,
    },
    /// A declared length that the remaining input cannot hold.
    #[error("declared length at byte {offset} exceeds the remaining input")]
    LengthBeyondInput {
        /// Where the head with the length starts.
        offset: usize,
    },
    /// A text string that is not UTF-8.
    #[error("text string at byte {offset} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where the string starts.
        offset: usize,
    },
    /// Reserved additional information (28..=30), a lone break byte, or a simple value
    /// encoded in two bytes below 32.
    #[error("malformed CBOR head at byte {offset}")]
    Malformed {
        /// Where the head starts.
        offset: usize,
    },
    /// A map key that is neither an integer nor a text string. 18013-5 only uses those.
    #[error("unsupported map key type at byte {offset}")]
    UnsupportedKey {
        /// Where the key starts.
        offset: usize,
    },
    /// Tag 24 around something other than a byte string, or bytes that were expected to be
    /// a tag-24 item and are not.
    #[error("expected a tag-24 wrapped byte string")]
    NotEmbedded,
}

/// Decodes exactly one CBOR item with the default [`Limits`].
pub fn decode(bytes: &[u8]) -> Result<Value, CborError> {
    decode_with(bytes, &Limits::default())
}

/// Decodes exactly one CBOR item with the given limits.
///
/// The decoder keeps its own stack of open arrays, maps and tags rather than recursing, so
/// no choice of `limits` can exhaust the thread's stack; memory stays proportional to the
/// input.
pub fn decode_with(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
    decode_into(bytes, limits)
}

/// [`decode_with`] into a [`ValueRef`] whose byte and text strings (and tag-24 items) borrow
/// from `bytes`: the same checks and errors, without an allocation per string.
pub(crate) fn decode_ref_with<'a>(
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<ValueRef<'a>, CborError> {
    decode_into(bytes, limits)
}

/// The one decoder behind [`decode_with`] and [`decode_ref_with`].
fn decode_into<'a, V: Item<'a>>(bytes: &'a [u8], limits: &Limits) -> Result<V, CborError> {
    if bytes.len() > limits.max_input {
        return Err(CborError::TooLarge {
            len: bytes.len(),
            limit: limits.max_input,
        });
    }
    Decoder {
        bytes,
        pos: 0,
        limits,
        items: 0,
        key_offsets: Vec::with_capacity(INITIAL_STACK),
    }
    .run::<V>()
}

/// Collections are pre-allocated at most this many slots from a declared count; beyond it
/// they grow as items actually arrive, so a small input cannot reserve much memory.
const MAX_PREALLOC: usize = 64;

/// Initial capacity of the decoder's frame and key-offset stacks: deep enough for the
/// structures 18013-5 nests, so that they are allocated once per decode, not regrown.
const INITIAL_STACK: usize = 8;

#[cfg(test)]
thread_local! {
    /// Key comparisons made by the duplicate-key check on this thread (tests bound its work).
    static KEY_COMPARISONS: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
    /// Collection slots pre-allocated plus string bytes taken on this thread (tests bound what
    /// a declared length can make the decoder reserve).
    static RESERVED: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

/// Counts one key comparison of the duplicate-key check (a no-op outside tests).
#[inline]
fn count_comparison() {
    #[cfg(test)]
    KEY_COMPARISONS.with(|c| c.set(c.get().saturating_add(1)));
}

/// Counts `n` slots or bytes the decoder reserves or copies (a no-op outside tests).
#[inline]
fn count_reserved(_n: usize) {
    #[cfg(test)]
    RESERVED.with(|c| c.set(c.get().saturating_add(_n as u64)));
}

/// Tag 24: encoded CBOR data item (RFC 8949 §3.4.5.1).
const TAG_EMBEDDED: u64 = 24;

/// A decoded initial byte and argument.
struct Head {
    /// Where the head starts.
    offset: usize,
    /// Major type, 0..=7.
    major: u8,
    /// Additional information, 0..=27 (28..=31 never get this far).
    info: u8,
    /// The argument: the value, length, count, tag number or float bits.
    arg: u64,
}

/// What the decoder builds: an owned [`Value`] or a borrowing [`ValueRef`]. Monomorphised,
/// so each gets the decoder without indirection.
pub(crate) trait Item<'a>: Sized {
    /// An integer.
    fn integer(i: i128) -> Self;
    /// A byte string's content.
    fn bytes(b: &'a [u8]) -> Self;
    /// A text string, already checked to be UTF-8.
    fn text(s: &'a str) -> Self;
    /// A complete array.
    fn array(items: Vec<Self>) -> Self;
    /// A complete map, keys already checked to be unique.
    fn map(entries: Vec<(Self, Self)>) -> Self;
    /// A tagged item other than tag 24 over bytes.
    fn tag(tag: u64, content: Self) -> Self;
    /// A tag-24 item: its whole encoding and where the byte-string content starts in it.
    fn embedded(raw: &'a [u8], content_start: usize) -> Self;
    /// A simple value or float, given as the (allocation-free) [`Value`] scalar.
    fn scalar(v: Value) -> Self;
    /// The key as compared for duplicates.
    fn key_view(&self) -> KeyView<'_>;
}

impl<'a> Item<'a> for Value {
    fn integer(i: i128) -> Self {
        Value::Integer(i)
    }
    fn bytes(b: &'a [u8]) -> Self {
        Value::Bytes(b.to_vec())
    }
    fn text(s: &'a str) -> Self {
        Value::Text(s.to_owned())
    }
    fn array(items: Vec<Self>) -> Self {
        Value::Array(items)
    }
    fn map(entries: Vec<(Self, Self)>) -> Self {
        Value::Map(entries)
    }
    fn tag(tag: u64, content: Self) -> Self {
        Value::Tag(tag, Box::new(content))
    }
    fn embedded(raw: &'a [u8], content_start: usize) -> Self {
        Value::Embedded(Embedded::from_parts(raw.to_vec(), content_start))
    }
    fn scalar(v: Value) -> Self {
        v
    }
    fn key_view(&self) -> KeyView<'_> {
        match self {
            Value::Integer(i) => KeyView::Int(*i),
            Value::Text(s) => KeyView::Text(s),
            _ => KeyView::Other,
        }
    }
}

impl<'a> Item<'a> for ValueRef<'a> {
    fn integer(i: i128) -> Self {
        ValueRef::Integer(i)
    }
    fn bytes(b: &'a [u8]) -> Self {
        ValueRef::Bytes(b)
    }
    fn text(s: &'a str) -> Self {
        ValueRef::Text(s)
    }
    fn array(items: Vec<Self>) -> Self {
        ValueRef::Array(items)
    }
    fn map(entries: Vec<(Self, Self)>) -> Self {
        ValueRef::Map(entries)
    }
    fn tag(tag: u64, content: Self) -> Self {
        ValueRef::Tag(tag, Box::new(content))
    }
    fn embedded(raw: &'a [u8], content_start: usize) -> Self {
        ValueRef::Embedded(super::EmbeddedRef::from_parts(raw, content_start))
    }
    fn scalar(v: Value) -> Self {
        ValueRef::scalar(&v)
    }
    fn key_view(&self) -> KeyView<'_> {
        match self {
            ValueRef::Integer(i) => KeyView::Int(*i),
            ValueRef::Text(s) => KeyView::Text(s),
            _ => KeyView::Other,
        }
    }
}

/// An array, map or tag whose content is still being read.
enum Frame<V> {
    Array {
        items: Vec<V>,
        remaining: u64,
    },
    Map {
        entries: Vec<(V, V)>,
        /// Where this map's key offsets start in [`Decoder::key_offsets`].
        offsets_from: usize,
        /// A key read whose value has not been read yet.
        pending_key: Option<V>,
        /// Entries still to read, counting the one `pending_key` belongs to.
        remaining: u64,
    },
    Tag(u64),
}

/// What starting an item produced.
enum Started<V> {
    /// A complete item (scalar, string, empty collection, tag-24 wrapper).
    Done(V),
    /// A frame was pushed; its content follows.
    Open,
}

struct Decoder<'a, 'l> {
    bytes: &'a [u8],
    pos: usize,
    limits: &'l Limits,
    items: usize,
    /// Where each key of the open maps starts, for duplicate reporting: one stack shared by
    /// all open maps (a nested map's keys follow its parent's and are dropped when it
    /// closes), so a map costs no allocation of its own for them.
    key_offsets: Vec<usize>,
}

impl<'a> Decoder<'a, '_> {
    fn run<V: Item<'a>>(mut self) -> Result<V, CborError> {
        let mut stack: Vec<Frame<V>> = Vec::with_capacity(INITIAL_STACK);
        loop {
            let start = self.pos;
            let is_key = matches!(
                stack.last(),
                Some(Frame::Map {
                    pending_key: None,
                    ..
                })
            );
            let mut value = match self.start_item(&mut stack, is_key)? {
                Started::Done(v) => v,
                Started::Open => continue,
            };
            // Hand the completed item to the innermost open frame; close frames that are
            // now full, and so on outwards.
            loop {
                let Some(frame) = stack.last_mut() else {
                    if self.pos != self.bytes.len() {
                        return Err(CborError::TrailingBytes { offset: self.pos });
                    }
                    return Ok(value);
                };
                match frame {
                    Frame::Array { items, remaining } => {
                        items.push(value);
                        *remaining = remaining.saturating_sub(1);
                        if *remaining > 0 {
                            break;
                        }
                        let items = core::mem::take(items);
                        stack.pop();
                        value = V::array(items);
                    }
                    Frame::Map {
                        entries,
                        offsets_from,
                        pending_key,
                        remaining,
                    } => {
                        let Some(key) = pending_key.take() else {
                            // Keys are integers or text, never containers, so this key
                            // is the item started in this iteration.
                            *pending_key = Some(value);
                            self.key_offsets.push(start);
                            break;
                        };
                        entries.push((key, value));
                        *remaining = remaining.saturating_sub(1);
                        if *remaining > 0 {
                            break;
                        }
                        let from = *offsets_from;
                        check_unique_keys(
                            entries,
                            self.key_offsets.get(from..).unwrap_or_default(),
                        )?;
                        self.key_offsets.truncate(from);
                        let entries = core::mem::take(entries);
                        stack.pop();
                        value = V::map(entries);
                    }
                    Frame::Tag(tag) => {
                        let tag = *tag;
                        stack.pop();
                        value = V::tag(tag, value);
                    }
                }
            }
        }
    }

    /// Reads the head of the next item and either completes it or opens a frame for it.
    fn start_item<V: Item<'a>>(
        &mut self,
        stack: &mut Vec<Frame<V>>,
        is_key: bool,
    ) -> Result<Started<V>, CborError> {
        self.items = self.items.saturating_add(1);
        if self.items > self.limits.max_items {
            return Err(CborError::TooManyItems {
                limit: self.limits.max_items,
            });
        }
        let head = self.read_head()?;
        let bytes_key = head.major == 2 && self.limits.byte_string_keys;
        if is_key && !matches!(head.major, 0 | 1 | 3) && !bytes_key {
            return Err(CborError::UnsupportedKey {
                offset: head.offset,
            });
        }
        let value = match head.major {
            0 => V::integer(i128::from(head.arg)),
            1 => V::integer(-1 - i128::from(head.arg)),
            2 => V::bytes(self.take(&head)?),
            3 => {
                let raw = self.take(&head)?;
                let text = core::str::from_utf8(raw).map_err(|_| CborError::InvalidUtf8 {
                    offset: head.offset,
                })?;
                V::text(text)
            }
            4 | 5 => return self.open_collection(stack, &head),
            6 => {
                self.enter(stack.len())?;
                if head.arg == TAG_EMBEDDED {
                    return self.embedded(&head).map(Started::Done);
                }
                stack.push(Frame::Tag(head.arg));
                return Ok(Started::Open);
            }
            _ => V::scalar(simple_or_float(&head)?),
        };
        Ok(Started::Done(value))
    }

    /// Checks the declared count of an array or map and opens it (or completes it if empty).
    fn open_collection<V: Item<'a>>(
        &mut self,
        stack: &mut Vec<Frame<V>>,
        head: &Head,
    ) -> Result<Started<V>, CborError> {
        self.enter(stack.len())?;
        let is_map = head.major == 5;
        // Each array item needs at least one byte, each map entry at least two.
        let min_bytes = if is_map {
            head.arg.checked_mul(2)
        } else {
            Some(head.arg)
        };
        let remaining = self.bytes.len().saturating_sub(self.pos);
        match min_bytes {
            Some(n) if n <= remaining as u64 => {}
            _ => {
                return Err(CborError::LengthBeyondInput {
                    offset: head.offset,
                })
            }
        }
        let count = match usize::try_from(head.arg) {
            Ok(n) if n <= self.limits.max_collection => n,
            _ => {
                return Err(CborError::TooManyItems {
                    limit: self.limits.max_collection,
                })
            }
        };
        let capacity = count.min(MAX_PREALLOC);
        count_reserved(capacity);
        if count == 0 {
            return Ok(Started::Done(if is_map {
                V::map(Vec::new())
            } else {
                V::array(Vec::new())
            }));
        }
        stack.push(if is_map {
            Frame::Map {
                entries: Vec::with_capacity(capacity),
                offsets_from: self.key_offsets.len(),
                pending_key: None,
                remaining: head.arg,
            }
        } else {
            Frame::Array {
                items: Vec::with_capacity(capacity),
                remaining: head.arg,
            }
        });
        Ok(Started::Open)
    }

    /// Reads the byte string after a tag-24 head, keeping the whole tagged item's bytes.
    fn embedded<V: Item<'a>>(&mut self, tag: &Head) -> Result<V, CborError> {
        match self.bytes.get(self.pos) {
            None => return Err(CborError::Truncated { offset: self.pos }),
            Some(b) if b >> 5 != 2 => return Err(CborError::NotEmbedded),
            Some(_) => {}
        }
        self.items = self.items.saturating_add(1);
        if self.items > self.limits.max_items {
            return Err(CborError::TooManyItems {
                limit: self.limits.max_items,
            });
        }
        let bstr = self.read_head()?;
        let content_start = self.pos;
        self.take(&bstr)?;
        let raw = self
            .bytes
            .get(tag.offset..self.pos)
            .ok_or(CborError::Truncated { offset: self.pos })?;
        Ok(V::embedded(raw, content_start.saturating_sub(tag.offset)))
    }

    /// Accounts for entering one more level of arrays, maps and tags below `open` levels.
    fn enter(&self, open: usize) -> Result<(), CborError> {
        let limit = self.limits.effective_depth();
        if open >= limit {
            return Err(CborError::TooDeep { limit });
        }
        Ok(())
    }

    /// Takes the content of a byte or text string whose head is `head`.
    fn take(&mut self, head: &Head) -> Result<&'a [u8], CborError> {
        let beyond = CborError::LengthBeyondInput {
            offset: head.offset,
        };
        let len = usize::try_from(head.arg).map_err(|_| beyond.clone())?;
        let end = self.pos.checked_add(len).ok_or_else(|| beyond.clone())?;
        let content = self.bytes.get(self.pos..end).ok_or(beyond)?;
        count_reserved(content.len());
        self.pos = end;
        Ok(content)
    }

    /// Reads one head: initial byte and argument. Rejects reserved additional information,
    /// indefinite lengths and a lone break.
    fn read_head(&mut self) -> Result<Head, CborError> {
        let offset = self.pos;
        let initial = *self
            .bytes
            .get(offset)
            .ok_or(CborError::Truncated { offset })?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        let width = match info {
            0..=23 => 0,
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            31 if (2..=5).contains(&major) => return Err(CborError::IndefiniteLength { offset }),
            _ => return Err(CborError::Malformed { offset }),
        };
        let body = offset.saturating_add(1);
        let end = body.saturating_add(width);
        let arg = if width == 0 {
            u64::from(info)
        } else {
            let arg_bytes = self.bytes.get(body..end).ok_or(CborError::Truncated {
                offset: self.bytes.len(),
            })?;
            arg_bytes
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        };
        self.pos = end;
        Ok(Head {
            offset,
            major,
            info,
            arg,
        })
    }
}

/// Major type 7: simple values and floats.
fn simple_or_float(head: &Head) -> Result<Value, CborError> {
    Ok(match (head.info, head.arg) {
        (20, _) => Value::Bool(false),
        (21, _) => Value::Bool(true),
        (22, _) => Value::Null,
        (23, _) => Value::Undefined,
        (0..=19, n) => Value::Simple(n as u8),
        (24, n) if n >= 32 => Value::Simple(n as u8),
        (25, bits) => Value::Float(f16_to_f64(bits as u16)),
        (26, bits) => Value::Float(f64::from(f32::from_bits(bits as u32))),
        (27, bits) => Value::Float(f64::from_bits(bits)),
        _ => {
            return Err(CborError::Malformed {
                offset: head.offset,
            })
        }
    })
}

/// Widens IEEE 754 half-precision bits to `f64`, exactly.
fn f16_to_f64(h: u16) -> f64 {
    let negative = h & 0x8000 != 0;
    let exp = i32::from((h >> 10) & 0x1f);
    let man = u64::from(h & 0x03ff);
    let magnitude = match exp {
        // Zero and subnormals: man × 2⁻²⁴.
        0 => man as f64 * f64::from_bits(((1023 - 24) as u64) << 52),
        31 if man == 0 => f64::INFINITY,
        31 => f64::NAN,
        // Normal: 1.man × 2^(exp − 15), rebuilt as a double.
        _ => f64::from_bits((((exp - 15 + 1023) as u64) << 52) | (man << 42)),
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// A map key as compared for duplicates: integers and text, by value.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeyView<'a> {
    /// An integer key.
    Int(i128),
    /// A text key.
    Text(&'a str),
    /// Anything else (never a map key after decoding).
    Other,
}

/// Maps up to this many entries are checked for duplicates pairwise, without allocating.
const PAIRWISE_KEY_CHECK: usize = 8;

/// Rejects a map with two equal keys, naming the earliest key that repeats an earlier one.
/// Small maps (nearly all of 18013-5's) compare pairwise; sorting keeps this O(n log n) for
/// large maps.
fn check_unique_keys<'a, V: Item<'a>>(
    entries: &[(V, V)],
    key_offsets: &[usize],
) -> Result<(), CborError> {
    if entries.len() < 2 {
        return Ok(());
    }
    // Keys in strictly ascending order (as canonical encoders and our own MSO write them)
    // cannot repeat: one pass, no allocation. Otherwise find the earliest repeat as below.
    if entries
        .windows(2)
        .all(|pair| matches!(pair, [(a, _), (b, _)] if { count_comparison(); a.key_view() < b.key_view() }))
    {
        return Ok(());
    }
    if entries.len() <= PAIRWISE_KEY_CHECK {
        check_unique_keys_pairwise(entries, key_offsets)
    } else {
        check_unique_keys_sorted(entries, key_offsets)
    }
}

/// [`check_unique_keys`] by comparing every key with the keys before it: the first key equal
/// to an earlier one is the earliest repeating key.
fn check_unique_keys_pairwise<'a, V: Item<'a>>(
    entries: &[(V, V)],
    key_offsets: &[usize],
) -> Result<(), CborError> {
    for (j, (later, _)) in entries.iter().enumerate().skip(1) {
        let later = later.key_view();
        if entries.iter().take(j).any(|(earlier, _)| {
            count_comparison();
            earlier.key_view() == later
        }) {
            let offset = key_offsets.get(j).copied().unwrap_or(0);
            return Err(CborError::DuplicateKey { offset });
        }
    }
    Ok(())
}

/// [`check_unique_keys`] by sorting the keys.
fn check_unique_keys_sorted<'a, V: Item<'a>>(
    entries: &[(V, V)],
    key_offsets: &[usize],
) -> Result<(), CborError> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    let key = |i: usize| {
        count_comparison();
        entries.get(i).map(|(k, _)| k.key_view())
    };
    // Stable: equal keys stay in input order.
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    let mut first_duplicate: Option<usize> = None;
    for pair in order.windows(2) {
        if let [a, b] = *pair {
            if key(a) == key(b) {
                let at = key_offsets.get(b).copied().unwrap_or(0);
                first_duplicate = Some(first_duplicate.map_or(at, |d| d.min(at)));
            }
        }
    }
    match first_duplicate {
        Some(offset) => Err(CborError::DuplicateKey { offset }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{encode, Embedded, Node};
    use proptest::prelude::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    fn limits(f: impl FnOnce(&mut Limits)) -> Limits {
        let mut l = Limits::default();
        f(&mut l);
        l
    }

    #[test]
    fn decodes_every_major_type() {
        let cases: Vec<(&str, Value)> = vec![
            ("00", Value::Integer(0)),
            ("17", Value::Integer(23)),
            ("1818", Value::Integer(24)),
            ("190100", Value::Integer(256)),
            ("1a00010000", Value::Integer(65_536)),
            ("1bffffffffffffffff", Value::Integer(u64::MAX.into())),
            ("20", Value::Integer(-1)),
            ("3863", Value::Integer(-100)),
            ("3bffffffffffffffff", Value::Integer(-(1i128 << 64))),
            ("40", Value::Bytes(vec![])),
            ("4401020304", Value::Bytes(vec![1, 2, 3, 4])),
            ("60", Value::text("")),
            ("6449455446", Value::text("IETF")),
            ("63e6b0b4", Value::text("水")),
            ("80", Value::Array(vec![])),
            (
                "8301820203820405",
                Value::Array(vec![
                    Value::int(1),
                    Value::Array(vec![Value::int(2), Value::int(3)]),
                    Value::Array(vec![Value::int(4), Value::int(5)]),
                ]),
            ),
            ("a0", Value::Map(vec![])),
            (
                "a201020304",
                Value::Map(vec![
                    (Value::int(1), Value::int(2)),
                    (Value::int(3), Value::int(4)),
                ]),
            ),
            (
                "a26161016162820203",
                Value::Map(vec![
                    (Value::text("a"), Value::int(1)),
                    (
                        Value::text("b"),
                        Value::Array(vec![Value::int(2), Value::int(3)]),
                    ),
                ]),
            ),
            (
                "c074323031332d30332d32315432303a30343a30305a",
                Value::Tag(0, Box::new(Value::text("2013-03-21T20:04:00Z"))),
            ),
            (
                "d903ec6a323032302d30312d3031",
                Value::Tag(1004, Box::new(Value::text("2020-01-01"))),
            ),
            (
                "c1c100",
                Value::Tag(1, Box::new(Value::Tag(1, Box::new(Value::int(0))))),
            ),
            ("f4", Value::Bool(false)),
            ("f5", Value::Bool(true)),
            ("f6", Value::Null),
            ("f7", Value::Undefined),
            ("f0", Value::Simple(16)),
            ("e0", Value::Simple(0)),
            ("f820", Value::Simple(32)),
            ("f8ff", Value::Simple(255)),
            ("f93e00", Value::Float(1.5)),
            ("fa47c35000", Value::Float(100_000.0)),
            ("fb3ff199999999999a", Value::Float(1.1)),
            ("fbc010666666666666", Value::Float(-4.1)),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(&h(input)), Ok(expected), "{input}");
        }
    }

    #[test]
    fn accepts_non_preferred_heads() {
        let cases: Vec<(&str, Value)> = vec![
            ("1805", Value::int(5)),
            ("190005", Value::int(5)),
            ("1a00000005", Value::int(5)),
            ("1b0000000000000005", Value::int(5)),
            ("390000", Value::int(-1)),
            ("5a0000000101", Value::Bytes(vec![1])),
            ("780161", Value::text("a")),
            ("990001f6", Value::Array(vec![Value::Null])),
            (
                "b900016161 01",
                Value::Map(vec![(Value::text("a"), Value::int(1))]),
            ),
            ("d8010a", Value::Tag(1, Box::new(Value::int(10)))),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(&h(input)), Ok(expected), "{input}");
        }
    }

    #[test]
    fn embedded_keeps_received_bytes() {
        // 24(<< [1, 2, 3] >>) with a two-byte length head where one byte would do.
        let input = h("d818 590004 83010203");
        let Ok(Value::Embedded(e)) = decode(&input) else {
            panic!("not embedded");
        };
        assert_eq!(e.tagged_bytes(), &input[..]);
        assert_eq!(e.content(), &h("83010203")[..]);
        assert_eq!(
            e.decode(&Limits::default()),
            Ok(Value::Array(vec![
                Value::int(1),
                Value::int(2),
                Value::int(3)
            ]))
        );
        // A non-preferred tag head too, inside a map; the content is not decoded eagerly
        // (it is not even valid CBOR here).
        let input = h("a1 6178 d90018 5800");
        let Ok(Value::Map(m)) = decode(&input) else {
            panic!("not a map");
        };
        let e = m[0].1.as_embedded().unwrap();
        assert_eq!(e.tagged_bytes(), &h("d900185800")[..]);
        assert_eq!(e.content(), &[] as &[u8]);
        let input = h("d818 42 ffff");
        let e = Embedded::from_tagged_bytes(&input, &Limits::default()).unwrap();
        assert_eq!(e.content(), &[0xff, 0xff]);
        assert_eq!(
            e.decode(&Limits::default()),
            Err(CborError::Malformed { offset: 0 })
        );
        // Re-encoding writes the received bytes back unchanged.
        assert_eq!(encode(&Value::Embedded(e)), input);
    }

    #[test]
    fn half_floats() {
        let cases: [(&str, f64); 10] = [
            ("f93c00", 1.0),
            ("f90000", 0.0),
            ("f98000", -0.0),
            ("f97bff", 65_504.0),
            ("f9fbff", -65_504.0),
            ("f97c00", f64::INFINITY),
            ("f9fc00", f64::NEG_INFINITY),
            ("f90001", 5.960_464_477_539_063e-8),
            ("f903ff", 6.097_555_160_522_461e-5),
            ("f90400", 6.103_515_625e-5),
        ];
        for (input, expected) in cases {
            let Ok(Value::Float(f)) = decode(&h(input)) else {
                panic!("{input}");
            };
            assert_eq!(f.to_bits(), expected.to_bits(), "{input}");
        }
        for nan in [
            "f97e00",
            "f97c01",
            "f9fe00",
            "fa7fc00000",
            "fb7ff8000000000000",
        ] {
            let Ok(Value::Float(f)) = decode(&h(nan)) else {
                panic!("{nan}");
            };
            assert!(f.is_nan(), "{nan}");
        }
    }

    #[test]
    fn every_half_float_re_encodes_as_itself() {
        for bits in 0..=u16::MAX {
            let input = [&[0xf9][..], &bits.to_be_bytes()[..]].concat();
            let value = decode(&input).unwrap();
            if matches!(value, Value::Float(f) if f.is_nan()) {
                continue;
            }
            assert_eq!(encode(&value), input, "{bits:04x}");
        }
    }

    #[test]
    fn truncated_at_every_position() {
        // [1, {"k": 256}]
        let full = h("82 01 a1 61 6b 19 01 00");
        let expected = [
            CborError::Truncated { offset: 0 },
            CborError::LengthBeyondInput { offset: 0 }, // 2 items, 0 bytes left
            CborError::LengthBeyondInput { offset: 0 }, // 2 items, 1 byte left
            CborError::LengthBeyondInput { offset: 2 }, // 1 entry, 0 bytes left
            CborError::LengthBeyondInput { offset: 2 }, // 1 entry, 1 byte left
            CborError::Truncated { offset: 5 },         // value missing
            CborError::Truncated { offset: 6 },         // argument missing
            CborError::Truncated { offset: 7 },         // argument half there
        ];
        assert_eq!(expected.len(), full.len());
        for (len, err) in expected.into_iter().enumerate() {
            assert_eq!(decode(&full[..len]), Err(err), "prefix of {len} bytes");
        }
        assert!(decode(&full).is_ok());

        // Any prefix of any nested item is Truncated or LengthBeyondInput, never accepted.
        let big = encode(&Value::Map(vec![
            (
                Value::int(-70_000),
                Value::Array(vec![
                    Value::Bytes(vec![7; 30]),
                    Value::Float(1.1),
                    Value::Tag(1004, Box::new(Value::text("2020-01-01"))),
                ]),
            ),
            (
                Value::text("e"),
                Value::Embedded(Embedded::wrap_value(&Value::int(u64::MAX))),
            ),
        ]));
        for len in 0..big.len() {
            let r = decode(&big[..len]);
            assert!(
                matches!(
                    r,
                    Err(CborError::Truncated { .. } | CborError::LengthBeyondInput { .. })
                ),
                "prefix of {len} bytes: {r:?}"
            );
        }
    }

    #[test]
    fn rejections_name_their_cause() {
        let cases: Vec<(&str, CborError)> = vec![
            // Trailing bytes.
            ("0000", CborError::TrailingBytes { offset: 1 }),
            ("80ff", CborError::TrailingBytes { offset: 1 }),
            ("a0a0a0", CborError::TrailingBytes { offset: 1 }),
            // Duplicate keys, compared by value.
            ("a2616101616102", CborError::DuplicateKey { offset: 4 }),
            ("a201000100", CborError::DuplicateKey { offset: 3 }),
            ("a20100180100", CborError::DuplicateKey { offset: 3 }),
            ("a2200039000000", CborError::DuplicateKey { offset: 3 }),
            ("a3010002000100", CborError::DuplicateKey { offset: 5 }),
            ("81a2616101616102", CborError::DuplicateKey { offset: 5 }),
            // Indefinite lengths.
            ("9fff", CborError::IndefiniteLength { offset: 0 }),
            ("bfff", CborError::IndefiniteLength { offset: 0 }),
            ("5f4101ff", CborError::IndefiniteLength { offset: 0 }),
            ("7f6161ff", CborError::IndefiniteLength { offset: 0 }),
            ("819f01ff", CborError::IndefiniteLength { offset: 1 }),
            ("d8185fff", CborError::IndefiniteLength { offset: 2 }),
            // Reserved additional information, break, two-byte simple values below 32.
            ("1c", CborError::Malformed { offset: 0 }),
            ("1d", CborError::Malformed { offset: 0 }),
            ("3e", CborError::Malformed { offset: 0 }),
            ("5c", CborError::Malformed { offset: 0 }),
            ("9c", CborError::Malformed { offset: 0 }),
            ("dc", CborError::Malformed { offset: 0 }),
            ("fc", CborError::Malformed { offset: 0 }),
            ("1f", CborError::Malformed { offset: 0 }),
            ("3f", CborError::Malformed { offset: 0 }),
            ("df", CborError::Malformed { offset: 0 }),
            ("ff", CborError::Malformed { offset: 0 }),
            ("81ff", CborError::Malformed { offset: 1 }),
            ("f800", CborError::Malformed { offset: 0 }),
            ("f814", CborError::Malformed { offset: 0 }),
            ("f81f", CborError::Malformed { offset: 0 }),
            // Invalid UTF-8.
            ("62c328", CborError::InvalidUtf8 { offset: 0 }),
            ("8161ff", CborError::InvalidUtf8 { offset: 1 }),
            ("63eda080", CborError::InvalidUtf8 { offset: 0 }), // a surrogate
            // Map keys other than integers and text.
            ("a14000", CborError::UnsupportedKey { offset: 1 }),
            ("a18000", CborError::UnsupportedKey { offset: 1 }),
            ("a1a000", CborError::UnsupportedKey { offset: 1 }),
            ("a1f400", CborError::UnsupportedKey { offset: 1 }),
            ("a1f600", CborError::UnsupportedKey { offset: 1 }),
            ("a1f93c0000", CborError::UnsupportedKey { offset: 1 }),
            ("a1c1616100", CborError::UnsupportedKey { offset: 1 }),
            ("a20102d8184100", CborError::UnsupportedKey { offset: 3 }),
            // Tag 24 over something other than a byte string.
            ("d81801", CborError::NotEmbedded),
            ("d8186161", CborError::NotEmbedded),
            ("d81880", CborError::NotEmbedded),
            ("d818d81840", CborError::NotEmbedded),
            ("d818", CborError::Truncated { offset: 2 }),
            ("d81845", CborError::LengthBeyondInput { offset: 2 }),
            // Declared lengths the input cannot hold.
            (
                "5b000000010000000001 0203",
                CborError::LengthBeyondInput { offset: 0 },
            ),
            (
                "5affffffff000000",
                CborError::LengthBeyondInput { offset: 0 },
            ),
            (
                "7bffffffffffffffff00",
                CborError::LengthBeyondInput { offset: 0 },
            ),
            (
                "9bffffffffffffffff00",
                CborError::LengthBeyondInput { offset: 0 },
            ),
            (
                "bbffffffffffffffff00",
                CborError::LengthBeyondInput { offset: 0 },
            ),
            (
                "bb800000000000000000",
                CborError::LengthBeyondInput { offset: 0 },
            ),
            ("a2010203", CborError::LengthBeyondInput { offset: 0 }),
            ("8201", CborError::LengthBeyondInput { offset: 0 }),
        ];
        for (input, expected) in cases {
            assert_eq!(decode(&h(input)), Err(expected), "{input}");
        }
    }

    #[test]
    fn huge_declared_length_is_rejected_without_allocating() {
        // What the decoder reserved or copied (collection slots, string bytes) for `input`.
        let reserved = |input: &[u8]| {
            RESERVED.with(|c| c.set(0));
            let result = decode(input).map(|_| ());
            (result, RESERVED.with(|c| c.get()))
        };
        // 2^32 bytes, 2^32 items, 2^32 entries declared, 3 bytes present: nothing reserved.
        for input in [
            "5b 0000000100000000 010203",
            "7b 0000000100000000 616263",
            "9b 0000000100000000 010203",
            "bb 0000000100000000 010203",
        ] {
            assert_eq!(
                reserved(&h(input)),
                (Err(CborError::LengthBeyondInput { offset: 0 }), 0),
                "{input}"
            );
        }
        // A declared count the input does hold pre-allocates at most MAX_PREALLOC slots;
        // the rest grows as items arrive.
        let array = [h("9a 00010000"), vec![0; 65_536]].concat();
        assert_eq!(reserved(&array), (Ok(()), MAX_PREALLOC as u64));
        // Strings cost what they hold.
        assert_eq!(reserved(&h("43 010203")), (Ok(()), 3));
    }

    #[test]
    fn depth_limit() {
        let nested = |n: usize| [vec![0x81; n], vec![0x00]].concat();
        assert!(decode(&nested(32)).is_ok());
        assert_eq!(decode(&nested(33)), Err(CborError::TooDeep { limit: 32 }));
        // Empty collections and tags count too.
        assert_eq!(
            decode(&[vec![0x81; 32], vec![0x80]].concat()),
            Err(CborError::TooDeep { limit: 32 })
        );
        assert_eq!(
            decode(&[vec![0xc1; 33], vec![0x00]].concat()),
            Err(CborError::TooDeep { limit: 32 })
        );
        let two = limits(|l| l.max_depth = 2);
        let cases: [(&str, Result<(), CborError>); 6] = [
            ("818100", Ok(())),
            ("81818100", Err(CborError::TooDeep { limit: 2 })),
            ("a101a10102", Ok(())),
            ("a101a101a0", Err(CborError::TooDeep { limit: 2 })),
            ("c1c101", Ok(())),
            ("81c1d81840", Err(CborError::TooDeep { limit: 2 })),
        ];
        for (input, expected) in cases {
            assert_eq!(
                decode_with(&h(input), &two).map(|_| ()),
                expected,
                "{input}"
            );
        }
        // A raised limit is honoured up to the cap.
        let deep = limits(|l| l.max_depth = 100);
        assert!(decode_with(&nested(100), &deep).is_ok());
        assert_eq!(
            decode_with(&nested(101), &deep),
            Err(CborError::TooDeep { limit: 100 })
        );
    }

    #[test]
    fn depth_is_capped_whatever_the_caller_asks() {
        // Asking for a million levels gets MAX_DEPTH: a deeply nested input is rejected
        // instead of decoded into a tree whose drop, encoding or Debug would recurse a
        // million frames deep and overflow the stack.
        let asked = limits(|l| l.max_depth = 1_000_000);
        assert_eq!(asked.effective_depth(), MAX_DEPTH);
        for prefix in [0x81u8, 0xc1, 0xa1] {
            let body: Vec<u8> = if prefix == 0xa1 {
                // { 0: { 0: ... } }
                (0..1_000_000).flat_map(|_| [0xa1, 0x00]).collect()
            } else {
                vec![prefix; 1_000_000]
            };
            let input = [body, vec![0x00]].concat();
            let big = Limits {
                max_input: input.len(),
                ..asked.clone()
            };
            assert_eq!(
                decode_with(&input, &big).map(|_| ()),
                Err(CborError::TooDeep { limit: MAX_DEPTH }),
                "{prefix:#x}"
            );
            assert_eq!(
                decode_ref_with(&input, &big).map(|_| ()),
                Err(CborError::TooDeep { limit: MAX_DEPTH }),
                "{prefix:#x}"
            );
        }
        // At the cap a tree decodes, and every recursive traversal of it fits in a 256 KiB
        // stack (smaller than a phone's secondary thread or a WebAssembly stack).
        let nested = |n: usize| [vec![0x81; n], vec![0x00]].concat();
        let at_cap = nested(MAX_DEPTH);
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let v = decode_with(&at_cap, &asked).unwrap();
                assert_eq!(encode(&v), at_cap);
                let shown = format!("{v:?}");
                assert_eq!(v, v.clone());
                drop(v);
                let r = decode_ref_with(&at_cap, &asked).unwrap();
                assert_eq!(encode(&r.to_value()), at_cap);
                shown.len()
            })
            .unwrap();
        assert!(handle.join().unwrap() > MAX_DEPTH);
        assert_eq!(
            decode_with(
                &nested(MAX_DEPTH + 1),
                &limits(|l| l.max_depth = usize::MAX)
            ),
            Err(CborError::TooDeep { limit: MAX_DEPTH })
        );
    }

    #[test]
    fn size_and_count_limits() {
        let small = limits(|l| l.max_input = 3);
        assert!(decode_with(&h("820102"), &small).is_ok());
        // Checked before anything else, even for garbage.
        assert_eq!(
            decode_with(&h("ffffffff"), &small),
            Err(CborError::TooLarge { len: 4, limit: 3 })
        );

        let two = limits(|l| l.max_collection = 2);
        assert!(decode_with(&h("820102"), &two).is_ok());
        assert_eq!(
            decode_with(&h("83010203"), &two),
            Err(CborError::TooManyItems { limit: 2 })
        );
        assert_eq!(
            decode_with(&h("a3010203040506"), &two),
            Err(CborError::TooManyItems { limit: 2 })
        );
        // Default: 65 536 entries accepted, 65 537 not.
        let at = |n: u32| [vec![0x9a], n.to_be_bytes().to_vec(), vec![0; n as usize]].concat();
        assert!(decode(&at(65_536)).is_ok());
        assert_eq!(
            decode(&at(65_537)),
            Err(CborError::TooManyItems { limit: 65_536 })
        );

        let items = limits(|l| l.max_items = 3);
        assert!(decode_with(&h("820102"), &items).is_ok());
        assert_eq!(
            decode_with(&h("83010203"), &items),
            Err(CborError::TooManyItems { limit: 3 })
        );
        assert_eq!(
            decode_with(&h("8181d81840"), &items),
            Err(CborError::TooManyItems { limit: 3 })
        );
    }

    #[test]
    fn pairwise_and_sorted_duplicate_checks_agree() {
        // Maps of 2 to 12 keys drawn from a small alphabet (so that many repeat), from a
        // fixed pseudo-random sequence: both checks name the same key, or none.
        let alphabet = [
            Value::Integer(0),
            Value::Integer(-1),
            Value::Integer(1),
            Value::text("a"),
            Value::text("b"),
            Value::text(""),
            Value::Bool(true),
            Value::Integer(24),
            Value::text("digestID"),
            Value::Integer(i128::from(u64::MAX)),
            Value::text("ab"),
            Value::Integer(-25),
            Value::text("z"),
            Value::Integer(7),
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut duplicates, mut unique) = (0, 0);
        for _ in 0..20_000 {
            let n = 2 + (next() % 11) as usize;
            let entries: Vec<(Value, Value)> = (0..n)
                .map(|_| {
                    let k = alphabet[(next() % alphabet.len() as u64) as usize].clone();
                    (k, Value::Null)
                })
                .collect();
            let offsets: Vec<usize> = (0..n).map(|i| 1 + 3 * i).collect();
            let pairwise = check_unique_keys_pairwise(&entries, &offsets);
            assert_eq!(pairwise, check_unique_keys_sorted(&entries, &offsets));
            assert_eq!(pairwise, check_unique_keys(&entries, &offsets));
            // The same keys in ascending order (the one-pass path when they are unique).
            let mut ascending = entries.clone();
            ascending.sort_by(|(a, _), (b, _)| a.key_view().cmp(&b.key_view()));
            assert_eq!(
                check_unique_keys_pairwise(&ascending, &offsets),
                check_unique_keys(&ascending, &offsets)
            );
            if pairwise.is_err() {
                duplicates += 1;
            } else {
                unique += 1;
            }
        }
        assert!(duplicates > 1000 && unique > 1000, "{duplicates} {unique}");
    }

    #[test]
    fn large_maps_check_duplicates_quickly() {
        let n = 65_536;
        let unique: Vec<(Value, Value)> = (0..n)
            .map(|i| (Value::text(format!("k{i}")), Value::int(i)))
            .collect();
        let bytes = encode(&Value::Map(unique.clone()));
        // Comparisons of keys made while decoding `input`.
        let comparisons = |input: &[u8]| {
            KEY_COMPARISONS.with(|c| c.set(0));
            let result = decode(input);
            (result, KEY_COMPARISONS.with(|c| c.get()))
        };
        // O(n log n), not the n²/2 ≈ 2.1e9 of a pairwise check: a sort of n = 2^16 keys makes
        // at most about n·log2(n) = 2^20 comparisons, each looking at two keys.
        let bound = 2 * 4 * n as u64 * 16;
        let (result, made) = comparisons(&bytes);
        assert_eq!(result, Ok(Value::Map(unique.clone())));
        assert!(made <= bound, "{made} comparisons");
        let mut dup = unique;
        dup.last_mut().unwrap().0 = Value::text("k7");
        let bytes = encode(&Value::Map(dup));
        // The last key "k7" (3 bytes) is followed by its value 65 535 (3 bytes).
        let last_key = bytes.len() - 6;
        let (result, made) = comparisons(&bytes);
        assert_eq!(result, Err(CborError::DuplicateKey { offset: last_key }));
        assert!(made <= bound, "{made} comparisons");
        // Keys already in ascending order take one pass.
        let mut sorted: Vec<(Value, Value)> = (0..n)
            .map(|i| (Value::Integer(i128::from(i)), Value::Null))
            .collect();
        sorted.sort_by(|(a, _), (b, _)| a.key_view().cmp(&b.key_view()));
        let (result, made) = comparisons(&encode(&Value::Map(sorted)));
        assert!(result.is_ok());
        assert_eq!(made, n as u64 - 1);
    }

    fn arb_key() -> impl Strategy<Value = Value> {
        prop_oneof![
            (-100i128..100).prop_map(Value::Integer),
            (-(1i128 << 64)..=(1i128 << 64) - 1).prop_map(Value::Integer),
            "[a-z]{0,3}".prop_map(Value::Text),
        ]
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            (-(1i128 << 64)..=(1i128 << 64) - 1).prop_map(Value::Integer),
            any::<i32>().prop_map(Value::int),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
            any::<String>().prop_map(Value::Text),
            any::<bool>().prop_map(Value::Bool),
            Just(Value::Null),
            Just(Value::Undefined),
            prop_oneof![0u8..=19, 32u8..=255].prop_map(Value::Simple),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::Float),
            any::<f32>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| Value::Float(f.into())),
            any::<u16>()
                .prop_map(f16_to_f64)
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::Float),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((arb_key(), inner.clone()), 0..6).prop_map(|entries| {
                    let mut seen = std::collections::HashSet::new();
                    Value::Map(
                        entries
                            .into_iter()
                            .filter(|(k, _)| seen.insert(encode(k)))
                            .collect(),
                    )
                }),
                (
                    any::<u64>().prop_filter("not 24", |t| *t != TAG_EMBEDDED),
                    inner.clone()
                )
                    .prop_map(|(t, v)| Value::Tag(t, Box::new(v))),
                inner.prop_map(|v| Value::Embedded(Embedded::wrap_value(&v))),
            ]
        })
    }

    /// Our value as ciborium's data model, where it has one (ciborium has no `undefined` or
    /// other simple values, and sees tag 24 as a plain tag).
    fn to_ciborium(v: &Value) -> Option<ciborium::Value> {
        use ciborium::Value as C;
        Some(match v {
            Value::Integer(i) => C::Integer(ciborium::value::Integer::try_from(*i).ok()?),
            Value::Bytes(b) => C::Bytes(b.clone()),
            Value::Text(t) => C::Text(t.clone()),
            Value::Array(a) => C::Array(a.iter().map(to_ciborium).collect::<Option<_>>()?),
            Value::Map(m) => C::Map(
                m.iter()
                    .map(|(k, v)| Some((to_ciborium(k)?, to_ciborium(v)?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Tag(t, inner) => C::Tag(*t, Box::new(to_ciborium(inner)?)),
            Value::Embedded(e) => C::Tag(24, Box::new(C::Bytes(e.content().to_vec()))),
            Value::Bool(b) => C::Bool(*b),
            Value::Null => C::Null,
            Value::Float(f) => C::Float(*f),
            Value::Undefined | Value::Simple(_) => return None,
        })
    }

    proptest! {
        /// Differential test against ciborium, an independent decoder: wherever both data
        /// models can express a value, both decoders read our encoding to the same value.
        #[test]
        fn agrees_with_ciborium(v in arb_value()) {
            if let Some(expected) = to_ciborium(&v) {
                let bytes = encode(&v);
                let theirs: ciborium::Value = ciborium::from_reader(bytes.as_slice()).unwrap();
                prop_assert_eq!(theirs, expected.clone());
                prop_assert_eq!(to_ciborium(&decode(&bytes).unwrap()), Some(expected));
            }
        }
    }

    proptest! {
        #[test]
        fn round_trips(v in arb_value()) {
            let bytes = encode(&v);
            let decoded = decode(&bytes);
            prop_assert_eq!(decoded.as_ref(), Ok(&v));
            let decoded = decoded.unwrap();
            prop_assert_eq!(encode(&decoded), bytes);
            if let Value::Embedded(e) = &decoded {
                prop_assert_eq!(e.tagged_bytes(), &encode(&v)[..]);
            }
        }

        /// Never panics, and the borrowing decoder (the verify path's) accepts and rejects
        /// exactly as the owned one, with the same value or the same error.
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(via_ref(&bytes), owned(&bytes));
        }

        #[test]
        fn never_panics_on_mutated_encodings(
            v in arb_value(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = encode(&v);
            let i = at.index(bytes.len());
            bytes[i] = byte;
            prop_assert_eq!(via_ref(&bytes), owned(&bytes));
            let cut = &bytes[..cut.index(bytes.len() + 1)];
            prop_assert_eq!(via_ref(cut), owned(cut));
        }
    }

    /// [`decode`]'s result, with an accepted value as its encoding: a NaN compares unequal to
    /// itself as a `Value`, its encoding does not (and every accepted value re-encodes to
    /// its input, `round_trips`).
    fn owned(bytes: &[u8]) -> Result<Vec<u8>, CborError> {
        decode(bytes).map(|v| encode(&v))
    }

    /// The same through [`decode_ref_with`], copied out.
    fn via_ref(bytes: &[u8]) -> Result<Vec<u8>, CborError> {
        decode_ref_with(bytes, &Limits::default()).map(|r| encode(&r.to_value()))
    }
}
