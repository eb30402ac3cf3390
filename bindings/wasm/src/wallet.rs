//! The holder's wallet (`openWallet`): the core [`Wallet`](core::Wallet) over the host's
//! storage, with software device keys sealed in that same storage.
//!
//! A mini-program or a web page has no secure hardware to reach, so device keys are the
//! core's [`SoftwareSecureArea`], sealed (AES-256-GCM) under a key derived from the 32-byte
//! store key the host gives; records and sealed keys go through the host's storage callbacks
//! as the core writes them, so a copy's use and the disclosure log are committed before a
//! response is returned, as in the native wallet.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use js_sys::Uint8Array;
use serde_json::{json, Value as Json};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use zhengzhao::cbor::Limits;
use zhengzhao::crypto::EcPublicKey;
use zhengzhao::holder::{ParsedRequest, ReaderIdentity, RequestOptions, RequestedElement};
use zhengzhao::model::{Credential, SessionTranscript};
use zhengzhao::trust::{AnchorRole, TrustStore};
use zhengzhao::wallet::{
    self as core, BatchPolicy, CredentialId, CredentialMetadata, DisplayName, LogQuery,
    SoftwareSecureArea, StoreKey,
};

use crate::error::JsError;
use crate::storage::{HostStorage, JsStore};
use crate::time_from_ms;

/// The wallet behind `openWallet` (raw layer; `js/api.js` wraps it).
#[wasm_bindgen(js_name = WalletRaw)]
pub struct WalletRaw {
    inner: core::Wallet,
    /// Device keys waiting for the issuer's copies, by credential ID (this page's lifetime;
    /// after a reload, `resume` recreates the entry from the stored keys).
    pending: RefCell<BTreeMap<String, core::PendingCredential>>,
    /// Reader anchors: a request signed by a reader that chains to one is `authenticated`.
    reader_trust: Option<TrustStore>,
}

fn credential_id(id: &str) -> Result<CredentialId, JsError> {
    CredentialId::parse(id).ok_or_else(|| JsError::invalid_input("not a credential ID"))
}

/// Anchors of `role` from PEM texts; `None` for none.
fn optional_trust(pems: &[String], role: AnchorRole) -> Result<Option<TrustStore>, JsError> {
    if pems.is_empty() {
        return Ok(None);
    }
    let mut store = TrustStore::new();
    for pem in pems {
        store.add_pem_or_der(pem.as_bytes(), role)?;
    }
    Ok(Some(store))
}

/// A credential's metadata as the JSON object `credentials()` lists (no element values).
pub(crate) fn metadata_json(m: &CredentialMetadata) -> Json {
    json!({
        "id": m.id.as_str(),
        "docType": m.doc_type,
        "issuer": m.issuer.name(),
        "issuerVerified": m.issuer.is_verified(),
        "name": { "zh": m.display_name.zh, "en": m.display_name.en },
        "validity": {
            "signed": m.validity.signed.to_rfc3339(),
            "validFrom": m.validity.valid_from.to_rfc3339(),
            "validUntil": m.validity.valid_until.to_rfc3339(),
        },
        "status": m.status.name(),
        "policy": match m.policy {
            BatchPolicy::OneTimeUse => "one-time",
            _ => "rotate",
        },
        "copies": m.copies,
        "freshCopies": m.fresh_copies,
        "usageCount": m.usage_count,
        "added": m.added.to_rfc3339(),
    })
}

fn element_json(e: &RequestedElement) -> Json {
    json!({
        "namespace": e.namespace,
        "identifier": e.identifier,
        "intentToRetain": e.intent_to_retain,
    })
}

fn reader_json(r: &ReaderIdentity) -> Json {
    match r {
        ReaderIdentity::Anonymous => json!({ "kind": "anonymous", "subject": null }),
        ReaderIdentity::Unverified { claimed_subject } => {
            json!({ "kind": "unverified", "subject": claimed_subject })
        }
        ReaderIdentity::Authenticated { subject, .. } => {
            json!({ "kind": "authenticated", "subject": subject })
        }
        _ => json!({ "kind": "unverified", "subject": null }),
    }
}

/// A parsed request (`wallet.request(…)`), kept for `present`.
#[wasm_bindgen(js_name = RequestRaw)]
pub struct RequestRaw {
    parsed: ParsedRequest,
    transcript: SessionTranscript,
    described: String,
}

