//! Session keys and session encryption (ISO/IEC 18013-5 §9.1.1.5).
//!
//! ```text
//! SKReader = HKDF-SHA-256(IKM = ECDH x-coordinate, salt = SHA-256(SessionTranscriptBytes),
//!                         info = "SKReader", L = 32)
//! SKDevice = the same with info = "SKDevice"
//! IV       = identifier (8 bytes) ‖ message counter (4 bytes, big-endian, from 1)
//!            identifier: 00000000 00000000 (mdoc reader), 00000000 00000001 (mdoc)
//! data     = AES-256-GCM(key, IV, plaintext, no AAD): ciphertext ‖ 16-byte tag
//! ```
//!
//! The reader encrypts with SKReader and the holder's device decrypts with it; the device
//! encrypts with SKDevice. Each direction has its own counter; a receiver accepts exactly the
//! next counter, so replayed, reordered and dropped messages are all rejected. A message that
//! fails costs one AES-GCM open, plus at most 8 more (to name it out of order) if it is no
//! larger than 64 KiB.

use std::collections::VecDeque;
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::crypto::AES_GCM_IV_LEN;
use crate::crypto::{self, CryptoError, CryptoProvider, EcPublicKey, KeyAgreement};
use crate::model::SessionTranscript;

use super::SessionError;

/// The AES-GCM authentication tag length.
const TAG_LEN: usize = 16;
/// How many tags of accepted messages are remembered to name replays. An older replay is
/// still rejected, as a decryption failure.
const REPLAY_MEMORY: usize = 64;
/// How many counters ahead of the expected one a failed message is tried with, to name it as
/// out of order rather than undecryptable.
const REORDER_WINDOW: u32 = 8;
/// Largest message (ciphertext and tag) tried under further counters after it failed under
/// the expected one: 64 KiB.
///
/// Naming a message "out of order" costs one more AES-GCM open per counter tried, over the
/// whole message. Without a bound a peer's 4 MiB garbage message would cost nine opens
/// (36 MiB of GHASH and AES) instead of one. With it, the extra work for any failed message
/// is at most `REORDER_WINDOW` × 64 KiB = 512 KiB, an eighth of a single open of the largest
/// message, and every DeviceRequest and most DeviceResponses (without large portraits) still
/// get the precise error. A larger failed message is reported as
/// [`SessionError::Decryption`]: it is rejected all the same, and the counter does not move.
/// The reorder window is kept rather than dropped because ordered transports (BLE, NFC)
/// reorder only through bugs, and naming them is what makes those bugs findable.
pub(crate) const REORDER_PROBE_MAX_LEN: usize = 64 * 1024;

/// Which end of the session this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The mdoc reader (the verifier's device).
    Reader,
    /// The mdoc (the holder's wallet).
    Holder,
}

impl Role {
    /// The 8-byte IV identifier of messages this role sends.
    fn identifier(self) -> [u8; 8] {
        match self {
            Role::Reader => [0, 0, 0, 0, 0, 0, 0, 0],
            Role::Holder => [0, 0, 0, 0, 0, 0, 0, 1],
        }
    }

    fn peer(self) -> Role {
        match self {
            Role::Reader => Role::Holder,
            Role::Holder => Role::Reader,
        }
    }
}

/// SKReader and SKDevice, zeroised on drop; no `Debug`.
pub struct SessionKeys {
    sk_reader: Zeroizing<[u8; 32]>,
    sk_device: Zeroizing<[u8; 32]>,
}

impl SessionKeys {
    /// Derives both keys from ECDH of `own` (one side's ephemeral private key) with `peer`
    /// (the other side's ephemeral public key), salted with SHA-256 of the transcript's
    /// `SessionTranscriptBytes` exactly as built or received.
    pub fn derive(
        own: &dyn KeyAgreement,
        peer: &EcPublicKey,
        transcript: &SessionTranscript,
    ) -> Result<Self, SessionError> {
        Self::derive_with(&crypto::RustCrypto, own, peer, transcript)
    }

    /// [`SessionKeys::derive`] with SHA-256 and HKDF computed by `provider` (the ECDH is
    /// `own`'s).
    pub fn derive_with(
        provider: &dyn CryptoProvider,
        own: &dyn KeyAgreement,
        peer: &EcPublicKey,
        transcript: &SessionTranscript,
    ) -> Result<Self, SessionError> {
        let shared = own.agree(peer).map_err(SessionError::KeyAgreement)?;
        let salt = provider.sha256(transcript.tagged_bytes());
        let derive = |info: &[u8]| -> Result<Zeroizing<[u8; 32]>, SessionError> {
            let okm = crypto::hkdf_sha256_with(provider, shared.as_bytes(), &salt, info, 32)
                .map_err(SessionError::KeyAgreement)?;
            let mut key = Zeroizing::new([0u8; 32]);
            if okm.len() != key.len() {
                return Err(SessionError::KeyAgreement(CryptoError::KdfLength));
            }
            key.copy_from_slice(&okm);
            Ok(key)
        };
        Ok(SessionKeys {
            sk_reader: derive(b"SKReader")?,
            sk_device: derive(b"SKDevice")?,
        })
    }

    /// The AES-256-GCM key of messages sent by `sender`.
    fn key_of(&self, sender: Role) -> Zeroizing<[u8; 32]> {
        match sender {
            Role::Reader => self.sk_reader.clone(),
            Role::Holder => self.sk_device.clone(),
        }
    }

    #[cfg(test)]
    pub(crate) fn sk_reader(&self) -> &[u8; 32] {
        &self.sk_reader
    }

