#!/usr/bin/env bash
# Stream processing end to end: starts its own `ferry serve` (free port, temp dir), then pipeline.py: orders in,
# an enricher killed with SIGKILL several times mid-stream, and a check that the output has every input
# exactly once, in order per key. Exits non-zero when it does not.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -x "${FERRY_BIN:-.build/release/ferry}" ] || swift build -c release --product ferry
work="$(mktemp -d /tmp/ferry-example-stream.XXXXXX)"
. scripts/lib-ferry.sh
cleanup() {
  stop_ferry
  rm -rf "$work"
}
trap cleanup EXIT
start_ferry "$work"
timeout 300 python3 examples/stream-processing/pipeline.py "$FERRY_URL" || {
  echo "stream-processing: failed; the server's log:" >&2
  tail -30 "$work/server.log" >&2
  exit 1
}
