#!/usr/bin/env bash
# The test job (what CI runs): formatting, lints, every test natively, then
# the real SBF builds and the same integration tests in the real VM, which
# also writes the compute-unit report to target/cu-report.md.
#   scripts/test.sh            everything
#   scripts/test.sh --native   skip the SBF build and the real-VM pass
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "tests, programs native"
cargo test --locked --workspace

if [ "${1:-}" != "--native" ]; then
  step "SBF build (scripts/build-sbf)"
  "$ROOT/scripts/build-sbf"

  step "integration tests, programs in the real SBF VM"
  DEPIN_PROGRAM_MODE=sbf SBF_OUT_DIR="$ROOT/target/deploy" cargo test --locked -p depin-tests

  step "compute units"
  cat "$ROOT/target/cu-report.md"
fi
