//! Client identifiers and their prefixes (OpenID4VP 1.0 §5.9).
//!
//! The `client_id` of an authorization request names the verifier, and its prefix says how the
//! wallet authenticates it. The full string, prefix included, is what the transcript binds
//! ([`Handover::OpenId4Vp`](super::handover::Handover::OpenId4Vp)): the prefix is never
//! stripped before hashing.
//!
//! | prefix | how the verifier is authenticated | here |
//! |---|---|---|
//! | `x509_san_dns:` | request signed by the `x5c` leaf; the DNS name is a `dNSName` SAN of that leaf; the chain ends at a verifier trust anchor | supported |
//! | `x509_hash:` | request signed by the `x5c` leaf whose DER's SHA-256 (base64url) is the identifier; the chain ends at a verifier trust anchor (HAIP 1.0) | supported |
//! | `redirect_uri:` | not at all: the identifier is where the response goes; unsigned requests only | supported, shown as unauthenticated |
//! | `origin:` | reserved for the DC API's audience; a wallet must not accept it in a request | refused |
//! | none, `openid_federation:`, `decentralized_identifier:`, `verifier_attestation:`, others | need registration, federation, DID resolution or attestation issuers this library does not have | refused as unsupported |

use core::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Why a `client_id` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientIdError {
    /// The `origin:` prefix is reserved for the DC API audience (§5.9.1): never accepted in a
    /// request.
    #[error("the origin: client identifier prefix is reserved and never accepted in a request")]
    OriginPrefix,
    /// A prefix this library does not support (or no prefix: a pre-registered client).
    #[error("unsupported client identifier prefix {prefix:?}")]
    UnsupportedPrefix {
        /// The prefix, or `pre-registered` when there is none.
        prefix: String,
    },
    /// The part after the prefix is empty or not of its prefix's form (a DNS name for
    /// `x509_san_dns`, 32 bytes of base64url for `x509_hash`, an `https` URI for
    /// `redirect_uri`).
    #[error("malformed {prefix} client identifier")]
    Malformed {
        /// The prefix.
        prefix: &'static str,
    },
}

/// A parsed client identifier. [`ClientId::as_str`] is the whole string as received.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientId {
    raw: String,
    kind: ClientIdKind,
}

/// What a client identifier's prefix says about the verifier.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientIdKind {
    /// `x509_san_dns:<dns name>`.
    X509SanDns {
        /// The DNS name, which must be a `dNSName` SAN of the request's signing certificate.
        dns_name: String,
    },
    /// `x509_hash:<base64url SHA-256 of the leaf certificate's DER>`.
    X509Hash {
        /// The decoded hash.
        hash: [u8; 32],
    },
    /// `redirect_uri:<uri>`: unauthenticated; the response goes to this URI.
    RedirectUri {
        /// The URI.
        uri: String,
    },
}

/// The longest client identifier accepted, in bytes.
pub const MAX_CLIENT_ID_LEN: usize = 2048;

