#!/usr/bin/env bash
# Checks that every workspace member's `rust-version` is true for the locked dependencies
# (issue 13.14). Only one toolchain is installed, so the claim cannot be checked by building
# with the old compiler; instead .ci/msrv.py reads the `rust-version` every locked package
# declares (`cargo metadata --locked --all-features`: optional dependencies such as `ring`
# count) and fails when a member declares less than its dependency graph needs (the rules are
# in .ci/msrv.py).
#
# Prints, per member, the declared and the needed version and the dependency that needs it.
# Exit status 1 if any member declares less than it needs. `.ci/run` runs it as the "msrv" step.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --locked --all-features --format-version 1 | python3 .ci/msrv.py
