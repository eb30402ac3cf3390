#!/usr/bin/env bash
# Builds the npm package of the WebAssembly binding into target/wasm-pkg/ (or --out DIR):
#
#   bash bindings/wasm/build.sh [--verifier-only] [--bench] [--out DIR]
#
#   zhengzhao_bg.wasm      the module, after wasm-opt -Oz (debug, producers and feature
#                          sections stripped)
#   zhengzhao_bg.wasm.br   the same, brotli (quality 11): what a mini-program ships
#   zhengzhao.mjs          ES-module entry (browsers, bundlers): await init(), then verify(...)
#   node.cjs               Node entry (require): ready at require time
#   miniprogram.js         mini-program entry: await init({ wasmPath }), then the same functions
#   alipay-worker.js       the Worker script for Alipay (MyWebAssembly only in a Worker): the
#                          main thread talks to it through createWorkerClient(), every call a Promise
#   index.d.ts             TypeScript declarations of the whole API
#   package.json, README.md, sizes.json (raw, gzip -9 and brotli q11 byte counts)
#
# --verifier-only builds without the wallet and issuer (cargo --no-default-features).
# --bench adds the `bench` feature (the floor exports bench/bench.cjs uses) and builds into
# target/wasm-pkg-bench/ unless --out is given; never ship that package.
#
# Tools, installed on first use under $ZZ_TOOLS (default .ci-tools/) when not found:
# wasm-bindgen-cli 0.2.130 (cargo install, ~4 min once; must equal the crate's pinned
# wasm-bindgen) and binaryen 132.0.0 from npm (wasm-opt). Knobs: CARGO_TARGET_DIR, ZZ_TOOLS.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TOOLS=${ZZ_TOOLS:-$ROOT/.ci-tools}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0

out=$TARGET_DIR/wasm-pkg
features=()
build=full
while [ $# -gt 0 ]; do
    case $1 in
        --verifier-only) features=(--no-default-features "${features[@]}"); build=verifier-only; [ "$out" = "$TARGET_DIR/wasm-pkg" ] && out=$TARGET_DIR/wasm-pkg-verifier ;;
        --bench) features+=(--features bench); bench=1; [ "$out" = "$TARGET_DIR/wasm-pkg" ] && out=$TARGET_DIR/wasm-pkg-bench ;;
        --out) out=$2; shift ;;
        *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# ---- tools ----
