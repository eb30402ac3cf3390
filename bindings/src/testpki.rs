//! A throw-away ISO/IEC 18013-5 Annex B test PKI, for tests and demos only: compiled with the
//! `test-hooks` feature, never in a shipped build (it would bring certificate building along).

use std::sync::Arc;

use zhengzhao::crypto::{EcPublicKey, KeyAgreement, Signer, SoftwareKey};
use zhengzhao::time::UnixTime;

use crate::error::ZhengzhaoError;
use crate::issuer::Issuer;
use crate::keystore::SecureArea;

const DOCUMENT_SIGNER_ALIAS: &str = "test-document-signer";
const READER_ALIAS: &str = "test-reader";
const STATUS_SIGNER_ALIAS: &str = "test-status-signer";

/// A freshly generated test PKI: an issuing authority CA with a document signer, and a reader
/// CA with a reader-authentication certificate, and a status-list signer issued by the IACA,
/// valid from a day ago. The document-signer, reader and status-signer keys are in an
/// in-memory secure area; nothing here is for production.
#[derive(uniffi::Object)]
pub struct TestPki {
    iaca: Vec<u8>,
    document_signer: Vec<u8>,
    reader_ca: Vec<u8>,
    reader: Vec<u8>,
    status_signer: Vec<u8>,
    area: Arc<TestKeys>,
}

/// The test PKI's keys under fixed aliases: a secure area that cannot create or delete.
struct TestKeys {
    document_signer: SoftwareKey,
    reader: SoftwareKey,
    status_signer: SoftwareKey,
}

impl TestKeys {
    fn get(&self, alias: &str) -> Result<&SoftwareKey, ZhengzhaoError> {
        match alias {
            DOCUMENT_SIGNER_ALIAS => Ok(&self.document_signer),
            READER_ALIAS => Ok(&self.reader),
            STATUS_SIGNER_ALIAS => Ok(&self.status_signer),
            _ => Err(ZhengzhaoError::KeyStore {
                reason: "no key under this alias".into(),
            }),
        }
    }
}

impl SecureArea for TestKeys {
    fn create_key(&self, _: String) -> Result<Vec<u8>, ZhengzhaoError> {
        Err(ZhengzhaoError::KeyStore {
            reason: "the test PKI's secure area holds fixed keys".into(),
        })
    }

    fn public_key(&self, alias: String) -> Result<Vec<u8>, ZhengzhaoError> {
        Ok(self.get(&alias)?.public().to_sec1_uncompressed())
    }

    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        Ok(Signer::sign(self.get(&alias)?, &message)?)
    }

    fn key_agreement(&self, alias: String, peer: Vec<u8>) -> Result<Vec<u8>, ZhengzhaoError> {
        let peer = EcPublicKey::from_sec1(&peer)?;
        let shared = self.get(&alias)?.agree(&peer)?;
        Ok(zhengzhao::danger::shared_secret_bytes(&shared).to_vec())
    }

    fn delete_key(&self, _: String) -> Result<bool, ZhengzhaoError> {
        Ok(false)
    }
}

#[uniffi::export]
impl TestPki {
    /// Generates new keys and certificates.
    #[uniffi::constructor]
    pub fn generate() -> Result<Arc<Self>, ZhengzhaoError> {
        let pki = zhengzhao::trust::testpki::TestPki::generate(UnixTime::now()).map_err(|e| {
            ZhengzhaoError::Internal {
                reason: e.to_string(),
            }
        })?;
        let area = Arc::new(TestKeys {
            document_signer: pki.document_signer_key,
            reader: pki.reader_key,
            status_signer: pki.status_signer_key,
        });
        Ok(Arc::new(TestPki {
            iaca: pki.iaca.der().to_vec(),
            document_signer: pki.document_signer.der().to_vec(),
            reader_ca: pki.reader_ca.der().to_vec(),
            reader: pki.reader.der().to_vec(),
            status_signer: pki.status_signer.der().to_vec(),
            area,
        }))
    }

    /// The issuing authority CA certificate (DER): a verifier's trust anchor.
    pub fn iaca_certificate(&self) -> Vec<u8> {
        self.iaca.clone()
    }

    /// The document-signer certificate (DER), issued by the IACA.
    pub fn document_signer_certificate(&self) -> Vec<u8> {
        self.document_signer.clone()
    }

    /// The reader CA certificate (DER): a wallet's reader trust anchor.
    pub fn reader_ca_certificate(&self) -> Vec<u8> {
        self.reader_ca.clone()
    }

    /// The reader-authentication certificate (DER), issued by the reader CA.
    pub fn reader_certificate(&self) -> Vec<u8> {
        self.reader.clone()
    }

    /// The status-list signer certificate (DER), issued by the IACA: signs the Status List
    /// Tokens of `StatusListPublisher.sign`.
    pub fn status_signer_certificate(&self) -> Vec<u8> {
        self.status_signer.clone()
    }

    /// The alias of the status-signer key in [`TestPki::secure_area`].
    pub fn status_signer_key_alias(&self) -> String {
        STATUS_SIGNER_ALIAS.to_owned()
    }

    /// The secure area holding the document-signer, reader and status-signer keys.
    pub fn secure_area(&self) -> Arc<dyn SecureArea> {
        self.area.clone()
    }

    /// The alias of the document-signer key in [`TestPki::secure_area`].
    pub fn document_signer_key_alias(&self) -> String {
        DOCUMENT_SIGNER_ALIAS.to_owned()
    }

    /// The alias of the reader key in [`TestPki::secure_area`].
    pub fn reader_key_alias(&self) -> String {
        READER_ALIAS.to_owned()
    }
}

#[uniffi::export]
impl Issuer {
    /// The document signer of a test PKI (tests and demos only).
    #[uniffi::constructor]
    pub fn from_test_pki(pki: Arc<TestPki>) -> Result<Arc<Self>, ZhengzhaoError> {
        Self::new(
            pki.secure_area(),
            pki.document_signer_key_alias(),
            vec![pki.document_signer_certificate()],
        )
    }
}
