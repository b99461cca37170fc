#!/usr/bin/env bash
# Metrics end to end: starts its own `ferry serve` (free port, temp dir), then check.py: 5 services post points,
# an aggregator folds them into per-minute min/max/avg in metrics.1m, and the check compares them with the
# exact answer. Exits non-zero when they differ.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -x "${FERRY_BIN:-.build/release/ferry}" ] || swift build -c release --product ferry
work="$(mktemp -d /tmp/ferry-example-metrics.XXXXXX)"
. scripts/lib-ferry.sh
cleanup() {
  stop_ferry
  rm -rf "$work"
}
trap cleanup EXIT
start_ferry "$work"
timeout 300 python3 examples/metrics/check.py "$FERRY_URL" || {
  echo "metrics: failed; the server's log:" >&2
  tail -30 "$work/server.log" >&2
  exit 1
}
