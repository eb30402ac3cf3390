//! The reader's side of a session, as a typestate:
//! [`ReaderSession`] → [`AwaitingResponse`] → [`ReaderOutcome`] (→ [`ReaderConnected`] → …).

use crate::cbor::{Embedded, Limits};
use crate::cose::CoseKey;
use crate::status::StatusChecker;
use crate::verifier::VerifyOptions;
use std::sync::Arc;

use crate::crypto::{CryptoProvider, KeyAgreement, SoftwareKey};
use crate::model::{DeviceRequest, SessionTranscript};
use crate::time::UnixTime;
use crate::verifier::{VerifiedResponse, Verifier};

use super::encryption::{Role, SessionCipher, SessionKeys};
use super::messages::{SessionData, SessionEstablishment, SessionStatus};
use super::{build_transcript, outer_limits, DeviceEngagement, Handover, SessionError};

/// A reader that has read the holder's engagement and holds the session keys; nothing sent
/// yet.
pub struct ReaderSession {
    channel: Channel,
    engagement: DeviceEngagement,
    e_reader_cose_key: CoseKey,
    e_reader_key_bytes: Embedded,
}

/// What the reader's open session keeps.
struct Channel {
    /// The ephemeral reader key: kept for `deviceMac` verification (EMacKey).
    e_reader_key: Box<dyn KeyAgreement>,
    cipher: SessionCipher,
    transcript: SessionTranscript,
    limits: Limits,
}

impl Channel {
    /// Parses and decrypts the holder's SessionData: the plaintext and whether the holder
    /// ended the session with it (status 20), or `None` if it ended the session without data.
    fn open(&mut self, message: &[u8]) -> Result<Option<(Vec<u8>, bool)>, SessionError> {
        let message = SessionData::parse(message, &outer_limits(&self.limits))?;
        let final_message = match message.status() {
            None => false,
            Some(SessionStatus::Termination) => true,
            Some(status) => return Err(SessionError::PeerStatus(status)),
        };
        let Some(data) = message.data() else {
            return Ok(None);
        };
        Ok(Some((self.cipher.decrypt(data)?, final_message)))
    }

    /// Encrypts `request` with the next reader-to-device counter, frames the ciphertext with
    /// `frame` (SessionEstablishment for the first request, SessionData after it) and hands
    /// the channel to the wait for the holder's answer.
    fn send_request(
        mut self,
        request: &DeviceRequest,
        frame: impl FnOnce(Vec<u8>) -> Vec<u8>,
    ) -> Result<(AwaitingResponse, Vec<u8>), SessionError> {
        let data = self.cipher.encrypt(&request.to_bytes())?;
        Ok((AwaitingResponse { channel: self }, frame(data)))
    }
}

impl ReaderSession {
    /// Reads an engagement QR code (`mdoc:` + base64url), creates a fresh ephemeral key and
    /// derives the session keys with the QR handover (`null`).
    pub fn from_qr(qr: &str) -> Result<Self, SessionError> {
        let engagement = DeviceEngagement::from_qr(qr)?;
        let key = SoftwareKey::generate().map_err(SessionError::KeyAgreement)?;
        Self::new(engagement, Handover::qr(), Box::new(key))
    }

    /// A session for an engagement received any way (the QR code, an NFC Handover Select
    /// message, another handover), the `handover` it came in, and the reader's ephemeral key.
    pub fn new(
        engagement: DeviceEngagement,
        handover: Handover,
        e_reader_key: Box<dyn KeyAgreement>,
    ) -> Result<Self, SessionError> {
        let limits = Limits::default();
        let public = e_reader_key
            .public_key()
            .map_err(SessionError::KeyAgreement)?;
        let e_reader_cose_key = CoseKey::new(public);
        let e_reader_key_bytes = Embedded::wrap_value(&e_reader_cose_key.to_value());
        let transcript = build_transcript(&engagement, &e_reader_key_bytes, &handover, &limits)?;
        let keys = SessionKeys::derive(
            e_reader_key.as_ref(),
            engagement.e_device_key(),
            &transcript,
        )?;
        Ok(ReaderSession {
            channel: Channel {
                e_reader_key,
                cipher: SessionCipher::new(keys, Role::Reader)?,
                transcript,
                limits,
            },
            engagement,
            e_reader_cose_key,
            e_reader_key_bytes,
        })
    }

    /// Replaces the CBOR limits for the holder's messages (default [`Limits::default`],
    /// plus room for the SessionData wrapping). Match the verifier's limits if raised there.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.channel.limits = limits;
        self
    }

    /// Replaces the crypto provider of the session cipher (AES-256-GCM). The session keys
    /// were derived when the session was created, with the default provider (the same
    /// bytes on every provider); the response is verified by the [`Verifier`] given to
    /// [`AwaitingResponse::handle_response`], with that verifier's provider.
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.channel.cipher.set_provider(provider);
        self
    }

    /// The holder's engagement.
    pub fn engagement(&self) -> &DeviceEngagement {
        &self.engagement
    }

    /// The session transcript: what `readerAuth` signs
    /// ([`crate::model::DocRequest::sign_reader_auth`]) and the device authenticates.
    pub fn transcript(&self) -> &SessionTranscript {
        &self.channel.transcript
    }

    /// Sends `request` encrypted in a SessionEstablishment, with the reader's ephemeral key.
    pub fn send_request(
        self,
        request: &DeviceRequest,
    ) -> Result<(AwaitingResponse, Vec<u8>), SessionError> {
        let (cose_key, key_bytes) = (self.e_reader_cose_key, self.e_reader_key_bytes);
        self.channel.send_request(request, |data| {
            SessionEstablishment::from_parts(cose_key, key_bytes, data).to_bytes()
        })
    }
}

