"""One simulated service: reports a latency point every 100 ms of its own clock for MINUTES minutes, as
NDJSON batches (one line per point) keyed by the service name, then a last `{"done": true}` line.

    service.py BASE_URL NAME MINUTES
The points' timestamps are simulated (from a fixed minute boundary, 100 ms apart) so that a 3-minute run takes
seconds; the values are a deterministic function of (service, index), so the checker can recompute them.
"""
import sys
import urllib.request

START_MS = 1_764_000_000_000 // 60_000 * 60_000  # a minute boundary


def point_value(service, index):
    return round(20 + (hash_int(service) * 31 + index * 7919) % 1000 / 10, 1)


def hash_int(text):
    value = 0
    for ch in text.encode():
        value = (value * 131 + ch) % 1_000_003
    return value


def post(base, name, lines):
    body = ("\n".join(lines) + "\n").encode()
    request = urllib.request.Request(
        f"{base}/v1/topics/metrics/messages?key={name}", data=body, method="POST",
        headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


if __name__ == "__main__":
    BASE, NAME, MINUTES = sys.argv[1], sys.argv[2], int(sys.argv[3])
    batch = []
    for index in range(MINUTES * 600):
        ts = START_MS + index * 100
        batch.append(f'{{"service":"{NAME}","ts":{ts},"latency_ms":{point_value(NAME, index)}}}')
        if len(batch) == 100:  # ten seconds of points per request
            post(BASE, NAME, batch)
            batch = []
    batch.append(f'{{"service":"{NAME}","done":true}}')
    post(BASE, NAME, batch)
