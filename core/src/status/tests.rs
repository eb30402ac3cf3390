#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::*;
use crate::cbor::{self, Value};
use crate::crypto::{self, EcPublicKey, SoftwareKey};
use crate::time::UnixTime;
use crate::trust::testpki::TestPki;
use crate::trust::Certificate;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/status-list/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{VECTORS}{name}")).unwrap()
}

fn hex_file(name: &str) -> Vec<u8> {
    hex::decode(read(name).trim()).unwrap()
}

/// `{"index": value, ...}` as written by the vectors' `*.nonzero.json`.
fn nonzero(name: &str) -> BTreeMap<u64, u8> {
    read(name)
        .split(',')
        .filter_map(|part| {
            let part = part.trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace());
            let (k, v) = part.split_once(':')?;
            Some((
                k.trim().trim_matches('"').parse().ok()?,
                v.trim().parse().ok()?,
            ))
        })
        .collect()
}

fn statuses(name: &str) -> Vec<u8> {
    read(name)
        .trim()
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect()
}

fn example_key() -> EcPublicKey {
    use base64::Engine;
    let pem = read("example_key.pub.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    EcPublicKey::from_spki_der(&der).unwrap()
}

const LIST_URI: &str = "https://example.com/statuslists/1";
/// 2026-01-01T00:00:00Z, inside the examples' [iat, exp).
const T: UnixTime = UnixTime::from_secs(1_767_225_600);

#[test]
fn section_4_1_lists_decode_to_the_drafts_statuses() {
    for (cbor, raw, expected) in [
        (
            "list_1bit_16.cbor.hex",
            "list_1bit_16.raw.hex",
            "list_1bit_16.statuses.json",
        ),
        (
            "list_2bit_12.cbor.hex",
            "list_2bit_12.raw.hex",
            "list_2bit_12.statuses.json",
        ),
    ] {
        let v = cbor::decode(&hex_file(cbor)).unwrap();
        let list = StatusList::from_value(&v, &StatusLimits::default()).unwrap();
        assert_eq!(list.as_bytes(), hex_file(raw).as_slice());
        let expected = statuses(expected);
        assert_eq!(list.len(), expected.len());
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(list.value(i as u64).unwrap(), *want, "{cbor} index {i}");
        }
        assert_eq!(
            list.value(expected.len() as u64),
            Err(StatusError::IndexOutOfRange {
                index: expected.len() as u64,
                size: expected.len() as u64
            })
        );
        // Our own encoder round-trips the same statuses (zlib bytes need not match).
        let back = StatusList::from_value(&list.to_value(), &StatusLimits::default()).unwrap();
        assert_eq!(back, list);
    }
    // The 2-bit example: index 1 suspended, 3 application-specific.
    let v = cbor::decode(&hex_file("list_2bit_12.cbor.hex")).unwrap();
    let list = StatusList::from_value(&v, &StatusLimits::default()).unwrap();
    assert_eq!(list.get(1).unwrap(), Status::Suspended);
    assert_eq!(list.get(3).unwrap(), Status::ApplicationSpecific(3));
}

#[test]
fn appendix_c_lists_hold_exactly_the_listed_statuses() {
    for (bits, inflated) in [
        (1u8, 131_072usize),
        (2, 262_144),
        (4, 524_288),
        (8, 1_048_576),
    ] {
        let v = cbor::decode(&hex_file(&format!("appendix_c.{bits}bit.cbor.hex"))).unwrap();
        let list = StatusList::from_value(&v, &StatusLimits::default()).unwrap();
        assert_eq!(list.bits().get(), bits);
        assert_eq!(list.as_bytes().len(), inflated);
        assert_eq!(list.len(), 1 << 20);
        let expected = nonzero(&format!("appendix_c.{bits}bit.nonzero.json"));
        assert!(!expected.is_empty());
        for i in 0..(1u64 << 20) {
            let want = expected.get(&i).copied().unwrap_or(0);
            assert_eq!(list.value(i).unwrap(), want, "{bits}-bit index {i}");
        }
        assert!(matches!(
            list.value(1 << 20),
            Err(StatusError::IndexOutOfRange { .. })
        ));
    }
}

