#!/usr/bin/env bash
# Ferry REST API benchmark (issue 4): five measurements against a release `ferry serve` on 127.0.0.1.
# Not a test: the figures depend on the machine (2 shared cores here) and on what else runs on it.
#
#   Benchmarks/api-bench.sh                      # everything, ~10 s per measurement, then a summary table
#   DURATION=5s Benchmarks/api-bench.sh          # shorter runs
#   ONLY="1 3" Benchmarks/api-bench.sh           # a subset of the measurements
#   FERRY_BIN=/path/to/ferry Benchmarks/api-bench.sh   # skip the build, use this binary
#
# (1) single-message produce, 100-byte raw body, wrk -t2 -c64, next to nginx answering 204 to the same POST
#     (2 workers, loopback) in the same run; target ferry/nginx >= 0.6
# (2) batch produce, 1 000 JSON records of 100 bytes per request (wrk -t2 -c8); target >= 1,000,000 msg/s
# (3) fetch throughput from a pre-filled partition (PREFILL messages, limit=10000, wrk -t2 -c4);
#     target >= 1,500,000 msg/s
# (4) produce -> long-poll delivery latency: a consumer long-polls at the end offset, a producer sends one
#     message at a time (client.py, one sample per ~2.5 ms); target p99 <= 5 ms
# (5) --fsync always: single-message produce with 64 connections vs 1; target ratio >= 20
#
# Every server binds 127.0.0.1 on a free port; every process and temp dir is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
ONLY=${ONLY:-"1 2 3 4 5"}
FSYNC=${FSYNC:-interval}               # flush policy for (1)-(4); (5) always uses "always"
PREFILL=${PREFILL:-2000000}            # messages in the fetch partition for (3)
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-8}
FETCH_CONNECTIONS=${FETCH_CONNECTIONS:-4}
HERE=Benchmarks/api-bench

need_install=()
command -v wrk >/dev/null || need_install+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_install+=(nginx-light)
command -v python3 >/dev/null || need_install+=(python3)
command -v curl >/dev/null || need_install+=(curl)
command -v pgrep >/dev/null || need_install+=(procps)
if [ ${#need_install[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if [ -z "${FERRY_BIN:-}" ]; then
    echo "building ferry (release)..."
    swift build -c release --product ferry >/dev/null
    FERRY_BIN=$(swift build -c release --show-bin-path)/ferry
fi

WORK=$(mktemp -d /tmp/ferry-api-bench.XXXXXX)
FERRY_PID=""
NGINX_PID=""
stop_ferry() {
    if [ -n "$FERRY_PID" ]; then
        kill "$FERRY_PID" 2>/dev/null || true
        wait "$FERRY_PID" 2>/dev/null || true
        FERRY_PID=""
    fi
}
stop_nginx() {
    if [ -n "$NGINX_PID" ]; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
        NGINX_PID=""
    fi
}
cleanup() {
    stop_ferry
    stop_nginx
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_ferry FSYNC: a fresh data dir each time.
start_ferry() {
    stop_ferry
    rm -rf "$WORK/data"
    FERRY_PORT=$(free_port)
    "$FERRY_BIN" serve --host 127.0.0.1 --port "$FERRY_PORT" --data-dir "$WORK/data" --fsync "$1" \
        --log-level warning >"$WORK/ferry.log" 2>&1 &
    FERRY_PID=$!
    for _ in $(seq 200); do
        curl -sf -o /dev/null "http://127.0.0.1:$FERRY_PORT/readyz" && return 0
        sleep 0.05
    done
    echo "ferry did not start:" >&2
    cat "$WORK/ferry.log" >&2
    exit 1
}

start_nginx() {
    NGINX_PORT=$(free_port)
    cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    client_body_temp_path $WORK/body;
    proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi;
    scgi_temp_path $WORK/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / { return 204; }
    }
}
CONF
    "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon off;' 2>>"$WORK/nginx-error.log" &
    NGINX_PID=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && return 0
        sleep 0.05
    done
    echo "nginx did not start" >&2
    exit 1
}

create_topic() {  # create_topic NAME PARTITIONS
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d "{\"name\":\"$1\",\"partitions\":$2}" "http://127.0.0.1:$FERRY_PORT/v1/topics"
}

# wrk_run THREADS CONNECTIONS DURATION URL [LUA [ARGS...]] → "req/s bytes/s p50_ms p99_ms errors"
wrk_run() {
    local threads=$1 connections=$2 duration=$3 url=$4
    shift 4
    local args=(--latency -t"$threads" -c"$connections" -d"$duration")
    if [ $# -gt 0 ]; then
        args+=(-s "$1")
        shift
    fi
    wrk "${args[@]}" "$url" "$@" >"$WORK/wrk.out"
    python3 - "$WORK/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
def latency(p):
    m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    return float(m.group(1)) * units[m.group(2)] if m else float("nan")
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?B)", text)
bps = float(m.group(1)) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[m.group(2)] if m else 0
errors = 0
for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
    m = re.search(pattern, text)
    if m: errors += sum(int(g) for g in m.groups())
print(f"{rps:.0f} {bps:.0f} {latency(50):.3f} {latency(99):.3f} {errors}")
PY
}

# proc_cpu_ms PID: CPU time (user + system, ms) used so far by PID and its child processes (nginx workers).
# The machine is shared, so the server's CPU cost per request is printed beside the rates: it varies far
# less with other load than the rates do.
TICK_MS=$((1000 / $(getconf CLK_TCK)))
proc_cpu_ms() {
    local total=0 pid
    for pid in $1 $(pgrep -P "$1"); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
    done
    echo $((total * TICK_MS))
}
# per_request_us CPU_MS_BEFORE CPU_MS_AFTER REQ_PER_S DURATION → server CPU µs per request
per_request_us() {
    python3 -c "import re,sys; b,a,r,d=sys.argv[1:]; m=re.fullmatch(r'([\d.]+)(ms|s|m)?', d); secs=float(m.group(1))*{'ms':0.001,'s':1,'m':60,None:1}[m.group(2)]; print(f'{(float(a)-float(b))*1000/max(1.0,float(r)*secs):.1f}')" "$@"
}

RESULTS="$WORK/results"
: >"$RESULTS"
result() { echo "$*" >>"$RESULTS"; }   # result ID LABEL VALUE UNIT TARGET VERDICT
verdict() { python3 -c "import sys; v,t,op=float(sys.argv[1]),float(sys.argv[2]),sys.argv[3]; print('ok' if (v>=t if op=='>=' else v<=t) else 'MISS')" "$@"; }

echo "ferry: $FERRY_BIN; wrk $DURATION per run; fsync $FSYNC for (1)-(4); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $ONLY " == *" 1 "* || " $ONLY " == *" 2 "* || " $ONLY " == *" 3 "* || " $ONLY " == *" 4 "* ]]; then
    start_ferry "$FSYNC"
