//! Chinese licence profiles end to end: issue under a profile → present with a purpose of use
//! → verify against a signed cross-province trust list; issuance-time rejections; the
//! authorisation of licence types; predicates answered from disclosed data only.

use zhengzhao::cbor::{FullDate, Value};
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::holder::{ParsedRequest, RequestOptions, ResponseBuilder};
use zhengzhao::issuer::Issuer;
use zhengzhao::model::{Credential, DeviceRequest, DocRequest, ItemsRequest, SessionTranscript};
use zhengzhao::profiles::predicates::PredicateError;
use zhengzhao::profiles::predicates::{age_over, disclosed_vehicle_classes, may_drive};
use zhengzhao::profiles::{
    issue, AuthorisationError, Authority, CitizenIdError, Claims, IssuedLicence, LicenceId,
    LicenceIdError, LicenceVerifier, LicenceVerifyError, MsoValidity, Namespace, Profile,
    ProfileError, ProfileWarning, PurposeError, PurposeOfUse, TrustList, TrustListError, Uscc,
    UsccError, VehicleClass, VerifiedLicences, COMMON_NAMESPACE, PURPOSE_OF_USE_KEY,
};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::{TestPki, TestPkiOptions};
use zhengzhao::trust::Certificate;
use zhengzhao::verifier::{Check, Verifier, VerifyError, VerifyOptions};

const DAY: i64 = 86_400;

/// A USCC with both check characters computed by the formulas of GB 11714 and GB 32100 as
/// printed (independently of the library): `prefix` is positions 1–8, `org` the eight body
/// characters of the organisation code.
fn uscc(prefix: &str, org: &str) -> String {
    const W_ORG: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let org_sum: u32 = org
        .chars()
        .zip(W_ORG)
        .map(|(c, w)| c.to_digit(36).unwrap() * w)
        .sum();
    let org_check = match 11 - org_sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap(),
    };
    let body = format!("{prefix}{org}{org_check}");
    with_uscc_check(&body)
}

fn with_uscc_check(body: &str) -> String {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body
        .chars()
        .zip(W)
        .map(|(c, w)| CHARS.find(c).unwrap() * w)
        .sum();
    let c = (31 - sum % 31) % 31;
    format!("{body}{}", CHARS.chars().nth(c).unwrap())
}

/// A citizen identity number with its check character from GB 11643's table.
fn citizen_id(body17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = "10X98765432".chars().nth((sum % 11) as usize).unwrap();
    format!("{body17}{check}")
}

fn date(s: &str) -> FullDate {
    FullDate::parse(s).unwrap()
}

/// One issuing authority: its test PKI and code.
struct Authorityish {
    name: &'static str,
    code: Uscc,
    pki: TestPki,
}

fn authority(now: UnixTime, name: &'static str, code: &str, cn: &str) -> Authorityish {
    let mut options = TestPkiOptions::new(now);
    options.iaca_name = format!("C=CN, O=zhengzhao test, CN={cn} CA");
    options.ds_name = format!("C=CN, O=zhengzhao test, CN={cn} DS");
    Authorityish {
        name,
        code: Uscc::parse(code).unwrap(),
        pki: TestPki::generate_with(&options).unwrap(),
    }
}

/// Three authorities (the ministry issuing identity cards, a provincial traffic police
/// department issuing driving licences, the market regulator issuing business licences), a
/// trust-list publisher, and the signed list.
struct World {
    now: UnixTime,
    ministry: Authorityish,
    traffic: Authorityish,
    market: Authorityish,
    publisher_key: SoftwareKey,
    publisher: Certificate,
    list: TrustList,
    signed: Vec<u8>,
}

fn world() -> World {
    let now = UnixTime::now();
    let ministry = authority(now, "公安部", "11100000000013127D", "MPS");
    let traffic = authority(
        now,
        "广东省公安厅交通管理局",
        &uscc("11440000", "MB1C2D3E"),
        "Guangdong traffic police",
    );
    let market = authority(now, "国家市场监督管理总局", "11100000MB0143028R", "SAMR");
    let publisher_pki = TestPki::generate(now).unwrap();
    let mut list =
        TrustList::new("全国一体化政务服务平台", 3, now).with_next_update(now.add_secs(30 * DAY));
    for (a, profile) in [
        (&ministry, Profile::resident_id_card()),
        (&traffic, Profile::driving_licence()),
        (&market, Profile::business_licence()),
    ] {
        list.add_authority(
            Authority::new(a.name, a.code.clone())
                .with_region("440000")
                .with_certificate(a.pki.iaca.clone())
                .with_licence_type(profile.type_code().clone()),
        )
        .unwrap();
    }
    let signed = list
        .sign(&publisher_pki.iaca_key, &publisher_pki.iaca)
        .unwrap();
    World {
        now,
        ministry,
        traffic,
        market,
        publisher_key: publisher_pki.iaca_key,
        publisher: publisher_pki.iaca,
        list,
        signed,
    }
}

impl World {
    /// The verifier a business builds: from the signed list, verified before use.
    fn verifier(&self) -> LicenceVerifier {
        let list = TrustList::from_signed(
            &self.signed,
            std::slice::from_ref(&self.publisher),
            self.now,
            0,
        )
        .unwrap();
        assert_eq!(list, self.list);
        LicenceVerifier::new(list)
    }

    fn validity(&self) -> MsoValidity {
        MsoValidity::new(
            self.now,
            self.now.add_secs(-60),
            self.now.add_secs(90 * DAY),
        )
    }

