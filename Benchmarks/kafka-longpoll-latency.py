#!/usr/bin/env python3
"""Long-poll wake-up on the Kafka engine (issue 13): how long after a record reaches Kafka does a held fetch on
a gateway that did not produce it answer? Not a test; prints percentiles.

Gateway A (`ferry serve --storage kafka --kafka-mock-brokers 3`) hosts librdkafka's mock cluster; gateway B
(`--kafka-bootstrap` of that cluster) produces one record at a time. A client holds a fetch on A at the end
offset; the delay is from B's produce answer (Kafka acknowledged the record) to A's fetch answer. A learns of
B's record only through its watermark polling (every 20 ms while a fetch waits), as it would of any
producer's. Standard library only.

    SAMPLES=200 FERRY_BIN=.build/release/ferry python3 Benchmarks/kafka-longpoll-latency.py
"""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

FERRY = os.environ.get("FERRY_BIN", ".build/release/ferry")
SAMPLES = int(os.environ.get("SAMPLES", "200"))


def start(args, port):
    log = tempfile.NamedTemporaryFile(prefix="ferry-lp-", suffix=".log", delete=False)
    process = subprocess.Popen([FERRY, "serve", "--port", str(port), *args], stdout=log, stderr=log)
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return process, log.name
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    sys.exit(f"gateway on {port} did not get ready: {open(log.name).read()}")


def call(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def main():
    a_port, b_port = 18095, 18096
    a, a_log = start(["--storage", "kafka", "--kafka-mock-brokers", "3"], a_port)
    b = None
    try:
        bootstrap = None
        for _ in range(100):
            found = re.search(r'bootstrap=(\S+)', open(a_log).read())
            if found:
                bootstrap = found.group(1)
                break
            time.sleep(0.05)
        b, _ = start(["--storage", "kafka", "--kafka-bootstrap", bootstrap], b_port)
        call(a_port, "POST", "/v1/topics", json.dumps({"name": "lp", "partitions": 1}))
        time.sleep(3)  # B's topic listing picks the topic up (every 2 s)
        delays = []
        for index in range(SAMPLES):
            answer = {}

            def hold():
                started = time.perf_counter()
                status, body = call(a_port, "GET", f"/v1/topics/lp/partitions/0/messages?offset={index}&wait_ms=10000")
                answer["at"] = time.perf_counter()
                answer["count"] = len(body["messages"]) if status == 200 else -1

            holder = threading.Thread(target=hold)
            holder.start()
            time.sleep(0.03)  # the fetch is held at A
            status, _ = call(b_port, "POST", "/v1/topics/lp/messages?partition=0", json.dumps({"records": [{"value": index}]}))
            acknowledged = time.perf_counter()
            holder.join()
            if status != 200 or answer.get("count") != 1:
                sys.exit(f"sample {index}: produce {status}, fetch returned {answer.get('count')}")
            delays.append((answer["at"] - acknowledged) * 1000)
        delays.sort()
        pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
        print(json.dumps({"samples": len(delays), "p50_ms": round(pick(0.5), 1), "p90_ms": round(pick(0.9), 1),
                          "p99_ms": round(pick(0.99), 1), "max_ms": round(delays[-1], 1)}))
    finally:
        for process in (b, a):
            if process:
                process.terminate()
                process.wait(timeout=15)


if __name__ == "__main__":
    main()
