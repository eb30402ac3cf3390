//! The wallet reading an untrusted DeviceRequest, with reader authentication against the
//! Annex D reader root, then computing what it could disclose.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use zhengzhao::holder::{ParsedRequest, RequestOptions};

fuzz_target!(|data: &[u8]| {
    let options = RequestOptions::new(common::at()).with_reader_trust(common::reader_trust());
    if let Ok(req) = ParsedRequest::parse(data, &common::transcript(), &options) {
        for d in req.documents() {
            let _ = d.requested();
            let _ = d.reader();
        }
    }
});
