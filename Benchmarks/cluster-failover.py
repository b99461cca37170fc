#!/usr/bin/env python3
"""Failover of a Ferry cluster (issue 14): three `ferry serve --storage kafka` gateways on a `ferry kafka-mock`
cluster; the owner of a consumer group, then of a queue, then of a webhook subscription is killed (SIGKILL, or
SIGTERM with STOP=term), and the time until another gateway answers for it (200) is measured. The killed gateway
is restarted with the same --node-id between rounds. Not a test: it prints what it measured.

    FERRY_BIN=.build/release/ferry python3 Benchmarks/cluster-failover.py
    SESSION_MS=3000 ROUNDS=2 STOP=term python3 Benchmarks/cluster-failover.py

Standard library only; everything listens on 127.0.0.1; every loop is bounded.
"""

import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

FERRY = os.environ.get("FERRY_BIN", ".build/release/ferry")
SESSION_MS = int(os.environ.get("SESSION_MS", "10000"))
ROUNDS = int(os.environ.get("ROUNDS", "2"))
STOP = signal.SIGTERM if os.environ.get("STOP") == "term" else signal.SIGKILL
WORK = tempfile.mkdtemp(prefix="ferry-failover-")


def call(port, method, path, body=None, headers=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def wait(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"cluster-failover: timed out waiting for {what}")


class Gateway:
    def __init__(self, node, bootstrap):
        self.node, self.bootstrap, self.process, self.port, self.starts = node, bootstrap, None, None, 0

    def start(self):
        self.starts += 1
        log = os.path.join(WORK, f"{self.node}-{self.starts}.log")
        self.process = subprocess.Popen(
            [FERRY, "serve", "--storage", "kafka", "--kafka-bootstrap", self.bootstrap, "--node-id", self.node,
             "--port", "0", "--data-dir", os.path.join(WORK, self.node), "--cluster-session-timeout-ms",
             str(SESSION_MS)], stdout=open(log, "w"), stderr=subprocess.STDOUT)

        def listening():
            text = open(log).read()
            marker = "listening on http://127.0.0.1:"
            if marker in text:
                self.port = int(text.split(marker, 1)[1].split('"')[0].split()[0])
                return True
            return False
        wait(listening, 90, f"{self.node} to listen")

    def stop(self, how):
        self.process.send_signal(how)
        self.process.wait(timeout=30)
        self.process = None


def main():
    mock = subprocess.Popen([FERRY, "kafka-mock", "--state-shards", "16", "--topic", "orders:4"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    bootstrap = mock.stdout.readline().strip()
    gateways = [Gateway(f"g{i}", bootstrap) for i in range(3)]
    try:
        for gateway in gateways:
            gateway.start()

        def settled():
            for gateway in gateways:
                status, body = call(gateway.port, "GET", "/v1/cluster")
                if status != 200:
                    return False
                nodes = [n for n in json.loads(body)["nodes"] if n["alive"]]
                if len(nodes) != 3 or sorted(s for n in nodes for s in n["shards"]) != list(range(16)):
                    return False
            return True
        wait(settled, 120, "three gateways sharing 16 shards")
        any_port = gateways[0].port
        call(any_port, "POST", "/v1/groups/bench/members", {"topics": ["orders"]})
        call(any_port, "POST", "/v1/topics/orders/queues", {"name": "jobs"})
        call(any_port, "POST", "/v1/topics/orders/subscriptions", {"name": "hook", "url": "http://127.0.0.1:9/h"})
        kinds = [("group", "/v1/groups/bench"), ("queue", "/v1/topics/orders/queues/jobs"),
                 ("subscription", "/v1/topics/orders/subscriptions/hook")]
        results = {kind: [] for kind, _ in kinds}
        for round_number in range(ROUNDS):
            for kind, path in kinds:
                # The owner answers a request marked as forwarded; the others refuse it (no second hop).
                owner = next(g for g in gateways
                             if call(g.port, "GET", path, headers={"Ferry-Forwarded-By": "probe"})[0] == 200)
                others = [g for g in gateways if g is not owner]
                started = time.time()
                owner.stop(STOP)
                wait(lambda: call(others[0].port, "GET", path, timeout=2)[0] == 200, SESSION_MS / 1000 + 60,
                     f"{kind} to be served again")
                elapsed = time.time() - started
                results[kind].append(elapsed)
                print(f"round {round_number + 1}: {kind} owner {owner.node} stopped ({STOP.name}); served again "
                      f"after {elapsed:.2f} s", flush=True)
                owner.start()
                wait(settled, 120, "the cluster to settle again")
        every = [t for times in results.values() for t in times]
        print(json.dumps({
            "session_timeout_ms": SESSION_MS, "stop": STOP.name, "rounds": ROUNDS,
            "seconds": {k: [round(t, 2) for t in v] for k, v in results.items()},
            "median_s": round(statistics.median(every), 2), "max_s": round(max(every), 2),
        }, indent=2))
    finally:
        for gateway in gateways:
            if gateway.process:
                gateway.process.kill()
        mock.kill()


if __name__ == "__main__":
    main()
