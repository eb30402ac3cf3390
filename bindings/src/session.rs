//! Proximity sessions (ISO/IEC 18013-5 §9) as objects: the core's `session` typestates behind
//! runtime state checks, since a typestate cannot cross the FFI.
//!
//! ```text
//!  HolderSession(wallet)                                  ReaderSession.fromQr(qr, verifier)
//!  qrCode() ─────────── "mdoc:…" ───────────────────────►
//!  handleEstablishment(bytes) ◄── SessionEstablishment ── sendRequest(documents)
//!    → documents (who asks, what, why, candidates)
//!  respond(approvals) ──────────── SessionData ─────────► handleResponse(bytes) → verified
//!   (or prepareResponse → sign outside → completeResponse)
//!  handleMessage(bytes) ◄───────── SessionData(20) ────── terminate()
//! ```
//!
//! Each object holds one state. A call that does not fit it raises `WrongState` and changes
//! nothing; so does a bad approval, or a failure while the holder's copies are picked (the
//! request stays pending). Any other failure once the session keys exist ends the session
//! (18013-5 ends a session on every error) and `errorReply()` then gives the SessionData to
//! send the peer, if one is due: the status `SessionError::reply_status` names for protocol
//! failures, 20 for the wallet's and the host's (storage, secure area). The host carries
//! the bytes (BLE, NFC, HTTPS). An object serialises its own calls; the wallet and verifier
//! callbacks run while it is locked, so they must not call back into the session.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use zhengzhao::session::{
    self as core, BleOptions, DeviceAuthKey, HolderEvent as CoreHolderEvent, NfcOptions,
    ReaderOutcome as CoreReaderOutcome, SessionData, SessionError,
};
use zhengzhao::time::UnixTime;

use crate::error::ZhengzhaoError;
use crate::status::StatusChecker;
use crate::verifier::{DocumentRequest, VerifiedResponse, Verifier};
use crate::wallet::{
    consents, running_low, Approval, DisclosureEvent, PreparedPresentation, RequestedDocument,
    Wallet,
};

/// How the reader reaches the holder's device after the engagement (a device retrieval
/// method of the DeviceEngagement).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RetrievalMethod {
    /// BLE, the holder's device as central client of the reader's service `uuid` (16 bytes).
    BleCentralClient {
        /// The service UUID.
        uuid: Vec<u8>,
    },
    /// BLE, the holder's device as peripheral server with service `uuid` (16 bytes).
    BlePeripheralServer {
        /// The service UUID.
        uuid: Vec<u8>,
    },
    /// NFC, with the largest command and response data fields.
    Nfc {
        /// Maximum command data length.
        max_command_data_length: u64,
        /// Maximum response data length.
        max_response_data_length: u64,
    },
}

impl TryFrom<RetrievalMethod> for core::RetrievalMethod {
    type Error = ZhengzhaoError;

    fn try_from(m: RetrievalMethod) -> Result<Self, ZhengzhaoError> {
        let uuid = |u: Vec<u8>| -> Result<[u8; 16], ZhengzhaoError> {
            u.try_into()
                .map_err(|_| ZhengzhaoError::invalid_input("a BLE service UUID is 16 bytes"))
        };
        Ok(match m {
            RetrievalMethod::BleCentralClient { uuid: u } => core::RetrievalMethod::Ble {
                version: 1,
                options: BleOptions::central_client(uuid(u)?),
            },
            RetrievalMethod::BlePeripheralServer { uuid: u } => core::RetrievalMethod::Ble {
                version: 1,
                options: BleOptions::peripheral_server(uuid(u)?),
            },
            RetrievalMethod::Nfc {
                max_command_data_length,
                max_response_data_length,
            } => core::RetrievalMethod::Nfc {
                version: 1,
                options: NfcOptions::new(max_command_data_length, max_response_data_length),
            },
        })
    }
}

