//! WebAssembly binding of the zhengzhao core, for web pages, Node and mini-programs (WeChat,
//! Alipay).
//!
//! These exports are the *raw* layer under the JavaScript API in `js/api.js`, which is what
//! applications call (`verify({ response, transcript, trust, pinned, readerKey, at })`, …) and
//! what `index.d.ts` declares. The raw layer takes and returns only bytes, strings and numbers,
//! so the generated glue stays small and needs nothing from the host but `WebAssembly` (or
//! `WXWebAssembly`), a UTF-8 codec and `crypto.getRandomValues`, all of which the mini-program
//! entry supplies itself.
//!
//! Conventions of every export:
//! - **Errors** are thrown as a JSON string `{"code", "check", "document", "message"}` (see
//!   [`error`]); `js/api.js` turns it into an `Error` with those fields.
//! - **Time** always comes from JavaScript as milliseconds since the Unix epoch
//!   (`Date.getTime()`): `SystemTime::now()` panics on wasm32-unknown-unknown, so nothing here
//!   calls it.
//! - **Structured results** are JSON text, parsed by `js/api.js`; element values use the typed
//!   grammar of `zhengzhao-json`, so a result reads the same as `verify --json`.

#[cfg(feature = "bench")]
pub mod bench;
mod display;
pub mod error;
#[cfg(feature = "issuer")]
mod issuer;
mod profiles;
#[cfg(feature = "reader")]
mod reader;
#[cfg(feature = "session")]
mod session;
#[cfg(all(feature = "wallet", target_arch = "wasm32"))]
mod storage;
mod verify;
#[cfg(all(feature = "wallet", target_arch = "wasm32"))]
mod wallet;

pub use display::doc_type_name;
#[cfg(feature = "session")]
pub use session::ReaderSession;
#[cfg(feature = "wallet")]
pub use session::{engagement_qr_svg, HolderSession};
pub use verify::verify;

use wasm_bindgen::prelude::wasm_bindgen;

/// The crate version (also the npm package version).
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// A JavaScript time (milliseconds since the epoch, as `Date.getTime()` gives) as a
/// [`UnixTime`](zhengzhao::time::UnixTime), rounded down to the second; `NaN`, infinities and
/// times outside ±10⁵ years are refused.
pub(crate) fn time_from_ms(ms: f64) -> Result<zhengzhao::time::UnixTime, error::JsError> {
    // ±100,000 years in milliseconds: far beyond any certificate, well inside i64 and f64's
    // exact integers.
    const LIMIT_MS: f64 = 3.2e15;
    if !ms.is_finite() || ms.abs() > LIMIT_MS {
        return Err(error::JsError::invalid_input("time is not a valid Date"));
    }
    // In range and finite: the cast is exact after floor.
    Ok(zhengzhao::time::UnixTime::from_secs(
        (ms / 1000.0).floor() as i64
    ))
}

/// SessionTranscriptBytes (tag 24) or the bare SessionTranscript, as every export takes it; a
/// transcript that does not parse is `Malformed`.
pub(crate) fn parse_transcript(
    bytes: &[u8],
) -> Result<zhengzhao::model::SessionTranscript, error::JsError> {
    zhengzhao::model::SessionTranscript::parse_any(bytes, &zhengzhao::cbor::Limits::default())
        .map_err(|e| error::JsError::malformed(format!("session transcript: {e}")))
}
