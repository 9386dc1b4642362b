#!/usr/bin/env bash
# Installs what scripts/build-sbf needs (idempotent): the pinned nightly with
# rust-src and sbpf-linker. Platform-tools cannot be downloaded here, so this is
# the path to real SBF ELFs; where platform-tools exist, `cargo build-sbf` works too.
set -euo pipefail
NIGHTLY=nightly-2026-10-30
SBPF_LINKER_VERSION=0.2.6

rustup set auto-self-update disable >/dev/null 2>&1 || true
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
   || [ ! -d "$(rustup run "$NIGHTLY" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  echo "install-sbf-tools: installing $NIGHTLY (+rust-src)" >&2
  rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src --no-self-update
fi
# Capture first: `sbpf-linker --version | grep -q` under pipefail fails about 1
# time in 4 (grep exits early, sbpf-linker dies on EPIPE) and reinstalls.
linker_version=$(sbpf-linker --version 2>/dev/null || true)
if ! command -v sbpf-linker >/dev/null 2>&1 \
   || [[ "$linker_version" != *"sbpf-linker $SBPF_LINKER_VERSION"* ]]; then
  echo "install-sbf-tools: installing sbpf-linker $SBPF_LINKER_VERSION" >&2
  cargo +1.95.0 install "sbpf-linker@$SBPF_LINKER_VERSION" --locked
fi
