//! The holder's (mdoc's) side of a session, as a typestate:
//! [`HolderSession`] → [`AwaitingConsent`] → [`HolderConnected`] → (another request or the end).

use std::sync::Arc;

use crate::crypto::{self, CryptoProvider, EcPublicKey, KeyAgreement, Signer, SoftwareKey};
use crate::holder::{ParsedRequest, RequestOptions, RequestedElement, ResponseBuilder};
use crate::model::{Credential, SessionTranscript};

use super::encryption::{Role, SessionCipher, SessionKeys};
use super::messages::{SessionData, SessionEstablishment, SessionStatus};
use super::{
    build_transcript, outer_limits, DeviceEngagement, Handover, RetrievalMethod, SessionError,
};
use crate::structure::StructureError;

/// A holder that has shown its engagement and waits for the reader's SessionEstablishment.
///
/// Holds the ephemeral device key, used once to derive the session keys and then dropped.
pub struct HolderSession {
    e_device_key: Box<dyn KeyAgreement>,
    engagement: DeviceEngagement,
    handover: Handover,
    provider: Arc<dyn CryptoProvider>,
}

impl HolderSession {
    /// Starts a QR engagement: a fresh ephemeral P-256 key, a version 1.0 engagement with
    /// the given retrieval methods, and the QR handover (`null`).
    pub fn engage(retrieval_methods: Vec<RetrievalMethod>) -> Result<Self, SessionError> {
        let key = SoftwareKey::generate().map_err(SessionError::KeyAgreement)?;
        let engagement = DeviceEngagement::new(&key.public(), retrieval_methods);
        Ok(HolderSession {
            e_device_key: Box::new(key),
            engagement,
            handover: Handover::qr(),
            provider: crypto::default_provider(),
        })
    }

    /// Starts from an engagement built by the caller (origin infos, NFC) and its ephemeral
    /// key, which must be the engagement's `EDeviceKey` ([`SessionError::KeyMismatch`]).
    /// The handover is the QR one until [`HolderSession::with_handover`] replaces it.
    pub fn with_engagement(
        engagement: DeviceEngagement,
        e_device_key: Box<dyn KeyAgreement>,
    ) -> Result<Self, SessionError> {
        let public = e_device_key
            .public_key()
            .map_err(SessionError::KeyAgreement)?;
        if &public != engagement.e_device_key() {
            return Err(SessionError::KeyMismatch);
        }
        Ok(HolderSession {
            e_device_key,
            engagement,
            handover: Handover::qr(),
            provider: crypto::default_provider(),
        })
    }

    /// Sets the handover the engagement was exchanged in (NFC, or another), as it goes into
    /// the transcript.
    pub fn with_handover(mut self, handover: Handover) -> Self {
        self.handover = handover;
        self
    }

    /// Replaces the crypto provider of the session: key derivation (SHA-256, HKDF; the ECDH
    /// is the ephemeral key's own), AES-256-GCM, and the `deviceMac` path of the responses
    /// built by [`AwaitingConsent::respond`].
    pub fn with_provider(mut self, provider: Arc<dyn CryptoProvider>) -> Self {
        self.provider = provider;
        self
    }

    /// The engagement shown to the reader.
    pub fn engagement(&self) -> &DeviceEngagement {
        &self.engagement
    }

    /// The engagement as QR code text: `mdoc:` + base64url.
    pub fn qr_code(&self) -> String {
        self.engagement.to_qr()
    }

    /// Handles the reader's SessionEstablishment: builds the transcript from the engagement,
    /// `EReaderKeyBytes` as received and the handover; derives the session keys; decrypts
    /// the DeviceRequest and reads it with `options` — checking every `readerAuth` — so the
    /// holder learns who asks for what before consenting.
    pub fn handle_establishment(
        self,
        message: &[u8],
        options: &RequestOptions,
    ) -> Result<AwaitingConsent, SessionError> {
        let establishment = SessionEstablishment::parse(message, &outer_limits(&options.limits))?;
        let transcript = build_transcript(
            &self.engagement,
            establishment.e_reader_key_bytes(),
            &self.handover,
            &options.limits,
        )?;
        let keys = SessionKeys::derive_with(
            self.provider.as_ref(),
            self.e_device_key.as_ref(),
            establishment.e_reader_key(),
            &transcript,
        )?;
        let mut cipher = SessionCipher::with_provider(keys, Role::Holder, self.provider.clone())?;
        let plaintext = cipher.decrypt(establishment.data())?;
        let channel = Channel {
            cipher,
            transcript,
            e_reader_key: establishment.e_reader_key().clone(),
        };
        channel.into_consent(&plaintext, options)
    }
}

