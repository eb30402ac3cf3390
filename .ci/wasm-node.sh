#!/usr/bin/env bash
# The WebAssembly binding's JavaScript checks, against the packages bindings/wasm/build.sh built
# (run it first, full and --verifier-only; .ci/wasm.sh does):
#
#   1. tsc --noEmit --strict on bindings/wasm/tests/usage.ts against the built index.d.ts
#      (typescript, pinned, installed once under $ZZ_TOOLS/npm, default .ci-tools/npm)
#   2. node --test bindings/wasm/tests/ against the full package (Node entry, the simulated
#      WeChat runtime, the simulated Alipay Worker)
#   3. the verifier's tests against the verifier-only package, if it was built
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=${ZZ_TOOLS:-$ROOT/.ci-tools}
TYPESCRIPT_VERSION=5.9.3
target=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
pkg=$target/wasm-pkg
[ -f "$pkg/package.json" ] || { echo "wasm-node.sh: no package in $pkg: run bash bindings/wasm/build.sh first" >&2; exit 1; }

tsc=$TOOLS/npm/node_modules/.bin/tsc
if [ ! -x "$tsc" ] || [ "$("$tsc" --version)" != "Version $TYPESCRIPT_VERSION" ]; then
    echo "installing typescript $TYPESCRIPT_VERSION under $TOOLS/npm (once)"
    mkdir -p "$TOOLS/npm"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "typescript@$TYPESCRIPT_VERSION"
fi

echo "--> tsc --noEmit --strict bindings/wasm/tests/usage.ts ($("$tsc" --version))"
work=$(mktemp -d "${TMPDIR:-/tmp}/zhengzhao-tsc.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The package as an application sees it: `zhengzhao` and `zhengzhao/miniprogram` resolve to
# the built index.d.ts (package.json's "types" for both).
python3 - "$work/tsconfig.json" "$ROOT/bindings/wasm/tests/usage.ts" "$pkg/index.d.ts" <<'PY'
import json, sys
out, usage, dts = sys.argv[1:]
json.dump({
    "compilerOptions": {
        "strict": True, "noEmit": True, "target": "es2022", "module": "commonjs",
        "moduleResolution": "node10", "lib": ["es2022", "dom"], "types": [],
        "noUnusedLocals": False, "skipLibCheck": False,
        "paths": {"zhengzhao": [dts], "zhengzhao/miniprogram": [dts]},
    },
    "files": [usage],
}, open(out, "w"), indent=2)
PY
"$tsc" --noEmit --strict -p "$work/tsconfig.json"

echo "--> node --test bindings/wasm/tests/ (full package)"
ZZ_WASM_PKG=$pkg node --test bindings/wasm/tests/

if [ -f "$target/wasm-pkg-verifier/package.json" ]; then
    echo "--> node --test: the verifier's tests against the verifier-only package"
    ZZ_WASM_PKG=$target/wasm-pkg-verifier node --test bindings/wasm/tests/verify.test.cjs bindings/wasm/tests/miniprogram.test.cjs
fi
