//! The crypto provider seam: the verifier, the session ciphers and the holder's response
//! builder do their cryptography through the provider they are given, and every compiled-in
//! provider gives the same results as the default.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use zhengzhao::verifier::VerifyOptions;

use common::fixture::{fixture, MDL, NS};
use zeroize::Zeroizing;
use zhengzhao::crypto::{self, compiled_providers, CryptoProvider, Es256Signature, ProviderKey};
use zhengzhao::crypto::{
    self as zcrypto, CryptoError, EcPublicKey, KeyAgreement, SharedSecret, Signer, SoftwareKey,
};
use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest};
use zhengzhao::session::{Approval, DeviceAuthKey, HolderSession, ReaderOutcome, ReaderSession};
use zhengzhao::verifier::{DeviceAuthMethod, Verifier};

/// Counts the calls that reach it, then delegates to `inner`.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn CryptoProvider>,
    verify: AtomicUsize,
    sha256: AtomicUsize,
    hmac: AtomicUsize,
    hkdf: AtomicUsize,
    aead: AtomicUsize,
    ecdh: AtomicUsize,
}

impl Counting {
    fn new(inner: Arc<dyn CryptoProvider>) -> Arc<Self> {
        Arc::new(Counting {
            inner,
            verify: AtomicUsize::new(0),
            sha256: AtomicUsize::new(0),
            hmac: AtomicUsize::new(0),
            hkdf: AtomicUsize::new(0),
            aead: AtomicUsize::new(0),
            ecdh: AtomicUsize::new(0),
        })
    }

    fn get(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

fn bump(counter: &AtomicUsize) {
    counter.fetch_add(1, Ordering::SeqCst);
}

impl CryptoProvider for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }
    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &Es256Signature,
    ) -> Result<(), CryptoError> {
        bump(&self.verify);
        self.inner.verify_es256(key, message, signature)
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        bump(&self.sha256);
        self.inner.sha256(data)
    }
    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
        bump(&self.hmac);
        self.inner.hmac_sha256(key, message)
    }
    fn hmac_sha256_verify(
        &self,
        key: &[u8],
        message: &[u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        bump(&self.hmac);
        self.inner.hmac_sha256_verify(key, message, tag)
    }
    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), CryptoError> {
        bump(&self.hkdf);
        self.inner.hkdf_sha256(ikm, salt, info, okm)
    }
    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        self.inner.fill_random(out)
    }
    fn aes_256_gcm_seal(
        &self,
        key: &[u8; 32],
        iv: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        bump(&self.aead);
        self.inner.aes_256_gcm_seal(key, iv, aad, plaintext)
    }
    fn aes_256_gcm_open(
        &self,
        key: &[u8; 32],
        iv: &[u8; 12],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        bump(&self.aead);
        self.inner.aes_256_gcm_open(key, iv, aad, sealed)
    }
    fn generate_key(&self) -> Result<SoftwareKey, CryptoError> {
        self.inner.generate_key()
    }
    fn sign_es256(&self, key: &SoftwareKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        self.inner.sign_es256(key, message)
    }
    fn ecdh(&self, key: &SoftwareKey, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        bump(&self.ecdh);
        self.inner.ecdh(key, peer)
    }
}

fn request(elements: &[&str]) -> DeviceRequest {
    let mut items = ItemsRequest::new(MDL);
    for e in elements {
        items = items.with_element(NS, *e, false);
    }
    DeviceRequest::new(vec![DocRequest::new(items)])
}