#[test]
fn appendix_c_spot_checks() {
    let get = |bits: u8, i: u64| {
        let v = cbor::decode(&hex_file(&format!("appendix_c.{bits}bit.cbor.hex"))).unwrap();
        StatusList::from_value(&v, &StatusLimits::default())
            .unwrap()
            .value(i)
            .unwrap()
    };
    assert_eq!((get(1, 1993), get(1, 1992)), (1, 0));
    assert_eq!((get(2, 159_495), get(2, 1993)), (3, 2));
    assert_eq!((get(4, 1_030_205), get(4, 1_004_534)), (15, 11));
    assert_eq!(
        (get(8, 19_535), get(8, 152_133), get(8, 233_478)),
        (255, 254, 0)
    );
}

#[test]
fn section_5_2_token_verifies_with_the_example_key() {
    let bytes = hex_file("status_list_token.cwt.hex");
    let token = StatusListToken::parse(&bytes, &StatusLimits::default()).unwrap();
    token
        .verify_with_key(&crypto::RustCrypto, &example_key())
        .unwrap();
    token.check_claims(Some(LIST_URI), T, true, None).unwrap();
    assert_eq!(token.sub(), LIST_URI);
    assert_eq!(token.iat(), UnixTime::from_secs(1_686_920_170));
    assert_eq!(token.exp(), Some(UnixTime::from_secs(2_291_720_170)));
    assert_eq!(token.ttl(), Some(43_200));
    let list = token.list().unwrap();
    let want = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    assert_eq!(list.len(), 16);
    for (i, w) in want.iter().enumerate() {
        assert_eq!(list.value(i as u64).unwrap(), *w);
    }
    // The relying-party failures built from this token.
    assert_eq!(
        token.check_claims(Some("https://example.com/statuslists/2"), T, true, None),
        Err(StatusError::SubjectMismatch)
    );
    let exp = UnixTime::from_secs(2_291_720_170);
    assert_eq!(
        token.check_claims(Some(LIST_URI), exp, true, None),
        Err(StatusError::Expired { exp })
    );
    assert!(token
        .check_claims(Some(LIST_URI), exp.add_secs(-1), true, None)
        .is_ok());
    assert_eq!(
        token.check_claims(
            Some(LIST_URI),
            UnixTime::from_secs(1_686_920_169),
            true,
            None
        ),
        Err(StatusError::IssuedInFuture { iat: token.iat() })
    );
    assert!(matches!(
        token.check_claims(Some(LIST_URI), T, true, Some(3600)),
        Err(StatusError::TooOld { .. })
    ));
    assert!(matches!(
        list.value(16),
        Err(StatusError::IndexOutOfRange {
            index: 16,
            size: 16
        })
    ));
    // No x5chain: the ISO path cannot trust it.
    assert_eq!(token.x5chain(), Err(StatusError::X5ChainMissing));
}

#[test]
fn section_5_2_token_any_changed_byte_is_rejected() {
    let bytes = hex_file("status_list_token.cwt.hex");
    let key = example_key();
    // Bytes 37..41 are the unprotected `4: h'3132'` (kid): not signed, and not used here.
    for i in (0..bytes.len()).filter(|i| !(37..41).contains(i)) {
        for flip in [0x01u8, 0x80] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            let accepted = StatusListToken::parse(&b, &StatusLimits::default())
                .and_then(|t| t.verify_with_key(&crypto::RustCrypto, &key).map(|()| t))
                .and_then(|t| t.check_claims(Some(LIST_URI), T, true, None));
            assert!(accepted.is_err(), "byte {i} ^ {flip:#x} accepted");
        }
    }
}

#[test]
fn referenced_token_names_index_0_which_is_revoked() {
    // The §6.3 referenced token is a CWT, not an mdoc: read its status claim directly.
    let v = cbor::decode(&hex_file("referenced_token.cwt.hex")).unwrap();
    let (tag, inner) = v.as_tag().unwrap();
    assert_eq!(tag, 18);
    let sign1 = crate::cose::CoseSign1::from_value(inner, &Default::default()).unwrap();
    sign1.verify(&example_key(), None).unwrap();
    let claims = cbor::decode(sign1.payload().unwrap()).unwrap();
    let status = cbor::get_int_key(claims.as_map().unwrap(), 65535).unwrap();
    let reference = StatusReference::from_value(status).unwrap();
    let r = reference.status_list.unwrap();
    assert_eq!((r.idx, r.uri.as_str()), (0, LIST_URI));
    let token = StatusListToken::parse(
        &hex_file("status_list_token.cwt.hex"),
        &StatusLimits::default(),
    )
    .unwrap();
    assert_eq!(token.list().unwrap().get(r.idx).unwrap(), Status::Invalid);
}

