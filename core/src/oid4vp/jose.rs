//! The JOSE this library needs, and nothing more: P-256 JWKs and their RFC 7638 thumbprints,
//! compact JWS with ES256 (request objects), compact JWE with ECDH-ES direct key agreement and
//! A128GCM / A256GCM (encrypted responses, OpenID4VP 1.0 §8.3).
//!
//! Written here rather than taken from a crate: no maintained pure-Rust crate does JWE with
//! direct `ECDH-ES` (josekit needs OpenSSL; the others do only `ECDH-ES+A*KW` or return
//! "unsupported"), and the JWS part is a few lines over the core's own ES256.
//!
//! Everything is checked over the bytes exactly as received: a JWS signature over
//! `ASCII(part 1 '.' part 2)`, a JWE's AAD = `ASCII(part 1)`, never a re-serialised header.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::json::{self, JsonError, JsonLimits};
use crate::crypto::{self, CryptoError, EcPublicKey, KeyAgreement, Signer, SoftwareKey};

/// Why a JOSE object was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JoseError {
    /// A part is not base64url without padding.
    #[error("{part} is not base64url")]
    Base64 {
        /// Which part.
        part: &'static str,
    },
    /// A header (or the payload where JSON is required) is not acceptable JSON.
    #[error("JSON: {0}")]
    Json(#[from] JsonError),
    /// Not the number of parts of its serialisation (3 for JWS, 5 for JWE).
    #[error("{what} compact serialisation must have {parts} parts")]
    Parts {
        /// JWS or JWE.
        what: &'static str,
        /// The number required.
        parts: usize,
    },
    /// `alg` is `none`: an unsecured JWS is never accepted.
    #[error("alg none is never accepted")]
    AlgNone,
    /// `alg` is missing or not the one supported (`ES256` for JWS, `ECDH-ES` for JWE).
    #[error("unsupported alg")]
    UnsupportedAlg,
    /// `enc` is missing or not A128GCM / A256GCM.
    #[error("unsupported enc")]
    UnsupportedEnc,
    /// `enc` is supported but not one the recipient offered.
    #[error("enc not among those allowed")]
    EncNotAllowed,
    /// A `crit` header: no extension is understood here (RFC 7515 §4.1.11).
    #[error("crit header parameters are not supported")]
    Crit,
    /// A JWK that is not an EC P-256 key (kept in a [`JwkSet`] only to say so).
    #[error("unsupported key type")]
    UnsupportedKey,
    /// No key with this `kid`.
    #[error("no key with this kid")]
    UnknownKid,
    /// A P-256 JWK whose coordinates are not a point on the curve, or of the wrong length.
    #[error("invalid key")]
    BadKey,
    /// The JWS signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The JWE does not decrypt (wrong key, or any changed byte of header, IV, ciphertext or tag).
    #[error("decryption failed")]
    Decrypt,
    /// A structural problem (an encrypted key in direct mode, an IV or tag of the wrong size,
    /// an `x5c` entry that is not base64).
    #[error("malformed {at}")]
    Malformed {
        /// What.
        at: &'static str,
    },
    /// The CSPRNG or the signer failed.
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
}

fn b64url(part: &'static str, s: &str) -> Result<Vec<u8>, JoseError> {
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| JoseError::Base64 { part })
}

// ----- JWK ---------------------------------------------------------------------------------

/// An EC P-256 public JWK, with its optional `kid`, `alg` and `use`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    key: EcPublicKey,
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
}

impl Jwk {
    /// A JWK for `key`, without `kid`, `alg` or `use`.
    pub fn new(key: EcPublicKey) -> Jwk {
        Jwk {
            key,
            kid: None,
            alg: None,
            key_use: None,
        }
    }

    /// With `kid`.
    pub fn with_kid(mut self, kid: &str) -> Jwk {
        self.kid = Some(kid.to_owned());
        self
    }

