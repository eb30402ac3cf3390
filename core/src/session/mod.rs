//! Proximity presentation (ISO/IEC 18013-5): device engagement (§8.2.1.1), session keys and
//! encryption (§9.1.1), the session transcript (§9.1.5.1), and the holder and reader state
//! machines. Entry points: [`HolderSession::engage`] for the wallet, [`ReaderSession::from_qr`]
//! for the reader; the request and response inside are the [`holder`](crate::holder) and
//! [`verifier`](crate::verifier) roles'.
//!
//! ```text
//!  Holder (wallet)                                        Reader (business)
//!  HolderSession::engage ─► QR "mdoc:" + base64url(DeviceEngagement) ─► ReaderSession::from_qr
//!                                                          (transcript, SKReader/SKDevice)
//!  handle_establishment ◄── SessionEstablishment {eReaderKey, data} ◄── send_request
//!    = AwaitingConsent: who asks (readerAuth), what, intent to retain
//!  respond(approved) ────── SessionData {data} ──────────────────────► handle_response
//!                                                                      = Verifier result
//!  handle_message ◄──────── SessionData {status: 20} ◄──────────────── terminate
//! ```
//!
//! The core consumes and produces bytes; the host carries them over BLE, NFC, HTTPS or
//! mini-program messaging. Each state consumes `self`, so a message cannot be sent or handled
//! in the wrong state: that does not compile. An error also consumes the state — 18013-5 ends
//! the session on any error — and [`SessionError::reply_status`] says which status to send.
//!
//! # Protocol (§9.1.1, §9.1.5)
//!
//! ```cddl
//! SessionTranscript = [ DeviceEngagementBytes, EReaderKeyBytes, Handover ]
//! SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript)
//! Handover = QRHandover / NFCHandover / any  ; 18013-7, the Digital Credentials API, …
//! QRHandover = null
//! NFCHandover = [ HandoverSelect: bstr, HandoverRequest: bstr / null ]  ; NDEF messages
//! ```
//!
//! * [`DeviceEngagement`] carries the holder's ephemeral key `EDeviceKey` (cipher suite 1) and
//!   the retrieval methods; its QR form is `mdoc:` + base64url without padding.
//! * The reader answers with [`SessionEstablishment`]: its ephemeral key `EReaderKey` and the
//!   encrypted DeviceRequest. Both ends now build the transcript from the engagement bytes and
//!   `EReaderKeyBytes` exactly as sent, and the [`Handover`]. The transcript is never
//!   re-encoded: its bytes are what is hashed into the keys and signed by readerAuth and the
//!   device.
//! * [`SessionKeys`]: SKReader and SKDevice by HKDF-SHA-256 over the ECDH x-coordinate with
//!   salt SHA-256(SessionTranscriptBytes). [`SessionCipher`]: AES-256-GCM with IV =
//!   identifier ‖ counter, a counter per direction, rejecting replays and reordering.
//! * Every later message is [`SessionData`]; status 20 ends the session, 10 and 11 report
//!   errors ([`SessionStatus`]).
//! * Device authentication is `deviceSignature` ([`DeviceAuthKey::Signature`]) or `deviceMac`
//!   ([`DeviceAuthKey::Mac`]: EMacKey from the device key and `EReaderKey`).
//!
//! # Example: a whole exchange, purely through bytes
//!
//! ```
//! use zhengzhao::cbor::Value;
//! use zhengzhao::crypto::SoftwareKey;
//! use zhengzhao::holder::{ReaderIdentity, RequestOptions};
//! use zhengzhao::issuer::Issuer;
//! use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest};
//! use zhengzhao::session::{
//!     Approval, BleOptions, DeviceAuthKey, HolderEvent, HolderSession, ReaderOutcome,
//!     ReaderSession, RetrievalMethod,
//! };
//! use zhengzhao::time::UnixTime;
//! use zhengzhao::trust::testpki::TestPki;
//! use zhengzhao::verifier::Verifier;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let now = UnixTime::now();
//! let pki = TestPki::generate(now)?;
//! let (issuer_trust, reader_trust) = (pki.issuer_trust_store(), pki.reader_trust_store());
//! let device_key = SoftwareKey::generate()?; // the wallet's secure-hardware key
//! let credential = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer])
//!     .credential("org.iso.18013.5.1.mDL")
//!     .element("org.iso.18013.5.1", "family_name", Value::text("张"))
//!     .element("org.iso.18013.5.1", "age_over_18", Value::Bool(true))
//!     .device_key(device_key.public())
//!     .validity(now, now, now.add_secs(86_400))
//!     .sign()?;
//!
//! // Holder: show the engagement QR code.
//! let ble = RetrievalMethod::Ble { version: 1, options: BleOptions::central_client([0x42; 16]) };
//! let holder = HolderSession::engage(vec![ble])?;
//! let qr: String = holder.qr_code();
//!
//! // Reader: scan it and send its request, signed with its reader certificate.
//! let reader = ReaderSession::from_qr(&qr)?;
//! let items = ItemsRequest::new("org.iso.18013.5.1.mDL")
//!     .with_element("org.iso.18013.5.1", "age_over_18", false);
//! let doc_request = DocRequest::new(items).sign_reader_auth(
//!     &pki.reader_key,
//!     &[pki.reader.der().to_vec()],
//!     reader.transcript(),
//! )?;
//! let (reader, establishment) = reader.send_request(&DeviceRequest::new(vec![doc_request]))?;
//!
//! // Holder: learn who asks for what, then answer with what the holder approves.
//! let options = RequestOptions::new(now).with_reader_trust(reader_trust);
//! let consent = holder.handle_establishment(&establishment, &options)?;
//! let asked = &consent.request().documents()[0];
//! assert!(matches!(asked.reader(), ReaderIdentity::Authenticated { .. }));
//! let approved = asked.disclosable(&credential); // shown to the holder, who agrees
//! let approval = Approval::new(0, &credential, approved, DeviceAuthKey::Signature(&device_key));
//! let (holder, response) = consent.respond(&[approval])?;
//!
//! // Reader: decrypt and verify; then end the session.
//! let ReaderOutcome::Response { response: verified, session: reader } =
//!     reader.handle_response(&response, &Verifier::new(issuer_trust), now)?
//! else {
//!     return Err("the holder ended the session without answering".into());
//! };
//! assert_eq!(
//!     verified.documents[0].issuer_signed["org.iso.18013.5.1"]["age_over_18"],
//!     Value::Bool(true)
//! );
//! let termination = reader.terminate();
//! assert!(matches!(holder.handle_message(&termination, &options)?, HolderEvent::Terminated));
//! # Ok(()) }
//! ```

