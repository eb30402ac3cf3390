//! Chinese electronic licence (電子證照) profiles: national identifiers with their check
//! characters, licence document types and elements, purpose of use, and the cross-province
//! trust list.
//!
//! # Identifiers
//!
//! Each identifier is parsed into a type whose accessors expose its parts; errors name the
//! failed check and a position, never the value.
//!
//! | type | standard | check |
//! |---|---|---|
//! | [`LicenceId`], [`LicenceTypeCode`] | 電子證照標識, GB/T 36904-2018 | ISO/IEC 7064 MOD 37,36 |
//! | [`Uscc`], [`OrganisationCode`] | 統一社會信用代碼, GB 32100-2015; 組織機構代碼, GB 11714-1997 | weighted mod 31; weighted mod 11 |
//! | [`CitizenIdNumber`] | 公民身份號碼, GB 11643-1999 | ISO/IEC 7064 MOD 11-2, and a real birth date |
//!
//! The ISO/IEC 7064 pure and hybrid systems are implemented once, generically, in
//! [`iso7064`].
//!
//! # Document types and namespaces
//!
//! A licence's mdoc docType is derived from its GB/T 36904 licence type code:
//! `1.2.156.3005.2.<type code>` — exactly the prefix every licence identifier of that type
//! starts with, so the national identifier system and the mdoc world meet in one string.
//! Each licence carries two namespaces:
//!
//! * [`COMMON_NAMESPACE`] = `1.2.156.3005.2`: the GB/T 36903 metadata every licence has
//!   (identifier, name, type code, number, issuing authority and its USCC, issue date, holder,
//!   holder code and its type, validity);
//! * the docType itself (as the EU PID does): the face of the licence.
//!
//! Built-in [`Profile`]s: 居民身份證 (resident identity card), 機動車駕駛證 (motor vehicle
//! driving licence, with [`VehicleClass`]es and their implication rules) and 營業執照
//! (business licence). Each element has a type, Chinese and English display names and a
//! [`Presence`]; [`issue`] checks every claim against the profile before the issuer signs,
//! rejecting e.g. a bad check character, an unknown vehicle class or a validity that ends
//! before it starts with its own [`ProfileError`], and adds the derived elements
//! `age_over_18` and `age_over_60` so a verifier can check age without the birth date.
//! [`predicates`] answers "may drive class X?" and "over 18?" from disclosed elements only.
//!
//! # Purpose of use and trust list
//!
//! A verifier states its [`PurposeOfUse`] (用證事由, at most 200 characters) in the request;
//! the wallet reads it before asking for consent. A [`TrustList`] of issuing authorities
//! (per province or ministry: CA certificates and the licence types each may issue), signed
//! by a publisher the verifier trusts, drives a [`LicenceVerifier`] that refuses a valid
//! signature from an authority not authorised for the licence type.
//!
//! # Example
//!
//! ```
//! use zhengzhao::cbor::{FullDate, Value};
//! use zhengzhao::crypto::SoftwareKey;
//! use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
//! use zhengzhao::issuer::Issuer;
//! use zhengzhao::model::{DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
//! use zhengzhao::profiles::{
//!     issue, predicates, Authority, Claims, LicenceId, LicenceVerifier, MsoValidity, Profile,
//!     PurposeOfUse, TrustList, Uscc,
//! };
//! use zhengzhao::time::UnixTime;
//! use zhengzhao::trust::testpki::TestPki;
//! use zhengzhao::VerifyOptions;
//!
//! let now = UnixTime::now();
//! let pki = TestPki::generate(now)?;
//! let profile = Profile::resident_id_card();
//!
//! // The trust list: the Ministry of Public Security's CA may issue identity cards.
//! let ministry = Uscc::parse("11100000000013127D")?;
//! let mut list = TrustList::new("national licence platform", 1, now);
//! list.add_authority(
//!     Authority::new("公安部", ministry.clone())
//!         .with_certificate(pki.iaca.clone())
//!         .with_licence_type(profile.type_code().clone()),
//! )?;
//!
//! // Issue.
//! let date = |s| FullDate::parse(s);
//! let id_number = "11010519491231002X"; // the example number of GB 11643-1999
//! let licence_id = LicenceId::new(profile.type_code(), &ministry, "2024000001", 1)?;
//! let claims = Claims::new()
//!     .with_text("licence_id", licence_id.as_str())
//!     .with_text("licence_name", "居民身份证")
//!     .with_text("licence_type_code", profile.type_code().as_str())
//!     .with_text("licence_number", id_number)
//!     .with_text("issuing_authority", "公安部")
//!     .with_text("issuing_authority_code", ministry.as_str())
//!     .with_date("issue_date", date("2020-01-01")?)
//!     .with_text("holder_name", "张三")
//!     .with_text("holder_code", id_number)
//!     .with_text("holder_code_type", "111")
//!     .with_date("validity_start", date("2020-01-01")?)
//!     .with("validity_long_term", Value::Bool(true))
//!     .with_text("name", "张三")
//!     .with("sex", Value::int(2))
//!     .with_text("ethnicity", "汉")
//!     .with_date("birth_date", date("1949-12-31")?)
//!     .with_text("address", "北京市朝阳区")
//!     .with_text("id_number", id_number)
//!     .with_text("issuing_office", "北京市公安局朝阳分局");
//! let issuer = Issuer::new(Box::new(pki.document_signer_key), vec![pki.document_signer]);
//! let device_key = SoftwareKey::generate()?;
//! let validity = MsoValidity::new(now, now, now.add_secs(30 * 86_400));
//! let credential = issue(&issuer, &profile, &claims, device_key.public(), validity)?.credential;
//!
//! // A hotel asks for age only, stating why.
//! let purpose = PurposeOfUse::new("酒店入住年龄核验")?;
//! let items = ItemsRequest::new(profile.doc_type()).with_element(profile.doc_type(), "age_over_18", false);
//! let request = DeviceRequest::new(vec![DocRequest::new(purpose.attach(items))]).to_bytes();
//! let transcript = SessionTranscript::new(None, None, &Value::text("handover"));
//!
//! // The wallet shows the purpose, the holder consents.
//! let parsed = ParsedRequest::parse(&request, &transcript, &RequestOptions::new(now))?;
//! let doc = &parsed.documents()[0];
//! assert_eq!(PurposeOfUse::from_request(&doc.request().items_request)?, Some(purpose));
//! let mut response = ResponseBuilder::new(&transcript);
//! response.add_document(&credential, doc, &doc.disclosable(&credential), &device_key)?;
//! let response = response.finish();
//!
//! // The hotel verifies against the trust list and learns one boolean.
//! let verified = LicenceVerifier::new(list).verify(&response, &VerifyOptions::new(&transcript, now))?;
//! let licence = &verified.licences[0];
//! assert_eq!(licence.authority_name, "公安部");
//! assert_eq!(predicates::age_over(&licence.document, 18), Ok(true));
//! assert!(predicates::age_over(&licence.document, 60).is_err()); // not disclosed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod citizen_id;
pub mod iso7064;
mod licence_id;
mod licence_verifier;
pub mod predicates;
mod profile;
mod purpose;
mod trust_list;
mod uscc;
mod vehicle;

pub use citizen_id::{CitizenIdError, CitizenIdNumber, Sex};
pub use licence_id::{LenientLicenceId, LicenceId, LicenceIdError, LicenceTypeCode, LICENCE_ROOT};
pub use licence_verifier::{
    LicenceVerifier, LicenceVerifyError, VerifiedLicence, VerifiedLicences,
};
pub use profile::{
    issue, issue_with_status, Claims, ElementSpec, ElementType, HolderCodeType, IssuedLicence,
    LicenceKind, MsoValidity, Namespace, Presence, Profile, ProfileError, ProfileWarning,
    COMMON_NAMESPACE, DECOYS_PER_NAMESPACE,
};
pub use purpose::{PurposeError, PurposeOfUse, MAX_PURPOSE_CHARS, PURPOSE_OF_USE_KEY};
pub use trust_list::{
    AuthorisationError, Authority, TrustList, TrustListError, TRUST_LIST_VERSION,
};
pub use uscc::{OrganisationCode, OrganisationCodeError, Uscc, UsccError, UsccWarning};
pub use vehicle::{UnknownVehicleClass, VehicleClass};
