"""Shared pieces of the Python load scripts (held-requests.py, soak.py): starting a release `ferry serve` on a
free loopback port with its own data dir, reading /proc, and one keep-alive HTTP/1.1 exchange over asyncio
streams. Standard library only."""

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time


class Server:
    """`ferry serve --port 0` over a temporary data dir; the port is read from its start-up line."""

    def __init__(self, binary, *arguments, prefix="ferry-load-"):
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.log_path = os.path.join(self.work, "ferry.log")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--data-dir", os.path.join(self.work, "data"), *arguments],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        self.port = None
        for _ in range(300):  # ≤ 30 s
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log())
            if match:
                self.port = int(match.group(1))
                break
            time.sleep(0.1)
        if self.port is None:
            self.stop()
            raise RuntimeError("ferry serve did not start:\n" + self.log())

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def status(self, field):
        """A /proc/PID/status field in KiB (VmRSS, RssAnon, RssFile)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return -1

    def mapped_log_kib(self):
        """Resident KiB of the mappings of files under the data dir (the log's segments and indexes)."""
        data = os.path.join(self.work, "data")
        total, inside = 0, False
        with open(f"/proc/{self.pid}/smaps") as f:
            for line in f:
                fields = line.split()
                if fields and "-" in fields[0] and not fields[0].endswith(":"):
                    inside = len(fields) > 5 and fields[5].startswith(data)
                elif inside and fields and fields[0] == "Rss:":
                    total += int(fields[1])
        return total

    def descriptors(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.work, ignore_errors=True)


async def exchange(reader, writer, method, path, body=b"", content_type="application/json"):
    """One HTTP/1.1 request on a keep-alive connection; returns (status, body bytes, server closes)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: load\r\nContent-Length: {len(body)}\r\n"
    if body:
        head += f"Content-Type: {content_type}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length, close = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection" and value.strip().lower() == "close":
            close = True
    data = await reader.readexactly(length) if length else b""
    return status, data, close


async def connect(port):
    return await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]
