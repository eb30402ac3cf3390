#!/usr/bin/env bash
# The wasm performance report in quick mode (issue 16, item 6): builds the bench package
# (bindings/wasm/build.sh --bench → target/wasm-pkg-bench/), installs @auth0/mdl 3.0.1 and
# @owf/mdoc 0.6.0 under .ci-tools/npm/bench if missing, and runs bindings/wasm/bench/bench.cjs --quick:
# our wasm verify ÷ its ES256 floor measured in wasm in the same run, and the same vectors
# verified by those two libraries. It reports; it never fails on a ratio (only on a broken
# build or a bench that cannot run).
#
# Knobs: ZZ_TOOLS (where build.sh finds wasm-bindgen and binaryen, default .ci-tools),
# ZZ_BENCH_NODE_MODULES (a node_modules holding the two libraries; skips the install),
# ZZ_BENCH_ARGS (default --quick; empty for the full run).
set -euo pipefail
cd "$(dirname "$0")/.."

# Its own prefix: an npm install into build.sh's .ci-tools/npm (binaryen) would prune these.
npm_dir=.ci-tools/npm/bench
node_modules=${ZZ_BENCH_NODE_MODULES:-$npm_dir/node_modules}
if [ -z "${ZZ_BENCH_NODE_MODULES:-}" ] &&
    { [ ! -f "$node_modules/@auth0/mdl/package.json" ] || [ ! -f "$node_modules/@owf/mdoc/package.json" ]; }; then
    echo "--> npm install @auth0/mdl@3.0.1 @owf/mdoc@0.6.0 under $npm_dir"
    mkdir -p "$npm_dir"
    npm install --no-audit --no-fund --loglevel=error --prefix "$npm_dir" "@auth0/mdl@3.0.1" "@owf/mdoc@0.6.0"
fi
bash bindings/wasm/build.sh --bench
node bindings/wasm/bench/bench.cjs ${ZZ_BENCH_ARGS---quick} --node-modules "$node_modules"