/// What the holder sends, and what the wallet recorded for it.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct SessionResponse {
    /// The SessionData to send the reader (the encrypted DeviceResponse).
    pub message: Vec<u8>,
    /// The disclosure-log entries recorded, one per document.
    pub disclosures: Vec<DisclosureEvent>,
    /// Credentials with few fresh copies left.
    pub running_low: Vec<String>,
}

impl std::fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResponse")
            .field("message", &format_args!("<{} bytes>", self.message.len()))
            .field("disclosures", &self.disclosures)
            .field("running_low", &self.running_low)
            .finish()
    }
}

/// What the reader sent the holder next.
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum HolderEvent {
    /// A further request, waiting for consent (`respond` or `decline`).
    Request {
        /// The document requests: who asks, for what, why, which credentials could answer.
        documents: Vec<RequestedDocument>,
    },
    /// The reader ended the session.
    Terminated,
}

/// What the holder answered the reader.
#[derive(Clone, Debug, PartialEq, uniffi::Enum)]
pub enum ReaderOutcome {
    /// A verified response; the session stays open (`sendRequest` again, or `terminate`).
    Response {
        /// What every check vouched for.
        response: VerifiedResponse,
    },
    /// A verified response with which the holder ended the session.
    FinalResponse {
        /// What every check vouched for.
        response: VerifiedResponse,
    },
    /// The holder declined and ended the session.
    Terminated,
}

/// The holder's session states.
enum Holder {
    Engaged(core::HolderSession),
    /// A decrypted request and its serial number (ties a `PreparedPresentation` to it).
    AwaitingConsent(core::AwaitingConsent, u64),
    Connected(core::HolderConnected),
    Ended,
}

impl Holder {
    fn name(&self) -> &'static str {
        match self {
            Holder::Engaged(_) => "engaged",
            Holder::AwaitingConsent(..) => "awaiting consent",
            Holder::Connected(_) => "connected",
            Holder::Ended => "ended",
        }
    }
}

/// The holder's (wallet's) side of a proximity session: shows the engagement, reads the
/// reader's requests, answers with what the holder approved from the wallet's credentials.
#[derive(uniffi::Object)]
pub struct HolderSession {
    wallet: Arc<Wallet>,
    engagement: Vec<u8>,
    qr_code: String,
    state: Mutex<Holder>,
    error_reply: Mutex<Option<Vec<u8>>>,
}

fn wrong_state(call: &str, state: &str) -> ZhengzhaoError {
    ZhengzhaoError::WrongState {
        reason: format!("{call} is not possible in state {state}"),
    }
}

/// The status message to send the peer after `e`, if one is due.
fn reply_for(e: &SessionError) -> Option<Vec<u8>> {
    e.reply_status()
        .map(|status| SessionData::with_status(status).to_bytes())
}

impl HolderSession {
    fn lock(&self) -> MutexGuard<'_, Holder> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends the session after a failure, keeping the reply to send.
    fn fail(&self, e: SessionError) -> ZhengzhaoError {
        self.set_reply(reply_for(&e));
        e.into()
    }

    /// Ends the session after a failure of the wallet or the host (storage, secure area)
    /// once the session keys exist. The core's rule for failures that are neither encryption
    /// nor decoding (`SessionError::reply_status`) is status 20 (session termination).
    fn fail_host(&self, e: impl Into<ZhengzhaoError>) -> ZhengzhaoError {
        self.set_reply(Some(
            SessionData::with_status(core::SessionStatus::Termination).to_bytes(),
        ));
        e.into()
    }

    fn set_reply(&self, reply: Option<Vec<u8>>) {
        *self
            .error_reply
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = reply;
    }

