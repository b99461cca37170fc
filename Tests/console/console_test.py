#!/usr/bin/env python3
"""Browser test of Ferry's web console: headless Chromium (Debian's chromium + chromium-driver) via Selenium.

Starts the built `ferry serve` (FERRY_BINARY, default .build/debug/ferry) on 127.0.0.1 with a free port and a
temporary data dir, puts data in through the public API (a topic with JSON messages, a message whose value is
HTML, a consumer group that consumed and committed and then fell behind, a queue), then drives the console:
the topic list with its live produce rate, the message browser (exact JSON, headers, the HTML value shown as
text and never run), the produce form, following a partition over SSE, the group's lag, the queue counts, the
charts (a topic's produce/fetch rate, a group's lag per partition, a queue's states: drawn, and moving while
messages are produced, fetched and received in bursts) and the subscriptions page. With --auth-file support in the server, it also checks that the page itself loads
without a token and that the API calls work once a token is entered.

Usage: Tests/console/console_test.py [--screenshot docs/console.png] [--keep]
Prints one line per check and closes with "console: N passed, M failed"; exit status 1 on any failure.
Every wait is bounded (10 s; 20 s for a chart to take its samples); the whole run takes about 20-30 s.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WAIT = 10  # seconds, for every browser wait
CHART_WAIT = 20  # seconds, for a chart to take samples on the console's 3 s refresh
HTML_VALUE = '<img src=x onerror="window.__ferryXSS=1"><b id="xss">bold</b><script>window.__ferryXSS=2</script>'
TOKEN = "console-test-token"


# ---------------------------------------------------------------- server and API

class Server:
    """`ferry serve` as a child process on a free loopback port."""

    def __init__(self, binary, data_dir, log_path, extra=()):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir, "--loops", "2", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.port = None
        deadline = time.monotonic() + 30
        while self.port is None and time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("ferry serve exited early:\n" + self.log_text())
            match = re.search(r"http://[0-9.]+:(\d+)", self.log_text()) or re.search(r"\bport=(\d+)", self.log_text())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("ferry serve printed no address:\n" + self.log_text())
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("ferry serve not ready:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, method, path, body=None, content_type="application/json", token=None):
        data = None
        headers = {}
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = "Bearer " + token
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
                is_json = "json" in (response.headers.get("Content-Type") or "")
                return response.status, (json.loads(text) if text and is_json else text or None)
        except urllib.error.HTTPError as error:
            text = error.read().decode()
            return error.code, (json.loads(text) if text.startswith("{") else text)

    def ok(self, method, path, body=None, content_type="application/json", token=None):
        status, data = self.request(method, path, body, content_type, token)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status} {data}")
        return data

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def seed(server, token=None):
    """Data for the checks: 7 messages on orders (4 consumed and committed by group billing, then 3 more)."""
    call = lambda method, path, body=None, ct="application/json": server.ok(method, path, body, ct, token)
    call("POST", "/v1/topics", {"name": "orders", "partitions": 2})
    call("POST", "/v1/topics/orders/messages", '{"records": ['
         '{"key": "customer-7", "value": {"id": 1, "total": 9.50, "big": 12345678901234567890},'
         ' "headers": {"source": "web"}, "partition": 0},'
         '{"key": "customer-8", "value": {"id": 2, "total": 12.00}, "partition": 1},'
         '{"value": [1, 2, 3], "partition": 1}]}')
    call("POST", "/v1/topics/orders/messages?partition=0&key=html", HTML_VALUE, "text/plain")
    call("POST", "/v1/topics/orders/queues", {"name": "work", "start": "earliest"})
    joined = call("POST", "/v1/groups/billing/members", {"topics": ["orders"], "auto_offset_reset": "earliest"})
    member = joined["member_id"]
    fetched = call("GET", f"/v1/groups/billing/members/{member}/messages?limit=100")
    assert len(fetched["messages"]) == 4, fetched
    call("POST", f"/v1/groups/billing/members/{member}/commit")
    call("DELETE", f"/v1/groups/billing/members/{member}")
    call("POST", "/v1/topics/orders/messages", '{"records": [{"value": {"late": 1}, "partition": 0},'
         '{"value": {"late": 2}, "partition": 0}, {"value": {"late": 3}, "partition": 0}]}')


# ---------------------------------------------------------------- browser

def make_driver():
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1440,1250", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(service=service, options=options)


def wait_for(driver, description, predicate, timeout=WAIT):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=[StaleElementReferenceException]) \
            .until(lambda d: predicate(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {description}") from None


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


# The console re-renders its tables on every poll (3 s): read and click through one script call, so that no
# element reference outlives a re-render.
def text_of(driver, selector):
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
                                 selector)


def texts_of(driver, selector):
    return driver.execute_script("return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText);",
                                 selector)


def chart_series(driver, chart):
    """{series: {"points": n, "last": value or None}} of the <svg data-chart=chart>, or None when not drawn."""
    return driver.execute_script("""
        const chart = document.querySelector('svg[data-chart="' + arguments[0] + '"]');
        if (!chart) return null;
        const out = {};
        for (const line of chart.querySelectorAll("polyline[data-series]")) {
          const points = (line.getAttribute("points") || "").trim();
          const last = line.getAttribute("data-last");
          out[line.getAttribute("data-series")] = {
            points: points ? points.split(/\\s+/).length : 0, last: last === null ? null : Number(last) };
        }
        return out;""", chart)


class Bursts:
    """Calls `burst` at most every `every` seconds: traffic in a few bursts while a wait polls the page."""

    def __init__(self, burst, every=0.7):
        self.burst, self.every, self.last, self.count = burst, every, 0.0, 0

    def __call__(self):
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self.count += 1
            self.burst()


def click(driver, selector):
    assert driver.execute_script("const e = document.querySelector(arguments[0]); if (e) e.click(); return !!e;",
                                 selector), f"nothing to click at {selector}"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, body):
        try:
            body()
        except Exception as error:  # report and go on: later checks may still say something useful
            self.failed += 1
            print(f"FAIL {name}: {error}", flush=True)
            return False
        self.passed += 1
        print(f"ok   {name}", flush=True)
        return True


def console_checks(checks, driver, server, screenshot):
    base = server.base

    def page_loads():
        driver.get(base + "/ui")  # redirects to /ui/
        wait_for(driver, "the page title", lambda d: d.title == "Ferry console")
        assert driver.current_url.endswith("/ui/"), driver.current_url

    def lists_topics():
        wait_for(driver, "the orders row", lambda d: css(d, '#topics-table tr[data-topic="orders"]'))
        count = text_of(driver, '#topics-table tr[data-topic="orders"] .messages')
        assert count == "7", count
        wait_for(driver, "a produce rate in msg/s",
                 lambda d: text_of(d, '#topics-table tr[data-topic="orders"] .rate').endswith("msg/s"))

    def shows_messages():
        click(driver, '#topics-table tr[data-topic="orders"] a')
        wait_for(driver, "the partitions table", lambda d: css(d, "#partitions-table tbody tr"))
        assert len(css(driver, "#partitions-table tbody tr")) == 2
        wait_for(driver, "messages of partition 0", lambda d: css(d, '#messages .msg[data-offset="0"]'))
        first = css(driver, '#messages .msg[data-offset="0"]')[0]
        value = first.find_element(By.CSS_SELECTOR, ".msg-value").text
        assert '"total": 9.50' in value and "12345678901234567890" in value, value  # exact, pretty-printed
        assert "source: web" in first.text and '"customer-7"' in first.text, first.text

    def html_value_is_text():
        card = css(driver, '#messages .msg[data-offset="1"]')[0]
        assert card.find_element(By.CSS_SELECTOR, ".msg-value").text == HTML_VALUE
        assert not css(driver, "#messages img, #messages b, #messages script, #xss")
        assert driver.execute_script("return window.__ferryXSS") is None

    def follows_partition():
        Select(css(driver, "#browse-partition")[0]).select_by_value("0")
        css(driver, "#follow")[0].click()
        wait_for(driver, "the live stream", lambda d: "live" in (text_of(d, "#browse-status") or ""))
        server.ok("POST", "/v1/topics/orders/messages", {"records": [{"value": {"followed": True}, "partition": 0}]},
                  token=server.token)
        wait_for(driver, "the followed message", lambda d: any('"followed": true' in m.text for m in css(d, "#messages .msg")))
        if screenshot:
            driver.save_screenshot(screenshot)
        css(driver, "#follow")[0].click()

    def produce_form():
        Select(css(driver, "#produce-partition")[0]).select_by_value("1")
        css(driver, "#produce-key")[0].send_keys("from-console")
        css(driver, "#produce-value")[0].send_keys('{"note": "typed in the console", "n": 1.10}')
        css(driver, "#produce-headers")[0].send_keys("origin: console")
        css(driver, "#produce-form button[type=submit]")[0].click()
        wait_for(driver, "the produce result", lambda d: "stored in partition 1" in (text_of(d, "#produce-status") or ""))
        fetched = server.ok("GET", "/v1/topics/orders/partitions/1/messages?offset=2", token=server.token)
        message = fetched["messages"][0]
        assert message["key"] == "from-console" and message["headers"] == {"origin": "console"}, message

    def group_lag():
        group = server.ok("GET", "/v1/groups/billing", token=server.token)
        lags = {o["partition"]: o["lag"] for o in group["offsets"]}
        assert lags[0] > 0, lags
        driver.get(base + "/ui/#/groups")
        total = sum(lags.values())
        wait_for(driver, "the billing row", lambda d: css(d, '#groups-table tr[data-group="billing"]'))
        wait_for(driver, "the group's total lag",
                 lambda d: text_of(d, '#groups-table tr[data-group="billing"] .lag') == str(total))
        click(driver, '#groups-table tr[data-group="billing"] a')
        for partition, lag in lags.items():
            wait_for(driver, f"lag of partition {partition}", lambda d, p=partition, l=lag:
                     text_of(d, f'#group-offsets tr[data-partition="{p}"] .lag') == str(l))
        assert text_of(driver, "#group-total-lag") == str(total)

    def queue_counts():
        driver.get(base + "/ui/#/queues")
        wait_for(driver, "the work queue", lambda d: css(d, '.queues-table tr[data-queue="work"]'))
        cells = texts_of(driver, '.queues-table tr[data-queue="work"] td')
        assert cells[:3] == ["orders", "work", "9"], cells  # topic, name, available (7 + followed + console)

    def subscriptions_page():
        driver.get(base + "/ui/#/subscriptions")
        wait_for(driver, "the subscriptions table", lambda d: css(d, ".subscriptions-table"))
        banner = css(driver, "#banner")[0]
        assert not banner.is_displayed(), banner.text

    def cluster_page():
        described = server.ok("GET", "/v1/cluster", token=server.token)
        node = described["nodes"][0]["node_id"]
        driver.get(base + "/ui/#/cluster")
        wait_for(driver, "this node's row", lambda d: css(d, f'#cluster-table tr[data-node="{node}"]'))
        cells = texts_of(driver, f'#cluster-table tr[data-node="{node}"] td')
        assert cells[2] == "alive" and cells[3] == str(described["nodes"][0]["owns"]["groups"]), cells

    def produce_charts(n, partition=None):
        records = [{"value": {"chart": i}, "partition": i % 2 if partition is None else partition} for i in range(n)]
        server.ok("POST", "/v1/topics/charts/messages", {"records": records}, token=server.token)

    def topic_chart():
        server.ok("POST", "/v1/topics", {"name": "charts", "partitions": 2}, token=server.token)
        driver.get(base + "/ui/#/topic/charts")
        wait_for(driver, "the topic-rates chart with a first produce point",
                 lambda d: ((chart_series(d, "topic-rates") or {}).get("produce") or {}).get("points", 0) >= 1,
                 CHART_WAIT)
        before = chart_series(driver, "topic-rates")
        assert set(before) == {"produce", "fetch"}, before
        assert "since this page opened, up to 15 min" in text_of(driver, ".chart-figure figcaption")
        assert driver.execute_script(
            "return [...document.querySelectorAll('svg[data-chart=topic-rates] text')].some((t) => t.textContent === 'now')")

        def burst():
            produce_charts(20)
            server.ok("GET", "/v1/topics/charts/partitions/0/messages?offset=0&limit=1000", token=server.token)
        bursts = Bursts(burst)

        def moved(d):
            bursts()
            now = chart_series(d, "topic-rates") or {}
            return all(now.get(k, {}).get("points", 0) > before[k]["points"] and (now[k]["last"] or 0) > 0
                       for k in ("produce", "fetch"))
        wait_for(driver, "produce and fetch lines that grow and end above 0", moved, CHART_WAIT)
        legend = texts_of(driver, ".legend .legend-item")
        assert any(t.startswith("produce ") and t.endswith("msg/s") for t in legend), legend
        if screenshot:  # the README's picture of the charts, next to the topic page's
            driver.save_screenshot(screenshot[:-len(".png")] + "-charts.png" if screenshot.endswith(".png")
                                   else screenshot + "-charts.png")

    def group_chart():
        joined = server.ok("POST", "/v1/groups/chartgrp/members", {"topics": ["charts"], "auto_offset_reset": "earliest"},
                           token=server.token)
        server.ok("POST", f"/v1/groups/chartgrp/members/{joined['member_id']}/commit", token=server.token)
        driver.get(base + "/ui/#/group/chartgrp")
        wait_for(driver, "a group-lag line per partition",
                 lambda d: set(chart_series(d, "group-lag") or {}) == {"charts/0", "charts/1"}, CHART_WAIT)
        before = chart_series(driver, "group-lag")
        bursts = Bursts(lambda: produce_charts(10))

        def moved(d):
            bursts()
            now = chart_series(d, "group-lag") or {}
            return all(now.get(k, {}).get("points", 0) > before[k]["points"]
                       and (now[k]["last"] or 0) > (before[k]["last"] or 0) for k in before)
        wait_for(driver, "lag lines that grow with traffic", moved, CHART_WAIT)
        lags = {f"charts/{o['partition']}": o["lag"]
                for o in server.ok("GET", "/v1/groups/chartgrp", token=server.token)["offsets"]}
        now = chart_series(driver, "group-lag")
        assert all(0 < now[k]["last"] <= lags[k] for k in lags), (now, lags)
        server.request("DELETE", f"/v1/groups/chartgrp/members/{joined['member_id']}", token=server.token)

    def queue_chart():
        server.ok("POST", "/v1/topics/charts/queues", {"name": "chartq", "start": "earliest"}, token=server.token)
        driver.get(base + "/ui/#/queues")
        wait_for(driver, "the chartq link", lambda d: css(d, '.queues-table tr[data-queue="chartq"] a[href="#/queue/charts/chartq"]'))
        click(driver, '.queues-table tr[data-queue="chartq"] a[href="#/queue/charts/chartq"]')
        series = {"available", "leased", "dead_lettered"}
        wait_for(driver, "the queue-state chart with its three lines",
                 lambda d: set(chart_series(d, "queue-state") or {}) == series, CHART_WAIT)
        before = chart_series(driver, "queue-state")
        assert before["leased"]["last"] == 0, before

        def burst():
            produce_charts(5)
            server.ok("POST", "/v1/topics/charts/queues/chartq/receive", {"max_messages": 3, "lease_ms": 600000},
                      token=server.token)
        bursts = Bursts(burst)

        def moved(d):
            bursts()
            now = chart_series(d, "queue-state") or {}
            return all(now.get(k, {}).get("points", 0) > before[k]["points"] for k in series) \
                and (now["leased"]["last"] or 0) > 0 and (now["available"]["last"] or 0) > 0
        wait_for(driver, "leased and available lines above 0", moved, CHART_WAIT)

    def no_script_errors():
        # Resource 404s (e.g. no subscription routes) are expected; script errors and CSP violations are not.
        errors = [e["message"] for e in driver.get_log("browser")
                  if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]
        assert not errors, errors

    for name, body in [
        ("page loads (/ui redirects to /ui/)", page_loads),
        ("topic list shows orders with its message count and produce rate", lists_topics),
        ("message browser shows exact pretty JSON with key and headers", shows_messages),
        ("an HTML value is shown as text and never run", html_value_is_text),
        ("follow (SSE through fetch) shows a message produced meanwhile", follows_partition),
        ("produce form stores a message with key, headers and partition", produce_form),
        ("consumer group lag per partition and in total", group_lag),
        ("queue counts", queue_counts),
        ("subscriptions page renders without an error", subscriptions_page),
        ("cluster page shows this node, alive, with what it owns", cluster_page),
        ("charts: topic produce and fetch rate draw and move with traffic", topic_chart),
        ("charts: group lag per partition draws and moves with traffic", group_chart),
        ("charts: queue available/leased/dead-lettered draw and move", queue_chart),
        ("no script errors or CSP violations in the browser log", no_script_errors),
    ]:
        checks.run(name, body)


def subscription_checks(checks, driver, server):
    """A webhook subscription to a closed port: shown with its state, paused, resumed and moved by seek."""
    status, body = server.request("POST", "/v1/topics/orders/subscriptions",
                                  {"name": "hook", "url": "http://127.0.0.1:9/hook", "start": "earliest",
                                   "max_attempts": 100})
    if status == 404 and isinstance(body, dict) and body.get("type") == "urn:ferry:error:not-found":
        print("skip subscription checks: this ferry has no subscription routes", flush=True)
        return
    row = 'tr[data-subscription="hook"]'
    state = lambda: server.ok("GET", "/v1/topics/orders/subscriptions/hook")["state"]

    def listed():
        assert status == 201, (status, body)
        driver.get(server.base + "/ui/#/subscriptions")
        wait_for(driver, "the hook row", lambda d: css(d, row))
        assert text_of(driver, row + " td:nth-child(4)") == "http://127.0.0.1:9/hook"
        wait_for(driver, "a state pill", lambda d: text_of(d, row + " .pill") in ("active", "failing"))

    def pause_and_resume():
        wait_for(driver, "the Pause button", lambda d: text_of(d, row + " .pause-toggle") == "Pause")
        click(driver, row + " .pause-toggle")
        wait_for(driver, "the paused state", lambda d: text_of(d, row + " .pill") == "paused" and state() == "paused")
        wait_for(driver, "the Resume button", lambda d: text_of(d, row + " .pause-toggle") == "Resume")
        click(driver, row + " .pause-toggle")
        wait_for(driver, "the resumed state", lambda d: state() != "paused")

    def seek_latest():
        click(driver, row + " .seek-open")
        wait_for(driver, "the seek form", lambda d: css(d, "#seek-form")[0].is_displayed())
        Select(css(driver, "#seek-form .seek-to")[0]).select_by_value("latest")
        click(driver, '#seek-form button[type="submit"]')
        wait_for(driver, "the seek result", lambda d: "seek done" in (text_of(d, "#seek-status") or ""))
        lag = server.ok("GET", "/v1/topics/orders/subscriptions/hook")["lag"]
        assert lag == 0, lag

    checks.run("subscriptions: listed with url and state", listed)
    checks.run("subscriptions: pause and resume from the console", pause_and_resume)
    checks.run("subscriptions: seek to latest from the console", seek_latest)


def auth_checks(checks, driver, server):
    """With --auth-file: the page loads without a token, asks for one, and works once given."""
    def page_open_without_token():
        status, _ = server.request("GET", "/ui/app.js")
        assert status == 200, status
        driver.get(server.base + "/ui/")
        driver.execute_script("localStorage.clear()")
        driver.get(server.base + "/ui/#/topics")
        wait_for(driver, "the token request", lambda d: "token" in css(d, "#banner")[0].text)

    def works_with_token():
        css(driver, "#token")[0].send_keys(TOKEN)
        css(driver, "#token-form button")[0].click()
        wait_for(driver, "the orders row", lambda d: css(d, '#topics-table tr[data-topic="orders"]'))

    checks.run("auth: the console loads without a token and asks for one", page_open_without_token)
    checks.run("auth: with the token the API calls succeed", works_with_token)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", help="write a PNG of the topic page here (e.g. docs/console.png)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    binary = os.environ.get("FERRY_BINARY", os.path.join(ROOT, ".build", "debug", "ferry"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"console: ferry binary not found at {binary} (swift build first, or set FERRY_BINARY)")

    temp = tempfile.mkdtemp(prefix="ferry-console-")
    screenshot = os.path.abspath(args.screenshot) if args.screenshot else os.path.join(temp, "console.png")
    checks = Checks()
    servers, driver = [], None
    started = time.monotonic()
    try:
        server = Server(binary, os.path.join(temp, "data"), os.path.join(temp, "ferry.log"))
        server.token = None
        servers.append(server)
        seed(server)
        driver = make_driver()
        console_checks(checks, driver, server, screenshot)
        subscription_checks(checks, driver, server)

        help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True).stdout
        if "--auth-file" in help_text:
            tokens = os.path.join(temp, "tokens.json")
            with open(tokens, "w") as f:
                json.dump({"tokens": [{"name": "console", "token": TOKEN,
                                       "rights": [{"right": "admin", "topics": "*"}]}]}, f)
            secured = Server(binary, os.path.join(temp, "data-auth"), os.path.join(temp, "ferry-auth.log"),
                             ["--auth-file", tokens])
            secured.token = TOKEN
            servers.append(secured)
            seed(secured, TOKEN)
            auth_checks(checks, driver, secured)
        else:
            print("skip auth checks: this ferry has no --auth-file", flush=True)
    except Exception as error:
        checks.failed += 1
        print(f"FAIL set-up: {error}", flush=True)
    finally:
        if driver is not None:
            driver.quit()
        for server in servers:
            server.stop()
        if checks.failed:
            for server in servers:
                print(f"--- server log ({server.log_path}) ---\n{server.log_text()[-4000:]}", flush=True)
        if args.keep or checks.failed:
            print(f"console: files kept in {temp}", flush=True)
        else:
            shutil.rmtree(temp, ignore_errors=True)
    if args.screenshot:
        print(f"console: screenshot written to {screenshot}", flush=True)
    print(f"console: took {time.monotonic() - started:.1f} s", flush=True)
    print(f"console: {checks.passed} passed, {checks.failed} failed", flush=True)
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
