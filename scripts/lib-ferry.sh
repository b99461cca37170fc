# Sourced by scripts and examples that need a live server:
#   . scripts/lib-ferry.sh
#   start_ferry WORK_DIR [extra `ferry serve` flags...]   # sets FERRY_PID and FERRY_URL
#   stop_ferry
# Starts `${FERRY_BIN:-.build/release/ferry} serve` on a free loopback port (port 0) with its data under
# WORK_DIR/data and its log in WORK_DIR/server.log, and waits (at most FERRY_START_SECONDS, 30 s by default) for
# the line that names the port. A caller may set the array FERRY_LAUNCH to run the server under another program
# (e.g. `FERRY_LAUNCH=(valgrind --tool=callgrind)`); FERRY_PID is then that program's process.
start_ferry() {
  local work="$1"
  shift
  local bin="${FERRY_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build/release/ferry}"
  "${FERRY_LAUNCH[@]}" "$bin" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" "$@" >>"$work/server.log" 2>&1 &
  FERRY_PID=$!
  disown "$FERRY_PID"  # no "Killed" job report when it is stopped
  local port=""
  for _ in $(seq 1 $((${FERRY_START_SECONDS:-30} * 10))); do
    port="$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | tail -1)"
    [ -n "$port" ] && break
    kill -0 "$FERRY_PID" 2>/dev/null || { cat "$work/server.log" >&2; return 1; }
    sleep 0.1
  done
  if [ -z "$port" ]; then  # (the port is read from the info-level log line: keep --log-level at info or debug)
    kill -9 "$FERRY_PID" 2>/dev/null || true
    FERRY_PID=""
    echo "ferry serve did not start" >&2
    cat "$work/server.log" >&2
    return 1
  fi
  FERRY_URL="http://127.0.0.1:$port"
}

stop_ferry() {
  [ -n "${FERRY_PID:-}" ] && kill -9 "$FERRY_PID" 2>/dev/null || true
  FERRY_PID=""
}
