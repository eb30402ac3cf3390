use super::testpki::{self, TestPki, TestPkiOptions};
use super::*;
use crate::crypto::SoftwareKey;
use der::Encode;
use x509_cert::ext::pkix::{KeyUsages, SubjectKeyIdentifier};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");

fn read(path: &str) -> String {
    let path = format!("{VECTORS}{path}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cert(path: &str) -> Certificate {
    let clean: String = read(path).chars().filter(|c| !c.is_whitespace()).collect();
    Certificate::from_der(&hex::decode(clean).unwrap()).unwrap()
}

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

const AD_DS: &str = "iso18013-5-annex-d/ds_cert.der.hex";
const AD_IACA: &str = "iso18013-5-annex-d/iaca_root_cert.der.hex";
const AD_READER: &str = "iso18013-5-annex-d/reader_cert.der.hex";
const AD_READER_ROOT: &str = "iso18013-5-annex-d/reader_root_cert.der.hex";
const PARADYM_DS: &str = "animo-paradym-oid4vp1/ds_cert.der.hex";
const PARADYM_IACA: &str = "animo-paradym-oid4vp1/iaca_root_cert.der.hex";
const DCAPI_DS: &str = "animo-google-dcapi/ds_cert_digitalcredentials_dev.der.hex";
const AUTH0_ROOT: &str = "auth0-mdl-example1/issuer_root_cert.der.hex";

use AnchorRole::{
    IssuingAuthority as Iaca, PinnedDocumentSigner as Pinned, ReaderAuthority as Rca,
};
use ChainUsage::{DocumentSigner as Ds, ReaderAuth as Ra};

struct Case {
    name: &'static str,
    chain: &'static [&'static str],
    anchors: &'static [(&'static str, AnchorRole)],
    usage: ChainUsage,
    at: &'static str,
    expected: Result<(), TrustError>,
}

