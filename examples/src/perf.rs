//! The performance report (`cargo run --release --example perf -- [--quick] [--json]`) and the
//! fixture the criterion benches (`tests/benches/perf.rs`) share with it.
//!
//! Every operation is measured next to its **floor**: the ECDSA verifications, signatures and
//! key agreements the operation cannot avoid (AES-256-GCM of the same message for the session
//! operations), each measured directly, in the same process and the same run, through the same
//! crypto calls the library makes. The report gives the median of each, the floor, and their
//! ratio; ratios, not absolute times, are what compare across machines and loads.
//!
//! | operation | what runs | floor |
//! |---|---|---|
//! | `issue` | a 10-element credential: salts, digests, MSO, issuerAuth | 1 ES256 sign |
//! | `present` | 3 of the 10 elements to a parsed request, device-signed | 1 ES256 sign |
//! | `verify_cold` | the whole verification, chain cache off | 3 ES256 verifies |
//! | `verify_cached` | the same with the document signer's chain cached | 2 ES256 verifies |
//! | `verify_annex_d` | the ISO 18013-5 Annex D response (deviceMac), chain cached | 1 verify + 1 ECDH |
//! | `session_encrypt` | one 4 KiB SessionData payload, holder → reader | AES-256-GCM seal of 4 KiB |
//! | `session_decrypt` | the same, decrypted by the reader | AES-256-GCM open of 4 KiB |
//! | `verify_status_cached` | `verify_cached` of a credential naming a status list, with the list in the checker's cache | the same verification without status (target ≤ 1.02) |
//! | `status_cold` | a status check of a 2^20-entry 1-bit list not cached, its signer chain known: resolve, parse, signature, inflate, read | 1 ES256 verify + zlib inflate of the same `lst` (target ≤ 1.10) |
//! | `status_cold_full` | the same on a fresh checker: the signer chain validated too | 2 ES256 verifies + inflate (target ≤ 1.10) |
//!
//! Samples are taken in rounds, each round timing every operation and every primitive once
//! (a batch of iterations long enough for the clock), so that load from other processes hits
//! operations and floors alike; the median over the rounds is reported.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::hint::black_box;
use std::time::{Duration, Instant};
use zhengzhao::verifier::VerifyOptions;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use std::sync::Arc;
use zhengzhao::cbor::{FullDate, Limits, Value};

