#!/usr/bin/env bash
# Ferry's gateway overhead on Kafka (issue 13): produce and fetch through `ferry serve --storage kafka` against
# librdkafka's in-process mock cluster (3 brokers), next to a native librdkafka producer and consumer against
# the same kind of mock, in the same run. Not a test: figures depend on the machine (2 shared cores here).
#
#   Benchmarks/kafka-gateway-bench.sh                 # 10 s per wrk measurement
#   DURATION=5s RECORDS=200000 PREFILL=20000 Benchmarks/kafka-gateway-bench.sh
#
# Native:  ferry-bench-kafka RECORDS records of 100 bytes over 3 partitions (idempotent, acks=all), then one
#          assigning consumer reads them all back 10 000 at a time.
# Ferry:   wrk -t2 -c8 batch produce (1 000 JSON records of 100 bytes per request, Benchmarks/api-bench/
#          produce-batch.lua) to a 3-partition topic; then wrk -t2 -c4 fetch of limit=10000 from a partition
#          pre-filled with PREFILL records (Benchmarks/api-bench/fetch.lua).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
RECORDS=${RECORDS:-200000}   # native produce
PREFILL=${PREFILL:-20000}    # the fetched partition (the mock keeps only a few MB per partition)
PORT=${PORT:-18094}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
swift build -c release --product ferry >/dev/null
swift build -c release --product ferry-bench-kafka >/dev/null
bin=$(swift build -c release --show-bin-path)

echo "== native librdkafka against the mock cluster"
"$bin/ferry-bench-kafka" "$RECORDS" 100 3

log=$(mktemp)
"$bin/ferry" serve --port "$PORT" --storage kafka --kafka-mock-brokers 3 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
base="http://127.0.0.1:$PORT"
curl -fsS -X POST "$base/v1/topics" -H 'Content-Type: application/json' -d '{"name":"bench","partitions":3}' >/dev/null
curl -fsS -X POST "$base/v1/topics" -H 'Content-Type: application/json' -d '{"name":"bench-fetch"}' >/dev/null

# Requests/s, or fails when wrk saw errors or non-2xx answers.
rps() {
  local out
  out=$(cat)
  if echo "$out" | grep -qE "Non-2xx|Socket errors"; then echo "$out" >&2; echo "kafka-gateway-bench: errors" >&2; exit 1; fi
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
echo "== Ferry batch produce (1000 records/request, wrk -t2 -c8, $DURATION)"
produce=$(wrk -t2 -c8 -d"$DURATION" -s Benchmarks/api-bench/produce-batch.lua "$base/v1/topics/bench/messages" | rps)
echo "requests/s=$produce records/s=$(python3 -c "print(int($produce * 1000))")"

echo "== prefilling bench-fetch with $PREFILL records"
python3 - "$base" "$PREFILL" <<'PY'
import sys, urllib.request
base, total = sys.argv[1], int(sys.argv[2])
body = ('{"records":[' + ",".join(['{"value":"' + "v" * 98 + '"}'] * 1000) + ']}').encode()
for _ in range(total // 1000):
    request = urllib.request.Request(base + "/v1/topics/bench-fetch/messages", data=body,
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
PY
echo "== Ferry fetch (limit=10000, wrk -t2 -c4, $DURATION)"
fetch=$(wrk -t2 -c4 -d"$DURATION" -s Benchmarks/api-bench/fetch.lua "$base" -- bench-fetch "$PREFILL" 10000 | rps)
echo "requests/s=$fetch records/s=$(python3 -c "print(int($fetch * 10000))")"
