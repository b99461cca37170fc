#!/usr/bin/env bash
# Order processing end to end on its own server: generates the typed Python client from openapi.yaml, runs
# orders.py (8 workers on one queue, random SIGKILLs, poison orders) and exits non-zero unless every good order
# was fulfilled exactly once and every poison order was dead-lettered.
set -euo pipefail
cd "$(dirname "$0")"
exec ../run-with-ferry.sh orders sh -c \
  'scripts/generate-python-client "$EXAMPLE_WORK" && .venv/bin/python examples/order-processing/orders.py "$EXAMPLE_WORK" "$FERRY_URL"'
