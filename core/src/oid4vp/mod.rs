//! Remote presentation: OpenID for Verifiable Presentations 1.0 with ISO mdoc (its Appendix
//! B.2, as HAIP 1.0 profiles it) and the browsers' Digital Credentials API, for both the wallet
//! and the verifier. No I/O: strings and bytes in, strings and bytes out.
//!
//! | part | module |
//! |---|---|
//! | bounded JSON (size, depth, duplicate members) | [`json`] |
//! | JWK thumbprints, JWS ES256 (request objects), JWE ECDH-ES (encrypted responses) | [`jose`] |
//! | DCQL queries and matching them against held credentials | [`dcql`] |
//! | SessionTranscripts: an explicit [`handover::Handover`] per invocation, never a guess | [`handover`] |
//! | client identifier prefixes (`x509_san_dns`, `x509_hash`, `redirect_uri`) | [`client_id`] |
//! | ISO/IEC 18013-7 Annex C over the DC API (HPKE) | [`hpke`], [`annex_c`] |

pub mod annex_c;
pub mod client_id;
pub mod dcql;
pub mod handover;
pub mod hpke;
pub mod jose;
pub mod json;
