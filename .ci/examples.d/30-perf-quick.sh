#!/usr/bin/env bash
# The performance report in its quick form (well under a minute once built), with the `ring`
# provider compiled in. It asserts nothing about time: it checks that every operation ran and
# was reported with a positive median, floor and ratio, under the published names.
#
# CI runs it in the dev profile, which reuses what the tests and providers steps built (the
# dependencies, the ECDSA code among them, are optimised even there) instead of a release
# build of its own (~80 s). Its figures are then not the release ones: measure with
# `cargo run --release --features ring --example perf` (docs/performance.md).
set -euo pipefail

out=$(cargo run --locked --features ring --example perf -- --quick --json)
printf '%s\n' "$out"
printf '%s' "$out" | python3 -c '
import json, math, sys
report = json.load(sys.stdin)
ops = {op["name"]: op for op in report["operations"]}
required = ["issue", "present", "verify_cold", "verify_cached", "verify_annex_d",
            "session_encrypt", "session_decrypt",
            "verify_status_cached", "status_cold", "status_cold_full",
            "verify_cold@ring", "verify_cached@ring", "verify_annex_d@ring"]
missing = [n for n in required if n not in ops]
if missing:
    sys.exit(f"perf: missing operations {missing}")
for name, op in ops.items():
    for key in ("median_us", "floor_us", "ratio"):
        value = op.get(key)
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            sys.exit(f"perf: {name}.{key} = {value!r}")
batch = report["batch"]
if not (batch["threads_1_per_s"] > 0 and batch["threads_2_per_s"] > 0):
    sys.exit(f"perf: batch {batch}")
status = report["status"]
if status["inflated_bytes"] != status["entries"] // 8 or status["token_bytes"] <= 0:
    sys.exit(f"perf: status {status}")
print(f"perf --quick: {len(ops)} operations reported")
'
