//! Proximity sessions (ISO/IEC 18013-5 §9) as bytes in and bytes out: the core's `session`
//! typestates behind runtime state checks, since a typestate cannot cross into JavaScript.
//! `js/session.js` wraps these classes as `HolderSession` and `ReaderSession`.
//!
//! ```text
//!  HolderSession (wallet)                                 ReaderSession.fromQr(qr)
//!  qrCode() ─────────── "mdoc:…" ───────────────────────►  transcript()  (to sign readerAuth)
//!  handleEstablishment ◄── SessionEstablishment ────────── sendRequest(DeviceRequest bytes)
//!    → DeviceRequest bytes, transcript()
//!  respond(DeviceResponse bytes) ── SessionData ─────────► handleResponse → DeviceResponse
//!                                                          bytes; verify({ trust, … })
//!  handleMessage ◄──────── SessionData(20) ────────────── terminate()
//! ```
//!
//! Unlike the uniffi `HolderSession`, which answers from the wallet it is given, these sessions
//! only carry bytes: the wallet (`Wallet` in `js/api.js`) parses the request and builds the
//! response; the reader verifies with `verify()` or with [`ReaderSession::verify`], which adds
//! this session's ephemeral key for a `deviceMac` response. Each call that does not fit the
//! session's state throws `WrongState` and changes nothing; any other failure once the session
//! keys exist ends the session (18013-5 ends a session on every error) and `errorReply()` gives
//! the SessionData to send the peer, if one is due.
//!
//! Feature gating: the holder is behind `wallet`, the reader behind `session` (which `wallet`
//! implies). The verifier-only build leaves both out: its goal is ≤ 130 KB brotli and the
//! reader session alone costs about 19 KB brotli (the session cipher, engagement parsing and
//! this module: 148.3 → 167.2 KB measured with `build.sh --verifier-only`); a page that only
//! checks responses it is handed as files or bytes does not need it. A verifier that reads
//! licences in person builds with `--no-default-features --features session`.

use wasm_bindgen::prelude::wasm_bindgen;
use zhengzhao::cbor::Limits;
use zhengzhao::crypto::{KeyAgreement, SoftwareKey};
use zhengzhao::model::DeviceRequest;
use zhengzhao::session::{
    self as core, DeviceEngagement, Handover, ReaderReceived, SessionData, SessionError,
    SessionStatus,
};
use zhengzhao::verifier::{Verifier, VerifyOptions};

use crate::error::JsError;
use crate::time_from_ms;

/// The JavaScript error for a failed session step: the same kinds as the uniffi mapping
/// (`bindings/src/error.rs`): a failed verification keeps its check, a bad reader
/// authentication is `ReaderAuthentication`, an unreadable engagement or request is
/// `Malformed`, everything else about the session (decryption, order, peer status) `Session`.
pub(crate) fn session_error(e: SessionError) -> JsError {
    use zhengzhao::holder::HolderError;
    match e {
        SessionError::Verification(v) => v.into(),
        SessionError::Request(HolderError::Malformed(m)) => {
            JsError::malformed(format!("request: {m}"))
        }
        SessionError::Request(h) => JsError::new("ReaderAuthentication", h.to_string()),
        SessionError::Engagement(_) => JsError::malformed(e.to_string()),
        other => JsError::new("Session", crate::error::chain(&other)),
    }
}

fn wrong_state(call: &str, state: &str) -> JsError {
    JsError::new(
        "WrongState",
        format!("{call} is not possible in state {state}"),
    )
}

/// The status message to send the peer after `e`, if one is due.
fn reply_for(e: &SessionError) -> Option<Vec<u8>> {
    e.reply_status()
        .map(|status| SessionData::with_status(status).to_bytes())
}

fn termination() -> Vec<u8> {
    SessionData::with_status(SessionStatus::Termination).to_bytes()
}