    /// Reads `{"kty":"EC","crv":"P-256","x":…,"y":…}` (other members kept only for `kid`,
    /// `alg`, `use`; a private `d` is ignored). Other key types are
    /// [`JoseError::UnsupportedKey`].
    pub fn from_json(value: &Value) -> Result<Jwk, JoseError> {
        let m = value
            .as_object()
            .ok_or(JsonError::NotAnObject { at: "jwk" })?;
        if json::str_member(m, "kty")? != Some("EC") || json::str_member(m, "crv")? != Some("P-256")
        {
            return Err(JoseError::UnsupportedKey);
        }
        let coord = |name: &'static str| -> Result<Vec<u8>, JoseError> {
            let s = json::str_member(m, name)?.ok_or(JsonError::Missing { at: name })?;
            let b = b64url(name, s)?;
            if b.len() != 32 {
                return Err(JoseError::BadKey);
            }
            Ok(b)
        };
        let key = EcPublicKey::from_coordinates(&coord("x")?, &coord("y")?)
            .map_err(|_| JoseError::BadKey)?;
        Ok(Jwk {
            key,
            kid: json::str_member(m, "kid")?.map(str::to_owned),
            alg: json::str_member(m, "alg")?.map(str::to_owned),
            key_use: json::str_member(m, "use")?.map(str::to_owned),
        })
    }

    /// The JWK as JSON (`kty`, `crv`, `x`, `y`, and `kid`, `alg`, `use` when set).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("kty".into(), "EC".into());
        m.insert("crv".into(), "P-256".into());
        m.insert("x".into(), URL_SAFE_NO_PAD.encode(self.key.x()).into());
        m.insert("y".into(), URL_SAFE_NO_PAD.encode(self.key.y()).into());
        for (name, v) in [
            ("kid", &self.kid),
            ("alg", &self.alg),
            ("use", &self.key_use),
        ] {
            if let Some(v) = v {
                m.insert(name.into(), v.clone().into());
            }
        }
        Value::Object(m)
    }

    /// The public key.
    pub fn public_key(&self) -> &EcPublicKey {
        &self.key
    }

    /// `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `alg`.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// `use`.
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The RFC 7638 SHA-256 thumbprint: over exactly
    /// `{"crv":"P-256","kty":"EC","x":"…","y":"…"}` (required members, lexicographic order,
    /// no whitespace).
    pub fn thumbprint(&self) -> [u8; 32] {
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(self.key.x()),
            URL_SAFE_NO_PAD.encode(self.key.y())
        );
        crypto::sha256(canonical.as_bytes())
    }
}

/// A JWK Set (`{"keys": […]}`); keys of other types are remembered by `kid` only.
#[derive(Clone, Debug, Default)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    unsupported: Vec<Option<String>>,
}

/// The most keys read from a set.
pub const MAX_JWKS: usize = 16;

impl JwkSet {
    /// Reads a JWK Set.
    pub fn from_json(value: &Value) -> Result<JwkSet, JoseError> {
        let m = value
            .as_object()
            .ok_or(JsonError::NotAnObject { at: "jwks" })?;
        let keys = json::array_member(m, "keys")?.ok_or(JsonError::Missing { at: "keys" })?;
        if keys.len() > MAX_JWKS {
            return Err(JoseError::Malformed { at: "jwks" });
        }
        let mut set = JwkSet::default();
        for k in keys {
            match Jwk::from_json(k) {
                Ok(jwk) => set.keys.push(jwk),
                Err(JoseError::UnsupportedKey) => set
                    .unsupported
                    .push(k.get("kid").and_then(Value::as_str).map(str::to_owned)),
                Err(e) => return Err(e),
            }
        }
        Ok(set)
    }

