#!/usr/bin/env bash
# The test job (what CI runs): formatting, lints, every test natively, then
# the real SBF builds and the same integration tests in the real VM, which
# also writes the compute-unit report to target/cu-report.md, then the
# end-to-end tests on a real solana-test-validator (deployed through the
# `depin` binary, the used-by flow over JSON-RPC, a faulty endpoint).
#   scripts/test.sh            everything
#   scripts/test.sh --native   skip the SBF build, the real VM and the validator
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

  step "deploys through the upgradeable loader, in the real SBF VM"
  DEPIN_PROGRAM_MODE=sbf SBF_OUT_DIR="$ROOT/target/deploy" cargo test --locked -p depin-client --test deploy

  step "compute units"
  cat "$ROOT/target/cu-report.md"

  step "solana-test-validator (scripts/install-validator.sh: built once per machine)"
  DEPIN_VALIDATOR=$("$ROOT/scripts/install-validator.sh")
  export DEPIN_VALIDATOR

  step "RpcCluster on a local validator"
  DEPIN_REQUIRE_VALIDATOR=1 cargo test --locked -p depin-client --test rpc

  step "end-to-end tests on a local validator (deploy, init, the used-by flow, faults)"
  cargo test --locked -p depin-cli --test e2e -- --ignored --test-threads=1 --show-output

  step "every CLI command through the binary on a local validator"
  for group in cli_network cli_token cli_device cli_stake cli_frac; do
    cargo test --locked -p depin-cli --test "$group" -- --ignored --test-threads=1
  done

  step "the README's walkthrough, verbatim, on a local validator"
  cargo test --locked -p depin-cli --test walkthrough -- --ignored --test-threads=1
fi
