#!/usr/bin/env bash
# The main job: sets up what is missing, then runs `depin demo` (the whole
# story on an in-process cluster). Extra arguments go to `depin demo`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
cargo run --locked --quiet -p depin-cli --bin depin -- demo "$@"
