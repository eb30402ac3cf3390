#!/usr/bin/env bash
# Binding tests for zhengzhao, run by .ci/run (or alone: `bash .ci/bindings.sh`) from the repo root.
#
#  1. installs what it needs if missing: Debian `libjna-java junit5`; kotlinc 2.4.20 from npm and
#     a Python venv (pytest, cryptography, tree-sitter, tree-sitter-swift) under .ci-tools/;
#  2. builds the library (with the `test-hooks` feature) and uniffi-bindgen, in two cargo
#     invocations so the bindgen's `cli` feature never reaches the library; debug by default,
#     which reuses what `cargo test` already built (dependencies are optimised in dev builds);
#  3. generates Kotlin, Swift and Python in library mode from the built cdylib;
#  4. compiles and runs the Kotlin JUnit 5 suite, runs the Python pytest suite, syntax-checks
#     the Swift (generated code, the mirrored test file, Package.swift) and compile-checks the C
#     header with gcc;
#  5. prints "<suite>: N passed, N failed" per suite; exits non-zero if any suite failed or ran
#     fewer tests than its minimum (MIN_*_TESTS; JUnit also --fail-if-no-tests);
#  6. prints the FFI-overhead timings as a perf step after the suites (Kotlin `ZhengzhaoTestKt`
#     main, the Python test file run as a script): measurements, not tests, never asserted.
#
# Knobs: CARGO_TARGET_DIR (default target/), ZZ_TOOLS (default .ci-tools/), ZZ_PROFILE=release
# to test (and time) an optimised library instead of the debug one, ZZ_PROFILE=release-mobile
# to test the size-tuned library as shipped (`[profile.release-mobile]`, built as a cdylib alone:
# about 5 more minutes of CPU). The summary prints the library's stripped size.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

ROOT=$PWD
TOOLS=${ZZ_TOOLS:-$ROOT/.ci-tools}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$TARGET/bindings
J=/usr/share/java
KOTLIN_VERSION=2.4.20
PY_REQUIREMENTS="pytest==9.2.0 cryptography==50.0.2 tree-sitter==0.26.1 tree-sitter-swift==0.7.4"
PROFILE=${ZZ_PROFILE:-debug}
case $PROFILE in
debug) cargo_profile=(--profile dev) ;;
release) cargo_profile=(--release) ;;
release-mobile) cargo_profile=(--profile release-mobile) ;;
*)
    echo "ZZ_PROFILE must be debug, release or release-mobile" >&2
    exit 2
    ;;
esac
T0=$SECONDS

say() { echo "--> $* ($((SECONDS - T0)) s)"; }

# ---- 1. tools --------------------------------------------------------------------------------
missing=()
[ -f "$J/jna.jar" ] || missing+=(libjna-java)
[ -f "$J/junit-platform-console-standalone.jar" ] || missing+=(junit5)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} (apt)"
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

KOTLIN_HOME=$TOOLS/node_modules/kotlin-compiler
KLIB=$KOTLIN_HOME/lib
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ] ||
    ! grep -q "\"version\": \"$KOTLIN_VERSION\"" "$KOTLIN_HOME/package.json" 2>/dev/null; then
    say "installing kotlin-compiler@$KOTLIN_VERSION (npm)"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent "kotlin-compiler@$KOTLIN_VERSION"
fi

PY=$TOOLS/venv/bin/python
if [ ! -x "$PY" ] || [ "$(cat "$TOOLS/venv/.requirements" 2>/dev/null)" != "$PY_REQUIREMENTS" ]; then
    say "creating the Python venv ($PY_REQUIREMENTS)"
    rm -rf "$TOOLS/venv"
    python3 -m venv "$TOOLS/venv"
    # shellcheck disable=SC2086 # a list of requirements
    "$PY" -m pip install -q --disable-pip-version-check $PY_REQUIREMENTS
    echo "$PY_REQUIREMENTS" >"$TOOLS/venv/.requirements"
fi

# ---- 2. build --------------------------------------------------------------------------------
say "building zhengzhao-bindings ($PROFILE, test-hooks)"
if [ "$PROFILE" = release-mobile ]; then
    # As shipped: the cdylib alone, so that codegen need not keep what the rlib would export.
    cargo rustc --locked "${cargo_profile[@]}" -p zhengzhao-bindings --lib --crate-type cdylib \
        --features test-hooks
else
    cargo build --locked "${cargo_profile[@]}" -p zhengzhao-bindings --features test-hooks
fi
# The bindgen only reads the library's metadata: a debug build serves every profile.
say "building uniffi-bindgen (debug)"
cargo build --locked --profile dev -p uniffi-bindgen
# The shipped library must not pull in the bindgen's CLI (clap, askama, goblin, ...).
if cargo tree --locked -p zhengzhao-bindings -e normal -i clap >/dev/null 2>&1; then
    echo "uniffi's cli feature (clap) reached zhengzhao-bindings" >&2
    exit 1
fi
LIBDIR=$TARGET/$PROFILE
LIB=$LIBDIR/libzhengzhao_ffi.so
BINDGEN=$TARGET/debug/uniffi-bindgen