use zhengzhao::crypto::compiled_providers;
use zhengzhao::crypto::{
    self, default_provider, CryptoProvider, EcPublicKey, Es256Signature, KeyAgreement, ProviderKey,
    Signer, SoftwareKey,
};
use zhengzhao::holder::{
    ParsedRequest, RequestOptions, RequestedDocument, RequestedElement, ResponseBuilder,
};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::session::{Role, SessionCipher, SessionKeys};
use zhengzhao::status::{
    Bits, StaticResolver, Status, StatusChecker, StatusListPublisher, StatusListRef, StatusOutcome,
    StatusReference,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::trust::{AnchorRole, Certificate, TrustStore};
use zhengzhao::verifier::{BatchItem, Verifier};

use crate::Error;

/// The mDL document type the fixture issues.
pub const MDL: &str = "org.iso.18013.5.1.mDL";
/// Its namespace.
pub const NS: &str = "org.iso.18013.5.1";
/// The size of the session message.
pub const SESSION_MESSAGE: usize = 4096;

const ANNEX_D_RESPONSE: &str =
    include_str!("../../tests/vectors/iso18013-5-annex-d/device_response.hex");
const ANNEX_D_TRANSCRIPT: &str =
    include_str!("../../tests/vectors/iso18013-5-annex-d/session_transcript_bytes.hex");
const ANNEX_D_IACA: &str =
    include_str!("../../tests/vectors/iso18013-5-annex-d/iaca_root_cert.der.hex");
const ANNEX_D_READER_KEY: &str =
    include_str!("../../tests/vectors/iso18013-5-annex-d/ephemeral_reader_key.d.hex");

fn unhex(text: &str) -> Result<Vec<u8>, Error> {
    let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(hex::decode(clean)?)
}

/// Ten mDL elements (synthetic values).
pub fn ten_elements() -> Result<Vec<(&'static str, Value)>, Error> {
    let date = |s: &str| FullDate::parse(s).map(|d| d.to_value());
    Ok(vec![
        ("family_name", Value::text("张")),
        ("given_name", Value::text("三")),
        ("birth_date", date("1990-03-04")?),
        ("issue_date", date("2024-01-15")?),
        ("expiry_date", date("2030-01-15")?),
        ("issuing_country", Value::text("CN")),
        (
            "issuing_authority",
            Value::text("北京市公安局公安交通管理局"),
        ),
        ("document_number", Value::text("110101199003041234")),
        ("age_over_18", Value::Bool(true)),
        (
            "driving_privileges",
            Value::Array(vec![Value::Map(vec![
                (Value::text("vehicle_category_code"), Value::text("C1")),
                (Value::text("issue_date"), date("2024-01-15")?),
            ])]),
        ),
    ])
}

/// The elements a verifier asks for and the holder presents.
pub const PRESENTED: [&str; 3] = ["family_name", "age_over_18", "document_number"];

/// Everything the measured operations need, set up once and checked to succeed.
pub struct Fixture {
    /// The time everything is valid at.
    pub now: UnixTime,
    issuer: Issuer,
    device_key: SoftwareKey,
    device_public: EcPublicKey,
    /// The 10-element credential.
    pub credential: Credential,
    /// The session transcript of the presentation.
    pub transcript: SessionTranscript,
    request: RequestedDocument,
    approved: Vec<RequestedElement>,
    /// The device-signed DeviceResponse with 3 of the 10 elements.
    pub response: Vec<u8>,
    /// One set of verifiers per compiled-in provider, the default first.
    providers: Vec<ProviderSet>,
    annex_d: AnnexD,
    floor: FloorInputs,
    session_keys: (SoftwareKey, SoftwareKey),
    status: StatusFixture,
}

/// Entries of the status list the fixture publishes (2^20, one bit each: 128 KiB inflated).
pub const STATUS_ENTRIES: usize = 1 << 20;
/// How many of them are revoked (random indexes).
pub const STATUS_REVOKED: usize = 1000;
const STATUS_URI: &str = "https://status.example.cn/perf/1";

/// The status-list part of the fixture.
struct StatusFixture {
    /// The DeviceResponse of a credential whose MSO names the list (its entry valid).
    response: Vec<u8>,
    reference: StatusReference,
    resolver: Arc<StaticResolver>,
    iaca: Certificate,
    document_signer: Certificate,
    /// Holds the list (cache warmed by [`Fixture::new`]).
    cached: StatusChecker,
    /// Never reuses a list (max cache age 0), but knows the signer chain after the first.
    known_signer: StatusChecker,
    token_bytes: usize,
    inflated_bytes: usize,
    // The floor's inputs: the token's Sig_structure, signature and signer key, and its `lst`.
    to_be_signed: Vec<u8>,
    signature: Es256Signature,
    signer_key: EcPublicKey,
    lst: Vec<u8>,
}

struct AnnexD {
    response: Vec<u8>,
    transcript: SessionTranscript,
    trust: TrustStore,
    reader_key: [u8; 32],
    at: UnixTime,
}

/// The verifiers of one crypto provider.
pub struct ProviderSet {
    /// The provider.
    pub provider: Arc<dyn CryptoProvider>,
    /// `""` for the default provider, else `"@<name>"`.
    pub suffix: String,
    cold: Verifier,
    cached: Verifier,
    annex_d: Verifier,
    annex_d_reader_key: ProviderKey,
}

struct FloorInputs {
    message: [u8; 100],
    key: SoftwareKey,
    prebuilt: p256::ecdsa::SigningKey,
    public: EcPublicKey,
    signature: Vec<u8>,
    peer: EcPublicKey,
    aead: Aes256Gcm,
    plaintext: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl Fixture {
    /// Generates a test PKI, issues the credential, presents it once, loads the Annex D
    /// vector, and runs every operation once to check it succeeds.
    pub fn new() -> Result<Self, Error> {
        let now = UnixTime::now();
        let pki = TestPki::generate(now)?;
        let trust = pki.issuer_trust_store();
        let mut publisher = StatusListPublisher::new(STATUS_URI, Bits::One, STATUS_ENTRIES)?;
        for _ in 0..STATUS_REVOKED {
            let i = publisher.allocate()?;
            publisher.set(i, Status::Invalid)?;
        }
        let status_index = publisher.allocate()?;
        let status_token = publisher.sign(
            &pki.status_signer_key,
            std::slice::from_ref(&pki.status_signer),
            now,
        )?;
        let status_reference = StatusReference {
            status_list: Some(StatusListRef {
                idx: status_index,
                uri: STATUS_URI.into(),
                certificate: None,
            }),
            ..Default::default()
        };
        let (iaca, document_signer) = (pki.iaca.clone(), pki.document_signer.clone());
        let signer_key = pki.status_signer.public_key()?;
        let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
        let device_key = SoftwareKey::generate()?;
        let transcript = SessionTranscript::new(None, None, &Value::text("perf handover"));
        let mut items = ItemsRequest::new(MDL);
        for e in PRESENTED {
            items = items.with_element(NS, e, false);
        }
        let request_bytes = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
        let parsed = ParsedRequest::parse(&request_bytes, &transcript, &RequestOptions::new(now))?;
        let request = parsed
            .documents()
            .first()
            .ok_or("the request has no document")?
            .clone();

        let mut annex_trust = TrustStore::new();
        annex_trust.add_pem_or_der(&unhex(ANNEX_D_IACA)?, AnchorRole::IssuingAuthority)?;
        let annex_d = AnnexD {
            response: unhex(ANNEX_D_RESPONSE)?,
            transcript: SessionTranscript::from_tagged_bytes(
                &unhex(ANNEX_D_TRANSCRIPT)?,
                &Limits::default(),
            )?,
            trust: annex_trust,
            reader_key: unhex(ANNEX_D_READER_KEY)?
                .try_into()
                .map_err(|_| "reader key length")?,
            at: UnixTime::parse_rfc3339("2021-01-01T00:00:00Z")?,
        };
        let default_name = default_provider().name();
        let mut providers = Vec::new();
        for provider in compiled_providers() {
            let suffix = if provider.name() == default_name {
                String::new()
            } else {
                format!("@{}", provider.name())
            };
            providers.push(ProviderSet {
                suffix,
                cold: Verifier::new(trust.clone())
                    .with_chain_cache(0)
                    .with_provider(provider.clone()),
                cached: Verifier::new(trust.clone()).with_provider(provider.clone()),
                annex_d: Verifier::new(annex_d.trust.clone()).with_provider(provider.clone()),
                annex_d_reader_key: ProviderKey::new(
                    SoftwareKey::from_bytes(&annex_d.reader_key)?,
                    provider.clone(),
                ),
                provider,
            });
        }

        let key = SoftwareKey::generate()?;
        let message = [0x5a; 100];
        let signature = key.sign(&message)?;
        let aead = Aes256Gcm::new_from_slice(&[7u8; 32]).map_err(|_| "AES key")?;
        let plaintext = vec![0x42; SESSION_MESSAGE];
        let ciphertext = aead
            .encrypt(&Nonce::from([1u8; 12]), plaintext.as_slice())
            .map_err(|_| "AES-GCM")?;
        let prebuilt =
            p256::ecdsa::SigningKey::from_slice(key.to_bytes().as_slice()).map_err(|_| "key")?;
        let floor = FloorInputs {
            message,
            prebuilt,
            public: key.public(),
            key,
            signature,
            peer: SoftwareKey::generate()?.public(),
            aead,
            plaintext,
            ciphertext,
        };

        let (to_be_signed, signature, lst) = token_floor_inputs(&status_token)?;
        let resolver = Arc::new(StaticResolver::new().with(STATUS_URI, status_token.clone()));
        let status_credential = Self::issue_with_status(
            &issuer,
            &device_key.public(),
            now,
            Some(status_reference.clone()),
        )?;
        let status = StatusFixture {
            response: Vec::new(),
            reference: status_reference,
            cached: StatusChecker::new(resolver.clone()),
            known_signer: StatusChecker::new(resolver.clone()).with_max_cache_age(0),
            resolver,
            iaca,
            document_signer,
            token_bytes: status_token.len(),
            inflated_bytes: 0,
            to_be_signed,
            signature,
            signer_key,
            lst,
        };

        let mut fixture = Fixture {
            now,
            status,
            credential: Self::issue_with(&issuer, &device_key.public(), now)?,
            issuer,
            device_public: device_key.public(),
            device_key,
            transcript,
            approved: Vec::new(),
            request,
            response: Vec::new(),
            providers,
            annex_d,
            floor,
            session_keys: (SoftwareKey::generate()?, SoftwareKey::generate()?),
        };
        fixture.approved = fixture.request.disclosable(&fixture.credential);
        if fixture.approved.len() != PRESENTED.len() {
            return Err("the credential cannot answer the request".into());
        }
        fixture.response = fixture.present()?;
        let mut builder = ResponseBuilder::new(&fixture.transcript);
        builder.add_document(
            &status_credential,
            &fixture.request,
            &fixture.approved,
            &fixture.device_key,
        )?;
        fixture.status.response = builder.finish();
        fixture.status.inflated_bytes = fixture
            .status
            .cached
            .fetch_list(
                STATUS_URI,
                &fixture.status.iaca,
                Some(&fixture.status.document_signer),
                now,
            )?
            .list()?
            .as_bytes()
            .len();
        fixture.check()?;
        Ok(fixture)
    }

    fn issue_with(
        issuer: &Issuer,
        device_key: &EcPublicKey,
        now: UnixTime,
    ) -> Result<Credential, Error> {
        Self::issue_with_status(issuer, device_key, now, None)
    }

    fn issue_with_status(
        issuer: &Issuer,
        device_key: &EcPublicKey,
        now: UnixTime,
        status: Option<StatusReference>,
    ) -> Result<Credential, Error> {
        let mut builder = issuer.credential(MDL);
        for (id, v) in ten_elements()? {
            builder = builder.element(NS, id, v);
        }
        if let Some(status) = status {
            builder = builder.status(status);
        }
        Ok(builder
            .device_key(device_key.clone())
            .validity(now, now.add_secs(-60), now.add_secs(365 * 86_400))
            .sign()?)
    }

    fn check(&self) -> Result<(), Error> {
        let issued = self.issue()?;
        if issued
            .issuer_signed
            .namespaces
            .iter()
            .map(|(_, items)| items.len())
            .sum::<usize>()
            != 10
        {
            return Err("issue: not 10 elements".into());
        }
        for set in &self.providers {
            for (name, verified) in [
                ("verify_cold", self.verify_cold(set)?),
                ("verify_cached", self.verify_cached(set)?),
            ] {
                let n: usize = verified
                    .documents
                    .iter()
                    .map(|d| d.issuer_signed[NS].len())
                    .sum();
                if n != PRESENTED.len() {
                    return Err(format!("{name}{}: {n} elements", set.suffix).into());
                }
            }
            if self.verify_annex_d(set)?.documents.len() != 1 {
                return Err(format!("verify_annex_d{}: no document", set.suffix).into());
            }
            if !self.floor_verify(set) {
                return Err(format!("es256_verify{}: fails", set.suffix).into());
            }
            let signature = self.floor_sign(set)?;
            crypto::verify_es256(&self.floor.public, &self.floor.message, &signature)?;
            if self.floor_ecdh(set)?
                != *zhengzhao::danger::shared_secret_bytes(&self.floor.key.agree(&self.floor.peer)?)
            {
                return Err(format!("ecdh{}: disagrees", set.suffix).into());
            }
        }
        crypto::verify_es256(
            &self.floor.public,
            &self.floor.message,
            &self.sign_prebuilt(),
        )?;
        let with_status = self.verify_status(true)?;
        if with_status
            .documents
            .first()
            .and_then(|d| d.status.as_ref())
            != Some(&StatusOutcome::Valid)
        {
            return Err("verify_status_cached: status not checked valid".into());
        }
        if self
            .verify_status(false)?
            .documents
            .first()
            .map(|d| d.status.is_some())
            != Some(false)
        {
            return Err("verify_status_off: status checked".into());
        }
        for (name, outcome) in [
            ("status_cold", self.status_cold()),
            ("status_cold_full", self.status_cold_full()),
        ] {
            if outcome != StatusOutcome::Valid {
                return Err(format!("{name}: {outcome}").into());
            }
        }
        if self.status_floor()? != self.status.inflated_bytes {
            return Err("status floor: inflated size differs".into());
        }
        let mut holder = self.session_cipher(Role::Holder)?;
        let mut reader = self.session_cipher(Role::Reader)?;
        let sealed = holder.encrypt(&self.floor.plaintext)?;
        if reader.decrypt(&sealed)? != self.floor.plaintext {
            return Err("session: round trip".into());
        }
        Ok(())
    }

    /// `issue`: a new 10-element credential, signed by the document signer.
    pub fn issue(&self) -> Result<Credential, Error> {
        Self::issue_with(&self.issuer, &self.device_public, self.now)
    }

    /// `present`: the DeviceResponse with the 3 approved elements, device-signed.
    pub fn present(&self) -> Result<Vec<u8>, Error> {
        let mut builder = ResponseBuilder::new(&self.transcript);
        builder.add_document(
            &self.credential,
            &self.request,
            &self.approved,
            &self.device_key,
        )?;
        Ok(builder.finish())
    }

    /// The verifier sets, one per compiled-in provider, the default first.
    pub fn providers(&self) -> &[ProviderSet] {
        &self.providers
    }

    /// `verify_cold`: [`Fixture::response`] with the chain cache off.
    pub fn verify_cold(
        &self,
        set: &ProviderSet,
    ) -> Result<zhengzhao::verifier::VerifiedResponse, Error> {
        Ok(set.cold.verify(
            &self.response,
            &VerifyOptions::new(&self.transcript, self.now),
        )?)
    }

    /// `verify_cached`: [`Fixture::response`] with the document signer's chain cached.
    pub fn verify_cached(
        &self,
        set: &ProviderSet,
    ) -> Result<zhengzhao::verifier::VerifiedResponse, Error> {
        Ok(set.cached.verify(
            &self.response,
            &VerifyOptions::new(&self.transcript, self.now),
        )?)
    }

    /// `verify_annex_d`: the Annex D response at 2021-01-01 with its reader key (deviceMac,
    /// the key agreement on the same provider), chain cached.
    pub fn verify_annex_d(
        &self,
        set: &ProviderSet,
    ) -> Result<zhengzhao::verifier::VerifiedResponse, Error> {
        let a = &self.annex_d;
        Ok(set.annex_d.verify(
            &a.response,
            &VerifyOptions::new(&a.transcript, a.at).with_reader_key(&set.annex_d_reader_key),
        )?)
    }

    /// `verify_status_cached` (`with_status` true; the list is in the checker's cache) and its
    /// floor `verify_status_off` (false): the status credential's response, chain cached.
    pub fn verify_status(
        &self,
        with_status: bool,
    ) -> Result<zhengzhao::verifier::VerifiedResponse, Error> {
        let set = self.providers.first().ok_or("no provider")?;
        let mut options = VerifyOptions::new(&self.transcript, self.now);
        if with_status {
            options = options.with_status(&self.status.cached);
        }
        Ok(set.cached.verify(&self.status.response, &options)?)
    }

    /// `status_cold`: the list resolved, parsed, its signature verified, inflated and read;
    /// the checker knows the signer chain from an earlier list.
    pub fn status_cold(&self) -> StatusOutcome {
        let s = &self.status;
        s.known_signer
            .check(&s.reference, Some(&s.iaca), &s.document_signer, self.now)
    }

    /// `status_cold_full`: the same on a fresh checker, so the signer chain is validated too.
    pub fn status_cold_full(&self) -> StatusOutcome {
        let s = &self.status;
        StatusChecker::new(s.resolver.clone()).check(
            &s.reference,
            Some(&s.iaca),
            &s.document_signer,
            self.now,
        )
    }

    /// Floor of `status_cold`: the token's ES256 signature verified with the signer's key on
    /// the default provider, and its `lst` inflated with `miniz_oxide` directly, in one pass
    /// into a buffer allocated once at the inflated size (known here, not to a checker), the
    /// Adler-32 checked. Returns the inflated size.
    pub fn status_floor(&self) -> Result<usize, Error> {
        use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
        let s = &self.status;
        let provider = &self.providers.first().ok_or("no provider")?.provider;
        provider.verify_es256(&s.signer_key, &s.to_be_signed, &s.signature)?;
        let mut out = vec![0u8; s.inflated_bytes.max(1)];
        let mut state = Box::<DecompressorOxide>::default();
        let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
            | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
            | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32;
        let (status, _, produced) = decompress(&mut state, &s.lst, &mut out, 0, flags);
        if status != miniz_oxide::inflate::TINFLStatus::Done {
            return Err(format!("status floor: inflate {status:?}").into());
        }
        Ok(produced)
    }

    /// A session cipher for `role`, both ends derived from the same two ephemeral keys.
    pub fn session_cipher(&self, role: Role) -> Result<SessionCipher, Error> {
        let (holder, reader) = &self.session_keys;
        let keys = match role {
            Role::Holder => SessionKeys::derive(holder, &reader.public(), &self.transcript)?,
            Role::Reader => SessionKeys::derive(reader, &holder.public(), &self.transcript)?,
        };
        Ok(SessionCipher::new(keys, role)?)
    }

    /// The 4 KiB session message.
    pub fn session_message(&self) -> &[u8] {
        &self.floor.plaintext
    }

    /// Floor: one ES256 verification (100-byte message) on `set`'s provider, as the
    /// verifier calls it.
    pub fn floor_verify(&self, set: &ProviderSet) -> bool {
        let f = &self.floor;
        Es256Signature::from_raw(&f.signature)
            .and_then(|sig| set.provider.verify_es256(&f.public, &f.message, &sig))
            .is_ok()
    }

    /// Floor: one ES256 signature (100-byte message) with a software key on `set`'s provider.
    pub fn floor_sign(&self, set: &ProviderSet) -> Result<[u8; 64], Error> {
        Ok(set
            .provider
            .sign_es256(&self.floor.key, &self.floor.message)?)
    }

    /// One ES256 signature with a `p256` signing key built once (the scalar multiplication
    /// for its public key done ahead), for comparison with [`Fixture::floor_sign`].
    pub fn sign_prebuilt(&self) -> [u8; 64] {
        use p256::ecdsa::signature::Signer as _;
        let signature: p256::ecdsa::Signature = self.floor.prebuilt.sign(&self.floor.message);
        signature.to_bytes().into()
    }

    /// Floor: one P-256 key agreement on `set`'s provider.
    pub fn floor_ecdh(&self, set: &ProviderSet) -> Result<[u8; 32], Error> {
        Ok(*zhengzhao::danger::shared_secret_bytes(
            &set.provider.ecdh(&self.floor.key, &self.floor.peer)?,
        ))
    }

    /// Floor: AES-256-GCM seal of the 4 KiB message.
    pub fn floor_seal(&self) -> Result<Vec<u8>, Error> {
        let f = &self.floor;
        f.aead
            .encrypt(&Nonce::from([1u8; 12]), f.plaintext.as_slice())
            .map_err(|_| "AES-GCM".into())
    }

    /// Floor: AES-256-GCM open of the 4 KiB message.
    pub fn floor_open(&self) -> Result<Vec<u8>, Error> {
        let f = &self.floor;
        f.aead
            .decrypt(&Nonce::from([1u8; 12]), f.ciphertext.as_slice())
            .map_err(|_| "AES-GCM".into())
    }

    /// `n` batch items verifying [`Fixture::response`] (device-signed, chain cached).
    pub fn batch_items(&self, n: usize) -> Vec<BatchItem<'_>> {
        (0..n)
            .map(|_| {
                BatchItem::new(
                    &self.response,
                    VerifyOptions::new(&self.transcript, self.now),
                )
            })
            .collect()
    }

    /// The default provider's verifier with the chain cache on, for batch measurements.
    pub fn cached_verifier(&self) -> Result<&Verifier, Error> {
        Ok(&self.providers.first().ok_or("no provider")?.cached)
    }
}

/// The Sig_structure, the signature and the `lst` of a Status List Token, taken apart with
/// the CBOR decoder (for the floor of `status_cold`).
fn token_floor_inputs(token: &[u8]) -> Result<(Vec<u8>, Es256Signature, Vec<u8>), Error> {
    let v = zhengzhao::cbor::decode(token)?;
    let parts = v
        .as_tag()
        .and_then(|(_, inner)| inner.as_array())
        .ok_or("token: not a tagged array")?;
    let bytes = |i: usize| {
        parts
            .get(i)
            .and_then(Value::as_bytes)
            .ok_or("token: part not bytes")
    };
    let (protected, payload, signature) = (bytes(0)?, bytes(2)?, bytes(3)?);
    let to_be_signed = zhengzhao::cbor::encode(&Value::Array(vec![
        Value::text("Signature1"),
        Value::Bytes(protected.to_vec()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.to_vec()),
    ]));
    let claims = zhengzhao::cbor::decode(payload)?;
    let lst = claims
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_integer() == Some(65533)))
        .and_then(|(_, list)| list.as_map())
        .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some("lst")))
        .and_then(|(_, lst)| lst.as_bytes())
        .ok_or("token: no status_list.lst")?
        .to_vec();
    Ok((to_be_signed, Es256Signature::from_raw(signature)?, lst))
}