#[test]
fn inflate_is_bounded() {
    let bomb = deflate(&vec![0u8; 8 * 1024 * 1024]);
    assert!(bomb.len() < 16 * 1024);
    assert_eq!(
        inflate(&bomb, 4 * 1024 * 1024),
        Err(StatusError::ListTooLarge {
            max: 4 * 1024 * 1024
        })
    );
    assert_eq!(
        inflate(&bomb, 8 * 1024 * 1024).unwrap().len(),
        8 * 1024 * 1024
    );
    // Exactly at the bound is fine; one byte past is not.
    let exact = deflate(&[7u8; 1000]);
    assert_eq!(inflate(&exact, 1000).unwrap(), vec![7u8; 1000]);
    assert!(matches!(
        inflate(&exact, 999),
        Err(StatusError::ListTooLarge { .. })
    ));
    // Bounds below the inflater's first buffer (64 bytes), 0 included (found by fuzzing:
    // the buffer's size was clamped with min > max).
    let z = hex_file("list_1bit_16.zlib.hex");
    assert_eq!(inflate(&z, 2).unwrap(), vec![0xb9, 0xa3]);
    assert_eq!(inflate(&z, 1), Err(StatusError::ListTooLarge { max: 1 }));
    assert_eq!(inflate(&z, 0), Err(StatusError::ListTooLarge { max: 0 }));
    // Truncated, corrupted, trailing.
    assert!(matches!(
        inflate(&z[..z.len() - 1], 100),
        Err(StatusError::Compression { .. })
    ));
    let mut bad_sum = z.clone();
    *bad_sum.last_mut().unwrap() ^= 1;
    assert!(matches!(
        inflate(&bad_sum, 100),
        Err(StatusError::Compression { .. })
    ));
    let mut trailing = z.clone();
    trailing.push(0);
    assert_eq!(
        inflate(&trailing, 100),
        Err(StatusError::TrailingCompressedData)
    );
    assert!(matches!(
        inflate(b"not zlib", 100),
        Err(StatusError::Compression { .. })
    ));
}

#[test]
fn list_set_and_get_every_width() {
    for bits in [Bits::One, Bits::Two, Bits::Four, Bits::Eight] {
        let mut list = StatusList::new(bits, 100).unwrap();
        for i in 0..100u64 {
            list.set_value(i, (i as u8).wrapping_mul(7) & bits.max_value())
                .unwrap();
        }
        for i in 0..100u64 {
            assert_eq!(
                list.value(i).unwrap(),
                (i as u8).wrapping_mul(7) & bits.max_value()
            );
        }
        assert_eq!(
            list.set_value(0, bits.max_value().wrapping_add(1)).is_err(),
            bits != Bits::Eight
        );
    }
    assert_eq!(Bits::new(3), Err(StatusError::InvalidBits { bits: 3 }));
    assert_eq!(StatusList::new(Bits::One, 0), Err(StatusError::EmptyList));
}

// ── signed lists against a test PKI ───────────────────────────────────────────────────────

struct Fixture {
    now: UnixTime,
    pki: TestPki,
}

fn fixture() -> Fixture {
    let now = UnixTime::now();
    Fixture {
        now,
        pki: TestPki::generate(now).unwrap(),
    }
}

impl Fixture {
    fn token(&self, list: StatusList) -> Vec<u8> {
        StatusListTokenBuilder::new(LIST_URI, ListContent::Status(list), self.now)
            .exp(self.now.add_secs(3600))
            .ttl(600)
            .sign(
                &self.pki.status_signer_key,
                std::slice::from_ref(&self.pki.status_signer),
            )
            .unwrap()
    }

    fn verify(&self, token: &[u8]) -> Result<StatusListToken, StatusError> {
        let t = StatusListToken::parse(token, &StatusLimits::default())?;
        t.verify_chain(
            &crypto::RustCrypto,
            &self.pki.iaca,
            Some(&self.pki.document_signer),
            self.now,
        )?;
        t.check_claims(Some(LIST_URI), self.now, true, None)?;
        Ok(t)
    }
}

