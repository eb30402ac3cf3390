use super::*;

const ANNEX_D: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/iso18013-5-annex-d/"
);

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{ANNEX_D}{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).unwrap()
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// P-256 group order n.
const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

#[test]
fn sign_verify_round_trip() {
    let key = SoftwareKey::generate().unwrap();
    let public = Signer::public_key(&key).unwrap();
    let sig = key.sign(b"hello mdoc").unwrap();
    assert_eq!(sig.len(), 64);
    verify_es256(&public, b"hello mdoc", &sig).unwrap();
    assert!(matches!(
        verify_es256(&public, b"hello mdoC", &sig),
        Err(CryptoError::SignatureInvalid)
    ));
    // Another key does not verify it.
    let other = SoftwareKey::generate().unwrap().public();
    assert!(matches!(
        verify_es256(&other, b"hello mdoc", &sig),
        Err(CryptoError::SignatureInvalid)
    ));
    // Deterministic (RFC 6979).
    assert_eq!(key.sign(b"hello mdoc").unwrap(), sig);
}

#[test]
fn verify_accepts_high_s() {
    let key = SoftwareKey::generate().unwrap();
    let public = key.public();
    let sig = p256::ecdsa::Signature::from_slice(&key.sign(b"m").unwrap()).unwrap();
    let (r, s) = sig.split_scalars();
    let flipped = p256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
    // One of the two is high-S; both must verify.
    verify_es256(&public, b"m", &sig.to_bytes()).unwrap();
    verify_es256(&public, b"m", &flipped.to_bytes()).unwrap();
}

#[test]
fn verify_rejects_bad_raw_encodings() {
    let key = SoftwareKey::generate().unwrap();
    let public = key.public();
    let sig = key.sign(b"m").unwrap();
    let der = p256::ecdsa::Signature::from_slice(&sig)
        .unwrap()
        .to_der()
        .as_bytes()
        .to_vec();
    let mut zero_r = sig.clone();
    zero_r[..32].fill(0);
    let mut n_s = sig.clone();
    n_s[32..].copy_from_slice(&h(N));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("63 bytes", sig[..63].to_vec()),
        ("65 bytes", [sig.as_slice(), &[0]].concat()),
        ("DER where raw is required", der),
        ("r = 0", zero_r),
        ("s = n", n_s),
    ];
    for (name, bad) in cases {
        assert!(
            matches!(
                verify_es256(&public, b"m", &bad),
                Err(CryptoError::InvalidSignatureEncoding)
            ),
            "{name}"
        );
    }
}

#[test]
fn der_and_raw_conversions() {
    let key = SoftwareKey::generate().unwrap();
    let public = key.public();
    for i in 0..8u8 {
        let msg = [i; 5];
        let raw = key.sign(&msg).unwrap();
        let parsed = p256::ecdsa::Signature::from_slice(&raw).unwrap();
        let der = parsed.to_der();
        assert_eq!(signature_to_raw(der.as_bytes()).unwrap().to_vec(), raw);
        assert_eq!(signature_to_raw(&raw).unwrap().to_vec(), raw);
        verify_es256_der(&public, &msg, der.as_bytes()).unwrap();
        assert!(matches!(
            verify_es256_der(&public, b"other", der.as_bytes()),
            Err(CryptoError::SignatureInvalid)
        ));
    }
}

/// Hand-built DER signatures: (name, der hex, expected raw hex or None for rejection).
#[test]
fn der_signature_table() {
    let r32 = "7f".to_string() + &"11".repeat(31);
    let s32_high = "80".to_string() + &"22".repeat(31);
    let pad = |x: &str| format!("{x:0>64}");
    let cases: Vec<(&str, String, Option<String>)> = vec![
        (
            "small r and s are left-padded",
            "3006020101020102".into(),
            Some(pad("01") + &pad("02")),
        ),
        (
            "31-byte r left-padded",
            format!("3024021f{}020101", "33".repeat(31)),
            Some(pad(&"33".repeat(31)) + &pad("01")),
        ),
        (
            "high-bit s needs a leading zero",
            format!("3045 0220{r32} 022100{s32_high}").replace(' ', ""),
            Some(r32.clone() + &s32_high),
        ),
        (
            "non-minimal: superfluous leading zero",
            format!("3046 022100{r32} 0221 00{}", "22".repeat(32)).replace(' ', ""),
            None,
        ),
        ("non-minimal: 00 01", "300702020001020101".into(), None),
        (
            "negative integer (high bit without leading zero)",
            format!("3044 0220{r32} 0220{s32_high}").replace(' ', ""),
            None,
        ),
        ("r = 0", "3006020100020101".into(), None),
        ("s = 0", "3006020101020100".into(), None),
        ("empty integer", "30050200020101".into(), None),
        (
            "trailing bytes after sequence",
            "300602010102010200".into(),
            None,
        ),
        (
            "trailing bytes inside sequence",
            "3009020101020102020103".into(),
            None,
        ),
        ("wrong outer tag", "3106020101020102".into(), None),
        ("wrong inner tag", "3006030101020102".into(), None),
        ("long-form length", "308106020101020102".into(), None),
        ("length too long", "3007020101020102".into(), None),
        ("truncated", "30060201010201".into(), None),
        (
            "r = n",
            format!("3026 022100{N} 020101").replace(' ', ""),
            None,
        ),
        (
            "33-byte magnitude",
            format!("3027 022201{} 020101", "00".repeat(32)).replace(' ', ""),
            None,
        ),
        ("empty", String::new(), None),
    ];
    for (name, der, expected) in cases {
        let der = h(&der);
        let got = signature_to_raw(&der);
        match expected {
            Some(raw) => assert_eq!(got.unwrap().to_vec(), h(&raw), "{name}"),
            None => assert!(
                matches!(got, Err(CryptoError::InvalidSignatureEncoding)),
                "{name}: {got:?}"
            ),
        }
    }
}