fi

if [[ " $ONLY " == *" 1 "* ]]; then
    echo
    echo "(1) single-message produce, 100-byte raw body, wrk -t2 -c64 -d$DURATION"
    start_nginx
    create_topic bench-one 1
    wrk -t2 -c64 -d2s -s "$HERE/produce-one.lua" "http://127.0.0.1:$FERRY_PORT/v1/topics/bench-one/messages" >/dev/null
    wrk -t2 -c64 -d2s -s "$HERE/produce-one.lua" "http://127.0.0.1:$NGINX_PORT/" >/dev/null
    C0=$(proc_cpu_ms "$FERRY_PID")
    read -r F_RPS _ F_P50 F_P99 F_ERR < <(wrk_run 2 64 "$DURATION" "http://127.0.0.1:$FERRY_PORT/v1/topics/bench-one/messages" "$HERE/produce-one.lua")
    F_CPU=$(per_request_us "$C0" "$(proc_cpu_ms "$FERRY_PID")" "$F_RPS" "$DURATION")
    C0=$(proc_cpu_ms "$NGINX_PID")
    read -r N_RPS _ N_P50 N_P99 N_ERR < <(wrk_run 2 64 "$DURATION" "http://127.0.0.1:$NGINX_PORT/" "$HERE/produce-one.lua")
    N_CPU=$(per_request_us "$C0" "$(proc_cpu_ms "$NGINX_PID")" "$N_RPS" "$DURATION")
    stop_nginx
    RATIO=$(python3 -c "print(f'{$F_RPS / $N_RPS:.2f}')")
    printf "    ferry %9d req/s  p50 %7.3f ms  p99 %7.3f ms  errors %s  server CPU %s us/req\n" "$F_RPS" "$F_P50" "$F_P99" "$F_ERR" "$F_CPU"
    printf "    nginx %9d req/s  p50 %7.3f ms  p99 %7.3f ms  errors %s  server CPU %s us/req (204, 2 workers)\n" "$N_RPS" "$N_P50" "$N_P99" "$N_ERR" "$N_CPU"
    echo "    ratio ferry/nginx $RATIO (target >= 0.6)"
    result 1 "produce 1 msg/req, c64 (nginx 204: $N_RPS req/s)" "$F_RPS" "req/s" "ratio $RATIO >= 0.6" "$(verdict "$RATIO" 0.6 '>=')"
