#!/usr/bin/env bash
# What scraping /metrics costs produce throughput (issue 7). Not a test: figures depend on the machine.
#
#   Benchmarks/metrics-cost.sh                         # 4 rounds × (no scraper, scraper every 1 s), 10 s each
#   DURATION=5s ROUNDS=2 Benchmarks/metrics-cost.sh
#   SCRAPE_INTERVAL=0.1 Benchmarks/metrics-cost.sh     # a much more aggressive scraper
#   FERRY_BIN=/path/to/ferry Benchmarks/metrics-cost.sh
#   BASELINE_BIN=/path/to/older/ferry Benchmarks/metrics-cost.sh   # also run that binary (no scraper)
#
# Workload: single-message produce (100-byte raw body, Benchmarks/api-bench/produce-one.lua) with wrk -t2 -c64
# against a release `ferry serve --fsync interval` on 127.0.0.1. To give the scrape real work, the server
# also holds TOPICS topics of PARTITIONS partitions (each with a message), a consumer group and a queue.
# Runs alternate (quiet, scraped, scraped, quiet, …) so that drift in the machine's load and the order of
# runs hit both alike.
# Printed per run: req/s, p99, server CPU µs per request, and for scraped runs the scrape's size and time.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-4}
SCRAPE_INTERVAL=${SCRAPE_INTERVAL:-1}
TOPICS=${TOPICS:-50}
PARTITIONS=${PARTITIONS:-4}
HERE=Benchmarks/api-bench

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk curl python3)" >&2; exit 1; }
done
if [ -z "${FERRY_BIN:-}" ]; then
    echo "building ferry (release)..."
    swift build -c release --product ferry >/dev/null
    FERRY_BIN=$(swift build -c release --show-bin-path)/ferry
fi

WORK=$(mktemp -d /tmp/ferry-metrics-cost.XXXXXX)
FERRY_PID=""
SCRAPER_PID=""
stop_scraper() {
    if [ -n "$SCRAPER_PID" ]; then
        kill "$SCRAPER_PID" 2>/dev/null || true
        wait "$SCRAPER_PID" 2>/dev/null || true
        SCRAPER_PID=""
    fi
}
stop_ferry() {
    if [ -n "$FERRY_PID" ]; then
        kill "$FERRY_PID" 2>/dev/null || true
        wait "$FERRY_PID" 2>/dev/null || true
        FERRY_PID=""
    fi
}
cleanup() {
    stop_scraper
    stop_ferry
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_ferry() {  # start_ferry BINARY
    stop_ferry
    rm -rf "$WORK/data"
    PORT=$(free_port)
    "$1" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" --fsync interval >"$WORK/ferry.log" 2>&1 &
    FERRY_PID=$!
    for _ in $(seq 200); do
        curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && break
        sleep 0.05
    done
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" || { cat "$WORK/ferry.log" >&2; exit 1; }
    local base="http://127.0.0.1:$PORT"
    for i in $(seq "$TOPICS"); do
        curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
            -d "{\"name\":\"t$i\",\"partitions\":$PARTITIONS}" "$base/v1/topics"
        curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"records":[{"value":1}]}' \
            "$base/v1/topics/t$i/messages"
    done
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"name":"bench","partitions":1}' "$base/v1/topics"
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d '{"topics":["t1","t2","bench"],"auto_offset_reset":"earliest","session_timeout_ms":300000}' "$base/v1/groups/g/members"
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"name":"q","start":"earliest"}' \
        "$base/v1/topics/t1/queues"
}

