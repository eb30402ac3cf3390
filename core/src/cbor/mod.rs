//! Strict CBOR (RFC 8949) as ISO/IEC 18013-5 uses it.
//!
//! Everything the wallet and the verifier read from outside goes through [`decode`] (or
//! [`decode_with`] and explicit [`Limits`]) first. The decoder is strict where 18013-5 is, and
//! names every rejection with its own [`CborError`] variant:
//!
//! * no trailing bytes after the one top-level item;
//! * no duplicate keys in a map (keys compared by value);
//! * no indefinite-length strings, arrays or maps (18013-5 §8.1 wants definite lengths);
//! * bounded input size, nesting depth and collection length; a declared length that the rest
//!   of the input cannot possibly hold is rejected before anything is allocated.
//!
//! It is *lenient* in one way on purpose: non-preferred ("long form") length and integer
//! encodings are accepted, because real producers emit them (see
//! `tests/vectors/auth0-mdl-example1`). Such input stays correct to the byte because every
//! structure that is hashed or signed is kept as the bytes received: the tag-24 wrapper
//! [`Embedded`] keeps its exact encoding, and byte strings are kept as they are.
//!
//! [`encode`] writes preferred serialization (shortest lengths), so what this crate produces is
//! canonical in the sense of RFC 8949 §4.2.1 except for map order, which is kept as given.

mod date;
mod decode;
mod encode;
mod value;
mod value_ref;

pub use date::{DateError, FullDate, TDate};
pub(crate) use decode::decode_ref_with;
pub use decode::{decode, decode_with, CborError, Limits, MAX_DEPTH};
pub(crate) use encode::write_header;
pub use encode::{encode, encode_into};
pub use value::{Embedded, MapExt, Value};
pub(crate) use value_ref::{get_int_key, get_text_key, EmbeddedRef, Node, ValueRef};

/// Hooks for the fuzz targets (`cfg(fuzzing)`, set by cargo-fuzz): never compiled otherwise.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    use super::{decode_ref_with, CborError, Limits, Node, Value};

    /// Decodes with the crate-internal borrowing decoder the verify path uses and copies the
    /// result out, so a target can check that it agrees with [`super::decode_with`].
    pub fn decode_borrowed(bytes: &[u8], limits: &Limits) -> Result<Value, CborError> {
        decode_ref_with(bytes, limits).map(|r| r.to_value())
    }
}
