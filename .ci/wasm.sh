#!/usr/bin/env bash
# The WebAssembly binding (issue 16), from a fresh machine: run from .ci/run as one step.
#
#   1. clippy of the binding for wasm32 (full and verifier-only: the wallet compiles only there)
#   2. bash bindings/wasm/build.sh, full and --verifier-only (installs wasm-bindgen-cli 0.2.130
#      and binaryen under .ci-tools/ once); sizes printed from each sizes.json
#   3. .ci/wasm-node.sh: tsc --noEmit on the usage file, node --test bindings/wasm/tests/ against
#      the full package and the verifier's tests against the verifier-only one
#   4. @auth0/mdl verifies what the wasm wallet presented (deviceSignature and deviceMac)
#   5. .ci/wasm-browser.sh: the verifier and holder pages in headless Chromium (screenshots kept
#      in target/artefacts/)
#   6. .ci/wasm-bench.sh --quick: the bench reports (it never fails on a ratio)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export ZZ_TOOLS=${ZZ_TOOLS:-$ROOT/.ci-tools}
target=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

part() { echo "--> wasm: $*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi
part "clippy (wasm32, full and verifier-only)"
cargo clippy --locked -q -p zhengzhao-wasm --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -q -p zhengzhao-wasm --target wasm32-unknown-unknown --no-default-features -- -D warnings

part "build"
bash bindings/wasm/build.sh
bash bindings/wasm/build.sh --verifier-only

part "node tests and tsc"
bash .ci/wasm-node.sh

part "@auth0/mdl verifies the wasm wallet's responses"
tools=${ZHENGZHAO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zhengzhao-tools}/auth0-mdl-3
if [ ! -f "$tools/node_modules/@auth0/mdl/package.json" ]; then
    mkdir -p "$tools"
    npm install --no-audit --no-fund --loglevel=error --prefix "$tools" "@auth0/mdl@3"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/zhengzhao-wasm.XXXXXX")
trap 'rm -rf "$work"' EXIT
cargo build --locked -q -p zhengzhao-examples --example demo
"$target/debug/examples/demo" --out "$work/demo" >/dev/null
"$target/debug/examples/demo" --out "$work/demo-mac" --device-mac >/dev/null
node bindings/wasm/tests/interop/wallet-artefacts.cjs --session "$work/demo" --out "$work/wasm"
node bindings/wasm/tests/interop/wallet-artefacts.cjs --session "$work/demo-mac" --out "$work/wasm-mac"
NODE_PATH=$tools/node_modules node examples/interop/auth0-verify.js --demo "$work/wasm" --demo "$work/wasm-mac"

part "browser"
bash .ci/wasm-browser.sh

part "bench (quick)"
bash .ci/wasm-bench.sh --quick

for pkg in wasm-pkg wasm-pkg-verifier; do
    node -e 'const s = require(process.argv[1]); const w = s["zhengzhao_bg.wasm"];
      console.log(`${s.build}: wasm ${w.raw} B raw, ${w.gzip} B gzip, ${w.brotli} B brotli`)' \
        "$target/$pkg/sizes.json"
done