#[wasm_bindgen(js_class = RequestRaw)]
impl RequestRaw {
    /// The documents requested, with the credentials that could answer each, as JSON text:
    /// `[{"docType", "reader": {kind, subject}, "purpose", "requested": [element…],
    /// "matches": [{"credential": metadata, "disclosable": [element…]}]}]`.
    pub fn describe(&self) -> String {
        self.described.clone()
    }
}

#[wasm_bindgen(js_class = WalletRaw)]
impl WalletRaw {
    /// A wallet over `storage` (see [`HostStorage`]); `store_key` is the host's 32-byte key
    /// sealing the device keys; `issuer_trust` and `reader_trust` are PEM certificates (may
    /// be empty).
    #[wasm_bindgen(constructor)]
    pub fn new(
        storage: HostStorage,
        store_key: &[u8],
        issuer_trust: Vec<String>,
        reader_trust: Vec<String>,
    ) -> Result<WalletRaw, JsValue> {
        Ok(Self::open(
            storage,
            store_key,
            &issuer_trust,
            &reader_trust,
        )?)
    }

    /// Creates `copies` device keys for a credential to come; returns its ID (then
    /// `pendingKeys`, and `add` once the issuer has signed).
    pub fn prepare(&self, copies: u32) -> Result<String, JsValue> {
        let copies = usize::try_from(copies).map_err(|_| JsError::invalid_input("copies"))?;
        let pending = self.inner.prepare(copies).map_err(JsError::from)?;
        let id = pending.id().as_str().to_owned();
        self.pending.borrow_mut().insert(id.clone(), pending);
        Ok(id)
    }

    /// Recreates a pending credential after a restart from its stored keys.
    pub fn resume(&self, id: &str, copies: u32) -> Result<(), JsValue> {
        let copies = usize::try_from(copies).map_err(|_| JsError::invalid_input("copies"))?;
        let pending = self
            .inner
            .resume(credential_id(id)?, copies)
            .map_err(JsError::from)?;
        self.pending.borrow_mut().insert(id.to_owned(), pending);
        Ok(())
    }

    /// The device public keys (SEC 1 uncompressed) of a pending credential, one per copy.
    #[wasm_bindgen(js_name = pendingKeys)]
    pub fn pending_keys(&self, id: &str) -> Result<Vec<Uint8Array>, JsValue> {
        let pending = self.pending.borrow();
        let p = pending
            .get(id)
            .ok_or_else(|| JsError::invalid_input("no pending credential with this ID"))?;
        Ok(p.device_keys()
            .iter()
            .map(|k| Uint8Array::from(k.to_sec1_uncompressed().as_slice()))
            .collect())
    }

    /// Deletes a pending credential's keys.
    pub fn abandon(&self, id: &str) -> Result<(), JsValue> {
        let pending = self
            .pending
            .borrow_mut()
            .remove(id)
            .ok_or_else(|| JsError::invalid_input("no pending credential with this ID"))?;
        Ok(self.inner.abandon(pending).map_err(JsError::from)?)
    }

