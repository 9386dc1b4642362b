#!/usr/bin/env bash
# Installs solana-test-validator (agave-validator, pinned) for the
# end-to-end tests, built from crates.io once per machine and cached outside
# the clone: ${XDG_CACHE_HOME:-~/.cache}/depin/bin/solana-test-validator.
# Idempotent: prints the binary's path and does nothing else when it is
# already there. The build takes about 30 minutes on 2 cores (rocksdb's C++);
# an interrupted build resumes from its build directory.
#
#   scripts/install-validator.sh          install if missing, print the path
#   DEPIN_VALIDATOR=/path/to/binary ...   use that binary instead (checked)
set -euo pipefail
AGAVE_VERSION=4.2.2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/depin"
PREFIX="$CACHE/agave-$AGAVE_VERSION"
BIN="$CACHE/bin/solana-test-validator"

log() { echo "install-validator: $*" >&2; }

version_ok() {
  "$1" --version 2>/dev/null | grep -q "$AGAVE_VERSION"
}

if [ -n "${DEPIN_VALIDATOR:-}" ]; then
  version_ok "$DEPIN_VALIDATOR" || { log "$DEPIN_VALIDATOR is not solana-test-validator $AGAVE_VERSION"; exit 1; }
  echo "$DEPIN_VALIDATOR"
  exit 0
fi
if [ -x "$BIN" ] && version_ok "$BIN"; then
  echo "$BIN"
  exit 0
fi

# System packages the build needs (rocksdb, protobuf, udev headers).
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
[ -e /usr/include/libudev.h ] || missing+=(libudev-dev)
# bindgen (rocksdb) loads libclang.so itself: the runtime's libclang.so.1 is not enough.
ls /usr/lib/llvm-*/lib/libclang.so /usr/lib/llvm-*/lib/libclang-*.so >/dev/null 2>&1 || missing+=(libclang-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "please install: ${missing[*]}"
    exit 1
  fi
fi

log "building solana-test-validator $AGAVE_VERSION (about 30 minutes on 2 cores, once per machine)"
started=$(date +%s)
cargo "+$TOOLCHAIN" install "agave-validator@$AGAVE_VERSION" --locked \
  --bin solana-test-validator --root "$PREFIX" \
  --target-dir "$CACHE/agave-build" >&2
mkdir -p "$CACHE/bin"
ln -sf "$PREFIX/bin/solana-test-validator" "$BIN"
version_ok "$BIN" || { log "the built binary does not report version $AGAVE_VERSION"; exit 1; }
# The build directory is several GB; the binary is all the tests need.
rm -rf "$CACHE/agave-build"
log "built in $(( ($(date +%s) - started) / 60 )) min: $BIN"
echo "$BIN"
