"""The aggregator: a member of the consumer group `aggregator` on `metrics`. Keeps per-(service, minute)
min/max/sum/count and writes each minute to `metrics.1m` once the service's stream has moved past it (a
service's points arrive in order: one key, one partition). Each output is produced with
`Idempotency-Key: <service>/<minute>`, and offsets are committed at the end.

    aggregator.py BASE_URL SERVICES
Stops once every service has said it is done (or after 120 s).
"""
import functools
import os
import sys
import time

BASE, SERVICES = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)




def emit(service, minute, window):
    value = {"service": service, "minute": minute, "count": window["count"], "min": window["min"],
             "max": window["max"], "avg": round(window["sum"] / window["count"], 6)}
    call("POST", "/v1/topics/metrics.1m/messages", {"records": [{"key": service, "value": value}]},
         {"Idempotency-Key": f"{service}/{minute}"})


member = call("POST", "/v1/groups/aggregator/members",
              {"topics": ["metrics"], "auto_offset_reset": "earliest"})["member_id"]
windows = {}  # service -> (minute, window)
done = set()
positions = {}
deadline = time.monotonic() + 120
while len(done) < SERVICES and time.monotonic() < deadline:
    batch = call("GET", f"/v1/groups/aggregator/members/{member}/messages?limit=1000&wait_ms=500")
    for message in batch["messages"]:
        positions[message["partition"]] = message["offset"] + 1
        point = message["value"]
        service = point["service"]
        current = windows.get(service)
        if point.get("done"):
            if current:
                emit(service, *current)
                windows.pop(service)
            done.add(service)
            continue
        minute = point["ts"] // 60_000 * 60_000
        if current and current[0] != minute:
            emit(service, *current)
            current = None
        if current is None:
            current = (minute, {"count": 0, "min": point["latency_ms"], "max": point["latency_ms"], "sum": 0.0})
            windows[service] = current
        window = current[1]
        window["count"] += 1
        window["sum"] += point["latency_ms"]
        window["min"] = min(window["min"], point["latency_ms"])
        window["max"] = max(window["max"], point["latency_ms"])
call("POST", f"/v1/groups/aggregator/members/{member}/commit",
     {"offsets": [{"topic": "metrics", "partition": p, "offset": o} for p, o in positions.items()]})
call("DELETE", f"/v1/groups/aggregator/members/{member}")
sys.exit(0 if len(done) == SERVICES else 1)
