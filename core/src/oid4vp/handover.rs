//! SessionTranscripts for remote presentation: one explicit [`Handover`] per invocation,
//! never a guess.
//!
//! Every transcript is `[null, null, Handover]` (OpenID4VP 1.0 B.2.6; no device engagement
//! and no reader key exist remotely). Strings are used exactly as given: the `client_id` keeps
//! its prefix, a `response_uri` or origin is neither trimmed nor completed, and the JWK
//! thumbprint is the raw 32-byte RFC 7638 hash ([`Jwk::thumbprint`](super::jose::Jwk::thumbprint)),
//! or `null` when the response is not encrypted.

use crate::cbor::{encode, Value};
use crate::crypto::sha256;
use crate::model::SessionTranscript;

/// How the request reached the wallet, as far as the transcript is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handover {
    /// OpenID4VP 1.0 B.2.6.1 (redirects: `direct_post`, `direct_post.jwt`):
    /// `["OpenID4VPHandover", SHA-256(OpenID4VPHandoverInfo)]` with
    /// `OpenID4VPHandoverInfo = [client_id, nonce, jwk_thumbprint / null, response_uri]`.
    OpenId4Vp {
        /// The client identifier, prefix included.
        client_id: String,
        /// The verifier's nonce.
        nonce: String,
        /// The thumbprint of the response encryption key, `None` without encryption.
        jwk_thumbprint: Option<[u8; 32]>,
        /// The `response_uri`.
        response_uri: String,
    },
    /// OpenID4VP 1.0 B.2.6.2 (the Digital Credentials API: `dc_api`, `dc_api.jwt`):
    /// `["OpenID4VPDCAPIHandover", SHA-256([origin, nonce, jwk_thumbprint / null])]`; the
    /// `client_id` is not part of it.
    OpenId4VpDcApi {
        /// The calling web origin, without the `origin:` prefix.
        origin: String,
        /// The verifier's nonce.
        nonce: String,
        /// The thumbprint of the response encryption key, `None` without encryption.
        jwk_thumbprint: Option<[u8; 32]>,
    },
    /// Verify-only: ISO/IEC 18013-7:2024 Annex B (before OpenID4VP 1.0):
    /// `[SHA-256([client_id, mdoc_generated_nonce]), SHA-256([response_uri,
    /// mdoc_generated_nonce]), nonce]`.
    LegacyAnnexB {
        /// The client identifier.
        client_id: String,
        /// The `response_uri`.
        response_uri: String,
        /// The verifier's nonce.
        nonce: String,
        /// The wallet's nonce (sent in the JWE `apu`).
        mdoc_generated_nonce: String,
    },
    /// Verify-only: the DC API handover of OpenID4VP draft 24 (what the Google vector uses):
    /// `["OpenID4VPDCAPIHandover", SHA-256([origin, client_id, nonce])]`.
    DcApiDraft24 {
        /// The calling web origin.
        origin: String,
        /// The client identifier.
        client_id: String,
        /// The verifier's nonce.
        nonce: String,
    },
}

fn thumbprint(t: &Option<[u8; 32]>) -> Value {
    match t {
        Some(t) => Value::Bytes(t.to_vec()),
        None => Value::Null,
    }
}

fn text(s: &str) -> Value {
    Value::text(s)
}

