//! OpenID4VP 1.0 end to end through the public API: the verifier's transaction makes a signed
//! request, the wallet verifies it and answers from a credential, the verifier checks the
//! answer; then every hostile variation the issue lists must fail with its own error.

use serde_json::{json, Value as Json};
use zhengzhao::cbor::Value;
use zhengzhao::crypto::SoftwareKey;
use zhengzhao::issuer::Issuer;
use zhengzhao::model::Credential;
use zhengzhao::oid4vp::client_id::ClientId;
use zhengzhao::oid4vp::jose;
use zhengzhao::oid4vp::json::JsonLimits;
use zhengzhao::oid4vp::request::{
    Invocation, RequestError, RequestPolicy, RequestSource, ResponseMode, VerifiedRequest,
};
use zhengzhao::oid4vp::response::{answer, AuthorizationResponse, HeldCredential};
use zhengzhao::oid4vp::verifier::{Oid4vpVerifyError, Transaction, VerifierConfig};
use zhengzhao::time::UnixTime;
use zhengzhao::trust::testpki::TestPki;
use zhengzhao::verifier::Verifier;

const MDL: &str = "org.iso.18013.5.1.mDL";
const NS: &str = "org.iso.18013.5.1";
const RESPONSE_URI: &str = "https://verifier.example.cn/oid4vp/response";

struct World {
    pki: TestPki,
    now: UnixTime,
    credential: Credential,
    device_key: SoftwareKey,
}

fn world() -> World {
    let now = UnixTime::now();
    let pki = TestPki::generate(now).unwrap();
    let device_key = SoftwareKey::generate().unwrap();
    let issuer = Issuer::new(
        Box::new(SoftwareKey::from_bytes(&pki.document_signer_key.to_bytes()[..]).unwrap()),
        vec![pki.document_signer.clone()],
    );
    let credential = issuer
        .credential(MDL)
        .element(NS, "family_name", Value::text("张"))
        .element(NS, "given_name", Value::text("三"))
        .element(NS, "age_over_18", Value::Bool(true))
        .element(NS, "resident_address", Value::text("上海市"))
        .device_key(device_key.public())
        .validity(now.add_secs(-60), now.add_secs(-60), now.add_secs(86_400))
        .sign()
        .unwrap();
    World {
        pki,
        now,
        credential,
        device_key,
    }
}

fn dcql() -> Json {
    json!({"credentials": [{
        "id": "mdl",
        "format": "mso_mdoc",
        "meta": {"doctype_value": MDL},
        "claims": [
            {"path": [NS, "family_name"]},
            {"path": [NS, "age_over_18"], "intent_to_retain": false}
        ]
    }]})
}

fn transaction(w: &World, mode: ResponseMode) -> (Transaction, String) {
    let config = VerifierConfig {
        client_id: ClientId::x509_san_dns("verifier.example.cn").unwrap(),
        response_uri: RESPONSE_URI.into(),
        response_mode: mode,
        signer: &w.pki.verifier_key,
        certificates: std::slice::from_ref(&w.pki.verifier),
    };
    Transaction::new(&config, &dcql(), w.now).unwrap()
}

fn policy(w: &World) -> RequestPolicy {
    RequestPolicy::new(w.pki.reader_trust_store(), w.now)
}

fn wallet_verify(w: &World, jwt: &str) -> Result<VerifiedRequest, RequestError> {
    policy(w).verify_request_object(
        jwt,
        Some("x509_san_dns:verifier.example.cn"),
        None,
        &Invocation::Redirect,
    )
}

fn body(w: &World, request: &VerifiedRequest) -> String {
    let held = [HeldCredential {
        credential: &w.credential,
        device_key: &w.device_key,
    }];
    match answer(request, &held, &|_, _| true).unwrap().response {
        AuthorizationResponse::FormPost { uri, body } => {
            assert_eq!(uri, RESPONSE_URI);
            body
        }
        other => panic!("expected a form post, got {other:?}"),
    }
}

fn verify(
    w: &World,
    tx: &mut Transaction,
    body: &str,
) -> Result<zhengzhao::oid4vp::verifier::VerifiedPresentation, Oid4vpVerifyError> {
    tx.handle_response(
        body,
        &Verifier::new(w.pki.issuer_trust_store()),
        w.now,
        None,
        &JsonLimits::default(),
    )
}