/// Retrieval methods from their JSON form (`js/session.js` writes it):
/// `[{"type": "bleCentralClient" | "blePeripheralServer", "uuid": "<32 hex digits>"},
///   {"type": "nfc", "maxCommandDataLength": n, "maxResponseDataLength": n}]`.
#[cfg(feature = "wallet")]
fn retrieval_methods(json: &str) -> Result<Vec<core::RetrievalMethod>, JsError> {
    use core::{BleOptions, NfcOptions, RetrievalMethod};
    use serde_json::Value;
    let bad = |what: &str| JsError::invalid_input(format!("retrievalMethods: {what}"));
    let Ok(Value::Array(list)) = serde_json::from_str::<Value>(json) else {
        return Err(bad("not an array"));
    };
    list.iter()
        .map(|m| {
            let uuid = || -> Result<[u8; 16], JsError> {
                let hex = m.get("uuid").and_then(Value::as_str).unwrap_or_default();
                let bytes: Vec<u8> = (0..hex.len())
                    .step_by(2)
                    .map(|i| {
                        hex.get(i..i + 2)
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                            .ok_or_else(|| bad("uuid is not hex"))
                    })
                    .collect::<Result<_, _>>()?;
                bytes
                    .try_into()
                    .map_err(|_| bad("a BLE service UUID is 16 bytes"))
            };
            let length = |key: &str| {
                m.get(key)
                    .and_then(Value::as_u64)
                    .ok_or_else(|| bad("NFC lengths must be non-negative integers"))
            };
            Ok(match m.get("type").and_then(Value::as_str) {
                Some("bleCentralClient") => RetrievalMethod::Ble {
                    version: 1,
                    options: BleOptions::central_client(uuid()?),
                },
                Some("blePeripheralServer") => RetrievalMethod::Ble {
                    version: 1,
                    options: BleOptions::peripheral_server(uuid()?),
                },
                Some("nfc") => RetrievalMethod::Nfc {
                    version: 1,
                    options: NfcOptions::new(
                        length("maxCommandDataLength")?,
                        length("maxResponseDataLength")?,
                    ),
                },
                _ => {
                    return Err(bad(
                        "type must be bleCentralClient, blePeripheralServer or nfc",
                    ))
                }
            })
        })
        .collect()
}

/// The holder's session states.
#[cfg(feature = "wallet")]
enum Holder {
    Engaged(core::HolderSession),
    AwaitingConsent(core::AwaitingConsent),
    Connected(core::HolderConnected),
    Ended,
}

#[cfg(feature = "wallet")]
impl Holder {
    fn name(&self) -> &'static str {
        match self {
            Holder::Engaged(_) => "engaged",
            Holder::AwaitingConsent(_) => "awaiting response",
            Holder::Connected(_) => "connected",
            Holder::Ended => "ended",
        }
    }
}

/// The holder's (wallet's) side of a proximity session, as bytes: the engagement to show,
/// the reader's requests decrypted, the wallet's responses encrypted.
#[cfg(feature = "wallet")]
#[wasm_bindgen(js_name = HolderSessionRaw)]
pub struct HolderSession {
    engagement: Vec<u8>,
    qr_code: String,
    transcript: Option<Vec<u8>>,
    state: Holder,
    error_reply: Option<Vec<u8>>,
}

#[cfg(feature = "wallet")]
impl HolderSession {
    /// Ends the session after `e`, keeping the reply to send.
    fn fail(&mut self, e: SessionError) -> JsError {
        self.error_reply = reply_for(&e);
        self.state = Holder::Ended;
        session_error(e)
    }

    /// A decrypted request: waits for the wallet's response and hands out its bytes.
    fn await_response(&mut self, consent: core::AwaitingConsent) -> Vec<u8> {
        let request = consent.request_bytes().to_vec();
        self.transcript = Some(consent.transcript().tagged_bytes().to_vec());
        self.state = Holder::AwaitingConsent(consent);
        request
    }
}

#[cfg(feature = "wallet")]
#[wasm_bindgen(js_class = HolderSessionRaw)]
impl HolderSession {
    /// Starts a QR engagement: a fresh ephemeral key (randomness from
    /// `crypto.getRandomValues`) and a DeviceEngagement naming the retrieval methods given as
    /// JSON (see `js/session.js`).
    #[wasm_bindgen(constructor)]
    pub fn new(retrieval_methods_json: &str) -> Result<HolderSession, JsError> {
        let session = core::HolderSession::engage(retrieval_methods(retrieval_methods_json)?)
            .map_err(session_error)?;
        Ok(HolderSession {
            engagement: session.engagement().tagged_bytes().to_vec(),
            qr_code: session.qr_code(),
            transcript: None,
            state: Holder::Engaged(session),
            error_reply: None,
        })
    }