    /// Adds the issuer's copies of a pending credential (one commit); returns its metadata
    /// as JSON. `policy` is `"one-time"` or `"rotate"`. A refused batch leaves the keys
    /// pending, so the issuer can be asked again.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &self,
        id: &str,
        credentials: Vec<Uint8Array>,
        name_zh: String,
        name_en: String,
        policy: &str,
        at_ms: f64,
    ) -> Result<String, JsValue> {
        let at = time_from_ms(at_ms)?;
        let policy = match policy {
            "one-time" => BatchPolicy::OneTimeUse,
            "rotate" => BatchPolicy::Rotate,
            _ => return Err(JsError::invalid_input("policy is \"one-time\" or \"rotate\"").into()),
        };
        let limits = Limits::default();
        let credentials = credentials
            .iter()
            .map(|c| Credential::from_bytes(&c.to_vec(), &limits))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| JsError::malformed(format!("credential: {e}")))?;
        let pending = self
            .pending
            .borrow_mut()
            .remove(id)
            .ok_or_else(|| JsError::invalid_input("no pending credential with this ID"))?;
        // `add` consumes the pending keys; keep a way back if it refuses the batch.
        let copies = pending.device_keys().len();
        let name = DisplayName::new(name_zh, name_en);
        match self.inner.add(pending, credentials, name, policy, at) {
            Ok(m) => Ok(metadata_json(&m).to_string()),
            Err(e) => {
                if let Ok(again) = self.inner.resume(credential_id(id)?, copies) {
                    self.pending.borrow_mut().insert(id.to_owned(), again);
                }
                Err(JsError::from(e).into())
            }
        }
    }

    /// Every credential's metadata, and the damaged records, as JSON:
    /// `{"credentials": [metadata…], "damaged": [{"id", "message"}…]}`.
    pub fn credentials(&self) -> Result<String, JsValue> {
        let list = self.inner.credentials().map_err(JsError::from)?;
        Ok(json!({
            "credentials": list.credentials.iter().map(metadata_json).collect::<Vec<_>>(),
            "damaged": list.damaged.iter().map(|d| json!({
                "id": d.id.as_str(), "message": d.error.to_string(),
            })).collect::<Vec<_>>(),
        })
        .to_string())
    }

    /// Removes a credential and its keys; `false` if there was none.
    pub fn remove(&self, id: &str) -> Result<bool, JsValue> {
        Ok(self
            .inner
            .remove(&credential_id(id)?)
            .map_err(JsError::from)?)
    }

    /// Reads a DeviceRequest received in the session `transcript` (SessionTranscriptBytes or
    /// the bare array): checks reader authentication at `at_ms` and finds the credentials that
    /// could answer each document request.
    pub fn request(
        &self,
        request: &[u8],
        transcript: &[u8],
        at_ms: f64,
    ) -> Result<RequestRaw, JsValue> {
        Ok(self.parse_request(request, transcript, at_ms)?)
    }

    /// Answers `request` with the holder's consents (JSON `[{"document", "credential",
    /// "approved": [{"namespace", "identifier"}…]}…]`): picks and commits a copy per consent,
    /// device-authenticates, records the disclosures at `at_ms`, then returns the response
    /// and what was recorded as JSON `{"events": […], "runningLow": [id…]}` next to the bytes
    /// (`presentResponse`). `e_reader_key` (SEC 1, 65 bytes) selects `deviceMac` for that
    /// reader; empty selects `deviceSignature`.
    pub fn present(
        &self,
        request: &RequestRaw,
        consents: &str,
        e_reader_key: &[u8],
        at_ms: f64,
    ) -> Result<PresentationRaw, JsValue> {
        Ok(self.present_inner(request, consents, e_reader_key, at_ms)?)
    }

    /// The disclosure log as the core's JSON export (oldest first), filtered by `since_ms`
    /// and `until_ms` (NaN for no bound) and `doc_type` (empty for any).
    pub fn disclosures(
        &self,
        since_ms: f64,
        until_ms: f64,
        doc_type: &str,
    ) -> Result<String, JsValue> {
        let mut query = LogQuery::all();
        if !since_ms.is_nan() {
            query = query.since(time_from_ms(since_ms)?);
        }
        if !until_ms.is_nan() {
            query = query.until(time_from_ms(until_ms)?);
        }
        if !doc_type.is_empty() {
            query = query.doc_type(doc_type);
        }
        let list = self.inner.disclosures(&query).map_err(JsError::from)?;
        Ok(core::to_json(&list.events))
    }
}

/// A presentation: the response bytes and what was recorded.
#[wasm_bindgen(js_name = PresentationRaw)]
pub struct PresentationRaw {
    response: Vec<u8>,
    summary: String,
}

#[wasm_bindgen(js_class = PresentationRaw)]
impl PresentationRaw {
    /// The DeviceResponse to send.
    pub fn response(&self) -> Vec<u8> {
        self.response.clone()
    }

    /// `{"events": [logged disclosure…], "runningLow": [credential ID…]}` as JSON text.
    pub fn summary(&self) -> String {
        self.summary.clone()
    }
}

