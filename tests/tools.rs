//! The command-line tools of `examples/` (issue 8): `verify` on the published vectors, a whole
//! file-based exchange (`mdoc-tool` → `verify`), the scenario files, and the demo (its story on
//! the wallet and a proximity session, and its `--out` artefacts checked by `verify`).
//!
//! The tests call the tools' entry points in `zhengzhao-examples` (`verify_tool::run`,
//! `mdoc_tool::run`, `demo::run`) with the same argument lists a shell would pass; the example
//! binaries are ten-line wrappers around exactly these functions. That is the robust choice: Cargo gives
//! integration tests no path to *example* binaries (`CARGO_BIN_EXE_*` exists only for `[[bin]]`
//! targets), and running `cargo run --example …` from inside a test would start a nested build
//! under the same target directory — slow on a two-core CI machine, at the mercy of whatever
//! profile, `--locked`/`--offline` flags and `CARGO_TARGET_DIR` the outer run used, and prone to
//! waiting on Cargo's build lock. The binaries themselves, as processes with exit codes, are run
//! by `.ci/examples.d/10-file-tools.sh`.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use zhengzhao_examples::scenario::{load_dir, run_all, scenarios_dir, table};
use zhengzhao_examples::{demo, mdoc_tool, verify_tool};

fn vector(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("vectors")
        .join(rel)
        .display()
        .to_string()
}

/// Runs `verify` with `args`: (exit status, stdout).
fn verify(args: &[&str]) -> (i32, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = verify_tool::run(&args, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap())
}

fn verify_json(args: &[&str]) -> (i32, Json) {
    let mut args = args.to_vec();
    args.push("--json");
    let (code, out) = verify(&args);
    let json = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, json)
}

/// Runs `mdoc-tool` with `args`, which must succeed; returns stdout.
fn tool(args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = mdoc_tool::run(&args, &mut out, &mut err);
    let (out, err) = (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    );
    assert_eq!(code, 0, "mdoc-tool {args:?}\n{out}\n{err}");
    out
}

fn element_count(json: &Json) -> usize {
    json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["elements"]
                .as_object()
                .unwrap()
                .values()
                .map(|e| e.as_object().unwrap().len())
                .sum::<usize>()
        })
        .sum()
}

mod annex_d {
    use super::*;

    const D: &str = "iso18013-5-annex-d";

    fn base() -> Vec<String> {
        vec![
            "--response".into(),
            vector(&format!("{D}/device_response.hex")),
            "--trust".into(),
            vector(&format!("{D}/iaca_root_cert.pem")),
            "--transcript".into(),
            vector(&format!("{D}/session_transcript_bytes.hex")),
            "--reader-key".into(),
            vector(&format!("{D}/ephemeral_reader_key.d.hex")),
        ]
    }

