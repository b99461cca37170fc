#!/usr/bin/env bash
# Soak: a mixed workload for MINUTES minutes (default 20) against a release server; see Benchmarks/soak.py.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ferry >/dev/null
FERRY_BIN="${FERRY_BIN:-$(swift build -c release --show-bin-path)/ferry}" exec python3 Benchmarks/soak.py