# ---- 3. generate (library mode, from the unstripped cdylib) ----------------------------------
rm -rf "$OUT"
for lang in kotlin swift python; do
    "$BINDGEN" generate --no-format --library "$LIB" --language "$lang" --out-dir "$OUT/$lang" >/dev/null
done
KT=$OUT/kotlin/uniffi/zhengzhao/zhengzhao.kt
for f in "$KT" "$OUT/swift/zhengzhao.swift" "$OUT/swift/zhengzhaoFFI.h" \
    "$OUT/swift/zhengzhaoFFI.modulemap" "$OUT/python/zhengzhao.py"; do
    [ -s "$f" ] || {
        echo "generation did not produce $f" >&2
        exit 1
    }
done
say "generated Kotlin, Swift and Python from $LIB"

export ZHENGZHAO_TIMINGS=$OUT/timings.txt
: >"$ZHENGZHAO_TIMINGS"
failed_suites=()
summary=()

# Minimum test counts (issue 13.15): a suite that runs fewer tests than this fails, so a
# collection mistake (a renamed file, a lost annotation) cannot pass as a green run. Raise them
# when tests are added. Timing measurements are not tests and are not counted.
MIN_KOTLIN_TESTS=23
MIN_PYTHON_TESTS=25
MIN_SWIFT_TESTS=24

# at_least SUITE LINE MIN: fails (1) when the "N passed" of LINE is below MIN.
at_least() {
    local n
    n=$(echo "$2" | sed -n 's/^[a-z]*: \([0-9]*\) passed.*/\1/p')
    if [ -z "$n" ] || [ "$n" -lt "$3" ]; then
        echo "$1: ${n:-0} tests passed, fewer than the minimum $3" >&2
        return 1
    fi
}

# "N passed, N failed" from JUnit XML reports (JUnit 5 console and pytest both write them).
junit_counts() {
    "$PY" - "$@" <<'EOF'
import sys
import xml.etree.ElementTree as ET
tests = bad = skipped = 0
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    for s in suites:
        tests += int(s.get("tests", 0))
        bad += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
print(f"{tests - bad - skipped} passed, {bad} failed" + (f", {skipped} skipped" if skipped else ""))
EOF
}

# ---- 4a. Kotlin (kotlinc + JNA + JUnit 5) ----------------------------------------------------
# The generated bindings (260 KB of Kotlin) take most of the compile time: compile them once
# per distinct generated file, cached by content, then the tests against that jar.
kotlin_rc=0
KCP="$J/jna.jar:$J/junit-jupiter-api.jar:$J/apiguardian-api.jar:$J/opentest4j.jar"
KCACHE=$TARGET/bindings-cache
GENJAR=$KCACHE/zhengzhao-kotlin-$KOTLIN_VERSION-$(sha256sum "$KT" | cut -c1-16).jar
if [ ! -f "$GENJAR" ]; then
    say "compiling the generated Kotlin bindings"
    mkdir -p "$KCACHE"
    rm -f "$KCACHE"/zhengzhao-kotlin-*.jar
    "$KOTLIN_HOME/bin/kotlinc" -nowarn -cp "$J/jna.jar" -d "$GENJAR.tmp.jar" "$KT" &&
        mv "$GENJAR.tmp.jar" "$GENJAR" || kotlin_rc=$?
