//! File formats of the tools: CBOR as raw bytes or hex text, certificates as PEM, DER or hex
//! DER, keys as PKCS #8 PEM or a hex scalar.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use zhengzhao::crypto::{EcPublicKey, SoftwareKey};
use zhengzhao::trust::{parse_pem_or_der, Certificate};

use crate::Error;

/// Reads a file, with its path in the error.
pub fn read(path: impl AsRef<Path>) -> Result<Vec<u8>, Error> {
    let path = path.as_ref();
    std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()).into())
}

/// Writes a file, with its path in the error.
pub fn write(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> Result<(), Error> {
    let path = path.as_ref();
    std::fs::write(path, bytes).map_err(|e| format!("writing {}: {e}", path.display()).into())
}

/// Whether `bytes` are hex text: only hex digits (and ASCII whitespace), an even number of them,
/// at least one. Raw CBOR of an mdoc message never is: its first byte (a map, array or tag
/// header) is not an ASCII hex digit.
pub fn looks_like_hex(bytes: &[u8]) -> bool {
    let digits = bytes.iter().filter(|b| !b.is_ascii_whitespace()).count();
    digits > 0
        && digits % 2 == 0
        && bytes
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b.is_ascii_whitespace())
}

/// Decodes hex text, ignoring whitespace.
pub fn decode_hex(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let clean: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    Ok(hex::decode(clean)?)
}

/// Reads CBOR given as raw bytes or as hex text (see [`looks_like_hex`]).
pub fn read_cbor_or_hex(path: impl AsRef<Path>) -> Result<Vec<u8>, Error> {
    let path = path.as_ref();
    let bytes = read(path)?;
    if looks_like_hex(&bytes) {
        decode_hex(&bytes).map_err(|e| format!("hex in {}: {e}", path.display()).into())
    } else {
        Ok(bytes)
    }
}

/// Reads certificates: a PEM bundle, one DER certificate, or one DER certificate as hex text.
pub fn read_certificates(path: impl AsRef<Path>) -> Result<Vec<Certificate>, Error> {
    let path = path.as_ref();
    let mut bytes = read(path)?;
    if looks_like_hex(&bytes) {
        bytes = decode_hex(&bytes)?;
    }
    let certs =
        parse_pem_or_der(&bytes).map_err(|e| format!("certificate in {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("no certificate in {}", path.display()).into());
    }
    Ok(certs)
}

/// The PEM text of one DER item under `label` (RFC 7468: base64 in lines of 64).
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The PEM text of a certificate.
pub fn certificate_pem(cert: &Certificate) -> String {
    pem("CERTIFICATE", cert.der())
}

/// The PEM blocks of a text: `(label, DER)` in order. Text outside blocks is ignored.
pub fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_owned(), String::new()));
        } else if let Some(label) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            let (begin, body) = current.take().ok_or("PEM END without BEGIN")?;
            if begin != label {
                return Err(format!("PEM block BEGIN {begin} ends with END {label}").into());
            }
            out.push((begin, B64.decode(body.as_bytes())?));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    if current.is_some() {
        return Err("PEM block without END".into());
    }
    Ok(out)
}

/// DER `SubjectPublicKeyInfo` prefix of an uncompressed P-256 point (RFC 5480:
/// id-ecPublicKey, prime256v1, BIT STRING of 66 bytes).
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A P-256 public key as a `PUBLIC KEY` PEM (SubjectPublicKeyInfo).
pub fn public_key_pem(key: &EcPublicKey) -> String {
    let mut der = P256_SPKI_PREFIX.to_vec();
    der.extend_from_slice(&key.to_sec1_uncompressed());
    pem("PUBLIC KEY", &der)
}

/// Reads a private P-256 key: a PKCS #8 PEM (`PRIVATE KEY`) or the 32-byte scalar as hex text
/// (as the Annex D vectors give the reader's ephemeral key).
pub fn read_private_key(path: impl AsRef<Path>) -> Result<SoftwareKey, Error> {
    let path = path.as_ref();
    let bytes = read(path)?;
    let key = if looks_like_hex(&bytes) {
        SoftwareKey::from_bytes(&decode_hex(&bytes)?)
    } else {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| format!("{}: neither hex nor PEM", path.display()))?;
        SoftwareKey::from_pkcs8_pem(text)
    };
    key.map_err(|e| format!("private key in {}: {e}", path.display()).into())
}

/// Reads a P-256 public key: a `PUBLIC KEY` PEM, or a private key (as [`read_private_key`])
/// whose public half is taken.
pub fn read_public_key(path: impl AsRef<Path>) -> Result<EcPublicKey, Error> {
    let path = path.as_ref();
    let text = String::from_utf8(read(path)?).unwrap_or_default();
    if text.contains("-----BEGIN PUBLIC KEY-----") {
        let blocks = pem_blocks(&text)?;
        let (_, der) = blocks
            .iter()
            .find(|(label, _)| label == "PUBLIC KEY")
            .ok_or("no PUBLIC KEY block")?;
        return EcPublicKey::from_spki_der(der)
            .map_err(|e| format!("public key in {}: {e}", path.display()).into());
    }
    Ok(read_private_key(path)?.public())
}

/// Writes a private key as PKCS #8 PEM. On Unix the file is created readable by its owner only.
pub fn write_private_key(path: impl AsRef<Path>, key: &SoftwareKey) -> Result<(), Error> {
    let path = path.as_ref();
    let pem = key.to_pkcs8_pem()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("writing {}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, pem.as_bytes())
        .map_err(|e| format!("writing {}: {e}", path.display()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_detection() {
        assert!(looks_like_hex(b"a0ff\n"));
        assert!(looks_like_hex(b"A0 FF"));
        assert!(!looks_like_hex(b"a0f"));
        assert!(!looks_like_hex(b""));
        assert!(!looks_like_hex(b"\n"));
        assert!(!looks_like_hex(&[0xa3, 0x67]));
        assert!(!looks_like_hex(&[0xd8, 0x18]));
    }

    #[test]
    fn public_key_pem_round_trip() {
        let key = SoftwareKey::generate().unwrap();
        let pem = public_key_pem(&key.public());
        let blocks = pem_blocks(&pem).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].0, "PUBLIC KEY");
        assert_eq!(
            EcPublicKey::from_spki_der(&blocks[0].1).unwrap(),
            key.public()
        );
    }
}