    /// Issues `claims` under `profile` with `authority`'s document signer, bound to
    /// `device_key` and valid for [`World::validity`]; issuance must succeed.
    fn issue(
        &self,
        authority: &Authorityish,
        profile: &Profile,
        claims: &Claims,
        device_key: &SoftwareKey,
    ) -> IssuedLicence {
        issue(
            &issuer_of(authority),
            profile,
            claims,
            device_key.public(),
            self.validity(),
        )
        .unwrap()
    }

    /// What the business's verifier ([`World::verifier`]) makes of `p`, now.
    fn verify(&self, p: &Presentation) -> Result<VerifiedLicences, LicenceVerifyError> {
        self.verifier()
            .verify(&p.response, &VerifyOptions::new(&p.transcript, self.now))
    }
}

fn issuer_of(a: &Authorityish) -> Issuer {
    // TestPki's keys are not Clone; re-derive the signer from its bytes.
    let key = SoftwareKey::from_bytes(&a.pki.document_signer_key.to_bytes()[..]).unwrap();
    Issuer::new(Box::new(key), vec![a.pki.document_signer.clone()])
}

const PERSON_ID_BODY: &str = "44010619900304123"; // address 440106, born 1990-03-04, seq 123 (male)

fn common_claims(profile: &Profile, issuer: &Uscc, serial: &str) -> Claims {
    let id = LicenceId::new(profile.type_code(), issuer, serial, 1).unwrap();
    Claims::new()
        .with_text("licence_id", id.as_str())
        .with_text("licence_name", profile.name_zh())
        .with_text("licence_type_code", profile.type_code().as_str())
        .with_text("issuing_authority_code", issuer.as_str())
        .with_date("issue_date", date("2021-06-01"))
        .with_date("validity_start", date("2021-06-01"))
        .with_date("validity_end", date("2041-06-01"))
}

fn id_card_claims(w: &World) -> Claims {
    let profile = Profile::resident_id_card();
    let id = citizen_id(PERSON_ID_BODY);
    common_claims(&profile, &w.ministry.code, "2021060100001")
        .with_text("licence_number", id.as_str())
        .with_text("issuing_authority", "公安部")
        .with_text("holder_name", "李四")
        .with_text("holder_code", id.as_str())
        .with_text("holder_code_type", "111")
        .with_text("name", "李四")
        .with("sex", Value::int(1))
        .with_text("ethnicity", "汉")
        .with_date("birth_date", date("1990-03-04"))
        .with_text("address", "广州市天河区")
        .with_text("id_number", id.as_str())
        .with_text("issuing_office", "广州市公安局天河区分局")
        .with("portrait", Value::Bytes(vec![0xff, 0xd8, 0xff, 0xe0]))
}

fn driving_claims(w: &World) -> Claims {
    let profile = Profile::driving_licence();
    let id = citizen_id(PERSON_ID_BODY);
    common_claims(&profile, &w.traffic.code, "2021060100002")
        .with_text("licence_number", id.as_str())
        .with_text("issuing_authority", w.traffic.name)
        .with_text("holder_name", "李四")
        .with_text("holder_code", id.as_str())
        .with_text("holder_code_type", "111")
        .with_text("name", "李四")
        .with("sex", Value::int(1))
        .with_text("nationality", "中国")
        .with_text("address", "广州市天河区")
        .with_date("birth_date", date("1990-03-04"))
        .with_date("first_issue_date", date("2011-06-01"))
        .with(
            "vehicle_classes",
            Value::Array(vec![Value::text("B2"), Value::text("D")]),
        )
        .with_text("id_number", id.as_str())
        .with_text("issuing_office", "广东省广州市公安局交通警察支队")
}

fn business_claims(w: &World, holder: &str) -> Claims {
    let profile = Profile::business_licence();
    common_claims(&profile, &w.market.code, "2021060100003")
        .with_text("licence_number", holder)
        .with_text("issuing_authority", w.market.name)
        .with_text("holder_name", "广州示例科技有限公司")
        .with_text("holder_code", holder)
        .with_text("holder_code_type", "001")
        .with_text("entity_name", "广州示例科技有限公司")
        .with_text("uscc", holder)
        .with_text("entity_type", "有限责任公司（自然人投资或控股）")
        .with_text("legal_representative", "王五")
        .with_text("registered_capital", "壹佰万元整")
        .with_date("establishment_date", date("2015-03-20"))
        .with_text("business_scope", "软件开发；信息技术咨询服务")
        .with_text("domicile", "广州市天河区示例路1号")
        .with_text("registration_authority", "广州市天河区市场监督管理局")
        .remove_and(&["validity_end"])
        .with("validity_long_term", Value::Bool(true))
}

trait RemoveAnd {
    fn remove_and(self, ids: &[&str]) -> Self;
}

impl RemoveAnd for Claims {
    fn remove_and(mut self, ids: &[&str]) -> Self {
        for id in ids {
            self.remove(id);
        }
        self
    }
}

/// Everything the holder side of one presentation needs.
struct Presentation {
    transcript: SessionTranscript,
    response: Vec<u8>,
    purpose_seen: Option<PurposeOfUse>,
}