/// What the holder's open session keeps: the cipher, the transcript and the reader's key.
struct Channel {
    cipher: SessionCipher,
    transcript: SessionTranscript,
    e_reader_key: EcPublicKey,
}

impl Channel {
    fn into_consent(
        self,
        request_bytes: &[u8],
        options: &RequestOptions,
    ) -> Result<AwaitingConsent, SessionError> {
        let request = ParsedRequest::parse(request_bytes, &self.transcript, options)
            .map_err(SessionError::Request)?;
        Ok(AwaitingConsent {
            channel: self,
            request: Box::new(Received {
                parsed: request,
                bytes: request_bytes.to_vec(),
            }),
        })
    }

    /// Encrypts a DeviceResponse into a SessionData, with `status` if given.
    fn seal(
        &mut self,
        device_response: &[u8],
        status: Option<SessionStatus>,
    ) -> Result<Vec<u8>, SessionError> {
        let data = self.cipher.encrypt(device_response)?;
        Ok(match status {
            Some(status) => SessionData::with_data_and_status(data, status),
            None => SessionData::with_data(data),
        }
        .to_bytes())
    }
}

/// The device key that authenticates a disclosed document.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum DeviceAuthKey<'a> {
    /// `deviceSignature`: ES256 by the credential's device key.
    Signature(&'a dyn Signer),
    /// `deviceMac`: HMAC-SHA-256 with EMacKey, agreed between the credential's device key
    /// and the reader's ephemeral key.
    Mac(&'a dyn KeyAgreement),
}

/// The holder's consent for one requested document: which credential answers it, which of
/// its elements the holder approved, and the device key that authenticates it.
pub struct Approval<'a> {
    document: usize,
    credential: &'a Credential,
    elements: Vec<RequestedElement>,
    device_key: DeviceAuthKey<'a>,
}

impl<'a> Approval<'a> {
    /// Approves `elements` of `credential` for the request's document number `document`
    /// (an index into [`ParsedRequest::documents`]). Only elements that were requested,
    /// approved and held are disclosed.
    pub fn new(
        document: usize,
        credential: &'a Credential,
        elements: Vec<RequestedElement>,
        device_key: DeviceAuthKey<'a>,
    ) -> Self {
        Approval {
            document,
            credential,
            elements,
            device_key,
        }
    }
}

/// A decrypted request, waiting for the holder's consent.
pub struct AwaitingConsent {
    channel: Channel,
    request: Box<Received>,
}

/// A decrypted request, parsed and as received (boxed: it keeps [`HolderEvent`] small).
struct Received {
    parsed: ParsedRequest,
    bytes: Vec<u8>,
}

impl AwaitingConsent {
    /// The request: per document, who asks ([`crate::holder::ReaderIdentity`]), which
    /// elements, whether the reader intends to retain them, and `requestInfo`.
    pub fn request(&self) -> &ParsedRequest {
        &self.request.parsed
    }

    /// The decrypted DeviceRequest exactly as received (already parsed into
    /// [`AwaitingConsent::request`]): for a host that reads the request elsewhere, e.g. the
    /// WebAssembly binding, whose wallet parses it with its own reader trust.
    pub fn request_bytes(&self) -> &[u8] {
        &self.request.bytes
    }

    /// The session transcript, for building a response by hand (two-phase signing with
    /// [`ResponseBuilder::prepare_document`]; send it with [`AwaitingConsent::send_response`]).
    pub fn transcript(&self) -> &SessionTranscript {
        &self.channel.transcript
    }

    /// The reader's ephemeral key (`EReaderKey`) as received in the SessionEstablishment:
    /// for a response built by hand with `deviceMac` (EMacKey is agreed between the
    /// credential's device key and this key), e.g. [`crate::wallet::DeviceAuthMode::Mac`].
    pub fn e_reader_key(&self) -> &EcPublicKey {
        &self.channel.e_reader_key
    }