    #[test]
    fn verifies_at_2021_with_the_reader_key_printing_six_elements() {
        let mut args = base();
        args.extend(["--at".into(), "2021-01-01T00:00:00Z".into()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();

        let (code, json) = verify_json(&args);
        assert_eq!(code, 0, "{json}");
        assert_eq!(json["verified"], true);
        assert_eq!(element_count(&json), 6);
        let doc = &json["documents"][0];
        assert_eq!(doc["doc_type"], "org.iso.18013.5.1.mDL");
        assert!(doc["issuer"].as_str().unwrap().contains("CN=utopia ds"));
        assert_eq!(doc["device_auth"], "mac");
        // The Annex D MSO holds only keys the verifier processes.
        assert_eq!(doc["unchecked"], serde_json::json!([]), "{json}");
        let els = &doc["elements"]["org.iso.18013.5.1"];
        assert_eq!(els["family_name"], "Doe");
        assert_eq!(
            els["issue_date"],
            serde_json::json!({"$full-date": "2019-10-20"})
        );
        assert_eq!(
            els["driving_privileges"][0],
            serde_json::json!({"vehicle_category_code": "A", "issue_date": {"$full-date": "2018-08-09"}, "expiry_date": {"$full-date": "2024-10-20"}})
        );
        assert!(els["portrait"]["$bytes"]
            .as_str()
            .unwrap()
            .starts_with("/9j/")); // a JPEG, base64
        assert_eq!(json["checks"].as_array().unwrap().len(), 9);

        let (code, text) = verify(&args);
        assert_eq!(code, 0);
        assert_eq!(text.matches("org.iso.18013.5.1 / ").count(), 6, "{text}");
        assert!(text.contains("VERIFIED: 1 document(s), 6 element(s)"));
    }

    #[test]
    fn the_bare_transcript_and_der_anchor_work_too() {
        let (code, json) = verify_json(&[
            "--response",
            &vector(&format!("{D}/device_response.hex")),
            "--trust",
            &vector(&format!("{D}/iaca_root_cert.der.hex")),
            "--transcript",
            &vector(&format!("{D}/session_transcript.hex")),
            "--reader-key",
            &vector(&format!("{D}/ephemeral_reader_key.d.hex")),
            "--at",
            "2021-01-01T00:00:00Z",
        ]);
        assert_eq!((code, element_count(&json)), (0, 6), "{json}");
    }

    #[test]
    fn without_at_it_fails_naming_expiry() {
        let args = base();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, json) = verify_json(&args);
        assert_ne!(code, 0);
        assert_eq!(json["verified"], false);
        assert_eq!(json["error"]["check"], "issuer_chain");
        let message = json["error"]["message"].as_str().unwrap();
        assert!(message.contains("expired"), "{message}");

        let (code, text) = verify(&args);
        assert_eq!(code, 1);
        assert!(text.contains("REJECTED by check issuer_chain"), "{text}");
        assert!(text.contains("expired"), "{text}");
    }

    #[test]
    fn without_the_reader_key_device_authentication_fails() {
        let args = base();
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.truncate(6);
        args.extend(["--at", "2021-01-01T00:00:00Z"]);
        let (code, json) = verify_json(&args);
        assert_eq!(code, 1);
        assert_eq!(json["error"]["check"], "device_authentication");
    }
}

/// The other published vectors, as their READMEs state (two need `--pinned`).
#[test]
fn other_vectors() {
    struct Case {
        dir: &'static str,
        anchor: (&'static str, &'static str),
        at: &'static str,
        elements: usize,
    }
    let cases = [
        Case {
            dir: "animo-paradym-oid4vp1",
            anchor: ("--trust", "iaca_root_cert.pem"),
            at: "2026-01-12T00:00:00Z",
            elements: 2,
        },
        Case {
            dir: "animo-google-dcapi",
            anchor: ("--pinned", "ds_cert_digitalcredentials_dev.pem"),
            at: "2025-02-20T00:00:00Z",
            elements: 2,
        },
        Case {
            dir: "auth0-mdl-example1",
            anchor: ("--pinned", "issuer_root_cert.pem"),
            at: "2024-01-01T00:00:00Z",
            elements: 12,
        },
    ];
    for c in cases {
        let (code, json) = verify_json(&[
            "--response",
            &vector(&format!("{}/device_response.hex", c.dir)),
            c.anchor.0,
            &vector(&format!("{}/{}", c.dir, c.anchor.1)),
            "--transcript",
            &vector(&format!("{}/session_transcript_bytes.hex", c.dir)),
            "--at",
            c.at,
        ]);
        assert_eq!(code, 0, "{}: {json}", c.dir);
        assert_eq!(element_count(&json), c.elements, "{}: {json}", c.dir);

        // The same signer as an ordinary CA anchor: not enough for a pinned-only issuer.
        if c.anchor.0 == "--pinned" {
            let (code, json) = verify_json(&[
                "--response",
                &vector(&format!("{}/device_response.hex", c.dir)),
                "--trust",
                &vector(&format!("{}/{}", c.dir, c.anchor.1)),
                "--transcript",
                &vector(&format!("{}/session_transcript_bytes.hex", c.dir)),
                "--at",
                c.at,
            ]);
            assert_eq!(code, 1, "{}: {json}", c.dir);
            assert_eq!(json["error"]["check"], "issuer_chain", "{}", c.dir);
        }
    }
}

#[test]
fn unusable_input_exits_2_with_a_json_error() {
    let (code, json) = verify_json(&["--response", "/nonexistent/response.cbor"]);
    assert_eq!(code, 2);
    assert_eq!(json["error"]["check"], "input");
    let (code, _) = verify(&["--bogus"]);
    assert_eq!(code, 2);
}

/// A scratch directory under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("zhengzhao-tools-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, file: &str) -> String {
        self.0.join(file).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The first half of a file exchange, into `s`: `mdoc-tool pki` into `pki`, `device-key`,
/// `transcript`, and `issue` of the claims file `claims` to `credential.cbor`. Returns what
/// `issue` printed.
fn issue_through_files(s: &Scratch, pki: &str, claims: &str) -> String {
    tool(&["pki", "--out", pki]);
    tool(&[
        "device-key",
        "--out",
        &s.path("device.key.pem"),
        "--public-out",
        &s.path("device.pub.pem"),
    ]);
    tool(&["transcript", "--out", &s.path("transcript.cbor")]);
    tool(&[
        "issue",
        "--claims",
        claims,
        "--ds-cert",
        &format!("{pki}/ds.pem"),
        "--ds-key",
        &format!("{pki}/ds.key.pem"),
        "--device-key",
        &s.path("device.pub.pem"),
        "--out",
        &s.path("credential.cbor"),
    ])
}

/// The whole exchange through files, as docs/tools.md runs it.
#[test]
fn file_based_exchange_end_to_end() {
    let s = Scratch::new("exchange");
    let claims = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data/mdl-claims.json")
        .display()
        .to_string();
    let pki = s.path("pki");
    let p = |f: &str| format!("{pki}/{f}");

    let issued = issue_through_files(&s, &pki, &claims);
    assert!(issued.contains("with 10 elements"), "{issued}");
    tool(&[
        "request",
        "--doc-type",
        "org.iso.18013.5.1.mDL",
        "--element",
        "org.iso.18013.5.1/family_name",
        "--element",
        "org.iso.18013.5.1/given_name",
        "--element",
        "org.iso.18013.5.1/age_over_18",
        "--retain",
        "org.iso.18013.5.1/driving_privileges",
        "--purpose",
        "car rental eligibility check",
        "--reader-cert",
        &p("reader.pem"),
        "--reader-key",
        &p("reader.key.pem"),
        "--transcript",
        &s.path("transcript.cbor"),
        "--out",
        &s.path("request.cbor"),
    ]);
    let shown = tool(&[
        "present",
        "--credential",
        &s.path("credential.cbor"),
        "--device-key",
        &s.path("device.key.pem"),
        "--request",
        &s.path("request.cbor"),
        "--transcript",
        &s.path("transcript.cbor"),
        "--reader-trust",
        &p("reader_ca.pem"),
        "--consent",
        "family_name,age_over_18",
        "--consent",
        "org.iso.18013.5.1/driving_privileges",
        "--out",
        &s.path("response.cbor"),
    ]);
    assert!(
        shown.contains("CN=Test Reader (verified)"),
        "the wallet shows who asks: {shown}"
    );
    assert!(shown.contains("car rental eligibility check"), "{shown}");
    assert!(shown.contains("driving_privileges (retained)"), "{shown}");

    let (code, json) = verify_json(&[
        "--response",
        &s.path("response.cbor"),
        "--trust",
        &p("iaca.pem"),
        "--transcript",
        &s.path("transcript.cbor"),
    ]);
    assert_eq!(code, 0, "{json}");
    let els = &json["documents"][0]["elements"]["org.iso.18013.5.1"];
    let mut ids: Vec<&str> = els
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    ids.sort();
    assert_eq!(ids, ["age_over_18", "driving_privileges", "family_name"]);
    assert_eq!(els["family_name"], "张");
    assert_eq!(
        els["driving_privileges"][0]["issue_date"],
        serde_json::json!({"$full-date": "2012-05-20"})
    );

    // Another session's transcript: device authentication fails.
    tool(&[
        "transcript",
        "--handover",
        "another session",
        "--out",
        &s.path("other.cbor"),
    ]);
    let (code, json) = verify_json(&[
        "--response",
        &s.path("response.cbor"),
        "--trust",
        &p("iaca.pem"),
        "--transcript",
        &s.path("other.cbor"),
    ]);
    assert_eq!(
        (code, &json["error"]["check"]),
        (1, &Json::from("device_authentication"))
    );

    // The reader CA is no issuing authority.
    let (code, json) = verify_json(&[
        "--response",
        &s.path("response.cbor"),
        "--trust",
        &p("reader_ca.pem"),
        "--transcript",
        &s.path("transcript.cbor"),
    ]);
    assert_eq!(
        (code, &json["error"]["check"]),
        (1, &Json::from("issuer_chain"))
    );

    // `inspect` shows any of the files as JSON.
    let inspected = tool(&["inspect", &s.path("request.cbor")]);
    assert!(inspected.contains("\"docRequests\""), "{inspected}");
}

#[test]
fn the_holder_must_consent_explicitly() {
    let args: Vec<String> = ["present", "--credential", "x", "--out", "y"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(mdoc_tool::run(&args, &mut out, &mut err), 1);
    assert!(String::from_utf8(err).unwrap().contains("consent"));
}

#[test]
fn scenarios_play_as_their_files_expect() {
    let scenarios = load_dir(scenarios_dir()).unwrap();
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    for required in [
        "happy path",
        "consent narrower than request",
        "expired credential",
        "tampered element value",
        "wrong transcript",
        "untrusted issuer",
    ] {
        assert!(names.contains(&required), "missing scenario {required:?}");
    }
    let rows = run_all(scenarios);
    let report = table(&rows);
    assert!(rows.iter().all(|r| r.passed()), "\n{report}");
}

/// Runs the demo with `args`: (exit status, stdout, stderr).
fn demo(args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = demo::run(&args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// The demo's story in both device-authentication modes: the wallet (a temporary `FileStore`,
/// removed at the end) answers with three documents, the ISO mDL first; the verifier answers
/// "may drive C1" and "over 18"; the disclosure log shows element names, never values; and
/// the `--out` artefacts verify with `verify` (the deviceMac set only with the reader key).
#[test]
fn demo_story_and_artefacts_in_both_device_auth_modes() {
    let s = Scratch::new("demo");
    for mac in [false, true] {
        let dir = s.path(if mac { "mac" } else { "sig" });
        let mut args = vec!["--out", dir.as_str()];
        if mac {
            args.push("--device-mac");
        }
        let (code, out, err) = demo(&args);
        assert_eq!(code, demo::EXIT_OK, "{err}\n{out}");
        assert!(out.contains("Result: VERIFIED"), "{out}");
        assert!(out.contains("may drive C1 (predicates::may_drive, 驾驶证) : yes"));
        assert!(out.contains("over 18 (predicates::age_over, 居民身份证)    : yes"));
        assert!(
            out.contains("placeholder"),
            "the placeholder type code is said"
        );
        assert!(out.contains("\u{2588}"), "the QR code is drawn");
        // Licence status: one valid, one suspended, one revoked; no list is undetermined.
        for line in [
            "赵敏's licence: valid — accepted",
            "李娜's licence: suspended (暂扣) — refused",
            "王强's licence: revoked (吊销) — refused",
            "with no list at hand: undetermined — refused",
        ] {
            assert!(out.contains(line), "{line:?} missing:\n{out}");
        }

        // The temporary wallet is gone.
        let store = out
            .lines()
            .find_map(|l| {
                l.split(" in ")
                    .nth(1)?
                    .strip_suffix("/store (temporary; --wallet DIR keeps it)")
            })
            .expect("the demo names its wallet directory");
        assert!(!Path::new(store).exists(), "{store} left behind");

        // The log section names elements and the company, never a value.
        let log = out
            .split("disclosure log:")
            .nth(1)
            .and_then(|rest| rest.split("presented 1 time").next())
            .unwrap();
        for name in [
            "family_name",
            "given_name",
            "vehicle_classes",
            "age_over_18",
        ] {
            assert!(log.contains(name), "{name} missing from the log:\n{log}");
        }
        for value in ["张", "伟", "[C1]", "true"] {
            assert!(!log.contains(value), "a value ({value}) in the log:\n{log}");
        }
        assert!(
            !log.contains("document_number"),
            "declined, so not disclosed"
        );

        let f = |name: &str| format!("{dir}/{name}");
        let base = [
            "--response",
            &f("device_response.cbor"),
            "--trust",
            &f("issuer_ca.pem"),
            "--transcript",
            &f("session_transcript.cbor"),
        ]
        .map(str::to_owned);
        let mut args: Vec<&str> = base.iter().map(String::as_str).collect();
        let key = f("ephemeral_reader_key.d.hex");
        assert_eq!(Path::new(&key).exists(), mac);
        if mac {
            let (code, json) = verify_json(&args);
            assert_eq!(code, 1, "{json}");
            assert_eq!(json["error"]["check"], "device_authentication");
            args.extend(["--reader-key", key.as_str()]);
        }
        let (code, json) = verify_json(&args);
        assert_eq!(code, 0, "{json}");
        let docs = json["documents"].as_array().unwrap();
        let types: Vec<&str> = docs
            .iter()
            .map(|d| d["doc_type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "org.iso.18013.5.1.mDL",
                "1.2.156.3005.2.11100000000013127D002",
                "1.2.156.3005.2.11100000000013127D001"
            ]
        );
        let auth = if mac { "mac" } else { "signature" };
        assert!(docs.iter().all(|d| d["device_auth"] == auth), "{json}");
        assert_eq!(element_count(&json), 4);
        assert_eq!(
            docs[1]["elements"]["1.2.156.3005.2.11100000000013127D002"]["vehicle_classes"],
            serde_json::json!(["C1"])
        );
        // The published lists verify against the issuer CA, at their URIs.
        for (file, uri, bits) in [
            ("status_list.cwt", "https://status.example.cn/mdl/1", 1),
            ("cn_status_list.cwt", "https://status.example.cn/cn-dl/1", 2),
        ] {
            let out = tool(&[
                "status-list",
                "decode",
                "--token",
                &f(file),
                "--trust",
                &f("issuer_ca.pem"),
                "--uri",
                uri,
                "--json",
            ]);
            let j: Json = serde_json::from_str(out.trim()).unwrap();
            assert_eq!(
                (j["bits"].as_u64(), j["size"].as_u64()),
                (Some(bits), Some(1024))
            );
        }
        // What the demo wrote as its own verdict is what verify prints.
        let written: Json =
            serde_json::from_str(&std::fs::read_to_string(f("verification.json")).unwrap())
                .unwrap();
        assert_eq!(written, json);
    }
}

/// `--wallet DIR` keeps the wallet: a second run reopens it (same host key), adds its own
/// credentials beside the first run's and answers with them.
#[test]
fn demo_wallet_is_kept_and_reopened() {
    let s = Scratch::new("demo-wallet");
    let wallet = s.path("wallet");
    let (code, out, err) = demo(&["--wallet", &wallet]);
    assert_eq!(code, demo::EXIT_OK, "{err}\n{out}");
    assert!(!out.contains("from an earlier run"));
    let (code, out, err) = demo(&["--wallet", &wallet, "--device-mac"]);
    assert_eq!(code, demo::EXIT_OK, "{err}\n{out}");
    // The first run left four: three from the proximity part, the Shanghai licence of the
    // online scene (section 9), which also logged one disclosure.
    assert!(out.contains("holds 7 credential(s)"), "{out}");
    assert_eq!(out.matches("(from an earlier run)").count(), 4, "{out}");
    assert!(
        out.contains("3 entries for this exchange (7 in all)"),
        "{out}"
    );
}

#[test]
fn demo_rejects_an_unusable_command_line() {
    for args in [&["--bogus"][..], &["--out"], &["--wallet"]] {
        let (code, out, err) = demo(args);
        assert_eq!(code, demo::EXIT_USAGE, "{args:?}");
        assert!(err.contains("usage: demo"), "{err}");
        assert!(!out.contains("Result"), "{out}");
    }
}

/// Runs one function of `.ci/run` (extracted with sed, so the rest of CI does not run) in an
/// empty directory: (exit status, stderr).
fn ci_function_in_empty_dir(function: &str) -> (i32, String) {
    let run = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/run");
    let s = Scratch::new(&format!("ci-{function}"));
    let script = format!(
        "set -euo pipefail; export LC_ALL=C; source <(sed -n '/^{function}() {{/,/^}}/p' \"$0\"); \
         type {function} >/dev/null; cd \"$1\"; {function}"
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script, &run.display().to_string(), &s.path("")])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Issue 13.16: a CI step whose script is missing fails instead of passing vacuously.
#[test]
fn ci_steps_fail_when_their_scripts_are_missing() {
    let (code, err) = ci_function_in_empty_dir("run_bindings");
    assert_ne!(
        code, 0,
        "run_bindings passed without .ci/bindings.sh: {err}"
    );
    assert!(err.contains("bindings.sh is missing"), "{err}");
    let (code, err) = ci_function_in_empty_dir("run_example_scripts");
    assert_ne!(code, 0, "run_example_scripts passed with no scripts: {err}");
    assert!(err.contains("no scripts in .ci/examples.d/"), "{err}");
}

/// Issue 13.13: issuer-chosen strings (a namespace, identifiers, values) with a newline, a
/// carriage return, an ANSI escape, a C1 CSI and a bidi override cannot add, erase or reorder
/// a line of `verify`'s text output, and `--json` keeps an integer map key and the same
/// number as text apart.
#[test]
fn hostile_strings_cannot_spoof_the_output() {
    let s = Scratch::new("spoof");
    let pki = s.path("pki");
    let p = |f: &str| format!("{pki}/{f}");
    let ns = "org.iso.18013.5.1\nVERIFIED: 9 document(s)";
    let hostile_value =
        "Doe\n    org.iso.18013.5.1 / age_over_21 = true\r\u{1b}[2K\u{9b}2K\u{202e}evil\\u{41}";
    let claims = serde_json::json!({
        "doc_type": "org.iso.18013.5.1.mDL",
        "namespaces": {
            ns: {
                "family_name": hostile_value,
                "id\u{1b}[1A": {"$map": [[1, "integer key"], ["1", "text key"]]},
                "nan": {"$float": "NaN"},
                "nan_text": "NaN",
            }
        }
    });
    std::fs::write(s.path("claims.json"), claims.to_string()).unwrap();
    issue_through_files(&s, &pki, &s.path("claims.json"));
    let elements: Vec<String> = ["family_name", "id\u{1b}[1A", "nan", "nan_text"]
        .iter()
        .map(|id| format!("{ns}/{id}"))
        .collect();
    let mut request = vec!["request", "--doc-type", "org.iso.18013.5.1.mDL"];
    for e in &elements {
        request.extend(["--element", e.as_str()]);
    }
    let transcript = s.path("transcript.cbor");
    let request_out = s.path("request.cbor");
    request.extend(["--transcript", &transcript, "--out", &request_out]);
    tool(&request);
    let shown = tool(&[
        "present",
        "--credential",
        &s.path("credential.cbor"),
        "--device-key",
        &s.path("device.key.pem"),
        "--request",
        &request_out,
        "--transcript",
        &transcript,
        "--consent-all",
        "--out",
        &s.path("response.cbor"),
    ]);
    assert!(!shown.contains('\u{1b}'), "{shown:?}");

    let args = [
        "--response",
        &s.path("response.cbor"),
        "--trust",
        &p("iaca.pem"),
        "--transcript",
        &transcript,
    ];
    let (code, text) = verify(&args);
    assert_eq!(code, 0, "{text}");
    // No input-chosen character a terminal acts on survives, and the lines are ours.
    for bad in ['\r', '\u{1b}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(bad), "{bad:?} reached the output: {text:?}");
    }
    assert_eq!(
        text.lines().filter(|l| l.starts_with("VERIFIED")).count(),
        1,
        "{text}"
    );
    assert!(
        !text.contains("\n    org.iso.18013.5.1 / age_over_21"),
        "{text}"
    );
    assert!(
        text.contains(
            "Doe\\n    org.iso.18013.5.1 / age_over_21 = true\\r\\u{001B}[2K\\u{009B}2K\\u{202E}evil\\\\u{41}"
        ),
        "{text}"
    );
    assert!(text.contains("org.iso.18013.5.1\\nVERIFIED: 9 document(s) / id\\u{001B}[1A"));

    // JSON: the exact strings, written with \u escapes, and no merged keys or types.
    let (code, out) = verify(&[&args[..], &["--json"]].concat());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().count(), 1, "{out:?}");
    for bad in ['\u{1b}', '\u{9b}', '\u{202e}'] {
        assert!(!out.contains(bad), "{bad:?} reached the JSON: {out:?}");
    }
    let json: Json = serde_json::from_str(out.trim()).unwrap();
    let els = &json["documents"][0]["elements"][ns];
    assert_eq!(els["family_name"], hostile_value);
    assert_eq!(
        els["id\u{1b}[1A"],
        serde_json::json!({"$map": [[1, "integer key"], ["1", "text key"]]})
    );
    assert_eq!(els["nan"], serde_json::json!({"$float": "NaN"}));
    assert_eq!(els["nan_text"], "NaN");
    assert_eq!(json["documents"][0]["device_signed"], serde_json::json!({}));
}

/// The WebAssembly binding's Node tests (bindings/wasm/tests/verify.test.cjs) compare its
/// `verify()` with committed files of what the native `verify --json` prints; this keeps those
/// files equal to the native tool's output, so the comparison there is with the tool itself.
#[test]
fn wasm_expected_json_is_what_native_verify_prints() {
    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bindings/wasm/tests/expected");
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "iso18013-5-annex-d",
            &[
                "--trust",
                "iaca_root_cert.pem",
                "--reader-key",
                "ephemeral_reader_key.d.hex",
            ],
            "2021-01-01T00:00:00Z",
        ),
        (
            "iso18013-5-annex-d.no-reader-key",
            &["--trust", "iaca_root_cert.pem"],
            "2021-01-01T00:00:00Z",
        ),
        (
            "animo-paradym-oid4vp1",
            &["--trust", "iaca_root_cert.pem"],
            "2026-01-12T00:00:00Z",
        ),
        (
            "animo-google-dcapi",
            &["--pinned", "ds_cert_digitalcredentials_dev.pem"],
            "2025-02-20T00:00:00Z",
        ),
        (
            "auth0-mdl-example1",
            &["--pinned", "issuer_root_cert.pem"],
            "2024-01-01T00:00:00Z",
        ),
    ];
    for (name, anchors, at) in cases {
        let dir = name.split('.').next().unwrap_or(name);
        let mut args = vec![
            "--response".to_owned(),
            vector(&format!("{dir}/device_response.hex")),
            "--transcript".to_owned(),
            vector(&format!("{dir}/session_transcript_bytes.hex")),
            "--at".to_owned(),
            at.to_owned(),
        ];
        for pair in anchors.chunks(2) {
            args.push(pair[0].to_owned());
            args.push(vector(&format!("{dir}/{}", pair[1])));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, native) = verify_json(&args);
        let file = expected.join(format!("{name}.json"));
        let committed: Json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(native, committed, "{}", file.display());
    }
}

/// Licence status (issue 15): `mdoc-tool status-list build/decode`, `issue --status-uri`, and
/// `verify --status-list`.
mod status {
    use super::*;
    use zhengzhao_examples::files;