    #[cfg(test)]
    pub(crate) fn sk_device(&self) -> &[u8; 32] {
        &self.sk_device
    }
}

/// The keys of one end: what it sends, what it receives (zeroised on drop), and the
/// provider that runs AES-256-GCM.
struct DirectionKeys {
    send: Zeroizing<[u8; 32]>,
    receive: Zeroizing<[u8; 32]>,
    provider: Arc<dyn CryptoProvider>,
}

/// One end's session encryption: encrypts what it sends, decrypts what it receives, with a
/// message counter per direction. No `Debug`.
pub struct SessionCipher {
    role: Role,
    /// The AES-256-GCM keys and the provider that runs it (boxed: states move).
    keys: Box<DirectionKeys>,
    /// The counter of the next message sent (from 1); `None` once 2³²−1 were used.
    pub(super) send_counter: Option<u32>,
    /// The counter the next message received must carry (from 1).
    pub(super) receive_counter: Option<u32>,
    /// Tags of recently accepted messages, newest last, to name replays.
    recent_tags: VecDeque<[u8; TAG_LEN]>,
}

impl SessionCipher {
    /// The cipher of `role`, with both counters at 1.
    pub fn new(keys: SessionKeys, role: Role) -> Result<Self, SessionError> {
        Self::with_provider(keys, role, crypto::default_provider())
    }

    /// [`SessionCipher::new`] with AES-256-GCM run by `provider`.
    pub fn with_provider(
        keys: SessionKeys,
        role: Role,
        provider: Arc<dyn CryptoProvider>,
    ) -> Result<Self, SessionError> {
        Ok(SessionCipher {
            role,
            keys: Box::new(DirectionKeys {
                send: keys.key_of(role),
                receive: keys.key_of(role.peer()),
                provider,
            }),
            send_counter: Some(1),
            receive_counter: Some(1),
            recent_tags: VecDeque::new(),
        })
    }

    /// Replaces the provider that runs AES-256-GCM.
    pub(crate) fn set_provider(&mut self, provider: Arc<dyn CryptoProvider>) {
        self.keys.provider = provider;
    }

    /// The provider that runs AES-256-GCM (the holder's response builder uses it too).
    pub(crate) fn provider(&self) -> &Arc<dyn CryptoProvider> {
        &self.keys.provider
    }

    /// This end's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Encrypts the next outgoing message: `ciphertext ‖ tag`.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, SessionError> {
        let counter = self.send_counter.ok_or(SessionError::CounterExhausted)?;
        let ciphertext = self
            .keys
            .provider
            .aes_256_gcm_seal(&self.keys.send, &nonce(self.role, counter), &[], plaintext)
            .map_err(|_| SessionError::MessageTooLong)?;
        self.send_counter = counter.checked_add(1);
        Ok(ciphertext)
    }

    /// Decrypts the next incoming message, which must carry exactly the next counter.
    ///
    /// Failures, none of which advance the counter: [`SessionError::CiphertextTooShort`] (no
    /// room for the tag), [`SessionError::Replayed`] (a message already accepted),
    /// [`SessionError::OutOfOrder`] (a message of at most 64 KiB from up to 8 counters
    /// ahead: one before it is missing), [`SessionError::Decryption`] (wrong key, or modified
    /// ciphertext or tag — AES-GCM cannot tell these apart — or a larger message from a later
    /// counter).
    ///
    /// Work: one AES-GCM open of the message; a failed message of at most 64 KiB is opened
    /// under up to 8 further counters (see `REORDER_PROBE_MAX_LEN`), a larger one never.
    pub fn decrypt(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>, SessionError> {
        let expected = self.receive_counter.ok_or(SessionError::CounterExhausted)?;
        let Some(tag) = ciphertext
            .len()
            .checked_sub(TAG_LEN)
            .and_then(|at| ciphertext.get(at..))
            .and_then(|t| <[u8; TAG_LEN]>::try_from(t).ok())
        else {
            return Err(SessionError::CiphertextTooShort);
        };
        let sender = self.role.peer();
        let open = |counter: u32| {
            self.keys.provider.aes_256_gcm_open(
                &self.keys.receive,
                &nonce(sender, counter),
                &[],
                ciphertext,
            )
        };
        if let Ok(mut plaintext) = open(expected) {
            self.receive_counter = expected.checked_add(1);
            if self.recent_tags.len() == REPLAY_MEMORY {
                self.recent_tags.pop_front();
            }
            self.recent_tags.push_back(tag);
            // The caller receives the plaintext as a plain `Vec`: move it out rather than
            // copying it and zeroising the original (a second copy of the same bytes, and a
            // byte-wise volatile wipe as long as the message).
            return Ok(std::mem::take(&mut *plaintext));
        }
        if self.recent_tags.contains(&tag) {
            return Err(SessionError::Replayed);
        }
        if ciphertext.len() > REORDER_PROBE_MAX_LEN {
            return Err(SessionError::Decryption);
        }
        for ahead in 1..=REORDER_WINDOW {
            let Some(received) = expected.checked_add(ahead) else {
                break;
            };
            if open(received).is_ok() {
                return Err(SessionError::OutOfOrder { expected, received });
            }
        }
        Err(SessionError::Decryption)
    }
}

/// The 12-byte IV: the sender's identifier ‖ the counter, big-endian.
fn nonce(sender: Role, counter: u32) -> [u8; AES_GCM_IV_LEN] {
    let mut iv = [0u8; AES_GCM_IV_LEN];
    let (identifier, count) = iv.split_at_mut(8);
    identifier.copy_from_slice(&sender.identifier());
    count.copy_from_slice(&counter.to_be_bytes());
    iv
}