/// The verifier asks for `elements` of `profile` (namespace, identifier) with `purpose`; the
/// holder reads the purpose and approves everything asked that it holds.
fn present(
    w: &World,
    profile: &Profile,
    credential: &Credential,
    device_key: &SoftwareKey,
    elements: &[(Namespace, &str)],
    purpose: &PurposeOfUse,
) -> Presentation {
    let mut items = ItemsRequest::new(profile.doc_type());
    for (ns, id) in elements {
        items = items.with_element(profile.namespace(*ns), *id, false);
    }
    let request = DeviceRequest::new(vec![DocRequest::new(purpose.attach(items))]).to_bytes();
    let transcript = SessionTranscript::new(None, None, &Value::text("profiles handover"));
    let parsed = ParsedRequest::parse(&request, &transcript, &RequestOptions::new(w.now)).unwrap();
    let doc = &parsed.documents()[0];
    let purpose_seen = PurposeOfUse::from_request(&doc.request().items_request).unwrap();
    let mut rb = ResponseBuilder::new(&transcript);
    rb.add_document(credential, doc, &doc.disclosable(credential), device_key)
        .unwrap();
    let response = rb.finish();
    Presentation {
        transcript,
        response,
        purpose_seen,
    }
}

#[test]
fn resident_id_card_end_to_end() {
    let w = world();
    let profile = Profile::resident_id_card();
    let device_key = SoftwareKey::generate().unwrap();
    let issued = w.issue(&w.ministry, &profile, &id_card_claims(&w), &device_key);
    assert!(issued.warnings.is_empty());
    let ids = issued.credential.element_ids();
    assert!(ids.contains(&(profile.doc_type().to_owned(), "age_over_18".to_owned())));
    assert!(ids.contains(&(COMMON_NAMESPACE.to_owned(), "licence_id".to_owned())));

    let purpose = PurposeOfUse::new("办理银行开户实名核验").unwrap();
    let asked = [
        (Namespace::Licence, "name"),
        (Namespace::Licence, "id_number"),
        (Namespace::Licence, "age_over_18"),
        (Namespace::Licence, "age_over_60"),
        (Namespace::Common, "licence_id"),
        (Namespace::Common, "validity_end"),
    ];
    let p = present(
        &w,
        &profile,
        &issued.credential,
        &device_key,
        &asked,
        &purpose,
    );
    assert_eq!(p.purpose_seen, Some(purpose));

    let out = w.verify(&p).unwrap();
    assert_eq!(out.licences.len(), 1);
    let licence = &out.licences[0];
    assert_eq!(licence.authority_name, "公安部");
    assert_eq!(&licence.authority_code, &w.ministry.code);
    assert_eq!(&licence.licence_type, profile.type_code());
    let doc = &licence.document;
    assert_eq!(doc.doc_type, profile.doc_type());
    let face = &doc.issuer_signed[profile.doc_type()];
    assert_eq!(face.len(), 4);
    assert_eq!(face["name"], Value::text("李四"));
    assert_eq!(face["id_number"], Value::text(citizen_id(PERSON_ID_BODY)));
    assert_eq!(age_over(doc, 18), Ok(true));
    assert_eq!(age_over(doc, 60), Ok(false));
    let meta = &doc.issuer_signed[COMMON_NAMESPACE];
    let licence_id = LicenceId::parse(meta["licence_id"].as_text().unwrap()).unwrap();
    assert_eq!(licence_id.doc_type(), doc.doc_type);
    assert_eq!(licence_id.issuer(), &w.ministry.code);
    assert_eq!(meta["validity_end"], date("2041-06-01").to_value());
    assert!(out.checks.contains(&(0, Check::DeviceAuthentication)));
}

#[test]
fn driving_licence_end_to_end() {
    let w = world();
    let profile = Profile::driving_licence();
    let device_key = SoftwareKey::generate().unwrap();
    let issued = w.issue(&w.traffic, &profile, &driving_claims(&w), &device_key);
    let purpose = PurposeOfUse::new("租车准驾车型核验").unwrap();
    let p = present(
        &w,
        &profile,
        &issued.credential,
        &device_key,
        &[
            (Namespace::Licence, "vehicle_classes"),
            (Namespace::Licence, "name"),
        ],
        &purpose,
    );
    assert_eq!(p.purpose_seen, Some(purpose));
    let out = w.verify(&p).unwrap();
    let licence = &out.licences[0];
    assert_eq!(licence.authority_name, "广东省公安厅交通管理局");
    let doc = &licence.document;
    assert_eq!(
        disclosed_vehicle_classes(doc),
        Ok(vec![VehicleClass::B2, VehicleClass::D])
    );
    // B2 permits C1 C2 C3 C4 M; D permits E F.
    for (class, expected) in [
        (VehicleClass::B2, true),
        (VehicleClass::C1, true),
        (VehicleClass::M, true),
        (VehicleClass::E, true),
        (VehicleClass::F, true),
        (VehicleClass::B1, false),
        (VehicleClass::A1, false),
        (VehicleClass::C6, false),
    ] {
        assert_eq!(may_drive(doc, class), Ok(expected), "{class}");
    }
}

#[test]
fn business_licence_end_to_end() {
    let w = world();
    let profile = Profile::business_licence();
    let holder = uscc("91440106", "MA5C0Q1K");
    let device_key = SoftwareKey::generate().unwrap();
    let issued = w.issue(
        &w.market,
        &profile,
        &business_claims(&w, &holder),
        &device_key,
    );
    assert!(issued.warnings.is_empty());
    let purpose = PurposeOfUse::new("签订采购合同前核验营业执照").unwrap();
    let p = present(
        &w,
        &profile,
        &issued.credential,
        &device_key,
        &[
            (Namespace::Licence, "entity_name"),
            (Namespace::Licence, "uscc"),
            (Namespace::Common, "validity_long_term"),
        ],
        &purpose,
    );
    let out = w.verify(&p).unwrap();
    let licence = &out.licences[0];
    assert_eq!(licence.authority_name, "国家市场监督管理总局");
    let face = &licence.document.issuer_signed[profile.doc_type()];
    assert_eq!(face["uscc"], Value::text(holder.as_str()));
    assert_eq!(
        licence.document.issuer_signed[COMMON_NAMESPACE]["validity_long_term"],
        Value::Bool(true)
    );
}

