#!/usr/bin/env python3
"""Small raw-socket HTTP/1.1 client for api-bench.sh (keep-alive, no dependencies).

  client.py prefill PORT TOPIC COUNT        produce COUNT messages of 100 bytes (1 000 per request)
  client.py latency PORT TOPIC SECONDS      produce -> long-poll delivery latency, prints p50/p90/p99/max in ms
  client.py sse PORT TOPIC SECONDS          produce -> Server-Sent Events delivery latency, printed the same way
  client.py compare PORT LP_TOPIC SSE_TOPIC SECONDS
                                            both, samples interleaved (one long-poll, one SSE, ...): a line each
Each line: samples, delivery p50 p90 p99 max, produce answer p50 p99 (ms).
"""
import json
import socket
import sys
import time


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def send(self, method, path, body=b"", content_type="application/json"):
        head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n"
        if body or method == "POST":
            head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + body)

    def receive(self):
        """Reads one response; returns (status, body)."""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in self.buffer:
                    self._fill()
                size_line, _, self.buffer = self.buffer.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(self.buffer) < size + 2:
                    self._fill()
                body += self.buffer[:size]
                self.buffer = self.buffer[size + 2:]
                if size == 0:
                    return status, body
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, body

    def request(self, method, path, body=b"", content_type="application/json"):
        self.send(method, path, body, content_type)
        return self.receive()

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk


def prefill(port, topic, count):
    conn = Connection(port)
    value = b'"' + b"v" * 98 + b'"'
    per_request = 1000
    body = b'{"records":[' + b",".join([b'{"value":' + value + b"}"] * per_request) + b"]}"
    sent = 0
    pipeline = 8  # keep a few requests in flight
    in_flight = 0
    requests = (count + per_request - 1) // per_request
    issued = 0
    while issued < requests or in_flight:
        while issued < requests and in_flight < pipeline:
            conn.send("POST", f"/v1/topics/{topic}/messages", body)
            issued += 1
            in_flight += 1
        status, answer = conn.receive()
        in_flight -= 1
        if status != 200:
            sys.exit(f"prefill: HTTP {status}: {answer[:200]!r}")
        sent += per_request
    print(sent)


def end_offset(conn, topic):
    """Partition 0's end offset, from the topic's description."""
    status, body = conn.request("GET", f"/v1/topics/{topic}")
    if status != 200:
        sys.exit(f"describe topic {topic}: HTTP {status} {body[:200]!r}")
    return json.loads(body)["partitions"][0]["end_offset"]


PAYLOAD = b"x" * 100
PACING = 0.002  # between samples: the consumer is parked (or the stream idle) when the message is produced


def timed_produce(producer, topic, await_delivery):
    """Produces one message to partition 0 of `topic`, then calls `await_delivery` (which returns what a consumer
    received) and reads the produce's answer. Returns what was received, the produce's status and the delivery
    and answer times in ms, both from the produce's send."""
    start = time.perf_counter_ns()
    producer.send("POST", f"/v1/topics/{topic}/messages?partition=0", PAYLOAD, "application/octet-stream")
    received = await_delivery()
    delivered = time.perf_counter_ns()
    pstatus, _ = producer.receive()
    acked = time.perf_counter_ns()
    return received, pstatus, (delivered - start) / 1e6, (acked - start) / 1e6


class LongPollProbe:
    """A long-poll consumer of partition 0 of `topic`. A sample parks a fetch at the end of the partition,
    produces one message through `producer` 2 ms later and times its delivery (and the produce's answer)."""

    def __init__(self, port, topic, producer):
        self.topic, self.producer = topic, producer
        self.consumer = Connection(port)
        self.offset = end_offset(self.consumer, topic)

    def sample(self):
        self.consumer.send(
            "GET", f"/v1/topics/{self.topic}/partitions/0/messages?offset={self.offset}&limit=10&wait_ms=5000")
        time.sleep(PACING)  # let the server park the long-poll before producing
        (status, body), pstatus, delivery, answer_time = timed_produce(self.producer, self.topic, self.consumer.receive)
        if status != 200 or pstatus != 200:
            sys.exit(f"latency: fetch HTTP {status}, produce HTTP {pstatus}")
        answer = json.loads(body)
        if not answer["messages"]:
            sys.exit("latency: long-poll returned no message")
        self.offset = answer["next_offset"]
        return delivery, answer_time