/// Options of the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Fewer rounds: the whole report in well under a minute.
    pub quick: bool,
    /// Print JSON instead of a table.
    pub json: bool,
}

/// One measured thing: an untimed `prepare(n)` before each batch of `n` timed `run()`s.
struct Thing<'a> {
    name: String,
    prepare: Box<dyn FnMut(usize) -> Result<(), Error> + 'a>,
    run: Box<dyn FnMut() -> Result<(), Error> + 'a>,
    batch: usize,
    samples: Vec<f64>,
}

impl<'a> Thing<'a> {
    fn new(name: impl Into<String>, run: impl FnMut() -> Result<(), Error> + 'a) -> Self {
        Thing {
            name: name.into(),
            prepare: Box::new(|_| Ok(())),
            run: Box::new(run),
            batch: 1,
            samples: Vec::new(),
        }
    }

    fn with_prepare(mut self, prepare: impl FnMut(usize) -> Result<(), Error> + 'a) -> Self {
        self.prepare = Box::new(prepare);
        self
    }

    /// Times one batch; returns microseconds per iteration.
    fn sample(&mut self) -> Result<f64, Error> {
        (self.prepare)(self.batch)?;
        let start = Instant::now();
        for _ in 0..self.batch {
            (self.run)()?;
        }
        Ok(start.elapsed().as_secs_f64() * 1e6 / self.batch as f64)
    }

