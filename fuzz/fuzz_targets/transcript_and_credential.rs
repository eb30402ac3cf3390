//! SessionTranscript bytes from a caller or peer (either form), and a stored credential read
//! back from storage that may be corrupted: both parse without panicking, and what parses can
//! be used.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zhengzhao::cbor::Limits;
use zhengzhao::model::{Credential, DeviceSigned, SessionTranscript};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(t) = SessionTranscript::parse_any(data, &limits) {
        let _ = t.device_authentication_bytes(
            "org.iso.18013.5.1.mDL",
            &DeviceSigned::empty_namespaces_bytes(),
        );
    }
    if let Ok(c) = Credential::from_bytes(data, &limits) {
        let _ = c.element_ids();
        let _ = zhengzhao::danger::mso_unverified(&c.issuer_signed, &limits);
    }
});