class StreamProbe:
    """A Server-Sent Events stream following partition 0 of `topic` from its end. A sample produces one
    message through `producer` (2 ms after the last, as `LongPollProbe` does) and times its event's arrival."""

    def __init__(self, port, topic, producer):
        self.topic, self.producer = topic, producer
        self.offset = end_offset(producer, topic)
        self.stream = Connection(port)
        self.stream.sock.sendall(f"GET /v1/topics/{topic}/partitions/0/messages?offset={self.offset} HTTP/1.1\r\n"
                                 "Host: bench\r\nAccept: text/event-stream\r\n\r\n".encode())
        while b"\r\n\r\n" not in self.stream.buffer:
            self.stream._fill()
        head, _, self.stream.buffer = self.stream.buffer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") or b"chunked" not in head.lower():
            sys.exit(f"sse: stream answered {head[:200]!r}")
        self.events = b""  # the decoded body not yet split into events

    def next_event(self):
        stream = self.stream
        while True:
            end = self.events.find(b"\n\n")
            if end >= 0:
                event, self.events = self.events[:end], self.events[end + 2:]
                if event.startswith(b"id:"):  # not a keep-alive comment
                    return event
                continue
            while b"\r\n" not in stream.buffer:
                stream._fill()
            size_line, _, stream.buffer = stream.buffer.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                sys.exit("sse: the stream ended")
            while len(stream.buffer) < size + 2:
                stream._fill()
            self.events += stream.buffer[:size]
            stream.buffer = stream.buffer[size + 2:]

    def sample(self):
        time.sleep(PACING)
        event, pstatus, delivery, answer_time = timed_produce(self.producer, self.topic, self.next_event)
        if pstatus != 200 or not event.startswith(f"id: {self.offset}\n".encode()):
            sys.exit(f"sse: produce HTTP {pstatus}, event {event[:80]!r} (expected offset {self.offset})")
        self.offset += 1
        return delivery, answer_time


def measure(probes, seconds):
    """Takes samples from `probes` in turn (interleaved, so each sees the same machine) for `seconds`; prints one
    report line per probe, in order."""
    results = [([], []) for _ in probes]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for probe, (samples, produce_rtt) in zip(probes, results):
            delivery, acked = probe.sample()
            samples.append(delivery)
            produce_rtt.append(acked)
    for samples, produce_rtt in results:
        report(samples, produce_rtt)


def report(samples, produce_rtt):
    samples.sort()
    produce_rtt.sort()

    def pct(values, p):
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    print(f"{len(samples)} {pct(samples, 50):.3f} {pct(samples, 90):.3f} {pct(samples, 99):.3f} {samples[-1]:.3f} "
          f"{pct(produce_rtt, 50):.3f} {pct(produce_rtt, 99):.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    command, port = sys.argv[1], int(sys.argv[2])
    if command == "prefill":
        prefill(port, sys.argv[3], int(sys.argv[4]))
    elif command in ("latency", "sse"):
        producer = Connection(port)
        probe = (LongPollProbe if command == "latency" else StreamProbe)(port, sys.argv[3], producer)
        measure([probe], float(sys.argv[4]))
    elif command == "compare" and len(sys.argv) == 6:
        producer = Connection(port)
        measure([LongPollProbe(port, sys.argv[3], producer), StreamProbe(port, sys.argv[4], producer)],
                float(sys.argv[5]))
    else:
        sys.exit(__doc__)
