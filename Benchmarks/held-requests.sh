#!/usr/bin/env bash
# Memory under held requests: see Benchmarks/held-requests.py (not a test; prints what it measured).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ferry >/dev/null
ulimit -n "$(ulimit -Hn)"
FERRY_BIN="${FERRY_BIN:-$(swift build -c release --show-bin-path)/ferry}" exec python3 Benchmarks/held-requests.py