#[test]
fn built_token_has_the_drafts_shape_and_verifies_against_the_iaca() {
    let f = fixture();
    let mut list = StatusList::new(Bits::Two, 64).unwrap();
    list.set(5, Status::Suspended).unwrap();
    let bytes = f.token(list);
    let v = cbor::decode(&bytes).unwrap();
    let (tag, inner) = v.as_tag().unwrap();
    assert_eq!(tag, 18);
    let parts = inner.as_array().unwrap();
    let protected = cbor::decode(parts[0].as_bytes().unwrap()).unwrap();
    let p = protected.as_map().unwrap();
    assert_eq!(cbor::get_int_key(p, 1), Some(&Value::Integer(-7)));
    assert_eq!(
        cbor::get_int_key(p, 16),
        Some(&Value::text("application/statuslist+cwt"))
    );
    assert!(cbor::get_int_key(p, 33).is_some());
    let claims = cbor::decode(parts[2].as_bytes().unwrap()).unwrap();
    let keys: Vec<_> = claims
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_integer().unwrap())
        .collect();
    assert_eq!(keys, vec![2, 6, 4, 65534, 65533]);
    let token = f.verify(&bytes).unwrap();
    assert_eq!(token.list().unwrap().get(5).unwrap(), Status::Suspended);
}

#[test]
fn list_signed_by_the_document_signer_or_another_ca_is_rejected() {
    let f = fixture();
    let list = StatusList::new(Bits::One, 16).unwrap();
    let builder = StatusListTokenBuilder::new(LIST_URI, ListContent::Status(list), f.now)
        .exp(f.now.add_secs(3600));
    let by_ds = builder
        .sign(
            &f.pki.document_signer_key,
            std::slice::from_ref(&f.pki.document_signer),
        )
        .unwrap();
    assert_eq!(
        f.verify(&by_ds).unwrap_err(),
        StatusError::SignedByDocumentSigner
    );
    let other = TestPki::generate(f.now).unwrap();
    let by_other = builder
        .sign(
            &other.status_signer_key,
            std::slice::from_ref(&other.status_signer),
        )
        .unwrap();
    assert!(matches!(f.verify(&by_other), Err(StatusError::Chain(_))));
    // The right certificate with another key's signature.
    let forged = builder
        .sign(
            &SoftwareKey::generate().unwrap(),
            std::slice::from_ref(&f.pki.status_signer),
        )
        .unwrap();
    assert_eq!(
        f.verify(&forged).unwrap_err(),
        StatusError::SignatureInvalid
    );
    // No chain at all.
    let bare = builder.sign(&f.pki.status_signer_key, &[]).unwrap();
    assert_eq!(f.verify(&bare).unwrap_err(), StatusError::X5ChainMissing);
}

/// A resolver that counts its calls and can be switched off.
struct Counting {
    inner: StaticResolver,
    calls: AtomicUsize,
    offline: std::sync::atomic::AtomicBool,
}

impl StatusResolver for Counting {
    fn resolve(&self, uri: &str) -> Result<Vec<u8>, ResolveError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.offline.load(Ordering::SeqCst) {
            return Err(ResolveError::new("offline"));
        }
        self.inner.resolve(uri)
    }
}

#[test]
fn checker_caches_within_ttl_and_refetches_after() {
    let f = fixture();
    let mut list = StatusList::new(Bits::One, 16).unwrap();
    list.set(3, Status::Invalid).unwrap();
    let resolver = Arc::new(Counting {
        inner: StaticResolver::new().with(LIST_URI, f.token(list)),
        calls: AtomicUsize::new(0),
        offline: false.into(),
    });
    let checker = StatusChecker::new(resolver.clone());
    let reference = |idx| StatusReference {
        status_list: Some(StatusListRef {
            idx,
            uri: LIST_URI.into(),
            certificate: None,
        }),
        ..Default::default()
    };
    let ds = &f.pki.document_signer;
    let iaca = Some(&f.pki.iaca);
    assert_eq!(
        checker.check(&reference(3), iaca, ds, f.now),
        StatusOutcome::Invalid
    );
    assert_eq!(
        checker.check(&reference(2), iaca, ds, f.now.add_secs(599)),
        StatusOutcome::Valid
    );
    assert_eq!(resolver.calls.load(Ordering::SeqCst), 1);
    assert_eq!(checker.cache_stats().hits, 1);
    // Past the ttl (600 s) the list is resolved again; offline that is undetermined, never
    // valid and never revoked.
    resolver.offline.store(true, Ordering::SeqCst);
    let outcome = checker.check(&reference(3), iaca, ds, f.now.add_secs(600));
    assert_eq!(
        outcome,
        StatusOutcome::Undetermined(StatusError::Resolve(ResolveError::new("offline")))
    );
    assert_eq!(resolver.calls.load(Ordering::SeqCst), 2);
    // Out of range, and a pinned signer with no certificate.
    resolver.offline.store(false, Ordering::SeqCst);
    assert_eq!(
        checker.check(&reference(16), iaca, ds, f.now),
        StatusOutcome::Undetermined(StatusError::IndexOutOfRange {
            index: 16,
            size: 16
        })
    );
    assert_eq!(
        checker.check(&reference(1), None, ds, f.now),
        StatusOutcome::Undetermined(StatusError::NoTrustPoint)
    );
    // The cache is per trust point: another IACA does not get this list.
    let other = TestPki::generate(f.now).unwrap();
    assert!(matches!(
        checker.check(&reference(1), Some(&other.iaca), ds, f.now),
        StatusOutcome::Undetermined(StatusError::Chain(_))
    ));
}