    const SPEC_URI: &str = "https://example.com/statuslists/1";

    /// Runs `mdoc-tool` with `args`: (exit status, stdout, stderr).
    fn tool_code(args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = mdoc_tool::run(&args, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    /// `status-list decode ... --json`, which must succeed.
    fn decode_json(args: &[&str]) -> Json {
        let mut all = vec!["status-list", "decode"];
        all.extend_from_slice(args);
        all.push("--json");
        let out = tool(&all);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// `status-list decode ...`, which must fail a check (exit 1, one line on stderr).
    fn decode_refused(args: &[&str]) -> String {
        let mut all = vec!["status-list", "decode"];
        all.extend_from_slice(args);
        let (code, out, err) = tool_code(&all);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        err
    }

    /// `status-list build` of a list at `uri` signed by the status signer in `pki`.
    fn build(pki: &str, out: &str, uri: &str, bits: u8, size: usize, sets: &[(u64, u8)]) {
        let (bits, size) = (bits.to_string(), size.to_string());
        let sets: Vec<String> = sets.iter().map(|(i, v)| format!("{i}={v}")).collect();
        let key = format!("{pki}/status_signer.key.pem");
        let cert = format!("{pki}/status_signer.pem");
        let mut args = vec![
            "status-list",
            "build",
            "--bits",
            &bits,
            "--size",
            &size,
            "--signer-key",
            &key,
            "--signer-cert",
            &cert,
            "--uri",
            uri,
            "--out",
            out,
        ];
        for s in &sets {
            args.extend(["--set", s.as_str()]);
        }
        tool(&args);
    }

    #[test]
    fn pki_writes_the_status_signer() {
        let s = Scratch::new("status-pki");
        let pki = s.path("pki");
        let shown = tool(&["pki", "--out", &pki]);
        assert!(shown.contains("Test Status List Signer"), "{shown}");
        let cert = files::read_certificates(format!("{pki}/status_signer.pem")).unwrap();
        let key = files::read_private_key(format!("{pki}/status_signer.key.pem")).unwrap();
        assert_eq!(cert[0].public_key().unwrap(), key.public());
        let iaca = files::read_certificates(format!("{pki}/iaca.pem")).unwrap();
        assert_eq!(cert[0].issuer(), iaca[0].subject());
    }

    /// For each width: build with `--ttl`/`--exp` and some entries set (the width's maximum
    /// among them), decode with the IACA and with the signer's public key; bits, size, sub,
    /// iat, exp, ttl and every status come back.
    #[test]
    fn build_decode_round_trip_for_every_width() {
        let s = Scratch::new("status-roundtrip");
        let pki = s.path("pki");
        tool(&["pki", "--out", &pki]);
        let public = s.path("status_signer.pub.pem");
        let signer = files::read_private_key(format!("{pki}/status_signer.key.pem")).unwrap();
        std::fs::write(&public, files::public_key_pem(&signer.public())).unwrap();
        let iaca = format!("{pki}/iaca.pem");
        let before = zhengzhao::time::UnixTime::now().secs();
        for bits in [1u8, 2, 4, 8] {
            let max = u8::try_from((1u16 << bits) - 1).unwrap();
            let size = 1000usize;
            let sets = [(0u64, max), (7, 1), (500, max / 2 + 1), (999, max)];
            let uri = format!("https://status.example.cn/lists/{bits}");
            let token = s.path(&format!("list{bits}.cwt"));
            let (bits_s, size_s) = (bits.to_string(), size.to_string());
            let key = format!("{pki}/status_signer.key.pem");
            let cert = format!("{pki}/status_signer.pem");
            let sets_s: Vec<String> = sets.iter().map(|(i, v)| format!("{i}={v}")).collect();
            let mut args = vec![
                "status-list",
                "build",
                "--bits",
                &bits_s,
                "--size",
                &size_s,
                "--signer-key",
                &key,
                "--signer-cert",
                &cert,
                "--uri",
                &uri,
                "--ttl",
                "3600",
                "--exp",
                "2099-01-01T00:00:00Z",
                "--out",
                &token,
            ];
            for set in &sets_s {
                args.extend(["--set", set.as_str()]);
            }
            tool(&args);

            let expected: serde_json::Map<String, Json> = [0u64, 1, 6, 7, 8, 500, 998, 999]
                .iter()
                .map(|&i| {
                    let v = sets.iter().find(|(j, _)| *j == i).map_or(0, |(_, v)| *v);
                    (i.to_string(), Json::from(v))
                })
                .collect();
            let index_args: Vec<String> = expected.keys().cloned().collect();
            for anchor in [["--trust", iaca.as_str()], ["--key", public.as_str()]] {
                let mut args = vec!["--token", token.as_str(), "--uri", uri.as_str()];
                args.extend(anchor);
                for i in &index_args {
                    args.extend(["--index", i.as_str()]);
                }
                let j = decode_json(&args);
                assert_eq!(j["bits"], bits, "{j}");
                assert_eq!(j["size"], size, "{j}");
                assert_eq!(j["sub"], uri.as_str(), "{j}");
                assert_eq!(j["ttl"], 3600, "{j}");
                assert_eq!(j["exp"], 4_070_908_800i64, "{j}");
                let iat = j["iat"].as_i64().unwrap();
                assert!(iat >= before && iat <= zhengzhao::time::UnixTime::now().secs());
                assert_eq!(j["statuses"], Json::Object(expected.clone()), "{j}");
                assert_eq!(
                    j.as_object().unwrap().len(),
                    7,
                    "exactly the contract's keys: {j}"
                );
            }
        }

        // Without --exp: 24 hours after iat; without --ttl: null. The text output names them.
        let token = s.path("default.cwt");
        build(&pki, &token, "https://status.example.cn/d", 1, 8, &[]);
        let j = decode_json(&["--token", &token, "--trust", &iaca]);
        assert_eq!(
            j["exp"].as_i64().unwrap() - j["iat"].as_i64().unwrap(),
            86_400
        );
        assert_eq!(j["ttl"], Json::Null);
        assert_eq!(j["statuses"], serde_json::json!({}));
        let text = tool(&[
            "status-list",
            "decode",
            "--token",
            &token,
            "--trust",
            &iaca,
            "--index",
            "3",
        ]);
        assert!(text.contains("bits     : 1"), "{text}");
        assert!(text.contains("index 3: 0 (valid)"), "{text}");
        assert!(text.contains("ttl      : (none)"), "{text}");

        // A token built as hex text decodes the same.
        let hex_token = s.path("default.cwt.hex");
        std::fs::write(&hex_token, hex::encode(std::fs::read(&token).unwrap())).unwrap();
        assert_eq!(decode_json(&["--token", &hex_token, "--trust", &iaca]), j);
    }

    #[test]
    fn build_refuses_values_wider_than_the_list_and_bad_flags() {
        let s = Scratch::new("status-build-bad");
        let pki = s.path("pki");
        tool(&["pki", "--out", &pki]);
        let key = format!("{pki}/status_signer.key.pem");
        let cert = format!("{pki}/status_signer.pem");
        let out = s.path("x.cwt");
        let base = |bits: &'static str, extra: &[&'static str]| -> (i32, String) {
            let mut args = vec![
                "status-list",
                "build",
                "--bits",
                bits,
                "--size",
                "16",
                "--signer-key",
                key.as_str(),
                "--signer-cert",
                cert.as_str(),
                "--uri",
                "https://status.example.cn/x",
                "--out",
                out.as_str(),
            ];
            args.extend_from_slice(extra);
            let (code, _, err) = tool_code(&args);
            (code, err)
        };
        let (code, err) = base("2", &["--set", "3=4"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("does not fit in 2 bits"), "{err}");
        assert!(!Path::new(&out).exists(), "nothing written");
        let (code, err) = base("1", &["--set", "16=1"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("outside the list"), "{err}");
        for (bits, extra) in [
            ("3", &[][..]),
            ("x", &[]),
            ("1", &["--set", "3"]),
            ("1", &["--set", "3=-1"]),
            ("1", &["--ttl", "0"]),
            ("1", &["--exp", "tomorrow"]),
            ("1", &["--bogus"]),
        ] {
            let (code, err) = base(bits, extra);
            assert_eq!(code, 2, "--bits {bits} {extra:?}: {err}");
        }
        let (code, _, err) = tool_code(&["status-list", "build", "--bits", "1"]);
        assert_eq!(code, 2, "{err}");
        let (code, _, _) = tool_code(&["status-list", "frobnicate"]);
        assert_eq!(code, 2);
        let (code, _, _) = tool_code(&["status-list"]);
        assert_eq!(code, 2);
    }

    /// The draft's §5.2 token with its example key: statuses 0 → 1 and 1 → 0 (its list is
    /// `list_1bit_16`); each relying-party check refuses with exit 1.
    #[test]
    fn decode_the_drafts_token_and_its_refusals() {
        let token = vector("status-list/status_list_token.cwt.hex");
        let key = vector("status-list/example_key.pub.pem");
        let j = decode_json(&[
            "--token",
            &token,
            "--key",
            &key,
            "--uri",
            SPEC_URI,
            "--at",
            "2026-01-01T00:00:00Z",
            "--index",
            "0",
            "--index",
            "1",
        ]);
        assert_eq!(
            j,
            serde_json::json!({"bits": 1, "size": 16, "sub": SPEC_URI, "iat": 1_686_920_170,
                "exp": 2_291_720_170u64, "ttl": 43_200, "statuses": {"0": 1, "1": 0}})
        );
        let at = ["--at", "2026-01-01T00:00:00Z"];
        let base = ["--token", token.as_str(), "--key", key.as_str()];
        let with = |extra: &[&str]| -> Vec<String> {
            base.iter()
                .chain(extra)
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        for (extra, reason) in [
            (
                &["--uri", "https://example.com/statuslists/2", at[0], at[1]][..],
                "sub does not match",
            ),
            (&["--at", "2042-08-15T12:56:10Z"], "expired"),
            (&[at[0], at[1], "--index", "16"], "outside the list"),
            (&["--at", "2023-01-01T00:00:00Z"], "issued after"),
        ] {
            let args = with(extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let err = decode_refused(&args);
            assert!(err.contains(reason), "{extra:?}: {err}");
        }
        // Another key.
        let s = Scratch::new("status-spec");
        tool(&[
            "device-key",
            "--out",
            &s.path("k.pem"),
            "--public-out",
            &s.path("k.pub.pem"),
        ]);
        let err = decode_refused(&[
            "--token",
            &token,
            "--key",
            &s.path("k.pub.pem"),
            at[0],
            at[1],
        ]);
        assert!(err.contains("signature invalid"), "{err}");
        // Both or neither of --trust and --key: a usage error.
        let (code, _, _) = tool_code(&["status-list", "decode", "--token", &token]);
        assert_eq!(code, 2);
    }

    /// A token of our PKI is refused by another PKI's IACA, and by the document signer's
    /// certificate (which is no CA); it decodes with its own IACA.
    #[test]
    fn decode_with_trust_needs_the_chain_to_that_ca() {
        let s = Scratch::new("status-trust");
        let (pki, other) = (s.path("pki"), s.path("other"));
        tool(&["pki", "--out", &pki]);
        tool(&["pki", "--out", &other]);
        let token = s.path("l.cwt");
        build(
            &pki,
            &token,
            "https://status.example.cn/t",
            1,
            16,
            &[(2, 1)],
        );
        let j = decode_json(&[
            "--token",
            &token,
            "--trust",
            &format!("{pki}/iaca.pem"),
            "--index",
            "2",
        ]);
        assert_eq!(j["statuses"], serde_json::json!({"2": 1}));
        for ca in [format!("{other}/iaca.pem"), format!("{pki}/ds.pem")] {
            let err = decode_refused(&["--token", &token, "--trust", &ca]);
            assert!(err.contains("chain"), "{err}");
        }
        // A list signed by another PKI's status signer, trusted with ours: refused.
        let foreign = s.path("foreign.cwt");
        build(&other, &foreign, "https://status.example.cn/t", 1, 16, &[]);
        decode_refused(&["--token", &foreign, "--trust", &format!("{pki}/iaca.pem")]);
    }

    /// `issue --status-uri/--status-index` (and the Chinese 2-bit list) → `present` → `verify
    /// --status-list`: valid; revoked and suspended exit 1; no list for the URI is undetermined
    /// (exit 1, or exit 0 with `--accept-undetermined`).
    #[test]
    fn issue_with_status_then_verify_with_status_lists() {
        let s = Scratch::new("status-verify");
        let pki = s.path("pki");
        let p = |f: &str| format!("{pki}/{f}");
        tool(&["pki", "--out", &pki]);
        tool(&[
            "device-key",
            "--out",
            &s.path("device.key.pem"),
            "--public-out",
            &s.path("device.pub.pem"),
        ]);
        tool(&["transcript", "--out", &s.path("transcript.cbor")]);
        let claims = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/data/mdl-claims.json")
            .display()
            .to_string();
        let (iso, cn) = (
            "https://status.example.cn/iso/1",
            "https://status.example.cn/cn/1",
        );
        let issued = tool(&[
            "issue",
            "--claims",
            &claims,
            "--ds-cert",
            &p("ds.pem"),
            "--ds-key",
            &p("ds.key.pem"),
            "--device-key",
            &s.path("device.pub.pem"),
            "--status-uri",
            iso,
            "--status-index",
            "41",
            "--cn-status-uri",
            cn,
            "--cn-status-index",
            "5",
            "--out",
            &s.path("credential.cbor"),
        ]);
        assert!(issued.contains("status_list index 41"), "{issued}");
        assert!(issued.contains("cn_status_list index 5"), "{issued}");
        tool(&[
            "request",
            "--doc-type",
            "org.iso.18013.5.1.mDL",
            "--element",
            "org.iso.18013.5.1/family_name",
            "--out",
            &s.path("request.cbor"),
        ]);
        tool(&[
            "present",
            "--credential",
            &s.path("credential.cbor"),
            "--device-key",
            &s.path("device.key.pem"),
            "--request",
            &s.path("request.cbor"),
            "--transcript",
            &s.path("transcript.cbor"),
            "--consent-all",
            "--out",
            &s.path("response.cbor"),
        ]);
        build(
            &pki,
            &s.path("iso-valid.cwt"),
            iso,
            1,
            128,
            &[(40, 1), (42, 1)],
        );
        build(&pki, &s.path("iso-revoked.cwt"), iso, 1, 128, &[(41, 1)]);
        build(&pki, &s.path("cn-valid.cwt"), cn, 2, 16, &[(4, 2), (6, 1)]);
        build(&pki, &s.path("cn-suspended.cwt"), cn, 2, 16, &[(5, 2)]);
        let response = s.path("response.cbor");
        let iaca = p("iaca.pem");
        let transcript = s.path("transcript.cbor");
        let base = [
            "--response",
            response.as_str(),
            "--trust",
            iaca.as_str(),
            "--transcript",
            transcript.as_str(),
        ];
        let run = |extra: &[String]| -> (i32, Json) {
            let mut args: Vec<&str> = base.to_vec();
            args.extend(extra.iter().map(String::as_str));
            verify_json(&args)
        };
        let list = |uri: &str, file: &str| {
            vec![
                "--status-list".to_owned(),
                format!("{uri}={}", s.path(file)),
            ]
        };

        // Without --status-list: unchanged output, `status` unchecked.
        let (code, json) = run(&[]);
        assert_eq!(code, 0, "{json}");
        assert!(json["documents"][0].get("status").is_none(), "{json}");
        assert_eq!(
            json["documents"][0]["unchecked"],
            serde_json::json!(["status"])
        );

        let both_valid = [list(iso, "iso-valid.cwt"), list(cn, "cn-valid.cwt")].concat();
        let (code, json) = run(&both_valid);
        assert_eq!(code, 0, "{json}");
        assert_eq!(json["documents"][0]["status"], "valid", "{json}");
        assert!(json["documents"][0].get("status_detail").is_none());
        assert_eq!(json["documents"][0]["unchecked"], serde_json::json!([]));
        assert_eq!(json["checks"].as_array().unwrap().last().unwrap(), "status");

        let (code, json) = run(&[list(iso, "iso-revoked.cwt"), list(cn, "cn-valid.cwt")].concat());
        assert_eq!(code, 1, "{json}");
        assert_eq!(json["error"]["check"], "status");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("revoked"),
            "{json}"
        );

        let (code, json) =
            run(&[list(iso, "iso-valid.cwt"), list(cn, "cn-suspended.cwt")].concat());
        assert_eq!(code, 1, "{json}");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("suspended"),
            "{json}"
        );

        // No list for the Chinese URI: undetermined, which fails unless accepted.
        let only_iso = list(iso, "iso-valid.cwt");
        let (code, json) = run(&only_iso);
        assert_eq!(code, 1, "{json}");
        assert!(
            json["error"]["message"]
                .as_str()
                .unwrap()
                .contains("could not be determined"),
            "{json}"
        );
        let accepted = [only_iso.clone(), vec!["--accept-undetermined".to_owned()]].concat();
        let (code, json) = run(&accepted);
        assert_eq!(code, 0, "{json}");
        assert_eq!(json["documents"][0]["status"], "undetermined", "{json}");
        assert!(json["documents"][0]["status_detail"].is_string(), "{json}");
        // A revocation is never hidden by an undetermined second list, accepted or not.
        let (code, json) = run(&[
            list(iso, "iso-revoked.cwt"),
            vec!["--accept-undetermined".to_owned()],
        ]
        .concat());
        assert_eq!(code, 1, "{json}");

        // The text output says it; a malformed --status-list is an input problem.
        let mut args: Vec<&str> = base.to_vec();
        args.extend(both_valid.iter().map(String::as_str));
        let (code, text) = verify(&args);
        assert_eq!(code, 0);
        assert!(text.contains("licence status          : valid"), "{text}");
        let (code, _) = verify(&[&base[..], &["--status-list", "no-equals-sign"]].concat());
        assert_eq!(code, 2);
        let (code, _) = verify(&[&base[..], &["--accept-undetermined"]].concat());
        assert_eq!(code, 2);

        // issue: --status-uri without --status-index is a usage error.
        let (code, _, err) = tool_code(&[
            "issue",
            "--claims",
            &claims,
            "--ds-cert",
            &p("ds.pem"),
            "--ds-key",
            &p("ds.key.pem"),
            "--device-key",
            &s.path("device.pub.pem"),
            "--status-uri",
            iso,
            "--out",
            &s.path("x.cbor"),
        ]);
        assert_eq!(code, 2, "{err}");
    }
}

/// `mdoc-tool oid4vp request | present | verify` through files (issue 17), with the fixed flags.
mod oid4vp {
    use super::*;

    fn run(args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = mdoc_tool::run(&args, &mut out, &mut err);
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    const DCQL: &str = r#"{"credentials":[{"id":"mdl","format":"mso_mdoc",
        "meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
        "claims":[{"path":["org.iso.18013.5.1","family_name"]},
                  {"path":["org.iso.18013.5.1","age_over_18"]}]}]}"#;

    const CLAIMS: &str = r#"{"doc_type":"org.iso.18013.5.1.mDL","namespaces":{"org.iso.18013.5.1":
        {"family_name":"张","given_name":"三","age_over_18":true}}}"#;

