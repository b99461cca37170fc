#!/usr/bin/env bash
# Queue benchmark (issue 6): receive+ack throughput with 16 concurrent workers and batches of 10, next to the
# consumer-group fetch+commit rate measured the same way, against a release `ferry serve` on 127.0.0.1.
# Not a test: the figures depend on the machine (2 shared cores here) and on what else runs on it.
#
#   Benchmarks/queue-bench.sh                          # 200 000 messages, 16 workers, batch 10, 16 partitions
#   MESSAGES=500000 WORKERS=16 BATCH=10 FSYNC=always Benchmarks/queue-bench.sh
#
# The server binds 127.0.0.1 on a free port; the server and its temp data dir are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

MESSAGES=${MESSAGES:-200000}
WORKERS=${WORKERS:-16}
BATCH=${BATCH:-10}
PARTITIONS=${PARTITIONS:-16}
FSYNC=${FSYNC:-interval}

[ -n "${FERRY_BIN:-}" ] || swift build -c release --product ferry >/dev/null
swift build -c release --product ferry-bench-queue >/dev/null
BIN=$(swift build -c release --show-bin-path)
FERRY_BIN=${FERRY_BIN:-$BIN/ferry}  # the server under test (FERRY_BIN=/path/to/ferry compares builds)

WORK=$(mktemp -d /tmp/ferry-queue-bench.XXXXXX)
FERRY_PID=""
cleanup() {
    if [ -n "$FERRY_PID" ]; then kill "$FERRY_PID" 2>/dev/null || true; wait "$FERRY_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$FERRY_BIN" serve --host 127.0.0.1 --port 0 --data-dir "$WORK/data" --fsync "$FSYNC" --log-level info \
    >"$WORK/server.log" 2>&1 &
FERRY_PID=$!
PORT=""
for _ in $(seq 1 100); do
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/server.log" 2>/dev/null | grep -o '[0-9]*$' || true)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { echo "ferry serve did not start"; cat "$WORK/server.log"; exit 1; }
echo "ferry serve on 127.0.0.1:$PORT (fsync $FSYNC)"
"$BIN/ferry-bench-queue" --server "http://127.0.0.1:$PORT" --messages "$MESSAGES" --workers "$WORKERS" \
    --batch "$BATCH" --partitions "$PARTITIONS"