    /// Answers with the approved documents, encrypted as SessionData; the session stays open
    /// for another request or the reader's termination.
    pub fn respond(
        self,
        approvals: &[Approval<'_>],
    ) -> Result<(HolderConnected, Vec<u8>), SessionError> {
        let response = self.build(approvals)?;
        self.send_response(&response)
    }

    /// Answers with the approved documents and ends the session in the same message
    /// (SessionData with data and status 20).
    pub fn respond_and_terminate(
        self,
        approvals: &[Approval<'_>],
    ) -> Result<Vec<u8>, SessionError> {
        let response = self.build(approvals)?;
        self.send_response_and_terminate(&response)
    }

    /// Sends a DeviceResponse built by the caller for [`AwaitingConsent::transcript`].
    pub fn send_response(
        self,
        device_response: &[u8],
    ) -> Result<(HolderConnected, Vec<u8>), SessionError> {
        let mut channel = self.channel;
        let message = channel.seal(device_response, None)?;
        Ok((HolderConnected { channel }, message))
    }

    /// Sends a DeviceResponse built by the caller for [`AwaitingConsent::transcript`] and ends
    /// the session in the same message (SessionData with data and status 20), as
    /// [`AwaitingConsent::respond_and_terminate`] does for a response built here.
    pub fn send_response_and_terminate(
        self,
        device_response: &[u8],
    ) -> Result<Vec<u8>, SessionError> {
        let mut channel = self.channel;
        channel.seal(device_response, Some(SessionStatus::Termination))
    }

    /// Declines: ends the session without a response (SessionData with status 20).
    pub fn decline(self) -> Vec<u8> {
        SessionData::with_status(SessionStatus::Termination).to_bytes()
    }

    fn build(&self, approvals: &[Approval<'_>]) -> Result<Vec<u8>, SessionError> {
        let documents = self.request.parsed.documents();
        let mut builder = ResponseBuilder::new(&self.channel.transcript)
            .with_provider(self.channel.cipher.provider().clone());
        for approval in approvals {
            let requested =
                documents
                    .get(approval.document)
                    .ok_or(SessionError::UnknownDocument {
                        index: approval.document,
                        count: documents.len(),
                    })?;
            match approval.device_key {
                DeviceAuthKey::Signature(signer) => {
                    builder.add_document(approval.credential, requested, &approval.elements, signer)
                }
                DeviceAuthKey::Mac(key) => builder.add_document_mac(
                    approval.credential,
                    requested,
                    &approval.elements,
                    key,
                    &self.channel.e_reader_key,
                ),
            }
            .map_err(SessionError::Response)?;
        }
        Ok(builder.finish())
    }
}

/// A holder that has answered and keeps the session open.
pub struct HolderConnected {
    channel: Channel,
}

/// What the reader sent next.
#[non_exhaustive]
pub enum HolderEvent {
    /// Another request, waiting for consent.
    Request(AwaitingConsent),
    /// The reader ended the session (status 20).
    Terminated,
}

impl HolderConnected {
    /// Handles the reader's next SessionData: a further request (decrypted and read with
    /// `options`, like the first) or termination.
    pub fn handle_message(
        self,
        message: &[u8],
        options: &RequestOptions,
    ) -> Result<HolderEvent, SessionError> {
        let mut channel = self.channel;
        let message = SessionData::parse(message, &outer_limits(&options.limits))?;
        match (message.data(), message.status()) {
            (None, Some(SessionStatus::Termination)) => Ok(HolderEvent::Terminated),
            // A reader ends a session with status 20 alone, never together with a request.
            (Some(_), Some(SessionStatus::Termination)) => Err(StructureError::InvalidValue {
                at: "SessionData.status",
            }
            .into()),
            (_, Some(status)) => Err(SessionError::PeerStatus(status)),
            (Some(data), None) => {
                let plaintext = channel.cipher.decrypt(data)?;
                channel
                    .into_consent(&plaintext, options)
                    .map(HolderEvent::Request)
            }
            (None, None) => Err(StructureError::Missing {
                at: "SessionData.data",
            }
            .into()),
        }
    }

    /// Ends the session (SessionData with status 20).
    pub fn terminate(self) -> Vec<u8> {
        SessionData::with_status(SessionStatus::Termination).to_bytes()
    }
}
