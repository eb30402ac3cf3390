use std::sync::Arc;

use super::*;
use crate::crypto::RustCrypto;
use crate::trust::testpki::{TestPki, TestPkiOptions};
use crate::trust::{validate_chain, TrustAnchor};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");

fn vector_der(path: &str) -> Vec<u8> {
    let path = format!("{VECTORS}{path}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).unwrap()
}

fn store(anchors: &[(&[u8], AnchorRole)]) -> TrustStore {
    let mut s = TrustStore::new();
    for (der, role) in anchors {
        s.add(TrustAnchor::new(Certificate::from_der(der).unwrap(), *role));
    }
    s
}

fn t(secs: i64) -> UnixTime {
    UnixTime::from_secs(secs)
}

const T0: i64 = 1_700_000_000;

/// `cache.validate` of a document-signer chain on the default provider: what most tests
/// here exercise.
fn validate_ds<C: AsRef<[u8]>>(
    cache: &ChainCache,
    chain: &[C],
    store: &TrustStore,
    anchors: &TrustFingerprint,
    at: UnixTime,
) -> Result<ChainMatch, TrustError> {
    cache.validate(
        &RustCrypto,
        chain,
        store,
        anchors,
        ChainUsage::DocumentSigner,
        at,
    )
}

/// A PKI whose IACA expires before its document signer, and whose document signer starts
/// after its IACA, so that each position of the path can be the first invalid one.
fn staggered_pki() -> TestPki {
    let mut o = TestPkiOptions::new(t(T0));
    o.iaca_not_before = t(T0);
    o.iaca_not_after = t(T0 + 1_000);
    o.ds_not_before = t(T0 + 100);
    o.ds_not_after = t(T0 + 2_000);
    TestPki::generate_with(&o).unwrap()
}

fn cold(chain: &[Vec<u8>], store: &TrustStore, at: UnixTime) -> Result<(), TrustError> {
    let certs = chain
        .iter()
        .map(|d| Certificate::from_der(d))
        .collect::<Result<Vec<_>, _>>()?;
    validate_chain(&certs, store, ChainUsage::DocumentSigner, at).map(|_| ())
}

/// Every validity boundary of every certificate in the path, one second either side.
fn boundaries(chain: &[Vec<u8>], store: &TrustStore) -> Vec<UnixTime> {
    let mut times = Vec::new();
    let certs = chain.iter().map(|d| Certificate::from_der(d).unwrap());
    let anchors = store.anchors().iter().map(|a| a.certificate.clone());
    for c in certs.chain(anchors) {
        for edge in [c.not_before(), c.not_after()] {
            times.extend([edge.add_secs(-1), edge, edge.add_secs(1)]);
        }
    }
    times
}

#[test]
fn cached_entry_fails_exactly_as_a_cold_validation_at_every_boundary() {
    let pki = staggered_pki();
    let ds = pki.document_signer.der().to_vec();
    let iaca = pki.iaca.der().to_vec();
    let ad_ds = vector_der("iso18013-5-annex-d/ds_cert.der.hex");
    let ad_iaca = vector_der("iso18013-5-annex-d/iaca_root_cert.der.hex");
    let dcapi = vector_der("animo-google-dcapi/ds_cert_digitalcredentials_dev.der.hex");
    // (name, chain, anchors, a time at which the chain validates)
    let cases: Vec<(&str, Vec<Vec<u8>>, TrustStore, UnixTime)> = vec![
        (
            "test DS, anchor from the store",
            vec![ds.clone()],
            store(&[(&iaca, AnchorRole::IssuingAuthority)]),
            t(T0 + 500),
        ),
        (
            "test DS with the anchor in the chain",
            vec![ds.clone(), iaca.clone()],
            store(&[(&iaca, AnchorRole::IssuingAuthority)]),
            t(T0 + 500),
        ),
        (
            "Annex D DS -> IACA",
            vec![ad_ds.clone()],
            store(&[(&ad_iaca, AnchorRole::IssuingAuthority)]),
            UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap(),
        ),
        (
            "pinned document signer",
            vec![dcapi.clone()],
            store(&[(&dcapi, AnchorRole::PinnedDocumentSigner)]),
            Certificate::from_der(&dcapi)
                .unwrap()
                .not_before()
                .add_secs(1),
        ),
    ];
    for (name, chain, store, good) in cases {
        let fp = TrustFingerprint::of(&store);
        let cache = ChainCache::new(8);
        assert!(cold(&chain, &store, good).is_ok(), "{name}: fixture");
        validate_ds(&cache, &chain, &store, &fp, good).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut failures = 0;
        for at in boundaries(&chain, &store) {
            let expected = cold(&chain, &store, at);
            let before = cache.stats();
            let got = validate_ds(&cache, &chain, &store, &fp, at).map(|_| ());
            assert_eq!(got, expected, "{name} at {at:?}");
            assert_eq!(
                cache.stats().hits,
                before.hits + 1,
                "{name}: answered from the cache"
            );
            failures += usize::from(expected.is_err());
        }
        assert!(failures >= 2, "{name}: the sweep must reach invalid times");
    }
}

#[test]
fn staggered_windows_fail_at_the_position_a_cold_validation_names() {
    // The sweep above compares with the cold result; this pins what that result is.
    let pki = staggered_pki();
    let chain = vec![pki.document_signer.der().to_vec()];
    let store = pki.issuer_trust_store();
    let fp = TrustFingerprint::of(&store);
    let cache = ChainCache::new(8);
    validate_ds(&cache, &chain, &store, &fp, t(T0 + 500)).unwrap();
    let at = |s| validate_ds(&cache, &chain, &store, &fp, t(s)).map(|_| ());
    assert_eq!(at(T0 + 50), Err(TrustError::NotYetValid { position: 0 }));
    assert_eq!(at(T0 + 1_500), Err(TrustError::Expired { position: 1 }));
    assert_eq!(at(T0 + 2_500), Err(TrustError::Expired { position: 0 }));
    assert_eq!(at(T0 + 1_000), Ok(()));
    assert_eq!(cache.stats().misses, 1);
}

#[test]
fn a_changed_byte_or_another_trust_store_misses_the_cache() {
    let pki = TestPki::generate(UnixTime::now()).unwrap();
    let now = UnixTime::now();
    let chain = vec![pki.document_signer.der().to_vec()];
    let store = pki.issuer_trust_store();
    let fp = TrustFingerprint::of(&store);
    let cache = ChainCache::new(8);
    let first = validate_ds(&cache, &chain, &store, &fp, now).unwrap();
    let again = validate_ds(&cache, &chain, &store, &fp, now).unwrap();
    assert!(Arc::ptr_eq(first.cached(), again.cached()));
    assert_eq!(cache.stats().hits, 1);

    // The last byte is inside the certificate's signature: a miss, then a cold failure.
    let mut flipped = chain.clone();
    let last = flipped[0].last_mut().unwrap();
    *last ^= 0x01;
    let err = validate_ds(&cache, &flipped, &store, &fp, now).unwrap_err();
    assert_eq!(Err(err), cold(&flipped, &store, now));
    assert_eq!(cache.stats().misses, 2);
    assert_eq!(cache.stats().len, 1, "failures are not cached");

    // Every single-byte change gives another key.
    let key = ChainKey::new(&fp, ChainUsage::DocumentSigner, &chain);
    for i in 0..chain[0].len() {
        let mut changed = chain.clone();
        changed[0][i] ^= 0x80;
        assert_ne!(
            ChainKey::new(&fp, ChainUsage::DocumentSigner, &changed),
            key
        );
    }
    assert_ne!(ChainKey::new(&fp, ChainUsage::ReaderAuth, &chain), key);

    // Another store (an extra anchor, or the same anchor with another role) is another key.
    let mut bigger = store.clone();
    bigger.add(TrustAnchor::reader_authority(pki.reader_ca.clone()));
    let other = TrustFingerprint::of(&bigger);
    assert_ne!(other, fp);
    validate_ds(&cache, &chain, &bigger, &other, now).unwrap();
    assert_eq!(cache.stats().misses, 3);
    let mut as_reader = TrustStore::new();
    as_reader.add(TrustAnchor::reader_authority(pki.iaca.clone()));
    let reader_fp = TrustFingerprint::of(&as_reader);
    assert_ne!(reader_fp, fp);
    assert_eq!(
        validate_ds(&cache, &chain, &as_reader, &reader_fp, now).unwrap_err(),
        TrustError::UntrustedRoot
    );
}

#[test]
fn bounded_least_recently_used_first() {
    let now = UnixTime::now();
    let pkis: Vec<TestPki> = (0..3).map(|_| TestPki::generate(now).unwrap()).collect();
    let mut store = TrustStore::new();
    for p in &pkis {
        store.add(TrustAnchor::issuing_authority(p.iaca.clone()));
    }
    let fp = TrustFingerprint::of(&store);
    let chains: Vec<Vec<Vec<u8>>> = pkis
        .iter()
        .map(|p| vec![p.document_signer.der().to_vec()])
        .collect();
    let cache = ChainCache::new(2);
    let check = |i: usize| {
        validate_ds(&cache, &chains[i], &store, &fp, now).unwrap();
    };
    check(0); // miss
    check(1); // miss
    check(0); // hit: 1 is now the least recently used
    check(2); // miss, evicts 1
    assert_eq!(
        cache.stats(),
        ChainCacheStats {
            len: 2,
            hits: 1,
            misses: 3
        }
    );
    check(0); // hit
    check(2); // hit
    check(1); // miss: it was evicted
    assert_eq!(
        cache.stats(),
        ChainCacheStats {
            len: 2,
            hits: 3,
            misses: 4
        }
    );
    cache.clear();
    assert_eq!(cache.stats().len, 0);

    let off = ChainCache::new(0);
    for _ in 0..3 {
        validate_ds(&off, &chains[0], &store, &fp, now).unwrap();
    }
    assert_eq!(off.stats().len, 0);
    assert_eq!(off.stats().hits, 0);
}

#[test]
fn shared_between_threads() {
    let now = UnixTime::now();
    let pki = TestPki::generate(now).unwrap();
    let chain = vec![pki.document_signer.der().to_vec()];
    let store = pki.issuer_trust_store();
    let fp = TrustFingerprint::of(&store);
    let cache = ChainCache::new(4);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    let c = validate_ds(&cache, &chain, &store, &fp, now).unwrap();
                    assert_eq!(c.leaf_subject(), pki.document_signer.subject());
                }
            });
        }
    });
    let stats = cache.stats();
    assert_eq!(stats.len, 1);
    assert_eq!(stats.hits + stats.misses, 40);
    assert!(stats.hits >= 36, "{stats:?}");
}

