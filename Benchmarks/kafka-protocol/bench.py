"""Kafka-protocol throughput against a live `ferry serve --kafka-port` (issue 15): librdkafka producers and
consumers (kcat, confluent-kafka) writing and reading 100-byte messages on one partition. Prints one line per
measurement: `name msg/s MB/s`. Not a test: figures depend on the machine.

    .venv/bin/python Benchmarks/kafka-protocol/bench.py FERRY_BIN [messages]
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(port, method, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.read()


def main():
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    work = tempfile.mkdtemp(prefix="ferry-kafka-bench.")
    http_port, kafka_port = free_port(), free_port()
    log = open(os.path.join(work, "ferry.log"), "w")
    server = subprocess.Popen(
        [binary, "serve", "--host", "127.0.0.1", "--port", str(http_port), "--kafka-port", str(kafka_port),
         "--data-dir", os.path.join(work, "data"), "--fsync", os.environ.get("FSYNC", "interval"),
         "--log-level", "warning"], stdout=log, stderr=log)
    bootstrap = f"127.0.0.1:{kafka_port}"
    try:
        for _ in range(200):
            try:
                http(http_port, "GET", "/readyz")
                break
            except Exception:
                time.sleep(0.05)
        value = b"v" * 100
        lines = os.path.join(work, "lines")
        with open(lines, "wb") as f:
            for _ in range(count):
                f.write(value + b"\n")

        ticks = os.sysconf("SC_CLK_TCK")
        cpu_mark = [0.0]

        def server_cpu():
            fields = open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        def report(name, messages, seconds):
            cpu = server_cpu()
            used, cpu_mark[0] = cpu - cpu_mark[0], cpu
            print(f"{name:<44} {messages / seconds:>12,.0f} msg/s {messages * 100 / seconds / 1e6:>8.1f} MB/s"
                  f"   server CPU {used * 1e9 / max(1, messages):>6.0f} ns/msg", flush=True)

        # kcat -P: one librdkafka producer fed from a file (C, so the client is not the limit).
        http(http_port, "POST", "/v1/topics", b'{"name":"kcat","partitions":1}')
        cpu_mark[0] = server_cpu()
        start = time.monotonic()
        subprocess.run(
            ["kcat", "-P", "-b", bootstrap, "-t", "kcat", "-p", "0", "-l", lines, "-X", "linger.ms=5",
             "-X", "batch.num.messages=10000", "-X", "batch.size=1000000",
             "-X", "queue.buffering.max.messages=1000000", "-X", "queue.buffering.max.kbytes=1048576"],
            check=True, timeout=600)
        report("kcat -P (librdkafka producer)", count, time.monotonic() - start)
        end = json.loads(http(http_port, "GET", "/v1/topics/kcat"))["partitions"][0]["end_offset"]
        assert end == count, f"kcat produced {end} of {count}"

        # kcat -C: read them all back.
        start = time.monotonic()
        out = subprocess.run(
            ["kcat", "-C", "-b", bootstrap, "-t", "kcat", "-p", "0", "-o", "beginning", "-e", "-q",
             "-f", "%o\n", "-X", "fetch.max.bytes=52428800", "-X", "max.partition.fetch.bytes=8388608"],
            check=True, timeout=600, stdout=subprocess.PIPE).stdout
        report("kcat -C (librdkafka consumer)", out.count(b"\n"), time.monotonic() - start)

        # confluent-kafka: a Python producer with batching, then a consumer.
        http(http_port, "POST", "/v1/topics", b'{"name":"py","partitions":1}')
        producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "batch.num.messages": 10000,
                             "batch.size": 1000000, "queue.buffering.max.messages": 2000000,
                             "queue.buffering.max.kbytes": 2097151})
        py_count = min(count, 1_000_000)
        cpu_mark[0] = server_cpu()
        start = time.monotonic()
        for _ in range(py_count):
            producer.produce("py", value, partition=0)
            if len(producer) > 1_500_000:
                producer.poll(0)
        producer.flush(120)
        report("confluent-kafka Producer (Python)", py_count, time.monotonic() - start)

        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench", "enable.auto.commit": False,
                             "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 8388608})
        consumer.assign([TopicPartition("py", 0, 0)])
        got = 0
        start = time.monotonic()
        deadline = start + 300
        while got < py_count and time.monotonic() < deadline:
            got += len(consumer.consume(10000, 1.0))
        report("confluent-kafka Consumer.consume (Python)", got, time.monotonic() - start)
        consumer.close()
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
