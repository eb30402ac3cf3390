//! The reader's side of a request (`createRequest`): a DeviceRequest, signed with the
//! reader's key and chain when they are given (18013-5 §9.1.4 reader authentication).

use serde_json::Value as Json;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest};
use zhengzhao::profiles::PurposeOfUse;
use zhengzhao::trust::parse_pem_or_der;

use crate::error::JsError;
use crate::verify::software_key;

/// Builds a DeviceRequest for the session `transcript` from `documents`, JSON
/// `[{"docType", "elements": {namespace: {identifier: intentToRetain}}, "purpose"?}]`;
/// with `reader_key` (32-byte scalar or PKCS#8 PEM; empty for none) and `reader_chain` (PEM,
/// leaf first) each document request carries `readerAuth`.
#[wasm_bindgen(js_name = deviceRequestRaw)]
pub fn device_request(
    documents: &str,
    transcript: &[u8],
    reader_key: &[u8],
    reader_chain: Vec<String>,
) -> Result<Vec<u8>, JsValue> {
    Ok(build(documents, transcript, reader_key, &reader_chain)?)
}

fn build(
    documents: &str,
    transcript: &[u8],
    reader_key: &[u8],
    reader_chain: &[String],
) -> Result<Vec<u8>, JsError> {
    let bad = || {
        JsError::invalid_input(
            "documents: [{docType, elements: {namespace: {identifier: intentToRetain}}, purpose?}]",
        )
    };
    let documents: Json = serde_json::from_str(documents).map_err(|_| bad())?;
    let documents = documents
        .as_array()
        .filter(|d| !d.is_empty())
        .ok_or_else(bad)?;
    let transcript = crate::parse_transcript(transcript)?;
    let signer = match reader_key {
        [] => None,
        key => {
            let mut chain = Vec::new();
            for pem in reader_chain {
                chain.extend(
                    parse_pem_or_der(pem.as_bytes())?
                        .iter()
                        .map(|c| c.der().to_vec()),
                );
            }
            if chain.is_empty() {
                return Err(JsError::invalid_input(
                    "readerChain: the reader certificate is required with readerKey",
                ));
            }
            Some((software_key(key, "readerKey")?, chain))
        }
    };
    let mut doc_requests = Vec::with_capacity(documents.len());
    for d in documents {
        let doc_type = d.get("docType").and_then(Json::as_str).ok_or_else(bad)?;
        let mut items = ItemsRequest::new(doc_type);
        let namespaces = d
            .get("elements")
            .and_then(Json::as_object)
            .ok_or_else(bad)?;
        for (namespace, elements) in namespaces {
            for (identifier, retain) in elements.as_object().ok_or_else(bad)? {
                items = items.with_element(
                    namespace.as_str(),
                    identifier.as_str(),
                    retain.as_bool().ok_or_else(bad)?,
                );
            }
        }
        if items.namespaces.is_empty() {
            return Err(JsError::invalid_input(
                "a document request asks for no elements",
            ));
        }
        if let Some(purpose) = d.get("purpose").filter(|p| !p.is_null()) {
            let purpose = purpose.as_str().ok_or_else(bad)?;
            items = PurposeOfUse::new(purpose)
                .map_err(|e| JsError::invalid_input(format!("purpose: {e}")))?
                .attach(items);
        }
        let doc = DocRequest::new(items);
        doc_requests.push(match &signer {
            Some((key, chain)) => doc.sign_reader_auth(key, chain, &transcript)?,
            None => doc,
        });
    }
    Ok(DeviceRequest::new(doc_requests).to_bytes())
}