#[test]
fn cached_chain_exposes_what_validation_found() {
    let pki = staggered_pki();
    let chain = vec![pki.document_signer.der().to_vec()];
    let store = pki.issuer_trust_store();
    let cache = ChainCache::new(DEFAULT_CHAIN_CACHE_CAPACITY);
    assert_eq!(cache.capacity(), DEFAULT_CHAIN_CACHE_CAPACITY);
    let c = validate_ds(
        &cache,
        &chain,
        &store,
        &TrustFingerprint::of(&store),
        t(T0 + 500),
    )
    .unwrap();
    assert_eq!(c.leaf_subject(), pki.document_signer.subject());
    assert_eq!(c.anchor_subject(), pki.iaca.subject());
    assert_eq!(c.anchor(), &pki.iaca);
    assert_eq!(c.leaf_public_key(), &pki.document_signer_key.public());
    assert!(!c.is_pinned());
    assert_eq!(
        c.cached().windows(),
        vec![vec![(t(T0 + 100), t(T0 + 2_000)), (t(T0), t(T0 + 1_000))]]
    );
    // Debug names authorities and counts, nothing else.
    let debug = format!("{:?} {cache:?}", c.cached());
    assert!(
        debug.contains("Test Document Signer") && debug.contains("hits"),
        "{debug}"
    );
}