    /// Describes a decrypted request for consent and waits for it; a failure ends the
    /// session with its reply.
    fn await_consent(
        &self,
        state: &mut Holder,
        consent: core::AwaitingConsent,
    ) -> Result<Vec<RequestedDocument>, ZhengzhaoError> {
        let documents = self
            .wallet
            .describe(consent.request())
            .map_err(|e| self.fail_host(e))?;
        *state = Holder::AwaitingConsent(consent, NEXT_REQUEST.fetch_add(1, Ordering::Relaxed));
        Ok(documents)
    }

    /// Sends `response` (built for the pending request; with `end_session` in a message that
    /// also ends the session), through [`HolderSession::record_and_hand_out`].
    fn send(
        &self,
        state: &mut Holder,
        response: &[u8],
        selection: &zhengzhao::wallet::Selection,
        end_session: bool,
    ) -> Result<SessionResponse, ZhengzhaoError> {
        let Holder::AwaitingConsent(consent, _) = std::mem::replace(state, Holder::Ended) else {
            return Err(wrong_state("completeResponse", "ended"));
        };
        let (next, message) = if end_session {
            let message = consent
                .send_response_and_terminate(response)
                .map_err(|e| self.fail(e))?;
            (Holder::Ended, message)
        } else {
            let (connected, message) = consent.send_response(response).map_err(|e| self.fail(e))?;
            (Holder::Connected(connected), message)
        };
        self.record_and_hand_out(state, selection, next, message)
    }

    /// Records `selection`'s disclosures, then moves to `next` and hands out `message`:
    /// nothing is sent that the log does not show.
    fn record_and_hand_out(
        &self,
        state: &mut Holder,
        selection: &zhengzhao::wallet::Selection,
        next: Holder,
        message: Vec<u8>,
    ) -> Result<SessionResponse, ZhengzhaoError> {
        let events = self
            .wallet
            .core()
            .record(selection, UnixTime::now())
            .map_err(|e| self.fail_host(e))?;
        *state = next;
        Ok(SessionResponse {
            message,
            disclosures: events.into_iter().map(Into::into).collect(),
            running_low: running_low(selection),
        })
    }
}

/// Serial numbers of session requests, unique in the process.
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(0);

#[uniffi::export]
impl HolderSession {
    /// Starts a QR engagement over `wallet`: a fresh ephemeral key and a DeviceEngagement
    /// naming `retrieval_methods`.
    #[uniffi::constructor]
    pub fn new(
        wallet: Arc<Wallet>,
        retrieval_methods: Vec<RetrievalMethod>,
    ) -> Result<Arc<Self>, ZhengzhaoError> {
        let methods = retrieval_methods
            .into_iter()
            .map(TryInto::try_into)
            .collect::<Result<Vec<_>, _>>()?;
        let session = core::HolderSession::engage(methods)?;
        Ok(Arc::new(HolderSession {
            wallet,
            engagement: session.engagement().tagged_bytes().to_vec(),
            qr_code: session.qr_code(),
            state: Mutex::new(Holder::Engaged(session)),
            error_reply: Mutex::new(None),
        }))
    }

    /// The engagement as QR code text: `mdoc:` + base64url.
    pub fn qr_code(&self) -> String {
        self.qr_code.clone()
    }

    /// `DeviceEngagementBytes` (tag 24), e.g. for an NFC handover.
    pub fn device_engagement(&self) -> Vec<u8> {
        self.engagement.clone()
    }

    /// Handles the reader's SessionEstablishment: derives the session keys, decrypts the
    /// request and checks its reader authentication against the wallet's reader CAs. Returns
    /// the document requests for the holder's consent.
    pub fn handle_establishment(
        &self,
        message: Vec<u8>,
    ) -> Result<Vec<RequestedDocument>, ZhengzhaoError> {
        let mut state = self.lock();
        let Holder::Engaged(_) = &*state else {
            return Err(wrong_state("handleEstablishment", state.name()));
        };
        let Holder::Engaged(session) = std::mem::replace(&mut *state, Holder::Ended) else {
            return Err(wrong_state("handleEstablishment", "ended"));
        };
        let consent = session
            .handle_establishment(&message, &self.wallet.request_options())
            .map_err(|e| self.fail(e))?;
        self.await_consent(&mut state, consent)
    }