    /// The P-256 keys, in order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The key with `kid`: [`JoseError::UnsupportedKey`] if that kid names a key of another
    /// type, [`JoseError::UnknownKid`] if none.
    pub fn find(&self, kid: &str) -> Result<&Jwk, JoseError> {
        if let Some(k) = self.keys.iter().find(|k| k.kid() == Some(kid)) {
            return Ok(k);
        }
        if self.unsupported.iter().any(|k| k.as_deref() == Some(kid)) {
            return Err(JoseError::UnsupportedKey);
        }
        Err(JoseError::UnknownKid)
    }
}

// ----- JWS ---------------------------------------------------------------------------------

/// A parsed compact JWS (not yet verified).
#[derive(Clone, Debug)]
pub struct Jws {
    header: Map<String, Value>,
    payload: Vec<u8>,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jws {
    /// Splits and decodes a compact JWS; the protected header must be a JSON object within
    /// `limits` and carry no `crit`.
    pub fn parse(compact: &str, limits: &JsonLimits) -> Result<Jws, JoseError> {
        if compact.len() > limits.max_bytes.saturating_mul(2) {
            return Err(JsonError::TooLarge {
                len: compact.len(),
                max: limits.max_bytes.saturating_mul(2),
            }
            .into());
        }
        let mut parts = compact.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::Parts {
                what: "JWS",
                parts: 3,
            });
        };
        let header = json::parse_object(&b64url("JWS header", h)?, limits)?;
        if header.contains_key("crit") {
            return Err(JoseError::Crit);
        }
        let payload = b64url("JWS payload", p)?;
        let signature = b64url("JWS signature", s)?;
        Ok(Jws {
            header,
            payload,
            signing_input: format!("{h}.{p}"),
            signature,
        })
    }

    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// `alg`.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// `typ`.
    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The `x5c` certificates (DER, leaf first; standard base64 with padding, RFC 7515
    /// §4.1.6); empty if absent.
    pub fn x5c(&self) -> Result<Vec<Vec<u8>>, JoseError> {
        match self.header.get("x5c") {
            None => Ok(Vec::new()),
            Some(Value::Array(list)) => {
                if list.len() > crate::trust::MAX_CHAIN_LEN {
                    return Err(JoseError::Malformed { at: "x5c" });
                }
                list.iter()
                    .map(|c| {
                        c.as_str()
                            .and_then(|s| STANDARD.decode(s).ok())
                            .ok_or(JoseError::Malformed { at: "x5c" })
                    })
                    .collect()
            }
            Some(_) => Err(JoseError::Malformed { at: "x5c" }),
        }
    }

    /// Verifies the ES256 signature (64 bytes `r‖s`) with `key`. `alg` must be exactly
    /// `ES256`.
    pub fn verify_es256(&self, key: &EcPublicKey) -> Result<(), JoseError> {
        match self.alg() {
            Some("ES256") => {}
            Some("none") => return Err(JoseError::AlgNone),
            _ => return Err(JoseError::UnsupportedAlg),
        }
        crypto::verify_es256(key, self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| JoseError::BadSignature)
    }
}

/// Signs `payload` as a compact JWS with ES256; `header` gets `alg` set to `ES256`.
pub fn sign_es256(
    mut header: Map<String, Value>,
    payload: &[u8],
    signer: &dyn Signer,
) -> Result<String, JoseError> {
    header.insert("alg".into(), "ES256".into());
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(Value::Object(header).to_string()),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = crypto::signature_to_raw(&signer.sign(input.as_bytes())?)?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

// ----- JWE ---------------------------------------------------------------------------------

/// The content encryption algorithms supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentEncryption {
    /// AES-128-GCM (the OpenID4VP default).
    A128Gcm,
    /// AES-256-GCM.
    A256Gcm,
}

impl ContentEncryption {
    /// The `enc` value.
    pub fn name(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A256Gcm => "A256GCM",
        }
    }

    /// From the `enc` value.
    pub fn from_name(name: &str) -> Option<ContentEncryption> {
        match name {
            "A128GCM" => Some(ContentEncryption::A128Gcm),
            "A256GCM" => Some(ContentEncryption::A256Gcm),
            _ => None,
        }
    }

    fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A256Gcm => 32,
        }
    }
}

