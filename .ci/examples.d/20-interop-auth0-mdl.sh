#!/usr/bin/env bash
# Independent interoperability check: the demo's `--out` artefacts verified by @auth0/mdl 3.x from
# npm (a verifier nobody on this team wrote), with its strict default callback: issuer chain to
# issuer_ca.pem, issuer signatures, device authentication over the SessionTranscriptBytes — once with
# deviceSignature, once with deviceMac (`demo --device-mac`, with the reader's ephemeral key) — every
# digest, and the disclosed values of each of the three documents (ISO mDL, Chinese driving licence,
# resident ID card) compared with zhengzhao's own `verify --json`. Negative controls (a changed value,
# another transcript, another reader key) must fail there too; the Annex D vector (device MAC) is
# verified as a control of the harness itself. See examples/interop/auth0-verify.js.
#
# Before that, zhengzhao's own `verify` checks the same artefacts as a process (the deviceMac
# response only with the reader key).
#
# @auth0/mdl is installed once into $ZHENGZHAO_TOOLS_DIR (default ~/.cache/zhengzhao-tools), outside
# the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."

tools=${ZHENGZHAO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zhengzhao-tools}/auth0-mdl-3
if [ ! -f "$tools/node_modules/@auth0/mdl/package.json" ]; then
    echo "--> npm install @auth0/mdl@3 into $tools"
    mkdir -p "$tools"
    npm install --no-audit --no-fund --loglevel=error --prefix "$tools" "@auth0/mdl@3"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/zhengzhao-interop.XXXXXX")
trap 'rm -rf "$work"' EXIT
cargo build --locked -q -p zhengzhao-examples --example demo --example verify
target=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/debug/examples
"$bin/demo" --out "$work/demo" >/dev/null
"$bin/demo" --out "$work/demo-mac" --device-mac >/dev/null

fail() { echo "FAIL: $*" >&2; exit 1; }
verify() {
    local dir=$1
    shift
    "$bin/verify" --response "$dir/device_response.cbor" --trust "$dir/issuer_ca.pem" \
        --transcript "$dir/session_transcript.cbor" "$@"
}
verify "$work/demo" >/dev/null || fail "zhengzhao verify rejected the demo's deviceSignature artefacts"
verify "$work/demo-mac" --reader-key "$work/demo-mac/ephemeral_reader_key.d.hex" >/dev/null ||
    fail "zhengzhao verify rejected the demo's deviceMac artefacts"
set +e
verify "$work/demo-mac" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "a deviceMac response without the reader key: exit $rc, expected 1"
echo "zhengzhao verify: both artefact sets verified; the deviceMac one fails without the reader key"

NODE_PATH="$tools/node_modules" node examples/interop/auth0-verify.js \
    --demo "$work/demo" --demo "$work/demo-mac" --annex-d tests/vectors/iso18013-5-annex-d
