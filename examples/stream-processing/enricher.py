"""The stream processor: reads `orders` in the consumer group `enricher`, enriches each order (tax, total,
customer tier) and writes it to `orders.enriched`, with exactly-once effect across crashes:

- each output record is produced with `Idempotency-Key: orders/<partition>/<offset>` (its source position), so
  re-processing a message after a crash is answered with the first answer instead of a second copy;
- the group's offsets are committed only after the batch's output is stored, so a crash re-reads from the
  last commit and loses nothing;
- messages of one partition are processed in order, one produce at a time, so the output keeps the order of
  each key (a key always maps to one partition, on both topics).

    enricher.py BASE_URL
Runs until the group has no lag for 2 s, or 120 s at most.
"""
import functools
import os
import sys
import time
import urllib.error

BASE = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)




def enrich(order):
    tier = "gold" if order["customer"].endswith(("1", "7")) else "standard"
    tax = round(order["amount"] * 0.2, 2)
    return {**order, "tax": tax, "total": round(order["amount"] + tax, 2), "tier": tier}


member = call("POST", "/v1/groups/enricher/members",
              {"topics": ["orders"], "session_timeout_ms": 1000, "auto_offset_reset": "earliest"})["member_id"]
deadline = time.monotonic() + 120
idle_since = None
while time.monotonic() < deadline:
    try:
        batch = call("GET", f"/v1/groups/enricher/members/{member}/messages?limit=200&wait_ms=200")
    except urllib.error.HTTPError as error:
        if error.code == 404:  # removed (a pause longer than the session): join again
            member = call("POST", "/v1/groups/enricher/members",
                          {"topics": ["orders"], "session_timeout_ms": 1000,
                           "auto_offset_reset": "earliest"})["member_id"]
            continue
        raise
    messages = batch["messages"]
    if not messages:
        lag = sum(p["lag"] for p in call("GET", "/v1/groups/enricher")["offsets"])
        idle_since = idle_since or time.monotonic()
        if lag == 0 and time.monotonic() - idle_since > 2:
            break
        continue
    idle_since = None
    next_offsets = {}
    for message in messages:
        source = f"orders/{message['partition']}/{message['offset']}"
        record = {"key": message["key"], "value": enrich(message["value"]), "headers": {"source": source}}
        call("POST", "/v1/topics/orders.enriched/messages", {"records": [record]}, {"Idempotency-Key": source})
        next_offsets[message["partition"]] = message["offset"] + 1
    offsets = [{"topic": "orders", "partition": p, "offset": o} for p, o in next_offsets.items()]
    try:
        call("POST", f"/v1/groups/enricher/members/{member}/commit", {"offsets": offsets})
    except urllib.error.HTTPError as error:
        if error.code not in (404, 409):  # lost the partition to a rebalance: its new owner re-reads
            raise
call("DELETE", f"/v1/groups/enricher/members/{member}")
