//! Certificate parsing (PEM or DER) and chain validation against the Annex D anchors, for
//! both document-signer and reader-authentication use.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use zhengzhao::trust::{parse_pem_or_der, validate_chain, ChainUsage, TrustStore};

fuzz_target!(|data: &[u8]| {
    if let Ok(chain) = parse_pem_or_der(data) {
        for c in &chain {
            let _ = (
                c.subject(),
                c.issuer(),
                c.not_before(),
                c.not_after(),
                c.public_key(),
            );
        }
        let _ = validate_chain(
            &chain,
            &common::issuer_trust(),
            ChainUsage::DocumentSigner,
            common::at(),
        );
        let _ = validate_chain(
            &chain,
            &common::reader_trust(),
            ChainUsage::ReaderAuth,
            common::at(),
        );
        let _ = validate_chain(
            &chain,
            &TrustStore::new(),
            ChainUsage::DocumentSigner,
            common::at(),
        );
    }
});