    /// The engagement as QR code text: `mdoc:` + base64url.
    #[wasm_bindgen(js_name = qrCode)]
    pub fn qr_code(&self) -> String {
        self.qr_code.clone()
    }

    /// `DeviceEngagementBytes` (tag 24).
    #[wasm_bindgen(js_name = deviceEngagement)]
    pub fn device_engagement(&self) -> Vec<u8> {
        self.engagement.clone()
    }

    /// Handles the reader's SessionEstablishment: derives the session keys and decrypts the
    /// DeviceRequest, which must be well formed and whose `readerAuth` signatures must verify
    /// by their own certificates at `at_ms`; returns the DeviceRequest bytes as received.
    /// Whether the reader chains to a trusted reader CA is the wallet's question when it reads
    /// the request (with `transcript()`).
    #[wasm_bindgen(js_name = handleEstablishment)]
    pub fn handle_establishment(&mut self, message: &[u8], at_ms: f64) -> Result<Vec<u8>, JsError> {
        let Holder::Engaged(_) = &self.state else {
            return Err(wrong_state("handleEstablishment", self.state.name()));
        };
        let at = time_from_ms(at_ms)?;
        let Holder::Engaged(session) = std::mem::replace(&mut self.state, Holder::Ended) else {
            return Err(wrong_state("handleEstablishment", "ended"));
        };
        match session.handle_establishment(message, &zhengzhao::holder::RequestOptions::new(at)) {
            Ok(consent) => Ok(self.await_response(consent)),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// `SessionTranscriptBytes` (tag 24) of this session, known once the reader's
    /// SessionEstablishment was handled: what the wallet's response must be built for.
    pub fn transcript(&self) -> Result<Vec<u8>, JsError> {
        self.transcript
            .clone()
            .ok_or_else(|| wrong_state("transcript", self.state.name()))
    }

    /// Encrypts the wallet's DeviceResponse for the pending request into the SessionData to
    /// send; with `end_session`, the same message ends the session (status 20).
    pub fn respond(&mut self, response: &[u8], end_session: bool) -> Result<Vec<u8>, JsError> {
        let Holder::AwaitingConsent(_) = &self.state else {
            return Err(wrong_state("respond", self.state.name()));
        };
        let Holder::AwaitingConsent(consent) = std::mem::replace(&mut self.state, Holder::Ended)
        else {
            return Err(wrong_state("respond", "ended"));
        };
        if end_session {
            consent
                .send_response_and_terminate(response)
                .map_err(|e| self.fail(e))
        } else {
            let (connected, message) = consent.send_response(response).map_err(|e| self.fail(e))?;
            self.state = Holder::Connected(connected);
            Ok(message)
        }
    }

    /// Declines the pending request and ends the session; returns the SessionData to send.
    pub fn decline(&mut self) -> Result<Vec<u8>, JsError> {
        let Holder::AwaitingConsent(_) = &self.state else {
            return Err(wrong_state("decline", self.state.name()));
        };
        let Holder::AwaitingConsent(consent) = std::mem::replace(&mut self.state, Holder::Ended)
        else {
            return Err(wrong_state("decline", "ended"));
        };
        Ok(consent.decline())
    }

    /// Handles the reader's next SessionData after a response: a further request (its
    /// DeviceRequest bytes, read like the first at `at_ms`) or, if the reader ended the
    /// session, `undefined`.
    #[wasm_bindgen(js_name = handleMessage)]
    pub fn handle_message(
        &mut self,
        message: &[u8],
        at_ms: f64,
    ) -> Result<Option<Vec<u8>>, JsError> {
        let Holder::Connected(_) = &self.state else {
            return Err(wrong_state("handleMessage", self.state.name()));
        };
        let at = time_from_ms(at_ms)?;
        let Holder::Connected(connected) = std::mem::replace(&mut self.state, Holder::Ended) else {
            return Err(wrong_state("handleMessage", "ended"));
        };
        match connected.handle_message(message, &zhengzhao::holder::RequestOptions::new(at)) {
            Ok(core::HolderEvent::Request(consent)) => Ok(Some(self.await_response(consent))),
            Ok(_) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Ends the session from the holder's side; returns the SessionData (status 20) to send.
    pub fn terminate(&mut self) -> Vec<u8> {
        self.state = Holder::Ended;
        termination()
    }

    /// Whether the session has ended.
    #[wasm_bindgen(js_name = isEnded)]
    pub fn is_ended(&self) -> bool {
        matches!(self.state, Holder::Ended)
    }

    /// After a failure ended the session: the SessionData to send the reader (status 10, 11
    /// or 20), if one is due.
    #[wasm_bindgen(js_name = errorReply)]
    pub fn error_reply(&self) -> Option<Vec<u8>> {
        self.error_reply.clone()
    }
}

/// The reader's session states.
enum Reader {
    Ready(Box<core::ReaderSession>),
    Awaiting(core::AwaitingResponse),
    Connected(core::ReaderConnected),
    Ended,
}

impl Reader {
    fn name(&self) -> &'static str {
        match self {
            Reader::Ready(_) => "ready",
            Reader::Awaiting(_) => "awaiting response",
            Reader::Connected(_) => "connected",
            Reader::Ended => "ended",
        }
    }
}

/// The reader's (business's) side of a proximity session, as bytes: reads the holder's
/// engagement QR code, encrypts requests, decrypts responses, and verifies them with this
/// session's transcript and ephemeral key.
#[wasm_bindgen(js_name = ReaderSessionRaw)]
pub struct ReaderSession {
    /// This session's ephemeral reader key, kept (and zeroised on drop by `SoftwareKey`) for
    /// `deviceMac` responses in [`ReaderSession::verify`]; it never leaves the module.
    e_reader_key: SoftwareKey,
    transcript: Vec<u8>,
    state: Reader,
    error_reply: Option<Vec<u8>>,
}

impl ReaderSession {
    fn fail(&mut self, e: SessionError) -> JsError {
        self.error_reply = reply_for(&e);
        self.state = Reader::Ended;
        session_error(e)
    }
}

#[wasm_bindgen(js_class = ReaderSessionRaw)]
impl ReaderSession {
    /// Reads the holder's engagement QR code (`mdoc:` + base64url) and derives the session
    /// keys with a fresh ephemeral key (QR handover).
    #[wasm_bindgen(js_name = fromQr)]
    pub fn from_qr(qr: &str) -> Result<ReaderSession, JsError> {
        let engagement = DeviceEngagement::from_qr(qr)
            .map_err(|e| session_error(SessionError::Engagement(e)))?;
        let key =
            SoftwareKey::generate().map_err(|e| session_error(SessionError::KeyAgreement(e)))?;
        let copy = SoftwareKey::from_bytes(key.to_bytes().as_slice())
            .map_err(|e| session_error(SessionError::KeyAgreement(e)))?;
        let session = core::ReaderSession::new(engagement, Handover::qr(), Box::new(copy))
            .map_err(session_error)?;
        Ok(ReaderSession {
            e_reader_key: key,
            transcript: session.transcript().tagged_bytes().to_vec(),
            state: Reader::Ready(Box::new(session)),
            error_reply: None,
        })
    }

    /// `SessionTranscriptBytes` (tag 24) of this session: what a request's `readerAuth` signs
    /// and what the holder's response must be verified against.
    pub fn transcript(&self) -> Vec<u8> {
        self.transcript.clone()
    }

    /// Sends a DeviceRequest (CBOR): the first in a SessionEstablishment, a further one
    /// (after a response) in a SessionData. The request is parsed first — a malformed one is
    /// refused and nothing changes — and sent as the core encodes it, which keeps each
    /// ItemsRequest's tag-24 bytes, so a `readerAuth` over them still verifies.
    #[wasm_bindgen(js_name = sendRequest)]
    pub fn send_request(&mut self, request: &[u8]) -> Result<Vec<u8>, JsError> {
        let (Reader::Ready(_) | Reader::Connected(_)) = &self.state else {
            return Err(wrong_state("sendRequest", self.state.name()));
        };
        let request = DeviceRequest::parse(request, &Limits::default())
            .map_err(|e| JsError::malformed(format!("request: {e}")))?;
        let sent = match std::mem::replace(&mut self.state, Reader::Ended) {
            Reader::Ready(s) => (*s).send_request(&request),
            Reader::Connected(s) => s.send_request(&request),
            _ => return Err(wrong_state("sendRequest", "ended")),
        };
        let (awaiting, message) = sent.map_err(|e| self.fail(e))?;
        self.state = Reader::Awaiting(awaiting);
        Ok(message)
    }

    /// Handles the holder's SessionData: the decrypted DeviceResponse bytes, **unverified**
    /// (verify them with [`ReaderSession::verify`] or `verify()` and `transcript()`), or
    /// `undefined` if the holder declined and ended the session. If the holder ended the
    /// session with its response, `isEnded()` is now true.
    #[wasm_bindgen(js_name = handleResponse)]
    pub fn handle_response(&mut self, message: &[u8]) -> Result<Option<Vec<u8>>, JsError> {
        let Reader::Awaiting(_) = &self.state else {
            return Err(wrong_state("handleResponse", self.state.name()));
        };
        let Reader::Awaiting(awaiting) = std::mem::replace(&mut self.state, Reader::Ended) else {
            return Err(wrong_state("handleResponse", "ended"));
        };
        match awaiting.decrypt_response(message) {
            Ok(ReaderReceived::Response { response, session }) => {
                self.state = Reader::Connected(session);
                Ok(Some(response))
            }
            Ok(ReaderReceived::FinalResponse(response)) => Ok(Some(response)),
            Ok(_) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Verifies a DeviceResponse received in this session, as `verifyRaw` does, against this
    /// session's transcript and with its ephemeral key (for `deviceMac`); returns the
    /// `verify --json` object as JSON text. Any state: the response may have ended the session.
    pub fn verify(
        &self,
        response: &[u8],
        trust: Vec<String>,
        pinned: Vec<String>,
        at_ms: f64,
    ) -> Result<String, JsError> {
        let at = time_from_ms(at_ms)?;
        let store = crate::verify::trust_store(&trust, &pinned)?;
        let transcript =
            zhengzhao::model::SessionTranscript::parse_any(&self.transcript, &Limits::default())
                .map_err(|e| JsError::new("Internal", format!("session transcript: {e}")))?;
        let options = VerifyOptions::new(&transcript, at)
            .with_reader_key(&self.e_reader_key as &dyn KeyAgreement);
        let verified = Verifier::new(store).verify(response, &options)?;
        Ok(zhengzhao_json::verified_json(&verified).to_string())
    }

    /// Ends the session from the reader's side; returns the SessionData (status 20) to send.
    pub fn terminate(&mut self) -> Vec<u8> {
        self.state = Reader::Ended;
        termination()
    }

    /// Whether the session has ended.
    #[wasm_bindgen(js_name = isEnded)]
    pub fn is_ended(&self) -> bool {
        matches!(self.state, Reader::Ended)
    }

    /// After a failure ended the session: the SessionData to send the holder, if one is due.
    #[wasm_bindgen(js_name = errorReply)]
    pub fn error_reply(&self) -> Option<Vec<u8>> {
        self.error_reply.clone()
    }
}

/// The holder's engagement QR code (`mdoc:…` text, as `qrCode()` gives it) as an SVG image:
/// black modules on white, a 4-module quiet zone, byte mode at error-correction level M
/// (18013-5 leaves the level to the mdoc; M keeps a typical engagement within version 7 and
/// still reads from a scratched screen). `module_px` is each module's size in SVG units
/// (1–32); the SVG scales anyway.
#[cfg(feature = "wallet")]
#[wasm_bindgen(js_name = engagementQrSvg)]
pub fn engagement_qr_svg(text: &str, module_px: u32) -> Result<String, JsError> {
    use qrcode::render::svg;
    use qrcode::{EcLevel, QrCode};
    if !(1..=32).contains(&module_px) {
        return Err(JsError::invalid_input("modulePx must be 1 to 32"));
    }
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| JsError::invalid_input(format!("QR code: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .module_dimensions(module_px, module_px)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}