#[test]
fn checker_combines_lists_gravest_first() {
    let f = fixture();
    let iso = StatusList::new(Bits::One, 16).unwrap();
    let mut cn = StatusList::new(Bits::Two, 16).unwrap();
    cn.set(4, Status::Suspended).unwrap();
    let cn_uri = "https://example.com/statuslists/cn";
    let cn_token = StatusListTokenBuilder::new(cn_uri, ListContent::Status(cn), f.now)
        .exp(f.now.add_secs(3600))
        .sign(
            &f.pki.status_signer_key,
            std::slice::from_ref(&f.pki.status_signer),
        )
        .unwrap();
    let resolver = StaticResolver::new()
        .with(LIST_URI, f.token(iso))
        .with(cn_uri, cn_token);
    let checker = StatusChecker::new(Arc::new(resolver));
    let r = |uri: &str| StatusListRef {
        idx: 4,
        uri: uri.into(),
        certificate: None,
    };
    let both = StatusReference {
        status_list: Some(r(LIST_URI)),
        cn_status_list: Some(r(cn_uri)),
        ..Default::default()
    };
    let (iaca, ds) = (Some(&f.pki.iaca), &f.pki.document_signer);
    assert_eq!(
        checker.check(&both, iaca, ds, f.now),
        StatusOutcome::Suspended
    );
    // Suspension wins over an unreadable ISO list.
    let broken = StatusReference {
        status_list: Some(r("https://example.com/missing")),
        cn_status_list: Some(r(cn_uri)),
        ..Default::default()
    };
    assert_eq!(
        checker.check(&broken, iaca, ds, f.now),
        StatusOutcome::Suspended
    );
    // A 2-bit list where the ISO reference needs 1 bit.
    let wrong = StatusReference {
        status_list: Some(r(cn_uri)),
        ..Default::default()
    };
    assert_eq!(
        checker.check(&wrong, iaca, ds, f.now),
        StatusOutcome::Undetermined(StatusError::BitsNotAllowed {
            bits: 2,
            expected: 1
        })
    );
}

#[test]
fn identifier_list_revokes_listed_ids() {
    let f = fixture();
    let mut ids = IdentifierList::new();
    ids.insert(vec![1, 2, 3]);
    let uri = "https://example.com/idlists/1";
    let token = StatusListTokenBuilder::new(uri, ListContent::Identifiers(ids), f.now)
        .exp(f.now.add_secs(3600))
        .sign(
            &f.pki.status_signer_key,
            std::slice::from_ref(&f.pki.status_signer),
        )
        .unwrap();
    let parsed = StatusListToken::parse(&token, &StatusLimits::default()).unwrap();
    assert!(parsed.identifiers().unwrap().contains(&[1, 2, 3]));
    let checker = StatusChecker::new(Arc::new(StaticResolver::new().with(uri, token)));
    let reference = |id: Vec<u8>| StatusReference {
        identifier_list: Some(IdentifierListRef {
            id,
            uri: uri.into(),
            certificate: None,
        }),
        ..Default::default()
    };
    let (iaca, ds) = (Some(&f.pki.iaca), &f.pki.document_signer);
    assert_eq!(
        checker.check(&reference(vec![1, 2, 3]), iaca, ds, f.now),
        StatusOutcome::Invalid
    );
    assert_eq!(
        checker.check(&reference(vec![9]), iaca, ds, f.now),
        StatusOutcome::Valid
    );
}