fi
if [ "$kotlin_rc" = 0 ]; then
    say "compiling the Kotlin tests"
    "$KOTLIN_HOME/bin/kotlinc" -nowarn -cp "$KCP:$GENJAR" \
        -d "$OUT/kotlin-tests.jar" bindings/tests/kotlin/*.kt || kotlin_rc=$?
fi
if [ "$kotlin_rc" = 0 ]; then
    say "running the Kotlin tests"
    java -Djna.library.path="$LIBDIR" -jar "$J/junit-platform-console-standalone.jar" \
        -cp "$OUT/kotlin-tests.jar:$GENJAR:$J/jna.jar:$KLIB/kotlin-stdlib.jar" \
        --scan-classpath "$OUT/kotlin-tests.jar" --disable-banner --disable-ansi-colors \
        --details=tree --fail-if-no-tests --reports-dir "$OUT/junit-reports" || kotlin_rc=$?
fi
shopt -s nullglob
reports=("$OUT"/junit-reports/*.xml)
shopt -u nullglob
if [ ${#reports[@]} -gt 0 ]; then
    line="kotlin: $(junit_counts "${reports[@]}")"
else
    line="kotlin: 0 passed, 1 failed (did not compile or run)"
    kotlin_rc=1
fi
echo "$line"
summary+=("$line")
at_least kotlin "$line" "$MIN_KOTLIN_TESTS" || kotlin_rc=1
[ "$kotlin_rc" = 0 ] || failed_suites+=(kotlin)

# ---- 4b. Python (pytest) ---------------------------------------------------------------------
say "running the Python tests"
cp "$LIB" "$OUT/python/" # the generated module loads the library from its own directory
python_rc=0
PYTHONPATH=$OUT/python "$PY" -m pytest -q -p no:cacheprovider --junitxml "$OUT/pytest.xml" \
    bindings/tests/python || python_rc=$?
if [ -f "$OUT/pytest.xml" ]; then
    line="python: $(junit_counts "$OUT/pytest.xml")"
else
    line="python: 0 passed, 1 failed (no report)"
    python_rc=1
fi
echo "$line"
summary+=("$line")
at_least python "$line" "$MIN_PYTHON_TESTS" || python_rc=1
[ "$python_rc" = 0 ] || failed_suites+=(python)

# ---- 4c. Swift (syntax only: no Swift toolchain here) and the C header -----------------------
say "checking the Swift bindings"
swift_rc=0
swift_files=("$OUT/swift/zhengzhao.swift" bindings/swift/Package.swift bindings/swift/Tests/ZhengzhaoTests/*.swift)
swift_out=$("$PY" bindings/scripts/swift_syntax_check.py "${swift_files[@]}") || swift_rc=$?
echo "$swift_out"
# Syntax alone passes an empty or truncated file: the API the Swift tests use must be there.
missing_symbols=0
for symbol in "class Wallet" "class Verifier" "class Issuer" "class TestPki" "class PresentationRequest" \
    "class PendingCredential" "struct DisclosureEvent" "struct CredentialInfo" "func exportDisclosuresJson(" \
    "class HolderSession" "class ReaderSession" "func handleEstablishment(" "func handleResponse(" \
    "func preparePresentation(" "func completePresentation(" "func prepareResponse(" "func completeResponse(" "func parseCitizenId(" "class DocumentPredicates" \
    "protocol SecureArea" "protocol CredentialStorage" "enum ZhengzhaoError" "enum ElementValue" \
    "enum Check" "struct VerifiedResponse" "struct IssuanceRequest" "func sessionTranscript(" \
    "func softwareSecureArea(" "func generateStoreKey(" "func verify(" "func present(" \
    "func parseRequest(" "func buildRequest(" "protocol StatusResolver" "class StatusChecker" \
    "class StatusListPublisher" "enum StatusOutcome" "enum ListStatus" "struct StatusListReference" \
    "func refreshStatus(" "func refreshAllStatus(" "enum QrColour" "enum CheckedStatus" "struct StatusCheck"; do
    if ! grep -q -- "$symbol" "$OUT/swift/zhengzhao.swift"; then
        echo "swift: expected symbol missing: $symbol"
        missing_symbols=$((missing_symbols + 1))
    fi
done
[ "$missing_symbols" = 0 ] || swift_rc=1
# Syntax-checked only, so count the XCTest methods (`func test...`) the file declares.
swift_tests=$(cat bindings/swift/Tests/ZhengzhaoTests/*.swift | grep -c '^[[:space:]]*func test') || true
at_least swift "swift: $swift_tests passed" "$MIN_SWIFT_TESTS" || swift_rc=1
header=yes
echo '#include "zhengzhaoFFI.h"' |
    gcc -fsyntax-only -Wall -Werror -D_Nonnull= -D_Nullable= -I "$OUT/swift" -x c - || header=no
[ "$header" = yes ] || swift_rc=1
line=$(echo "$swift_out" | tail -n 1)
[ "$missing_symbols" = 0 ] || line="$line; $missing_symbols expected symbols missing"
summary+=("$line; $swift_tests XCTest methods; C header compiles: $header")
[ "$swift_rc" = 0 ] || failed_suites+=(swift)

# ---- 4d. FFI-overhead timings (perf, not tests) ----------------------------------------------
# Printed for the record, never asserted, never counted as tests; a failure here is reported
# but does not fail CI (load on a shared machine makes timings noisy).
if [ "$kotlin_rc" = 0 ]; then
    java -Djna.library.path="$LIBDIR" \
        -cp "$OUT/kotlin-tests.jar:$GENJAR:$J/jna.jar:$KLIB/kotlin-stdlib.jar:$J/junit-jupiter-api.jar:$J/opentest4j.jar:$J/apiguardian-api.jar" \
        ZhengzhaoTestKt || echo "kotlin timing run failed (not a test)" >>"$ZHENGZHAO_TIMINGS"
fi
PYTHONPATH=$OUT/python "$PY" bindings/tests/python/test_zhengzhao.py ||
    echo "python timing run failed (not a test)" >>"$ZHENGZHAO_TIMINGS"

# ---- 5. summary ------------------------------------------------------------------------------
echo
echo "==> bindings summary ($PROFILE library, $((SECONDS - T0)) s)"
printf '    %s\n' "${summary[@]}"
strip --strip-all -o "$OUT/stripped.so" "$LIB"
echo "    library: $(stat -c %s "$LIB") B, $(stat -c %s "$OUT/stripped.so") B stripped (with test hooks)"
sed 's/^/    /' "$ZHENGZHAO_TIMINGS"
if [ ${#failed_suites[@]} -gt 0 ]; then
    echo "==> FAILED: ${failed_suites[*]}" >&2
    exit 1
fi
