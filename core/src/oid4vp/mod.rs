//! Remote presentation: OpenID for Verifiable Presentations 1.0 with ISO mdoc (its Appendix
//! B.2, as HAIP 1.0 profiles it), for both the wallet and the verifier. No I/O: strings and
//! bytes in, strings and bytes out. The flow and every decision are in `docs/oid4vp.md`.
//!
//! | part | module |
//! |---|---|
//! | bounded JSON (size, depth, duplicate members) | [`json`] |
//! | JWK thumbprints, JWS ES256 (request objects), JWE ECDH-ES (encrypted responses) | [`jose`] |
//! | DCQL queries and matching them against held credentials | [`dcql`] |
//! | client identifier prefixes (`x509_san_dns`, `x509_hash`, `redirect_uri`) | [`client_id`] |
//! | the wallet's checks of an authorization request | [`request`] |
//! | the authorization response (`vp_token`, `direct_post`, `direct_post.jwt`, DC API) | [`response`] |
//! | SessionTranscripts: an explicit [`handover::Handover`] per invocation, never a guess | [`handover`] |
//! | the verifier's transaction (request, decryption, checks, single use) | [`verifier`] |
//!
//! The wallet over its store: [`Wallet::remote_request`](crate::wallet::Wallet::remote_request)
//! and [`Wallet::present_remote`](crate::wallet::Wallet::present_remote).

pub mod client_id;
pub mod dcql;
pub mod handover;
pub mod jose;
pub mod json;
pub mod request;
pub mod response;
pub mod verifier;