/// What the holder answered, decrypted but **not verified**
/// ([`AwaitingResponse::decrypt_response`]).
#[non_exhaustive]
pub enum ReaderReceived {
    /// The DeviceResponse bytes; the session stays open.
    Response {
        /// The decrypted DeviceResponse, unverified.
        response: Vec<u8>,
        /// The session, for another request or termination.
        session: ReaderConnected,
    },
    /// The DeviceResponse bytes of a message with which the holder ended the session.
    FinalResponse(Vec<u8>),
    /// The holder ended the session without a response (status 20): it declined.
    Terminated,
}

/// A reader waiting for the holder's SessionData.
pub struct AwaitingResponse {
    channel: Channel,
}

/// What the holder answered.
#[non_exhaustive]
pub enum ReaderOutcome {
    /// A verified response; the session stays open.
    Response {
        /// The verified documents.
        response: VerifiedResponse,
        /// The session, for another request or termination.
        session: ReaderConnected,
    },
    /// A verified response with which the holder ended the session.
    FinalResponse(VerifiedResponse),
    /// The holder ended the session without a response (status 20): it declined.
    Terminated,
}

impl AwaitingResponse {
    /// The session transcript.
    pub fn transcript(&self) -> &SessionTranscript {
        &self.channel.transcript
    }

    /// Handles the holder's SessionData: decrypts the DeviceResponse and verifies it with
    /// `verifier` at time `at` against this session's transcript (with the reader's
    /// ephemeral key for `deviceMac`). Hands out claims only if every check passed.
    pub fn handle_response(
        self,
        message: &[u8],
        verifier: &Verifier,
        at: UnixTime,
    ) -> Result<ReaderOutcome, SessionError> {
        self.handle_response_with_status(message, verifier, at, None)
    }

    /// [`AwaitingResponse::handle_response`] with the licence status also checked by
    /// `status` when given ([`VerifyOptions::with_status`]).
    pub fn handle_response_with_status(
        self,
        message: &[u8],
        verifier: &Verifier,
        at: UnixTime,
        status: Option<&StatusChecker>,
    ) -> Result<ReaderOutcome, SessionError> {
        let mut channel = self.channel;
        let Some((plaintext, final_message)) = channel.open(message)? else {
            return Ok(ReaderOutcome::Terminated);
        };
        let mut options = VerifyOptions::new(&channel.transcript, at)
            .with_reader_key(channel.e_reader_key.as_ref());
        if let Some(checker) = status {
            options = options.with_status(checker);
        }
        let response = verifier
            .verify(&plaintext, &options)
            .map_err(SessionError::Verification)?;
        Ok(if final_message {
            ReaderOutcome::FinalResponse(response)
        } else {
            ReaderOutcome::Response {
                response,
                session: ReaderConnected { channel },
            }
        })
    }

    /// Handles the holder's SessionData like [`AwaitingResponse::handle_response`] but only
    /// decrypts: the DeviceResponse bytes come back **unverified**, for a host that verifies
    /// them itself with [`Verifier::verify`] against [`AwaitingResponse::transcript`] (kept
    /// before this call) and, for `deviceMac`, the reader's ephemeral key (which
    /// [`ReaderSession::new`] takes from the caller). Nothing in the bytes may be trusted
    /// before that. Used by the WebAssembly binding, whose `verify()` is a separate call.
    pub fn decrypt_response(self, message: &[u8]) -> Result<ReaderReceived, SessionError> {
        let mut channel = self.channel;
        Ok(match channel.open(message)? {
            None => ReaderReceived::Terminated,
            Some((response, true)) => ReaderReceived::FinalResponse(response),
            Some((response, false)) => ReaderReceived::Response {
                response,
                session: ReaderConnected { channel },
            },
        })
    }

    /// Gives up waiting and ends the session (SessionData with status 20).
    pub fn terminate(self) -> Vec<u8> {
        SessionData::with_status(SessionStatus::Termination).to_bytes()
    }
}

/// A reader that has a response and keeps the session open.
pub struct ReaderConnected {
    channel: Channel,
}

impl ReaderConnected {
    /// The session transcript (to sign a further request's `readerAuth`).
    pub fn transcript(&self) -> &SessionTranscript {
        &self.channel.transcript
    }

    /// Sends a further request, encrypted in a SessionData.
    pub fn send_request(
        self,
        request: &DeviceRequest,
    ) -> Result<(AwaitingResponse, Vec<u8>), SessionError> {
        self.channel
            .send_request(request, |data| SessionData::with_data(data).to_bytes())
    }

    /// Ends the session (SessionData with status 20).
    pub fn terminate(self) -> Vec<u8> {
        SessionData::with_status(SessionStatus::Termination).to_bytes()
    }
}