#[test]
fn public_vectors() {
    let cases = [
        Case {
            name: "Annex D DS -> IACA",
            chain: &[AD_DS],
            anchors: &[(AD_IACA, Iaca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Ok(()),
        },
        Case {
            name: "Annex D DS with the IACA included in the chain",
            chain: &[AD_DS, AD_IACA],
            anchors: &[(AD_IACA, Iaca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Ok(()),
        },
        Case {
            name: "Annex D DS expired",
            chain: &[AD_DS],
            anchors: &[(AD_IACA, Iaca)],
            usage: Ds,
            at: "2026-11-26T00:00:00Z",
            expected: Err(TrustError::Expired { position: 0 }),
        },
        Case {
            name: "Annex D DS before its validity",
            chain: &[AD_DS],
            anchors: &[(AD_IACA, Iaca)],
            usage: Ds,
            at: "2020-01-01T00:00:00Z",
            expected: Err(TrustError::NotYetValid { position: 0 }),
        },
        Case {
            name: "Annex D DS, only the reader root as IACA",
            chain: &[AD_DS],
            anchors: &[(AD_READER_ROOT, Iaca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::UntrustedRoot),
        },
        Case {
            name: "Annex D DS, only the reader root as reader CA",
            chain: &[AD_DS],
            anchors: &[(AD_READER_ROOT, Rca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::UntrustedRoot),
        },
        Case {
            name: "Annex D DS, IACA trusted for readers only",
            chain: &[AD_DS],
            anchors: &[(AD_IACA, Rca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::UntrustedRoot),
        },
        Case {
            name: "Annex D DS, empty store",
            chain: &[AD_DS],
            anchors: &[],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::UntrustedRoot),
        },
        Case {
            name: "Annex D reader -> reader root",
            chain: &[AD_READER],
            anchors: &[(AD_READER_ROOT, Rca)],
            usage: Ra,
            at: "2021-01-01T00:00:00Z",
            expected: Ok(()),
        },
        Case {
            name: "Annex D reader root trusted as IACA only",
            chain: &[AD_READER],
            anchors: &[(AD_READER_ROOT, Iaca)],
            usage: Ra,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::UntrustedRoot),
        },
        Case {
            name: "Annex D DS used for reader auth",
            chain: &[AD_DS],
            anchors: &[(AD_IACA, Rca)],
            usage: Ra,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::ExtendedKeyUsage),
        },
        Case {
            name: "Annex D reader used as a document signer",
            chain: &[AD_READER],
            anchors: &[(AD_READER_ROOT, Iaca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::ExtendedKeyUsage),
        },
        Case {
            name: "Annex D DS with the wrong CA in the chain",
            chain: &[AD_DS, AD_READER_ROOT],
            anchors: &[(AD_READER_ROOT, Iaca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            expected: Err(TrustError::IssuerMismatch { position: 0 }),
        },
        Case {
            name: "Annex D IACA as its own leaf",
            chain: &[AD_IACA],
            anchors: &[(AD_IACA, Iaca)],
            usage: Ds,
            at: "2021-01-01T00:00:00Z",
            // A CA as document signer: the Annex B profile rule comes first.
            expected: Err(TrustError::DocumentSignerIsCa),
        },
        Case {
            name: "Paradym DS -> IACA",
            chain: &[PARADYM_DS],
            anchors: &[(AD_IACA, Iaca), (PARADYM_IACA, Iaca)],
            usage: Ds,
            at: "2026-01-12T00:00:00Z",
            expected: Ok(()),
        },
        Case {
            name: "digitalcredentials.dev DS pinned",
            chain: &[DCAPI_DS],
            anchors: &[(DCAPI_DS, Pinned)],
            usage: Ds,
            at: "2025-02-20T00:00:00Z",
            expected: Ok(()),
        },
        Case {
            name: "digitalcredentials.dev DS pinned, expired",
            chain: &[DCAPI_DS],
            anchors: &[(DCAPI_DS, Pinned)],
            usage: Ds,
            at: "2026-11-26T00:00:00Z",
            expected: Err(TrustError::Expired { position: 0 }),
        },
        Case {
            name: "digitalcredentials.dev DS as an IACA (not self-signed)",
            chain: &[DCAPI_DS],
            anchors: &[(DCAPI_DS, Iaca)],
            usage: Ds,
            at: "2025-02-20T00:00:00Z",
            expected: Err(TrustError::UntrustedRoot),
        },
        Case {
            name: "pinning does not apply to reader auth",
            chain: &[DCAPI_DS],
            anchors: &[(DCAPI_DS, Pinned)],
            usage: Ra,
            at: "2025-02-20T00:00:00Z",
            expected: Err(TrustError::ExtendedKeyUsage),
        },
        Case {
            // Decision (issue 13.3): auth0 signs MSOs with a self-signed CA certificate
            // (cA TRUE, no keyUsage). Chained, Annex B rejects that (see
            // document_signer_profile_chained_and_pinned); pinned, the caller has chosen to
            // trust exactly this certificate in place of a CA, so it validates.
            name: "auth0 issuer root pinned",
            chain: &[AUTH0_ROOT],
            anchors: &[(AUTH0_ROOT, Pinned)],
            usage: Ds,
            at: "2026-11-26T00:00:00Z",
            expected: Ok(()),
        },
    ];
    for case in cases {
        let chain: Vec<Certificate> = case.chain.iter().map(|p| cert(p)).collect();
        let mut store = TrustStore::new();
        for (path, role) in case.anchors {
            store.add(TrustAnchor::new(cert(path), *role));
        }
        let result = validate_chain(&chain, &store, case.usage, at(case.at));
        match (&result, &case.expected) {
            (Ok(validated), Ok(())) => {
                assert_eq!(validated.leaf(), &chain[0], "{}", case.name);
                assert_eq!(
                    validated.leaf_public_key(),
                    &chain[0].public_key().unwrap(),
                    "{}",
                    case.name
                );
            }
            (Err(got), Err(want)) => assert_eq!(got, want, "{}", case.name),
            _ => panic!(
                "{}: got {result:?}, expected {:?}",
                case.name, case.expected
            ),
        }
    }
}

#[test]
fn validated_chain_reports_anchor() {
    let ds = cert(AD_DS);
    let iaca = cert(AD_IACA);
    let mut store = TrustStore::new();
    store.add(TrustAnchor::issuing_authority(iaca.clone()));
    let when = at("2021-01-01T00:00:00Z");
    let v = validate_chain(std::slice::from_ref(&ds), &store, Ds, when).unwrap();
    assert_eq!(v.anchor(), &iaca);
    assert!(!v.is_pinned());

    let mut pinned = TrustStore::new();
    pinned.add(TrustAnchor::pinned_document_signer(ds.clone()));
    let v = validate_chain(&[ds.clone(), iaca], &pinned, Ds, when).unwrap();
    assert_eq!(v.anchor(), &ds);
    assert!(v.is_pinned());
}

#[test]
fn certificate_accessors() {
    let ds = cert(AD_DS);
    assert!(ds.subject().contains("CN=utopia ds"), "{}", ds.subject());
    assert_eq!(ds.subject(), "CN=utopia ds, C=US");
    assert_eq!(ds.issuer(), "CN=utopia iaca, C=US");
    assert!(!ds.is_ca());
    assert_eq!(ds.not_before(), at("2020-10-01T00:00:00Z"));
    assert_eq!(ds.not_after(), at("2021-10-01T00:00:00Z"));
    assert!(!ds.serial_hex().is_empty());
    assert!(ds
        .serial_hex()
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let debug = format!("{ds:?}");
    assert!(
        debug.contains("utopia ds") && debug.contains(&ds.serial_hex()),
        "{debug}"
    );
    assert!(cert(AD_IACA).is_ca());
    let dcapi = cert(DCAPI_DS);
    assert_eq!(
        dcapi.subject(),
        "C=US, ST=California, L=Mountain View, O=Digital Credentials, CN=digitalcredentials.dev"
    );
    // The public key matches the Annex D document signer's.
    assert_eq!(ds.public_key().unwrap().to_sec1_uncompressed().len(), 65);
    // Subject and key are computed once and remembered; a clone shares them.
    let fresh = cert(AD_DS);
    assert_eq!(
        ds.clone().public_key().unwrap(),
        fresh.public_key().unwrap()
    );
    assert_eq!(ds.clone().subject(), fresh.subject());
}

#[test]
fn pem_and_der_parsing() {
    let ds = cert(AD_DS);
    let iaca = cert(AD_IACA);
    let ds_pem = read("iso18013-5-annex-d/ds_cert.pem");
    let iaca_pem = read("iso18013-5-annex-d/iaca_root_cert.pem");
    assert_eq!(Certificate::from_pem(&ds_pem).unwrap(), ds);

    let bundle = format!("# document signer\n{ds_pem}\nsome comment\n{iaca_pem}");
    let parsed = parse_pem_or_der(bundle.as_bytes()).unwrap();
    assert_eq!(parsed, vec![ds.clone(), iaca.clone()]);
    assert_eq!(parse_pem_or_der(ds.der()).unwrap(), vec![ds.clone()]);

    let mut store = TrustStore::new();
    assert!(store.is_empty());
    assert_eq!(store.add_pem_or_der(bundle.as_bytes(), Iaca).unwrap(), 2);
    assert_eq!(store.anchors().len(), 2);
    assert_eq!(store.anchors()[1].certificate, iaca);
    assert_eq!(store.anchors()[1].role, Iaca);

    let mut trailing = ds.der().to_vec();
    trailing.push(0);
    let key_block = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let unterminated = ds_pem.replace("-----END CERTIFICATE-----", "");
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("text without certificates", b"hello".to_vec()),
        ("DER with trailing byte", trailing),
        ("truncated DER", ds.der()[..ds.der().len() - 1].to_vec()),
        (
            "private key block",
            format!("{ds_pem}{key_block}").into_bytes(),
        ),
        ("unterminated PEM", unterminated.into_bytes()),
        ("invalid UTF-8", vec![0xff, 0xfe]),
    ];
    for (name, bytes) in bad {
        assert_eq!(parse_pem_or_der(&bytes), Err(TrustError::Parse), "{name}");
    }
    assert_eq!(Certificate::from_pem(key_block), Err(TrustError::Parse));
    assert_eq!(store.add_pem_or_der(b"junk", Iaca), Err(TrustError::Parse));
    assert_eq!(store.anchors().len(), 2);
}

#[test]
fn test_pki_chains_validate() {
    let now = at("2025-06-01T12:00:00Z");
    let pki = TestPki::generate(now).unwrap();
    assert_eq!(
        pki.iaca.subject(),
        "C=CN, O=zhengzhao test, CN=Test Issuing Authority CA"
    );
    assert_eq!(pki.document_signer.issuer(), pki.iaca.subject());
    assert!(pki.iaca.is_ca() && pki.reader_ca.is_ca());
    assert!(!pki.document_signer.is_ca() && !pki.reader.is_ca());

    let issuers = pki.issuer_trust_store();
    let readers = pki.reader_trust_store();
    let ds = validate_chain(
        std::slice::from_ref(&pki.document_signer),
        &issuers,
        Ds,
        now,
    )
    .unwrap();
    assert_eq!(ds.anchor(), &pki.iaca);
    assert_eq!(ds.leaf_public_key(), &pki.document_signer_key.public());
    let reader = validate_chain(std::slice::from_ref(&pki.reader), &readers, Ra, now).unwrap();
    assert_eq!(reader.leaf_public_key(), &pki.reader_key.public());
    validate_chain(
        &[pki.document_signer.clone(), pki.iaca.clone()],
        &issuers,
        Ds,
        now,
    )
    .unwrap();

    // A signature by the DS key verifies with the validated key.
    use crate::crypto::Signer;
    let sig = pki.document_signer_key.sign(b"mso").unwrap();
    crate::crypto::verify_es256(ds.leaf_public_key(), b"mso", &sig).unwrap();

    // Keys are fresh every time.
    let other = TestPki::generate(now).unwrap();
    assert_ne!(other.iaca_key.public(), pki.iaca_key.public());
    assert_ne!(other.iaca.serial_hex(), pki.iaca.serial_hex());
}

#[test]
fn test_pki_failures() {
    let now = at("2025-06-01T12:00:00Z");
    let pki = TestPki::generate(now).unwrap();
    let issuers = pki.issuer_trust_store();
    let readers = pki.reader_trust_store();
    let ds = pki.document_signer.clone();

    let mut tampered_der = ds.der().to_vec();
    let last = tampered_der.len() - 1;
    tampered_der[last] ^= 0x01;
    let tampered = Certificate::from_der(&tampered_der).unwrap();

    let mut tbs_tampered_der = ds.der().to_vec();
    // Flip a byte inside the subject CN ("Test Document Signer") in the tbsCertificate.
    let pos = tbs_tampered_der
        .windows(8)
        .position(|w| w == b"Document")
        .unwrap();
    tbs_tampered_der[pos] = b'd';
    let tbs_tampered = Certificate::from_der(&tbs_tampered_der).unwrap();

    let six: Vec<Certificate> = (0..6).map(|_| ds.clone()).collect();
    let cases: Vec<(&str, Vec<Certificate>, &TrustStore, ChainUsage, TrustError)> = vec![
        ("empty", vec![], &issuers, Ds, TrustError::EmptyChain),
        (
            "six certificates",
            six,
            &issuers,
            Ds,
            TrustError::ChainTooLong,
        ),
        (
            "same certificate twice",
            vec![ds.clone(), ds.clone()],
            &issuers,
            Ds,
            TrustError::ChainLoop,
        ),
        (
            "DS then reader CA",
            vec![ds.clone(), pki.reader_ca.clone()],
            &issuers,
            Ds,
            TrustError::IssuerMismatch { position: 0 },
        ),
        (
            "reader CA then DS",
            vec![pki.reader_ca.clone(), ds.clone()],
            &issuers,
            Ds,
            TrustError::DocumentSignerIsCa,
        ),
        (
            "tampered signature",
            vec![tampered],
            &issuers,
            Ds,
            TrustError::SignatureInvalid { position: 0 },
        ),
        (
            "tampered tbsCertificate",
            vec![tbs_tampered],
            &issuers,
            Ds,
            TrustError::SignatureInvalid { position: 0 },
        ),
        (
            "DS against the reader store",
            vec![ds.clone()],
            &readers,
            Ds,
            TrustError::UntrustedRoot,
        ),
        (
            "DS for reader auth",
            vec![ds.clone()],
            &issuers,
            Ra,
            TrustError::ExtendedKeyUsage,
        ),
        (
            "reader as document signer",
            vec![pki.reader.clone()],
            &readers,
            Ds,
            TrustError::ExtendedKeyUsage,
        ),
    ];
    for (name, chain, store, usage, expected) in cases {
        assert_eq!(
            validate_chain(&chain, store, usage, now).unwrap_err(),
            expected,
            "{name}"
        );
    }

    // A tampered certificate inside the chain is reported at its position.
    let mut tampered_der = ds.der().to_vec();
    tampered_der[last] ^= 0x01;
    let tampered = Certificate::from_der(&tampered_der).unwrap();
    assert_eq!(
        validate_chain(&[tampered, pki.iaca.clone()], &issuers, Ds, now).unwrap_err(),
        TrustError::SignatureInvalid { position: 0 }
    );
}

#[test]
fn test_pki_validity_windows() {
    let now = at("2025-06-01T12:00:00Z");
    let day = 86_400;
    let mut expired_ds = TestPkiOptions::new(now);
    expired_ds.ds_not_before = now.add_secs(-30 * day);
    expired_ds.ds_not_after = now.add_secs(-day);
    let mut future_ds = TestPkiOptions::new(now);
    future_ds.ds_not_before = now.add_secs(day);
    let mut expired_iaca = TestPkiOptions::new(now);
    expired_iaca.iaca_not_after = now.add_secs(-1);
    let mut expired_reader_ca = TestPkiOptions::new(now);
    expired_reader_ca.reader_ca_not_after = now.add_secs(-1);

    let cases = [
        (
            "expired DS",
            expired_ds,
            Ds,
            TrustError::Expired { position: 0 },
        ),
        (
            "future DS",
            future_ds,
            Ds,
            TrustError::NotYetValid { position: 0 },
        ),
        (
            "expired IACA",
            expired_iaca,
            Ds,
            TrustError::Expired { position: 1 },
        ),
        (
            "expired reader CA",
            expired_reader_ca,
            Ra,
            TrustError::Expired { position: 1 },
        ),
    ];
    for (name, options, usage, expected) in cases {
        let pki = TestPki::generate_with(&options).unwrap();
        let (leaf, store) = match usage {
            Ds => (pki.document_signer.clone(), pki.issuer_trust_store()),
            _ => (pki.reader.clone(), pki.reader_trust_store()),
        };
        assert_eq!(
            validate_chain(&[leaf], &store, usage, now).unwrap_err(),
            expected,
            "{name}"
        );
    }

    // Validity bounds are inclusive.
    let pki = TestPki::generate(now).unwrap();
    let store = pki.issuer_trust_store();
    let ds = std::slice::from_ref(&pki.document_signer);
    validate_chain(ds, &store, Ds, pki.document_signer.not_after()).unwrap();
    validate_chain(ds, &store, Ds, pki.document_signer.not_before()).unwrap();
    assert_eq!(
        validate_chain(ds, &store, Ds, pki.document_signer.not_after().add_secs(1)).unwrap_err(),
        TrustError::Expired { position: 0 }
    );
}

#[test]
fn test_pki_custom_names() {
    let now = at("2025-06-01T12:00:00Z");
    let mut options = TestPkiOptions::new(now);
    options.iaca_name = "C=CN, ST=Zhejiang, O=Example\\, Inc., CN=Zhejiang IACA".into();
    let pki = TestPki::generate_with(&options).unwrap();
    assert_eq!(pki.iaca.subject(), options.iaca_name);
    assert_eq!(pki.document_signer.issuer(), options.iaca_name);
    validate_chain(
        std::slice::from_ref(&pki.document_signer),
        &pki.issuer_trust_store(),
        Ds,
        now,
    )
    .unwrap();
    options.ds_name = "XX=unknown".into();
    assert!(matches!(
        TestPki::generate_with(&options),
        Err(TrustError::Build)
    ));
}

/// Hand-made certificates for the CA rules the test PKI itself never breaks.
struct Issued {
    cert: Certificate,
    key: SoftwareKey,
    name: x509_cert::name::Name,
}

fn issue(
    name: &str,
    issuer: Option<&Issued>,
    extensions: Vec<x509_cert::ext::Extension>,
    now: UnixTime,
) -> Issued {
    let key = testpki::new_key().unwrap();
    let name = testpki::parse_name(name).unwrap();
    let (issuer_name, issuer_key) = match issuer {
        Some(i) => (&i.name, &i.key),
        None => (&name, &key),
    };
    let cert = testpki::build(
        &key,
        &name,
        issuer_name,
        issuer_key,
        now.add_secs(-3600),
        now.add_secs(3600),
        extensions,
    )
    .unwrap();
    Issued { cert, key, name }
}

fn ca_ext(path_len: Option<u8>, ku: Option<KeyUsages>) -> Vec<x509_cert::ext::Extension> {
    let mut exts = vec![testpki::extension(
        true,
        &BasicConstraints {
            ca: true,
            path_len_constraint: path_len,
        },
    )
    .unwrap()];
    if let Some(ku) = ku {
        exts.push(testpki::extension(true, &KeyUsage(ku.into())).unwrap());
    }
    exts
}

fn leaf_ext(eku: Option<ObjectIdentifier>, ku: KeyUsages) -> Vec<x509_cert::ext::Extension> {
    let mut exts = vec![testpki::extension(true, &KeyUsage(ku.into())).unwrap()];
    if let Some(eku) = eku {
        exts.push(testpki::extension(true, &ExtendedKeyUsage(vec![eku])).unwrap());
    }
    exts
}

#[test]
fn ca_rules() {
    let now = at("2025-06-01T12:00:00Z");
    let sign = KeyUsages::DigitalSignature;
    let cert_sign = Some(KeyUsages::KeyCertSign);
    let ds_ext = || leaf_ext(Some(EKU_DOCUMENT_SIGNER), sign);

    let root = issue("CN=root", None, ca_ext(Some(0), cert_sign), now);
    let root_any = issue("CN=root any", None, ca_ext(None, None), now);
    let root_crl_only = issue(
        "CN=crl root",
        None,
        ca_ext(None, Some(KeyUsages::CRLSign)),
        now,
    );
    let root_not_ca = issue("CN=not a ca", None, vec![], now);

    let store = |roots: &[&Issued]| {
        let mut s = TrustStore::new();
        for r in roots {
            s.add(TrustAnchor::issuing_authority(r.cert.clone()));
        }
        s
    };

    // Intermediate under a pathLen-0 root.
    let inter = issue("CN=inter", Some(&root), ca_ext(None, cert_sign), now);
    let leaf_under_inter = issue("CN=leaf", Some(&inter), ds_ext(), now);
    // Intermediate under an unconstrained root, itself with pathLen 0, then another below.
    let inter_any = issue("CN=inter any", Some(&root_any), ca_ext(Some(0), None), now);
    let inter_any2 = issue("CN=inter any 2", Some(&inter_any), ca_ext(None, None), now);
    let leaf_deep = issue("CN=deep leaf", Some(&inter_any2), ds_ext(), now);
    let leaf_ok = issue("CN=ok leaf", Some(&inter_any), ds_ext(), now);
    // Not-a-CA issuer.
    let fake_issuer = issue("CN=fake", Some(&root_any), vec![], now);
    let leaf_under_fake = issue("CN=leaf", Some(&fake_issuer), ds_ext(), now);

    let critical_unknown = {
        let mut exts = ds_ext();
        exts.push(x509_cert::ext::Extension {
            extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1"),
            critical: true,
            extn_value: der::asn1::OctetString::new(vec![5, 0]).unwrap(),
        });
        exts
    };
    let noncritical_unknown = {
        let mut exts = ds_ext();
        exts.push(x509_cert::ext::Extension {
            extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1"),
            critical: false,
            extn_value: der::asn1::OctetString::new(vec![5, 0]).unwrap(),
        });
        exts
    };
    let duplicate_ski = {
        let mut exts = ds_ext();
        let ski = SubjectKeyIdentifier(der::asn1::OctetString::new(vec![1, 2, 3]).unwrap());
        exts.push(testpki::extension(false, &ski).unwrap());
        exts.push(testpki::extension(false, &ski).unwrap());
        exts
    };
    let malformed_ku = {
        let mut exts = leaf_ext(Some(EKU_DOCUMENT_SIGNER), sign);
        exts[0].extn_value = der::asn1::OctetString::new(vec![0x05, 0x00]).unwrap();
        exts
    };

    let leaf = |exts| issue("CN=leaf", Some(&root), exts, now).cert;
    type Row = (
        &'static str,
        Vec<Certificate>,
        TrustStore,
        Result<(), TrustError>,
    );
    let rows: Vec<Row> = vec![
        ("plain leaf", vec![leaf(ds_ext())], store(&[&root]), Ok(())),
        (
            "pathLen 0 exceeded",
            vec![leaf_under_inter.cert.clone(), inter.cert.clone()],
            store(&[&root]),
            Err(TrustError::PathLength { position: 2 }),
        ),
        (
            "pathLen 0 on the intermediate, respected",
            vec![leaf_ok.cert.clone(), inter_any.cert.clone()],
            store(&[&root_any]),
            Ok(()),
        ),
        (
            "pathLen 0 on an intermediate exceeded",
            vec![
                leaf_deep.cert.clone(),
                inter_any2.cert.clone(),
                inter_any.cert.clone(),
            ],
            store(&[&root_any]),
            Err(TrustError::PathLength { position: 2 }),
        ),
        (
            "issuer not a CA",
            vec![leaf_under_fake.cert.clone(), fake_issuer.cert.clone()],
            store(&[&root_any]),
            Err(TrustError::NotACa { position: 1 }),
        ),
        (
            "anchor not a CA",
            vec![issue("CN=leaf", Some(&root_not_ca), ds_ext(), now).cert],
            store(&[&root_not_ca]),
            Err(TrustError::NotACa { position: 1 }),
        ),
        (
            "anchor without keyCertSign",
            vec![issue("CN=leaf", Some(&root_crl_only), ds_ext(), now).cert],
            store(&[&root_crl_only]),
            Err(TrustError::KeyUsage { position: 1 }),
        ),
        (
            "leaf without digitalSignature",
            vec![leaf(leaf_ext(
                Some(EKU_DOCUMENT_SIGNER),
                KeyUsages::KeyAgreement,
            ))],
            store(&[&root]),
            Err(TrustError::KeyUsage { position: 0 }),
        ),
        (
            "leaf without EKU",
            vec![leaf(leaf_ext(None, sign))],
            store(&[&root]),
            Err(TrustError::ExtendedKeyUsage),
        ),
        (
            "leaf with the reader EKU",
            vec![leaf(leaf_ext(Some(EKU_READER_AUTH), sign))],
            store(&[&root]),
            Err(TrustError::ExtendedKeyUsage),
        ),
        (
            "unknown critical extension",
            vec![leaf(critical_unknown)],
            store(&[&root]),
            Err(TrustError::UnsupportedCriticalExtension { position: 0 }),
        ),
        (
            "unknown non-critical extension",
            vec![leaf(noncritical_unknown)],
            store(&[&root]),
            Ok(()),
        ),
        (
            "duplicate extension",
            vec![leaf(duplicate_ski)],
            store(&[&root]),
            Err(TrustError::DuplicateExtension { position: 0 }),
        ),
        (
            "malformed keyUsage",
            vec![leaf(malformed_ku)],
            store(&[&root]),
            Err(TrustError::MalformedExtension { position: 0 }),
        ),
        (
            "two anchors with the same name, the second signed it",
            vec![leaf(ds_ext())],
            {
                let twin = issue("CN=root", None, ca_ext(Some(0), cert_sign), now);
                store(&[&twin, &root])
            },
            Ok(()),
        ),
    ];
    for (name, chain, store, expected) in rows {
        let got = validate_chain(&chain, &store, Ds, now).map(|_| ());
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn unsupported_algorithm_and_key() {
    let now = at("2025-06-01T12:00:00Z");
    let pki = TestPki::generate(now).unwrap();
    let store = pki.issuer_trust_store();
    // Rewrite the outer signatureAlgorithm of the DS to ecdsa-with-SHA384 (…04 03 03).
    let der = pki.document_signer.der().to_vec();
    let alg = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2")
        .to_der()
        .unwrap();
    let outer = der.windows(alg.len()).rposition(|w| w == alg).unwrap();
    let mut sha384 = der.clone();
    *sha384.get_mut(outer + alg.len() - 1).unwrap() = 3;
    let sha384 = Certificate::from_der(&sha384).unwrap();
    assert_eq!(
        validate_chain(&[sha384], &store, Ds, now).unwrap_err(),
        TrustError::UnsupportedAlgorithm
    );
    // Only the inner one changed: the two identifiers disagree.
    let inner = der.windows(alg.len()).position(|w| w == alg).unwrap();
    assert_ne!(inner, outer);
    let mut mismatch = der.clone();
    *mismatch.get_mut(inner + alg.len() - 1).unwrap() = 3;
    let mismatch = Certificate::from_der(&mismatch).unwrap();
    assert_eq!(
        validate_chain(&[mismatch, pki.iaca.clone()], &store, Ds, now).unwrap_err(),
        TrustError::AlgorithmMismatch { position: 0 }
    );
}

/// A CA certificate for `issued`'s name and key, valid over `[from, until]`, self-signed.
fn reissue(issued: &Issued, from: UnixTime, until: UnixTime, path_len: Option<u8>) -> Certificate {
    testpki::build(
        &issued.key,
        &issued.name,
        &issued.name,
        &issued.key,
        from,
        until,
        ca_ext(path_len, Some(KeyUsages::KeyCertSign)),
    )
    .unwrap()
}

/// Validates `ds` alone as a document signer pinned by its exact bytes.
fn validate_pinned(ds: &Certificate, now: UnixTime) -> Result<ValidatedChain, TrustError> {
    let mut pinned = TrustStore::new();
    pinned.add(TrustAnchor::pinned_document_signer(ds.clone()));
    validate_chain(std::slice::from_ref(ds), &pinned, Ds, now)
}

/// Annex B document-signer profile (issue 13.3): in a chain, keyUsage must be present with
/// digitalSignature and the signer must not be a CA. Pinned, the certificate replaces the CA,
/// so a missing keyUsage and cA TRUE are accepted (the auth0 vector's signer), but unknown
/// critical extensions and a keyUsage without digitalSignature are still rejected.
#[test]
fn document_signer_profile_chained_and_pinned() {
    let now = at("2025-06-01T12:00:00Z");
    let root = issue(
        "CN=root",
        None,
        ca_ext(Some(0), Some(KeyUsages::KeyCertSign)),
        now,
    );
    let eku = || testpki::extension(true, &ExtendedKeyUsage(vec![EKU_DOCUMENT_SIGNER])).unwrap();
    let ku = || testpki::extension(true, &KeyUsage(KeyUsages::DigitalSignature.into())).unwrap();
    let ca_true = || {
        testpki::extension(
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        )
        .unwrap()
    };
    let ca_false = || {
        testpki::extension(
            true,
            &BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
        )
        .unwrap()
    };
    let unknown_critical = || x509_cert::ext::Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1"),
        critical: true,
        extn_value: der::asn1::OctetString::new(vec![5, 0]).unwrap(),
    };
    let rows: Vec<(&str, Vec<x509_cert::ext::Extension>, Result<(), TrustError>)> = vec![
        ("profile met", vec![ku(), eku()], Ok(())),
        ("cA FALSE is fine", vec![ca_false(), ku(), eku()], Ok(())),
        (
            "no keyUsage",
            vec![eku()],
            Err(TrustError::KeyUsageMissing { position: 0 }),
        ),
        (
            "cA TRUE",
            vec![ca_true(), ku(), eku()],
            Err(TrustError::DocumentSignerIsCa),
        ),
        (
            "cA TRUE and no keyUsage (the CA rule first)",
            vec![ca_true(), eku()],
            Err(TrustError::DocumentSignerIsCa),
        ),
    ];
    let mut chain_store = TrustStore::new();
    chain_store.add(TrustAnchor::issuing_authority(root.cert.clone()));
    for (name, exts, expected) in rows {
        let ds = issue("CN=ds", Some(&root), exts.clone(), now).cert;
        let got = validate_chain(std::slice::from_ref(&ds), &chain_store, Ds, now).map(|_| ());
        assert_eq!(got, expected, "chained: {name}");
        // Pinned: the same certificate validates (neither the EKU nor the CA-issued profile is
        // required when the caller trusts these exact bytes).
        let got = validate_pinned(&ds, now).map(|v| v.is_pinned());
        assert_eq!(got, Ok(true), "pinned: {name}");
    }
    // Pinned-only rules: unknown critical extension, keyUsage without digitalSignature.
    for (name, exts, expected) in [
        (
            "unknown critical extension",
            vec![ku(), unknown_critical()],
            TrustError::UnsupportedCriticalExtension { position: 0 },
        ),
        (
            "keyUsage without digitalSignature",
            vec![testpki::extension(true, &KeyUsage(KeyUsages::KeyAgreement.into())).unwrap()],
            TrustError::KeyUsage { position: 0 },
        ),
    ] {
        let ds = issue("CN=pinned", None, exts, now).cert;
        assert_eq!(
            validate_pinned(&ds, now).unwrap_err(),
            expected,
            "pinned: {name}"
        );
    }
}

/// RFC 5280 §6.1.4 (l): a re-issued (self-issued) IACA inside the x5chain does not count
/// towards the anchor's pathLenConstraint; a different intermediate still does.
#[test]
fn self_issued_certificates_do_not_count_towards_path_length() {
    let now = at("2025-06-01T12:00:00Z");
    let root = issue(
        "CN=root",
        None,
        ca_ext(Some(0), Some(KeyUsages::KeyCertSign)),
        now,
    );
    let reissued = reissue(&root, now.add_secs(-60), now.add_secs(7200), Some(0));
    assert_ne!(reissued, root.cert);
    let ds = issue(
        "CN=ds",
        Some(&root),
        leaf_ext(Some(EKU_DOCUMENT_SIGNER), KeyUsages::DigitalSignature),
        now,
    );
    let mut store = TrustStore::new();
    store.add(TrustAnchor::issuing_authority(root.cert.clone()));
    let v = validate_chain(&[ds.cert.clone(), reissued.clone()], &store, Ds, now).unwrap();
    assert_eq!(v.anchor(), &root.cert);
    // Two self-issued copies in a row do not count either.
    let reissued2 = reissue(&root, now.add_secs(-120), now.add_secs(7200), Some(0));
    assert!(validate_chain(
        &[ds.cert.clone(), reissued.clone(), reissued2],
        &store,
        Ds,
        now
    )
    .is_ok());
    // Control: an intermediate with another name counts (pathLen 0 exceeded).
    let inter = issue(
        "CN=inter",
        Some(&root),
        ca_ext(None, Some(KeyUsages::KeyCertSign)),
        now,
    );
    let below = issue(
        "CN=ds",
        Some(&inter),
        leaf_ext(Some(EKU_DOCUMENT_SIGNER), KeyUsages::DigitalSignature),
        now,
    );
    assert_eq!(
        validate_chain(&[below.cert, inter.cert], &store, Ds, now).unwrap_err(),
        TrustError::PathLength { position: 2 }
    );
}

/// Anchor selection tries every candidate: an expired IACA added before its renewal (same
/// name and key) does not make a valid chain fail; when every candidate fails, the first
/// one's error is reported.
#[test]
fn every_candidate_anchor_is_tried() {
    let now = at("2025-06-01T12:00:00Z");
    let day = 86_400;
    let original = issue(
        "CN=root",
        None,
        ca_ext(Some(0), Some(KeyUsages::KeyCertSign)),
        now,
    );
    let expired = reissue(
        &original,
        now.add_secs(-400 * day),
        now.add_secs(-10 * day),
        Some(0),
    );
    let renewed = reissue(
        &original,
        now.add_secs(-20 * day),
        now.add_secs(400 * day),
        Some(0),
    );
    let future = reissue(
        &original,
        now.add_secs(10 * day),
        now.add_secs(400 * day),
        Some(0),
    );
    let ds = issue(
        "CN=ds",
        Some(&original),
        leaf_ext(Some(EKU_DOCUMENT_SIGNER), KeyUsages::DigitalSignature),
        now,
    )
    .cert;
    let store_of = |anchors: &[&Certificate]| {
        let mut s = TrustStore::new();
        for a in anchors {
            s.add(TrustAnchor::issuing_authority((*a).clone()));
        }
        s
    };
    let chain = std::slice::from_ref(&ds);
    for order in [[&expired, &renewed], [&renewed, &expired]] {
        let v = validate_chain(chain, &store_of(&order), Ds, now).unwrap();
        assert_eq!(v.anchor(), &renewed);
    }
    assert_eq!(
        validate_chain(chain, &store_of(&[&expired, &future]), Ds, now).unwrap_err(),
        TrustError::Expired { position: 1 }
    );
    assert_eq!(
        validate_chain(chain, &store_of(&[&future, &expired]), Ds, now).unwrap_err(),
        TrustError::NotYetValid { position: 1 }
    );
}

/// RFC 5280 §4.1.2.5: UTCTime years 50–69 are 1950–1969. A certificate with such a
/// notBefore parses, reports the instant before the epoch, and validates.
#[test]
fn pre_1970_not_before_parses_and_validates() {
    let now = at("2025-06-01T12:00:00Z");
    let mut o = TestPkiOptions::new(now);
    o.iaca_not_before = at("1950-01-01T00:00:00Z");
    o.ds_not_before = at("1969-12-31T23:59:59Z");
    let pki = TestPki::generate_with(&o).unwrap();
    assert_eq!(pki.iaca.not_before(), at("1950-01-01T00:00:00Z"));
    assert_eq!(pki.iaca.not_before().secs(), -631_152_000);
    assert_eq!(pki.document_signer.not_before().secs(), -1);
    // The UTCTime on the wire is the two-digit year 50.
    assert!(pki.iaca.der().windows(13).any(|w| w == b"500101000000Z"));
    // Parsing the received bytes again gives the same certificate and times.
    let again = Certificate::from_der(pki.iaca.der()).unwrap();
    assert_eq!(again.not_before(), pki.iaca.not_before());
    assert_eq!(again.subject(), pki.iaca.subject());
    let store = pki.issuer_trust_store();
    let chain = std::slice::from_ref(&pki.document_signer);
    validate_chain(chain, &store, Ds, now).unwrap();
    validate_chain(chain, &store, Ds, at("1970-01-01T00:00:00Z")).unwrap();
    assert_eq!(
        validate_chain(chain, &store, Ds, at("1969-12-31T23:59:58Z")).unwrap_err(),
        TrustError::NotYetValid { position: 0 }
    );
    assert_eq!(
        validate_chain(chain, &store, Ds, at("1949-12-31T23:59:59Z")).unwrap_err(),
        TrustError::NotYetValid { position: 0 }
    );
    // A malformed pre-1970 UTCTime (month 13) is still a parse error.
    let mut bad = pki.iaca.der().to_vec();
    let i = bad.windows(13).position(|w| w == b"500101000000Z").unwrap();
    bad[i + 2] = b'1';
    bad[i + 3] = b'3';
    assert_eq!(Certificate::from_der(&bad).unwrap_err(), TrustError::Parse);
}
