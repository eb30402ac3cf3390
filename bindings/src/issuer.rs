//! The issuing authority: signs credentials for holders' wallets.

use std::sync::Arc;
use std::time::SystemTime;

use zhengzhao::cbor::Value;
use zhengzhao::crypto::EcPublicKey;
use zhengzhao::trust::Certificate;

use crate::error::ZhengzhaoError;
use crate::keystore::{AliasKey, SecureArea};
use crate::status::{self, StatusListReference};
use crate::value::{from_system_time, Element};

/// What to put in a credential.
#[derive(Clone, Debug, uniffi::Record)]
pub struct IssuanceRequest {
    /// The document type, e.g. `org.iso.18013.5.1.mDL`.
    pub doc_type: String,
    /// The data elements (at least one; no element twice in a namespace).
    pub elements: Vec<Element>,
    /// The holder's device public key (SEC 1 point), from `Wallet.createDeviceKey`: the key
    /// that will authenticate every presentation of this credential.
    pub device_public_key: Vec<u8>,
    /// When the Mobile Security Object is signed.
    pub signed: SystemTime,
    /// Start of validity.
    pub valid_from: SystemTime,
    /// End of validity (not before `valid_from`, not before `signed`).
    pub valid_until: SystemTime,
    /// Decoy digests per namespace, hiding how many elements the credential holds.
    #[uniffi(default = 0)]
    pub decoys: u32,
    /// The credential's entry in the ISO/IEC 18013-5 revocation list (1-bit
    /// `status_list`), if its status is published.
    #[uniffi(default = None)]
    pub status_list: Option<StatusListReference>,
    /// The credential's entry in the Chinese licence list (2-bit, under the MSO `status` key
    /// `cn_status_list`: valid, revoked, suspended, overdue), if published.
    #[uniffi(default = None)]
    pub cn_status_list: Option<StatusListReference>,
}

/// An issuing authority's document signer.
#[derive(uniffi::Object)]
pub struct Issuer {
    inner: zhengzhao::issuer::Issuer,
}

#[uniffi::export]
impl Issuer {
    /// A document signer whose private key is under `key_alias` in `secure_area` (an HSM in
    /// production), with its certificate chain (DER, leaf first: usually just the
    /// document-signer certificate; the verifier trusts the issuing authority CA). Fails if
    /// the key is not the leaf certificate's key.
    #[uniffi::constructor]
    pub fn new(
        secure_area: Arc<dyn SecureArea>,
        key_alias: String,
        certificate_chain: Vec<Vec<u8>>,
    ) -> Result<Arc<Self>, ZhengzhaoError> {
        let chain = certificate_chain
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()?;
        let leaf = chain
            .first()
            .ok_or_else(|| ZhengzhaoError::invalid_input("empty certificate chain"))?;
        let key = AliasKey::new(secure_area, key_alias);
        if leaf.public_key()? != key.public()? {
            return Err(ZhengzhaoError::invalid_input(
                "the key under this alias is not the document-signer certificate's key",
            ));
        }
        Ok(Arc::new(Issuer {
            inner: zhengzhao::issuer::Issuer::new(Box::new(key), chain),
        }))
    }

    /// Salts, digests and signs a credential; returns the bytes to hand to the holder's
    /// wallet (`Wallet.addCredential`).
    pub fn issue(&self, request: IssuanceRequest) -> Result<Vec<u8>, ZhengzhaoError> {
        let device_key = EcPublicKey::from_sec1(&request.device_public_key)?;
        let mut builder = self.inner.credential(request.doc_type);
        for e in &request.elements {
            builder = builder.element(
                e.namespace.as_str(),
                e.identifier.as_str(),
                Value::try_from(&e.value)?,
            );
        }
        let decoys = usize::try_from(request.decoys)
            .map_err(|_| ZhengzhaoError::invalid_input("too many decoys"))?;
        if let Some(reference) = status::reference(
            request.status_list.as_ref(),
            request.cn_status_list.as_ref(),
        ) {
            builder = builder.status(reference);
        }
        let credential = builder
            .decoys(decoys)
            .device_key(device_key)
            .validity(
                from_system_time(request.signed),
                from_system_time(request.valid_from),
                from_system_time(request.valid_until),
            )
            .sign()?;
        Ok(credential.to_bytes())
    }
}
