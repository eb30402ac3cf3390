#!/usr/bin/env bash
# Independent OpenID4VP 1.0 interoperability check (issue 17, item 8), all through files, against
# node scripts in examples/interop/oid4vp/ built on npm jose 6 and @owf/mdoc 0.6.0 (no zhengzhao
# code; @owf/mdoc computes the B.2.6.1 transcript with SessionTranscript.forOid4Vp and verifies
# the mdoc with a node:crypto context of ours, lib.mjs).
#
#  A. Foreign verifier of our wallet: verifier.mjs has @openid4vc/openid4vp
#     createOpenid4vpAuthorizationRequest sign a request object (x509_san_dns, x5c =
#     pki's verifier.pem, direct_post.jwt with an ephemeral ECDH-ES P-256 key, DCQL for two
#     elements); `mdoc-tool oid4vp present` answers its openid4vp:// URI; verifier.mjs decrypts the JWE, checks
#     header and state, verifies the DeviceResponse (issuer chain to iaca.pem, device signature)
#     and compares the values with the claims file; under another nonce it must fail. The body
#     also goes through @openid4vc/openid4vp parseOpenid4vpAuthorizationResponse.
#  B. Foreign wallet answering our verifier: `mdoc-tool oid4vp request` writes request.jwt;
#     wallet.mjs verifies it (chain to reader_ca.pem, SAN; also through @openid4vc/openid4vp
#     resolveOpenid4vpAuthorizationRequest, which must see OpenID4VP 1.0), builds and device-signs a
#     DeviceResponse from cred.cbor's IssuerSigned, has createOpenid4vpAuthorizationResponse
#     encrypt it to the request's key; then
#     `mdoc-tool oid4vp verify` must accept it with the values, refuse a body with one changed
#     JWE character and refuse the good body a second time (single use).
#
# The packages are installed once into $ZHENGZHAO_TOOLS_DIR/oid4vp-1 (default
# ~/.cache/zhengzhao-tools/oid4vp-1), outside the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."

fail() { echo "FAIL: $*" >&2; exit 1; }

tools=${ZHENGZHAO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zhengzhao-tools}/oid4vp-1
pins="@openid4vc/openid4vp@0.4.6 @openid4vc/oauth2@0.4.6 @owf/mdoc@0.6.0 jose@6 dcql@3 @hpke/core@1.9.0"
if [ ! -f "$tools/node_modules/@owf/mdoc/package.json" ] || [ "$(cat "$tools/.pins" 2>/dev/null)" != "$pins" ]; then
    echo "--> npm install $pins into $tools"
    mkdir -p "$tools"
    # shellcheck disable=SC2086
    npm install --no-audit --no-fund --loglevel=error --prefix "$tools" $pins
    echo "$pins" >"$tools/.pins"
fi
export OID4VP_TOOLS=$tools

cargo build --locked -q -p zhengzhao-examples --example mdoc-tool
target=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
tool=$target/debug/examples/mdoc-tool
js=examples/interop/oid4vp

work=$(mktemp -d "${TMPDIR:-/tmp}/zhengzhao-oid4vp.XXXXXX")
trap 'rm -rf "$work"' EXIT

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

"$tool" pki --out "$work/pki" >/dev/null
"$tool" device-key --out "$work/dev.key.pem" --public-out "$work/dev.pub.pem" >/dev/null
cat >"$work/claims.json" <<'JSON'
{ "doc_type": "org.iso.18013.5.1.mDL",
  "namespaces": { "org.iso.18013.5.1": { "family_name": "Test", "given_name": "Interop",
                                         "birth_date": {"$full-date": "1990-01-02"},
                                         "document_number": "T0000001" } } }
JSON
"$tool" issue --claims "$work/claims.json" --ds-cert "$work/pki/ds.pem" --ds-key "$work/pki/ds.key.pem" \
    --device-key "$work/dev.pub.pem" --out "$work/cred.cbor" >/dev/null

echo "== A. foreign verifier (@openid4vc/openid4vp + jose + @owf/mdoc) of mdoc-tool oid4vp present"
node "$js/verifier.mjs" request --signer-cert "$work/pki/verifier.pem" --signer-key "$work/pki/verifier.key.pem" \
    --doc-type org.iso.18013.5.1.mDL --element org.iso.18013.5.1/family_name \
    --element2 org.iso.18013.5.1/birth_date --out "$work/a"
"$tool" oid4vp present --request "$work/a/request_uri.txt" --credential "$work/cred.cbor" \
    --device-key "$work/dev.key.pem" --verifier-trust "$work/pki/reader_ca.pem" --approve all \
    --out "$work/a/body.txt" >/dev/null
node "$js/verifier.mjs" check --state "$work/a" --response "$work/a/body.txt" \
    --trust "$work/pki/iaca.pem" --claims "$work/claims.json"

echo "== B. foreign wallet (@openid4vc/openid4vp + jose + @owf/mdoc) answering mdoc-tool oid4vp request"
cat >"$work/dcql.json" <<'JSON'
{"credentials": [{"id": "mdl", "format": "mso_mdoc", "meta": {"doctype_value": "org.iso.18013.5.1.mDL"},
  "claims": [{"path": ["org.iso.18013.5.1", "family_name"]}, {"path": ["org.iso.18013.5.1", "birth_date"]}]}]}
JSON
"$tool" oid4vp request --client-id x509_san_dns:verifier.example.cn \
    --response-uri https://verifier.example.cn/response --dcql "$work/dcql.json" \
    --signer-key "$work/pki/verifier.key.pem" --signer-cert "$work/pki/verifier.pem" --out "$work/b" >/dev/null
node "$js/wallet.mjs" --request "$work/b/request.jwt" --credential "$work/cred.cbor" \
    --device-key "$work/dev.key.pem" --verifier-trust "$work/pki/reader_ca.pem" \
    --out "$work/b/body.txt" --tamper-out "$work/b/body.bad.txt"
# The tampered body first: a JWE that does not decrypt must not use up the transaction.
expect_refusal "a response with one changed JWE character" \
    "$tool" oid4vp verify --state "$work/b" --response "$work/b/body.bad.txt" --trust "$work/pki/iaca.pem" --json
"$tool" oid4vp verify --state "$work/b" --response "$work/b/body.txt" --trust "$work/pki/iaca.pem" --json \
    >"$work/b/verified.json" || fail "mdoc-tool oid4vp verify rejected the foreign wallet's response: $(head -c 400 "$work/b/verified.json")"
python3 - "$work/b/verified.json" <<'EOF2' || fail "verify --json does not report the disclosed values"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verified"] is True and r["handover"] == "openid4vp", r
(doc,) = r["documents"]
assert doc["query_id"] == "mdl" and doc["device_auth"] == "signature"
assert doc["elements"] == {"org.iso.18013.5.1": {"family_name": "Test", "birth_date": {"$full-date": "1990-01-02"}}}
EOF2
echo "mdoc-tool oid4vp verify: the foreign wallet's response verified, with the 2 requested values"
expect_refusal "the same response a second time" \
    "$tool" oid4vp verify --state "$work/b" --response "$work/b/body.txt" --trust "$work/pki/iaca.pem" --json
echo "mdoc-tool oid4vp verify: the tampered JWE and the replay are refused (exit 1)"
