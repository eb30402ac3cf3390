#!/usr/bin/env bash
# Independent interoperability check: the demo's `--out` artefacts verified by @auth0/mdl 3.x from
# npm (a verifier nobody on this team wrote), with its strict default callback: issuer chain to
# issuer_ca.pem, issuer and device signatures over the SessionTranscriptBytes, every digest, and the
# disclosed values compared with zhengzhao's own `verify --json`. Negative controls (a changed value,
# another transcript) must fail there too; the Annex D vector (device MAC) is verified as a control of
# the harness itself. See examples/interop/auth0-verify.js.
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
cargo run --locked -q --example demo -- --out "$work/demo" >/dev/null

NODE_PATH="$tools/node_modules" node examples/interop/auth0-verify.js \
    --demo "$work/demo" --annex-d tests/vectors/iso18013-5-annex-d