#[test]
fn public_key_encodings() {
    let key = SoftwareKey::generate().unwrap();
    let public = key.public();
    let sec1 = public.to_sec1_uncompressed();
    assert_eq!(sec1.len(), 65);
    assert_eq!(sec1[0], 4);
    assert_eq!(&sec1[1..33], &public.x());
    assert_eq!(&sec1[33..], &public.y());
    assert_eq!(EcPublicKey::from_sec1(&sec1).unwrap(), public);
    assert_eq!(
        EcPublicKey::from_coordinates(&public.x(), &public.y()).unwrap(),
        public
    );
    let mut compressed = vec![2 + (public.y()[31] & 1)];
    compressed.extend_from_slice(&public.x());
    assert_eq!(EcPublicKey::from_sec1(&compressed).unwrap(), public);

    let mut off_curve = public.y();
    off_curve[31] ^= 1;
    let bad: Vec<(&str, Result<EcPublicKey, CryptoError>)> = vec![
        (
            "off curve",
            EcPublicKey::from_coordinates(&public.x(), &off_curve),
        ),
        (
            "short x",
            EcPublicKey::from_coordinates(&public.x()[1..], &public.y()),
        ),
        ("identity", EcPublicKey::from_sec1(&[0])),
        ("truncated", EcPublicKey::from_sec1(&sec1[..64])),
        (
            "compact tag",
            EcPublicKey::from_sec1(&[&[5], &public.x()[..]].concat()),
        ),
        ("empty", EcPublicKey::from_sec1(&[])),
    ];
    for (name, result) in bad {
        assert!(
            matches!(result, Err(CryptoError::InvalidPublicKey)),
            "{name}"
        );
    }
}

#[test]
fn spki_der() {
    use p256::pkcs8::EncodePublicKey;
    let public = SoftwareKey::generate().unwrap().public();
    let der = public.as_p256().to_public_key_der().unwrap();
    assert_eq!(EcPublicKey::from_spki_der(der.as_bytes()).unwrap(), public);
    // Ed25519 SubjectPublicKeyInfo (RFC 8410 example).
    let ed25519 = h(
        "302a300506032b657003210019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1",
    );
    assert!(matches!(
        EcPublicKey::from_spki_der(&ed25519),
        Err(CryptoError::UnsupportedKey)
    ));
    // id-ecPublicKey on secp384r1 (1.3.132.0.34) with a dummy point.
    let mut p384 = h("3076301006072a8648ce3d020106052b8104002203620004");
    p384.extend_from_slice(&[1u8; 96]);
    assert!(matches!(
        EcPublicKey::from_spki_der(&p384),
        Err(CryptoError::UnsupportedKey)
    ));
    assert!(EcPublicKey::from_spki_der(&der.as_bytes()[1..]).is_err());
}

#[test]
fn software_key_bytes_and_pem() {
    let key = SoftwareKey::generate().unwrap();
    let again = SoftwareKey::from_bytes(key.to_bytes().as_slice()).unwrap();
    assert_eq!(again.public(), key.public());
    let pem = key.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert_eq!(
        SoftwareKey::from_pkcs8_pem(&pem).unwrap().public(),
        key.public()
    );
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("zero", vec![0; 32]),
        ("n", h(N)),
        ("31 bytes", vec![1; 31]),
        ("33 bytes", vec![1; 33]),
    ];
    for (name, d) in bad {
        assert!(
            matches!(
                SoftwareKey::from_bytes(&d),
                Err(CryptoError::InvalidPrivateKey)
            ),
            "{name}"
        );
    }
}