#[test]
fn mso_certificate_is_the_trust_point_when_present() {
    let f = fixture();
    // A separate status CA, named in the MSO, signs the status signer.
    let other = TestPki::generate(f.now).unwrap();
    let list = StatusList::new(Bits::One, 16).unwrap();
    let token = StatusListTokenBuilder::new(LIST_URI, ListContent::Status(list), f.now)
        .exp(f.now.add_secs(3600))
        .sign(
            &other.status_signer_key,
            std::slice::from_ref(&other.status_signer),
        )
        .unwrap();
    let checker = StatusChecker::new(Arc::new(StaticResolver::new().with(LIST_URI, token)));
    let reference = |certificate: Option<&Certificate>| StatusReference {
        status_list: Some(StatusListRef {
            idx: 0,
            uri: LIST_URI.into(),
            certificate: certificate.map(|c| c.der().to_vec()),
        }),
        ..Default::default()
    };
    let (iaca, ds) = (Some(&f.pki.iaca), &f.pki.document_signer);
    assert_eq!(
        checker.check(&reference(Some(&other.iaca)), iaca, ds, f.now),
        StatusOutcome::Valid
    );
    assert!(matches!(
        checker.check(&reference(None), iaca, ds, f.now),
        StatusOutcome::Undetermined(StatusError::Chain(_))
    ));
}

#[test]
fn publisher_allocates_distinct_random_indexes() {
    let mut p = StatusListPublisher::new(LIST_URI, Bits::One, 64).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..64 {
        assert!(seen.insert(p.allocate().unwrap()));
    }
    assert_eq!(p.allocate(), Err(StatusError::ListFull));
    // Not sequential: across many fresh lists the first index is spread out.
    let firsts: std::collections::BTreeSet<u64> = (0..32)
        .map(|_| {
            StatusListPublisher::new(LIST_URI, Bits::One, 1 << 20)
                .unwrap()
                .allocate()
                .unwrap()
        })
        .collect();
    assert!(firsts.len() > 16, "indexes not random: {firsts:?}");
    let restored =
        StatusListPublisher::from_parts(LIST_URI, p.list().clone(), p.allocation_bitmap().to_vec())
            .unwrap();
    assert_eq!(restored.allocated(), 64);
}

#[test]
fn token_structure_errors_are_named() {
    let f = fixture();
    let good = f.token(StatusList::new(Bits::One, 16).unwrap());
    let v = cbor::decode(&good).unwrap();
    let (_, inner) = v.as_tag().unwrap();
    let untagged = cbor::encode(inner);
    assert_eq!(
        StatusListToken::parse(&untagged, &StatusLimits::default()).unwrap_err(),
        StatusError::NotSign1Tagged
    );
    let cwt = cbor::encode(&Value::Tag(61, Box::new(v.clone())));
    assert_eq!(
        StatusListToken::parse(&cwt, &StatusLimits::default()).unwrap_err(),
        StatusError::CwtTagged
    );
    let small = StatusLimits {
        max_token_bytes: 10,
        ..StatusLimits::default()
    };
    assert_eq!(
        StatusListToken::parse(&good, &small).unwrap_err(),
        StatusError::TokenTooLarge { max: 10 }
    );
}

// ── the verifier's Check::Status ──────────────────────────────────────────────────────────

mod verifier {
    use super::*;
    use crate::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
    use crate::issuer::Issuer;
    use crate::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
    use crate::verifier::{Check, Verifier, VerifyError, VerifyOptions};

    const CN_URI: &str = "https://example.com/statuslists/cn";

    /// A response presenting one credential with ISO entry `idx` in the 1-bit list and the
    /// same index in the 2-bit Chinese list, both served by `resolver`.
    fn present(
        f: &Fixture,
        idx: u64,
        iso: &StatusList,
        cn: &StatusList,
    ) -> (Vec<u8>, SessionTranscript, StaticResolver) {
        let issuer = Issuer::new(
            Box::new(SoftwareKey::from_bytes(&f.pki.document_signer_key.to_bytes()[..]).unwrap()),
            vec![f.pki.document_signer.clone()],
        );
        let device_key = SoftwareKey::generate().unwrap();
        let r = |uri: &str| StatusListRef {
            idx,
            uri: uri.into(),
            certificate: None,
        };
        let credential = issuer
            .credential("org.iso.18013.5.1.mDL")
            .element("org.iso.18013.5.1", "family_name", Value::text("Zhang"))
            .status(StatusReference {
                status_list: Some(r(LIST_URI)),
                cn_status_list: Some(r(CN_URI)),
                ..Default::default()
            })
            .device_key(device_key.public())
            .validity(f.now, f.now, f.now.add_secs(86_400))
            .sign()
            .unwrap();
        let transcript = SessionTranscript::new(None, None, &Value::text("status test"));
        let request = DeviceRequest::new(vec![DocRequest::new(
            ItemsRequest::new("org.iso.18013.5.1.mDL").with_element(
                "org.iso.18013.5.1",
                "family_name",
                false,
            ),
        )]);
        let parsed = ParsedRequest::parse(
            &request.to_bytes(),
            &transcript,
            &RequestOptions::new(f.now),
        )
        .unwrap();
        let mut builder = ResponseBuilder::new(&transcript);
        let doc = &parsed.documents()[0];
        builder
            .add_document(&credential, doc, &doc.disclosable(&credential), &device_key)
            .unwrap();
        let cn_token = StatusListTokenBuilder::new(CN_URI, ListContent::Status(cn.clone()), f.now)
            .exp(f.now.add_secs(3600))
            .sign(
                &f.pki.status_signer_key,
                std::slice::from_ref(&f.pki.status_signer),
            )
            .unwrap();
        let resolver = StaticResolver::new()
            .with(LIST_URI, f.token(iso.clone()))
            .with(CN_URI, cn_token);
        (builder.finish(), transcript, resolver)
    }