    fn median(&self) -> f64 {
        median(&self.samples)
    }
}

fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Measures `things` in interleaved rounds: warm-up and batch sizing, then `rounds` rounds.
fn measure(things: &mut [Thing<'_>], warm_up: Duration, rounds: usize) -> Result<(), Error> {
    for t in things.iter_mut() {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < warm_up || n < 3 {
            t.sample()?;
            n += 1;
        }
        let per_iteration = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        // Each sample at least ~300 µs, so the clock's resolution does not matter.
        t.batch = ((300.0 / per_iteration).ceil() as usize).clamp(1, 10_000);
    }
    for _ in 0..rounds {
        for t in things.iter_mut() {
            let us = t.sample()?;
            t.samples.push(us);
        }
    }
    Ok(())
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Operation name, with `@provider` when not the default.
    pub name: String,
    /// Median time of the operation, µs.
    pub median_us: f64,
    /// Its floor, µs.
    pub floor_us: f64,
    /// What the floor is made of.
    pub floor_is: String,
}

impl Row {
    /// `median_us / floor_us`.
    pub fn ratio(&self) -> f64 {
        self.median_us / self.floor_us
    }
}

/// Batch throughput on 1 and 2 threads.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchReport {
    /// Responses per batch.
    pub items: usize,
    /// Median responses per second on one thread.
    pub per_second_1: f64,
    /// Median responses per second on two threads.
    pub per_second_2: f64,
    /// Process CPU time over wall time during the 2-thread runs (Linux only): how many cores
    /// the machine actually gave the batch. Near 2 on an idle 2-core machine; when other
    /// processes hold the cores it is lower, and so is the speedup.
    pub cores_obtained_2: Option<f64>,
    /// CPU time per response, µs, on 1 and on 2 threads (Linux only): equal when the threads
    /// do not contend with each other (no lock or allocator serialisation).
    pub cpu_us_per_item: Option<(f64, f64)>,
}

