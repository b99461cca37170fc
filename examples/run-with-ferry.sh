#!/usr/bin/env bash
# Runs one example against its own server: starts `ferry serve` (free loopback port, temp dir; FERRY_BIN or the
# release build), exports FERRY_URL and EXAMPLE_WORK, runs the command (bounded: 300 s), prints the server's log
# tail if it fails, and always stops the server and removes the temp dir.
#
#   examples/run-with-ferry.sh NAME COMMAND [ARGS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
name="$1"
shift
[ -x "${FERRY_BIN:-.build/release/ferry}" ] || swift build -c release --product ferry
export FERRY_BIN="${FERRY_BIN:-$root/.build/release/ferry}"
EXAMPLE_WORK="$(mktemp -d "/tmp/ferry-example-$name.XXXXXX")"
export EXAMPLE_WORK
. scripts/lib-ferry.sh
cleanup() {
  stop_ferry
  pkill -f -- "--server ${FERRY_URL:-unset} " 2>/dev/null || true  # shippers an example left running
  rm -rf "$EXAMPLE_WORK"
}
trap cleanup EXIT
start_ferry "$EXAMPLE_WORK"
export FERRY_URL
timeout 300 "$@" || {
  echo "$name: failed; the server's log:" >&2
  tail -30 "$EXAMPLE_WORK/server.log" >&2
  exit 1
}