impl Handover {
    /// The CBOR the handover's hash is taken over (the "info" array), where there is one.
    pub fn info_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Handover::OpenId4Vp {
                client_id,
                nonce,
                jwk_thumbprint,
                response_uri,
            } => Some(encode(&Value::Array(vec![
                text(client_id),
                text(nonce),
                thumbprint(jwk_thumbprint),
                text(response_uri),
            ]))),
            Handover::OpenId4VpDcApi {
                origin,
                nonce,
                jwk_thumbprint,
            } => Some(encode(&Value::Array(vec![
                text(origin),
                text(nonce),
                thumbprint(jwk_thumbprint),
            ]))),
            Handover::DcApiDraft24 {
                origin,
                client_id,
                nonce,
            } => Some(encode(&Value::Array(vec![
                text(origin),
                text(client_id),
                text(nonce),
            ]))),
            Handover::LegacyAnnexB { .. } => None,
        }
    }

    /// The handover item (the transcript's third element).
    pub fn handover_value(&self) -> Value {
        let info_hash = || Value::Bytes(sha256(&self.info_bytes().unwrap_or_default()).to_vec());
        match self {
            Handover::OpenId4Vp { .. } => {
                Value::Array(vec![text("OpenID4VPHandover"), info_hash()])
            }
            Handover::OpenId4VpDcApi { .. } | Handover::DcApiDraft24 { .. } => {
                Value::Array(vec![text("OpenID4VPDCAPIHandover"), info_hash()])
            }
            Handover::LegacyAnnexB {
                client_id,
                response_uri,
                nonce,
                mdoc_generated_nonce,
            } => {
                let hash = |s: &str| {
                    Value::Bytes(
                        sha256(&encode(&Value::Array(vec![
                            text(s),
                            text(mdoc_generated_nonce),
                        ])))
                        .to_vec(),
                    )
                };
                Value::Array(vec![hash(client_id), hash(response_uri), text(nonce)])
            }
        }
    }

    /// `[null, null, handover]`.
    pub fn transcript(&self) -> SessionTranscript {
        SessionTranscript::new(None, None, &self.handover_value())
    }

    /// A short name, used in errors (which transcript a device signature was checked against).
    pub fn name(&self) -> &'static str {
        match self {
            Handover::OpenId4Vp { .. } => "openid4vp",
            Handover::OpenId4VpDcApi { .. } => "openid4vp_dc_api",
            Handover::LegacyAnnexB { .. } => "legacy_annex_b",
            Handover::DcApiDraft24 { .. } => "dc_api_draft24",
        }
    }

    /// Whether this is a pre-1.0 form, accepted only by a verifier that asks for it.
    pub fn is_legacy(&self) -> bool {
        matches!(
            self,
            Handover::LegacyAnnexB { .. } | Handover::DcApiDraft24 { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    macro_rules! vector {
        ($name:literal) => {
            include_str!(concat!("../../../tests/vectors/openid4vp/", $name))
        };
    }

    fn hex(s: &str) -> Vec<u8> {
        ::hex::decode(s.trim()).unwrap()
    }

    fn thumb(s: &str) -> [u8; 32] {
        hex(s).try_into().unwrap()
    }

    fn redirect(thumbprint: Option<[u8; 32]>) -> Handover {
        let i: Json = serde_json::from_str(vector!("redirect.inputs.json")).unwrap();
        Handover::OpenId4Vp {
            client_id: i["client_id"].as_str().unwrap().into(),
            nonce: i["nonce"].as_str().unwrap().into(),
            jwk_thumbprint: thumbprint,
            response_uri: i["response_uri"].as_str().unwrap().into(),
        }
    }

    fn dcapi(thumbprint: Option<[u8; 32]>) -> Handover {
        let i: Json = serde_json::from_str(vector!("dcapi.inputs.json")).unwrap();
        Handover::OpenId4VpDcApi {
            origin: i["origin"].as_str().unwrap().into(),
            nonce: i["nonce"].as_str().unwrap().into(),
            jwk_thumbprint: thumbprint,
        }
    }

    #[test]
    fn published_transcripts_byte_for_byte() {
        let t = thumb(vector!("redirect.jwk_thumbprint.hex"));
        let h = redirect(Some(t));
        assert_eq!(
            h.info_bytes().unwrap(),
            hex(vector!("redirect.handover_info.hex"))
        );
        assert_eq!(
            sha256(&h.info_bytes().unwrap()).to_vec(),
            hex(vector!("redirect.handover_info.sha256.hex"))
        );
        assert_eq!(
            encode(&h.handover_value()),
            hex(vector!("redirect.handover.hex"))
        );
        assert_eq!(
            h.transcript().content(),
            hex(vector!("redirect.session_transcript.hex"))
        );
        assert_eq!(
            h.transcript().tagged_bytes(),
            hex(vector!("redirect.session_transcript_bytes.hex"))
        );
        let n = redirect(None);
        assert_eq!(
            n.info_bytes().unwrap(),
            hex(vector!("redirect_null_thumbprint.handover_info.hex"))
        );
        assert_eq!(
            n.transcript().content(),
            hex(vector!("redirect_null_thumbprint.session_transcript.hex"))
        );

        let d = dcapi(Some(t));
        assert_eq!(
            d.info_bytes().unwrap(),
            hex(vector!("dcapi.handover_info.hex"))
        );
        assert_eq!(
            encode(&d.handover_value()),
            hex(vector!("dcapi.handover.hex"))
        );
        assert_eq!(
            d.transcript().content(),
            hex(vector!("dcapi.session_transcript.hex"))
        );
        assert_eq!(
            d.transcript().tagged_bytes(),
            hex(vector!("dcapi.session_transcript_bytes.hex"))
        );
        assert_eq!(
            dcapi(None).transcript().content(),
            hex(vector!("dcapi_null_thumbprint.session_transcript.hex"))
        );

        let i: Json = serde_json::from_str(vector!("annexb_legacy.inputs.json")).unwrap();
        let s = |k: &str| i[k].as_str().unwrap().to_owned();
        let legacy = Handover::LegacyAnnexB {
            client_id: s("client_id"),
            response_uri: s("response_uri"),
            nonce: s("nonce"),
            mdoc_generated_nonce: s("mdoc_generated_nonce"),
        };
        assert_eq!(
            encode(&legacy.handover_value()),
            hex(vector!("annexb_legacy.handover.hex"))
        );
        assert_eq!(
            legacy.transcript().content(),
            hex(vector!("annexb_legacy.session_transcript.hex"))
        );
        assert_eq!(
            legacy.transcript().tagged_bytes(),
            hex(vector!("annexb_legacy.session_transcript_bytes.hex"))
        );
        assert!(legacy.is_legacy() && !h.is_legacy());
    }

    #[test]
    fn every_change_gives_another_transcript() {
        let t = thumb(vector!("redirect.jwk_thumbprint.hex"));
        let base = redirect(Some(t)).transcript();
        let Handover::OpenId4Vp {
            client_id,
            nonce,
            response_uri,
            ..
        } = redirect(Some(t))
        else {
            unreachable!()
        };
        let variants = [
            Handover::OpenId4Vp {
                client_id: client_id.trim_start_matches("x509_san_dns:").into(),
                nonce: nonce.clone(),
                jwk_thumbprint: Some(t),
                response_uri: response_uri.clone(),
            },
            Handover::OpenId4Vp {
                client_id: client_id.clone(),
                nonce: format!("{nonce}x"),
                jwk_thumbprint: Some(t),
                response_uri: response_uri.clone(),
            },
            Handover::OpenId4Vp {
                client_id: client_id.clone(),
                nonce: nonce.clone(),
                jwk_thumbprint: Some(t),
                response_uri: format!("{response_uri}/"),
            },
            redirect(None),
            dcapi(Some(t)),
        ];
        for v in variants {
            assert_ne!(v.transcript(), base, "{v:?}");
        }
        let d = dcapi(Some(t)).transcript();
        let Handover::OpenId4VpDcApi { origin, nonce, .. } = dcapi(Some(t)) else {
            unreachable!()
        };
        for origin in [format!("origin:{origin}"), format!("{origin}/")] {
            let v = Handover::OpenId4VpDcApi {
                origin,
                nonce: nonce.clone(),
                jwk_thumbprint: Some(t),
            };
            assert_ne!(v.transcript(), d);
        }
    }
}