#[test]
fn the_remembered_key_is_reused_only_for_the_same_bytes() {
    let pki = TestPki::generate(UnixTime::now()).unwrap();
    let chain = vec![pki.document_signer.der().to_vec()];
    let fp = TrustFingerprint::of(&pki.issuer_trust_store());
    let other_fp = TrustFingerprint::of(&TrustStore::new());
    let usage = ChainUsage::DocumentSigner;
    let cache = ChainCache::new(8);
    let key = ChainKey::new(&fp, usage, &chain);
    assert_eq!(cache.key(&fp, usage, &chain), key);
    assert_eq!(cache.key(&fp, usage, &chain), key, "remembered");

    let len = chain[0].len();
    let mut variants: Vec<(TrustFingerprint, ChainUsage, Vec<Vec<u8>>)> = [0, 1, len / 2, len - 1]
        .into_iter()
        .map(|i| {
            let mut changed = chain.clone();
            changed[0][i] ^= 0x01;
            (fp, usage, changed)
        })
        .collect();
    let mut longer = chain.clone();
    longer.push(pki.iaca.der().to_vec());
    let mut shorter = chain.clone();
    shorter[0].pop();
    variants.extend([
        (fp, usage, longer),
        (fp, usage, shorter),
        (fp, usage, Vec::new()),
        (other_fp, usage, chain.clone()),
        (fp, ChainUsage::ReaderAuth, chain.clone()),
    ]);
    for (anchors, usage_v, changed) in &variants {
        // Right after the original (remembered), and right after itself.
        assert_eq!(cache.key(&fp, usage, &chain), key);
        let fresh = ChainKey::new(anchors, *usage_v, changed);
        assert_ne!(fresh, key);
        assert_eq!(cache.key(anchors, *usage_v, changed), fresh);
        assert_eq!(cache.key(anchors, *usage_v, changed), fresh);
    }
    cache.clear();
    assert_eq!(cache.key(&fp, usage, &chain), key);
}

