//! The proximity-session parsers a holder or reader runs on bytes from a stranger: the QR
//! engagement string, DeviceEngagement, SessionEstablishment and SessionData; and the holder
//! state machine handling an establishment message end to end (decrypt, parse the request,
//! reader authentication) with a fixed engagement key.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use zhengzhao::cbor::Limits;
use zhengzhao::holder::RequestOptions;
use zhengzhao::session::{DeviceEngagement, HolderSession, SessionData, SessionEstablishment};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(e) = DeviceEngagement::from_qr(s) {
            let _ = e.to_qr();
        }
    }
    if let Ok(e) = DeviceEngagement::parse(data) {
        let _ = DeviceEngagement::from_qr(&e.to_qr());
    }
    let _ = SessionData::parse(data, &limits);
    if SessionEstablishment::parse(data, &limits).is_ok() {
        if let Ok(holder) = HolderSession::engage(Vec::new()) {
            let options =
                RequestOptions::new(common::at()).with_reader_trust(common::reader_trust());
            let _ = holder.handle_establishment(data, &options);
        }
    }
});
