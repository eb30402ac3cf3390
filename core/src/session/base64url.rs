//! Strict base64url without padding (RFC 4648 §5, §3.2), as the engagement QR code uses it.
//!
//! The codec is the `base64` crate's general-purpose engine with the URL-safe alphabet,
//! configured for canonical decoding: the only accepted input for given bytes is exactly what
//! [`encode`] produces, so padding (`=`), the standard alphabet (`+`, `/`), whitespace, a
//! length of 1 modulo 4 and non-zero unused bits in the last character are all rejected. The
//! configuration is spelled out below rather than taken from `URL_SAFE_NO_PAD`, so that a
//! change of that constant's defaults cannot loosen what the QR code accepts.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Unpadded base64url: no padding written, padding refused, unused trailing bits must be zero.
const STRICT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Input that is not canonical unpadded base64url.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InvalidBase64;

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

/// Decodes canonical unpadded base64url.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, InvalidBase64> {
    STRICT.decode(text).map_err(|_| InvalidBase64)
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
