#!/usr/bin/env bash
# The browser test of the WebAssembly pages (bindings/wasm/www/): headless Chromium driven by
# playwright-core opens the verifier and holder pages served from the built package.
#
#   bash .ci/wasm-browser.sh
#
#  1. installs, if missing: npm playwright-core 1.64.1 under $ZZ_TOOLS/npm (default
#     .ci-tools/npm) and Debian `chromium` (/usr/bin/chromium) through apt-get, with sudo when
#     not root and sudo exists;
#  2. builds the package with bindings/wasm/build.sh if target/wasm-pkg/ has none;
#  3. runs bindings/wasm/www/test/browser.test.cjs with node --test; screenshots go to
#     $ZZ_ARTEFACTS (default target/artefacts/).
#
# Knobs: ZZ_TOOLS, ZZ_ARTEFACTS, CARGO_TARGET_DIR, ZZ_WASM_PKG (another built package).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=${ZZ_TOOLS:-$ROOT/.ci-tools}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PLAYWRIGHT_VERSION=1.64.1

if [ ! -f "$TOOLS/npm/node_modules/playwright-core/package.json" ] ||
    [ "$(node -p "require('$TOOLS/npm/node_modules/playwright-core/package.json').version")" != "$PLAYWRIGHT_VERSION" ]; then
    echo "installing playwright-core $PLAYWRIGHT_VERSION under $TOOLS/npm (once)"
    mkdir -p "$TOOLS/npm"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "playwright-core@$PLAYWRIGHT_VERSION"
fi
if [ ! -x /usr/bin/chromium ]; then
    echo "installing Debian chromium (once)"
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y chromium
    elif command -v sudo >/dev/null; then
        sudo apt-get install -y chromium
    else
        echo "wasm-browser: /usr/bin/chromium is missing and neither root nor sudo can install it" >&2
        exit 1
    fi
fi
if [ -z "${ZZ_WASM_PKG:-}" ] && [ ! -f "$TARGET/wasm-pkg/zhengzhao.mjs" ]; then
    bash bindings/wasm/build.sh
fi
export ZZ_PLAYWRIGHT=$TOOLS/npm/node_modules
export ZZ_ARTEFACTS=${ZZ_ARTEFACTS:-$TARGET/artefacts}
node --test bindings/wasm/www/test/
echo "wasm-browser: screenshots in $ZZ_ARTEFACTS"
