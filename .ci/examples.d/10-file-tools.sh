#!/usr/bin/env bash
# The example tools as processes: a whole exchange through files (mdoc-tool → verify, as the
# docs/tools.md runs it), licence status through files (status-list build → decode, issue
# --status-uri → verify --status-list: valid, then revoked and exit 1), the scenario table, and `verify` on the ISO 18013-5 Annex D
# vector (exit 0 and 6 elements at 2021-01-01 with the reader key; non-zero naming expiry today).
set -euo pipefail
cd "$(dirname "$0")/../.."

cargo build --locked -q -p zhengzhao-examples --examples
target=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/debug/examples

work=$(mktemp -d "${TMPDIR:-/tmp}/zhengzhao-tools.XXXXXX")
trap 'rm -rf "$work"' EXIT

# json_get FILE EXPR: evaluates a Python expression over the JSON object `j` in FILE.
json_get() { python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print($2)" "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "--- file-based exchange in $work"
"$bin/mdoc-tool" pki --out "$work/pki"
"$bin/mdoc-tool" device-key --out "$work/device.key.pem" --public-out "$work/device.pub.pem"
"$bin/mdoc-tool" transcript --out "$work/transcript.cbor"
"$bin/mdoc-tool" issue --claims examples/data/mdl-claims.json \
    --ds-cert "$work/pki/ds.pem" --ds-key "$work/pki/ds.key.pem" \
    --device-key "$work/device.pub.pem" --out "$work/credential.cbor"
"$bin/mdoc-tool" request --doc-type org.iso.18013.5.1.mDL \
    --element org.iso.18013.5.1/family_name --element org.iso.18013.5.1/given_name \
    --element org.iso.18013.5.1/age_over_18 --element org.iso.18013.5.1/driving_privileges \
    --purpose "car rental eligibility check" \
    --reader-cert "$work/pki/reader.pem" --reader-key "$work/pki/reader.key.pem" \
    --transcript "$work/transcript.cbor" --out "$work/request.cbor"
"$bin/mdoc-tool" present --credential "$work/credential.cbor" --device-key "$work/device.key.pem" \
    --request "$work/request.cbor" --transcript "$work/transcript.cbor" \
    --reader-trust "$work/pki/reader_ca.pem" \
    --consent family_name,age_over_18,driving_privileges --out "$work/response.cbor"

"$bin/verify" --response "$work/response.cbor" --trust "$work/pki/iaca.pem" \
    --transcript "$work/transcript.cbor" --json >"$work/verified.json" ||
    fail "verify rejected the exchange: $(cat "$work/verified.json")"
[ "$(json_get "$work/verified.json" 'j["verified"]')" = True ] || fail "not verified"
got=$(json_get "$work/verified.json" '",".join(sorted(j["documents"][0]["elements"]["org.iso.18013.5.1"]))')
[ "$got" = "age_over_18,driving_privileges,family_name" ] || fail "disclosed: $got"
echo "verify: verified, disclosed $got (given_name requested but not consented: withheld)"

"$bin/mdoc-tool" transcript --handover "another session" --out "$work/other.cbor" >/dev/null
set +e
"$bin/verify" --response "$work/response.cbor" --trust "$work/pki/iaca.pem" \
    --transcript "$work/other.cbor" --json >"$work/replayed.json"
rc=$?
set -e
[ "$rc" = 1 ] || fail "replay into another session: exit $rc, expected 1"
[ "$(json_get "$work/replayed.json" 'j["error"]["check"]')" = device_authentication ] ||
    fail "replay: $(cat "$work/replayed.json")"
echo "verify: replay into another session rejected by device_authentication (exit 1)"

echo "--- licence status through files"
uri=https://status.example.cn/mdl/1
"$bin/mdoc-tool" issue --claims examples/data/mdl-claims.json \
    --ds-cert "$work/pki/ds.pem" --ds-key "$work/pki/ds.key.pem" \
    --device-key "$work/device.pub.pem" --status-uri "$uri" --status-index 41 \
    --out "$work/credential-status.cbor" >/dev/null
"$bin/mdoc-tool" present --credential "$work/credential-status.cbor" --device-key "$work/device.key.pem" \
    --request "$work/request.cbor" --transcript "$work/transcript.cbor" \
    --reader-trust "$work/pki/reader_ca.pem" --consent family_name --out "$work/response-status.cbor" >/dev/null
for case in "valid 40=1 42=1" "revoked 41=1"; do
    read -r -a f <<<"$case"
    sets=()
    for kv in "${f[@]:1}"; do sets+=(--set "$kv"); done
    "$bin/mdoc-tool" status-list build --bits 1 --size 1024 "${sets[@]}" \
        --signer-key "$work/pki/status_signer.key.pem" --signer-cert "$work/pki/status_signer.pem" \
        --uri "$uri" --ttl 600 --out "$work/list-${f[0]}.cwt" >/dev/null
    "$bin/mdoc-tool" status-list decode --token "$work/list-${f[0]}.cwt" --trust "$work/pki/iaca.pem" \
        --uri "$uri" --index 41 --json >"$work/list-${f[0]}.json" || fail "decode of the ${f[0]} list"
    want=$([ "${f[0]}" = valid ] && echo 0 || echo 1)
    [ "$(json_get "$work/list-${f[0]}.json" 'j["statuses"]["41"]')" = "$want" ] ||
        fail "decode of the ${f[0]} list: $(cat "$work/list-${f[0]}.json")"
done
"$bin/verify" --response "$work/response-status.cbor" --trust "$work/pki/iaca.pem" \
    --transcript "$work/transcript.cbor" --status-list "$uri=$work/list-valid.cwt" --json \
    >"$work/status-valid.json" || fail "verify --status-list (valid): $(cat "$work/status-valid.json")"
[ "$(json_get "$work/status-valid.json" 'j["documents"][0]["status"]')" = valid ] ||
    fail "status: $(cat "$work/status-valid.json")"
set +e
"$bin/verify" --response "$work/response-status.cbor" --trust "$work/pki/iaca.pem" \
    --transcript "$work/transcript.cbor" --status-list "$uri=$work/list-revoked.cwt" --json \
    >"$work/status-revoked.json"
rc=$?
set -e
[ "$rc" = 1 ] || fail "verify --status-list (revoked): exit $rc, expected 1"
[ "$(json_get "$work/status-revoked.json" 'j["error"]["check"]')" = status ] ||
    fail "revoked: $(cat "$work/status-revoked.json")"
echo "status-list build → decode: index 41 valid / revoked; verify --status-list: valid (exit 0), revoked (exit 1, check status)"

echo "--- scenarios"
"$bin/scenarios"

echo "--- ISO 18013-5 Annex D"
d=tests/vectors/iso18013-5-annex-d
annex_d() {
    "$bin/verify" --response "$d/device_response.hex" --trust "$d/iaca_root_cert.pem" \
        --transcript "$d/session_transcript_bytes.hex" --reader-key "$d/ephemeral_reader_key.d.hex" "$@"
}
annex_d --at 2021-01-01T00:00:00Z --json >"$work/annexd.json" || fail "Annex D at 2021: $(cat "$work/annexd.json")"
n=$(json_get "$work/annexd.json" 'sum(len(e) for e in j["documents"][0]["elements"].values())')
[ "$n" = 6 ] || fail "Annex D: $n elements, expected 6"
echo "verify Annex D --at 2021-01-01T00:00:00Z: exit 0, $n elements"
set +e
annex_d --json >"$work/annexd-now.json"
rc=$?
set -e
[ "$rc" != 0 ] || fail "Annex D verified today; its certificates expired in 2021"
grep -q expired "$work/annexd-now.json" || fail "Annex D today: $(cat "$work/annexd-now.json")"
echo "verify Annex D today: exit $rc, $(json_get "$work/annexd-now.json" 'j["error"]["check"] + ": " + j["error"]["message"]')"
