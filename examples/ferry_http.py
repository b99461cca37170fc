"""The few lines of HTTP every example's Python uses (standard library only): a JSON call and reading a whole
topic back. Examples that want typed models use the generated client instead (see order-processing)."""
import json
import urllib.request


def call(base, method, path, body=None, headers=None):
    """`method path` with a JSON body; returns the parsed JSON answer (None when empty). Raises HTTPError on
    a non-2xx answer."""
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read()
        return json.loads(text) if text else None


def read_all(base, topic):
    """Every message of `topic`, partition by partition, in offset order."""
    out = []
    for partition in range(call(base, "GET", f"/v1/topics/{topic}")["partition_count"]):
        offset = 0
        while True:
            page = call(base, "GET", f"/v1/topics/{topic}/partitions/{partition}/messages?offset={offset}&limit=1000")
            out += page["messages"]
            if page["next_offset"] >= page["end_offset"]:
                break
            offset = page["next_offset"]
    return out
