#!/usr/bin/env python3
"""Redis XADD -> XREAD BLOCK delivery latency with the same client shape as api-bench/client.py's Ferry
latency (raw sockets, one consumer connection blocked on the stream's end, one producer connection, one sample
per round, 2 ms between parking the read and producing). No dependencies: RESP by hand.

    redis_latency.py PORT SECONDS     prints: samples p50 p90 p99 max (ms), produce-ack p50 p99 (ms)
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api-bench"))
from client import report  # noqa: E402  (the same percentiles and output line as the Ferry side)


class RESP:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def send(self, *args):
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg if isinstance(arg, bytes) else str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.sock.sendall(b"".join(parts))

    def _line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b":"):
            return rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            while len(self.buffer) < size + 2:
                self.buffer += self.sock.recv(1 << 16)
            data, self.buffer = self.buffer[:size], self.buffer[size + 2:]
            return data
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self.reply() for _ in range(count)]
        raise RuntimeError(f"unexpected reply {line!r}")


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    consumer, producer = RESP(port), RESP(port)
    producer.send("DEL", "bench")
    producer.reply()
    last = "$"
    payload = b"x" * 100
    samples, acks = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        consumer.send("XREAD", "BLOCK", 5000, "COUNT", 10, "STREAMS", "bench", last)
        time.sleep(0.002)  # let the server park the blocked read before producing
        start = time.perf_counter_ns()
        producer.send("XADD", "bench", "*", "v", payload)
        answer = consumer.reply()
        delivered = time.perf_counter_ns()
        last = producer.reply().decode()
        acked = time.perf_counter_ns()
        if not answer:
            sys.exit("redis latency: XREAD returned nothing")
        samples.append((delivered - start) / 1e6)
        acks.append((acked - start) / 1e6)
    report(samples, acks)


if __name__ == "__main__":
    main()
