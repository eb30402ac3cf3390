//! The options of one verification: transcript, time, reader key.

use super::*;

/// What one verification is checked against: the session it must be bound to, the time, and
/// (for `deviceMac`) the reader's ephemeral key.
///
/// ```ignore
/// let opts = VerifyOptions::new(&transcript, now);                                // deviceSignature
/// let opts = VerifyOptions::new(&transcript, now).with_reader_key(&reader_key);   // deviceMac
/// let verified = verifier.verify(&response_bytes, &opts)?;
/// ```
///
/// The fields are private so that options can grow without breaking callers: planned are a
/// status-list resolution policy (what to do when a credential names a status list) and the
/// OpenID4VP / Digital Credentials API transcripts, each added as another `with_*` method
/// with today's behaviour as the default.
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    pub(super) transcript: &'a SessionTranscript,
    pub(super) at: UnixTime,
    pub(super) reader_key: Option<&'a dyn KeyAgreement>,
    pub(super) status: Option<&'a StatusChecker>,
}

impl<'a> VerifyOptions<'a> {
    /// Options for a response bound to `transcript`, verified at time `at`, with no reader
    /// key (a `deviceMac` response then fails with [`VerifyError::ReaderKeyRequired`]).
    pub fn new(transcript: &'a SessionTranscript, at: UnixTime) -> Self {
        VerifyOptions {
            transcript,
            at,
            reader_key: None,
            status: None,
        }
    }

    /// The same options with the credential status checked by `checker` ([`Check::Status`]):
    /// each document whose MSO names a status list is checked last, after every other check
    /// passed (Token Status List §8.3: the token's own checks come first). Without it the
    /// status is not checked, and an MSO carrying `status` lists `"status"` in
    /// [`VerifiedDocument::unchecked`].
    pub fn with_status(mut self, checker: &'a StatusChecker) -> Self {
        self.status = Some(checker);
        self
    }

    /// The status checker, if given.
    pub fn status(&self) -> Option<&'a StatusChecker> {
        self.status
    }

    /// The same options with the reader's ephemeral private key, needed only for `deviceMac`.
    pub fn with_reader_key(mut self, reader_key: &'a dyn KeyAgreement) -> Self {
        self.reader_key = Some(reader_key);
        self
    }

    /// The session transcript the response must be bound to.
    pub fn transcript(&self) -> &'a SessionTranscript {
        self.transcript
    }

    /// The verification time.
    pub fn at(&self) -> UnixTime {
        self.at
    }

    /// The reader's ephemeral private key, if given.
    pub fn reader_key(&self) -> Option<&'a dyn KeyAgreement> {
        self.reader_key
    }
}

impl fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("at", &self.at)
            .field("reader_key", &self.reader_key.is_some())
            .field("status", &self.status.is_some())
            .finish_non_exhaustive()
    }
}
