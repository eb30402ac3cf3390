//! Licence status (issue 15): Status List Tokens, the zlib inflater and the CBOR `StatusList`
//! and `IdentifierList`, split by the first byte of the input (modulo 3):
//!
//! - `0`: the rest is a token for `StatusListToken::parse`; a parsed token has its claims
//!   checked, a few entries read (first, last, one past the end, `u64::MAX`), its `x5chain`
//!   read and its chain verified against the Annex D IACA (with the Annex D document signer).
//! - `1`: `max (u16, little-endian) ‖ zlib` for `status::inflate(zlib, max)`: whatever inflates
//!   is at most `max` bytes and survives `deflate` then `inflate` unchanged.
//! - `2`: the rest is CBOR for `StatusList::from_value` (with a 64 KiB list bound) and
//!   `IdentifierList::from_value`: whatever parses survives `to_value` then `from_value`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use zhengzhao::cbor::{self, Limits};
use zhengzhao::crypto;
use zhengzhao::status::{self, IdentifierList, StatusLimits, StatusList, StatusListToken};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::Certificate;

/// The list bound of modes 1 and 2: small, so a bomb is cut short quickly.
const SMALL_LIST: usize = 64 * 1024;

fn token(data: &[u8]) {
    let Ok(token) = StatusListToken::parse(data, &StatusLimits::default()) else {
        return;
    };
    let at = common::at();
    let _ = token.check_claims(Some(token.sub()), at, true, None);
    let _ = token.check_claims(
        Some("https://example.com/statuslists/1"),
        at,
        false,
        Some(60),
    );
    let _ = token.check_claims(None, UnixTime::from_secs(i64::MAX), false, Some(0));
    let _ = (token.iat(), token.exp(), token.ttl());
    if let Ok(list) = token.list() {
        let len = list.len() as u64;
        assert!(len > 0, "a parsed list is never empty");
        for index in [0, len - 1, len / 2] {
            assert!(list.get(index).is_ok(), "index {index} of {len} refused");
        }
        for index in [len, u64::MAX] {
            assert!(list.get(index).is_err(), "index {index} of {len} accepted");
        }
    }
    if let Ok(ids) = token.identifiers() {
        let _ = ids.contains(b"\x01\x02");
    }
    if token.x5chain().is_ok() {
        let iaca = Certificate::from_der(&common::hex(include_str!(
            "../../tests/vectors/iso18013-5-annex-d/iaca_root_cert.der.hex"
        )));
        let ds = Certificate::from_der(&common::hex(include_str!(
            "../../tests/vectors/iso18013-5-annex-d/ds_cert.der.hex"
        )));
        if let (Ok(iaca), Ok(ds)) = (iaca, ds) {
            let provider = crypto::default_provider();
            let _ = token.verify_chain(provider.as_ref(), &iaca, Some(&ds), at);
            let _ = token.verify_chain(provider.as_ref(), &iaca, None, at);
        }
    }
}

fn inflate(data: &[u8]) {
    let Some((max, zlib)) = data.split_first_chunk::<2>() else {
        return;
    };
    let max = usize::from(u16::from_le_bytes(*max));
    if let Ok(raw) = status::inflate(zlib, max) {
        assert!(raw.len() <= max, "{} bytes inflated past {max}", raw.len());
        assert_eq!(
            status::inflate(&status::deflate(&raw), max).as_ref(),
            Ok(&raw)
        );
    }
}

fn list(data: &[u8]) {
    let mut limits = Limits::default();
    limits.byte_string_keys = true;
    let Ok(v) = cbor::decode_with(data, &limits) else {
        return;
    };
    let mut small = StatusLimits::default();
    small.max_list_bytes = SMALL_LIST;
    if let Ok(list) = StatusList::from_value(&v, &small) {
        assert!(list.as_bytes().len() <= SMALL_LIST);
        let again = StatusList::from_value(&list.to_value(), &small);
        assert_eq!(again.as_ref(), Ok(&list));
        let last = list.len() as u64 - 1;
        assert!(list.get(last).is_ok());
    }
    if let Ok(ids) = IdentifierList::from_value(&v) {
        assert_eq!(IdentifierList::from_value(&ids.to_value()), Ok(ids));
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((b, rest)) if b % 3 == 0 => token(rest),
        Some((b, rest)) if b % 3 == 1 => inflate(rest),
        Some((_, rest)) => list(rest),
        None => {}
    }
});
