#!/usr/bin/env python3
"""Soak (issue 11): a mixed workload against one release `ferry serve` for MINUTES minutes, sampling the
server's memory, descriptors and request latency every 10 s. Not a test: it prints what it measured and exits
non-zero only when the run itself broke (a 5xx, a lost or duplicated queue ack, RSS growth over the bound).

    Benchmarks/soak.sh                 # 20 minutes
    MINUTES=2 Benchmarks/soak.sh

Workload (standard library only, one asyncio process, 127.0.0.1):
- produce: single JSON records every 5 ms and batches of 100 every 100 ms to `events` (4 partitions,
  4 MiB segments, retention 16 MiB per partition, so retention runs during the soak; `work` alike);
- fetch: a reader following partition 0 of `events` by offset (jumps to the start when retention passed it);
- long-poll: 8 clients waiting at the end of `events` (wait_ms 5000);
- SSE: 4 clients following `events` and reading every event;
- consumer group: 4 members of `soak` on `events`, fetching (wait_ms 1000) and committing;
- queue: numbered jobs produced to `work` (4 partitions) at 200/s, 8 workers receiving up to 10 (wait_ms 1000)
  and acking; every job must be acked `ok` exactly once;
- webhook: a subscription on `events` (batch_size 100) pushing to a receiver in this process.
Every 10 s: VmRSS, RssAnon (heap and stacks), the resident pages of the mapped log (segments and indexes under
the data dir: the pages being written, bounded by partitions × segment size, a sawtooth as segments fill and
roll), open descriptors, and the p99 of each request kind in the window.
Bounds checked, after warm-up (5 minutes, or a quarter of short runs), split into thirds: the median of VmRSS
without the mapped log, and of RssAnon, in the last third are ≤ 5 % over the middle third's (a leak keeps
growing; a plateau reached once does not); descriptors flat (± 16); zero 5xx; zero lost or duplicated queue
acks. The growth from the first third, whole VmRSS and the mapped log's range are reported too.
"""

import asyncio
import json
import os
import sys
import time

from ferry_load import Server, connect, exchange, percentile

MINUTES = float(os.environ.get("MINUTES", "20"))
# Retention reaches the small topics' steady size in about 4 minutes at this workload's rate.
WARM_UP_MINUTES = min(5.0, MINUTES / 4)
# A subset of the workload, to find which part a trend comes from (default: all of them).
WORKLOADS = set(os.environ.get("WORKLOADS", "produce,fetch,long_poll,sse,group,queue,webhook").split(","))
FERRY = os.environ.get("FERRY_BIN", ".build/release/ferry")
FSYNC = os.environ.get("FSYNC", "interval")


class HTTP:
    """One keep-alive HTTP/1.1 connection (Content-Length responses)."""

    def __init__(self, port, stats, kind):
        self.port, self.stats, self.kind = port, stats, kind
        self.reader = self.writer = None

    async def send(self, method, path, body=b"", content_type="application/json"):
        if self.writer is None:
            self.reader, self.writer = await connect(self.port)
        started = time.perf_counter()
        status, data, close = await exchange(self.reader, self.writer, method, path, body, content_type)
        self.stats.record(self.kind, status, time.perf_counter() - started)
        if close:
            self.writer.close()
            self.writer = None
        return status, (json.loads(data) if data and data[:1] in b"{[" else None)


class Stats:
    def __init__(self):
        self.window = {}
        self.statuses = {}
        self.errors = []

    def record(self, kind, status, seconds):
        self.window.setdefault(kind, []).append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.errors.append((kind, status))

    def take_window(self):
        window, self.window = self.window, {}
        out = {}
        for kind, values in window.items():
            out[kind] = round(percentile(values, 0.99) * 1000, 1)
        return out


