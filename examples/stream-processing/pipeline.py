"""Stream processing with kills: produces ORDERS orders to `orders` (3 partitions, keyed by customer), runs
enricher.py and SIGKILLs it KILLS times mid-stream, each time once it has committed a random 200…600 more
messages (so the kill lands in its next batch, between output and commit), restarting it each time, then lets
a last run finish. Checks `orders.enriched`: every input exactly once (by its source position), enriched right,
and in input order for every key. Exit status 0 only if all of that holds.

    pipeline.py BASE_URL
"""
import functools
import os
import random
import signal
import subprocess
import sys
import urllib.error
import time

BASE = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)
read_all = functools.partial(ferry_http.read_all, BASE)
ORDERS = int(os.environ.get("ORDERS", "6000"))
KILLS = int(os.environ.get("KILLS", "6"))
HERE = os.path.dirname(os.path.abspath(__file__))






call("POST", "/v1/topics", {"name": "orders", "partitions": 3})
call("POST", "/v1/topics", {"name": "orders.enriched", "partitions": 3})
orders = [{"id": i, "customer": f"c{i % 23}", "amount": round(10 + (i * 7919 % 9000) / 100, 2)} for i in range(ORDERS)]
for start in range(0, ORDERS, 250):
    call("POST", "/v1/topics/orders/messages",
         {"records": [{"key": o["customer"], "value": o} for o in orders[start:start + 250]]})



def group_lag():
    """The enricher group's total lag (every order before it first commits)."""
    try:
        return sum(p["lag"] for p in call("GET", "/v1/groups/enricher")["offsets"])
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return ORDERS
        raise


rng = random.Random(20261206)
kills = 0
lags = []  # the group's lag right after each kill
for _ in range(KILLS):
    before = group_lag()
    processor = subprocess.Popen([sys.executable, os.path.join(HERE, "enricher.py"), BASE])
    # Kill it once it has committed a random 200…600 more messages (mid-stream whatever the machine's speed).
    step = rng.randint(200, 600)
    give_up = time.monotonic() + 30
    while processor.poll() is None and group_lag() > before - step and time.monotonic() < give_up:
        time.sleep(0.02)
    if processor.poll() is None:
        processor.send_signal(signal.SIGKILL)
        kills += 1
        lags.append(group_lag())
    processor.wait()
    time.sleep(1.2)  # the killed member's session (1 s) ends; its partitions go to the next one
final = subprocess.run([sys.executable, os.path.join(HERE, "enricher.py"), BASE], timeout=150)

output = read_all("orders.enriched")
sources = [m["headers"].get("source") for m in output]
problems = []
if final.returncode != 0:
    problems.append(f"the last run exited {final.returncode}")
if len(sources) != len(set(sources)):
    problems.append(f"{len(sources) - len(set(sources))} duplicate outputs")
ids = sorted(m["value"]["id"] for m in output)
if ids != list(range(ORDERS)):
    problems.append(f"{len(set(range(ORDERS)) - set(ids))} orders missing, {len(ids) - len(set(ids))} repeated")
for m in output:
    o = orders[m["value"]["id"]]
    if m["value"]["total"] != round(o["amount"] + round(o["amount"] * 0.2, 2), 2) or m["key"] != o["customer"]:
        problems.append(f"order {o['id']} enriched wrong: {m['value']}")
        break
by_key = {}
for m in sorted(output, key=lambda m: (m["partition"], m["offset"])):
    by_key.setdefault(m["key"], []).append(m["value"]["id"])
for key, got in by_key.items():
    if got != [o["id"] for o in orders if o["customer"] == key]:
        problems.append(f"key {key} out of order: {got[:10]}...")
        break
mid_stream = [lag for lag in lags if 0 < lag < ORDERS]
if len(mid_stream) < 3:
    problems.append(f"only {len(mid_stream)} kills landed mid-stream (lags after kills: {lags})")
lag = sum(p["lag"] for p in call("GET", "/v1/groups/enricher")["offsets"])
if lag != 0:
    problems.append(f"the group still lags by {lag}")
print(f"stream-processing: {ORDERS} orders, processor killed {kills} times with SIGKILL (lag after each: {lags}); "
      f"{len(output)} enriched outputs, {len(set(sources))} distinct sources, group lag {lag}")
for problem in problems:
    print("stream-processing: WRONG:", problem)
sys.exit(1 if problems else 0)
