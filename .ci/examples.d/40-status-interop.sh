#!/usr/bin/env bash
# Independent interoperability check of Token Status Lists (draft-ietf-oauth-status-list-20, CWT
# form) between zhengzhao's `mdoc-tool status-list` and tests/interop/status_list_cwt.py, a builder
# and verifier written from the draft on PyPI cwt 3.3.0 + cbor2 5.8.0 (no zhengzhao code).
#
#  a. The harness checks itself on the draft's own §5.2 token (tests/vectors/status-list): the
#     16 statuses at 2026-01-01 with the example key; a flipped payload byte, a time past exp, a
#     wrong uri and index 16 must fail; its own build reproduces the draft's headers and payload
#     byte for byte and verifies.
#  b. zhengzhao decodes the same §5.2 token with the example public key.
#  c. For bits 1, 2, 4 and 8 (size 1000, and 2^20 at bits 1; the width's maximum value among the
#     set entries): lists built by zhengzhao are verified by the Python verifier against the
#     status-list signer certificate, and lists built by Python (signed with the same key) are
#     decoded by zhengzhao with the public key. Both must report the same bits, size, sub and
#     statuses, equal to what was set. In both directions a token with a flipped byte and a wrong
#     --uri must be refused by both verifiers (exit 1).
#
# The venv is created once in $ZHENGZHAO_TOOLS_DIR/status-cwt (default
# ~/.cache/zhengzhao-tools/status-cwt), outside the repository, and reused while the pins match.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "FAIL: $*" >&2; exit 1; }

venv=${ZHENGZHAO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zhengzhao-tools}/status-cwt
py=$venv/bin/python
pins_ok() {
    [ -x "$py" ] && "$py" -c 'import importlib.metadata as m, sys
sys.exit(0 if (m.version("cwt"), m.version("cbor2")) == ("3.3.0", "5.8.0") else 1)' 2>/dev/null
}
if ! pins_ok; then
    echo "--> python venv with cwt==3.3.0 cbor2==5.8.0 in $venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv --clear "$venv"
    "$py" -m pip install -q --disable-pip-version-check cwt==3.3.0 cbor2==5.8.0
    pins_ok || fail "the venv in $venv does not hold cwt 3.3.0 and cbor2 5.8.0"
fi
tsl() { "$py" tests/interop/status_list_cwt.py "$@"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/zhengzhao-status.XXXXXX")
trap 'rm -rf "$work"' EXIT
vec=tests/vectors/status-list

# expect_refusal WHAT CMD...: CMD must exit 1 (a failed check), not 0 and not a usage error.
expect_refusal() {
    local what=$1 rc
    shift
    set +e
    "$@" >"$work/refusal.out" 2>"$work/refusal.err"
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "$what: exit $rc, expected 1 ($(head -c 300 "$work/refusal.err"))"
}

# check_json WHAT EXPECTED.json GOT.json [OTHER.json]: GOT (and OTHER) have EXPECTED's bits, size,
# sub and statuses.
check_json() {
    "$py" - "$@" <<'EOF' || exit 1
import json, sys
what, expected_path, *paths = sys.argv[1:]
expected = json.load(open(expected_path))
for path in paths:
    try:
        got = json.load(open(path))
    except ValueError as err:
        print(f"FAIL: {what}: {path} is not JSON ({err})", file=sys.stderr)
        sys.exit(1)
    for member in ("bits", "size", "sub", "statuses"):
        if got.get(member) != expected[member]:
            print(f"FAIL: {what}: {member} is {got.get(member)!r} in {path.rsplit('/', 1)[-1]}, "
                  f"expected {expected[member]!r}", file=sys.stderr)
            sys.exit(1)
EOF
}

# flip_in TOKEN TEXT OUT: a copy of TOKEN with one bit of the last character of TEXT (the sub,
# inside the signed payload) flipped, so the CBOR stays well formed and only the signature breaks.
flip_in() {
    "$py" - "$@" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.rfind(sys.argv[2].encode())
if at < 0:
    sys.exit("flip_in: the text is not in the token")
data[at + len(sys.argv[2]) - 1] ^= 0x01
open(sys.argv[3], "wb").write(bytes(data))
EOF
}

# ---------------------------------------------------------------------------------------------
echo "--- a. the Python harness on the draft's §5.2 Status List Token"
spec_uri=https://example.com/statuslists/1
spec_at=1767225600 # 2026-01-01T00:00:00Z
all16=()
for i in $(seq 0 15); do all16+=(--index "$i"); done
tsl verify --token "$vec/status_list_token.cwt.hex" --jwk "$vec/example_key.jwk.json" \
    --uri "$spec_uri" --at "$spec_at" "${all16[@]}" --json >"$work/spec.py.json" ||
    fail "the Python verifier rejected the draft's §5.2 token"
"$py" - "$vec/list_1bit_16.statuses.json" "$spec_uri" "$work/spec.expected.json" <<'EOF'
import json, sys
statuses = json.load(open(sys.argv[1]))
if isinstance(statuses, dict):
    statuses = [statuses[k] for k in sorted(statuses, key=int)]
expected = {"bits": 1, "size": 16, "sub": sys.argv[2],
            "statuses": {str(i): v for i, v in enumerate(statuses)}}
if [expected["statuses"][str(i)] for i in range(16)] != [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]:
    sys.exit("FAIL: list_1bit_16.statuses.json is not the draft's list")
json.dump(expected, open(sys.argv[3], "w"))
EOF
check_json "Python verify of the §5.2 token" "$work/spec.expected.json" "$work/spec.py.json"
echo "Python verify: §5.2 token, bits 1, size 16, statuses 1,0,0,1,1,1,0,1,1,1,0,0,0,1,0,1"

"$py" -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(open(sys.argv[1]).read().strip()))' \
    "$vec/status_list_token.cwt.hex" "$work/spec.cwt"