mod base64url;
mod encryption;
mod engagement;
mod holder;
mod messages;
mod reader;

#[cfg(test)]
mod tests;

use std::fmt;

pub use encryption::{Role, SessionCipher, SessionKeys};
pub use engagement::{
    BleOptions, DeviceEngagement, EngagementError, NfcOptions, RetrievalMethod, WifiAwareOptions,
    CIPHER_SUITE_1, MAX_ENGAGEMENT_LEN, QR_PREFIX,
};
pub use holder::{
    Approval, AwaitingConsent, DeviceAuthKey, HolderConnected, HolderEvent, HolderSession,
};
pub use messages::{SessionData, SessionEstablishment, SessionStatus};
pub use reader::{AwaitingResponse, ReaderConnected, ReaderOutcome, ReaderReceived, ReaderSession};

use crate::cbor::{encode, Embedded, Limits, Value};
use crate::cose::CoseError;
use crate::crypto::CryptoError;
use crate::holder::HolderError;
use crate::model::SessionTranscript;
use crate::structure::{self, StructureError};
use crate::verifier::VerifyError;

/// Why a session step failed. Every failure ends the session (§9.1.1.5); send the peer
/// [`SessionError::reply_status`] if there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The device engagement or its QR code is not acceptable.
    #[error("device engagement: {0}")]
    Engagement(#[from] EngagementError),
    /// A SessionEstablishment, SessionData or handover is not well-formed CBOR of its
    /// structure.
    #[error("malformed session message: {0}")]
    Malformed(#[from] StructureError),
    /// `eReaderKey` is not an uncompressed P-256 COSE_Key whose point is on the curve.
    #[error("reader ephemeral key: {0}")]
    ReaderKey(#[source] CoseError),
    /// The ephemeral key given does not match `EDeviceKey` in the engagement.
    #[error("the ephemeral device key does not match the device engagement")]
    KeyMismatch,
    /// Key agreement or derivation failed (for example in a host key store).
    #[error("session key agreement: {0}")]
    KeyAgreement(#[source] CryptoError),
    /// A ciphertext shorter than the 16-byte authentication tag.
    #[error("ciphertext shorter than the authentication tag")]
    CiphertextTooShort,
    /// A message that was already accepted, received again.
    #[error("replayed session message")]
    Replayed,
    /// A message encrypted with a later counter than the next one expected: an earlier message
    /// was reordered after it or dropped.
    #[error("session message out of order: expected counter {expected}, received {received}")]
    OutOfOrder {
        /// The counter the next message had to carry.
        expected: u32,
        /// The counter it carried.
        received: u32,
    },
    /// The message does not decrypt: a wrong key, or a modified ciphertext or tag (AES-GCM
    /// cannot tell them apart).
    #[error("session message does not decrypt (wrong key, or modified ciphertext or tag)")]
    Decryption,
    /// 2³²−1 messages were sent or received in one direction; the session must end.
    #[error("session message counter exhausted")]
    CounterExhausted,
    /// A plaintext longer than AES-GCM can encrypt.
    #[error("message too long to encrypt")]
    MessageTooLong,
    /// The peer ended the session with an error status (10, 11 or an unknown code).
    #[error("the peer ended the session with status {0}")]
    PeerStatus(SessionStatus),
    /// Holder: the decrypted DeviceRequest is malformed, or its reader authentication failed.
    #[error("request: {0}")]
    Request(#[source] HolderError),
    /// Holder: the response could not be built (wrong docType, device key failure).
    #[error("response: {0}")]
    Response(#[source] HolderError),
    /// Holder: an approval names a document the request does not have.
    #[error("approval for document {index}, but the request has {count}")]
    UnknownDocument {
        /// The index given.
        index: usize,
        /// How many documents the request has.
        count: usize,
    },
    /// Reader: the DeviceResponse failed verification ([`VerifyError::check`] names the check).
    #[error("verification: {0}")]
    Verification(#[source] VerifyError),
}

impl SessionError {
    /// The status to send the peer (as [`SessionData::with_status`]) when ending the session
    /// because of this error: 10 for encryption failures, 11 for undecodable messages, 20
    /// otherwise; `None` when the peer already ended the session.
    pub fn reply_status(&self) -> Option<SessionStatus> {
        match self {
            SessionError::PeerStatus(_) => None,
            SessionError::ReaderKey(_)
            | SessionError::KeyAgreement(_)
            | SessionError::CiphertextTooShort
            | SessionError::Replayed
            | SessionError::OutOfOrder { .. }
            | SessionError::Decryption
            | SessionError::CounterExhausted => Some(SessionStatus::EncryptionError),
            SessionError::Malformed(_) | SessionError::Request(HolderError::Malformed(_)) => {
                Some(SessionStatus::CborDecodingError)
            }
            _ => Some(SessionStatus::Termination),
        }
    }
}

/// The `Handover` element of the session transcript, kept as its encoded CBOR and spliced
/// into the transcript unchanged.
#[derive(Clone, PartialEq, Eq)]
pub struct Handover {
    bytes: Vec<u8>,
}

impl Handover {
    /// QR code engagement: `null`.
    pub fn qr() -> Self {
        Handover { bytes: vec![0xf6] }
    }

    /// NFC static or negotiated handover: `[HandoverSelect, HandoverRequest / null]`, the NDEF
    /// messages exactly as exchanged (`request` is `None` for static handover).
    pub fn nfc(select: &[u8], request: Option<&[u8]>) -> Self {
        let request = request.map_or(Value::Null, |r| Value::Bytes(r.to_vec()));
        Handover {
            bytes: encode(&Value::Array(vec![Value::Bytes(select.to_vec()), request])),
        }
    }

    /// Any other handover (ISO/IEC 18013-7, the Digital Credentials API, …) as its encoded
    /// CBOR, which must be exactly one well-formed item; it is used as given, never
    /// re-encoded.
    pub fn from_cbor(bytes: &[u8], limits: &Limits) -> Result<Self, StructureError> {
        structure::decode_at(bytes, limits, "Handover")?;
        Ok(Handover {
            bytes: bytes.to_vec(),
        })
    }

    /// The encoded handover.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Handover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handover(<{} bytes>)", self.bytes.len())
    }
}

/// `[DeviceEngagementBytes, EReaderKeyBytes, Handover]` from the exact bytes of each part.
fn build_transcript(
    engagement: &DeviceEngagement,
    e_reader_key_bytes: &Embedded,
    handover: &Handover,
    limits: &Limits,
) -> Result<SessionTranscript, SessionError> {
    let parts = [
        engagement.tagged_bytes(),
        e_reader_key_bytes.tagged_bytes(),
        handover.as_bytes(),
    ];
    let mut content = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    content.push(0x83);
    for part in parts {
        content.extend_from_slice(part);
    }
    Ok(SessionTranscript::from_transcript_bytes(&content, limits)?)
}

/// Room for the SessionData or SessionEstablishment wrapping (keys, ephemeral key, tag) above
/// the limit on the message it carries.
const MESSAGE_OVERHEAD: usize = 1024;

/// The limits for a session message carrying a message decoded with `inner`.
fn outer_limits(inner: &Limits) -> Limits {
    let mut limits = inner.clone();
    limits.max_input = limits.max_input.saturating_add(MESSAGE_OVERHEAD);
    limits
}