/// The status list measured, and the targets of the status rows.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusReport {
    /// Entries in the list.
    pub entries: usize,
    /// Entries revoked.
    pub revoked: usize,
    /// The Status List Token's size, bytes.
    pub token_bytes: usize,
    /// The inflated list, bytes (what a checker holds per cached list).
    pub inflated_bytes: usize,
    /// `status_cold_full` over the floor of `status_cold` (1 verify + inflate): what the
    /// signer chain's own verification costs on a fresh checker.
    pub cold_full_over_one_verify: f64,
}

/// The status rows' targets (ratio to their floor).
pub const STATUS_TARGETS: [(&str, f64); 3] = [
    ("verify_status_cached", 1.02),
    ("status_cold", 1.10),
    ("status_cold_full", 1.10),
];

/// CPU time (user + system) of this process so far, from `/proc/self/stat` (Linux; ticks of
/// 1/100 s), or `None` elsewhere.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// One row per operation.
    pub rows: Vec<Row>,
    /// Medians of the primitives, µs, by name.
    pub primitives: Vec<(String, f64)>,
    /// Each verify operation on a non-default provider against the same operation on the
    /// default one: (operation with suffix, default operation, median ratio).
    pub providers: Vec<(String, String, f64)>,
    /// Batch verification throughput.
    pub batch: BatchReport,
    /// The status list's sizes, and the fully cold check against the one-verify floor.
    pub status: StatusReport,
    /// Rounds measured.
    pub rounds: usize,
}

