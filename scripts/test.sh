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

# From nothing, the validator's build (about 30 minutes on 2 cores) is the
# long pole: start it now, in its own process group, beside the builds and
# tests below; wait for it only where a validator is needed. Stopped with
# the script, on failure too.
validator_job=""
VALIDATOR_LOG="$ROOT/target/install-validator.log"
if [ "${1:-}" != "--native" ]; then
  mkdir -p "$ROOT/target"
  setsid "$ROOT/scripts/install-validator.sh" >"$VALIDATOR_LOG" 2>&1 &
  validator_job=$!
  trap 'if [ -n "$validator_job" ]; then kill -- "-$validator_job" 2>/dev/null || true; fi' EXIT
fi

# The test executables `cargo test ARGS --no-run` builds (to run them side
# by side: a running `cargo test` holds the build directory's lock), each as
# `<its crate's directory>:<executable>` (a test runs in its crate's
# directory, as under `cargo test`).
test_binaries() {
  cargo test --locked "$@" --no-run --message-format=json \
    | jq -r 'select(.reason == "compiler-artifact" and .profile.test and .executable != null)
             | (.manifest_path | sub("/Cargo.toml$"; "")) + ":" + .executable'
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "tests, programs native"
# The validator suites run once, after the SBF build (below).
DEPIN_SKIP_VALIDATOR_TESTS=1 cargo test --locked --workspace

if [ "${1:-}" != "--native" ]; then
  step "SBF build (scripts/build-sbf)"
  "$ROOT/scripts/build-sbf"

  step "integration tests, programs in the real SBF VM"
  DEPIN_PROGRAM_MODE=sbf SBF_OUT_DIR="$ROOT/target/deploy" cargo test --locked -p depin-tests

  step "deploys through the upgradeable loader, in the real SBF VM"
  DEPIN_PROGRAM_MODE=sbf SBF_OUT_DIR="$ROOT/target/deploy" cargo test --locked -p depin-client --test deploy

  step "compute units"
  cat "$ROOT/target/cu-report.md"

  step "solana-test-validator (scripts/install-validator.sh, started at the beginning)"
  if ! wait "$validator_job"; then
    validator_job=""
    cat "$VALIDATOR_LOG"
    echo "test.sh: building solana-test-validator failed" >&2
    exit 1
  fi
  validator_job=""
  cat "$VALIDATOR_LOG"
  DEPIN_VALIDATOR=$("$ROOT/scripts/install-validator.sh")
  export DEPIN_VALIDATOR

  # Four suites side by side, each test on its own validator and ports:
  # RpcCluster's tests; the end-to-end tests (deploy, init, the used-by
  # flow, faults); every CLI command through the binary, then the README's
  # walkthrough verbatim; the crank binary through kills and RPC faults,
  # then the pay commands.
  step "on local validators: RpcCluster, end-to-end, every CLI command, the README walkthrough, the crank"
  rpc_tests=$(test_binaries -p depin-client --test rpc)
  e2e_tests=$(test_binaries -p depin-cli --test e2e)
  cli_tests=$(test_binaries -p depin-cli --test cli_network --test cli_token --test cli_device \
    --test cli_stake --test cli_frac --test walkthrough)
  # cli_pay runs after the crank's e2e: the shortest group takes it.
  crank_tests="$(test_binaries -p depin-crank --test e2e) $(test_binaries -p depin-cli --test cli_pay)"
  logs=$(mktemp -d)
  run_suite() {
    local name=$1
    shift
    local status=0
    for entry in "$@"; do
      local dir=${entry%%:*} binary=${entry#*:}
      echo "-- $(basename "$binary")"
      (cd "$dir" && DEPIN_REQUIRE_VALIDATOR=1 "$binary" --include-ignored \
        --test-threads=1 --show-output) || status=1
    done >"$logs/$name.log" 2>&1
    echo "$status" >"$logs/$name.status"
  }
  started=$(date +%s)
  run_suite client-rpc $rpc_tests &
  run_suite cli-e2e $e2e_tests &
  run_suite cli-commands $cli_tests &
  run_suite crank-e2e $crank_tests &
  wait
  failed=0
  for suite in client-rpc cli-e2e cli-commands crank-e2e; do
    step "$suite"
    cat "$logs/$suite.log"
    [ "$(cat "$logs/$suite.status")" = 0 ] || { echo "test.sh: $suite failed" >&2; failed=1; }
  done
  echo "validator suites: $(( $(date +%s) - started )) s"
  [ "$failed" = 0 ] || exit 1
fi
