//! Strict base64url without padding (RFC 4648 §5, §3.2), as the engagement QR code uses it.
//!
//! The `base64` crate is not a dependency of the core, so this is a minimal codec. Decoding is
//! canonical: the only accepted input for given bytes is exactly what [`encode`] produces, so
//! padding (`=`), the standard alphabet (`+`, `/`), whitespace, a length of 1 modulo 4 and
//! non-zero unused bits in the last character are all rejected.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Input that is not canonical unpadded base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InvalidBase64;

/// The character for a 6-bit value.
fn char_of(sextet: u32) -> char {
    // `sextet & 63` is always below 64.
    ALPHABET
        .get((sextet & 63) as usize)
        .map_or('A', |&c| char::from(c))
}

/// The 6-bit value of a base64url character.
fn value_of(c: u8) -> Result<u32, InvalidBase64> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return Err(InvalidBase64),
    };
    Ok(u32::from(v))
}

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let (b0, b1, b2) = match *chunk {
            [a, b, c] => (a, Some(b), Some(c)),
            [a, b] => (a, Some(b), None),
            [a] => (a, None, None),
            _ => continue,
        };
        let n = u32::from(b0) << 16 | u32::from(b1.unwrap_or(0)) << 8 | u32::from(b2.unwrap_or(0));
        out.push(char_of(n >> 18));
        out.push(char_of(n >> 12));
        if b1.is_some() {
            out.push(char_of(n >> 6));
        }
        if b2.is_some() {
            out.push(char_of(n));
        }
    }
    out
}

/// Decodes canonical unpadded base64url.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, InvalidBase64> {
    let input = text.as_bytes();
    if input.len() % 4 == 1 {
        return Err(InvalidBase64);
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    for chunk in input.chunks(4) {
        let mut n = 0u32;
        for &c in chunk {
            n = n << 6 | value_of(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]),
            3 => {
                // 18 bits carry 2 bytes; the low 2 bits must be zero.
                if n & 0b11 != 0 {
                    return Err(InvalidBase64);
                }
                out.extend_from_slice(&[(n >> 10) as u8, (n >> 2) as u8]);
            }
            2 => {
                // 12 bits carry 1 byte; the low 4 bits must be zero.
                if n & 0b1111 != 0 {
                    return Err(InvalidBase64);
                }
                out.push((n >> 4) as u8);
            }
            _ => return Err(InvalidBase64),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors_without_padding() {
        // RFC 4648 §10, with the padding removed.
        let cases: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            // The two characters that differ from standard base64.
            (&[0xfb, 0xff, 0xbf], "-_-_"),
        ];
        for (bytes, text) in cases {
            assert_eq!(encode(bytes), *text);
            assert_eq!(decode(text).unwrap(), *bytes);
        }
    }

    #[test]
    fn rejects_non_canonical_input() {
        for bad in [
            "Zg==",     // padding
            "Zm8=",     // padding
            "Z",        // impossible length
            "Zm9vY",    // impossible length
            "Zh",       // non-zero trailing bits (1 byte)
            "Zm9",      // non-zero trailing bits (2 bytes)
            "+/+/",     // standard alphabet
            "Zm9v Yg",  // whitespace
            "Zm9v\nYg", // newline
            "Zm9vYé",   // non-ASCII
        ] {
            assert_eq!(decode(bad), Err(InvalidBase64), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = encode(&bytes);
            prop_assert!(!text.contains('='));
            prop_assert_eq!(decode(&text).unwrap(), bytes);
        }

        #[test]
        fn decode_is_canonical(text in "[A-Za-z0-9_-]{0,40}") {
            // Whatever decodes re-encodes to the same text.
            if let Ok(bytes) = decode(&text) {
                prop_assert_eq!(encode(&bytes), text);
            }
        }
    }
}