    /// Answers the pending request with the holder's approvals: picks and commits a copy per
    /// approval, device-authenticates each document through the secure area, records the
    /// disclosures, and returns the SessionData to send. With `end_session`, the same message
    /// ends the session.
    ///
    /// Device authentication is `deviceSignature` (ES256 by the copy's device key), or with
    /// `device_mac` `deviceMac`: HMAC-SHA-256 with EMacKey, agreed through the secure area
    /// (`SecureArea.keyAgreement`) between the copy's device key and this session's reader
    /// ephemeral key (18013-5 §9.1.3.5). Only this reader can check a MAC, so the response
    /// proves nothing to anyone else (no signature over the holder's data leaves the phone).
    ///
    /// A failure before the copies are picked (a bad approval, no unused copy, a storage
    /// error while picking) leaves the request pending; any later failure ends the session
    /// and `errorReply()` gives the message to send.
    #[uniffi::method(default(end_session = false, device_mac = false))]
    pub fn respond(
        &self,
        approvals: Vec<Approval>,
        end_session: bool,
        device_mac: bool,
    ) -> Result<SessionResponse, ZhengzhaoError> {
        let mut state = self.lock();
        let Holder::AwaitingConsent(consent, _) = &*state else {
            return Err(wrong_state("respond", state.name()));
        };
        // Checked before the state is consumed: a bad approval leaves the request pending.
        let consents = consents(approvals)?;
        let selection = self.wallet.core().select(consent.request(), &consents)?;
        let Holder::AwaitingConsent(consent, _) = std::mem::replace(&mut *state, Holder::Ended)
        else {
            return Err(wrong_state("respond", "ended"));
        };
        let approvals: Vec<core::Approval<'_>> = selection
            .items()
            .iter()
            .map(|item| {
                let key = if device_mac {
                    DeviceAuthKey::Mac(item.device_key())
                } else {
                    DeviceAuthKey::Signature(item.device_key())
                };
                core::Approval::new(
                    item.document(),
                    item.credential(),
                    item.elements().to_vec(),
                    key,
                )
            })
            .collect();
        let (next, message) = if end_session {
            let message = consent
                .respond_and_terminate(&approvals)
                .map_err(|e| self.fail(e))?;
            (Holder::Ended, message)
        } else {
            let (connected, message) = consent.respond(&approvals).map_err(|e| self.fail(e))?;
            (Holder::Connected(connected), message)
        };
        self.record_and_hand_out(&mut state, &selection, next, message)
    }

    /// Phase one of two-phase signing in a session (keys behind a biometric prompt): like
    /// `respond`, but stops before the device signatures. Picks and commits a copy per
    /// approval and returns what each device key must sign; the request stays pending. Sign
    /// each `SigningRequest` outside (raw `r‖s` or DER), then call `completeResponse`, or
    /// `decline`. A failure leaves the request pending.
    pub fn prepare_response(
        &self,
        approvals: Vec<Approval>,
    ) -> Result<Arc<PreparedPresentation>, ZhengzhaoError> {
        let state = self.lock();
        let Holder::AwaitingConsent(consent, request) = &*state else {
            return Err(wrong_state("prepareResponse", state.name()));
        };
        self.wallet.prepare_for(
            consent.request(),
            consent.transcript(),
            approvals,
            Some(*request),
        )
    }