#[test]
fn pilot_era_holder_code_is_issued_with_a_warning() {
    let w = world();
    // Organisation code body MA5FABCD needs check character 7; this pilot-era code has 5,
    // and its overall check character is right.
    let holder = with_uscc_check("91440300MA5FABCD5");
    let parsed = Uscc::parse(&holder).unwrap();
    assert!(!parsed.organisation_code_valid());
    let issued = w.issue(
        &w.market,
        &Profile::business_licence(),
        &business_claims(&w, &holder),
        &SoftwareKey::generate().unwrap(),
    );
    assert!(issued.warnings.contains(&ProfileWarning::PilotEraUscc {
        identifier: "holder_code"
    }));
    assert!(issued
        .warnings
        .contains(&ProfileWarning::PilotEraUscc { identifier: "uscc" }));
}

#[test]
fn unauthorised_licence_type_is_rejected_at_verification() {
    let w = world();
    // The provincial traffic police department's (valid) signer issues a business licence.
    let profile = Profile::business_licence();
    let holder = uscc("91440106", "MA5C0Q1K");
    let claims = business_claims(&w, &holder)
        .with_text(
            "licence_id",
            LicenceId::new(profile.type_code(), &w.traffic.code, "1", 1)
                .unwrap()
                .as_str(),
        )
        .with_text("issuing_authority_code", w.traffic.code.as_str());
    let device_key = SoftwareKey::generate().unwrap();
    let issued = w.issue(&w.traffic, &profile, &claims, &device_key);
    let purpose = PurposeOfUse::new("核验").unwrap();
    let p = present(
        &w,
        &profile,
        &issued.credential,
        &device_key,
        &[(Namespace::Licence, "entity_name")],
        &purpose,
    );
    // Every cryptographic check passes…
    let plain = Verifier::new(w.list.trust_store())
        .verify(&p.response, &VerifyOptions::new(&p.transcript, w.now))
        .unwrap();
    assert_eq!(plain.documents.len(), 1);
    // …and the trust list still refuses it.
    match w.verify(&p) {
        Err(LicenceVerifyError::Authorisation {
            document: 0,
            source:
                AuthorisationError::UnauthorisedLicenceType {
                    authority,
                    licence_type,
                },
        }) => {
            assert_eq!(authority, w.traffic.code);
            assert_eq!(&licence_type, profile.type_code());
        }
        other => panic!("expected UnauthorisedLicenceType, got {other:?}"),
    }
}

#[test]
fn a_non_licence_doc_type_is_refused_by_the_licence_verifier() {
    let w = world();
    let device_key = SoftwareKey::generate().unwrap();
    let credential = issuer_of(&w.ministry)
        .credential("org.iso.18013.5.1.mDL")
        .element("org.iso.18013.5.1", "family_name", Value::text("李"))
        .device_key(device_key.public())
        .validity(w.now, w.now, w.now.add_secs(DAY))
        .sign()
        .unwrap();
    let items = ItemsRequest::new("org.iso.18013.5.1.mDL").with_element(
        "org.iso.18013.5.1",
        "family_name",
        false,
    );
    let request = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
    let transcript = SessionTranscript::new(None, None, &Value::text("mdl"));
    let parsed = ParsedRequest::parse(&request, &transcript, &RequestOptions::new(w.now)).unwrap();
    let doc = &parsed.documents()[0];
    let mut rb = ResponseBuilder::new(&transcript);
    rb.add_document(&credential, doc, &doc.disclosable(&credential), &device_key)
        .unwrap();
    let err = w
        .verifier()
        .verify(&rb.finish(), &VerifyOptions::new(&transcript, w.now))
        .unwrap_err();
    assert!(
        matches!(
            err,
            LicenceVerifyError::Authorisation {
                document: 0,
                source: AuthorisationError::NotALicence
            }
        ),
        "{err:?}"
    );
}

#[test]
fn derived_predicates_are_answered_only_from_disclosed_data() {
    let w = world();
    let profile = Profile::resident_id_card();
    let device_key = SoftwareKey::generate().unwrap();
    let issued = w.issue(&w.ministry, &profile, &id_card_claims(&w), &device_key);
    let purpose = PurposeOfUse::new("网吧实名登记年龄核验").unwrap();
    let verify = |asked: &[(Namespace, &str)]| {
        let p = present(
            &w,
            &profile,
            &issued.credential,
            &device_key,
            asked,
            &purpose,
        );
        w.verify(&p).unwrap().licences.remove(0).document
    };

    // Only the derived boolean: answered, and the birth date is not in the output.
    let doc = verify(&[(Namespace::Licence, "age_over_18")]);
    assert_eq!(age_over(&doc, 18), Ok(true));
    let face = &doc.issuer_signed[profile.doc_type()];
    assert_eq!(face.keys().collect::<Vec<_>>(), ["age_over_18"]);
    assert_eq!(
        age_over(&doc, 21),
        Err(PredicateError::NotDisclosed {
            element: "age_over_21".into()
        })
    );
    assert_eq!(
        age_over(&doc, 60),
        Err(PredicateError::NotDisclosed {
            element: "age_over_60".into()
        })
    );

    // The birth date alone does not answer "over 18?": nothing is inferred.
    let doc = verify(&[(Namespace::Licence, "birth_date")]);
    assert_eq!(
        age_over(&doc, 18),
        Err(PredicateError::NotDisclosed {
            element: "age_over_18".into()
        })
    );

    // A driving licence presented without its classes answers no driving question.
    let dl = Profile::driving_licence();
    let issued = w.issue(&w.traffic, &dl, &driving_claims(&w), &device_key);
    let p = present(
        &w,
        &dl,
        &issued.credential,
        &device_key,
        &[
            (Namespace::Licence, "name"),
            (Namespace::Licence, "age_over_18"),
        ],
        &purpose,
    );
    let doc = w.verify(&p).unwrap().licences.remove(0).document;
    assert_eq!(
        may_drive(&doc, VehicleClass::C1),
        Err(PredicateError::NotDisclosed {
            element: "vehicle_classes".into()
        })
    );
    assert_eq!(age_over(&doc, 18), Ok(true));
}

