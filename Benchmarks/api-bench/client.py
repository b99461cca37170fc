#!/usr/bin/env python3
"""Small raw-socket HTTP/1.1 client for api-bench.sh (keep-alive, no dependencies).

  client.py prefill PORT TOPIC COUNT        produce COUNT messages of 100 bytes (1 000 per request)
  client.py latency PORT TOPIC SECONDS      produce -> long-poll delivery latency, prints p50/p90/p99/max in ms
  client.py sse PORT TOPIC SECONDS          produce -> Server-Sent Events delivery latency, printed the same way
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


def latency(port, topic, seconds):
    consumer = Connection(port)
    producer = Connection(port)
    status, body = consumer.request("GET", f"/v1/topics/{topic}")
    if status != 200:
        sys.exit(f"latency: describe topic: HTTP {status} {body[:200]!r}")
    offset = json.loads(body)["partitions"][0]["end_offset"]
    payload = b"x" * 100
    samples = []
    produce_rtt = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        consumer.send("GET", f"/v1/topics/{topic}/partitions/0/messages?offset={offset}&limit=10&wait_ms=5000")
        time.sleep(0.002)  # let the server park the long-poll before producing
        start = time.perf_counter_ns()
        producer.send("POST", f"/v1/topics/{topic}/messages?partition=0", payload, "application/octet-stream")
        status, body = consumer.receive()
        delivered = time.perf_counter_ns()
        pstatus, _ = producer.receive()
        acked = time.perf_counter_ns()
        if status != 200 or pstatus != 200:
            sys.exit(f"latency: fetch HTTP {status}, produce HTTP {pstatus}")
        answer = json.loads(body)
        if not answer["messages"]:
            sys.exit("latency: long-poll returned no message")
        offset = answer["next_offset"]
        samples.append((delivered - start) / 1e6)
        produce_rtt.append((acked - start) / 1e6)
    report(samples, produce_rtt)


def sse(port, topic, seconds):
    """One stream follows the partition from its end; a producer sends one message per round (2 ms apart, as
    `latency` does) and the time until its event arrives on the stream is one sample."""
    producer = Connection(port)
    status, body = producer.request("GET", f"/v1/topics/{topic}")
    if status != 200:
        sys.exit(f"sse: describe topic: HTTP {status} {body[:200]!r}")
    offset = json.loads(body)["partitions"][0]["end_offset"]
    stream = Connection(port)
    stream.sock.sendall(f"GET /v1/topics/{topic}/partitions/0/messages?offset={offset} HTTP/1.1\r\n"
                        "Host: bench\r\nAccept: text/event-stream\r\n\r\n".encode())
    while b"\r\n\r\n" not in stream.buffer:
        stream._fill()
    head, _, stream.buffer = stream.buffer.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200") or b"chunked" not in head.lower():
        sys.exit(f"sse: stream answered {head[:200]!r}")
    events = b""  # the decoded body not yet split into events

    def next_event():
        nonlocal events
        while True:
            end = events.find(b"\n\n")
            if end >= 0:
                event, events = events[:end], events[end + 2:]
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
            events += stream.buffer[:size]
            stream.buffer = stream.buffer[size + 2:]

    payload = b"x" * 100
    samples = []
    produce_rtt = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.002)  # the same pacing as `latency`
        start = time.perf_counter_ns()
        producer.send("POST", f"/v1/topics/{topic}/messages?partition=0", payload, "application/octet-stream")
        event = next_event()
        delivered = time.perf_counter_ns()
        pstatus, _ = producer.receive()
        acked = time.perf_counter_ns()
        if pstatus != 200 or not event.startswith(f"id: {offset}\n".encode()):
            sys.exit(f"sse: produce HTTP {pstatus}, event {event[:80]!r} (expected offset {offset})")
        offset += 1
        samples.append((delivered - start) / 1e6)
        produce_rtt.append((acked - start) / 1e6)
    report(samples, produce_rtt)


def report(samples, produce_rtt):
    samples.sort()
    produce_rtt.sort()

    def pct(values, p):
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    print(f"{len(samples)} {pct(samples, 50):.3f} {pct(samples, 90):.3f} {pct(samples, 99):.3f} {samples[-1]:.3f} "
          f"{pct(produce_rtt, 50):.3f} {pct(produce_rtt, 99):.3f}")


if __name__ == "__main__":
    command, port, topic, amount = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if command == "prefill":
        prefill(port, topic, int(amount))
    elif command == "latency":
        latency(port, topic, float(amount))
    elif command == "sse":
        sse(port, topic, float(amount))
    else:
        sys.exit(__doc__)