#[test]
fn encrypted_round_trip_discloses_only_what_was_asked() {
    let w = world();
    let (mut tx, jwt) = transaction(&w, ResponseMode::DirectPostJwt);
    let request = wallet_verify(&w, &jwt).unwrap();
    assert_eq!(request.response_mode(), ResponseMode::DirectPostJwt);
    assert_eq!(request.nonce(), tx.nonce());
    let body = body(&w, &request);
    assert!(body.starts_with("response="), "{body}");
    let presentation = verify(&w, &mut tx, &body).unwrap();
    assert_eq!(presentation.handover, "openid4vp");
    let (query, responses) = &presentation.responses[0];
    assert_eq!(query, "mdl");
    let doc = &responses[0].documents[0];
    let disclosed: Vec<&String> = doc.issuer_signed[NS].keys().collect();
    assert_eq!(disclosed, ["age_over_18", "family_name"]);
    assert_eq!(doc.issuer_signed[NS]["family_name"], Value::text("张"));

    // Single use.
    assert!(matches!(
        verify(&w, &mut tx, &body),
        Err(Oid4vpVerifyError::Replay)
    ));
}

#[test]
fn unencrypted_round_trip_and_state_survives_a_restart() {
    let w = world();
    let (tx, jwt) = transaction(&w, ResponseMode::DirectPost);
    let saved = tx.to_state_json();
    let request = wallet_verify(&w, &jwt).unwrap();
    assert!(request.encryption().is_none());
    let body = body(&w, &request);
    assert!(body.starts_with("vp_token="), "{body}");
    let mut restored = Transaction::from_state_json(&saved).unwrap();
    verify(&w, &mut restored, &body).unwrap();
    let spent = Transaction::from_state_json(&restored.to_state_json()).unwrap();
    assert!(spent.is_answered());
}

#[test]
fn the_request_uri_carries_the_request_by_value() {
    let w = world();
    let (tx, jwt) = transaction(&w, ResponseMode::DirectPostJwt);
    let uri = tx.request_uri(&jwt);
    assert!(uri.starts_with("openid4vp://?client_id=x509_san_dns%3Averifier.example.cn&request="));
    match RequestSource::from_uri(&uri, &JsonLimits::default()).unwrap() {
        RequestSource::ByValue { client_id, request } => {
            assert_eq!(
                client_id.as_deref(),
                Some("x509_san_dns:verifier.example.cn")
            );
            assert_eq!(request, jwt);
        }
        other => panic!("{other:?}"),
    }
}

/// Re-signs `jwt` with `claims` changed by `edit` and `header` by `edit_header`, with the
/// verifier's real key (so only the edited rule can fail).
fn resign(
    w: &World,
    jwt: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Json>),
    edit_header: impl FnOnce(&mut serde_json::Map<String, Json>),
) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let decode = |s: &str| {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap();
        serde_json::from_slice::<serde_json::Map<String, Json>>(&bytes).unwrap()
    };
    let mut header = decode(parts[0]);
    let mut claims = decode(parts[1]);
    edit(&mut claims);
    header.remove("alg");
    edit_header(&mut header);
    jose::sign_es256(
        header,
        Json::Object(claims).to_string().as_bytes(),
        &w.pki.verifier_key,
    )
    .unwrap()
}

