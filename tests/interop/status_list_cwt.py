#!/usr/bin/env python3
"""Independent Token Status List (CWT form) builder and verifier, for interop tests.

Written from draft-ietf-oauth-status-list-20 (§4.1 packing, §4.3 CBOR StatusList, §5.2 the
Status List Token in CWT form, §8.3 the checks), on top of the PyPI `cwt` library (COSE) and
`cbor2`. It shares no code with zhengzhao: `.ci/examples.d/40-status-interop.sh` runs it against
zhengzhao's `mdoc-tool status-list` in both directions. Pinned versions: cwt==3.3.0, cbor2==5.8.0.

    status_list_cwt.py build (--jwk KEY.jwk.json | --key-pem KEY.pem) --bits B --size N
        [--set I=V ...] --uri URI --iat SECS --exp SECS [--ttl SECS] --out FILE

  writes a tagged COSE_Sign1 (tag 18, not wrapped in the CWT tag 61), ES256, protected header
  {1: -7, 16: "application/statuslist+cwt"}, claims 2 sub, 6 iat, 4 exp, 65534 ttl (if given) and
  65533 {"bits": B, "lst": zlib(raw, level 9)}. Entry i sits in byte i // (8/B) at shift
  (i % (8/B)) * B, least significant bits first; N entries take ceil(N*B/8) bytes. A JWK's kid, if
  any, goes into the unprotected header (label 4). The file holds the raw CBOR bytes.

    status_list_cwt.py verify --token FILE (--jwk KEY.jwk.json | --cert-pem CERT.pem |
        --key-pem PUB.pem) [--uri URI] [--at SECS] [--index I ...] --json

  reads raw CBOR or one line of hex, checks: no trailing bytes, tag 18 (tag 61 is refused), alg
  ES256 and typ "application/statuslist+cwt" (or the bare "statuslist+cwt") in the protected
  header, the signature with the given key (a certificate: its public key; if the token carries
  an x5chain, its first certificate must be that one), sub == --uri, exp > --at (default: now),
  a well-formed StatusList whose lst is one complete zlib stream, every --index inside the list.
  It prints {"bits", "size", "sub", "iat", "exp", "ttl", "statuses": {"I": V}} (exp and ttl null
  when absent) and exits 0; a failed check prints one line on stderr and exits 1.
"""

import argparse
import io
import json
import math
import string
import sys
import time
import zlib

import cbor2
from cwt import COSE, COSEKey

TYP = "application/statuslist+cwt"
TYP_ACCEPTED = (TYP, "statuslist+cwt")
ES256 = -7
WIDTHS = (1, 2, 4, 8)
LABEL_ALG, LABEL_KID, LABEL_TYP, LABEL_X5CHAIN = 1, 4, 16, 33
CLAIM_SUB, CLAIM_EXP, CLAIM_IAT, CLAIM_TTL, CLAIM_STATUS_LIST = 2, 4, 6, 65534, 65533


class CheckFailed(Exception):
    """One failed check; its message is the one-line reason."""


