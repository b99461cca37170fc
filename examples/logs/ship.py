"""Log aggregation with `ferry produce --follow`: three hosts write access logs; one shipper per file follows it
into the topic `logs` (keyed by host); two consumer groups read everything (5xx per host, ERROR lines).

    ship.py BASE_URL FERRY_BIN WORK_DIR

While the hosts write, web-2's log is rotated (renamed, a new file started) and web-3's shipper is killed with
SIGKILL and started again. Checks: the topic holds every line exactly once; the 5xx counts per host and the
ERROR lines equal what the hosts wrote.
"""
import functools
import json
import os
import random
import signal
import subprocess
import sys
import time

BASE, FERRY, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ferry_http  # noqa: E402

call = functools.partial(ferry_http.call, BASE)
HOSTS = ["web-1", "web-2", "web-3"]
LINES = int(os.environ.get("LINES", "900"))  # per host
HERE = os.path.dirname(os.path.abspath(__file__))




def shipper(host):
    return subprocess.Popen(
        [FERRY, "produce", "logs", "--server", BASE, "--file", os.path.join(WORK, f"{host}.log"), "--follow",
         "--key", host, "--poll-interval-ms", "50"], stderr=subprocess.DEVNULL)


call("POST", "/v1/topics", {"name": "logs", "partitions": 3})
rng = random.Random(20261206)
written = {host: [] for host in HOSTS}
shippers = {host: shipper(host) for host in HOSTS}
for i in range(LINES):
    for host in HOSTS:
        status = rng.choice([200, 200, 200, 201, 304, 404, 500, 502, 503])
        level = "ERROR" if status >= 500 and rng.random() < 0.5 else "INFO"
        line = f"{host} {i} GET {status} /orders/{rng.randrange(1000)} {level} took={rng.randrange(1, 900)}ms"
        with open(os.path.join(WORK, f"{host}.log"), "a") as log:
            log.write(line + "\n")
        written[host].append(line)
    if i == LINES // 3:
        os.rename(os.path.join(WORK, "web-2.log"), os.path.join(WORK, "web-2.log.1"))  # logrotate
    if i == LINES // 2:
        shippers["web-3"].send_signal(signal.SIGKILL)
        shippers["web-3"].wait()
        shippers["web-3"] = shipper("web-3")
    if i % 50 == 0:
        time.sleep(0.05)
total = LINES * len(HOSTS)
counter = subprocess.Popen([sys.executable, os.path.join(HERE, "consumers.py"), BASE, "count5xx", str(total)],
                           stdout=subprocess.PIPE, text=True)
grep = subprocess.Popen([sys.executable, os.path.join(HERE, "consumers.py"), BASE, "grep", str(total)],
                        stdout=subprocess.PIPE, text=True)
counted, _ = counter.communicate(timeout=120)
grepped, _ = grep.communicate(timeout=120)
for process in shippers.values():
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)

problems = []
stored = sum(p["end_offset"] - p["start_offset"] for p in call("GET", "/v1/topics/logs")["partitions"])
if stored != total:
    problems.append(f"the topic holds {stored} lines for {total} written")
want_counts = {h: sum(1 for line in lines if line.split()[3].startswith("5")) for h, lines in written.items()}
try:
    got_counts = json.loads(counted.strip().splitlines()[-1])
except (ValueError, IndexError):
    got_counts = None
if counter.returncode != 0 or got_counts != want_counts:
    problems.append(f"5xx per host: got {got_counts}, want {want_counts}")
want_errors = sorted(f"{h}: {line}" for h, lines in written.items() for line in lines if " ERROR " in line)
if grep.returncode != 0 or sorted(grepped.splitlines()) != want_errors:
    problems.append(f"grep: {len(grepped.splitlines())} ERROR lines, want {len(want_errors)}")
print(f"logs: {len(HOSTS)} hosts x {LINES} lines shipped by `ferry produce --follow` (web-2 rotated, web-3's "
      f"shipper killed and restarted); {stored} stored; 5xx per host {got_counts}; {len(want_errors)} ERROR lines")
for problem in problems:
    print("logs: WRONG:", problem)
sys.exit(1 if problems else 0)
