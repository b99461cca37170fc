"""The two readers of `logs`, each its own consumer group (so each sees every line):

    consumers.py BASE_URL count5xx EXPECTED_LINES   -> prints {"host": 5xx count} as JSON when all lines are read
    consumers.py BASE_URL grep EXPECTED_LINES       -> prints every line containing " ERROR " as it reads it

Each stops once its group has read EXPECTED_LINES lines (or after 90 s) and commits.
"""
import functools
import json
import os
import sys
import time

BASE, MODE, EXPECTED = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)




group = f"logs-{MODE}"
member = call("POST", f"/v1/groups/{group}/members",
              {"topics": ["logs"], "auto_offset_reset": "earliest", "auto_commit": True})["member_id"]
counts, seen = {}, 0
deadline = time.monotonic() + 90
while seen < EXPECTED and time.monotonic() < deadline:
    for message in call("GET", f"/v1/groups/{group}/members/{member}/messages?limit=1000&wait_ms=500")["messages"]:
        seen += 1
        line, host = message["value"], message["key"]
        if MODE == "count5xx":
            fields = line.split()
            if len(fields) > 3 and fields[3].startswith("5"):
                counts[host] = counts.get(host, 0) + 1
        elif " ERROR " in line:
            print(f"{host}: {line}", flush=True)
call("POST", f"/v1/groups/{group}/members/{member}/commit")
call("DELETE", f"/v1/groups/{group}/members/{member}")
if MODE == "count5xx":
    print(json.dumps(counts, sort_keys=True))
sys.exit(0 if seen == EXPECTED else 1)