impl ClientId {
    /// Parses `client_id`, refusing the `origin:` prefix and every prefix this library cannot
    /// authenticate.
    pub fn parse(client_id: &str) -> Result<ClientId, ClientIdError> {
        let (prefix, rest) = match client_id.split_once(':') {
            Some(parts) => parts,
            None => {
                return Err(ClientIdError::UnsupportedPrefix {
                    prefix: "pre-registered".into(),
                })
            }
        };
        if client_id.len() > MAX_CLIENT_ID_LEN {
            return Err(ClientIdError::Malformed {
                prefix: static_prefix(prefix),
            });
        }
        let kind = match prefix {
            "origin" => return Err(ClientIdError::OriginPrefix),
            "x509_san_dns" => {
                if !is_dns_name(rest) {
                    return Err(ClientIdError::Malformed {
                        prefix: "x509_san_dns",
                    });
                }
                ClientIdKind::X509SanDns {
                    dns_name: rest.to_owned(),
                }
            }
            "x509_hash" => {
                let hash = URL_SAFE_NO_PAD
                    .decode(rest)
                    .ok()
                    .and_then(|h| <[u8; 32]>::try_from(h).ok())
                    .ok_or(ClientIdError::Malformed {
                        prefix: "x509_hash",
                    })?;
                ClientIdKind::X509Hash { hash }
            }
            "redirect_uri" => {
                if !rest.starts_with("https://") || rest.len() <= "https://".len() {
                    return Err(ClientIdError::Malformed {
                        prefix: "redirect_uri",
                    });
                }
                ClientIdKind::RedirectUri {
                    uri: rest.to_owned(),
                }
            }
            // `https:` and the like: a URL without a prefix is a pre-registered identifier.
            other => {
                return Err(ClientIdError::UnsupportedPrefix {
                    prefix: if KNOWN_PREFIXES.contains(&other) {
                        other.to_owned()
                    } else {
                        "pre-registered".into()
                    },
                })
            }
        };
        Ok(ClientId {
            raw: client_id.to_owned(),
            kind,
        })
    }

    /// `x509_san_dns:<dns_name>`.
    pub fn x509_san_dns(dns_name: &str) -> Result<ClientId, ClientIdError> {
        ClientId::parse(&format!("x509_san_dns:{dns_name}"))
    }

    /// `x509_hash:<base64url(SHA-256(leaf DER))>`.
    pub fn x509_hash(leaf_der: &[u8]) -> ClientId {
        let hash = crate::crypto::sha256(leaf_der);
        ClientId {
            raw: format!("x509_hash:{}", URL_SAFE_NO_PAD.encode(hash)),
            kind: ClientIdKind::X509Hash { hash },
        }
    }

    /// The whole identifier, prefix included, exactly as received: what the transcript binds.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// What the prefix says.
    pub fn kind(&self) -> &ClientIdKind {
        &self.kind
    }

    /// The prefix's name (`x509_san_dns`, `x509_hash`, `redirect_uri`).
    pub fn prefix(&self) -> &'static str {
        match self.kind {
            ClientIdKind::X509SanDns { .. } => "x509_san_dns",
            ClientIdKind::X509Hash { .. } => "x509_hash",
            ClientIdKind::RedirectUri { .. } => "redirect_uri",
        }
    }

    /// Whether the prefix requires a signed request (every supported prefix but
    /// `redirect_uri`, which must not be signed).
    pub fn requires_signature(&self) -> bool {
        !matches!(self.kind, ClientIdKind::RedirectUri { .. })
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientId").field(&self.raw).finish()
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

const KNOWN_PREFIXES: &[&str] = &[
    "openid_federation",
    "decentralized_identifier",
    "verifier_attestation",
    "x509_san_dns",
    "x509_hash",
    "redirect_uri",
    "origin",
];

fn static_prefix(prefix: &str) -> &'static str {
    KNOWN_PREFIXES
        .iter()
        .find(|p| **p == prefix)
        .copied()
        .unwrap_or("unknown")
}

/// A DNS name as a `dNSName` SAN holds it (RFC 5280 §4.2.1.6, RFC 1034 preferred syntax):
/// labels of letters, digits and inner hyphens, 1 to 63 bytes each, 253 bytes at most. No
/// wildcard: a client identifier names one host.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            let bytes = label.as_bytes();
            !bytes.is_empty()
                && bytes.len() <= 63
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                && bytes.first() != Some(&b'-')
                && bytes.last() != Some(&b'-')
        })
}