/// The Concat KDF of RFC 7518 §4.6.2 in direct mode: SHA-256(`00000001` ‖ Z ‖ AlgorithmID ‖
/// PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo), AlgorithmID being the `enc` value, each datum
/// length-prefixed (32-bit big-endian), SuppPubInfo the key length in bits; the first
/// 16 or 32 bytes.
pub fn concat_kdf(
    z: &[u8; 32],
    enc: ContentEncryption,
    apu: &[u8],
    apv: &[u8],
) -> Zeroizing<Vec<u8>> {
    let bits = (enc.key_len() * 8) as u32;
    let mut h = Sha256::new();
    h.update(1u32.to_be_bytes());
    h.update(z);
    for datum in [enc.name().as_bytes(), apu, apv] {
        h.update((datum.len() as u32).to_be_bytes());
        h.update(datum);
    }
    h.update(bits.to_be_bytes());
    let digest = h.finalize();
    Zeroizing::new(digest.iter().take(enc.key_len()).copied().collect())
}

fn gcm_seal(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8; 12],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, JoseError> {
    use aes_gcm::aead::{Aead, Payload};
    use aes_gcm::KeyInit;
    let payload = Payload {
        msg: plaintext,
        aad,
    };
    let out = match enc {
        ContentEncryption::A128Gcm => aes_gcm::Aes128Gcm::new_from_slice(key)
            .map_err(|_| JoseError::Malformed { at: "CEK" })?
            .encrypt(&(*iv).into(), payload),
        ContentEncryption::A256Gcm => aes_gcm::Aes256Gcm::new_from_slice(key)
            .map_err(|_| JoseError::Malformed { at: "CEK" })?
            .encrypt(&(*iv).into(), payload),
    };
    out.map_err(|_| JoseError::Crypto(CryptoError::MessageTooLong))
}

