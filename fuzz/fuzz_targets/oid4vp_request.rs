//! OpenID4VP (issue 17): what a wallet and a verifier take from the network, split by the
//! first byte of the input (modulo 3); the rest must be UTF-8 or is skipped.
//!
//! - `0`: an authorization request URI for `RequestSource::from_uri`; plain parameters go on
//!   to `RequestPolicy::verify_unsigned` (as a redirect and as a DC API request).
//! - `1`: a request object for `RequestPolicy::verify_request_object` against the Annex D
//!   reader CA (as a redirect and as a DC API request).
//! - `2`: a response body for `Transaction::handle_response` of a fixed encrypted
//!   transaction (a constant key: the target is deterministic), verified with the Annex D
//!   issuer anchors.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use zhengzhao::oid4vp::json::JsonLimits;
use zhengzhao::oid4vp::request::{Invocation, RequestPolicy, RequestSource};
use zhengzhao::oid4vp::verifier::Transaction;
use zhengzhao::verifier::Verifier;

/// A transaction as `Transaction::to_state_json` writes it, with a constant key.
const STATE: &str = r#"{"client_id":"x509_san_dns:verifier.example.cn","response_uri":"https://verifier.example.cn/r","response_mode":"direct_post.jwt","nonce":"n-0S6_WzA2Mj","state":"st","dcql_query":{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},"claims":[{"path":["org.iso.18013.5.1","family_name"]}]}]},"created":1609459100,"expires":1609459400,"answered":false,"encryption_key":{"d":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE","kid":"k1"}}"#;

fn invocations() -> [Invocation; 2] {
    [
        Invocation::Redirect,
        Invocation::DcApi {
            origin: "https://verifier.example.cn".into(),
        },
    ]
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let policy = RequestPolicy::new(common::reader_trust(), common::at());
    match mode % 3 {
        0 => {
            if let Ok(RequestSource::Parameters(params)) =
                RequestSource::from_uri(text, &JsonLimits::default())
            {
                for invocation in invocations() {
                    let _ = policy.verify_unsigned(&params, &invocation);
                }
            }
        }
        1 => {
            for invocation in invocations() {
                let _ = policy.verify_request_object(text, None, None, &invocation);
            }
        }
        _ => {
            let Ok(mut tx) = Transaction::from_state_json(STATE) else {
                return;
            };
            let verifier = Verifier::new(common::issuer_trust());
            let _ = tx.handle_response(text, &verifier, common::at(), None, &JsonLimits::default());
        }
    }
});