/// Each invalid element is rejected at issuance with its own error, and the error's text
/// carries no personal data.
#[test]
fn invalid_elements_are_rejected_at_issuance_each_with_its_error() {
    let w = world();
    let id_card = Profile::resident_id_card();
    let driving = Profile::driving_licence();
    let good_id = citizen_id(PERSON_ID_BODY);
    let bad_check = {
        let mut s = good_id.clone();
        let last = s.pop().unwrap();
        s.push(if last == '0' { '1' } else { '0' });
        s
    };
    type Expect = fn(&ProfileError) -> bool;
    let cases: Vec<(&str, Profile, Claims, Expect)> = vec![
        (
            "ID number with a bad check character",
            id_card.clone(),
            id_card_claims(&w).with_text("id_number", bad_check.as_str()),
            |e| {
                matches!(
                    e,
                    ProfileError::CitizenId {
                        identifier: "id_number",
                        source: CitizenIdError::CheckCharacter
                    }
                )
            },
        ),
        (
            "holder code with a bad check character",
            id_card.clone(),
            id_card_claims(&w).with_text("holder_code", bad_check.as_str()),
            |e| {
                matches!(
                    e,
                    ProfileError::CitizenId {
                        identifier: "holder_code",
                        source: CitizenIdError::CheckCharacter
                    }
                )
            },
        ),
        (
            "ID number with an impossible birth date",
            id_card.clone(),
            id_card_claims(&w).with_text("id_number", citizen_id("44010619900230123").as_str()),
            |e| {
                matches!(
                    e,
                    ProfileError::CitizenId {
                        source: CitizenIdError::BirthDate,
                        ..
                    }
                )
            },
        ),
        (
            "unknown vehicle class",
            driving.clone(),
            driving_claims(&w).with(
                "vehicle_classes",
                Value::Array(vec![Value::text("C1"), Value::text("C9")]),
            ),
            |e| matches!(e, ProfileError::UnknownVehicleClass { position: 2 }),
        ),
        (
            "vehicle class twice",
            driving.clone(),
            driving_claims(&w).with(
                "vehicle_classes",
                Value::Array(vec![Value::text("C1"), Value::text("C1")]),
            ),
            |e| matches!(e, ProfileError::DuplicateVehicleClass { position: 2 }),
        ),
        (
            "no vehicle classes",
            driving.clone(),
            driving_claims(&w).with("vehicle_classes", Value::Array(vec![])),
            |e| matches!(e, ProfileError::NoVehicleClasses),
        ),
        (
            "validity ending before it starts",
            id_card.clone(),
            id_card_claims(&w).with_date("validity_end", date("2021-05-31")),
            |e| matches!(e, ProfileError::ValidityEndsBeforeStart),
        ),
        (
            "validity with neither end nor long term",
            id_card.clone(),
            id_card_claims(&w).remove_and(&["validity_end"]),
            |e| matches!(e, ProfileError::ValidityEndMissing),
        ),
        (
            "validity with an end and long term",
            id_card.clone(),
            id_card_claims(&w).with("validity_long_term", Value::Bool(true)),
            |e| matches!(e, ProfileError::ValidityEndAndLongTerm),
        ),
        (
            "missing mandatory element",
            id_card.clone(),
            id_card_claims(&w).remove_and(&["ethnicity"]),
            |e| {
                matches!(
                    e,
                    ProfileError::MissingElement {
                        identifier: "ethnicity"
                    }
                )
            },
        ),
        (
            "derived element supplied",
            id_card.clone(),
            id_card_claims(&w).with("age_over_18", Value::Bool(true)),
            |e| {
                matches!(
                    e,
                    ProfileError::DerivedElementSupplied {
                        identifier: "age_over_18"
                    }
                )
            },
        ),
        (
            "unknown element",
            id_card.clone(),
            id_card_claims(&w).with_text("vehicle_classes", "C1"),
            |e| matches!(e, ProfileError::UnknownElement { identifier } if identifier == "vehicle_classes"),
        ),
        (
            "wrong type",
            id_card.clone(),
            id_card_claims(&w).with_text("birth_date", "1990-03-04"),
            |e| {
                matches!(
                    e,
                    ProfileError::Date {
                        identifier: "birth_date",
                        ..
                    }
                )
            },
        ),
        (
            "sex code outside ISO/IEC 5218 1 and 2",
            id_card.clone(),
            id_card_claims(&w).with("sex", Value::int(9)),
            |e| matches!(e, ProfileError::Sex { identifier: "sex" }),
        ),
        (
            "empty text",
            id_card.clone(),
            id_card_claims(&w).with_text("address", " "),
            |e| {
                matches!(
                    e,
                    ProfileError::EmptyValue {
                        identifier: "address"
                    }
                )
            },
        ),
        (
            "issuing authority code with a bad check character",
            id_card.clone(),
            id_card_claims(&w).with_text("issuing_authority_code", "11100000000013127E"),
            |e| {
                matches!(
                    e,
                    ProfileError::Uscc {
                        identifier: "issuing_authority_code",
                        source: UsccError::CheckCharacter
                    }
                )
            },
        ),
        (
            "licence identifier with a bad check character",
            id_card.clone(),
            {
                let claims = id_card_claims(&w);
                let mut id = claims
                    .get("licence_id")
                    .unwrap()
                    .as_text()
                    .unwrap()
                    .to_owned();
                let last = id.pop().unwrap();
                id.push(if last == 'A' { 'B' } else { 'A' });
                claims.with_text("licence_id", id)
            },
            |e| {
                matches!(
                    e,
                    ProfileError::LicenceId {
                        identifier: "licence_id",
                        source: LicenceIdError::CheckCharacter
                    }
                )
            },
        ),
        (
            "licence identifier of another licence type",
            id_card.clone(),
            id_card_claims(&w).with_text(
                "licence_id",
                LicenceId::new(driving.type_code(), &w.ministry.code, "1", 1)
                    .unwrap()
                    .as_str(),
            ),
            |e| {
                matches!(
                    e,
                    ProfileError::LicenceTypeMismatch {
                        identifier: "licence_id"
                    }
                )
            },
        ),
        (
            "licence type code of another profile",
            id_card.clone(),
            id_card_claims(&w).with_text("licence_type_code", driving.type_code().as_str()),
            |e| {
                matches!(
                    e,
                    ProfileError::LicenceTypeMismatch {
                        identifier: "licence_type_code"
                    }
                )
            },
        ),
        (
            "licence identifier of another issuer",
            id_card.clone(),
            id_card_claims(&w).with_text("issuing_authority_code", w.market.code.as_str()),
            |e| matches!(e, ProfileError::IssuerCodeMismatch),
        ),
        (
            "business holder code type on an identity card",
            id_card.clone(),
            id_card_claims(&w).with_text("holder_code_type", "001"),
            |e| matches!(e, ProfileError::HolderCodeTypeNotAllowed),
        ),
        (
            "face number differs from the holder code",
            id_card.clone(),
            id_card_claims(&w).with_text("id_number", citizen_id("44010619900304125").as_str()),
            |e| {
                matches!(
                    e,
                    ProfileError::HolderCodeMismatch {
                        identifier: "id_number"
                    }
                )
            },
        ),
        (
            "face name differs from the holder",
            id_card.clone(),
            id_card_claims(&w).with_text("name", "李五"),
            |e| matches!(e, ProfileError::HolderNameMismatch { identifier: "name" }),
        ),
        (
            "birth date differs from the identity number",
            id_card.clone(),
            id_card_claims(&w).with_date("birth_date", date("1990-03-05")),
            |e| matches!(e, ProfileError::BirthDateMismatch),
        ),
        (
            "sex differs from the identity number",
            id_card.clone(),
            id_card_claims(&w).with("sex", Value::int(2)),
            |e| matches!(e, ProfileError::SexMismatch),
        ),
        (
            "MSO outliving the licence",
            id_card.clone(),
            id_card_claims(&w).with_date("validity_end", date("2022-01-01")),
            |e| matches!(e, ProfileError::MsoOutsideLicenceValidity),
        ),
    ];
    let validity = w.validity();
    for (what, profile, claims, expected) in cases {
        let issuer = issuer_of(&w.ministry);
        let err = issue(
            &issuer,
            &profile,
            &claims,
            SoftwareKey::generate().unwrap().public(),
            validity,
        )
        .expect_err(what);
        assert!(expected(&err), "{what}: got {err:?}");
        let shown = format!("{err} {err:?}");
        for personal in ["李四", "440106", "1990", "广州"] {
            assert!(!shown.contains(personal), "{what}: {shown}");
        }
    }

    // An MSO window that ends before it starts.
    let err = issue(
        &issuer_of(&w.ministry),
        &id_card,
        &id_card_claims(&w),
        SoftwareKey::generate().unwrap().public(),
        MsoValidity::new(w.now, w.now, w.now.add_secs(-1)),
    )
    .unwrap_err();
    assert!(matches!(err, ProfileError::MsoValidity), "{err:?}");

    // The good claims pass (so each case above failed for its own reason only).
    for (profile, claims) in [(id_card, id_card_claims(&w)), (driving, driving_claims(&w))] {
        assert_eq!(profile.validate(&claims, &validity).unwrap(), vec![]);
    }
}

