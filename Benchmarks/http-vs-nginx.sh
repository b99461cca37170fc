#!/usr/bin/env bash
# FerryHTTP vs nginx, side by side in one run (not a test: numbers depend on the machine).
#
#   Benchmarks/http-vs-nginx.sh            # wrk -t2 -c64 -d10s, GET and POST (100-byte body), then idle-connection RSS
#   DURATION=30s CONNECTIONS=128 ROUNDS=3 Benchmarks/http-vs-nginx.sh
#
# Each (server, method) pair runs ROUNDS times (default 2), alternating Ferry and nginx; the best round of each
# is compared, because the machine is shared and noisy and the same rule applies to both.
#
# Both servers bind 127.0.0.1 on ports picked here, use 2 workers/loops, and serve the same trivial routes:
# GET / → 200 "hello, world\n"; POST /post → 204. Prints req/s, p99 latency and the Ferry/nginx ratios, then
# the resident memory per idle keep-alive connection with 1000 connections open. It also prints the servers'
# CPU time (user + system) per request, which is less sensitive to other load on a shared machine than req/s.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
ROUNDS=${ROUNDS:-2}

need_install=()
command -v wrk >/dev/null || need_install+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_install+=(nginx-light)
command -v python3 >/dev/null || need_install+=(python3)
if [ ${#need_install[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

swift build -c release --product ferry-bench-http >/dev/null
FERRY_BIN=$(swift build -c release --show-bin-path)/ferry-bench-http

WORK=$(mktemp -d /tmp/ferry-http-bench.XXXXXX)
FERRY_PID=""
NGINX_PID=""
cleanup() {
    [ -n "$FERRY_PID" ] && kill "$FERRY_PID" 2>/dev/null && wait "$FERRY_PID" 2>/dev/null || true
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
FERRY_PORT=$(free_port)
NGINX_PORT=$(free_port)

cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
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
        location = / { default_type text/plain; return 200 "hello, world\n"; }
        location = /post { return 204; }
    }
}
CONF

cat >"$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 100)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

"$FERRY_BIN" "$FERRY_PORT" 2 >"$WORK/ferry.log" 2>&1 &
FERRY_PID=$!
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon off;' 2>>"$WORK/error.log" &
NGINX_PID=$!
for _ in $(seq 100); do
    if grep -q listening "$WORK/ferry.log" 2>/dev/null && curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/"; then break; fi
    sleep 0.1
done

# run NAME URL [lua] → prints "req/s p99_ms"
cpu_ticks() {  # user+system clock ticks of the given pids (comma-separated)
    local total=0 pid
    for pid in ${1//,/ }; do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
    done
    echo "$total"
}

nginx_pids() { echo "$NGINX_PID,$(pgrep -d, -P "$NGINX_PID")"; }

# run PIDS URL [lua] → prints "req/s p99_ms cpu_us_per_request [warning]"
run() {
    local pids=$1 url=$2 script=${3:-}
    local args=(--latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION")
    [ -n "$script" ] && args+=(-s "$script")
    local before after
    before=$(cpu_ticks "$pids")
    wrk "${args[@]}" "$url" >"$WORK/wrk.out"
    after=$(cpu_ticks "$pids")
    python3 - "$((after - before))" "$(getconf CLK_TCK)" "$WORK/wrk.out" <<'PY'
import sys, re
ticks, hz = int(sys.argv[1]), int(sys.argv[2])
text = open(sys.argv[3]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
cpu_us = ticks / hz * 1e6 / max(total, 1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
print(f"{rps:.0f} {p99:.3f} {cpu_us:.2f}" + (f" ({errors.group(0)})" if errors else ""))
PY
}

echo "warm-up..."
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$FERRY_PORT/" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$NGINX_PORT/" >/dev/null

report() {
    local name=$1 ferry=$2 nginx=$3
    python3 - "$name" "$ferry" "$nginx" <<'PY'
import sys
name = sys.argv[1]
def parse(text):
    rounds = [line.split() for line in text.strip().splitlines()]
    return [(float(r[0]), float(r[1]), float(r[2])) for r in rounds], [" ".join(r[3:]) for r in rounds if len(r) > 3]
f, fw = parse(sys.argv[2])
n, nw = parse(sys.argv[3])
# Best round of each server (the machine is shared and noisy; the same rule applies to both).
frps, nrps = max(r[0] for r in f), max(r[0] for r in n)
fp99, np99 = min(r[1] for r in f), min(r[1] for r in n)
fcpu, ncpu = min(r[2] for r in f), min(r[2] for r in n)
print(f"{name:5} ferry {frps:>8.0f} req/s  p99 {fp99:7.3f} ms  {fcpu:5.2f} CPU-us/req | "
      f"nginx {nrps:>8.0f} req/s  p99 {np99:7.3f} ms  {ncpu:5.2f} CPU-us/req")
print(f"      req/s ratio {frps / nrps:.2f} (target >= 0.80)   p99 ratio {fp99 / np99:.2f} (target <= 2.00)   "
      f"server CPU per request ratio {fcpu / ncpu:.2f}")
print("      rounds (req/s, p99, CPU-us/req) ferry:", ", ".join(f"{r:.0f}/{p:.2f}ms/{c:.1f}" for r, p, c in f),
      "| nginx:", ", ".join(f"{r:.0f}/{p:.2f}ms/{c:.1f}" for r, p, c in n))
for warning in fw + nw:
    if warning: print("      warning:", warning)
PY
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS alternating rounds, both servers on 127.0.0.1 with 2 workers"
FERRY_GET=""; NGINX_GET=""; FERRY_POST=""; NGINX_POST=""
for _ in $(seq "$ROUNDS"); do
    FERRY_GET+="$(run "$FERRY_PID" "http://127.0.0.1:$FERRY_PORT/")"$'\n'
    NGINX_GET+="$(run "$(nginx_pids)" "http://127.0.0.1:$NGINX_PORT/")"$'\n'
    FERRY_POST+="$(run "$FERRY_PID" "http://127.0.0.1:$FERRY_PORT/post" "$WORK/post.lua")"$'\n'
    NGINX_POST+="$(run "$(nginx_pids)" "http://127.0.0.1:$NGINX_PORT/post" "$WORK/post.lua")"$'\n'
done
report GET "$FERRY_GET" "$NGINX_GET"
report POST "$FERRY_POST" "$NGINX_POST"

echo "resident memory per idle keep-alive connection ($IDLE_CONNECTIONS connections, each after one request)"
python3 - "$FERRY_PID" "$FERRY_PORT" "$NGINX_PID" "$NGINX_PORT" "$IDLE_CONNECTIONS" <<'PY'
import os, socket, sys, time
ferry_pid, ferry_port, nginx_pid, nginx_port, count = map(int, sys.argv[1:])

def rss_kib(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total

def nginx_pids():
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == nginx_pid:
                        children.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return [nginx_pid] + children

def measure(name, pids_of, port):
    before = rss_kib(pids_of())
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n")
        sockets.append(s)
    for s in sockets:
        data = b""
        while b"hello, world\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    time.sleep(0.5)
    after = rss_kib(pids_of())
    per = (after - before) * 1024 / count
    print(f"{name:5} RSS {before} KiB -> {after} KiB: {per / 1024:.2f} KiB per idle connection"
          + (" (target <= 16 KiB)" if name == "ferry" else ""))
    for s in sockets:
        s.close()

import resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * count + 100)), hard))
measure("ferry", lambda: [ferry_pid], ferry_port)
measure("nginx", nginx_pids, nginx_port)
PY