/// Runs the measurements.
pub fn run(options: Options) -> Result<Report, Error> {
    let (warm_up, rounds) = if options.quick {
        (Duration::from_millis(30), 40)
    } else {
        (Duration::from_millis(300), 2000)
    };
    let f = Fixture::new()?;

    let holder = RefCell::new(f.session_cipher(Role::Holder)?);
    // The decrypting reader's own sender, so that its counters stay in step.
    let sender = RefCell::new(f.session_cipher(Role::Holder)?);
    let reader = RefCell::new(f.session_cipher(Role::Reader)?);
    let queue = RefCell::new(VecDeque::<Vec<u8>>::new());
    let message = f.session_message();

    let mut things = vec![
        Thing::new("issue", || f.issue().map(|c| drop(black_box(c)))),
        Thing::new("present", || f.present().map(|r| drop(black_box(r)))),
        Thing::new("session_encrypt", || {
            let sealed = holder.borrow_mut().encrypt(black_box(message))?;
            black_box(sealed);
            Ok(())
        }),
        // The reader decrypts messages in counter order: each batch's messages are sealed
        // (untimed) by the holder first.
        Thing::new("session_decrypt", || {
            let sealed = queue.borrow_mut().pop_front().ok_or("queue empty")?;
            black_box(reader.borrow_mut().decrypt(&sealed)?);
            Ok(())
        })
        .with_prepare(|n| {
            let mut q = queue.borrow_mut();
            let mut h = sender.borrow_mut();
            for _ in 0..n {
                q.push_back(h.encrypt(message)?);
            }
            Ok(())
        }),
        Thing::new("aes256gcm_seal_4k", || {
            f.floor_seal().map(|s| drop(black_box(s)))
        }),
        Thing::new("aes256gcm_open_4k", || {
            f.floor_open().map(|s| drop(black_box(s)))
        }),
        Thing::new("es256_sign_prebuilt_key", || {
            black_box(f.sign_prebuilt());
            Ok(())
        }),
        Thing::new("verify_status_cached", || {
            f.verify_status(true).map(|r| drop(black_box(r)))
        }),
        Thing::new("verify_status_off", || {
            f.verify_status(false).map(|r| drop(black_box(r)))
        }),
        Thing::new("status_cold", || {
            black_box(f.status_cold());
            Ok(())
        }),
        Thing::new("status_cold_full", || {
            black_box(f.status_cold_full());
            Ok(())
        }),
        Thing::new("status_floor_verify_inflate", || {
            f.status_floor().map(|n| {
                black_box(n);
            })
        }),
    ];
    for set in f.providers() {
        let x = &set.suffix;
        things.extend([
            Thing::new(format!("verify_cold{x}"), || {
                f.verify_cold(set).map(|r| drop(black_box(r)))
            }),
            Thing::new(format!("verify_cached{x}"), || {
                f.verify_cached(set).map(|r| drop(black_box(r)))
            }),
            Thing::new(format!("verify_annex_d{x}"), || {
                f.verify_annex_d(set).map(|r| drop(black_box(r)))
            }),
            Thing::new(format!("es256_verify{x}"), || {
                if black_box(f.floor_verify(set)) {
                    Ok(())
                } else {
                    Err("floor verify failed".into())
                }
            }),
            Thing::new(format!("es256_sign{x}"), || {
                f.floor_sign(set).map(|s| {
                    black_box(s);
                })
            }),
            Thing::new(format!("ecdh{x}"), || {
                f.floor_ecdh(set).map(|s| {
                    black_box(s);
                })
            }),
        ]);
    }
    measure(&mut things, warm_up, rounds)?;
    let m = |name: &str| {
        things
            .iter()
            .find(|t| t.name == name)
            .map_or(f64::NAN, Thing::median)
    };
    let row = |name: String, floor_us: f64, floor_is: &str| Row {
        median_us: m(&name),
        name,
        floor_us,
        floor_is: floor_is.to_owned(),
    };
    let sign = m("es256_sign");
    let mut rows = vec![
        row("issue".into(), sign, "1 sign"),
        row("present".into(), sign, "1 sign"),
    ];
    for set in f.providers() {
        let x = &set.suffix;
        let (verify, ecdh) = (m(&format!("es256_verify{x}")), m(&format!("ecdh{x}")));
        rows.extend([
            row(format!("verify_cold{x}"), 3.0 * verify, "3 verify"),
            row(format!("verify_cached{x}"), 2.0 * verify, "2 verify"),
            row(
                format!("verify_annex_d{x}"),
                verify + ecdh,
                "1 verify + 1 ECDH",
            ),
        ]);
    }
    rows.extend([
        row(
            "session_encrypt".into(),
            m("aes256gcm_seal_4k"),
            "AES-GCM seal 4 KiB",
        ),
        row(
            "session_decrypt".into(),
            m("aes256gcm_open_4k"),
            "AES-GCM open 4 KiB",
        ),
    ]);
    let status_floor = m("status_floor_verify_inflate");
    rows.extend([
        row(
            "verify_status_cached".into(),
            m("verify_status_off"),
            "the same verify without status",
        ),
        row("status_cold".into(), status_floor, "1 verify + inflate"),
        row(
            "status_cold_full".into(),
            status_floor + m("es256_verify"),
            "2 verify + inflate",
        ),
    ]);
    let status = StatusReport {
        entries: STATUS_ENTRIES,
        revoked: STATUS_REVOKED,
        token_bytes: f.status.token_bytes,
        inflated_bytes: f.status.inflated_bytes,
        cold_full_over_one_verify: m("status_cold_full") / status_floor,
    };
    let mut providers = Vec::new();
    for set in f.providers().iter().filter(|s| !s.suffix.is_empty()) {
        for op in ["verify_cold", "verify_cached", "verify_annex_d"] {
            let name = format!("{op}{}", set.suffix);
            let ratio = m(&name) / m(op);
            providers.push((name, op.to_owned(), ratio));
        }
    }
    let row_names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let primitives = things
        .iter()
        .filter(|t| !row_names.contains(&t.name.as_str()))
        .map(|t| (t.name.clone(), t.median()))
        .collect();
    drop(things);

    let batch = measure_batch(&f, options.quick)?;
    Ok(Report {
        rows,
        primitives,
        providers,
        batch,
        status,
        rounds,
    })
}

