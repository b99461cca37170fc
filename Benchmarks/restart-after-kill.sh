#!/usr/bin/env bash
# Restart-to-ready after SIGKILL with large active segments (issue 11, item 6). Not a test: figures depend on
# the machine.
#
#   Benchmarks/restart-after-kill.sh                            # 100 partitions × ~32 MiB, 3 restarts
#   PARTITIONS=10 SEGMENT_MIB=8 RUNS=5 Benchmarks/restart-after-kill.sh
#   FERRY_BIN=/path/to/ferry Benchmarks/restart-after-kill.sh   # no build: measure that binary
#
# Starts a release `ferry serve --port 0 --data-dir <tmp> --fsync never` on 127.0.0.1, creates topic `r` with
# PARTITIONS partitions and segment_bytes 1 GiB (nothing rolls: all the data is in the active segments), and
# fills every partition to ~SEGMENT_MIB MiB with 1 MiB NDJSON bodies of ~1 KiB JSON lines (one curl per
# partition, SEGMENT_MIB requests on one connection). Then `sync`, so that the restarts measure recovery and
# not the disk writing back the fill, and RUNS times: SIGKILL the server, start it again on the same data dir,
# and time from exec until GET /readyz answers 200 (polled every 10 ms). The server only prints its port once
# recovery is done, so the poll watches its log for "ferry listening on http://127.0.0.1:PORT" first.
# Printed: the load average, the seconds of each run, min/median/max, and what the server said it recovered.
# Loopback only; every loop is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

PARTITIONS=${PARTITIONS:-100}
SEGMENT_MIB=${SEGMENT_MIB:-32}
RUNS=${RUNS:-3}

for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install curl python3)" >&2; exit 1; }
done
if [ -z "${FERRY_BIN:-}" ]; then
    echo "building ferry (release)..."
    swift build -c release --product ferry >/dev/null
    FERRY_BIN=$(swift build -c release --show-bin-path)/ferry
fi

WORK=$(mktemp -d /tmp/ferry-restart-after-kill.XXXXXX)
FERRY_PID=""
kill_ferry() {  # SIGKILL the server and wait until it is gone (it may not be this shell's child)
    if [ -n "$FERRY_PID" ]; then
        kill -KILL "$FERRY_PID" 2>/dev/null || true
        for _ in $(seq 500); do  # gone, or a zombie waiting for init to reap it
            kill -0 "$FERRY_PID" 2>/dev/null || break
            [ "$(awk '{ print $3 }' "/proc/$FERRY_PID/stat" 2>/dev/null)" = Z ] && break
            sleep 0.01
        done
        wait "$FERRY_PID" 2>/dev/null || true
        FERRY_PID=""
    fi
}
cleanup() {
    kill_ferry
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_ferry LOG: execs the server on $WORK/data, prints "<pid> <seconds from exec to /readyz 200>".
start_ferry() {
    python3 - "$FERRY_BIN" "$WORK/data" "$1" <<'PY'
import http.client, re, subprocess, sys, time
binary, data, log = sys.argv[1:4]
output = open(log, "wb")
started = time.monotonic()
server = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data,
                           "--fsync", "never"], stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
port = None
for _ in range(60_000):  # 10 ms apart: at most about 10 minutes
    if server.poll() is not None:
        sys.exit("ferry exited with %d; see %s" % (server.returncode, log))
    if port is None:
        with open(log, "rb") as text:
            found = re.search(rb"ferry listening on http://127\.0\.0\.1:(\d+)", text.read())
        port = int(found.group(1)) if found else None
    if port is not None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                print(server.pid, "%.3f" % (time.monotonic() - started))
                sys.exit(0)
        except OSError:
            pass
    time.sleep(0.01)
server.kill()
sys.exit("ferry was not ready after 10 minutes; see %s" % log)
PY
}

port_of() { grep -o 'ferry listening on http://127\.0\.0\.1:[0-9]*' "$1" | head -n 1 | sed 's/.*://'; }

echo "binary: $FERRY_BIN"
read -r FERRY_PID _ < <(start_ferry "$WORK/fill.log")
PORT=$(port_of "$WORK/fill.log")
BASE="http://127.0.0.1:$PORT"
curl -sf --max-time 60 -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"name\":\"r\",\"partitions\":$PARTITIONS,\"config\":{\"segment_bytes\":1073741824}}" "$BASE/v1/topics"

# One 1 MiB body of ~1 KiB JSON lines.
python3 - "$WORK/body.ndjson" <<'PY'
import sys
pad = "x" * 1000
with open(sys.argv[1], "w") as body:
    for number in range(1024 * 1024 // 1024):
        line = '{"n":%d,"pad":"%s"}' % (number, pad)
        body.write(line + " " * (1023 - len(line)) + "\n")
PY

echo "filling $PARTITIONS partitions with ${SEGMENT_MIB} MiB each..."
fill_started=$(date +%s)
for partition in $(seq 0 $((PARTITIONS - 1))); do
    targets=()  # the same URL SEGMENT_MIB times, each answer discarded (curl needs one -o per URL)
    for _ in $(seq "$SEGMENT_MIB"); do targets+=(-o /dev/null "$BASE/v1/topics/r/messages?partition=$partition"); done
    codes=$(curl -s --max-time 600 -w '%{http_code}\n' -X POST -H 'Content-Type: application/x-ndjson' \
        --data-binary "@$WORK/body.ndjson" "${targets[@]}" | grep -cx 200 || true)
    if [ "$codes" -ne "$SEGMENT_MIB" ]; then
        echo "produce to partition $partition: only $codes of $SEGMENT_MIB requests answered 200" >&2
        exit 1
    fi
done
echo "filled in $(($(date +%s) - fill_started)) s: $(du -sh "$WORK/data/topics/r" | cut -f1) in topic r"
sync

echo "load average before the restarts: $(cut -d' ' -f1-3 /proc/loadavg)"
times=()
for run in $(seq "$RUNS"); do
    kill_ferry
    read -r FERRY_PID seconds < <(start_ferry "$WORK/run$run.log")
    times+=("$seconds")
    echo "run $run: ready ${seconds} s after exec after SIGKILL"
done
echo "server after the last run: $(grep -o "recovered data directory.*" "$WORK/run$RUNS.log" | head -n 1 | tr -d '"')"
printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "min %.3f s, median %.3f s, max %.3f s over %d runs\n", v[1], v[int((NR + 1) / 2)], v[NR], NR }'
