#!/usr/bin/env bash
# Log aggregation end to end on its own server: three hosts' logs followed by `ferry produce --follow` (one
# rotated, one shipper SIGKILLed and restarted) into `logs`, read by two consumer groups; exits non-zero unless
# every line is stored once and both readers saw the right thing.
set -euo pipefail
cd "$(dirname "$0")"
exec ../run-with-ferry.sh logs sh -c 'python3 examples/logs/ship.py "$FERRY_URL" "$FERRY_BIN" "$EXAMPLE_WORK"'
