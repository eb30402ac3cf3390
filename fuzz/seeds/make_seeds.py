#!/usr/bin/env python3
"""Regenerate the committed fuzz seeds from the hex test vectors in tests/vectors/.

Run from anywhere: python3 fuzz/seeds/make_seeds.py
Each cbor_decode seed is one CBOR item, the binary of a `*.hex` vector, named after its source
file. Vectors that are not CBOR (X.509 DER, raw key material, derived keys, the JPEG) are skipped.
The status_list seeds (`vector_*`) are the Token Status List vectors behind the target's mode
byte: 0 and a token (`*.cwt.hex`), 1, a little-endian u16 bound and a zlib stream
(`*.zlib.hex`), 2 and a CBOR StatusList (`*.cbor.hex`).
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
OUT = ROOT / "fuzz" / "seeds" / "cbor_decode"

# (prefix for the seed name, vector file)
SOURCES = [("annexd", p) for p in sorted((VECTORS / "iso18013-5-annex-d").glob("*.hex"))] + [
    ("auth0", VECTORS / "auth0-mdl-example1" / "device_response.hex"),
    ("paradym", VECTORS / "animo-paradym-oid4vp1" / "device_response.hex"),
]


def is_cbor_vector(path: pathlib.Path) -> bool:
    name = path.name
    if name.endswith(".der.hex") or name == "portrait.jpg.hex":
        return False
    # raw P-256 key coordinates/scalars and derived symmetric keys
    if name.endswith((".d.hex", ".x.hex", ".y.hex")):
        return False
    if name in ("emac_key.hex", "sk_device.hex", "sk_reader.hex"):
        return False
    return True


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.cbor"):
        old.unlink()
    written = 0
    for prefix, src in SOURCES:
        if not is_cbor_vector(src):
            continue
        data = bytes.fromhex("".join(src.read_text().split()))
        dst = OUT / f"{prefix}_{src.name[: -len('.hex')]}.cbor"
        dst.write_bytes(data)
        written += 1
        print(f"{dst.relative_to(ROOT)}  {len(data)} bytes")
    print(f"{written} seeds written")
    return status_list_seeds()


STATUS_VECTORS = VECTORS / "status-list"
STATUS_OUT = ROOT / "fuzz" / "seeds" / "status_list"


def status_list_seeds() -> int:
    STATUS_OUT.mkdir(parents=True, exist_ok=True)
    for old in STATUS_OUT.glob("vector_*"):
        old.unlink()
    written = 0
    for src in sorted(STATUS_VECTORS.glob("*.hex")):
        data = bytes.fromhex("".join(src.read_text().split()))
        if src.name.endswith(".cwt.hex"):
            seed = b"\x00" + data
        elif src.name.endswith(".zlib.hex"):
            seed = b"\x01" + (4096).to_bytes(2, "little") + data
        elif src.name.endswith(".cbor.hex"):
            seed = b"\x02" + data
        else:
            continue
        dst = STATUS_OUT / f"vector_{src.name[: -len('.hex')]}.bin"
        dst.write_bytes(seed)
        written += 1
        print(f"{dst.relative_to(ROOT)}  {len(seed)} bytes")
    print(f"{written} status_list seeds written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
