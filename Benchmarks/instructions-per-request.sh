#!/usr/bin/env bash
# Instructions per request (issue 16): user-space instructions the whole server (every thread) executes per
# single-message produce, counted by valgrind's callgrind. Unlike a timed run it does not move with the load of a
# shared machine (repeated runs agree within ~1 %), so it tells whether a change made the request path cheaper.
# It does not count kernel time (about two thirds of a request here: recv, send, epoll_wait, msync).
#
#   Benchmarks/instructions-per-request.sh                  # build, then 2 000 produces, --fsync always
#   REQUESTS=4000 FSYNC=interval Benchmarks/instructions-per-request.sh
#   FERRY_BIN=/path/to/ferry Benchmarks/instructions-per-request.sh   # skip the build, use this binary
#   ANNOTATE=1 ...                                          # also print the 40 costliest functions
#
# The load: 8 keep-alive connections, each sending one 100-byte raw produce and reading its answer per round
# (Python raw sockets), after 400 warm-up requests whose counts are discarded (callgrind_control -z). The server
# runs one event loop. Valgrind 3.19 cannot read Swift's DWARF 5, so a copy of the binary without debug
# information runs under it (function names come from the symbol table).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-2000}
FSYNC=${FSYNC:-always}
command -v valgrind >/dev/null ||
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }
if [ -z "${FERRY_BIN:-}" ]; then
  swift build -c release --product ferry >/dev/null
  FERRY_BIN=$(swift build -c release --show-bin-path)/ferry
fi
work="$(mktemp -d /tmp/ferry-instructions.XXXXXX)"
. scripts/lib-ferry.sh
cleanup() {
  stop_ferry
  rm -rf "$work"
}
trap cleanup EXIT
strip --strip-debug -o "$work/ferry" "$FERRY_BIN"
FERRY_LAUNCH=(valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out")
FERRY_BIN="$work/ferry" FERRY_START_SECONDS=60 start_ferry "$work" --fsync "$FSYNC" --loops 1
port="${FERRY_URL##*:}"
curl -sf -o /dev/null -XPOST "$FERRY_URL/v1/topics" -H 'Content-Type: application/json' \
  -d '{"name":"bench","partitions":1}'

produce() {  # produce COUNT: COUNT single-message produces over 8 connections, every answer checked
  python3 - "$port" "$1" <<'PY'
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
request = (b"POST /v1/topics/bench/messages HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 100\r\n"
           b"Content-Type: application/octet-stream\r\n\r\n" % port) + b"x" * 100
connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
done = 0
while done < count:
    for connection in connections:
        connection.sendall(request)
    for connection in connections:
        answer = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                sys.exit("the server closed the connection")
            answer += chunk
            end = answer.find(b"\r\n\r\n")
            if end >= 0:
                length = int(answer[:end].lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                if len(answer) >= end + 4 + length:
                    break
        if not answer.startswith(b"HTTP/1.1 200"):
            sys.exit("unexpected answer: %r" % answer[:200])
    done += len(connections)
PY
}

produce 400
callgrind_control -z "$FERRY_PID" >/dev/null 2>&1
produce "$REQUESTS"
callgrind_control -d "$FERRY_PID" >/dev/null 2>&1
dump=$(ls "$work"/callgrind.out.* | head -1)
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "ferry: $FERRY_BIN; --fsync $FSYNC, 1 loop, 8 connections, $REQUESTS single-message produces"
echo "instructions per request: $((total / REQUESTS))"
if [ -n "${ANNOTATE:-}" ]; then
  # Self cost per function; the threads' entry frames (whole-thread totals) are left out.
  callgrind_annotate --threshold=100 "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | sed 's/ \[.*\]$//' |
    { if command -v swift >/dev/null; then swift demangle --simplified; else cat; fi; } |
    grep -vE 'PROGRAM TOTALS|clone\.S|pthread_create|SystemThread|HTTPServer\.start' | head -40
fi