fi

if [[ " $ONLY " == *" 2 "* ]]; then
    echo
    echo "(2) batch produce, 1 000 JSON records x 100-byte values per request, wrk -t2 -c$BATCH_CONNECTIONS -d$DURATION"
    create_topic bench-batch 1
    wrk -t2 -c"$BATCH_CONNECTIONS" -d2s -s "$HERE/produce-batch.lua" "http://127.0.0.1:$FERRY_PORT/v1/topics/bench-batch/messages" >/dev/null
    C0=$(proc_cpu_ms "$FERRY_PID")
    read -r B_RPS _ B_P50 B_P99 B_ERR < <(wrk_run 2 "$BATCH_CONNECTIONS" "$DURATION" "http://127.0.0.1:$FERRY_PORT/v1/topics/bench-batch/messages" "$HERE/produce-batch.lua")
    B_CPU=$(per_request_us "$C0" "$(proc_cpu_ms "$FERRY_PID")" "$B_RPS" "$DURATION")
    BODY_BYTES=111013  # len('{"records":[' + 1000 x '{"value":"<98 chars>"}' joined by ',' + ']}')
    read -r B_MSGS B_MBS B_BODY_MBS < <(python3 -c "print(f'{$B_RPS * 1000:.0f} {$B_RPS * 1000 * 100 / 1e6:.1f} {$B_RPS * $BODY_BYTES / 1e6:.1f}')")
    printf "    %d req/s -> %d msg/s, %s MB/s of values (%s MB/s of request bodies)  p50 %.3f ms  p99 %.3f ms  errors %s\n" \
        "$B_RPS" "$B_MSGS" "$B_MBS" "$B_BODY_MBS" "$B_P50" "$B_P99" "$B_ERR"
    echo "    server CPU $B_CPU us per request ($(python3 -c "print(f'{$B_CPU / 1000:.3f}')") us per message); target >= 1,000,000 msg/s"
    result 2 "batch produce 1000x100 B/req, c$BATCH_CONNECTIONS ($B_MBS MB/s)" "$B_MSGS" "msg/s" ">= 1000000" "$(verdict "$B_MSGS" 1000000 '>=')"
    curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$FERRY_PORT/v1/topics/bench-batch" || true
fi

if [[ " $ONLY " == *" 3 "* ]]; then
    echo
    echo "(3) fetch throughput, limit=10000 from a partition pre-filled with $PREFILL messages of 100 bytes, wrk -t2 -c$FETCH_CONNECTIONS -d$DURATION"
    create_topic bench-fetch 1
    T0=$(date +%s.%N)
    python3 "$HERE/client.py" prefill "$FERRY_PORT" bench-fetch "$PREFILL" >/dev/null
    echo "    pre-filled in $(python3 -c "print(f'{$(date +%s.%N) - $T0:.1f}')") s"
    COUNT=$(curl -s "http://127.0.0.1:$FERRY_PORT/v1/topics/bench-fetch/partitions/0/messages?offset=0&limit=10000&max_bytes=67108864" \
        | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["messages"]))')
    [ "$COUNT" = 10000 ] || { echo "    a fetch returned $COUNT messages, not 10000" >&2; exit 1; }
    URL="http://127.0.0.1:$FERRY_PORT/v1/topics/bench-fetch/partitions/0/messages"
    wrk -t2 -c"$FETCH_CONNECTIONS" -d2s -s "$HERE/fetch.lua" "$URL" -- bench-fetch "$PREFILL" 10000 >/dev/null
    C0=$(proc_cpu_ms "$FERRY_PID")
    read -r R_RPS R_BPS R_P50 R_P99 R_ERR < <(wrk_run 2 "$FETCH_CONNECTIONS" "$DURATION" "$URL" "$HERE/fetch.lua" bench-fetch "$PREFILL" 10000)
    R_CPU=$(per_request_us "$C0" "$(proc_cpu_ms "$FERRY_PID")" "$R_RPS" "$DURATION")
    R_MSGS=$(python3 -c "print(f'{$R_RPS * 10000:.0f}')")
    printf "    %d req/s x 10000 -> %d msg/s, %.0f MB/s of response  p50 %.3f ms  p99 %.3f ms  errors %s\n" \
        "$R_RPS" "$R_MSGS" "$(python3 -c "print($R_BPS / 1e6)")" "$R_P50" "$R_P99" "$R_ERR"
    echo "    server CPU $R_CPU us per request ($(python3 -c "print(f'{$R_CPU / 10000:.3f}')") us per message); target >= 1,500,000 msg/s"
    result 3 "fetch limit=10000, c$FETCH_CONNECTIONS" "$R_MSGS" "msg/s" ">= 1500000" "$(verdict "$R_MSGS" 1500000 '>=')"
