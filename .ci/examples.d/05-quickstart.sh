#!/usr/bin/env bash
# The README's quick start as a program: examples/quickstart.rs runs issue → present → verify
# (readerAuth, the holder's consent, a replay into another session rejected) and exits non-zero
# if any step or expectation fails; its last line must be "quickstart: ok".
set -euo pipefail
cd "$(dirname "$0")/../.."

out=$(cargo run --locked -q --example quickstart)
echo "$out"
[ "$(printf '%s\n' "$out" | tail -n 1)" = "quickstart: ok" ] || {
    echo "FAIL: quickstart did not end with 'quickstart: ok'" >&2
    exit 1
}