/// Whether `dns_name` is one of `sans`: ASCII case-insensitive (DNS names are, RFC 4343), no
/// wildcard matching.
pub fn san_matches(dns_name: &str, sans: &[String]) -> bool {
    sans.iter().any(|san| san.eq_ignore_ascii_case(dns_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let c = ClientId::parse("x509_san_dns:example.com").unwrap();
        assert_eq!(c.as_str(), "x509_san_dns:example.com");
        assert_eq!(
            c.kind(),
            &ClientIdKind::X509SanDns {
                dns_name: "example.com".into()
            }
        );
        assert!(c.requires_signature());

        let leaf = b"not really a certificate";
        let h = ClientId::x509_hash(leaf);
        let parsed = ClientId::parse(h.as_str()).unwrap();
        assert_eq!(parsed, h);
        assert_eq!(
            parsed.kind(),
            &ClientIdKind::X509Hash {
                hash: crate::crypto::sha256(leaf)
            }
        );

        let r = ClientId::parse("redirect_uri:https://rp.example/cb").unwrap();
        assert!(!r.requires_signature());
        assert_eq!(r.prefix(), "redirect_uri");
    }

    #[test]
    fn refused() {
        assert_eq!(
            ClientId::parse("origin:https://example.com"),
            Err(ClientIdError::OriginPrefix)
        );
        for (id, prefix) in [
            ("example.com", "pre-registered"),
            ("https://example.com", "pre-registered"),
            (
                "decentralized_identifier:did:example:1",
                "decentralized_identifier",
            ),
            ("verifier_attestation:v.example", "verifier_attestation"),
            ("openid_federation:https://f.example", "openid_federation"),
        ] {
            assert_eq!(
                ClientId::parse(id),
                Err(ClientIdError::UnsupportedPrefix {
                    prefix: prefix.into()
                }),
                "{id}"
            );
        }
        for id in [
            "x509_san_dns:",
            "x509_san_dns:*.example.com",
            "x509_san_dns:-a.example",
            "x509_san_dns:a..example",
            "x509_san_dns:exa mple.com",
            "x509_hash:",
            "x509_hash:AAAA",
            // 32 bytes, but padded: base64url without padding only.
            "x509_hash:Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk=",
            "redirect_uri:http://rp.example/cb",
            "redirect_uri:https://",
        ] {
            assert!(
                matches!(ClientId::parse(id), Err(ClientIdError::Malformed { .. })),
                "{id}"
            );
        }
        // The spec's own example hash decodes.
        assert!(ClientId::parse("x509_hash:Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk").is_ok());
    }

    #[test]
    fn san_matching_is_exact_up_to_ascii_case() {
        let sans = vec!["verifier.example.cn".to_owned()];
        assert!(san_matches("Verifier.Example.CN", &sans));
        assert!(!san_matches("example.cn", &sans));
        assert!(!san_matches("evil-verifier.example.cn", &sans));
        assert!(!san_matches("verifier.example.cn.evil", &sans));
    }
}

#[cfg(test)]
mod chain_tests {
    use crate::trust::testpki::TestPki;
    use crate::trust::{validate_chain, ChainUsage, TrustError};
    use crate::UnixTime;

    #[test]
    fn verifier_certificate_profile() {
        let now = UnixTime::now();
        let pki = TestPki::generate(now).unwrap();
        assert_eq!(
            pki.verifier.dns_names().unwrap(),
            vec!["verifier.example.cn".to_owned()]
        );
        assert!(pki.reader.dns_names().unwrap().is_empty());
        let store = pki.reader_trust_store();
        let chain = validate_chain(
            std::slice::from_ref(&pki.verifier),
            &store,
            ChainUsage::RequestObject,
            now,
        )
        .unwrap();
        assert_eq!(chain.anchor(), &pki.reader_ca);
        // A document signer's key never signs requests, and issuer anchors do not vouch for
        // verifiers.
        assert!(matches!(
            validate_chain(
                std::slice::from_ref(&pki.document_signer),
                &pki.issuer_trust_store(),
                ChainUsage::RequestObject,
                now
            ),
            Err(TrustError::UntrustedRoot) | Err(TrustError::ExtendedKeyUsage)
        ));
        assert!(validate_chain(
            std::slice::from_ref(&pki.verifier),
            &pki.issuer_trust_store(),
            ChainUsage::RequestObject,
            now
        )
        .is_err());
    }
}