#[test]
fn signed_trust_list_is_verified_before_use_and_updated_in_order() {
    let w = world();
    let publishers = std::slice::from_ref(&w.publisher);

    // Any flipped byte: the list is refused (signature, or structure).
    for i in [w.signed.len() / 2, w.signed.len() - 5] {
        let mut tampered = w.signed.clone();
        tampered[i] ^= 0x01;
        assert!(TrustList::from_signed(&tampered, publishers, w.now, 0).is_err());
    }
    // Signed by a stranger's key while presenting the real publisher's certificate.
    let stranger = TestPki::generate(w.now).unwrap();
    let forged = w.list.sign(&stranger.iaca_key, &w.publisher).unwrap();
    assert!(matches!(
        TrustList::from_signed(&forged, publishers, w.now, 0),
        Err(TrustListError::Signature(_))
    ));
    // Another publisher.
    let by_stranger = w.list.sign(&stranger.iaca_key, &stranger.iaca).unwrap();
    assert!(matches!(
        TrustList::from_signed(&by_stranger, publishers, w.now, 0),
        Err(TrustListError::UntrustedPublisher)
    ));
    // Stale.
    assert!(matches!(
        TrustList::from_signed(&w.signed, publishers, w.now.add_secs(31 * DAY), 0),
        Err(TrustListError::Expired { .. })
    ));
    // Listing and lookup.
    let list = TrustList::from_signed(&w.signed, publishers, w.now, 3).unwrap();
    assert_eq!(list.sequence(), 3);
    assert_eq!(list.authorities().len(), 3);
    let names: Vec<&str> = list.authorities().iter().map(Authority::name).collect();
    assert_eq!(
        names,
        ["公安部", "广东省公安厅交通管理局", "国家市场监督管理总局"]
    );
    assert!(list
        .authority(&w.traffic.code)
        .unwrap()
        .may_issue(Profile::driving_licence().type_code()));
    assert_eq!(
        list.authority_for_anchor(&w.market.pki.iaca)
            .map(Authority::name),
        Some("国家市场监督管理总局")
    );

    // Updates: only newer editions from the same publisher.
    let mut verifier = LicenceVerifier::new(list.clone());
    let same = TrustList::from_bytes(&list.to_bytes()).unwrap();
    assert!(matches!(
        verifier.update(same),
        Err(TrustListError::Stale {
            current: 3,
            offered: 3
        })
    ));
    let mut v4 =
        TrustList::new("全国一体化政务服务平台", 4, w.now).with_next_update(w.now.add_secs(DAY));
    for a in list.authorities() {
        if a.code() != &w.traffic.code {
            v4.add_authority(a.clone()).unwrap();
        }
    }
    let v4 = TrustList::from_signed(
        &v4.sign(&w.publisher_key, &w.publisher).unwrap(),
        publishers,
        w.now,
        4,
    )
    .unwrap();
    let mut foreign = TrustList::new("another platform", 9, w.now);
    for a in list.authorities() {
        foreign.add_authority(a.clone()).unwrap();
    }
    assert!(matches!(
        verifier.update(foreign),
        Err(TrustListError::PublisherMismatch)
    ));
    verifier.update(v4).unwrap();
    assert_eq!(verifier.trust_list().sequence(), 4);

    // The traffic police department left the list: its driving licences no longer verify.
    let device_key = SoftwareKey::generate().unwrap();
    let dl = Profile::driving_licence();
    let issued = w.issue(&w.traffic, &dl, &driving_claims(&w), &device_key);
    let p = present(
        &w,
        &dl,
        &issued.credential,
        &device_key,
        &[(Namespace::Licence, "vehicle_classes")],
        &PurposeOfUse::new("租车").unwrap(),
    );
    let err = verifier
        .verify(&p.response, &VerifyOptions::new(&p.transcript, w.now))
        .unwrap_err();
    match err {
        LicenceVerifyError::Verify(e) => assert_eq!(e.check(), Check::IssuerChain),
        other => panic!("expected an issuer-chain failure, got {other:?}"),
    }
}

