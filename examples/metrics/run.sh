#!/usr/bin/env bash
# Metrics end to end on its own server: 5 services post points, an aggregator folds them into per-minute
# min/max/avg in metrics.1m, and the check compares them with the exact answer; exits non-zero when they differ.
set -euo pipefail
cd "$(dirname "$0")"
exec ../run-with-ferry.sh metrics sh -c 'python3 examples/metrics/check.py "$FERRY_URL"'
