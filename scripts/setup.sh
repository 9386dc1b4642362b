#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: the pinned stable toolchain (from
# rust-toolchain.toml) and the few system packages the build needs.
# Sourced by demo.sh and test.sh; safe to run on its own.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v rustup >/dev/null 2>&1; then
  echo "setup: rustup is required (https://rustup.rs); it is not installed" >&2
  exit 1
fi
rustup set auto-self-update disable >/dev/null 2>&1 || true
TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")
if ! rustup run "$TOOLCHAIN" cargo clippy --version >/dev/null 2>&1 \
   || ! rustup run "$TOOLCHAIN" rustfmt --version >/dev/null 2>&1; then
  echo "setup: installing Rust $TOOLCHAIN (+clippy, rustfmt)" >&2
  rustup toolchain install "$TOOLCHAIN" --profile minimal -c clippy -c rustfmt --no-self-update
fi

missing=()
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
# The README's walkthrough (run by the tests) reads JSON output with jq.
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "setup: please install: ${missing[*]}" >&2
    exit 1
  fi
fi

# One build directory shared by every clone on this machine keeps rebuilds
# short (a clean build of Anchor + solana-program-test takes minutes).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/depin/target}"