    fn exchange(mode: &str, approve: &str) -> (Scratch, String, (i32, String, String)) {
        let s = Scratch::new(&format!("oid4vp-{mode}-{}", approve.len()));
        let pki = s.path("pki");
        std::fs::write(s.path("claims.json"), CLAIMS).unwrap();
        std::fs::write(s.path("dcql.json"), DCQL).unwrap();
        issue_through_files(&s, &pki, &s.path("claims.json"));
        let (code, out, err) = run(&[
            "oid4vp",
            "request",
            "--client-id",
            "x509_san_dns:verifier.example.cn",
            "--response-uri",
            "https://verifier.example.cn/oid4vp/response",
            "--dcql",
            &s.path("dcql.json"),
            "--signer-key",
            &format!("{pki}/verifier.key.pem"),
            "--signer-cert",
            &format!("{pki}/verifier.pem"),
            "--response-mode",
            mode,
            "--out",
            &s.path("tx"),
        ]);
        assert_eq!(code, 0, "{out}{err}");
        for f in ["request.jwt", "request_uri.txt", "transaction.json"] {
            assert!(
                std::path::Path::new(&s.path(&format!("tx/{f}"))).exists(),
                "{f}"
            );
        }
        let (code, shown, err) = run(&[
            "oid4vp",
            "present",
            "--request",
            &s.path("tx/request_uri.txt"),
            "--credential",
            &s.path("credential.cbor"),
            "--device-key",
            &s.path("device.key.pem"),
            "--verifier-trust",
            &format!("{pki}/reader_ca.pem"),
            "--approve",
            approve,
            "--out",
            &s.path("body.txt"),
        ]);
        assert_eq!(code, 0, "{shown}{err}");
        assert!(shown.contains("Test Online Verifier (verified)"), "{shown}");
        let verified = run(&[
            "oid4vp",
            "verify",
            "--state",
            &s.path("tx"),
            "--response",
            &s.path("body.txt"),
            "--trust",
            &format!("{pki}/iaca.pem"),
            "--json",
        ]);
        (s, pki, verified)
    }

