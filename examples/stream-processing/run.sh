#!/usr/bin/env bash
# Stream processing end to end on its own server: orders in, an enricher SIGKILLed several times mid-stream,
# and a check that the output has every input exactly once, in order per key; exits non-zero when it does not.
set -euo pipefail
cd "$(dirname "$0")"
exec ../run-with-ferry.sh stream sh -c 'python3 examples/stream-processing/pipeline.py "$FERRY_URL"'
