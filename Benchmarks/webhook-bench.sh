#!/usr/bin/env bash
# Webhook delivery benchmark (issue 5), not a test: a release `ferry serve` pushes to ferry-bench-webhook-receiver
# (FerryHTTP on 127.0.0.1, 204 at once) on the same machine.
#   1. deliveries/s with batch_size 1: MESSAGES_1 messages are produced first (PARTITIONS partitions), then a
#      subscription with start=earliest delivers them; the receiver times first→last delivery.
#   2. messages/s with batch_size 100: the same with MESSAGES_100 messages.
#   3. produce→webhook latency: a subscription (batch_size 1, start=latest) while curl produces LATENCY_MESSAGES
#      single-message requests at LATENCY_RATE; the receiver reports p50/p99 from each message's `timestamp`.
# Figures depend on the machine (2 shared cores here) and on what else runs: the load average is printed.
#
#   Benchmarks/webhook-bench.sh
#   PARTITIONS=8 MESSAGES_1=100000 MESSAGES_100=2000000 LATENCY_RATE=2000/s Benchmarks/webhook-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PARTITIONS=${PARTITIONS:-8}
MESSAGES_1=${MESSAGES_1:-50000}
MESSAGES_100=${MESSAGES_100:-1000000}
LATENCY_MESSAGES=${LATENCY_MESSAGES:-5000}
LATENCY_RATE=${LATENCY_RATE:-1000/s}
FSYNC=${FSYNC:-interval}

[ -n "${FERRY_BIN:-}" ] || swift build -c release --product ferry >/dev/null
swift build -c release --product ferry-bench-webhook-receiver >/dev/null
BIN=$(swift build -c release --show-bin-path)
FERRY_BIN=${FERRY_BIN:-$BIN/ferry}  # the server under test (FERRY_BIN=/path/to/ferry compares builds)

WORK=$(mktemp -d /tmp/ferry-webhook-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# cpu_seconds PID: user+system CPU time of a process so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }

"$FERRY_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$WORK/data" --fsync "$FSYNC" --log-level info \
    >"$WORK/server.log" 2>&1 &
FERRY_PID=$!
PIDS+=("$FERRY_PID")
PORT=""
for _ in $(seq 1 100); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "ferry serve did not start"; cat "$WORK/server.log"; exit 1; }
API="http://127.0.0.1:$PORT/v1"
echo "ferry serve on 127.0.0.1:$PORT (fsync $FSYNC), $PARTITIONS partitions; load: $(cut -d' ' -f1-3 /proc/loadavg)"

json() { curl -sS --fail-with-body -H 'Content-Type: application/json' "$@"; echo; }

# start_receiver NAME EXPECT: starts a receiver; sets RECEIVER_PID and RECEIVER_URL.
start_receiver() {
    "$BIN/ferry-bench-webhook-receiver" --expect "$2" --timeout-s 300 >"$WORK/$1.out" 2>&1 &
    RECEIVER_PID=$!
    PIDS+=("$RECEIVER_PID")
    local port=""
    for _ in $(seq 1 100); do
        port=$(grep -o '^listening [0-9]*' "$WORK/$1.out" 2>/dev/null | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "receiver did not start"; cat "$WORK/$1.out"; exit 1; }
    RECEIVER_URL="http://127.0.0.1:$port/hook"
}

# fill TOPIC COUNT: creates TOPIC and produces COUNT small JSON messages spread evenly over its partitions.
fill() {
    json -X POST "$API/topics" -d "{\"name\":\"$1\",\"partitions\":$PARTITIONS}" >/dev/null
    local per=$(($2 / PARTITIONS))
    for p in $(seq 0 $((PARTITIONS - 1))); do
        rm -f "$WORK"/fill.*
        awk -v n="$per" -v p="$p" 'BEGIN { for (i = 0; i < n; i++) printf "{\"order\":%d,\"partition\":%d,\"total\":9.5}\n", i, p }' \
            | split -l 10000 - "$WORK/fill."  # at most 10 000 records per request
        for chunk in "$WORK"/fill.*; do
            curl -sS --fail-with-body -o /dev/null -H 'Content-Type: application/x-ndjson' \
                --data-binary @"$chunk" "$API/topics/$1/messages?partition=$p"
        done
    done
}

# throughput NAME BATCH COUNT
throughput() {
    local topic="bench-$1" count=$(($3 / PARTITIONS * PARTITIONS))
    fill "$topic" "$count"
    start_receiver "$1" "$count"
    local ferry_cpu ferry_cpu_after
    ferry_cpu=$(cpu_seconds "$FERRY_PID")
    json -X POST "$API/topics/$topic/subscriptions" \
        -d "{\"name\":\"$1\",\"url\":\"$RECEIVER_URL\",\"batch_size\":$2,\"start\":\"earliest\",\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}" >/dev/null
    wait "$RECEIVER_PID" || true
    ferry_cpu_after=$(cpu_seconds "$FERRY_PID")
    echo "batch_size $2: $(tail -1 "$WORK/$1.out") | ferry CPU $(awk -v a="$ferry_cpu_after" -v b="$ferry_cpu" "BEGIN { printf \"%.1f\", a - b }") s | load $(cut -d' ' -f1-3 /proc/loadavg)"
    json -X DELETE "$API/topics/$topic/subscriptions/$1" >/dev/null
}

throughput batch1 1 "$MESSAGES_1"
throughput batch100 100 "$MESSAGES_100"

# Latency: deliveries as messages arrive, one message per produce request at a steady rate.
json -X POST "$API/topics" -d "{\"name\":\"bench-latency\",\"partitions\":$PARTITIONS}" >/dev/null
start_receiver latency "$LATENCY_MESSAGES"
json -X POST "$API/topics/bench-latency/subscriptions" \
    -d "{\"name\":\"latency\",\"url\":\"$RECEIVER_URL\",\"batch_size\":1,\"start\":\"latest\"}" >/dev/null
for i in $(seq 0 $((LATENCY_MESSAGES - 1))); do
    echo "url = \"$API/topics/bench-latency/messages?partition=$((i % PARTITIONS))\""
    echo 'output = "/dev/null"'
done >"$WORK/latency.curl"
curl -sS --rate "$LATENCY_RATE" -X POST -H 'Content-Type: application/x-ndjson' \
    --data-binary '{"probe":true}' -K "$WORK/latency.curl"
wait "$RECEIVER_PID" || true
echo "latency at $LATENCY_RATE: $(tail -1 "$WORK/latency.out") | load $(cut -d' ' -f1-3 /proc/loadavg)"
