"""Runs the metrics pipeline and compares `metrics.1m` with the exact answer.

    check.py BASE_URL
5 services (service.py) report 100 ms points for MINUTES simulated minutes at once; aggregator.py folds them
into per-minute min/max/avg; the check recomputes every minute from the same deterministic values.
"""
import functools
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service import START_MS, point_value  # noqa: E402

BASE = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)
MINUTES = int(os.environ.get("MINUTES", "3"))
SERVICES = ["api", "billing", "search", "auth", "checkout"]
HERE = os.path.dirname(os.path.abspath(__file__))




call("POST", "/v1/topics", {"name": "metrics", "partitions": 3})
call("POST", "/v1/topics", {"name": "metrics.1m", "partitions": 1})
aggregator = subprocess.Popen([sys.executable, os.path.join(HERE, "aggregator.py"), BASE, str(len(SERVICES))])
services = [subprocess.Popen([sys.executable, os.path.join(HERE, "service.py"), BASE, name, str(MINUTES)])
            for name in SERVICES]
failed = [s.args[3] for s in services if s.wait(timeout=120) != 0]
aggregated = aggregator.wait(timeout=150)

expected = {}
for name in SERVICES:
    for minute in range(MINUTES):
        values = [point_value(name, index) for index in range(minute * 600, (minute + 1) * 600)]
        expected[(name, START_MS + minute * 60_000)] = {
            "service": name, "minute": START_MS + minute * 60_000, "count": 600, "min": min(values),
            "max": max(values), "avg": round(sum(values) / 600, 6)}
page = call("GET", "/v1/topics/metrics.1m/partitions/0/messages?offset=0&limit=1000")
got = {(m["value"]["service"], m["value"]["minute"]): m["value"] for m in page["messages"]}
problems = []
if failed or aggregated != 0:
    problems.append(f"services failed: {failed}; aggregator exit {aggregated}")
if len(page["messages"]) != len(got):
    problems.append(f"{len(page['messages']) - len(got)} minutes written twice")
for key, want in expected.items():
    have = got.get(key)
    if have is None or any(abs(have[f] - want[f]) > 1e-6 if f == "avg" else have[f] != want[f] for f in want):
        problems.append(f"{key}: got {have}, want {want}")
if set(got) - set(expected):
    problems.append(f"unexpected minutes: {sorted(set(got) - set(expected))[:5]}")
print(f"metrics: {len(SERVICES)} services x {MINUTES} minutes x 600 points; {len(got)} minute summaries in "
      f"metrics.1m, {len(expected)} expected")
for problem in problems[:10]:
    print("metrics: WRONG:", problem)
sys.exit(1 if problems else 0)
