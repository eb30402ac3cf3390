#!/usr/bin/env bash
# The same test suites against the server crypto provider: the core's own tests, and the
# provider-aware integration tests, built with the provider's cargo feature. With the feature
# on, `crypto::provider::compiled_providers()` holds RustCrypto and the server provider: the
# Wycheproof suite runs every family against both (printing per-provider counts), and
# `tests/common::provider()` — which the vectors, tamper, session and provider tests verify
# with — returns the server provider.
#
# Run from the repository root (`.ci/run` calls it right after its tests step, sharing the
# workspace target dir). Knob: PROVIDER_FEATURE (default `ring`).
set -euo pipefail
cd "$(dirname "$0")/.."

feature=${PROVIDER_FEATURE:-ring}
echo "--> provider feature: $feature"

t0=$SECONDS
# The workspace clippy step builds without the feature; lint the provider's code here.
cargo clippy --locked -p zhengzhao --features "$feature" -- -D warnings
cargo test --locked -p zhengzhao --features "$feature"
echo "<-- core tests with --features $feature ok ($((SECONDS - t0)) s)"

t0=$SECONDS
# Wycheproof with its output: the per-provider counts are the record of what ran.
cargo test --locked -p zhengzhao-tests --features "$feature" --test wycheproof -- \
    --nocapture --test-threads=1
cargo test --locked -p zhengzhao-tests --features "$feature" \
    --test vectors --test tamper --test session --test provider
echo "<-- integration tests with --features $feature ok ($((SECONDS - t0)) s)"
