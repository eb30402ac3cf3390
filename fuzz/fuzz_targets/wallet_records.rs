//! The wallet's decoders of stored bytes: a FileStore record file (checksum and encrypted
//! mode, every collection), a credential record with its batch copies, a disclosure-log entry
//! with its JSON/CSV export, and a sealed software key. Whatever decodes must survive
//! re-encoding (see `zhengzhao::wallet::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = zhengzhao::wallet::fuzzing::decode_records(data) {
        panic!("wallet record invariant broken: {broken}");
    }
});
