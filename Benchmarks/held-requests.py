#!/usr/bin/env python3
"""Memory under held requests (issue 11): many long-polls and Server-Sent Events streams whose clients read
nothing, while a lot is produced. Not a test: it prints what it measured.

    Benchmarks/held-requests.sh                    # 10 000 long-polls, 1 000 stalled SSE, 200 MB produced
    LONG_POLLS=2000 SSE=200 PRODUCE_MB=50 Benchmarks/held-requests.sh

Workload, against a release `ferry serve` on 127.0.0.1 (its own data dir, --idle-timeout-ms 10000):
- LONG_POLLS held long-polls on an idle topic (wait_ms 30000, re-issued when they time out): they stay held;
- CHURN long-polls at the end of the busy topic, answered by every append and re-issued at once (the
  "answered long-polls must release their memory at once" case);
- SSE streams on the busy topic whose clients never read (receive buffer 4 KiB);
- PRODUCE_MB of NDJSON (1 MiB bodies of 1 KiB lines) into the busy topic (4 partitions);
- a probe client timing a one-message fetch and a one-message produce every 50 ms on a third topic.
Sampled every second: the server's anonymous RSS (heap; the mapped log is file-backed) and open descriptors. Printed: RSS before, peak and after, the probe's
p50/p99 before and during the load, how many stalled streams the server cut off (its log lines), 5xx count.
"""

import asyncio
import json
import os
import socket
import time

from ferry_load import Server, connect, exchange, percentile

LONG_POLLS = int(os.environ.get("LONG_POLLS", "10000"))
SSE = int(os.environ.get("SSE", "1000"))
CHURN = int(os.environ.get("CHURN", "500"))
PRODUCE_MB = int(os.environ.get("PRODUCE_MB", "200"))
FERRY = os.environ.get("FERRY_BIN", ".build/release/ferry")


async def request(reader, writer, method, path, body=b"", content_type="application/json"):
    status, data, _ = await exchange(reader, writer, method, path, body, content_type)
    return status, data


class Run:
    def __init__(self, port):
        self.port = port
        self.status_counts = {}
        self.stop = asyncio.Event()
        self.answered_churn = 0

    def count(self, status):
        self.status_counts[status] = self.status_counts.get(status, 0) + 1

    async def connect(self):
        return await connect(self.port)

    async def held_long_poll(self, gate):
        async with gate:
            reader, writer = await self.connect()
        while not self.stop.is_set():
            try:
                status, _ = await request(reader, writer, "GET", "/v1/topics/idle/partitions/0/messages?offset=-1&wait_ms=30000")
            except (ConnectionError, asyncio.IncompleteReadError):
                return
            self.count(status)
        writer.close()

    async def churn_long_poll(self, partition, gate):
        async with gate:
            reader, writer = await self.connect()
        while not self.stop.is_set():
            try:
                status, _ = await request(
                    reader, writer, "GET", f"/v1/topics/busy/partitions/{partition}/messages?offset=-1&wait_ms=30000&limit=1")
            except (ConnectionError, asyncio.IncompleteReadError):
                return
            self.count(status)
            self.answered_churn += 1
        writer.close()

    def stalled_sse(self, partition):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.port))
        s.sendall(f"GET /v1/topics/busy/partitions/{partition}/messages?offset=-1 HTTP/1.1\r\nHost: t\r\n"
                  "Accept: text/event-stream\r\n\r\n".encode())
        return s  # never read

    async def probe(self, samples):
        reader, writer = await self.connect()
        body = json.dumps({"records": [{"value": {"probe": 1}}]}).encode()
        while not self.stop.is_set():
            t0 = time.perf_counter()
            status, _ = await request(reader, writer, "POST", "/v1/topics/probe/messages", body)
            t1 = time.perf_counter()
            self.count(status)
            status, _ = await request(reader, writer, "GET", "/v1/topics/probe/partitions/0/messages?offset=-1&limit=1")
            t2 = time.perf_counter()
            self.count(status)
            samples.append((t1 - t0, t2 - t1))
            await asyncio.sleep(0.05)
        writer.close()

    async def produce(self, megabytes):
        reader, writer = await self.connect()
        line = json.dumps({"v": "x" * 1000}).encode()
        body = b"\n".join([line] * 1000)
        for i in range(megabytes):
            status, _ = await request(reader, writer, "POST", f"/v1/topics/busy/messages?partition={i % 4}", body,
                                      "application/x-ndjson")
            self.count(status)
        writer.close()