class Soak:
    def __init__(self, port, stats):
        self.port, self.stats = port, stats
        self.stop = asyncio.Event()
        self.jobs_produced = 0
        self.jobs_acked = set()
        self.duplicate_acks = 0
        self.stale_acks = 0
        self.sse_events = 0
        self.webhook_messages = 0
        self.group_messages = 0

    def http(self, kind):
        return HTTP(self.port, self.stats, kind)

    async def setup(self):
        c = self.http("admin")
        # Small segments and retention: the log (and its in-memory indexes) reaches its steady size within the
        # warm-up, so growth after it is growth, not data the retention has not reached yet.
        config = {"segment_bytes": 4 << 20, "retention_bytes": 16 << 20}
        events = {"name": "events", "partitions": 4, "config": config}
        assert (await c.send("POST", "/v1/topics", json.dumps(events).encode()))[0] == 201
        work = {"name": "work", "partitions": 4, "config": config}
        assert (await c.send("POST", "/v1/topics", json.dumps(work).encode()))[0] == 201
        queue = {"name": "workers", "start": "earliest", "max_deliveries": 5}
        assert (await c.send("POST", "/v1/topics/work/queues", json.dumps(queue).encode()))[0] == 201

    async def every(self, seconds, action):
        while not self.stop.is_set():
            await action()
            await asyncio.sleep(seconds)

    async def produce_single(self):
        c, n = self.http("produce_single"), [0]

        async def one():
            n[0] += 1
            await c.send("POST", "/v1/topics/events/messages",
                         json.dumps({"records": [{"key": f"k{n[0] % 97}", "value": {"n": n[0]}}]}).encode())
        await self.every(0.005, one)

    async def produce_batch(self):
        c = self.http("produce_batch")
        body = json.dumps({"records": [{"value": {"batch": i, "pad": "p" * 200}} for i in range(100)]}).encode()
        await self.every(0.1, lambda: c.send("POST", "/v1/topics/events/messages", body))

    async def fetcher(self):
        c, offset = self.http("fetch"), [0]

        async def one():
            status, body = await c.send("GET", f"/v1/topics/events/partitions/0/messages?offset={offset[0]}&limit=500")
            if status == 200:
                offset[0] = body["next_offset"]
            elif status == 416:
                offset[0] = 0  # retention passed us: start over from the start offset
                status, body = await c.send("GET", "/v1/topics/events/partitions/0/messages?limit=1")
                offset[0] = body["start_offset"] if body else 0
        await self.every(0.05, one)

    async def long_poller(self, partition):
        c = self.http("long_poll")
        while not self.stop.is_set():
            await c.send("GET", f"/v1/topics/events/partitions/{partition}/messages?offset=-1&wait_ms=5000&limit=10")

    async def sse(self, partition):
        reader, writer = await connect(self.port)
        writer.write(f"GET /v1/topics/events/partitions/{partition}/messages?offset=-1 HTTP/1.1\r\nHost: soak\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        while not self.stop.is_set():
            chunk = await reader.read(1 << 16)
            if not chunk:
                break
            self.sse_events += chunk.count(b"event: message")
        writer.close()

    async def group_member(self, index):
        c = self.http("group")
        join = {"topics": ["events"], "auto_offset_reset": "latest", "session_timeout_ms": 30000}
        status, body = await c.send("POST", "/v1/groups/soak/members", json.dumps(join).encode())
        member = body["member_id"]
        while not self.stop.is_set():
            status, body = await c.send("GET", f"/v1/groups/soak/members/{member}/messages?wait_ms=1000&limit=500")
            if status == 200:
                self.group_messages += len(body["messages"])
                await c.send("POST", f"/v1/groups/soak/members/{member}/commit")
        await c.send("DELETE", f"/v1/groups/soak/members/{member}")

    async def job_producer(self):
        c = self.http("queue_produce")

        async def ten():
            records = [{"value": {"job": self.jobs_produced + i}} for i in range(10)]
            status, _ = await c.send("POST", "/v1/topics/work/messages", json.dumps({"records": records}).encode())
            if status == 200:
                self.jobs_produced += 10
        await self.every(0.05, ten)

    async def worker(self, draining):
        c = self.http("queue_receive_ack")
        receive = json.dumps({"max_messages": 10, "wait_ms": 1000, "lease_ms": 30000}).encode()
        while not draining.is_set() or len(self.jobs_acked) < self.jobs_produced:
            if draining.is_set() and time.time() > draining.deadline:
                return
            status, body = await c.send("POST", "/v1/topics/work/queues/workers/receive", receive)
            if status != 200 or not body["messages"]:
                continue
            receipts = [m["receipt"] for m in body["messages"]]
            jobs = {m["receipt"]: m["value"]["job"] for m in body["messages"]}
            status, acked = await c.send("POST", "/v1/topics/work/queues/workers/ack",
                                         json.dumps({"receipts": receipts}).encode())
            if status != 200:
                continue
            for result in acked["results"]:
                if result["status"] != "ok":
                    self.stale_acks += 1
                    continue
                job = jobs[result["receipt"]]
                if job in self.jobs_acked:
                    self.duplicate_acks += 1
                self.jobs_acked.add(job)

    async def webhook_receiver(self):
        async def handle(reader, writer):
            try:
                while True:
                    line = await reader.readline()
                    if not line:
                        break
                    length = 0
                    while True:
                        header = await reader.readline()
                        if header in (b"\r\n", b""):
                            break
                        name, _, value = header.decode().partition(":")
                        if name.lower() == "content-length":
                            length = int(value)
                    body = await reader.readexactly(length)
                    self.webhook_messages += len(json.loads(body)["messages"])
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                    await writer.drain()
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            writer.close()
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        return server, server.sockets[0].getsockname()[1]


async def main():
    server = Server(FERRY, "--fsync", FSYNC, "--retention-check-interval-ms", "2000", prefix="ferry-soak-")
    ok = True
    try:
        port = server.port
        stats = Stats()
        soak = Soak(port, stats)
        await soak.setup()
        receiver, receiver_port = await soak.webhook_receiver()
        if "webhook" in WORKLOADS:
            subscription = {"name": "hook", "url": f"http://127.0.0.1:{receiver_port}/", "batch_size": 100}
            assert (await soak.http("admin").send("POST", "/v1/topics/events/subscriptions",
                                                  json.dumps(subscription).encode()))[0] == 201

        draining = asyncio.Event()
        draining.deadline = 0
        chosen = {
            "produce": [soak.produce_single(), soak.produce_batch()], "fetch": [soak.fetcher()],
            "long_poll": [soak.long_poller(p % 4) for p in range(8)], "sse": [soak.sse(p) for p in range(4)],
            "group": [soak.group_member(i) for i in range(4)], "queue": [soak.job_producer()],
        }
        tasks = []
        for name, coroutines in chosen.items():
            for coroutine in coroutines:
                if name in WORKLOADS:
                    tasks.append(asyncio.create_task(coroutine))
                else:
                    coroutine.close()
        workers = [asyncio.create_task(soak.worker(draining)) for _ in range(8 if "queue" in WORKLOADS else 0)]

        samples = []
        started = time.time()
        end = started + MINUTES * 60
        print(" minute   VmRSS MiB  RssAnon MiB  log MiB  fds   p99 ms by kind", flush=True)
        while time.time() < end:
            await asyncio.sleep(10)
            sample = {"t": round((time.time() - started) / 60, 2), "rss": server.status("VmRSS"),
                      "anon": server.status("RssAnon"), "log": server.mapped_log_kib(), "fds": server.descriptors(),
                      "p99": stats.take_window()}
            sample["other"] = sample["rss"] - sample["log"]
            samples.append(sample)
            print(f"{sample['t']:7.2f} {sample['rss'] / 1024:10.1f} {sample['anon'] / 1024:12.1f} "
                  f"{sample['log'] / 1024:8.1f} {sample['fds']:5d}  "
                  f"{json.dumps(sample['p99'])}", flush=True)

        soak.stop.set()
        draining.deadline = time.time() + 60
        draining.set()
        await asyncio.gather(*workers, return_exceptions=True)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        receiver.close()
        await receiver.wait_closed()

        warm = [s for s in samples if s["t"] >= WARM_UP_MINUTES]
        base = warm[0] if warm else samples[0]
        last = samples[-1]
        # Growth is judged on medians of windows, not single samples: the mapped log's pages make VmRSS a
        # retention sawtooth, and the heap takes one step when glibc's per-thread arenas settle. A leak keeps
        # growing from the middle third of the run to the last third; a plateau does not.
        thirds = [warm[i * len(warm) // 3:(i + 1) * len(warm) // 3] for i in range(3)] if len(warm) >= 3 else [warm or samples] * 3

        def median(window, key):
            values = sorted(s[key] for s in window)
            return values[len(values) // 2]

        anon_growth = (median(thirds[2], "anon") - median(thirds[1], "anon")) / median(thirds[1], "anon") * 100
        rss_growth = (median(thirds[2], "rss") - median(thirds[1], "rss")) / median(thirds[1], "rss") * 100
        other_growth = (median(thirds[2], "other") - median(thirds[1], "other")) / median(thirds[1], "other") * 100
        anon_first_to_last = (median(thirds[2], "anon") - median(thirds[0], "anon")) / median(thirds[0], "anon") * 100
        fd_spread = max(s["fds"] for s in warm or samples) - min(s["fds"] for s in warm or samples)
        lost = set(range(soak.jobs_produced)) - soak.jobs_acked
        report = {
            "minutes": MINUTES, "fsync": FSYNC,
            "rss_after_warm_up_mib": round(base["rss"] / 1024, 1), "rss_end_mib": round(last["rss"] / 1024, 1),
            "anon_after_warm_up_mib": round(base["anon"] / 1024, 1), "anon_end_mib": round(last["anon"] / 1024, 1),
            "rss_growth_percent_middle_to_last_third": round(rss_growth, 2),
            "rss_without_mapped_log_growth_percent_middle_to_last_third": round(other_growth, 2),
            "mapped_log_min_max_mib": [round(min(s["log"] for s in warm or samples) / 1024, 1),
                                       round(max(s["log"] for s in warm or samples) / 1024, 1)],
            "anon_growth_percent_middle_to_last_third": round(anon_growth, 2),
            "anon_growth_percent_first_to_last_third": round(anon_first_to_last, 2),
            "fds_min_max_after_warm_up": [min(s["fds"] for s in warm or samples), max(s["fds"] for s in warm or samples)],
            "requests": sum(stats.statuses.values()), "statuses": stats.statuses, "server_errors": len(stats.errors),
            "queue_jobs_produced": soak.jobs_produced, "queue_jobs_acked": len(soak.jobs_acked),
            "queue_lost": len(lost), "queue_duplicate_acks": soak.duplicate_acks, "queue_stale_acks": soak.stale_acks,
            "sse_events": soak.sse_events, "group_messages": soak.group_messages,
            "webhook_messages": soak.webhook_messages,
        }
        print(json.dumps(report, indent=2))
        ok = (anon_growth <= 5 and other_growth <= 5 and fd_spread <= 16 and not stats.errors and not lost
              and soak.duplicate_acks == 0)
        print("soak: " + ("within bounds" if ok else "OUT OF BOUNDS"))
    finally:
        server.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