wasm_bindgen=$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION/bin/wasm-bindgen
if [ ! -x "$wasm_bindgen" ]; then
    if command -v wasm-bindgen >/dev/null && [ "$(wasm-bindgen --version)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
        wasm_bindgen=$(command -v wasm-bindgen)
    else
        echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION under $TOOLS (once)"
        # Not --locked: the registry index here lacks one of its locked dependencies.
        cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
            --root "$TOOLS/wasm-bindgen-$WASM_BINDGEN_VERSION"
    fi
fi
wasm_opt=$TOOLS/npm/node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
    echo "installing binaryen $BINARYEN_VERSION (wasm-opt) under $TOOLS/npm (once)"
    mkdir -p "$TOOLS/npm"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "binaryen@$BINARYEN_VERSION"
fi
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

# ---- build ----
cargo build --locked --quiet -p zhengzhao-wasm --target wasm32-unknown-unknown \
    --profile release-wasm "${features[@]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$wasm_bindgen" --target no-modules --out-dir "$work" --out-name zhengzhao \
    "$TARGET_DIR/wasm32-unknown-unknown/release-wasm/zhengzhao_wasm.wasm"
rm -rf "$out"
mkdir -p "$out"
"$wasm_opt" -Oz --strip-debug --strip-producers --strip-target-features \
    "$work/zhengzhao_bg.wasm" -o "$out/zhengzhao_bg.wasm"

# WXWebAssembly documents exports of functions, Memory and Table, and no exported Global on iOS:
# drop the global exports wasm-bindgen leaves (__abort_handler, __instance_terminated) that the
# glue never reads; the build fails if the glue does read one.
node - "$out/zhengzhao_bg.wasm" "$work/zhengzhao.js" <<'NODE'
const fs = require('fs');
const [wasmFile, glueFile] = process.argv.slice(2);
const b = fs.readFileSync(wasmFile);
const glue = fs.readFileSync(glueFile, 'utf8');
function leb(p) { let r = 0, shift = 0, byte; do { byte = b[p++]; r |= (byte & 0x7f) << shift; shift += 7; } while (byte & 0x80); return [r >>> 0, p]; }
function enc(n) { const o = []; do { let x = n & 0x7f; n >>>= 7; if (n) x |= 0x80; o.push(x); } while (n); return Buffer.from(o); }
const parts = [b.subarray(0, 8)];
let pos = 8;
while (pos < b.length) {
  const id = b[pos];
  const [size, start] = leb(pos + 1);
  const end = start + size;
  if (id !== 7) { parts.push(b.subarray(pos, end)); pos = end; continue; }
  let [count, p] = leb(start);
  const kept = [];
  for (let i = 0; i < count; i++) {
    const from = p;
    let len;
    [len, p] = leb(p);
    const name = b.subarray(p, p + len).toString('utf8');
    p += len;
    const kind = b[p++];
    [, p] = leb(p);
    if (kind === 3) {
      if (glue.includes(name)) throw new Error(`the glue reads the exported global ${name}, which WXWebAssembly on iOS lacks`);
      continue;
    }
    kept.push(b.subarray(from, p));
  }
  const body = Buffer.concat([enc(kept.length), ...kept]);
  parts.push(Buffer.from([7]), enc(body.length), body);
  pos = end;
}
const out = Buffer.concat(parts);
new WebAssembly.Module(out); // still valid
fs.writeFileSync(wasmFile, out);
NODE

# The glue (no-modules form) becomes a factory over the host objects it uses, so that each
# entry supplies its own: the mini-program entry passes a path-only WebAssembly, its own UTF-8
# codec and a `globalThis` whose `crypto` is its randomness pool. One .wasm serves all three.
node - "$work/zhengzhao.js" "$ROOT/bindings/wasm/js" "$out" <<'NODE'
const fs = require('fs');
const path = require('path');
const [glueFile, src, out] = process.argv.slice(2);
let glue = fs.readFileSync(glueFile, 'utf8');
if (!glue.startsWith('let wasm_bindgen = (function(exports) {')) {
  throw new Error('unexpected wasm-bindgen glue: is wasm-bindgen-cli the pinned version?');
}
glue = 'const createGlue = function (globalThis, WebAssembly, TextDecoder, TextEncoder) {\n' +
  glue + '\nreturn wasm_bindgen;\n};\n';
const api = fs.readFileSync(path.join(src, 'api.js'), 'utf8');
const session = fs.readFileSync(path.join(src, 'session.js'), 'utf8');
for (const [from, to] of [['web.js', 'zhengzhao.mjs'], ['node.js', 'node.cjs'], ['miniprogram.js', 'miniprogram.js']]) {
  const text = fs.readFileSync(path.join(src, from), 'utf8');
  if (!text.includes('/*@@GLUE@@*/') || !text.includes('/*@@API@@*/')) throw new Error(from + ': markers missing');
  fs.writeFileSync(path.join(out, to), text.replace('/*@@GLUE@@*/', () => glue).replace('/*@@API@@*/', () => api + '\n' + session)
    .replace('/*@@WORKER@@*/', () => fs.readFileSync(path.join(src, 'worker.js'), 'utf8')));
}
// The Worker script (Alipay; WeChat Workers too): the mini-program entry inside it, serving messages.
const worker = fs.readFileSync(path.join(src, 'alipay-worker.js'), 'utf8');
if (!worker.includes('/*@@MINIPROGRAM@@*/')) throw new Error('alipay-worker.js: marker missing');
fs.writeFileSync(path.join(out, 'alipay-worker.js'),
  worker.replace('/*@@MINIPROGRAM@@*/', () => fs.readFileSync(path.join(out, 'miniprogram.js'), 'utf8')));
NODE
cp bindings/wasm/js/index.d.ts "$out/index.d.ts"
cp bindings/wasm/README.md "$out/README.md"
node - "$out" "$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" "$build${bench:+ +bench}" <<'NODE'
const fs = require('fs');
const zlib = require('zlib');
const path = require('path');
const [out, version, build] = process.argv.slice(2);
const wasm = fs.readFileSync(path.join(out, 'zhengzhao_bg.wasm'));
const br = zlib.brotliCompressSync(wasm, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length } });
fs.writeFileSync(path.join(out, 'zhengzhao_bg.wasm.br'), br);
const sizes = { build };
for (const f of ['zhengzhao_bg.wasm', 'zhengzhao.mjs', 'node.cjs', 'miniprogram.js', 'alipay-worker.js']) {
  const b = fs.readFileSync(path.join(out, f));
  sizes[f] = { raw: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
}
fs.writeFileSync(path.join(out, 'sizes.json'), JSON.stringify(sizes, null, 2) + '\n');
const pkg = {
  name: 'zhengzhao',
  version,
  description: 'Electronic licence (電子證照) verification and wallet core (ISO/IEC 18013-5 mdoc) in WebAssembly: browsers, Node, WeChat and Alipay mini-programs',
  license: 'Apache-2.0',
  main: './node.cjs',
  module: './zhengzhao.mjs',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', node: './node.cjs', import: './zhengzhao.mjs', default: './zhengzhao.mjs' },
    './miniprogram': { types: './index.d.ts', default: './miniprogram.js' },
    './alipay-worker': './alipay-worker.js',
    './zhengzhao_bg.wasm': './zhengzhao_bg.wasm',
    './zhengzhao_bg.wasm.br': './zhengzhao_bg.wasm.br',
    './package.json': './package.json',
  },
  // WeChat's npm build (miniprogram_npm/) copies the folder; the entry it loads is `miniprogram`.
  miniprogram: '.',
  files: ['zhengzhao_bg.wasm', 'zhengzhao_bg.wasm.br', 'zhengzhao.mjs', 'node.cjs', 'miniprogram.js', 'alipay-worker.js', 'index.d.ts', 'README.md', 'sizes.json'],
  sideEffects: false,
};
fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
const w = sizes['zhengzhao_bg.wasm'];
console.log(`${sizes.build} package in ${out}: wasm ${kb(w.raw)} raw, ${kb(w.gzip)} gzip, ${kb(w.brotli)} brotli`);
NODE