    #[test]
    fn status_is_checked_last_and_fails_closed() {
        let f = fixture();
        let mut iso = StatusList::new(Bits::One, 64).unwrap();
        let mut cn = StatusList::new(Bits::Two, 64).unwrap();
        let verifier = Verifier::new(f.pki.issuer_trust_store());

        // Valid in both lists.
        let (bytes, transcript, resolver) = present(&f, 7, &iso, &cn);
        let checker = StatusChecker::new(Arc::new(resolver.clone()));
        let opts = VerifyOptions::new(&transcript, f.now).with_status(&checker);
        let ok = verifier.verify(&bytes, &opts).unwrap();
        assert_eq!(ok.documents[0].status, Some(StatusOutcome::Valid));
        assert_eq!(ok.checks.last(), Some(&(0, Check::Status)));
        assert!(ok.documents[0].unchecked().is_empty());
        // Without a checker the status is reported unchecked.
        let plain = verifier
            .verify(&bytes, &VerifyOptions::new(&transcript, f.now))
            .unwrap();
        assert_eq!(plain.documents[0].status, None);
        assert_eq!(plain.documents[0].unchecked(), ["status".to_owned()]);

        // Suspended in the Chinese list.
        cn.set(7, Status::Suspended).unwrap();
        let (bytes, transcript, resolver) = present(&f, 7, &iso, &cn);
        let checker = StatusChecker::new(Arc::new(resolver));
        let opts = VerifyOptions::new(&transcript, f.now).with_status(&checker);
        let err = verifier.verify(&bytes, &opts).unwrap_err();
        assert!(
            matches!(err, VerifyError::Suspended { document: 0 }),
            "{err}"
        );
        assert_eq!(err.check(), Check::Status);

        // Overdue (3) in the Chinese list.
        cn.set_value(7, CN_OVERDUE).unwrap();
        let (bytes, transcript, resolver) = present(&f, 7, &iso, &cn);
        let checker = StatusChecker::new(Arc::new(resolver));
        let opts = VerifyOptions::new(&transcript, f.now).with_status(&checker);
        assert!(matches!(
            verifier.verify(&bytes, &opts),
            Err(VerifyError::StatusApplicationSpecific {
                document: 0,
                value: 3
            })
        ));

        // Revoked in the ISO list outweighs everything.
        iso.set(7, Status::Invalid).unwrap();
        let (bytes, transcript, resolver) = present(&f, 7, &iso, &cn);
        let checker = StatusChecker::new(Arc::new(resolver));
        let opts = VerifyOptions::new(&transcript, f.now).with_status(&checker);
        assert!(matches!(
            verifier.verify(&bytes, &opts),
            Err(VerifyError::Revoked { document: 0 })
        ));

        // Nothing resolvable: undetermined fails by default, passes only when accepted.
        let (bytes, transcript, _) = present(&f, 8, &iso, &StatusList::new(Bits::Two, 64).unwrap());
        let offline = StatusChecker::new(Arc::new(StaticResolver::new()));
        let opts = VerifyOptions::new(&transcript, f.now).with_status(&offline);
        let err = verifier.verify(&bytes, &opts).unwrap_err();
        assert!(
            matches!(err, VerifyError::StatusUndetermined { document: 0, .. }),
            "{err}"
        );
        let lenient = StatusChecker::new(Arc::new(StaticResolver::new())).accept_undetermined(true);
        let opts = VerifyOptions::new(&transcript, f.now).with_status(&lenient);
        let ok = verifier.verify(&bytes, &opts).unwrap();
        assert!(matches!(
            ok.documents[0].status,
            Some(StatusOutcome::Undetermined(_))
        ));
    }
}

