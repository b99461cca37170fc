#!/usr/bin/env bash
# Kafka protocol vs HTTP throughput, one run (issue 15): librdkafka clients (kcat, confluent-kafka) producing
# and consuming 100-byte messages through `ferry serve --kafka-port`, then the HTTP batch produce and fetch
# figures of Benchmarks/api-bench.sh (measurements 2 and 3) with the same binary. Targets: Kafka produce and
# consume each at least HTTP's (> 1 M msg/s of 100 B on 2 cores).
#
#   Benchmarks/kafka-protocol-bench.sh                 # 2 000 000 messages; DURATION=10s for the HTTP part
#   MESSAGES=500000 DURATION=5s FERRY_BIN=/path/to/ferry Benchmarks/kafka-protocol-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v kcat >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat; }
[ -x .venv/bin/python ] || scripts/setup
if [ -z "${FERRY_BIN:-}" ]; then
    swift build -c release --product ferry >/dev/null
    FERRY_BIN=$(swift build -c release --show-bin-path)/ferry
fi

echo "== Kafka protocol (${MESSAGES:-2000000} messages of 100 B, one partition)"
.venv/bin/python Benchmarks/kafka-protocol/bench.py "$FERRY_BIN" "${MESSAGES:-2000000}"
echo "== HTTP, same binary"
FERRY_BIN="$FERRY_BIN" ONLY="2 3" DURATION="${DURATION:-10s}" Benchmarks/api-bench.sh
