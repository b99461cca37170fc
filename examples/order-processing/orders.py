"""Order processing with a shared queue: 8 workers, workers killed at random, poison orders.

    orders.py GENERATED_DIR BASE_URL

Creates `orders` (4 partitions) and its queue `fulfilment` (5 deliveries at most), produces ORDERS orders of
which every 50th is poison, runs 8 worker processes (worker.py) and SIGKILLs a random one every 0.3 s (a
replacement starts at once) until the queue is drained. Then checks the effect: every good order fulfilled
exactly once in `orders.fulfilled`, every poison order in the dead-letter topic, nothing left in the queue.
A good order can reach the dead-letter topic too, but only when every one of its deliveries went to a worker
killed before its ack (it was then fulfilled, once, by one of them): those are counted and shown. Exit status 0 only if all of that holds.
"""
import functools
import os
import random
import signal
import subprocess
import sys
import time

GENERATED, BASE = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)
read_all = functools.partial(ferry_http.read_all, BASE)
ORDERS = int(os.environ.get("ORDERS", "600"))
WORKERS = 8
HERE = os.path.dirname(os.path.abspath(__file__))






call("POST", "/v1/topics", {"name": "orders", "partitions": 4})
call("POST", "/v1/topics", {"name": "orders.fulfilled", "partitions": 4})
call("POST", "/v1/topics/orders/queues",
     {"name": "fulfilment", "start": "earliest", "max_deliveries": 5, "dead_letter_topic": "orders.dlq"})
poison = {i for i in range(ORDERS) if i % 50 == 7}
for start in range(0, ORDERS, 200):
    call("POST", "/v1/topics/orders/messages", {"records": [
        {"key": f"customer-{i % 37}", "value": {"id": i, "customer": f"customer-{i % 37}", "poison": i in poison}}
        for i in range(start, min(ORDERS, start + 200))]})

rng = random.Random(20261206)
workers = {}
started = 0


def spawn(slot):
    global started
    started += 1
    workers[slot] = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "worker.py"), GENERATED, BASE])


for slot in range(WORKERS):
    spawn(slot)
kills = 0
deadline = time.monotonic() + 90
status = {}
while time.monotonic() < deadline:
    time.sleep(0.3)
    status = call("GET", "/v1/topics/orders/queues/fulfilment")
    if status["acked"] + status["dead_lettered"] >= ORDERS:
        break
    slot = rng.randrange(WORKERS)
    workers[slot].send_signal(signal.SIGKILL)
    workers[slot].wait()
    kills += 1
    spawn(slot)
for process in workers.values():
    process.kill()
    process.wait()

fulfilled = [m["value"]["order"] for m in read_all("orders.fulfilled")]
dead = sorted(m["value"]["id"] for m in read_all("orders.dlq"))
good = sorted(set(range(ORDERS)) - poison)
problems = []
if sorted(fulfilled) != good:
    duplicates = sorted({o for o in fulfilled if fulfilled.count(o) > 1})
    missing = sorted(set(good) - set(fulfilled))
    problems.append(f"fulfilled: {len(fulfilled)} for {len(good)} good orders; duplicates {duplicates[:10]}, "
                    f"missing {missing[:10]}")
if not poison <= set(dead):
    problems.append(f"poison orders missing from the dead-letter topic: {sorted(poison - set(dead))[:20]}")
unlucky = sorted(set(dead) - poison)
if not set(unlucky) <= set(fulfilled):
    problems.append(f"good orders dead-lettered without being fulfilled: {sorted(set(unlucky) - set(fulfilled))}")
if len(dead) != len(set(dead)):
    problems.append("an order was dead-lettered twice")
if status.get("available") != 0 or status.get("leased") != 0:
    problems.append(f"the queue is not drained: {status}")
print(f"order-processing: {ORDERS} orders ({len(poison)} poison), {WORKERS} workers, {kills} killed with SIGKILL, "
      f"{started} started; fulfilled {len(set(fulfilled))} once each, {len(dead)} dead-lettered "
      f"({len(unlucky)} good ones whose every delivery went to a killed worker)")
for problem in problems:
    print("order-processing: WRONG:", problem)
sys.exit(1 if problems else 0)