    #[test]
    fn encrypted_and_plain_exchanges_verify_once() {
        for mode in ["direct_post.jwt", "direct_post"] {
            let (s, pki, (code, out, err)) = exchange(mode, "all");
            assert_eq!(code, 0, "{out}{err}");
            let j: Json = serde_json::from_str(out.trim()).unwrap();
            assert_eq!(j["verified"], true);
            assert_eq!(j["handover"], "openid4vp");
            let doc = &j["documents"][0];
            assert_eq!(doc["query_id"], "mdl");
            let elements = doc["elements"]["org.iso.18013.5.1"].as_object().unwrap();
            let mut names: Vec<&String> = elements.keys().collect();
            names.sort();
            assert_eq!(
                names,
                ["age_over_18", "family_name"],
                "given_name was not asked"
            );
            assert_eq!(elements["family_name"], "张");
            let body = std::fs::read_to_string(s.path("body.txt")).unwrap();
            assert_eq!(
                body.starts_with("response="),
                mode == "direct_post.jwt",
                "{body}"
            );

            // Single use: the same body again fails, naming the reason.
            let (code, out, _) = run(&[
                "oid4vp",
                "verify",
                "--state",
                &s.path("tx"),
                "--response",
                &s.path("body.txt"),
                "--trust",
                &format!("{pki}/iaca.pem"),
                "--json",
            ]);
            assert_eq!(code, 1);
            let j: Json = serde_json::from_str(out.trim()).unwrap();
            assert_eq!(j["verified"], false);
            assert_eq!(j["error"]["check"], "oid4vp");
        }
    }