flip_in "$work/spec.cwt" "$spec_uri" "$work/spec.flipped.cwt"
expect_refusal "Python verify of the §5.2 token with a flipped payload byte" \
    tsl verify --token "$work/spec.flipped.cwt" --jwk "$vec/example_key.jwk.json" --at "$spec_at" --json
expect_refusal "Python verify of the §5.2 token at its exp" \
    tsl verify --token "$vec/status_list_token.cwt.hex" --jwk "$vec/example_key.jwk.json" --at 2291720170 --json
expect_refusal "Python verify of the §5.2 token with another uri" \
    tsl verify --token "$vec/status_list_token.cwt.hex" --jwk "$vec/example_key.jwk.json" \
    --uri https://example.com/statuslists/2 --at "$spec_at" --json
expect_refusal "Python verify of the §5.2 token at index 16" \
    tsl verify --token "$vec/status_list_token.cwt.hex" --jwk "$vec/example_key.jwk.json" \
    --at "$spec_at" --index 16 --json
echo "Python verify refuses: a flipped payload byte, time = exp, another uri, index 16"

spec_sets=()
for i in 0 3 4 5 7 8 9 13 15; do spec_sets+=(--set "$i=1"); done
tsl build --jwk "$vec/example_key.jwk.json" --bits 1 --size 16 "${spec_sets[@]}" --uri "$spec_uri" \
    --iat 1686920170 --exp 2291720170 --ttl 43200 --out "$work/spec.rebuilt.cwt"
"$py" - "$work/spec.rebuilt.cwt" "$work/spec.cwt" <<'EOF'
import sys, cbor2
ours, theirs = (cbor2.loads(open(p, "rb").read()) for p in sys.argv[1:])
for i, name in enumerate(("protected header", "unprotected header", "payload")):
    if ours.value[i] != theirs.value[i]:
        sys.exit(f"FAIL: the Python build's {name} differs from the draft's §5.2 token")
EOF
tsl verify --token "$work/spec.rebuilt.cwt" --jwk "$vec/example_key.jwk.json" --uri "$spec_uri" \
    --at "$spec_at" "${all16[@]}" --json >"$work/spec.rebuilt.json" ||
    fail "the Python verifier rejected the Python build of the §5.2 list"
check_json "Python build → verify of the §5.2 list" "$work/spec.expected.json" "$work/spec.rebuilt.json"
echo "Python build: the §5.2 headers and payload byte for byte (new signature), and it verifies"

# ---------------------------------------------------------------------------------------------
echo "--- b. zhengzhao on the draft's §5.2 token"
cargo build --locked -q -p zhengzhao-examples --example mdoc-tool
target=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
tool=$target/debug/examples/mdoc-tool
"$tool" status-list decode --token "$work/spec.cwt" --key "$vec/example_key.pub.pem" --uri "$spec_uri" \
    --at 2026-01-01T00:00:00Z "${all16[@]}" --json >"$work/spec.zz.json" ||
    fail "mdoc-tool status-list decode rejected the draft's §5.2 token"
check_json "mdoc-tool decode of the §5.2 token" "$work/spec.expected.json" "$work/spec.zz.json"
expect_refusal "mdoc-tool decode of the §5.2 token with a flipped payload byte" \
    "$tool" status-list decode --token "$work/spec.flipped.cwt" --key "$vec/example_key.pub.pem" \
    --at 2026-01-01T00:00:00Z --json
echo "mdoc-tool decode: §5.2 token, same 16 statuses; refuses the flipped byte"

# ---------------------------------------------------------------------------------------------
echo "--- c. zhengzhao ⇄ Python, bits 1, 2, 4, 8"
"$tool" pki --out "$work/pki" >/dev/null
signer_cert=$work/pki/status_signer.pem
signer_key=$work/pki/status_signer.key.pem
[ -f "$signer_cert" ] && [ -f "$signer_key" ] || fail "mdoc-tool pki wrote no status_signer.pem / .key.pem"
signer_pub=$work/status_signer.pub.pem
if ! "$py" - "$signer_key" "$signer_pub" 2>/dev/null <<'EOF'; then
import sys
from cryptography.hazmat.primitives import serialization as s
key = s.load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
open(sys.argv[2], "wb").write(key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))
EOF
    openssl pkey -in "$signer_key" -pubout -out "$signer_pub"
fi