def pack(bits, size, statuses):
    """The §4.1 byte array: LSB-first, 8/bits entries per byte."""
    per_byte = 8 // bits
    raw = bytearray(math.ceil(size * bits / 8))
    for index, value in statuses.items():
        raw[index // per_byte] |= value << ((index % per_byte) * bits)
    return bytes(raw)


def status_at(raw, bits, index):
    """Entry `index` of a §4.1 byte array."""
    per_byte = 8 // bits
    return (raw[index // per_byte] >> ((index % per_byte) * bits)) & ((1 << bits) - 1)


def loads_exact(data, what):
    """One CBOR item and nothing after it (cbor2.loads ignores trailing bytes)."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception as err:
        raise CheckFailed(f"{what}: not CBOR ({err})") from err
    if stream.tell() != len(data):
        raise CheckFailed(f"{what}: {len(data) - stream.tell()} trailing bytes after the CBOR item")
    return item


def read_token(path):
    """Raw CBOR bytes, or the same as ASCII hex (whitespace ignored)."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = "".join(data.decode("ascii").split())
    except UnicodeDecodeError:
        return data
    if text and len(text) % 2 == 0 and all(c in string.hexdigits for c in text):
        return bytes.fromhex(text)
    return data


def load_jwk(path, public_only):
    with open(path, encoding="utf-8") as f:
        jwk = json.load(f)
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise CheckFailed(f"{path}: not a P-256 EC JWK")
    jwk.setdefault("alg", "ES256")
    if jwk["alg"] != "ES256":
        raise CheckFailed(f"{path}: JWK alg {jwk['alg']!r}, only ES256 is supported")
    if public_only:
        # Verify with the public half only; cwt marks a private JWK as sign-only.
        jwk = {k: v for k, v in jwk.items() if k not in ("d", "key_ops", "use")}
    elif "d" not in jwk:
        raise CheckFailed(f"{path}: the JWK has no private part (d)")
    return jwk


def parse_sets(values, bits, size):
    statuses = {}
    for item in values:
        index_text, sep, value_text = item.partition("=")
        if not sep:
            raise CheckFailed(f"--set {item!r}: expected I=V")
        try:
            index, value = int(index_text, 10), int(value_text, 0)
        except ValueError as err:
            raise CheckFailed(f"--set {item!r}: not integers") from err
        if not 0 <= index < size:
            raise CheckFailed(f"--set {item!r}: index outside 0..{size - 1}")
        if not 0 <= value < (1 << bits):
            raise CheckFailed(f"--set {item!r}: value does not fit in {bits} bits")
        if index in statuses:
            raise CheckFailed(f"--set {item!r}: index {index} set twice")
        statuses[index] = value
    return statuses


def cmd_build(args):
    if args.bits not in WIDTHS:
        raise CheckFailed(f"--bits {args.bits}: must be one of 1, 2, 4, 8")
    if args.size < 1:
        raise CheckFailed("--size must be at least 1")
    if args.ttl is not None and args.ttl < 1:
        raise CheckFailed("--ttl must be a positive number of seconds")
    statuses = parse_sets(args.set or [], args.bits, args.size)
    unprotected = {}
    if args.jwk:
        jwk = load_jwk(args.jwk, public_only=False)
        key = COSEKey.from_jwk(jwk)
        if key.kid:
            unprotected[LABEL_KID] = key.kid
    else:
        with open(args.key_pem, "rb") as f:
            key = COSEKey.from_pem(f.read(), alg="ES256")
    raw = pack(args.bits, args.size, statuses)
    # Claim order as in the draft's §5.2 example; cbor2 keeps insertion order.
    claims = {CLAIM_SUB: args.uri, CLAIM_IAT: args.iat, CLAIM_EXP: args.exp}
    if args.ttl is not None:
        claims[CLAIM_TTL] = args.ttl
    claims[CLAIM_STATUS_LIST] = {"bits": args.bits, "lst": zlib.compress(raw, 9)}
    token = COSE.new().encode_and_sign(
        cbor2.dumps(claims),
        key,
        protected={LABEL_ALG: ES256, LABEL_TYP: TYP},
        unprotected=unprotected,
    )
    outer = loads_exact(token, "cwt output")
    if not isinstance(outer, cbor2.CBORTag) or outer.tag != 18:
        raise CheckFailed("cwt did not produce a tag-18 COSE_Sign1")
    with open(args.out, "wb") as f:
        f.write(token)
    return 0


def verify_key(args, kid):
    """The COSEKey to verify with. cwt only tries keys whose kid equals the token's kid, so a
    PEM key (which has none) is given the token's kid: the caller named the key explicitly."""
    if args.jwk:
        jwk = load_jwk(args.jwk, public_only=True)
        if kid and "kid" not in jwk:
            jwk["kid"] = kid.decode("latin-1")
        return COSEKey.from_jwk(jwk), None
    path = args.cert_pem or args.key_pem
    with open(path, "rb") as f:
        pem = f.read()
    cert_der = None
    if args.cert_pem:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        cert_der = x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
    return COSEKey.from_pem(pem, alg="ES256", kid=kid or b""), cert_der


def cmd_verify(args):
    data = read_token(args.token)
    outer = loads_exact(data, "token")
    if isinstance(outer, cbor2.CBORTag) and outer.tag == 61:
        raise CheckFailed("token is wrapped in the CWT tag 61, which §5.2 forbids")
    if not isinstance(outer, cbor2.CBORTag) or outer.tag != 18:
        raise CheckFailed("token is not a tagged COSE_Sign1 (tag 18)")
    if not isinstance(outer.value, list) or len(outer.value) != 4:
        raise CheckFailed("COSE_Sign1 is not an array of 4")
    protected_bytes, unprotected = outer.value[0], outer.value[1]
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, dict):
        raise CheckFailed("COSE_Sign1 headers are malformed")
    protected = loads_exact(protected_bytes, "protected header") if protected_bytes else {}
    if not isinstance(protected, dict):
        raise CheckFailed("protected header is not a map")
    if protected.get(LABEL_ALG) != ES256:
        raise CheckFailed(f"protected alg is {protected.get(LABEL_ALG)!r}, expected ES256 (-7)")
    typ = protected.get(LABEL_TYP)
    if typ not in TYP_ACCEPTED:
        where = " (it is in the unprotected header)" if LABEL_TYP in unprotected else ""
        raise CheckFailed(f"protected typ is {typ!r}, expected {TYP!r}{where}")
    kid = protected.get(LABEL_KID, unprotected.get(LABEL_KID))
    if kid is not None and not isinstance(kid, bytes):
        raise CheckFailed("kid is not a byte string")
    key, cert_der = verify_key(args, kid)
    if cert_der is not None:
        x5chain = protected.get(LABEL_X5CHAIN, unprotected.get(LABEL_X5CHAIN))
        leaf = x5chain[0] if isinstance(x5chain, list) and x5chain else x5chain
        if x5chain is not None and leaf != cert_der:
            raise CheckFailed("the token's x5chain does not start with the given certificate")
    try:
        _, _, payload = COSE.new().decode_with_headers(data, key)
    except Exception as err:
        raise CheckFailed(f"signature check failed ({type(err).__name__}: {err})") from err
    claims = loads_exact(payload, "payload")
    if not isinstance(claims, dict):
        raise CheckFailed("payload is not a claims map")
    sub, iat = claims.get(CLAIM_SUB), claims.get(CLAIM_IAT)
    exp, ttl = claims.get(CLAIM_EXP), claims.get(CLAIM_TTL)
    if not isinstance(sub, str):
        raise CheckFailed("sub (2) is missing or not a text string")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise CheckFailed("iat (6) is missing or not an integer")
    if exp is not None and (not isinstance(exp, int) or isinstance(exp, bool)):
        raise CheckFailed("exp (4) is not an integer")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1):
        raise CheckFailed("ttl (65534) is not a positive integer")
    if args.uri is not None and sub != args.uri:
        raise CheckFailed("sub does not match --uri")
    at = int(time.time()) if args.at is None else args.at
    if exp is not None and not exp > at:
        raise CheckFailed(f"token expired: exp {exp} <= time {at}")
    status_list = claims.get(CLAIM_STATUS_LIST)
    if not isinstance(status_list, dict):
        raise CheckFailed("status_list (65533) is missing or not a map")
    bits, lst = status_list.get("bits"), status_list.get("lst")
    if bits not in WIDTHS or isinstance(bits, bool):
        raise CheckFailed(f"status_list bits is {bits!r}, expected 1, 2, 4 or 8")
    if not isinstance(lst, bytes):
        raise CheckFailed("status_list lst is missing or not a byte string")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(lst) + inflater.flush()
    except zlib.error as err:
        raise CheckFailed(f"lst is not a zlib stream ({err})") from err
    if not inflater.eof or inflater.unused_data:
        raise CheckFailed("lst is not exactly one complete zlib stream")
    size = len(raw) * 8 // bits
    statuses = {}
    for index in args.index or []:
        if not 0 <= index < size:
            raise CheckFailed(f"index {index} is out of bounds (list size {size})")
        statuses[str(index)] = status_at(raw, bits, index)
    result = {"bits": bits, "size": size, "sub": sub, "iat": iat, "exp": exp, "ttl": ttl, "statuses": statuses}
    print(json.dumps(result, sort_keys=True) if args.json else json.dumps(result, indent=2, sort_keys=True))
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build a Status List Token (CWT)")
    key = build.add_mutually_exclusive_group(required=True)
    key.add_argument("--jwk", help="private P-256 JWK (JSON file)")
    key.add_argument("--key-pem", help="private P-256 key, PKCS#8 (or SEC1) PEM")
    build.add_argument("--bits", type=int, required=True)
    build.add_argument("--size", type=int, required=True)
    build.add_argument("--set", action="append", metavar="I=V")
    build.add_argument("--uri", required=True)
    build.add_argument("--iat", type=int, required=True)
    build.add_argument("--exp", type=int, required=True)
    build.add_argument("--ttl", type=int)
    build.add_argument("--out", required=True)

    verify = sub.add_parser("verify", help="verify a Status List Token (CWT)")
    verify.add_argument("--token", required=True, help="raw CBOR or hex")
    key = verify.add_mutually_exclusive_group(required=True)
    key.add_argument("--jwk", help="P-256 JWK (a private one is used by its public part)")
    key.add_argument("--cert-pem", help="the signer's certificate (its public key is used)")
    key.add_argument("--key-pem", help="the signer's public key, SPKI PEM")
    verify.add_argument("--uri")
    verify.add_argument("--at", type=int, help="verification time, seconds since the epoch")
    verify.add_argument("--index", type=int, action="append")
    verify.add_argument("--json", action="store_true", help="one line of JSON")

    args = parser.parse_args(argv)
    try:
        return cmd_build(args) if args.command == "build" else cmd_verify(args)
    except CheckFailed as err:
        print(f"status_list_cwt {args.command}: {err}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as err:
        print(f"status_list_cwt {args.command}: {type(err).__name__}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
