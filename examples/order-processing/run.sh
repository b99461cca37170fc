#!/usr/bin/env bash
# Order processing end to end: starts its own `ferry serve` (free port, temp dir), generates the typed Python
# client from openapi.yaml, runs orders.py (8 workers on one queue, random SIGKILLs, poison orders) and exits
# non-zero unless every good order was fulfilled exactly once and every poison order was dead-lettered.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ -x "${FERRY_BIN:-.build/release/ferry}" ] || swift build -c release --product ferry
work="$(mktemp -d /tmp/ferry-example-orders.XXXXXX)"
. scripts/lib-ferry.sh
cleanup() {
  stop_ferry
  rm -rf "$work"
}
trap cleanup EXIT
scripts/generate-python-client "$work"
start_ferry "$work"
timeout 150 .venv/bin/python examples/order-processing/orders.py "$work" "$FERRY_URL" || {
  echo "order-processing: failed; the server's log:" >&2
  tail -30 "$work/server.log" >&2
  exit 1
}
