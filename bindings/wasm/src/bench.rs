//! The ES256 floor of a verification, run in wasm (cargo feature `bench`, built by
//! `bindings/wasm/build.sh --bench`; never in a shipped package).
//!
//! `bench/bench.cjs` divides the time of `verifyRaw` by the time of the public-key operations
//! that verification cannot avoid, measured in the same process: the floor. Like the native
//! `perf` report (`examples/src/perf.rs`), the floor runs through the same crypto calls the
//! verifier makes — [`CryptoProvider::verify_es256`] on [`RustCrypto`] and, for a MAC'd
//! response, [`KeyAgreement::agree`] of the reader key — but with the exact inputs of the
//! response being measured: [`bench_floor_raw`] verifies the response once through a provider
//! and a reader key that record each (key, message, signature) and each ECDH peer, and
//! [`bench_floor_run`] replays them.
//!
//! For a response with a document-signer certificate under an IACA and a device signature
//! that is three ES256 verifies (certificate, `issuerAuth`, `deviceSignature`); for a
//! `deviceMac` response two verifies and one ECDH (the EMacKey agreement; HKDF and HMAC are
//! left out, as natively); for a pinned document signer the certificate signature is not
//! checked, so one verify fewer.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};

use wasm_bindgen::prelude::wasm_bindgen;
use zeroize::Zeroizing;
use zhengzhao::crypto::{
    CryptoError, CryptoProvider, EcPublicKey, Es256Signature, KeyAgreement, RustCrypto,
    SharedSecret, SoftwareKey, AES_256_GCM_KEY_LEN, AES_GCM_IV_LEN,
};
use zhengzhao::verifier::{Verifier, VerifyOptions};

use crate::error::JsError;
use crate::time_from_ms;
use crate::verify::{parse_reader_key, trust_store};

/// The public-key operations one verification made.
#[derive(Default)]
struct Floor {
    /// Each ES256 verification: key, message, signature.
    verifies: Vec<(EcPublicKey, Vec<u8>, Es256Signature)>,
    /// The reader key and each peer it agreed with (deviceMac).
    ecdh: Option<(SoftwareKey, Vec<EcPublicKey>)>,
}

/// [`RustCrypto`], recording the ES256 verifications it is asked for.
#[derive(Default)]
struct Recorder(Mutex<Vec<(EcPublicKey, Vec<u8>, Es256Signature)>>);

impl core::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Recorder")
    }
}

impl CryptoProvider for Recorder {
    fn name(&self) -> &'static str {
        "bench-recorder"
    }
    fn verify_es256(
        &self,
        key: &EcPublicKey,
        message: &[u8],
        signature: &Es256Signature,
    ) -> Result<(), CryptoError> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push((
            key.clone(),
            message.to_vec(),
            *signature,
        ));
        RustCrypto.verify_es256(key, message, signature)
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        RustCrypto.sha256(data)
    }
    fn hmac_sha256(&self, key: &[u8], message: &[u8]) -> [u8; 32] {
        RustCrypto.hmac_sha256(key, message)
    }
    fn hmac_sha256_verify(
        &self,
        key: &[u8],
        message: &[u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        RustCrypto.hmac_sha256_verify(key, message, tag)
    }
    fn hkdf_sha256(
        &self,
        ikm: &[u8],
        salt: &[u8],
        info: &[u8],
        okm: &mut [u8],
    ) -> Result<(), CryptoError> {
        RustCrypto.hkdf_sha256(ikm, salt, info, okm)
    }
    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        RustCrypto.fill_random(out)
    }
    fn aes_256_gcm_seal(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        RustCrypto.aes_256_gcm_seal(key, iv, aad, plaintext)
    }
    fn aes_256_gcm_open(
        &self,
        key: &[u8; AES_256_GCM_KEY_LEN],
        iv: &[u8; AES_GCM_IV_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        RustCrypto.aes_256_gcm_open(key, iv, aad, sealed)
    }
    fn sign_es256(&self, key: &SoftwareKey, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        RustCrypto.sign_es256(key, message)
    }
    fn ecdh(&self, key: &SoftwareKey, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        RustCrypto.ecdh(key, peer)
    }
}

/// The reader key, recording the peers it agrees with.
struct RecordingKey(SoftwareKey, Mutex<Vec<EcPublicKey>>);

impl KeyAgreement for RecordingKey {
    fn public_key(&self) -> Result<EcPublicKey, CryptoError> {
        self.0.public_key()
    }
    fn agree(&self, peer: &EcPublicKey) -> Result<SharedSecret, CryptoError> {
        self.1
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(peer.clone());
        self.0.agree(peer)
    }
}

thread_local! {
    /// The floors recorded so far, by handle (wasm is single-threaded; a bench records a few).
    static FLOORS: RefCell<Vec<Floor>> = const { RefCell::new(Vec::new()) };
}

/// Verifies the response as `verifyRaw` does (the same arguments), recording its public-key
/// operations, and returns a handle for [`bench_floor_run`]. A response that does not verify
/// is thrown, as by `verifyRaw`.
#[wasm_bindgen(js_name = benchFloorRaw)]
pub fn bench_floor_raw(
    response: &[u8],
    transcript: &[u8],
    trust: Vec<String>,
    pinned: Vec<String>,
    reader_key: &[u8],
    at_ms: f64,
) -> Result<u32, wasm_bindgen::JsValue> {
    Ok(record(
        response, transcript, &trust, &pinned, reader_key, at_ms,
    )?)
}