/// Throughput of [`Verifier::verify_batch`] on 1 and 2 threads, interleaved, median of runs.
fn measure_batch(f: &Fixture, quick: bool) -> Result<BatchReport, Error> {
    let (items, runs) = if quick { (32, 5) } else { (256, 15) };
    let batch = f.batch_items(items);
    let verifier = f.cached_verifier()?;
    let mut per_second = [Vec::new(), Vec::new()];
    let mut wall = [Duration::ZERO; 2];
    let mut cpu = [Some(Duration::ZERO); 2];
    for _ in 0..runs {
        for (slot, threads) in [1usize, 2].into_iter().enumerate() {
            let cpu_before = process_cpu();
            let start = Instant::now();
            let results = verifier.verify_batch(&batch, threads);
            let elapsed = start.elapsed();
            let cpu_used = process_cpu()
                .zip(cpu_before)
                .map(|(a, b)| a.saturating_sub(b));
            if results.iter().any(Result::is_err) || results.len() != items {
                return Err("batch verification failed".into());
            }
            per_second[slot].push(items as f64 / elapsed.as_secs_f64());
            wall[slot] += elapsed;
            cpu[slot] = cpu[slot].zip(cpu_used).map(|(a, b)| a + b);
        }
    }
    let total = (runs * items) as f64;
    let [cpu_1, cpu_2] = cpu;
    Ok(BatchReport {
        items,
        per_second_1: median(&per_second[0]),
        per_second_2: median(&per_second[1]),
        cores_obtained_2: cpu_2.map(|c| c.as_secs_f64() / wall[1].as_secs_f64()),
        cpu_us_per_item: cpu_1
            .zip(cpu_2)
            .map(|(a, b)| (a.as_secs_f64() * 1e6 / total, b.as_secs_f64() * 1e6 / total)),
    })
}

impl Report {
    /// The report as JSON: `{"operations": [{"name", "median_us", "floor_us", "ratio"}], ...}`.
    pub fn to_json(&self) -> serde_json::Value {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        serde_json::json!({
            "operations": self.rows.iter().map(|r| serde_json::json!({
                "name": r.name,
                "median_us": round(r.median_us),
                "floor_us": round(r.floor_us),
                "ratio": round(r.ratio()),
                "floor": r.floor_is,
            })).collect::<Vec<_>>(),
            "primitives": self.primitives.iter().map(|(n, us)| serde_json::json!({
                "name": n,
                "median_us": round(*us),
            })).collect::<Vec<_>>(),
            "providers": self.providers.iter().map(|(n, base, ratio)| serde_json::json!({
                "name": n,
                "default": base,
                "ratio": round(*ratio),
            })).collect::<Vec<_>>(),
            "batch": {
                "items": self.batch.items,
                "threads_1_per_s": round(self.batch.per_second_1),
                "threads_2_per_s": round(self.batch.per_second_2),
                "speedup": round(self.batch.per_second_2 / self.batch.per_second_1),
                "cores_obtained_2": self.batch.cores_obtained_2.map(round),
                "cpu_us_per_item_1": self.batch.cpu_us_per_item.map(|c| round(c.0)),
                "cpu_us_per_item_2": self.batch.cpu_us_per_item.map(|c| round(c.1)),
            },
            "status": {
                "entries": self.status.entries,
                "revoked": self.status.revoked,
                "token_bytes": self.status.token_bytes,
                "inflated_bytes": self.status.inflated_bytes,
                "cold_full_over_one_verify": round(self.status.cold_full_over_one_verify),
                "targets": STATUS_TARGETS.iter().map(|(name, target)| {
                    let ratio = self.rows.iter().find(|r| r.name == *name).map(Row::ratio);
                    serde_json::json!({
                        "name": name,
                        "target": target,
                        "ratio": ratio.map(round),
                        "met": ratio.map(|r| r <= *target),
                    })
                }).collect::<Vec<_>>(),
            },
            "rounds": self.rounds,
        })
    }