fn gcm_open(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, JoseError> {
    use aes_gcm::aead::{Aead, Payload};
    use aes_gcm::KeyInit;
    let payload = Payload { msg: sealed, aad };
    let out = match enc {
        ContentEncryption::A128Gcm => aes_gcm::Aes128Gcm::new_from_slice(key)
            .map_err(|_| JoseError::Malformed { at: "CEK" })?
            .decrypt(&(*iv).into(), payload),
        ContentEncryption::A256Gcm => aes_gcm::Aes256Gcm::new_from_slice(key)
            .map_err(|_| JoseError::Malformed { at: "CEK" })?
            .decrypt(&(*iv).into(), payload),
    };
    out.map(Zeroizing::new).map_err(|_| JoseError::Decrypt)
}

/// Encrypts `plaintext` to `recipient` as a compact JWE: `alg` `ECDH-ES` (direct key
/// agreement with a fresh ephemeral key), `enc`, the recipient's `kid` if it has one, `epk`,
/// and `apu`/`apv` when given; an empty encrypted key, a random 96-bit IV.
pub fn encrypt_ecdh_es(
    plaintext: &[u8],
    recipient: &Jwk,
    enc: ContentEncryption,
    apu: Option<&[u8]>,
    apv: Option<&[u8]>,
) -> Result<String, JoseError> {
    let ephemeral = SoftwareKey::generate()?;
    let iv: [u8; 12] = crypto::random_bytes(12)?
        .try_into()
        .map_err(|_| JoseError::Malformed { at: "IV" })?;
    encrypt_with(plaintext, recipient, enc, apu, apv, &ephemeral, &iv)
}

fn encrypt_with(
    plaintext: &[u8],
    recipient: &Jwk,
    enc: ContentEncryption,
    apu: Option<&[u8]>,
    apv: Option<&[u8]>,
    ephemeral: &SoftwareKey,
    iv: &[u8; 12],
) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("alg".into(), "ECDH-ES".into());
    header.insert("enc".into(), enc.name().into());
    if let Some(kid) = recipient.kid() {
        header.insert("kid".into(), kid.into());
    }
    header.insert("epk".into(), Jwk::new(ephemeral.public()).to_json());
    if let Some(apu) = apu {
        header.insert("apu".into(), URL_SAFE_NO_PAD.encode(apu).into());
    }
    if let Some(apv) = apv {
        header.insert("apv".into(), URL_SAFE_NO_PAD.encode(apv).into());
    }
    let protected = URL_SAFE_NO_PAD.encode(Value::Object(header).to_string());
    let z = ephemeral.agree(recipient.public_key())?;
    let cek = concat_kdf(
        crate::danger::shared_secret_bytes(&z),
        enc,
        apu.unwrap_or_default(),
        apv.unwrap_or_default(),
    );
    let sealed = gcm_seal(enc, &cek, iv, protected.as_bytes(), plaintext)?;
    let split = sealed.len().saturating_sub(16);
    let (ct, tag) = sealed.split_at(split);
    Ok(format!(
        "{protected}..{}.{}.{}",
        URL_SAFE_NO_PAD.encode(iv),
        URL_SAFE_NO_PAD.encode(ct),
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

/// A parsed compact JWE (ECDH-ES, direct), not yet decrypted.
#[derive(Clone, Debug)]
pub struct Jwe {
    protected: String,
    header: Map<String, Value>,
    iv: [u8; 12],
    ciphertext: Vec<u8>,
    tag: [u8; 16],
}

impl Jwe {
    /// Splits and decodes a compact JWE: 5 parts, an empty encrypted key (direct key
    /// agreement), a 96-bit IV and a 128-bit tag.
    pub fn parse(compact: &str, limits: &JsonLimits) -> Result<Jwe, JoseError> {
        if compact.len() > limits.max_bytes.saturating_mul(2) {
            return Err(JsonError::TooLarge {
                len: compact.len(),
                max: limits.max_bytes.saturating_mul(2),
            }
            .into());
        }
        let parts: Vec<&str> = compact.splitn(6, '.').collect();
        let [h, k, iv, ct, tag] = parts.as_slice() else {
            return Err(JoseError::Parts {
                what: "JWE",
                parts: 5,
            });
        };
        if !k.is_empty() {
            return Err(JoseError::Malformed {
                at: "encrypted key (must be empty for ECDH-ES)",
            });
        }
        let header = json::parse_object(&b64url("JWE header", h)?, limits)?;
        if header.contains_key("crit") {
            return Err(JoseError::Crit);
        }
        let iv: [u8; 12] = b64url("JWE IV", iv)?
            .try_into()
            .map_err(|_| JoseError::Malformed { at: "IV" })?;
        let tag: [u8; 16] = b64url("JWE tag", tag)?
            .try_into()
            .map_err(|_| JoseError::Malformed { at: "tag" })?;
        Ok(Jwe {
            protected: (*h).to_owned(),
            header,
            iv,
            ciphertext: b64url("JWE ciphertext", ct)?,
            tag,
        })
    }

    /// The protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// `enc`, if supported.
    pub fn enc(&self) -> Option<ContentEncryption> {
        self.header
            .get("enc")
            .and_then(Value::as_str)
            .and_then(ContentEncryption::from_name)
    }

    fn party(&self, name: &'static str) -> Result<Vec<u8>, JoseError> {
        match self.header.get(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => b64url(name, s),
            Some(_) => Err(JsonError::WrongType { at: name }.into()),
        }
    }

    /// `apu`, decoded (empty if absent).
    pub fn apu(&self) -> Result<Vec<u8>, JoseError> {
        self.party("apu")
    }

    /// `apv`, decoded (empty if absent).
    pub fn apv(&self) -> Result<Vec<u8>, JoseError> {
        self.party("apv")
    }

    /// `epk`, the sender's ephemeral P-256 key.
    pub fn epk(&self) -> Result<Jwk, JoseError> {
        Jwk::from_json(
            self.header
                .get("epk")
                .ok_or(JsonError::Missing { at: "epk" })?,
        )
    }

    /// Decrypts with the recipient's `key`: `alg` must be `ECDH-ES` and `enc` one of
    /// `allowed`.
    pub fn decrypt(
        &self,
        key: &dyn KeyAgreement,
        allowed: &[ContentEncryption],
    ) -> Result<Zeroizing<Vec<u8>>, JoseError> {
        match self.header.get("alg").and_then(Value::as_str) {
            Some("ECDH-ES") => {}
            Some("none") => return Err(JoseError::AlgNone),
            _ => return Err(JoseError::UnsupportedAlg),
        }
        let enc = match self.header.get("enc").and_then(Value::as_str) {
            Some(name) => ContentEncryption::from_name(name).ok_or(JoseError::UnsupportedEnc)?,
            None => return Err(JoseError::UnsupportedEnc),
        };
        if !allowed.contains(&enc) {
            return Err(JoseError::EncNotAllowed);
        }
        let epk = self.epk()?;
        let z = key.agree(epk.public_key())?;
        let cek = concat_kdf(
            crate::danger::shared_secret_bytes(&z),
            enc,
            &self.apu()?,
            &self.apv()?,
        );
        let mut sealed = Vec::with_capacity(self.ciphertext.len() + 16);
        sealed.extend_from_slice(&self.ciphertext);
        sealed.extend_from_slice(&self.tag);
        gcm_open(enc, &cek, &self.iv, self.protected.as_bytes(), &sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! vector {
        ($name:literal) => {
            include_str!(concat!("../../../tests/vectors/openid4vp/", $name))
        };
    }

    fn hex(s: &str) -> Vec<u8> {
        ::hex::decode(s.trim()).unwrap()
    }

    fn recipient() -> SoftwareKey {
        let jwk: Value =
            serde_json::from_str(vector!("jwe.recipient_key.private.jwk.json")).unwrap();
        let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str().unwrap()).unwrap();
        SoftwareKey::from_bytes(&d).unwrap()
    }

    #[test]
    fn section_8_3_example_decrypts_exactly() {
        let jwe = Jwe::parse(
            vector!("jwe.response.jwe.txt").trim(),
            &JsonLimits::default(),
        )
        .unwrap();
        assert_eq!(jwe.kid(), Some("ac"));
        assert_eq!(jwe.enc(), Some(ContentEncryption::A128Gcm));
        let key = recipient();
        let z = key.agree(jwe.epk().unwrap().public_key()).unwrap();
        let z = crate::danger::shared_secret_bytes(&z);
        assert_eq!(z.to_vec(), hex(vector!("jwe.ecdh_z.hex")));
        let cek = concat_kdf(z, ContentEncryption::A128Gcm, b"", b"");
        assert_eq!(cek.to_vec(), hex(vector!("jwe.cek.hex")));
        let plaintext = jwe.decrypt(&key, &[ContentEncryption::A128Gcm]).unwrap();
        assert_eq!(
            plaintext.to_vec(),
            hex(vector!("jwe.expected_plaintext.hex"))
        );
        assert!(matches!(
            jwe.decrypt(&key, &[ContentEncryption::A256Gcm]),
            Err(JoseError::EncNotAllowed)
        ));
        let other = SoftwareKey::generate().unwrap();
        assert!(matches!(
            jwe.decrypt(&other, &[ContentEncryption::A128Gcm]),
            Err(JoseError::Decrypt)
        ));
    }

    #[test]
    fn one_changed_character_anywhere_fails() {
        let compact = vector!("jwe.response.jwe.txt").trim();
        let key = recipient();
        let parts: Vec<&str> = compact.split('.').collect();
        for part in [0usize, 2, 3, 4] {
            for position in [0usize, 5] {
                let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
                let s = &mut p[part];
                let c = s.remove(position);
                s.insert(position, if c == 'e' { 'f' } else { 'e' });
                let tampered = p.join(".");
                let result = Jwe::parse(&tampered, &JsonLimits::default())
                    .and_then(|j| j.decrypt(&key, &[ContentEncryption::A128Gcm]));
                assert!(result.is_err(), "part {part} position {position}");
            }
        }
    }

    #[test]
    fn request_jwks_and_thumbprints() {
        let request: Value = serde_json::from_str(vector!("jwe.request.json")).unwrap();
        let set = JwkSet::from_json(&request["client_metadata"]["jwks"]).unwrap();
        let ac = set.find("ac").unwrap();
        assert_eq!(ac.alg(), Some("ECDH-ES"));
        assert_eq!(ac.public_key(), &recipient().public());
        assert_eq!(
            ac.thumbprint().to_vec(),
            hex(vector!("jwe.recipient_key.jwk_thumbprint.hex"))
        );
        assert!(matches!(set.find("jc"), Err(JoseError::UnsupportedKey)));
        assert!(matches!(set.find("lc"), Err(JoseError::UnsupportedKey)));
        assert!(matches!(set.find("zz"), Err(JoseError::UnknownKid)));

        let inputs: Value = serde_json::from_str(vector!("redirect.inputs.json")).unwrap();
        let jwk = Jwk::from_json(&inputs["verifier_encryption_jwk"]).unwrap();
        assert_eq!(
            jwk.thumbprint().to_vec(),
            hex(vector!("redirect.jwk_thumbprint.hex"))
        );
    }

    #[test]
    fn round_trips() {
        let key = SoftwareKey::generate().unwrap();
        let jwk = Jwk::new(key.public()).with_kid("k1");
        for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
            for (apu, apv) in [(None, None), (Some(&b"u"[..]), Some(&b"v"[..]))] {
                let c = encrypt_ecdh_es(b"{\"a\":1}", &jwk, enc, apu, apv).unwrap();
                let jwe = Jwe::parse(&c, &JsonLimits::default()).unwrap();
                assert_eq!(jwe.kid(), Some("k1"));
                assert_eq!(jwe.decrypt(&key, &[enc]).unwrap().as_slice(), b"{\"a\":1}");
            }
        }
        let mut header = Map::new();
        header.insert("typ".into(), "oauth-authz-req+jwt".into());
        let jws = sign_es256(header, b"{\"x\":1}", &key).unwrap();
        let parsed = Jws::parse(&jws, &JsonLimits::default()).unwrap();
        assert_eq!(parsed.typ(), Some("oauth-authz-req+jwt"));
        parsed.verify_es256(&key.public()).unwrap();
        let stranger = SoftwareKey::generate().unwrap().public();
        assert!(matches!(
            parsed.verify_es256(&stranger),
            Err(JoseError::BadSignature)
        ));
        let p: Vec<&str> = jws.split('.').collect();
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#), p[1]);
        assert!(matches!(
            Jws::parse(&none, &JsonLimits::default())
                .unwrap()
                .verify_es256(&key.public()),
            Err(JoseError::AlgNone)
        ));
        let tampered = format!("{}.{}.{}", p[0], URL_SAFE_NO_PAD.encode(b"{\"x\":2}"), p[2]);
        assert!(matches!(
            Jws::parse(&tampered, &JsonLimits::default())
                .unwrap()
                .verify_es256(&key.public()),
            Err(JoseError::BadSignature)
        ));
        let crit = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","crit":["b64"]}"#),
            p[1],
            p[2]
        );
        assert!(matches!(
            Jws::parse(&crit, &JsonLimits::default()),
            Err(JoseError::Crit)
        ));
    }
}