def summary(samples):
    produce = [s[0] * 1000 for s in samples]
    fetch = [s[1] * 1000 for s in samples]
    return {"produce_p50_ms": round(percentile(produce, 0.5), 2), "produce_p99_ms": round(percentile(produce, 0.99), 2),
            "fetch_p50_ms": round(percentile(fetch, 0.5), 2), "fetch_p99_ms": round(percentile(fetch, 0.99), 2),
            "samples": len(samples)}


async def main():
    server = Server(FERRY, "--max-connections", "19000", "--idle-timeout-ms", "10000", prefix="ferry-held-")
    try:
        port = server.port
        run = Run(port)
        reader, writer = await run.connect()
        for name, partitions in (("idle", 1), ("busy", 4), ("probe", 1)):
            body = json.dumps({"name": name, "partitions": partitions}).encode()
            status, _ = await request(reader, writer, "POST", "/v1/topics", body)
            assert status == 201, status
        writer.close()

        rss = {"start_kib": server.status("RssAnon")}
        baseline = []
        probe = asyncio.create_task(run.probe(baseline))
        await asyncio.sleep(3)
        run.stop.set()
        await probe
        run.stop.clear()

        gate = asyncio.Semaphore(200)  # connect in waves
        tasks = [asyncio.create_task(run.held_long_poll(gate)) for _ in range(LONG_POLLS)]
        tasks += [asyncio.create_task(run.churn_long_poll(i % 4, gate)) for i in range(CHURN)]
        stalled = [run.stalled_sse(i % 4) for i in range(SSE)]
        await asyncio.sleep(3)
        rss["held_kib"] = server.status("RssAnon")
        rss["held_fds"] = server.descriptors()

        peak = [rss["held_kib"]]
        fd_samples = []
        sampling = True

        async def sampler():
            while sampling:
                peak.append(server.status("RssAnon"))
                fd_samples.append(server.descriptors())
                await asyncio.sleep(1)

        sample_task = asyncio.create_task(sampler())
        loaded = []
        probe = asyncio.create_task(run.probe(loaded))
        started = time.time()
        await run.produce(PRODUCE_MB)
        produce_seconds = time.time() - started
        await asyncio.sleep(15)  # past the idle timeout: stalled streams are cut off
        run.stop.set()
        await probe
        rss["after_cut_off_kib"] = server.status("RssAnon")
        sampling = False
        await sample_task
        for s in stalled:
            s.close()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(2)
        rss["peak_kib"] = max(peak)
        rss["end_kib"] = server.status("RssAnon")
        rss["end_file_backed_kib"] = server.status("RssFile")
        log = server.log()
        report = {
            "long_polls_held": LONG_POLLS, "churning_long_polls": CHURN, "churn_answers": run.answered_churn,
            "stalled_sse": SSE, "produced_mb": PRODUCE_MB, "produce_seconds": round(produce_seconds, 1),
            "rss": rss, "fds_max": max(fd_samples or [0]),
            "probe_before": summary(baseline), "probe_during": summary(loaded),
            "stalled_cut_off_log_lines": log.count("client stopped reading") + log.count("client does not read"),
            "statuses": run.status_counts,
            "server_errors": sum(v for k, v in run.status_counts.items() if k >= 500),
        }
        print(json.dumps(report, indent=2))
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(main())