/// An IACA renewed with the same name and key, its predecessor still trusted: a chain cached
/// while only the old one was valid is answered from the cache with the renewed anchor once
/// the old one expired, exactly as a cold validation answers, at every boundary.
#[test]
fn a_cached_chain_picks_the_anchor_a_cold_validation_picks() {
    use crate::trust::testpki;
    use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};

    let key = testpki::new_key().unwrap();
    let name = testpki::parse_name("CN=renewed root").unwrap();
    let ca = |from: i64, until: i64| {
        let exts = vec![
            testpki::extension(
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
            )
            .unwrap(),
            testpki::extension(true, &KeyUsage(KeyUsages::KeyCertSign.into())).unwrap(),
        ];
        testpki::build(&key, &name, &name, &key, t(from), t(until), exts).unwrap()
    };
    let old = ca(T0, T0 + 1_000);
    let renewed = ca(T0 + 500, T0 + 5_000);
    let ds_key = testpki::new_key().unwrap();
    let ds = testpki::build(
        &ds_key,
        &testpki::parse_name("CN=ds").unwrap(),
        &name,
        &key,
        t(T0),
        t(T0 + 4_000),
        vec![
            testpki::extension(true, &KeyUsage(KeyUsages::DigitalSignature.into())).unwrap(),
            testpki::extension(
                true,
                &ExtendedKeyUsage(vec![crate::trust::EKU_DOCUMENT_SIGNER]),
            )
            .unwrap(),
        ],
    )
    .unwrap();
    let mut store = TrustStore::new();
    store.add(TrustAnchor::issuing_authority(old.clone()));
    store.add(TrustAnchor::issuing_authority(renewed.clone()));
    let fp = TrustFingerprint::of(&store);
    let chain = vec![ds.der().to_vec()];
    let cache = ChainCache::new(8);

    let first = validate_ds(&cache, &chain, &store, &fp, t(T0 + 100)).unwrap();
    assert_eq!(first.anchor(), &old);
    let later = validate_ds(&cache, &chain, &store, &fp, t(T0 + 2_000)).unwrap();
    assert_eq!(later.anchor(), &renewed, "from the cache");
    assert_eq!(later.anchor_subject(), renewed.subject());
    assert_eq!(cache.stats().hits, 1);

    let cold_anchor = |at: UnixTime| {
        let certs = [ds.clone()];
        validate_chain(&certs, &store, ChainUsage::DocumentSigner, at).map(|v| v.anchor().clone())
    };
    let mut seen_renewed = false;
    for at in boundaries(&chain, &store) {
        let expected = cold_anchor(at);
        let got = validate_ds(&cache, &chain, &store, &fp, at).map(|m| m.anchor().clone());
        assert_eq!(got, expected, "at {at:?}");
        seen_renewed |= got.as_ref() == Ok(&renewed);
    }
    assert!(seen_renewed);
    assert_eq!(
        cache.stats().misses,
        1,
        "every later answer came from the cache"
    );
}