#[test]
fn over_long_purpose_is_a_typed_error_on_both_sides() {
    let w = world();
    assert_eq!(
        PurposeOfUse::new("核".repeat(201)),
        Err(PurposeError::TooLong { chars: 201 })
    );
    // A reader that ignores the limit: the wallet reads the request and refuses the purpose.
    let mut items = ItemsRequest::new(Profile::resident_id_card().doc_type()).with_element(
        Profile::resident_id_card().doc_type(),
        "age_over_18",
        false,
    );
    items.request_info = Some(vec![(
        Value::text(PURPOSE_OF_USE_KEY),
        Value::text("核".repeat(201)),
    )]);
    let request = DeviceRequest::new(vec![DocRequest::new(items)]).to_bytes();
    let transcript = SessionTranscript::new(None, None, &Value::text("h"));
    let parsed = ParsedRequest::parse(&request, &transcript, &RequestOptions::new(w.now)).unwrap();
    assert_eq!(
        PurposeOfUse::from_request(&parsed.documents()[0].request().items_request),
        Err(PurposeError::TooLong { chars: 201 })
    );
}

#[test]
fn verify_error_from_the_core_passes_through() {
    let w = world();
    let profile = Profile::resident_id_card();
    let device_key = SoftwareKey::generate().unwrap();
    let issued = w.issue(&w.ministry, &profile, &id_card_claims(&w), &device_key);
    let p = present(
        &w,
        &profile,
        &issued.credential,
        &device_key,
        &[(Namespace::Licence, "age_over_18")],
        &PurposeOfUse::new("核验").unwrap(),
    );
    let other_transcript = SessionTranscript::new(None, None, &Value::text("another session"));
    let err = w
        .verifier()
        .verify(&p.response, &VerifyOptions::new(&other_transcript, w.now))
        .unwrap_err();
    assert!(
        matches!(
            err,
            LicenceVerifyError::Verify(VerifyError::DeviceSignature { document: 0, .. })
        ),
        "{err:?}"
    );
}