#[test]
fn ecdh_is_symmetric() {
    let a = SoftwareKey::generate().unwrap();
    let b = SoftwareKey::generate().unwrap();
    let ab = a.agree(&b.public()).unwrap();
    let ba = b.agree(&a.public()).unwrap();
    assert_eq!(ab.as_bytes(), ba.as_bytes());
    let c = SoftwareKey::generate().unwrap();
    assert_ne!(ab.as_bytes(), a.agree(&c.public()).unwrap().as_bytes());
}

#[test]
fn sha256_empty() {
    assert_eq!(
        sha256(b"").to_vec(),
        h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
}

#[test]
fn hkdf_rfc5869_case_1() {
    let okm = hkdf_sha256(
        &h("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
        &h("000102030405060708090a0b0c"),
        &h("f0f1f2f3f4f5f6f7f8f9"),
        42,
    )
    .unwrap();
    assert_eq!(
        okm.to_vec(),
        h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    );
    assert_eq!(hkdf_sha256(b"k", b"", b"", 255 * 32).unwrap().len(), 8160);
    assert!(matches!(
        hkdf_sha256(b"k", b"", b"", 255 * 32 + 1),
        Err(CryptoError::KdfLength)
    ));
}

#[test]
fn hmac_rfc4231() {
    // Test case 2 ("Jefe").
    let tag = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let expected = h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_eq!(tag.to_vec(), expected);
    hmac_sha256_verify(b"Jefe", b"what do ya want for nothing?", &expected).unwrap();
    // Test case 6: a 131-byte key, longer than the block size, is hashed first.
    let long = hmac_sha256(
        &[0xaa; 131],
        b"Test Using Larger Than Block-Size Key - Hash Key First",
    );
    assert_eq!(
        long.to_vec(),
        h("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    );
    let mut wrong = expected.clone();
    wrong[0] ^= 1;
    let bad: Vec<(&str, &[u8])> = vec![
        ("flipped bit", &wrong),
        ("truncated", &expected[..31]),
        ("empty", &[]),
    ];
    for (name, tag) in bad {
        assert!(
            matches!(
                hmac_sha256_verify(b"Jefe", b"what do ya want for nothing?", tag),
                Err(CryptoError::MacInvalid)
            ),
            "{name}"
        );
    }
}

#[test]
fn random_bytes_works() {
    let a = random_bytes(32).unwrap();
    let b = random_bytes(32).unwrap();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    assert!(random_bytes(0).unwrap().is_empty());
}

/// ISO/IEC 18013-5 Annex D: EMacKey from the static device key and the reader's ephemeral key
/// (§9.1.3.5), SKReader/SKDevice from the two ephemeral keys (§9.1.1.5).
#[test]
fn annex_d_session_keys() {
    let salt = sha256(&vector("session_transcript_bytes.hex"));
    let reader = SoftwareKey::from_bytes(&vector("ephemeral_reader_key.d.hex")).unwrap();
    assert_eq!(
        reader.public().x().to_vec(),
        vector("ephemeral_reader_key.x.hex")
    );
    assert_eq!(
        reader.public().y().to_vec(),
        vector("ephemeral_reader_key.y.hex")
    );

    let static_device = EcPublicKey::from_coordinates(
        &vector("static_device_key.x.hex"),
        &vector("static_device_key.y.hex"),
    )
    .unwrap();
    let shared = reader.agree(&static_device).unwrap();
    let emac = hkdf_sha256(shared.as_bytes(), &salt, b"EMacKey", 32).unwrap();
    assert_eq!(emac.to_vec(), vector("emac_key.hex"));

    let device = SoftwareKey::from_bytes(&vector("ephemeral_device_key.d.hex")).unwrap();
    let shared = device.agree(&reader.public()).unwrap();
    let cases = [("SKReader", "sk_reader.hex"), ("SKDevice", "sk_device.hex")];
    for (info, file) in cases {
        let key = hkdf_sha256(shared.as_bytes(), &salt, info.as_bytes(), 32).unwrap();
        assert_eq!(key.to_vec(), vector(file), "{info}");
    }
    // The reader side derives the same secret.
    let device_public = device.public();
    assert_eq!(
        reader.agree(&device_public).unwrap().as_bytes(),
        shared.as_bytes()
    );
}

/// The known answers above, through every provider compiled into this build (with
/// `--features ring`, the `ring` provider too): results and error variants must not depend on
/// the provider.
#[test]
fn every_compiled_provider_gives_the_known_answers() {
    use provider::{
        aes_256_gcm_open_with, aes_256_gcm_seal_with, compiled_providers, hkdf_sha256_with,
        random_bytes_with, verify_es256_der_with, verify_es256_with,
    };
    let providers = compiled_providers();
    #[cfg(feature = "ring")]
    assert_eq!(providers.len(), 2, "the ring provider is compiled in");
    for p in &providers {
        let p = p.as_ref();
        let name = p.name();
        // SHA-256, HKDF (RFC 5869 case 1), HMAC (RFC 4231 cases 2 and 6).
        assert_eq!(
            p.sha256(b"").to_vec(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "{name}"
        );
        let okm = hkdf_sha256_with(
            p,
            &h("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
            &h("000102030405060708090a0b0c"),
            &h("f0f1f2f3f4f5f6f7f8f9"),
            42,
        )
        .unwrap();
        assert_eq!(
            okm.to_vec(),
            h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
            "{name}"
        );
        assert_eq!(
            hkdf_sha256_with(p, b"k", b"", b"", 8160).unwrap().len(),
            8160
        );
        assert!(matches!(
            hkdf_sha256_with(p, b"k", b"", b"", 8161),
            Err(CryptoError::KdfLength)
        ));
        let jefe = h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let msg = b"what do ya want for nothing?";
        assert_eq!(p.hmac_sha256(b"Jefe", msg).to_vec(), jefe, "{name}");
        p.hmac_sha256_verify(b"Jefe", msg, &jefe).unwrap();
        assert_eq!(
            p.hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )
            .to_vec(),
            h("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            "{name}"
        );
        let mut wrong = jefe.clone();
        wrong[0] ^= 1;
        for tag in [&wrong[..], &jefe[..31], &[]] {
            assert!(
                matches!(
                    p.hmac_sha256_verify(b"Jefe", msg, tag),
                    Err(CryptoError::MacInvalid)
                ),
                "{name}"
            );
        }

        // ES256: both S forms verify; encodings are rejected before the provider; a wrong
        // message is SignatureInvalid.
        let key = SoftwareKey::from_bytes(&[0x42; 32]).unwrap();
        let public = key.public();
        let sig = p256::ecdsa::Signature::from_slice(&p.sign_es256(&key, b"m").unwrap()).unwrap();
        let (r, s) = sig.split_scalars();
        let flipped = p256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        verify_es256_with(p, &public, b"m", &sig.to_bytes()).unwrap();
        verify_es256_with(p, &public, b"m", &flipped.to_bytes()).unwrap();
        verify_es256_der_with(p, &public, b"m", sig.to_der().as_bytes()).unwrap();
        assert!(matches!(
            verify_es256_with(p, &public, b"M", &sig.to_bytes()),
            Err(CryptoError::SignatureInvalid)
        ));
        let mut n_s = sig.to_bytes().to_vec();
        n_s[32..].copy_from_slice(&h(N));
        for bad in [&n_s[..], &n_s[..63], sig.to_der().as_bytes()] {
            assert!(
                matches!(
                    verify_es256_with(p, &public, b"m", bad),
                    Err(CryptoError::InvalidSignatureEncoding)
                ),
                "{name}"
            );
        }

        // Annex D: ECDH and HKDF give EMacKey.
        let salt = p.sha256(&vector("session_transcript_bytes.hex"));
        let reader = SoftwareKey::from_bytes(&vector("ephemeral_reader_key.d.hex")).unwrap();
        let static_device = EcPublicKey::from_coordinates(
            &vector("static_device_key.x.hex"),
            &vector("static_device_key.y.hex"),
        )
        .unwrap();
        let shared = p.ecdh(&reader, &static_device).unwrap();
        let emac = hkdf_sha256_with(p, shared.as_bytes(), &salt, b"EMacKey", 32).unwrap();
        assert_eq!(emac.to_vec(), vector("emac_key.hex"), "{name}");

        // AES-256-GCM round trip; any change fails as AeadOpen.
        let sealed = aes_256_gcm_seal_with(p, &[1; 32], &[2; 12], b"aad", b"licence").unwrap();
        assert_eq!(sealed.len(), 7 + 16);
        let opened = aes_256_gcm_open_with(p, &[1; 32], &[2; 12], b"aad", &sealed).unwrap();
        assert_eq!(opened.as_slice(), b"licence");
        let mut modified = sealed.clone();
        modified[0] ^= 1;
        for (key, iv, aad, data) in [
            ([9u8; 32], [2u8; 12], &b"aad"[..], &sealed[..]),
            ([1; 32], [3; 12], b"aad", &sealed),
            ([1; 32], [2; 12], b"aaD", &sealed),
            ([1; 32], [2; 12], b"aad", &modified),
            ([1; 32], [2; 12], b"aad", &sealed[..15]),
        ] {
            assert!(
                matches!(
                    aes_256_gcm_open_with(p, &key, &iv, aad, data),
                    Err(CryptoError::AeadOpen)
                ),
                "{name}"
            );
        }

        let a = random_bytes_with(p, 32).unwrap();
        assert_ne!(a, random_bytes_with(p, 32).unwrap(), "{name}");
        assert_ne!(
            p.generate_key().unwrap().to_bytes(),
            p.generate_key().unwrap().to_bytes()
        );
    }
}