    #[test]
    fn consent_narrows_and_the_verifier_sees_only_that() {
        let (_s, _pki, (code, out, err)) =
            exchange("direct_post.jwt", "org.iso.18013.5.1/age_over_18");
        assert_eq!(code, 0, "{out}{err}");
        let j: Json = serde_json::from_str(out.trim()).unwrap();
        let elements = j["documents"][0]["elements"]["org.iso.18013.5.1"]
            .as_object()
            .unwrap();
        assert_eq!(elements.keys().collect::<Vec<_>>(), ["age_over_18"]);
    }

    #[test]
    fn a_wrong_trust_anchor_or_client_id_fails() {
        let (s, pki, _) = exchange("direct_post.jwt", "all");
        // The wallet trusting only the issuer CA does not accept the verifier.
        let (code, _, err) = run(&[
            "oid4vp",
            "present",
            "--request",
            &s.path("tx/request.jwt"),
            "--credential",
            &s.path("credential.cbor"),
            "--device-key",
            &s.path("device.key.pem"),
            "--verifier-trust",
            &format!("{pki}/iaca.pem"),
            "--out",
            &s.path("body2.txt"),
        ]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("verifier certificate chain"), "{err}");
        // A client identifier the certificate does not name is refused before signing.
        let (code, _, err) = run(&[
            "oid4vp",
            "request",
            "--client-id",
            "x509_san_dns:evil.example.cn",
            "--response-uri",
            "https://evil.example.cn/r",
            "--dcql",
            &s.path("dcql.json"),
            "--signer-key",
            &format!("{pki}/verifier.key.pem"),
            "--signer-cert",
            &format!("{pki}/verifier.pem"),
            "--out",
            &s.path("tx2"),
        ]);
        assert_eq!(code, 1, "{err}");
        let (code, _, _) = run(&["oid4vp", "request", "--client-id", "origin:https://x"]);
        assert_eq!(code, 2);
    }
}

/// The demo's online scene (issue 17): the Shanghai licence verified by the Guangdong service
/// over OpenID4VP, authorised through the trust list, only the three requested elements, and
/// the replay refused.
#[test]
fn demo_online_scene_verifies_through_the_trust_list() {
    let (code, out, err) = demo(&[]);
    assert_eq!(code, demo::EXIT_OK, "{err}\n{out}");
    let scene = out
        .split("── 9. Online")
        .nth(1)
        .and_then(|rest| rest.split("── 10.").next().or(Some(rest)))
        .unwrap_or_else(|| panic!("no online scene in:\n{out}"));
    assert!(
        scene.contains("verified (transcript openid4vp), issued by 上海市公安局交通警察总队"),
        "{scene}"
    );
    let disclosed: Vec<&str> = scene
        .lines()
        .filter(|l| l.trim_start().starts_with("1.2.156.3005.2"))
        .collect();
    assert_eq!(disclosed.len(), 3, "{scene}");
    assert!(scene.contains("name = 张伟"), "{scene}");
    assert!(scene.contains("the same answer again: refused"), "{scene}");
}