/// Counts ES256 verifications, delegating everything to RustCrypto.
#[derive(Debug, Default)]
struct CountingVerifies(AtomicUsize);

impl crypto::CryptoProvider for CountingVerifies {
    fn name(&self) -> &'static str {
        "counting"
    }
    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &crypto::Es256Signature,
    ) -> Result<(), crypto::CryptoError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        crypto::RustCrypto.verify_es256(key, message, signature)
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        crypto::RustCrypto.sha256(data)
    }
    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
        crypto::RustCrypto.hmac_sha256(key, message)
    }
    fn hmac_sha256_verify(
        &self,
        key: &[u8],
        message: &[u8],
        tag: &[u8],
    ) -> Result<(), crypto::CryptoError> {
        crypto::RustCrypto.hmac_sha256_verify(key, message, tag)
    }
    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), crypto::CryptoError> {
        crypto::RustCrypto.hkdf_sha256(ikm, salt, info, okm)
    }
    fn fill_random(&self, out: &mut [u8]) -> Result<(), crypto::CryptoError> {
        crypto::RustCrypto.fill_random(out)
    }
    fn aes_256_gcm_seal(
        &self,
        key: &[u8; 32],
        iv: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, crypto::CryptoError> {
        crypto::RustCrypto.aes_256_gcm_seal(key, iv, aad, plaintext)
    }
    fn aes_256_gcm_open(
        &self,
        key: &[u8; 32],
        iv: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crypto::CryptoError> {
        crypto::RustCrypto.aes_256_gcm_open(key, iv, aad, sealed)
    }
    fn sign_es256(
        &self,
        key: &SoftwareKey,
        message: &[u8],
    ) -> Result<[u8; 64], crypto::CryptoError> {
        crypto::RustCrypto.sign_es256(key, message)
    }
    fn ecdh(
        &self,
        key: &SoftwareKey,
        peer: &EcPublicKey,
    ) -> Result<crypto::SharedSecret, crypto::CryptoError> {
        crypto::RustCrypto.ecdh(key, peer)
    }
}

#[test]
fn checker_validates_a_known_signer_chain_once() {
    let f = fixture();
    let second = "https://example.com/statuslists/2";
    let mut list = StatusList::new(Bits::One, 16).unwrap();
    list.set(3, Status::Invalid).unwrap();
    let token2 = StatusListTokenBuilder::new(second, ListContent::Status(list.clone()), f.now)
        .exp(f.now.add_secs(3600))
        .sign(
            &f.pki.status_signer_key,
            std::slice::from_ref(&f.pki.status_signer),
        )
        .unwrap();
    let resolver = StaticResolver::new()
        .with(LIST_URI, f.token(list))
        .with(second, token2);
    let counting = Arc::new(CountingVerifies::default());
    let checker = StatusChecker::new(Arc::new(resolver))
        .with_provider(counting.clone())
        .with_max_cache_age(0);
    let (iaca, ds) = (&f.pki.iaca, &f.pki.document_signer);
    let fetch = |uri: &str, ds: &Certificate, at: UnixTime| {
        checker
            .fetch_list(uri, iaca, Some(ds), at)
            .and_then(|t| t.list()?.get(3))
    };
    // First list: the IACA's signature over the signer, then the token's.
    assert_eq!(fetch(LIST_URI, ds, f.now), Ok(Status::Invalid));
    assert_eq!(counting.0.load(Ordering::SeqCst), 2);
    // Resolved again (max cache age 0), and another list of the same signer: one each.
    assert_eq!(fetch(LIST_URI, ds, f.now), Ok(Status::Invalid));
    assert_eq!(fetch(second, ds, f.now), Ok(Status::Invalid));
    assert_eq!(counting.0.load(Ordering::SeqCst), 4);
    assert_eq!(checker.cache_stats().hits, 0);
    // The document-signer check still runs on a known chain.
    assert_eq!(
        fetch(second, &f.pki.status_signer, f.now),
        Err(StatusError::SignedByDocumentSigner)
    );
    // Outside the chain's validity the chain is validated in full (and fails as it must).
    let late = f.pki.status_signer.not_after().add_secs(1);
    assert!(matches!(
        fetch(second, ds, late),
        Err(StatusError::Chain(_))
    ));
    // Cleared, the chain is validated again.
    checker.clear_cache();
    let before = counting.0.load(Ordering::SeqCst);
    assert_eq!(fetch(second, ds, f.now), Ok(Status::Invalid));
    assert_eq!(counting.0.load(Ordering::SeqCst), before + 2);
}