now=$(date +%s)
exp=$((now + 86400))
exp_rfc3339=$("$py" -c 'import sys, datetime as d
print(d.datetime.fromtimestamp(int(sys.argv[1]), d.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$exp")

# One case: bits, size, then I=V settings. The width's maximum appears in every case.
cases=(
    "1 1000 0=1 7=1 8=1 500=1 999=1"
    "1 1048576 0=1 1993=1 524288=1 1048575=1"
    "2 1000 1=2 3=3 4=1 10=3 998=3 999=1"
    "4 1000 0=15 2=12 5=11 6=1 999=15"
    "8 1000 0=255 1=254 2=1 500=3 999=128"
)
for case in "${cases[@]}"; do
    read -r -a f <<<"$case"
    bits=${f[0]} size=${f[1]}
    name=b$bits-n$size
    uri=https://status.example.com/lists/$name
    sets=()
    for kv in "${f[@]:2}"; do sets+=(--set "$kv"); done
    # Query every set index, its neighbours and both ends; unset ones must read 0.
    "$py" - "$bits" "$size" "$uri" "$work/$name.expected.json" "$work/$name.indexes" "${f[@]:2}" <<'EOF'
import json, sys
bits, size, uri, out, idx_out, *sets = sys.argv[1:]
bits, size = int(bits), int(size)
values = {int(k): int(v) for k, v in (s.split("=") for s in sets)}
if (1 << bits) - 1 not in values.values():
    sys.exit(f"FAIL: case bits {bits} does not set the maximum value")
wanted = {0, size - 1}
for i in values:
    wanted |= {j for j in (i - 1, i, i + 1) if 0 <= j < size}
json.dump({"bits": bits, "size": size, "sub": uri,
           "statuses": {str(i): values.get(i, 0) for i in sorted(wanted)}}, open(out, "w"))
open(idx_out, "w").write(" ".join(f"--index {i}" for i in sorted(wanted)) + "\n")
EOF
    read -r -a idx <"$work/$name.indexes"

    # zhengzhao builds, Python verifies (with the signer certificate), zhengzhao too (with the IACA).
    "$tool" status-list build --bits "$bits" --size "$size" "${sets[@]}" --signer-key "$signer_key" \
        --signer-cert "$signer_cert" --uri "$uri" --ttl 3600 --exp "$exp_rfc3339" \
        --out "$work/$name.zz.cwt" >/dev/null || fail "mdoc-tool status-list build ($name) failed"
    tsl verify --token "$work/$name.zz.cwt" --cert-pem "$signer_cert" --uri "$uri" "${idx[@]}" --json \
        >"$work/$name.zz.py.json" || fail "the Python verifier rejected zhengzhao's $name list"
    "$tool" status-list decode --token "$work/$name.zz.cwt" --trust "$work/pki/iaca.pem" --uri "$uri" \
        "${idx[@]}" --json >"$work/$name.zz.zz.json" || fail "mdoc-tool decode rejected its own $name list"
    check_json "zhengzhao-built $name" "$work/$name.expected.json" "$work/$name.zz.py.json" "$work/$name.zz.zz.json"

    # Python builds (same signer key), zhengzhao decodes with the public key, Python too.
    tsl build --key-pem "$signer_key" --bits "$bits" --size "$size" "${sets[@]}" --uri "$uri" \
        --iat "$now" --exp "$exp" --ttl 3600 --out "$work/$name.py.cwt"
    "$tool" status-list decode --token "$work/$name.py.cwt" --key "$signer_pub" --uri "$uri" \
        "${idx[@]}" --json >"$work/$name.py.zz.json" || fail "mdoc-tool decode rejected the Python $name list"
    tsl verify --token "$work/$name.py.cwt" --key-pem "$signer_pub" --uri "$uri" "${idx[@]}" --json \
        >"$work/$name.py.py.json" || fail "the Python verifier rejected its own $name list"
    check_json "Python-built $name" "$work/$name.expected.json" "$work/$name.py.zz.json" "$work/$name.py.py.json"

    # Negative controls, each token through both verifiers.
    for origin in zz py; do
        token=$work/$name.$origin.cwt
        flip_in "$token" "$uri" "$work/$name.$origin.flipped.cwt"
        expect_refusal "Python verify of the $origin $name list with a flipped byte" \
            tsl verify --token "$work/$name.$origin.flipped.cwt" --cert-pem "$signer_cert" --json
        expect_refusal "mdoc-tool decode of the $origin $name list with a flipped byte" \
            "$tool" status-list decode --token "$work/$name.$origin.flipped.cwt" --key "$signer_pub" --json
        expect_refusal "Python verify of the $origin $name list with a wrong uri" \
            tsl verify --token "$token" --cert-pem "$signer_cert" --uri "${uri}x" --json
        expect_refusal "mdoc-tool decode of the $origin $name list with a wrong uri" \
            "$tool" status-list decode --token "$token" --key "$signer_pub" --uri "${uri}x" --json
    done
    echo "bits $bits size $size: zhengzhao → Python and Python → zhengzhao agree on ${#idx[@]} statuses" \
        "(${f[*]:2}); flipped byte and wrong uri refused by both, both ways"
done
echo "status list interop: all checks passed"