fn record(
    response: &[u8],
    transcript: &[u8],
    trust: &[String],
    pinned: &[String],
    reader_key: &[u8],
    at_ms: f64,
) -> Result<u32, JsError> {
    let at = time_from_ms(at_ms)?;
    let store = trust_store(trust, pinned)?;
    let transcript = crate::parse_transcript(transcript)?;
    let key = parse_reader_key(reader_key)?.map(|k| RecordingKey(k, Mutex::default()));
    let recorder = Arc::new(Recorder::default());
    let options = VerifyOptions::new(&transcript, at);
    let options = match &key {
        Some(k) => options.with_reader_key(k as &dyn KeyAgreement),
        None => options,
    };
    Verifier::new(store)
        .with_provider(recorder.clone())
        .verify(response, &options)?;
    let floor = Floor {
        verifies: std::mem::take(&mut *recorder.0.lock().unwrap_or_else(PoisonError::into_inner)),
        ecdh: key.map(|RecordingKey(k, peers)| {
            (
                k,
                peers.into_inner().unwrap_or_else(PoisonError::into_inner),
            )
        }),
    };
    FLOORS.with(|floors| {
        let mut floors = floors.borrow_mut();
        floors.push(floor);
        u32::try_from(floors.len() - 1).map_err(|_| JsError::new("Internal", "too many floors"))
    })
}

/// What the floor of `handle` is made of, as JSON text: `{"es256_verify": n, "ecdh": m}`.
#[wasm_bindgen(js_name = benchFloorDescribe)]
pub fn bench_floor_describe(handle: u32) -> Result<String, wasm_bindgen::JsValue> {
    Ok(with_floor(handle, |f| {
        let ecdh = f.ecdh.as_ref().map_or(0, |(_, peers)| peers.len());
        format!("{{\"es256_verify\":{},\"ecdh\":{ecdh}}}", f.verifies.len())
    })?)
}

/// Runs the floor of `handle` `n` times: every recorded ES256 verification on [`RustCrypto`]
/// and every recorded ECDH with the reader key. Throws if any of them fails (it would mean the
/// replay is not the operation the verifier made).
#[wasm_bindgen(js_name = benchFloorRun)]
pub fn bench_floor_run(handle: u32, n: u32) -> Result<(), wasm_bindgen::JsValue> {
    Ok(with_floor(handle, |f| -> Result<(), JsError> {
        for _ in 0..n {
            for (key, message, signature) in &f.verifies {
                RustCrypto
                    .verify_es256(key, message, signature)
                    .map_err(|e| JsError::new("Internal", format!("floor verify: {e}")))?;
            }
            if let Some((key, peers)) = &f.ecdh {
                for peer in peers {
                    key.agree(peer)
                        .map_err(|e| JsError::new("Internal", format!("floor ECDH: {e}")))?;
                }
            }
        }
        Ok(())
    })??)
}

fn with_floor<T>(handle: u32, f: impl FnOnce(&Floor) -> T) -> Result<T, JsError> {
    FLOORS.with(|floors| {
        let floors = floors.borrow();
        usize::try_from(handle)
            .ok()
            .and_then(|i| floors.get(i))
            .map(f)
            .ok_or_else(|| JsError::invalid_input("no such floor handle"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(rel: &str) -> String {
        let path = format!("{}/../../tests/vectors/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
    fn hex(rel: &str) -> Vec<u8> {
        let text: String = vector(rel).split_whitespace().collect();
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The Annex D response (deviceMac, document signer under an IACA): the floor is the
    /// certificate and issuerAuth verifies plus the EMacKey agreement, and replays cleanly.
    #[test]
    fn annex_d_floor_is_two_verifies_and_one_ecdh() {
        let d = "iso18013-5-annex-d";
        let handle = record(
            &hex(&format!("{d}/device_response.hex")),
            &hex(&format!("{d}/session_transcript_bytes.hex")),
            &[vector(&format!("{d}/iaca_root_cert.pem"))],
            &[],
            &hex(&format!("{d}/ephemeral_reader_key.d.hex")),
            1_609_459_200_000.0,
        )
        .unwrap();
        let described = with_floor(handle, |f| {
            (f.verifies.len(), f.ecdh.as_ref().map(|(_, p)| p.len()))
        })
        .unwrap();
        assert_eq!(described, (2, Some(1)));
        let replay = with_floor(handle, |f| {
            f.verifies
                .iter()
                .all(|(k, m, s)| RustCrypto.verify_es256(k, m, s).is_ok())
        });
        assert_eq!(replay, Ok(true));
    }

    /// A response that does not verify gives no floor.
    #[test]
    fn failed_verification_records_nothing() {
        let d = "iso18013-5-annex-d";
        let mut response = hex(&format!("{d}/device_response.hex"));
        let last = response.len() - 1;
        response[last] ^= 1;
        let err = record(
            &response,
            &hex(&format!("{d}/session_transcript_bytes.hex")),
            &[vector(&format!("{d}/iaca_root_cert.pem"))],
            &[],
            &hex(&format!("{d}/ephemeral_reader_key.d.hex")),
            1_609_459_200_000.0,
        )
        .unwrap_err();
        assert_ne!(err.code, "Internal");
        assert!(with_floor(u32::MAX, |_| ()).is_err());
    }
}