    /// Phase two: completes the presentation prepared for the pending request with one
    /// signature per signing request, each checked against the copy's device key, encrypts
    /// the response, records the disclosures, and returns the SessionData to send. The
    /// session stays open (`terminate` ends it), or with `end_session` the same message ends
    /// it, as in `respond`. A wrong count, or a presentation prepared
    /// elsewhere, changes nothing (`InvalidInput`); a signature that does not verify
    /// (`KeyStore`) uses up the prepared presentation but leaves the request pending (prepare
    /// again, or decline); a later failure ends the session with an `errorReply()`.
    #[uniffi::method(default(end_session = false))]
    pub fn complete_response(
        &self,
        prepared: Arc<PreparedPresentation>,
        signatures: Vec<Vec<u8>>,
        end_session: bool,
    ) -> Result<SessionResponse, ZhengzhaoError> {
        let mut state = self.lock();
        let Holder::AwaitingConsent(_, request) = &*state else {
            return Err(wrong_state("completeResponse", state.name()));
        };
        let (response, selection) = prepared.complete(&signatures, Some(*request))?;
        self.send(&mut state, &response, &selection, end_session)
    }

    /// Declines the pending request and ends the session; returns the SessionData to send.
    pub fn decline(&self) -> Result<Vec<u8>, ZhengzhaoError> {
        let mut state = self.lock();
        let Holder::AwaitingConsent(..) = &*state else {
            return Err(wrong_state("decline", state.name()));
        };
        let Holder::AwaitingConsent(consent, _) = std::mem::replace(&mut *state, Holder::Ended)
        else {
            return Err(wrong_state("decline", "ended"));
        };
        Ok(consent.decline())
    }

    /// Handles the reader's next SessionData after a response: a further request, or the end.
    pub fn handle_message(&self, message: Vec<u8>) -> Result<HolderEvent, ZhengzhaoError> {
        let mut state = self.lock();
        let Holder::Connected(_) = &*state else {
            return Err(wrong_state("handleMessage", state.name()));
        };
        let Holder::Connected(connected) = std::mem::replace(&mut *state, Holder::Ended) else {
            return Err(wrong_state("handleMessage", "ended"));
        };
        match connected
            .handle_message(&message, &self.wallet.request_options())
            .map_err(|e| self.fail(e))?
        {
            CoreHolderEvent::Request(consent) => Ok(HolderEvent::Request {
                documents: self.await_consent(&mut state, consent)?,
            }),
            _ => Ok(HolderEvent::Terminated),
        }
    }

    /// Ends the session from the holder's side; returns the SessionData (status 20) to send.
    pub fn terminate(&self) -> Vec<u8> {
        *self.lock() = Holder::Ended;
        SessionData::with_status(core::SessionStatus::Termination).to_bytes()
    }

    /// Whether the session has ended.
    pub fn is_ended(&self) -> bool {
        matches!(*self.lock(), Holder::Ended)
    }

    /// After a failure ended the session: the SessionData to send the reader (status 10 or
    /// 11, or 20), if one is due.
    pub fn error_reply(&self) -> Option<Vec<u8>> {
        self.error_reply
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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

/// The reader's (business's) side of a proximity session: reads the holder's engagement,
/// sends requests (signed by the verifier's reader key, if set) and verifies the responses.
#[derive(uniffi::Object)]
pub struct ReaderSession {
    verifier: Arc<Verifier>,
    transcript: Vec<u8>,
    state: Mutex<Reader>,
    error_reply: Mutex<Option<Vec<u8>>>,
}

impl ReaderSession {
    fn lock(&self) -> MutexGuard<'_, Reader> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fail(&self, e: SessionError) -> ZhengzhaoError {
        *self
            .error_reply
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = reply_for(&e);
        e.into()
    }
}

#[uniffi::export]
impl ReaderSession {
    /// Reads the holder's engagement QR code (`mdoc:` + base64url) and derives the session
    /// keys with a fresh ephemeral key; `verifier` signs the requests and verifies responses.
    #[uniffi::constructor]
    pub fn from_qr(qr: String, verifier: Arc<Verifier>) -> Result<Arc<Self>, ZhengzhaoError> {
        let session = core::ReaderSession::from_qr(&qr)?;
        Ok(Arc::new(ReaderSession {
            verifier,
            transcript: session.transcript().tagged_bytes().to_vec(),
            state: Mutex::new(Reader::Ready(Box::new(session))),
            error_reply: Mutex::new(None),
        }))
    }