TICK_MS=$((1000 / $(getconf CLK_TCK)))
cpu_ms() { echo $(( $(sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}') * TICK_MS )); }
seconds() { python3 -c "import re,sys; m=re.fullmatch(r'([\d.]+)(ms|s|m)?', sys.argv[1]); print(float(m.group(1))*{'ms':0.001,'s':1,'m':60,None:1}[m.group(2)])" "$1"; }
SECS=$(seconds "$DURATION")

# run LABEL SCRAPE(0|1) → appends "LABEL rps p99_ms cpu_us_per_req scrapes avg_scrape_ms scrape_bytes" to results
run() {
    local label=$1 scrape=$2 url="http://127.0.0.1:$PORT/v1/topics/bench/messages"
    wrk -t2 -c64 -d2s -s "$HERE/produce-one.lua" "$url" >/dev/null  # warm-up
    : >"$WORK/scrapes"
    if [ "$scrape" = 1 ]; then
        (
            n=$(python3 -c "import sys; print(int(float(sys.argv[1]) / float(sys.argv[2])) + 2)" "$SECS" "$SCRAPE_INTERVAL")
            for _ in $(seq "$n"); do
                curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$PORT/metrics" >>"$WORK/scrapes"
                sleep "$SCRAPE_INTERVAL"
            done
        ) &
        SCRAPER_PID=$!
    fi
    local before after
    before=$(cpu_ms "$FERRY_PID")
    wrk --latency -t2 -c64 -d"$DURATION" -s "$HERE/produce-one.lua" "$url" >"$WORK/wrk.out"
    after=$(cpu_ms "$FERRY_PID")
    stop_scraper
    python3 - "$WORK/wrk.out" "$WORK/scrapes" "$label" "$before" "$after" "$SECS" >>"$WORK/results" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
label, before, after, secs = sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)] if m else float("nan")
cpu = (after - before) * 1000 / max(1.0, rps * secs)
scrapes = [l.split() for l in open(sys.argv[2]) if l.strip()]
n = len(scrapes)
avg_ms = sum(float(s[0]) for s in scrapes) * 1000 / n if n else 0
size = int(scrapes[-1][1]) if n else 0
print(f"{label} {rps:.0f} {p99:.2f} {cpu:.1f} {n} {avg_ms:.1f} {size}")
PY
    tail -1 "$WORK/results"
}

: >"$WORK/results"
echo "load before: $(uptime)"
if [ -n "${BASELINE_BIN:-}" ]; then
    start_ferry "$BASELINE_BIN"
    for r in $(seq "$ROUNDS"); do run baseline 0; done
fi
start_ferry "$FERRY_BIN"
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        run quiet 0
        run scraped 1
    else
        run scraped 1
        run quiet 0
    fi
done
# The scrape's own price, independent of the rates' noise: server CPU per scrape over back-to-back scrapes.
before=$(cpu_ms "$FERRY_PID")
start_ns=$(date +%s%N)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics"; done
end_ns=$(date +%s%N)
after=$(cpu_ms "$FERRY_PID")
SCRAPE_COST="one scrape (${TOPICS}×${PARTITIONS} partitions): $(( (after - before) / 50 )) ms server CPU, $(( (end_ns - start_ns) / 50000000 )) ms wall (mean of 50)"
stop_ferry
echo "load after: $(uptime)"
echo "$SCRAPE_COST"
python3 - "$WORK/results" "$SCRAPE_INTERVAL" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows: by.setdefault(r[0], []).append(r)
print(f"\nsingle-message produce, wrk -t2 -c64; scraper every {sys.argv[2]} s (medians over rounds)")
print(f"{'run':10} {'req/s':>9} {'p99 ms':>8} {'CPU us/req':>10} {'scrapes':>8} {'scrape ms':>9} {'scrape B':>9}")
for label in ("baseline", "quiet", "scraped"):
    if label not in by: continue
    g = by[label]
    med = lambda i: statistics.median(float(r[i]) for r in g)
    print(f"{label:10} {med(1):9.0f} {med(2):8.2f} {med(3):10.1f} {med(4):8.0f} {med(5):9.1f} {med(6):9.0f}")
if "quiet" in by and "scraped" in by:
    q = statistics.median(float(r[1]) for r in by["quiet"])
    s = statistics.median(float(r[1]) for r in by["scraped"])
    print(f"scraped/quiet throughput: {s / q:.3f}")
PY
