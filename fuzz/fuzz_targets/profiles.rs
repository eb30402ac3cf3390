//! The Chinese-licence parsers: identifiers typed in or scanned (licence identifier strict and
//! lenient, USCC, organisation code, citizen ID number, vehicle class) and the trust list, both
//! unsigned and signed (against the Annex D IACA as a stand-in publisher).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use zhengzhao::profiles::{
    CitizenIdNumber, LicenceId, OrganisationCode, TrustList, Uscc, VehicleClass,
};
use zhengzhao::trust::Certificate;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = LicenceId::parse(s);
        if let Ok(l) = LicenceId::parse_lenient(s) {
            let _ = l.issues();
        }
        let _ = Uscc::parse(s);
        let _ = OrganisationCode::parse(s);
        let _ = CitizenIdNumber::parse(s);
        let _ = VehicleClass::parse(s);
    }
    let _ = TrustList::from_bytes(data);
    if let Ok(publisher) = Certificate::from_der(&common::hex(include_str!(
        "../../tests/vectors/iso18013-5-annex-d/iaca_root_cert.der.hex"
    ))) {
        let _ = TrustList::from_signed(data, &[publisher], common::at(), 0);
    }
});
