//! End to end: issuer → holder → verifier with generated keys and PKI.

mod common;

use common::fixture::{fixture, present, request, ten_elements, MDL, NS};
use zhengzhao::cbor::Limits;
use zhengzhao::cbor::Value;
use zhengzhao::crypto::{KeyAgreement, Signer, SoftwareKey};
use zhengzhao::holder::{ParsedRequest, RequestOptions, RequestedElement, ResponseBuilder};
use zhengzhao::model::{Credential, DeviceResponse};
use zhengzhao::verifier::VerifyOptions;
use zhengzhao::verifier::{DeviceAuthMethod, Verifier};

#[test]
fn three_of_ten_elements_disclosed_exactly() {
    let f = fixture();
    assert_eq!(f.credential.element_ids().len(), 10);
    let wanted = ["family_name", "age_over_18", "driving_privileges"];
    let response = present(&f, &f.credential, &wanted);
    let out = Verifier::new(f.trust.clone())
        .verify(&response, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap();
    assert_eq!(out.documents.len(), 1);
    let doc = &out.documents[0];
    assert_eq!(doc.doc_type, MDL);
    assert_eq!(doc.device_auth, DeviceAuthMethod::Signature);
    assert!(doc.issuer.contains("Document Signer") || !doc.issuer.is_empty());
    let els = &doc.issuer_signed[NS];
    assert_eq!(els.len(), 3);
    let all = ten_elements();
    for id in wanted {
        let expected = &all.iter().find(|(k, _)| *k == id).unwrap().1;
        assert_eq!(&els[id], expected, "{id}");
    }
}

#[test]
fn stored_credential_survives_serialisation() {
    let f = fixture();
    let bytes = f.credential.to_bytes();
    let back = Credential::from_bytes(&bytes, &Limits::default()).unwrap();
    assert_eq!(back, f.credential);
    let response = present(&f, &back, &["given_name"]);
    let out = Verifier::new(f.trust.clone())
        .verify(&response, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap();
    assert_eq!(
        out.documents[0].issuer_signed[NS]["given_name"],
        Value::text("三")
    );
}

#[test]
fn only_requested_and_approved_elements_are_disclosed() {
    let f = fixture();
    let req = request(&["family_name", "given_name", "birth_date"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    // The holder approves one requested element and, wrongly, one that was never requested.
    let approved = vec![
        RequestedElement::new(NS, "given_name", false),
        RequestedElement::new(NS, "document_number", false),
    ];
    let mut rb = ResponseBuilder::new(&f.transcript);
    rb.add_document(&f.credential, doc, &approved, &f.device_key)
        .unwrap();
    let response = rb.finish();
    let out = Verifier::new(f.trust.clone())
        .verify(&response, &VerifyOptions::new(&f.transcript, f.now))
        .unwrap();
    let els = &out.documents[0].issuer_signed[NS];
    assert_eq!(els.keys().collect::<Vec<_>>(), ["given_name"]);
    // And the bytes on the wire hold no trace of the others.
    let parsed = DeviceResponse::parse(&response, &Limits::default()).unwrap();
    let ids: Vec<_> = parsed.documents[0].issuer_signed.namespaces[0]
        .1
        .iter()
        .map(|i| i.item().element_identifier.clone())
        .collect();
    assert_eq!(ids, ["given_name"]);
}

#[test]
fn disclosable_is_requested_intersect_held() {
    let f = fixture();
    let req = request(&["family_name", "not_held_element"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let d = parsed.documents()[0].disclosable(&f.credential);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].identifier, "family_name");
}

/// A signer that answers in DER, as Android Keystore and the Secure Enclave do.
struct DerSigner(SoftwareKey);
impl Signer for DerSigner {
    fn public_key(&self) -> Result<zhengzhao::crypto::EcPublicKey, zhengzhao::crypto::CryptoError> {
        Signer::public_key(&self.0)
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, zhengzhao::crypto::CryptoError> {
        let raw = self.0.sign(message)?;
        Ok(raw_to_der(&raw))
    }
}

fn raw_to_der(raw: &[u8]) -> Vec<u8> {
    fn int(x: &[u8]) -> Vec<u8> {
        let mut x: Vec<u8> = x.iter().copied().skip_while(|b| *b == 0).collect();
        if x.first().is_none_or(|b| b & 0x80 != 0) {
            x.insert(0, 0);
        }
        let mut out = vec![0x02, x.len() as u8];
        out.extend(x);
        out
    }
    let (r, s) = (int(&raw[..32]), int(&raw[32..]));
    let mut out = vec![0x30, (r.len() + s.len()) as u8];
    out.extend(r);
    out.extend(s);
    out
}

#[test]
fn der_signatures_from_a_platform_keystore_are_normalised() {
    let f = fixture();
    let signer = DerSigner(SoftwareKey::from_bytes(&f.device_key.to_bytes()[..]).unwrap());
    let req = request(&["family_name"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&f.transcript);
    rb.add_document(&f.credential, doc, &doc.disclosable(&f.credential), &signer)
        .unwrap();
    let out = Verifier::new(f.trust.clone())
        .verify(&rb.finish(), &VerifyOptions::new(&f.transcript, f.now))
        .unwrap();
    assert_eq!(out.documents[0].issuer_signed[NS].len(), 1);
}

#[test]
fn two_phase_signing_for_biometric_keys() {
    let f = fixture();
    let req = request(&["age_over_18"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&f.transcript);
    let pending = rb
        .prepare_document(&f.credential, doc, &doc.disclosable(&f.credential))
        .unwrap();
    // ... the host shows a biometric prompt, then signs in its keystore (DER here) ...
    let sig = raw_to_der(&f.device_key.sign(pending.to_be_signed()).unwrap());
    rb.add_completed(pending.complete(&sig).unwrap());
    let out = Verifier::new(f.trust.clone())
        .verify(&rb.finish(), &VerifyOptions::new(&f.transcript, f.now))
        .unwrap();
    assert_eq!(
        out.documents[0].issuer_signed[NS]["age_over_18"],
        Value::Bool(true)
    );
}

#[test]
fn two_phase_rejects_a_signature_from_another_key() {
    let f = fixture();
    let req = request(&["age_over_18"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let rb = ResponseBuilder::new(&f.transcript);
    let pending = rb
        .prepare_document(&f.credential, doc, &doc.disclosable(&f.credential))
        .unwrap();
    let other = SoftwareKey::generate().unwrap();
    assert!(pending.complete(&other.sign(b"whatever").unwrap()).is_err());
}

#[test]
fn device_mac_round_trip() {
    let f = fixture();
    let reader_eph = SoftwareKey::generate().unwrap();
    let req = request(&["family_name", "birth_date"]).to_bytes();
    let parsed = ParsedRequest::parse(&req, &f.transcript, &RequestOptions::new(f.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&f.transcript);
    rb.add_document_mac(
        &f.credential,
        doc,
        &doc.disclosable(&f.credential),
        &f.device_key,
        &KeyAgreement::public_key(&reader_eph).unwrap(),
    )
    .unwrap();
    let response = rb.finish();
    let v = Verifier::new(f.trust.clone());
    let out = v
        .verify(
            &response,
            &VerifyOptions::new(&f.transcript, f.now).with_reader_key(&reader_eph),
        )
        .unwrap();
    assert_eq!(out.documents[0].device_auth, DeviceAuthMethod::Mac);
    assert_eq!(out.documents[0].issuer_signed[NS].len(), 2);
    let other = SoftwareKey::generate().unwrap();
    assert!(v
        .verify(
            &response,
            &VerifyOptions::new(&f.transcript, f.now).with_reader_key(&other)
        )
        .is_err());
}

#[test]
fn salts_and_digest_ids_are_fresh_per_credential() {
    let f = fixture();
    let g = fixture();
    let salts = |c: &Credential| -> Vec<Vec<u8>> {
        c.issuer_signed
            .namespaces
            .iter()
            .flat_map(|(_, i)| i.iter().map(|x| x.item().random.clone()))
            .collect()
    };
    let a = salts(&f.credential);
    assert!(a.iter().all(|s| s.len() >= 16));
    let b = salts(&g.credential);
    assert!(a.iter().all(|s| !b.contains(s)));
    // Digest IDs are not 0..n in element order.
    let ids: Vec<u64> = f.credential.issuer_signed.namespaces[0]
        .1
        .iter()
        .map(|i| i.item().digest_id)
        .collect();
    assert_ne!(ids, (0..ids.len() as u64).collect::<Vec<_>>());
}

#[test]
fn decoys_add_digests_without_elements() {
    let f = fixture();
    let dk = SoftwareKey::generate().unwrap();
    let c = f
        .issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("王"))
        .decoys(5)
        .device_key(dk.public())
        .validity(f.now, f.now, f.now.add_secs(60))
        .sign()
        .unwrap();
    let mso = zhengzhao::danger::mso_unverified(&c.issuer_signed, &Limits::default()).unwrap();
    assert_eq!(mso.value_digests[NS].len(), 6);
    assert_eq!(c.element_ids().len(), 1);
}