    /// The report as a table for the terminal.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{:<24} {:>11} {:>11} {:>7}  floor\n",
            "operation", "median µs", "floor µs", "ratio"
        );
        for r in &self.rows {
            out.push_str(&format!(
                "{:<24} {:>11.1} {:>11.1} {:>7.3}  {}\n",
                r.name,
                r.median_us,
                r.floor_us,
                r.ratio(),
                r.floor_is
            ));
        }
        out.push_str("\nprimitives (median µs):");
        for (n, us) in &self.primitives {
            out.push_str(&format!(" {n} {us:.2};"));
        }
        for (name, base, ratio) in &self.providers {
            out.push_str(&format!("\n{name} / {base}: {ratio:.3}"));
        }
        out.push_str(&format!(
            "\nbatch verify ({} responses): 1 thread {:.0}/s, 2 threads {:.0}/s, speedup {:.2}x\n",
            self.batch.items,
            self.batch.per_second_1,
            self.batch.per_second_2,
            self.batch.per_second_2 / self.batch.per_second_1
        ));
        if let (Some(cores), Some((c1, c2))) =
            (self.batch.cores_obtained_2, self.batch.cpu_us_per_item)
        {
            out.push_str(&format!(
                "  2 threads obtained {cores:.2} cores; CPU per response {c1:.0} µs (1 thread), \
                 {c2:.0} µs (2 threads)\n"
            ));
        }
        out.push_str(&format!(
            "status list: {} entries ({} revoked), token {} bytes, inflated {} bytes; \
             status_cold_full / (1 verify + inflate) {:.3}\n",
            self.status.entries,
            self.status.revoked,
            self.status.token_bytes,
            self.status.inflated_bytes,
            self.status.cold_full_over_one_verify
        ));
        for (name, target) in STATUS_TARGETS {
            if let Some(r) = self.rows.iter().find(|r| r.name == name) {
                let ratio = r.ratio();
                let verdict = if ratio <= target { "met" } else { "missed" };
                out.push_str(&format!(
                    "  {name}: ratio {ratio:.3}, target <= {target:.2}: {verdict}\n"
                ));
            }
        }
        out.push_str(&format!(
            "({} interleaved rounds; medians; ratios compare across machines, times do not)\n",
            self.rounds
        ));
        out
    }
}

/// The example's entry point: parses `args` (without the program name), prints the report.
pub fn main_with(args: &[String]) -> Result<(), Error> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => options.quick = true,
            "--json" => options.json = true,
            "--repeat" => {
                let op = args.next().ok_or("--repeat needs an operation name")?;
                let n: usize = args
                    .next()
                    .ok_or("--repeat needs a count")?
                    .parse()
                    .map_err(|_| "--repeat: the count is not a number")?;
                return repeat(op, n);
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: perf [--quick] [--json] \
                     | perf --repeat <operation> <count>"
                )
                .into())
            }
        }
    }
    let report = run(options)?;
    if options.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    Ok(())
}

/// `perf --repeat <operation> <count>`: sets up the fixture, then runs one verify or session
/// operation `count` times, untimed, inside [`repeat_loop`]: a driver for instruction counts,
/// e.g. `valgrind --tool=callgrind --collect-atstart=no
/// --toggle-collect='*perf::repeat_loop*'`, which counts only the loop.
fn repeat(op: &str, count: usize) -> Result<(), Error> {
    let f = Fixture::new()?;
    if let Some(rest) = op.strip_prefix("session_") {
        let mut holder = f.session_cipher(Role::Holder)?;
        let mut reader = f.session_cipher(Role::Reader)?;
        let message = f.session_message();
        let sealed = (0..count)
            .map(|_| holder.encrypt(message))
            .collect::<Result<Vec<_>, _>>()?;
        let mut sealed = sealed.into_iter();
        return match rest {
            "decrypt" => repeat_loop(count, &mut || {
                let next = sealed.next().ok_or("no sealed message")?;
                black_box(reader.decrypt(&next)?);
                Ok(())
            }),
            "encrypt" => repeat_loop(count, &mut || {
                black_box(holder.encrypt(message)?);
                Ok(())
            }),
            _ => Err(format!("unknown operation {op:?}").into()),
        };
    }
    let set = f
        .providers()
        .iter()
        .find(|s| op.ends_with(s.suffix.as_str()) && !s.suffix.is_empty())
        .or_else(|| f.providers().first())
        .ok_or("no provider")?;
    let base = op.strip_suffix(set.suffix.as_str()).unwrap_or(op);
    match base {
        "verify_cold" => repeat_loop(count, &mut || {
            f.verify_cold(set).map(|r| drop(black_box(r)))
        }),
        "verify_cached" => repeat_loop(count, &mut || {
            f.verify_cached(set).map(|r| drop(black_box(r)))
        }),
        "verify_annex_d" => repeat_loop(count, &mut || {
            f.verify_annex_d(set).map(|r| drop(black_box(r)))
        }),
        "verify_status_cached" => repeat_loop(count, &mut || {
            f.verify_status(true).map(|r| drop(black_box(r)))
        }),
        "status_cold" => repeat_loop(count, &mut || {
            black_box(f.status_cold());
            Ok(())
        }),
        "es256_verify" => repeat_loop(count, &mut || {
            if black_box(f.floor_verify(set)) {
                Ok(())
            } else {
                Err("floor verify failed".into())
            }
        }),
        _ => Err(format!("unknown operation {op:?}").into()),
    }
}

/// The loop [`repeat`] runs, not inlined, so that a profiler can count only it.
#[inline(never)]
fn repeat_loop(count: usize, run: &mut dyn FnMut() -> Result<(), Error>) -> Result<(), Error> {
    for _ in 0..count {
        run()?;
    }
    Ok(())
}