#[test]
fn the_verifier_runs_every_check_on_its_provider() {
    let f = fixture();
    let req = request(&["family_name", "birth_date", "age_over_18"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&f.transcript);
    rb.add_document(
        &f.credential,
        doc,
        &doc.disclosable(&f.credential),
        &f.device_key,
    )
    .unwrap();
    let response = rb.finish();

    let counting = Counting::new(common::provider());
    let verifier = Verifier::new(f.trust.clone()).with_provider(counting.clone());
    assert_eq!(verifier.provider().name(), "counting");
    let out = verifier
        .verify(&response, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap();
    assert_eq!(out.documents[0].issuer_signed[NS].len(), 3);
    // Chain (document signer under the IACA), issuerAuth, deviceSignature.
    assert_eq!(Counting::get(&counting.verify), 3);
    // One digest per disclosed element.
    assert_eq!(Counting::get(&counting.sha256), 3);

    // A damaged signature fails with the same error as on the default provider.
    let mut bad = response.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let with_default =
        Verifier::new(f.trust.clone()).verify(&bad, &VerifyOptions::new(&f.transcript, f.now));
    let with_provider = verifier.verify(&bad, &VerifyOptions::new(&f.transcript, f.now));
    assert_eq!(
        format!("{:?}", with_default.unwrap_err()),
        format!("{:?}", with_provider.unwrap_err())
    );
}

#[test]
fn device_mac_runs_on_the_provider_with_a_provider_key() {
    let f = fixture();
    let provider = common::provider();
    let counting = Counting::new(provider.clone());
    let reader_key = ProviderKey::new(SoftwareKey::generate().unwrap(), counting.clone());
    let req = request(&["family_name"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&f.transcript).with_provider(counting.clone());
    rb.add_document_mac(
        &f.credential,
        doc,
        &doc.disclosable(&f.credential),
        &f.device_key,
        &KeyAgreement::public_key(&reader_key).unwrap(),
    )
    .unwrap();
    let response = rb.finish();
    // Holder side: EMacKey's HKDF and the HMAC went through the provider.
    assert_eq!(Counting::get(&counting.hkdf), 1);
    assert_eq!(Counting::get(&counting.hmac), 1);

    let verifier = Verifier::new(f.trust.clone()).with_provider(counting.clone());
    let out = verifier
        .verify(
            &response,
            &VerifyOptions::new(&f.transcript, f.now).with_reader_key(&reader_key),
        )
        .unwrap();
    assert_eq!(out.documents[0].device_auth, DeviceAuthMethod::Mac);
    assert_eq!(Counting::get(&counting.ecdh), 1);
    assert_eq!(Counting::get(&counting.hkdf), 2);
    assert_eq!(Counting::get(&counting.hmac), 2);
    // The verifier's MAC check is the provider's: another reader key fails.
    let other = ProviderKey::new(SoftwareKey::generate().unwrap(), provider);
    assert!(verifier
        .verify(
            &response,
            &VerifyOptions::new(&f.transcript, f.now).with_reader_key(&other)
        )
        .is_err());
}

#[test]
fn sessions_encrypt_on_their_provider() {
    let f = fixture();
    let counting = Counting::new(common::provider());
    let holder = HolderSession::engage(Vec::new())
        .unwrap()
        .with_provider(counting.clone());
    let reader = ReaderSession::from_qr(&holder.qr_code())
        .unwrap()
        .with_provider(counting.clone());
    let (reader, establishment) = reader.send_request(&request(&["family_name"])).unwrap();
    assert_eq!(
        Counting::get(&counting.aead),
        1,
        "reader sealed the request"
    );
    let consent = holder
        .handle_establishment(&establishment, &RequestOptions::new(f.now))
        .unwrap();
    // The holder derived its keys (2 HKDF) and opened the request.
    assert_eq!(Counting::get(&counting.hkdf), 2);
    assert_eq!(Counting::get(&counting.aead), 2);
    let doc = &consent.request().documents()[0];
    let approvals = vec![Approval::new(
        0,
        &f.credential,
        doc.disclosable(&f.credential),
        DeviceAuthKey::Signature(&f.device_key),
    )];
    let message = consent.respond_and_terminate(&approvals).unwrap();
    assert_eq!(Counting::get(&counting.aead), 3);
    let verifier = Verifier::new(f.trust.clone()).with_provider(counting.clone());
    match reader.handle_response(&message, &verifier, f.now).unwrap() {
        ReaderOutcome::FinalResponse(r) => assert_eq!(r.documents[0].issuer_signed[NS].len(), 1),
        _ => panic!("expected the final response"),
    }
    assert_eq!(Counting::get(&counting.aead), 4);
    assert_eq!(Counting::get(&counting.verify), 3);
}

/// Every compiled-in provider agrees with the default on every operation.
#[test]
fn every_provider_agrees_with_the_default() {
    let default = zcrypto::default_provider();
    let key = SoftwareKey::from_bytes(&[7u8; 32]).unwrap();
    let peer = SoftwareKey::from_bytes(&[9u8; 32]).unwrap().public();
    let message = b"zhengzhao provider cross-check";
    let mut checked = Vec::new();
    for p in compiled_providers() {
        let p = p.as_ref();
        assert_eq!(p.sha256(message), default.sha256(message), "{}", p.name());
        assert_eq!(
            p.hmac_sha256(&[1; 100], message),
            default.hmac_sha256(&[1; 100], message)
        );
        p.hmac_sha256_verify(b"k", message, &default.hmac_sha256(b"k", message))
            .unwrap();
        assert!(matches!(
            p.hmac_sha256_verify(b"k", message, &[0; 32]),
            Err(CryptoError::MacInvalid)
        ));
        assert!(matches!(
            p.hmac_sha256_verify(b"k", message, &[0; 16]),
            Err(CryptoError::MacInvalid)
        ));
        assert_eq!(
            crypto::hkdf_sha256_with(p, b"ikm", b"", b"info", 42)
                .unwrap()
                .to_vec(),
            zcrypto::hkdf_sha256(b"ikm", b"", b"info", 42)
                .unwrap()
                .to_vec()
        );
        assert!(matches!(
            crypto::hkdf_sha256_with(p, b"ikm", b"salt", b"info", 255 * 32 + 1),
            Err(CryptoError::KdfLength)
        ));
        // Signatures from one provider verify on the other, both ways.
        let sig = p.sign_es256(&key, message).unwrap();
        zcrypto::verify_es256(&key.public(), message, &sig).unwrap();
        let sig = key.sign(message).unwrap();
        crypto::verify_es256_with(p, &key.public(), message, &sig).unwrap();
        assert!(matches!(
            crypto::verify_es256_with(p, &key.public(), b"other", &sig),
            Err(CryptoError::SignatureInvalid)
        ));
        assert!(matches!(
            crypto::verify_es256_with(p, &key.public(), message, &sig[..63]),
            Err(CryptoError::InvalidSignatureEncoding)
        ));
        assert_eq!(
            zhengzhao::danger::shared_secret_bytes(&p.ecdh(&key, &peer).unwrap()),
            zhengzhao::danger::shared_secret_bytes(&key.agree(&peer).unwrap())
        );
        let generated = p.generate_key().unwrap();
        assert_ne!(generated.to_bytes(), key.to_bytes());
        let sealed = p
            .aes_256_gcm_seal(&[3; 32], &[4; 12], b"aad", message)
            .unwrap();
        assert_eq!(
            sealed,
            zcrypto::aes_256_gcm_seal(&[3; 32], &[4; 12], b"aad", message).unwrap()
        );
        assert_eq!(
            p.aes_256_gcm_open(&[3; 32], &[4; 12], b"aad", &sealed)
                .unwrap()
                .to_vec(),
            message.to_vec()
        );
        assert!(matches!(
            p.aes_256_gcm_open(&[3; 32], &[4; 12], b"aaD", &sealed),
            Err(CryptoError::AeadOpen)
        ));
        let mut random = [0u8; 32];
        p.fill_random(&mut random).unwrap();
        assert_ne!(random, [0u8; 32]);
        checked.push(p.name());
    }
    println!("providers checked against the default: {checked:?}");
    assert_eq!(checked.first(), Some(&"rustcrypto"));
}

#[test]
fn aes_gcm_parameters_outside_the_policy_are_unsupported() {
    for (key, iv) in [(16usize, 12usize), (24, 12), (32, 8), (32, 16)] {
        assert!(matches!(
            zcrypto::aes_256_gcm_seal(&vec![0; key], &vec![0; iv], b"", b"m"),
            Err(CryptoError::UnsupportedParameters)
        ));
        assert!(matches!(
            zcrypto::aes_256_gcm_open(&vec![0; key], &vec![0; iv], b"", &[0; 32]),
            Err(CryptoError::UnsupportedParameters)
        ));
    }
    assert!(matches!(
        zcrypto::aes_256_gcm_open(&[0; 32], &[0; 12], b"", &[0; 15]),
        Err(CryptoError::AeadOpen)
    ));
}

/// A signer outside the library: it claims `claimed` as its public key and signs with `key`.
struct ForeignSigner {
    claimed: EcPublicKey,
    key: SoftwareKey,
}

impl Signer for ForeignSigner {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        Ok(self.claimed.clone())
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key.sign(message)
    }
    // needs_signature_check: the default (true).
}

#[test]
fn the_holder_checks_foreign_signatures_and_compares_its_own_keys() {
    let f = fixture();
    let req = request(&["family_name"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let approved = doc.disclosable(&f.credential);
    let add = |signer: &dyn Signer| {
        let mut rb = ResponseBuilder::new(&f.transcript);
        rb.add_document(&f.credential, doc, &approved, signer)
            .map(|()| rb.finish())
    };
    assert!(!f.device_key.needs_signature_check());

    // Our own key, but not the credential's: refused by comparing public keys.
    let other = SoftwareKey::generate().unwrap();
    let err = add(&other).unwrap_err();
    assert!(
        matches!(err, zhengzhao::holder::HolderError::WrongDeviceKey(_)),
        "{err:?}"
    );

    // A foreign signer claiming the device key but signing with another: caught by the check.
    let liar = ForeignSigner {
        claimed: f.device_key.public(),
        key: SoftwareKey::generate().unwrap(),
    };
    assert!(liar.needs_signature_check());
    let err = add(&liar).unwrap_err();
    assert!(
        matches!(err, zhengzhao::holder::HolderError::WrongDeviceKey(_)),
        "{err:?}"
    );

    // Both paths produce responses the verifier accepts.
    let honest = ForeignSigner {
        claimed: f.device_key.public(),
        key: SoftwareKey::from_bytes(f.device_key.to_bytes().as_slice()).unwrap(),
    };
    for response in [add(&f.device_key).unwrap(), add(&honest).unwrap()] {
        Verifier::new(f.trust.clone())
            .verify(&response, &VerifyOptions::new(&f.transcript, f.now))
            .unwrap();
    }
}