impl WalletRaw {
    fn open(
        storage: HostStorage,
        store_key: &[u8],
        issuer_trust: &[String],
        reader_trust: &[String],
    ) -> Result<WalletRaw, JsError> {
        let key = StoreKey::from_bytes(store_key)
            .map_err(|_| JsError::invalid_input("storeKey must be 32 bytes"))?;
        let store: Arc<dyn core::CredentialStore> = Arc::new(JsStore::new(storage));
        let area = SoftwareSecureArea::persistent(Arc::clone(&store), &key)?;
        let mut inner = core::Wallet::new(store, Arc::new(area));
        if let Some(trust) = optional_trust(issuer_trust, AnchorRole::IssuingAuthority)? {
            inner = inner.with_issuer_trust(trust);
        }
        Ok(WalletRaw {
            inner,
            pending: RefCell::new(BTreeMap::new()),
            reader_trust: optional_trust(reader_trust, AnchorRole::ReaderAuthority)?,
        })
    }

    fn parse_request(
        &self,
        request: &[u8],
        transcript: &[u8],
        at_ms: f64,
    ) -> Result<RequestRaw, JsError> {
        let at = time_from_ms(at_ms)?;
        let transcript = crate::parse_transcript(transcript)?;
        let mut options = RequestOptions::new(at);
        if let Some(trust) = &self.reader_trust {
            options = options.with_reader_trust(trust.clone());
        }
        let parsed = ParsedRequest::parse(request, &transcript, &options)?;
        let mut documents = Vec::with_capacity(parsed.documents().len());
        for doc in parsed.documents() {
            let matches = self.inner.matching(doc)?;
            documents.push(json!({
                "docType": doc.doc_type(),
                "reader": reader_json(doc.reader()),
                "purpose": core::stated_purpose(&doc.request().items_request),
                "requested": doc.requested().iter().map(element_json).collect::<Vec<_>>(),
                "matches": matches.iter().map(|m| json!({
                    "credential": metadata_json(&m.metadata),
                    "disclosable": m.disclosable.iter().map(element_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }));
        }
        Ok(RequestRaw {
            parsed,
            transcript,
            described: Json::Array(documents).to_string(),
        })
    }

    fn present_inner(
        &self,
        request: &RequestRaw,
        consents: &str,
        e_reader_key: &[u8],
        at_ms: f64,
    ) -> Result<PresentationRaw, JsError> {
        let at = time_from_ms(at_ms)?;
        let consents = parse_consents(consents)?;
        let auth = match e_reader_key {
            [] => core::DeviceAuthMode::Signature,
            key => core::DeviceAuthMode::Mac {
                e_reader_key: EcPublicKey::from_sec1(key).map_err(|_| {
                    JsError::invalid_input("readerKey is not a P-256 public key (SEC 1)")
                })?,
            },
        };
        let presented =
            self.inner
                .present(&request.parsed, &request.transcript, &consents, auth, at)?;
        let summary = json!({
            "events": serde_json::from_str::<Json>(&core::to_json(&presented.events))
                .unwrap_or(Json::Null),
            "runningLow": presented.running_low.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
        });
        Ok(PresentationRaw {
            response: presented.response,
            summary: summary.to_string(),
        })
    }
}

/// Consents from their JSON text (`js/api.js` builds it from the application's objects).
fn parse_consents(text: &str) -> Result<Vec<core::Consent>, JsError> {
    let bad = || {
        JsError::invalid_input(
            "consents: [{document, credential, approved: [{namespace, identifier}]}]",
        )
    };
    let list: Json = serde_json::from_str(text).map_err(|_| bad())?;
    let list = list.as_array().ok_or_else(bad)?;
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let document = c
            .get("document")
            .and_then(Json::as_u64)
            .and_then(|d| usize::try_from(d).ok())
            .ok_or_else(bad)?;
        let credential =
            credential_id(c.get("credential").and_then(Json::as_str).ok_or_else(bad)?)?;
        let approved = c
            .get("approved")
            .and_then(Json::as_array)
            .ok_or_else(bad)?
            .iter()
            .map(|e| {
                let namespace = e.get("namespace").and_then(Json::as_str).ok_or_else(bad)?;
                let identifier = e.get("identifier").and_then(Json::as_str).ok_or_else(bad)?;
                Ok(RequestedElement::new(namespace, identifier, false))
            })
            .collect::<Result<Vec<_>, JsError>>()?;
        out.push(core::Consent::new(document, credential, approved));
    }
    Ok(out)
}