fi

if [[ " $ONLY " == *" 4 "* ]]; then
    echo
    echo "(4) produce -> long-poll delivery latency, one message at a time for ${DURATION}"
    create_topic bench-latency 1
    SECONDS_=$(python3 -c "import re; d='$DURATION'; m=re.fullmatch(r'([\d.]+)(ms|s|m)?', d); print(float(m.group(1)) * {'ms':0.001,'s':1,'m':60,None:1}[m.group(2)])")
    read -r L_N L_P50 L_P90 L_P99 L_MAX P_P50 P_P99 < <(python3 "$HERE/client.py" latency "$FERRY_PORT" bench-latency "$SECONDS_")
    printf "    %d samples: delivery p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms  (produce round trip p50 %.3f ms  p99 %.3f ms)\n" \
        "$L_N" "$L_P50" "$L_P90" "$L_P99" "$L_MAX" "$P_P50" "$P_P99"
    echo "    target p99 <= 5 ms"
    result 4 "produce->long-poll p99 (p50 $L_P50 ms, $L_N samples)" "$L_P99" "ms" "<= 5" "$(verdict "$L_P99" 5 '<=')"
fi

if [[ " $ONLY " == *" 5 "* ]]; then
    echo
    echo "(5) --fsync always, single-message produce (100-byte raw body), 64 connections vs 1, wrk -d$DURATION each"
    start_ferry always
    create_topic bench-fsync 1
    URL="http://127.0.0.1:$FERRY_PORT/v1/topics/bench-fsync/messages"
    wrk -t1 -c1 -d1s -s "$HERE/produce-one.lua" "$URL" >/dev/null
    read -r S1_RPS _ S1_P50 S1_P99 S1_ERR < <(wrk_run 1 1 "$DURATION" "$URL" "$HERE/produce-one.lua")
    read -r S64_RPS _ S64_P50 S64_P99 S64_ERR < <(wrk_run 2 64 "$DURATION" "$URL" "$HERE/produce-one.lua")
    FRATIO=$(python3 -c "print(f'{$S64_RPS / $S1_RPS:.1f}')")
    printf "    1 producer   %8d req/s  p50 %7.3f ms  p99 %7.3f ms  errors %s\n" "$S1_RPS" "$S1_P50" "$S1_P99" "$S1_ERR"
    printf "    64 producers %8d req/s  p50 %7.3f ms  p99 %7.3f ms  errors %s\n" "$S64_RPS" "$S64_P50" "$S64_P99" "$S64_ERR"
    echo "    ratio $FRATIO (target >= 20)"
    result 5 "fsync always c64 vs c1 ($S1_RPS -> $S64_RPS req/s)" "$FRATIO" "x" ">= 20" "$(verdict "$FRATIO" 20 '>=')"
fi

stop_ferry
echo
echo "Summary ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk $DURATION per run)"
python3 - "$RESULTS" <<'PY'
import sys
print(f"{'#':2} {'measurement':58} {'value':>12} {'unit':6} {'target':18} verdict")
for line in open(sys.argv[1]):
    parts = line.split()
    # ID, label (quoted words up to the value), value, unit, target..., verdict
    ident, verdict = parts[0], parts[-1]
    # the label ends where the numeric value starts: scan from the end: verdict, target (2-4 words), unit, value
    unit_index = next(i for i in range(len(parts) - 2, 0, -1) if parts[i] in ("req/s", "msg/s", "ms", "x"))
    value, unit = parts[unit_index - 1], parts[unit_index]
    label = " ".join(parts[1:unit_index - 1])
    target = " ".join(parts[unit_index + 1:-1])
    print(f"{ident:2} {label:58} {float(value):>12,.1f} {unit:6} {target:18} {verdict}")
PY