    /// `SessionTranscriptBytes` of this session.
    pub fn session_transcript(&self) -> Vec<u8> {
        self.transcript.clone()
    }

    /// Sends a request: the first one in a SessionEstablishment, a further one (after a
    /// response) in a SessionData. Returns the bytes to send.
    pub fn send_request(&self, documents: Vec<DocumentRequest>) -> Result<Vec<u8>, ZhengzhaoError> {
        let mut state = self.lock();
        let transcript = match &*state {
            Reader::Ready(s) => s.transcript(),
            Reader::Connected(s) => s.transcript(),
            other => return Err(wrong_state("sendRequest", other.name())),
        };
        // Built (and signed) before the state is consumed: a bad request changes nothing.
        let request = self.verifier.device_request(documents, transcript)?;
        let sent = match std::mem::replace(&mut *state, Reader::Ended) {
            Reader::Ready(s) => (*s).send_request(&request),
            Reader::Connected(s) => s.send_request(&request),
            _ => return Err(wrong_state("sendRequest", "ended")),
        };
        let (awaiting, message) = sent.map_err(|e| self.fail(e))?;
        *state = Reader::Awaiting(awaiting);
        Ok(message)
    }

    /// Handles the holder's SessionData: decrypts and verifies the DeviceResponse against
    /// this session (`deviceMac` included) at the current time, with the licence status
    /// checked by `status` if given (as in `Verifier.verify`). Claims only if every check
    /// passed; otherwise the error names the check (or the status: `Revoked`, `Suspended`,
    /// `StatusApplicationSpecific`, `StatusUndetermined`) and the session ends. The host's
    /// resolver runs while this session is locked: it must not call back into it.
    #[uniffi::method(default(status = None))]
    pub fn handle_response(
        &self,
        message: Vec<u8>,
        status: Option<Arc<StatusChecker>>,
    ) -> Result<ReaderOutcome, ZhengzhaoError> {
        let mut state = self.lock();
        let Reader::Awaiting(_) = &*state else {
            return Err(wrong_state("handleResponse", state.name()));
        };
        let Reader::Awaiting(awaiting) = std::mem::replace(&mut *state, Reader::Ended) else {
            return Err(wrong_state("handleResponse", "ended"));
        };
        let now = UnixTime::now();
        let outcome = match &status {
            None => self
                .verifier
                .with_core(|v| awaiting.handle_response(&message, v, now)),
            Some(checker) => {
                // A snapshot, so that the verifier is not locked while the resolver runs.
                let verifier = self.verifier.with_core(Clone::clone);
                awaiting.handle_response_with_status(&message, &verifier, now, Some(&checker.inner))
            }
        }
        .map_err(|e| self.fail(e))?;
        Ok(match outcome {
            CoreReaderOutcome::Response { response, session } => {
                *state = Reader::Connected(session);
                ReaderOutcome::Response {
                    response: response.into(),
                }
            }
            CoreReaderOutcome::FinalResponse(response) => ReaderOutcome::FinalResponse {
                response: response.into(),
            },
            _ => ReaderOutcome::Terminated,
        })
    }

    /// Ends the session from the reader's side; returns the SessionData (status 20) to send.
    pub fn terminate(&self) -> Vec<u8> {
        *self.lock() = Reader::Ended;
        SessionData::with_status(core::SessionStatus::Termination).to_bytes()
    }

    /// Whether the session has ended.
    pub fn is_ended(&self) -> bool {
        matches!(*self.lock(), Reader::Ended)
    }

    /// After a failure ended the session: the SessionData to send the holder, if one is due.
    pub fn error_reply(&self) -> Option<Vec<u8>> {
        self.error_reply
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