/// An old signed edition (still listing an authority since removed) cannot be replayed at
/// start-up: the caller passes the lowest sequence number it still accepts. A signed list
/// must say when it goes stale.
#[test]
fn signed_trust_list_rollback_and_missing_next_update_are_refused() {
    let w = world();
    let publishers = std::slice::from_ref(&w.publisher);
    // Edition 3 is accepted while the caller's persisted minimum is 3 or lower (a restart
    // loads the edition in use again) ...
    for minimum in [0, 1, 3] {
        assert_eq!(
            TrustList::from_signed(&w.signed, publishers, w.now, minimum).unwrap(),
            w.list
        );
    }
    // ... and refused once edition 4 was accepted and 4 persisted.
    assert!(matches!(
        TrustList::from_signed(&w.signed, publishers, w.now, 4),
        Err(TrustListError::Rollback {
            minimum: 4,
            offered: 3
        })
    ));
    assert!(matches!(
        TrustList::from_signed(&w.signed, publishers, w.now, u64::MAX),
        Err(TrustListError::Rollback { offered: 3, .. })
    ));
    // Past nextUpdate, even with no minimum: its own error, not a rollback.
    assert!(matches!(
        TrustList::from_signed(&w.signed, publishers, w.now.add_secs(31 * DAY), 0),
        Err(TrustListError::Expired { .. })
    ));
    // Exactly at nextUpdate it is still fresh.
    assert!(TrustList::from_signed(&w.signed, publishers, w.now.add_secs(30 * DAY), 3).is_ok());
    // Without nextUpdate a signed list is refused; unsigned (bundled) lists may omit it.
    let mut open_ended = TrustList::new("全国一体化政务服务平台", 5, w.now);
    for a in w.list.authorities() {
        open_ended.add_authority(a.clone()).unwrap();
    }
    assert!(TrustList::from_bytes(&open_ended.to_bytes()).is_ok());
    assert!(matches!(
        TrustList::from_signed(
            &open_ended.sign(&w.publisher_key, &w.publisher).unwrap(),
            publishers,
            w.now,
            0
        ),
        Err(TrustListError::NextUpdateMissing)
    ));
}

/// The Chinese suspension list end to end: a driving licence naming the ISO 1-bit list and
/// the project's 2-bit list (`cn_status_list`), published by the traffic police's status
/// signer; a business verifier checks both, and `may_drive` follows the status.
#[test]
fn driving_licence_suspension_and_may_drive() {
    use std::sync::Arc;
    use zhengzhao::profiles::issue_with_status;
    use zhengzhao::status::{
        Bits, StaticResolver, Status, StatusChecker, StatusListPublisher, StatusListRef,
        StatusOutcome, StatusReference,
    };

    let w = world();
    let profile = Profile::driving_licence();
    let iso_uri = "https://gdjj.example.cn/status/dl-1";
    let cn_uri = "https://gdjj.example.cn/status/dl-cn-1";
    let mut iso = StatusListPublisher::new(iso_uri, Bits::One, 4096).unwrap();
    let mut cn = StatusListPublisher::new(cn_uri, Bits::Two, 4096).unwrap();
    let index = iso.allocate().unwrap();
    cn.mark_allocated(index).unwrap();
    let device_key = SoftwareKey::generate().unwrap();
    let reference = |uri: &str| StatusListRef {
        idx: index,
        uri: uri.into(),
        certificate: None,
    };
    let issued = issue_with_status(
        &issuer_of(&w.traffic),
        &profile,
        &driving_claims(&w),
        device_key.public(),
        w.validity(),
        StatusReference {
            status_list: Some(reference(iso_uri)),
            cn_status_list: Some(reference(cn_uri)),
            ..Default::default()
        },
    )
    .unwrap();
    let p = present(
        &w,
        &profile,
        &issued.credential,
        &device_key,
        &[(Namespace::Licence, "vehicle_classes")],
        &PurposeOfUse::new("租车准驾车型核验").unwrap(),
    );
    let pki = &w.traffic.pki;
    let signer = std::slice::from_ref(&pki.status_signer);
    let checker_for = |iso: &StatusListPublisher, cn: &StatusListPublisher| {
        let resolver = StaticResolver::new()
            .with(
                iso_uri,
                iso.sign(&pki.status_signer_key, signer, w.now).unwrap(),
            )
            .with(
                cn_uri,
                cn.sign(&pki.status_signer_key, signer, w.now).unwrap(),
            );
        StatusChecker::new(Arc::new(resolver))
    };
    let verify = |checker: &StatusChecker| {
        w.verifier().verify(
            &p.response,
            &VerifyOptions::new(&p.transcript, w.now).with_status(checker),
        )
    };

    // Valid: the licence answers from its classes.
    let out = verify(&checker_for(&iso, &cn)).unwrap();
    let mut doc = out.licences[0].document.clone();
    assert_eq!(doc.status, Some(StatusOutcome::Valid));
    assert_eq!(may_drive(&doc, VehicleClass::C1), Ok(true));

    // Suspended (暂扣): the verifier rejects it, naming the status.
    cn.set(index, Status::Suspended).unwrap();
    let err = verify(&checker_for(&iso, &cn)).unwrap_err();
    assert!(
        matches!(
            err,
            LicenceVerifyError::Verify(VerifyError::Suspended { document: 0 })
        ),
        "{err}"
    );
    // A document marked suspended (built by a caller) never may drive.
    doc.status = Some(StatusOutcome::Suspended);
    assert_eq!(may_drive(&doc, VehicleClass::C1), Ok(false));

    // Restored, then revoked (吊销) in the ISO list.
    cn.set(index, Status::Valid).unwrap();
    assert!(verify(&checker_for(&iso, &cn)).is_ok());
    iso.set(index, Status::Invalid).unwrap();
    assert!(matches!(
        verify(&checker_for(&iso, &cn)),
        Err(LicenceVerifyError::Verify(VerifyError::Revoked {
            document: 0
        }))
    ));

    // Offline, accepted as undetermined: may_drive cannot say yes.
    let offline = StatusChecker::new(Arc::new(StaticResolver::new())).accept_undetermined(true);
    let out = verify(&offline).unwrap();
    let doc = &out.licences[0].document;
    assert!(matches!(doc.status, Some(StatusOutcome::Undetermined(_))));
    assert_eq!(
        may_drive(doc, VehicleClass::C1),
        Err(PredicateError::StatusUndetermined)
    );
}
