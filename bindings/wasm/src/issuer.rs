//! The issuer (`createIssuer`): signs credentials with a document-signer key and chain it is
//! given. For tests and authorities' web tools; an authority's production key lives in an
//! HSM, not in a page.

use serde_json::Value as Json;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use zhengzhao::crypto::{EcPublicKey, Signer};
use zhengzhao::trust::parse_pem_or_der;
use zhengzhao_json::value::json_to_cbor;

use crate::error::JsError;
use crate::time_from_ms;
use crate::verify::software_key;

/// A document signer (raw layer; `js/api.js` wraps it).
#[wasm_bindgen(js_name = IssuerRaw)]
pub struct IssuerRaw {
    inner: zhengzhao::issuer::Issuer,
}

#[wasm_bindgen(js_class = IssuerRaw)]
impl IssuerRaw {
    /// A document signer: `key` is the P-256 private key (32-byte scalar, or PKCS#8 PEM text
    /// as UTF-8), `chain` its certificates as PEM, leaf first. Fails unless the key is the
    /// leaf certificate's.
    #[wasm_bindgen(constructor)]
    pub fn new(key: &[u8], chain: Vec<String>) -> Result<IssuerRaw, JsValue> {
        Ok(Self::create(key, &chain)?)
    }

    /// Salts, digests and signs one credential; returns its bytes (for `wallet.add`).
    ///
    /// `elements` is JSON `{namespace: {identifier: value}}` in the typed grammar of
    /// `verify --json` (`{"$full-date": "…"}`, `{"$bytes": "…"}`, …); `device_key` the
    /// holder's SEC 1 public key; times in milliseconds since the epoch.
    #[allow(clippy::too_many_arguments)]
    pub fn issue(
        &self,
        doc_type: String,
        elements: &str,
        device_key: &[u8],
        signed_ms: f64,
        valid_from_ms: f64,
        valid_until_ms: f64,
        decoys: u32,
    ) -> Result<Vec<u8>, JsValue> {
        Ok(self.issue_inner(
            doc_type,
            elements,
            device_key,
            [signed_ms, valid_from_ms, valid_until_ms],
            decoys,
        )?)
    }
}

impl IssuerRaw {
    fn create(key: &[u8], chain: &[String]) -> Result<IssuerRaw, JsError> {
        let key = software_key(key, "key")?;
        let mut certificates = Vec::new();
        for pem in chain {
            certificates.extend(parse_pem_or_der(pem.as_bytes())?);
        }
        let leaf = certificates.first().ok_or_else(|| {
            JsError::invalid_input("chain: the document-signer certificate is required")
        })?;
        if leaf.public_key()? != key.public_key()? {
            return Err(JsError::invalid_input(
                "key is not the document-signer certificate's key",
            ));
        }
        Ok(IssuerRaw {
            inner: zhengzhao::issuer::Issuer::new(Box::new(key), certificates),
        })
    }

    fn issue_inner(
        &self,
        doc_type: String,
        elements: &str,
        device_key: &[u8],
        [signed, valid_from, valid_until]: [f64; 3],
        decoys: u32,
    ) -> Result<Vec<u8>, JsError> {
        let bad = || JsError::invalid_input("elements: {namespace: {identifier: value}}");
        let elements: Json = serde_json::from_str(elements).map_err(|_| bad())?;
        let namespaces = elements.as_object().ok_or_else(bad)?;
        let device_key = EcPublicKey::from_sec1(device_key)
            .map_err(|_| JsError::invalid_input("deviceKey is not a P-256 public key (SEC 1)"))?;
        let mut builder = self.inner.credential(doc_type);
        for (namespace, items) in namespaces {
            for (identifier, value) in items.as_object().ok_or_else(bad)? {
                let value = json_to_cbor(value).map_err(|e| {
                    JsError::invalid_input(format!("elements.{namespace}.{identifier}: {e}"))
                })?;
                builder = builder.element(namespace.as_str(), identifier.as_str(), value);
            }
        }
        let decoys = usize::try_from(decoys).map_err(|_| JsError::invalid_input("decoys"))?;
        let credential = builder
            .decoys(decoys)
            .device_key(device_key)
            .validity(
                time_from_ms(signed)?,
                time_from_ms(valid_from)?,
                time_from_ms(valid_until)?,
            )
            .sign()?;
        Ok(credential.to_bytes())
    }
}