#[test]
fn hostile_requests_are_refused_each_for_its_reason() {
    let w = world();
    let (_, jwt) = transaction(&w, ResponseMode::DirectPostJwt);
    let keep = |_: &mut serde_json::Map<String, Json>| {};

    // alg none: header and payload kept, signature dropped.
    let parts: Vec<&str> = jwt.split('.').collect();
    use base64::Engine as _;
    let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(br#"{"alg":"none","typ":"oauth-authz-req+jwt"}"#);
    let alg_none = format!("{none_header}.{}.", parts[1]);
    assert!(
        matches!(
            wallet_verify(&w, &alg_none),
            Err(RequestError::Jose(jose::JoseError::AlgNone))
                | Err(RequestError::WrongTyp)
                | Err(RequestError::Jose(_))
        ),
        "alg none"
    );

    let wrong_typ = resign(&w, &jwt, keep, |h| {
        h.insert("typ".into(), json!("JWT"));
    });
    assert!(matches!(
        wallet_verify(&w, &wrong_typ),
        Err(RequestError::WrongTyp)
    ));

    // client_id in the JAR differs from the outer one.
    assert!(matches!(
        policy(&w).verify_request_object(
            &jwt,
            Some("x509_san_dns:other.example.cn"),
            None,
            &Invocation::Redirect
        ),
        Err(RequestError::ClientIdMismatch)
    ));

    // SAN mismatch: the JAR claims a name the certificate does not carry.
    let san = resign(
        &w,
        &jwt,
        |c| {
            c.insert("client_id".into(), json!("x509_san_dns:evil.example.cn"));
        },
        |_| {},
    );
    assert!(matches!(
        policy(&w).verify_request_object(&san, None, None, &Invocation::Redirect),
        Err(RequestError::SanMismatch)
    ));

    let expired = resign(
        &w,
        &jwt,
        |c| {
            c.insert("exp".into(), json!(w.now.secs() - 3600));
        },
        |_| {},
    );
    assert!(matches!(
        wallet_verify(&w, &expired),
        Err(RequestError::Expired)
    ));

    let tx_data = resign(
        &w,
        &jwt,
        |c| {
            c.insert("transaction_data".into(), json!(["e30"]));
        },
        |_| {},
    );
    assert!(matches!(
        wallet_verify(&w, &tx_data),
        Err(RequestError::TransactionDataUnsupported)
    ));

    let host = resign(
        &w,
        &jwt,
        |c| {
            c.insert(
                "response_uri".into(),
                json!("https://evil.example.cn/collect"),
            );
        },
        |_| {},
    );
    assert!(matches!(
        wallet_verify(&w, &host),
        Err(RequestError::ResponseUriMismatch)
    ));

    let three = resign(
        &w,
        &jwt,
        |c| {
            c.insert(
                "dcql_query".into(),
                json!({"credentials": [{"id": "mdl", "format": "mso_mdoc",
            "meta": {"doctype_value": MDL}, "claims": [{"path": [NS, "family_name", "x"]}]}]}),
            );
        },
        |_| {},
    );
    assert!(matches!(
        wallet_verify(&w, &three),
        Err(RequestError::Dcql(_))
    ));

    let origin = resign(
        &w,
        &jwt,
        |c| {
            c.insert(
                "client_id".into(),
                json!("origin:https://verifier.example.cn"),
            );
        },
        |_| {},
    );
    assert!(matches!(
        policy(&w).verify_request_object(&origin, None, None, &Invocation::Redirect),
        Err(RequestError::ClientId(_))
    ));

    // A tampered signature.
    let mut tampered = jwt.clone().into_bytes();
    let n = tampered.len();
    tampered[n - 5] = if tampered[n - 5] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert!(matches!(
        wallet_verify(&w, &tampered),
        Err(RequestError::Jose(_))
    ));

    // An untrusted verifier (another PKI's reader CA).
    let other = TestPki::generate(w.now).unwrap();
    assert!(matches!(
        RequestPolicy::new(other.reader_trust_store(), w.now).verify_request_object(
            &jwt,
            None,
            None,
            &Invocation::Redirect
        ),
        Err(RequestError::Chain(_))
    ));

    // Deep and oversize JSON.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_jwt = format!(
        "{}.{}.AAAA",
        parts[0],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(deep)
    );
    assert!(wallet_verify(&w, &deep_jwt).is_err());
    let big = "A".repeat(2 * 1024 * 1024);
    assert!(wallet_verify(&w, &format!("{}.{big}.AAAA", parts[0])).is_err());
}

#[test]
fn hostile_responses_are_refused_each_for_its_reason() {
    let w = world();
    let (mut tx, jwt) = transaction(&w, ResponseMode::DirectPostJwt);
    let request = wallet_verify(&w, &jwt).unwrap();
    let good = body(&w, &request);

    // A tampered JWE tag (last character of the form value).
    let mut bad = good.clone().into_bytes();
    let n = bad.len();
    bad[n - 2] = if bad[n - 2] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        verify(&w, &mut tx, &String::from_utf8(bad).unwrap()),
        Err(Oid4vpVerifyError::Jose(_))
    ));
    assert!(
        !tx.is_answered(),
        "an undecryptable answer must not spend the transaction"
    );

    // An unencrypted answer where encryption was asked for: a downgrade.
    assert!(matches!(
        verify(&w, &mut tx, "vp_token=%7B%7D&state=x"),
        Err(Oid4vpVerifyError::WrongResponseMode)
    ));

    // Encrypted to another key: the kid is not ours.
    let (_, other_jwt) = transaction(&w, ResponseMode::DirectPostJwt);
    let other_request = wallet_verify(&w, &other_jwt).unwrap();
    let other_body = body(&w, &other_request);
    assert!(matches!(
        verify(&w, &mut tx, &other_body),
        Err(Oid4vpVerifyError::WrongKid)
    ));

    // The good one verifies; replaying it fails.
    verify(&w, &mut tx, &good).unwrap();
    assert!(matches!(
        verify(&w, &mut tx, &good),
        Err(Oid4vpVerifyError::Replay)
    ));
}

#[test]
fn a_response_bound_to_another_nonce_fails_device_authentication() {
    let w = world();
    let (_, jwt) = transaction(&w, ResponseMode::DirectPost);
    let (mut tx2, _) = transaction(&w, ResponseMode::DirectPost);
    let request = wallet_verify(&w, &jwt).unwrap();
    let body = body(&w, &request);
    // Same state copied in: only the nonce (and so the transcript) differs.
    let body = body.replace(
        &format!("state={}", request.state().unwrap()),
        &format!("state={}", tx2.state()),
    );
    match verify(&w, &mut tx2, &body) {
        Err(Oid4vpVerifyError::Presentation { handover, .. }) => assert_eq!(handover, "openid4vp"),
        other => panic!("expected a device-authentication failure, got {other:?}"),
    }
}
