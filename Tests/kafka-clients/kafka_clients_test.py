#!/usr/bin/env python3
"""Ferry's Kafka-protocol listener driven by real Kafka clients, next to the HTTP API.

Runs against a live `ferry serve --kafka-port` (scripts/kafka-clients starts one): kcat 1.7 (metadata, consume
with JSON output, produce with keys and headers, offset-for-time, a balanced consumer group), confluent-kafka
(idempotent producer, assign and group consumers, commits, offsets_for_times, the AdminClient, the murmur2
partitioner, acks=0), kafka-python and aiokafka (produce, group consume, commit), plus garbage on a raw socket
and a write to an internal topic. Every case uses its own fresh topic names, so the cases are independent;
what went in over one protocol is checked over the other.

Usage: kafka_clients_test.py --http http://127.0.0.1:PORT --kafka 127.0.0.1:PORT [CASE ...]
(or FERRY_HTTP / FERRY_KAFKA in the environment). Prints "ok NAME" or "FAIL NAME" per case and closes with
"kafka-clients: N passed, M failed"; exit status 1 on any failure. Every wait and client call is bounded.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

CASE_SECONDS = 60  # hard bound on one case (SIGALRM), on top of each call's own timeout
HTTP = ""
KAFKA = ""
RUN = "%x%x" % (int(time.time()) & 0xFFFFFF, os.getpid())
KCAT = os.environ.get("FERRY_KCAT", "kcat")


def topic_name(case):
    return "kc-%s-%s" % (RUN, case)


# ---------------------------------------------------------------- HTTP

def http(method, path, body=None, content_type="application/json", timeout=10):
    """Returns (status, parsed JSON or raw bytes) of one request to the HTTP API."""
    data = None
    headers = {}
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    request = urllib.request.Request(HTTP + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def http_ok(method, path, body=None, content_type="application/json", expect=(200, 201, 204)):
    status, answer = http(method, path, body, content_type)
    if status not in expect:
        raise AssertionError("%s %s → %s %s" % (method, path, status, answer))
    return answer


def create_topic(name, partitions):
    answer = http_ok("POST", "/v1/topics", {"name": name, "partitions": partitions})
    check(answer["partition_count"] == partitions, "created topic %s: %s" % (name, answer))
    return answer


def end_offsets(name):
    answer = http_ok("GET", "/v1/topics/%s" % name)
    return {p["partition"]: p["end_offset"] for p in answer["partitions"]}


def fetch_all(name, partition, offset=0, limit=1000):
    return http_ok("GET", "/v1/topics/%s/partitions/%d/messages?offset=%d&limit=%d" % (name, partition, offset, limit))


def wait_group_caught_up(group, name, seconds=10):
    """Waits until GET /v1/groups/{group} shows, for every partition of the topic, a committed offset equal to
    the end offset and lag 0; returns the description, or fails with the last one seen."""
    ends = end_offsets(name)
    deadline = time.monotonic() + seconds
    last = None
    while True:
        status, last = http("GET", "/v1/groups/%s" % group)
        if status == 200:
            offsets = {o["partition"]: o for o in last.get("offsets", []) if o.get("topic") == name}
            if set(offsets) == set(ends) and all(
                    offsets[p]["committed_offset"] == ends[p] and offsets[p]["end_offset"] == ends[p]
                    and offsets[p]["lag"] == 0 for p in ends):
                return last
        if time.monotonic() > deadline:
            raise AssertionError("group %s never showed committed = end %s and lag 0 on %s; last answer %s %s"
                                 % (group, ends, name, status, last))
        time.sleep(0.2)


# ---------------------------------------------------------------- helpers

def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_equal(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def check_exactly_once(received, expected, who):
    counts = {}
    for value in received:
        counts[value] = counts.get(value, 0) + 1
    twice = sorted(v for v, n in counts.items() if n > 1)
    missing = sorted(set(expected) - set(counts))
    unexpected = sorted(set(counts) - set(expected))
    check(not twice and not missing and not unexpected,
          "%s received %d messages for %d: %d more than once %s, %d missing %s, unexpected %s"
          % (who, len(received), len(expected), len(twice), twice[:10], len(missing), missing[:10], unexpected[:10]))


def kcat(*args, stdin=None, timeout=15):
    """Runs kcat against the Kafka listener; returns (exit status, stdout bytes, stderr text)."""
    process = subprocess.run([KCAT, "-b", KAFKA, *args], input=stdin, capture_output=True, timeout=timeout)
    return process.returncode, process.stdout, process.stderr.decode(errors="replace")


def kcat_ok(*args, stdin=None, timeout=15):
    status, out, err = kcat(*args, stdin=stdin, timeout=timeout)
    check(status == 0, "kcat %s exited %d: %s" % (" ".join(args), status, err.strip()[-800:]))
    return out, err


def confluent_config(**extra):
    config = {"bootstrap.servers": KAFKA, "socket.timeout.ms": 10000}
    config.update(extra)
    return config


def producer_config(**extra):
    return confluent_config(**{"message.timeout.ms": 15000, **extra})


def delivery_recorder():
    """A confluent-kafka delivery callback and the list of (error, message) it fills."""
    reports = []

    def on_delivery(error, message):
        reports.append((error, message))
    return reports, on_delivery


def consume_confluent(consumer, count, seconds=20):
    """Polls a confluent-kafka consumer until `count` messages (errors fail); returns them."""
    from confluent_kafka import KafkaError
    messages = []
    deadline = time.monotonic() + seconds
    while len(messages) < count and time.monotonic() < deadline:
        for message in consumer.consume(num_messages=500, timeout=0.5):
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise AssertionError("consumer error: %s" % message.error())
            messages.append(message)
    check(len(messages) == count, "consumed %d of %d messages in %ds" % (len(messages), count, seconds))
    return messages


# ---------------------------------------------------------------- kcat

def test_kcat_metadata_lists_http_topic_and_internal_topics():
    name = topic_name("meta")
    create_topic(name, 5)
    out, _ = kcat_ok("-L", "-J")
    metadata = json.loads(out)
    topics = {t["topic"]: t for t in metadata["topics"]}
    check(name in topics, "kcat -L does not list %s: %s" % (name, sorted(topics)))
    check(not topics[name].get("error"), "topic %s has an error: %s" % (name, topics[name]))
    check_equal(sorted(p["partition"] for p in topics[name]["partitions"]), [0, 1, 2, 3, 4], "partitions of " + name)
    internal = sorted(t for t in topics if t.startswith("__ferry_"))
    check("__ferry_groups" in internal, "kcat -L lists no __ferry_groups; internal topics: %s" % internal)
    check(len(metadata.get("brokers", [])) == 1, "brokers: %s" % metadata.get("brokers"))
    # kcat -L -t TOPIC answers for that topic alone.
    out, _ = kcat_ok("-L", "-J", "-t", name)
    one = json.loads(out)
    check_equal([t["topic"] for t in one["topics"]], [name], "kcat -L -t topics")
    check_equal(len(one["topics"][0]["partitions"]), 5, "kcat -L -t partition count")


def test_http_to_kcat_byte_exact():
    name = topic_name("h2k")
    create_topic(name, 1)
    timestamp = 1764000000123
    produced = http_ok("POST", "/v1/topics/%s/messages" % name, b'{"records": [{"key": "customer-7", '
                       b'"value": {"id": 1, "n": 12345678901234567890}, "headers": {"source": "web"}, '
                       b'"timestamp": 1764000000123}]}')
    check_equal(produced["offsets"][0]["offset"], 0, "HTTP produce offset")
    check_equal(produced["offsets"][0]["timestamp"], timestamp, "HTTP produce timestamp")
    raw = b"\x00\xffraw\n bytes|\r\n\x7f\x80"
    produced = http_ok("POST", "/v1/topics/%s/messages?key=rawkey" % name, raw, "application/octet-stream")
    check_equal(produced["offsets"][0]["offset"], 1, "raw produce offset")
    raw_timestamp = produced["offsets"][0]["timestamp"]
    text = "plain text \u00e9\u00f6 \u2713".encode()
    http_ok("POST", "/v1/topics/%s/messages" % name, text, "text/plain")

    out, _ = kcat_ok("-C", "-e", "-q", "-J", "-t", name, "-p", "0", "-o", "beginning")
    # kcat writes payload bytes that are not UTF-8 as they are, inside its JSON strings.
    lines = [json.loads(line) for line in out.decode(errors="surrogateescape").split("\n") if line.strip()]
    check_equal(len(lines), 3, "kcat -J lines")
    first = lines[0]
    check_equal(first["key"], "customer-7", "key")
    check_equal(first["payload"], '{"id":1,"n":12345678901234567890}', "payload of the JSON value")
    check_equal(first["headers"], ["source", "web"], "headers")
    check_equal(first["ts"], timestamp, "timestamp")
    check_equal(first["tstype"], "create", "timestamp type")
    check_equal(first["offset"], 0, "offset")
    check_equal(first["partition"], 0, "partition")
    check_equal(lines[1]["payload"].encode(errors="surrogateescape"), raw, "payload of the raw value")
    check_equal(lines[1]["key"], "rawkey", "key of the raw value")
    check_equal(lines[1]["ts"], raw_timestamp, "timestamp of the raw value")
    check_equal(lines[2]["payload"], text.decode(), "payload of the text value")
    check_equal(lines[2]["key"], None, "key of the keyless text value")
    check_equal(lines[2]["offset"], 2, "offset of the text value")

    # The binary value, byte for byte, through kcat's format string too.
    out, _ = kcat_ok("-C", "-e", "-q", "-t", name, "-p", "0", "-o", "1", "-c", "1", "-f", "%o|%T|%K|%k|%S|%s")
    check_equal(out, b"1|%d|6|rawkey|%d|" % (raw_timestamp, len(raw)) + raw, "kcat output of the raw value")


def test_kcat_produce_to_http():
    name = topic_name("k2h")
    create_topic(name, 1)
    http_ok("POST", "/v1/topics/%s/messages" % name, {"records": [{"value": "before"}]})
    kcat_ok("-P", "-t", name, "-p", "0", "-K:", "-H", "source=cli", "-H", "trace=abc-1",
            stdin=b"k1:v1\nk2:{\"a\": 1}\nk3:third value\n")
    fetched = fetch_all(name, 0, offset=1)
    messages = fetched["messages"]
    check_equal([m["offset"] for m in messages], [1, 2, 3], "offsets")
    check_equal([m["key"] for m in messages], ["k1", "k2", "k3"], "keys")
    check_equal([m["value"] for m in messages], ["v1", '{"a": 1}', "third value"], "values (raw, as strings)")
    check_equal([m["headers"] for m in messages], [{"source": "cli", "trace": "abc-1"}] * 3, "headers")
    check(all("value_base64" not in m for m in messages), "UTF-8 values came back as value_base64: %s" % messages)
    now = time.time() * 1000
    check(all(abs(m["timestamp"] - now) < 60000 for m in messages), "timestamps: %s" % messages)
    check_equal(fetched["end_offset"], 4, "end offset")


def test_kcat_offset_for_timestamp():
    name = topic_name("q")
    create_topic(name, 1)
    base = 1764000000000
    records = [{"value": i, "timestamp": base + i * 1000} for i in range(5)]
    http_ok("POST", "/v1/topics/%s/messages" % name, {"records": records})
    for ts, expected in [(base, 0), (base + 1500, 2), (base + 2000, 2), (base + 4000, 4), (base - 1, 0)]:
        out, _ = kcat_ok("-Q", "-t", "%s:0:%d" % (name, ts))
        check_equal(out.decode().strip(), "%s [0] offset %d" % (name, expected), "kcat -Q at %d" % ts)
    # Past the last timestamp: Kafka answers offset -1 (no such message).
    out, _ = kcat_ok("-Q", "-t", "%s:0:%d" % (name, base + 10000))
    check_equal(out.decode().strip(), "%s [0] offset -1" % name, "kcat -Q past the end")


class KcatGroupMember:
    """One `kcat -G` balanced consumer in the background, its stdout lines and rebalance events collected."""

    def __init__(self, group, name):
        self.lines = []
        self.events = []
        self.process = subprocess.Popen(
            [KCAT, "-b", KAFKA, "-G", group, "-u", "-f", "%p %o %s\n",
             "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=6000",
             "-X", "heartbeat.interval.ms=300", name],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self.readers = [threading.Thread(target=self.read, args=(self.process.stdout, self.lines), daemon=True),
                        threading.Thread(target=self.read, args=(self.process.stderr, self.events), daemon=True)]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def read(stream, into):
        for line in stream:
            into.append(line.decode(errors="replace").rstrip("\n"))

    def assignment(self):
        """The partitions of the last rebalance event (None when the last one was a revoke or there was none)."""
        for event in reversed(self.events):
            if "rebalanced" in event and "assigned:" in event:
                parts = event.split("assigned:", 1)[1]
                return {int(p.split("[")[1].split("]")[0]) for p in parts.split(",") if "[" in p}
            if "rebalanced" in event and "revoked" in event:
                return None
        return None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for reader in self.readers:
            reader.join(timeout=2)


def test_kcat_balanced_group():
    name = topic_name("g")
    group = "kc-%s-kcat-group" % RUN
    create_topic(name, 4)
    http_ok("POST", "/v1/topics/%s/messages" % name,
            {"records": [{"key": "key-%d" % i, "value": "m%d" % i} for i in range(20)]})
    members = [KcatGroupMember(group, name)]
    try:
        deadline = time.monotonic() + 10
        while len(members[0].lines) < 20 and time.monotonic() < deadline and members[0].process.poll() is None:
            time.sleep(0.1)
        check(len(members[0].lines) == 20, "first kcat -G got %d of 20 messages; stderr: %s"
              % (len(members[0].lines), members[0].events[-10:]))
        members.append(KcatGroupMember(group, name))
        # Both members hold a share of the 4 partitions (the rebalance is over) before the second half is sent.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            a, b = members[0].assignment(), members[1].assignment()
            if a and b and not (a & b) and a | b == {0, 1, 2, 3}:
                break
            check(all(m.process.poll() is None for m in members), "a kcat -G exited: %s / %s"
                  % (members[0].events[-5:], members[1].events[-5:]))
            time.sleep(0.1)
        else:
            raise AssertionError("the group never split the 4 partitions over both members; events: %s / %s"
                                 % (members[0].events[-6:], members[1].events[-6:]))
        http_ok("POST", "/v1/topics/%s/messages" % name,
                {"records": [{"key": "key-%d" % i, "value": "m%d" % i} for i in range(20, 40)]})
        deadline = time.monotonic() + 10
        while sum(len(m.lines) for m in members) < 40 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything delivered twice shows up now
        # A JSON string value reaches Kafka as its JSON text, quotes included.
        check_exactly_once([line.split(" ", 2)[2] for m in members for line in m.lines],
                           ['"m%d"' % i for i in range(40)],
                           "the group (first member: %s; second: %s)" % (
                               [e for e in members[0].events if "rebalanced" in e or "FAIL" in e],
                               [e for e in members[1].events if "rebalanced" in e or "FAIL" in e]))
        check(all(m.lines for m in members[1:]), "the second member received nothing after the rebalance")
        # kcat sets `-X auto.commit.interval.ms` on the topic configuration, where librdkafka ignores it: the
        # auto-commit timer runs every 5 s (the default), so this waits up to 12 s for it.
        wait_group_caught_up(group, name, seconds=12)
    finally:
        for member in members:
            member.stop()


# ---------------------------------------------------------------- confluent-kafka

def test_confluent_idempotent_producer_and_consumers():
    from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
    name = topic_name("ck")
    create_topic(name, 3)
    reports, on_delivery = delivery_recorder()
    producer = Producer(producer_config(**{"enable.idempotence": True, "linger.ms": 5}))
    sent = {}
    for i in range(1000):
        key, value = b"key-%d" % (i % 37), b"value-%d" % i
        sent[value] = key
        producer.produce(name, value=value, key=key, on_delivery=on_delivery)
        producer.poll(0)
    check_equal(producer.flush(30), 0, "messages still queued after flush")
    errors = [str(error) for error, _ in reports if error is not None]
    check(not errors, "delivery errors: %s" % errors[:5])
    check_equal(len(reports), 1000, "delivery reports")
    ends = end_offsets(name)
    check_equal(sum(ends.values()), 1000, "HTTP end offsets %s" % ends)
    for partition in ends:
        delivered = sorted(m.offset() for _, m in reports if m.partition() == partition)
        check_equal(delivered, list(range(ends[partition])), "delivered offsets of partition %d" % partition)

    consumer = Consumer(confluent_config(**{"group.id": "kc-%s-unused" % RUN, "enable.auto.commit": False}))
    try:
        consumer.assign([TopicPartition(name, p, OFFSET_BEGINNING) for p in ends])
        messages = consume_confluent(consumer, 1000)
    finally:
        consumer.close()
    check_equal({m.value(): m.key() for m in messages}, sent, "values and keys read with assign()")
    for partition in ends:
        check_equal([m.offset() for m in messages if m.partition() == partition], list(range(ends[partition])),
                    "offsets read from partition %d" % partition)

    group = "kc-%s-ck-group" % RUN
    consumer = Consumer(confluent_config(**{"group.id": group, "enable.auto.commit": False,
                                            "auto.offset.reset": "earliest", "session.timeout.ms": 6000}))
    try:
        consumer.subscribe([name])
        messages = consume_confluent(consumer, 1000, seconds=25)
        check_exactly_once([m.value() for m in messages], list(sent), "the group")
        consumer.commit(asynchronous=False)
        committed = consumer.committed([TopicPartition(name, p) for p in ends], timeout=10)
        check_equal({tp.partition: tp.offset for tp in committed}, ends, "committed() offsets")
        check(all(tp.error is None for tp in committed), "committed() errors: %s" % committed)
        wait_group_caught_up(group, name, seconds=5)
    finally:
        consumer.close()


def test_confluent_offsets_for_times():
    from confluent_kafka import Consumer, Producer, TopicPartition
    name = topic_name("oft")
    create_topic(name, 1)
    base = 1764000000000
    reports, on_delivery = delivery_recorder()
    producer = Producer(producer_config())
    for i in range(10):
        producer.produce(name, value=b"v%d" % i, partition=0, timestamp=base + i * 1000, on_delivery=on_delivery)
    check_equal(producer.flush(15), 0, "messages still queued after flush")
    check(all(error is None for error, _ in reports), "delivery errors: %s" % reports)
    fetched = fetch_all(name, 0)["messages"]
    check_equal([m["timestamp"] for m in fetched], [base + i * 1000 for i in range(10)], "timestamps over HTTP")
    consumer = Consumer(confluent_config(**{"group.id": "kc-%s-oft" % RUN}))
    try:
        for ts, expected in [(base + 3500, 4), (base + 3000, 3), (base, 0), (base + 99000, -1)]:
            answer = consumer.offsets_for_times([TopicPartition(name, 0, ts)], timeout=10)
            check_equal(answer[0].offset, expected, "offsets_for_times(%d)" % ts)
            check(answer[0].error is None, "offsets_for_times error: %s" % answer[0].error)
    finally:
        consumer.close()


def test_confluent_admin_client():
    from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic
    name = topic_name("admin")
    admin = AdminClient({"bootstrap.servers": KAFKA, "socket.timeout.ms": 10000})
    admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)],
                        operation_timeout=10, request_timeout=10)[name].result(timeout=15)
    check_equal(http_ok("GET", "/v1/topics/%s" % name)["partition_count"], 3, "HTTP partition count after create")
    admin.create_partitions([NewPartitions(name, 5)], operation_timeout=10, request_timeout=10)[name].result(timeout=15)
    check_equal(http_ok("GET", "/v1/topics/%s" % name)["partition_count"], 5, "HTTP partition count after grow")
    listed = admin.list_topics(timeout=10)
    check(name in listed.topics, "list_topics lacks %s" % name)
    check_equal(sorted(listed.topics[name].partitions), [0, 1, 2, 3, 4], "list_topics partitions")
    # Creating it again is TOPIC_ALREADY_EXISTS.
    from confluent_kafka import KafkaError, KafkaException
    try:
        admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)],
                            request_timeout=10)[name].result(timeout=15)
        raise AssertionError("creating %s twice succeeded" % name)
    except KafkaException as error:
        check_equal(error.args[0].code(), KafkaError.TOPIC_ALREADY_EXISTS, "error of a second create")
    admin.delete_topics([name], operation_timeout=10, request_timeout=10)[name].result(timeout=15)
    status, answer = http("GET", "/v1/topics/%s" % name)
    check_equal(status, 404, "HTTP status of the deleted topic (%s)" % answer)
    check(name not in admin.list_topics(timeout=10).topics, "list_topics still shows the deleted topic")


def test_confluent_murmur2_partitioner_matches_http():
    from confluent_kafka import Producer
    name = topic_name("murmur")
    create_topic(name, 7)
    keys = ["customer-%d" % i for i in range(30)] + ["", "\u00e9t\u00e9", "a" * 100, "orders/2026/12"]
    produced = http_ok("POST", "/v1/topics/%s/messages" % name, {"records": [{"key": k, "value": 0} for k in keys]})
    by_http = {k: o["partition"] for k, o in zip(keys, produced["offsets"])}
    check(len(set(by_http.values())) > 3, "HTTP spread the keys over only %s" % set(by_http.values()))
    reports, on_delivery = delivery_recorder()
    producer = Producer(producer_config(partitioner="murmur2_random"))
    for key in keys:
        producer.produce(name, value=b"1", key=key.encode(), on_delivery=on_delivery)
    check_equal(producer.flush(15), 0, "messages still queued after flush")
    check(all(error is None for error, _ in reports), "delivery errors: %s" % [e for e, _ in reports if e])
    by_kafka = {m.key().decode(): m.partition() for _, m in reports}
    mismatches = {k: (by_http[k], by_kafka.get(k)) for k in keys if by_http[k] != by_kafka.get(k)}
    check(not mismatches, "key: (HTTP partition, librdkafka murmur2 partition): %s" % mismatches)


def test_confluent_acks_zero():
    from confluent_kafka import Producer
    name = topic_name("acks0")
    create_topic(name, 1)
    reports, on_delivery = delivery_recorder()
    producer = Producer(producer_config(acks=0, **{"linger.ms": 2}))
    for i in range(100):
        producer.produce(name, value=b"a0-%d" % i, on_delivery=on_delivery)
    check_equal(producer.flush(15), 0, "messages still queued after flush")
    check(all(error is None for error, _ in reports), "delivery errors: %s" % [e for e, _ in reports if e])
    deadline = time.monotonic() + 5
    while end_offsets(name)[0] < 100 and time.monotonic() < deadline:
        time.sleep(0.1)
    check_equal(end_offsets(name), {0: 100}, "HTTP end offsets after 100 acks=0 messages")
    values = [m["value"] for m in fetch_all(name, 0)["messages"]]
    check_equal(values, ["a0-%d" % i for i in range(100)], "values in order")


def test_internal_topic_is_not_writable():
    from confluent_kafka import KafkaError, Producer
    reports, on_delivery = delivery_recorder()
    producer = Producer(producer_config(**{"message.timeout.ms": 10000}))
    producer.produce("__ferry_groups", value=b"garbage", key=b"x", on_delivery=on_delivery)
    producer.flush(15)
    check_equal(len(reports), 1, "delivery reports")
    error = reports[0][0]
    check(error is not None, "producing to __ferry_groups succeeded (offset %s)" % reports[0][1].offset())
    check_equal(error.code(), KafkaError.TOPIC_AUTHORIZATION_FAILED, "error code (%s)" % error)


# ---------------------------------------------------------------- kafka-python

def test_kafka_python_produce_and_group_commit():
    from kafka import KafkaConsumer, KafkaProducer
    name = topic_name("kp")
    group = "kc-%s-kp-group" % RUN
    create_topic(name, 2)
    producer = KafkaProducer(bootstrap_servers=KAFKA, acks="all", request_timeout_ms=10000, max_block_ms=10000)
    try:
        futures = [producer.send(name, key=b"k%d" % (i % 5), value=b"kp-%d" % i) for i in range(200)]
        producer.flush(timeout=20)
        offsets = [f.get(timeout=10) for f in futures]
    finally:
        producer.close(timeout=5)
    ends = end_offsets(name)
    check_equal(sum(ends.values()), 200, "HTTP end offsets %s" % ends)
    for partition in ends:
        check_equal(sorted(o.offset for o in offsets if o.partition == partition), list(range(ends[partition])),
                    "acknowledged offsets of partition %d" % partition)

    consumer = KafkaConsumer(name, bootstrap_servers=KAFKA, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=500,
                             request_timeout_ms=15000, consumer_timeout_ms=1000)
    try:
        values = []
        deadline = time.monotonic() + 25
        while len(values) < 200 and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                values.extend(r.value for r in records)
        check_exactly_once(values, [b"kp-%d" % i for i in range(200)], "the group")
        consumer.commit()
        wait_group_caught_up(group, name, seconds=5)
    finally:
        consumer.close(autocommit=False)


# ---------------------------------------------------------------- aiokafka

def test_aiokafka_produce_and_group_commit():
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    name = topic_name("aio")
    group = "kc-%s-aio-group" % RUN
    create_topic(name, 3)

    async def produce():
        producer = AIOKafkaProducer(bootstrap_servers=KAFKA, request_timeout_ms=10000)
        await producer.start()
        try:
            return [await producer.send_and_wait(name, key=b"k%d" % (i % 7), value=b"aio-%d" % i)
                    for i in range(200)]
        finally:
            await producer.stop()

    async def consume():
        consumer = AIOKafkaConsumer(name, bootstrap_servers=KAFKA, group_id=group, auto_offset_reset="earliest",
                                    enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=500,
                                    request_timeout_ms=15000)
        await consumer.start()
        try:
            values = []
            deadline = time.monotonic() + 25
            while len(values) < 200 and time.monotonic() < deadline:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    values.extend(r.value for r in records)
            await consumer.commit()
            return values
        finally:
            await consumer.stop()

    metadata = asyncio.run(asyncio.wait_for(produce(), 30))
    ends = end_offsets(name)
    check_equal(sum(ends.values()), 200, "HTTP end offsets %s" % ends)
    for partition in ends:
        check_equal(sorted(m.offset for m in metadata if m.partition == partition), list(range(ends[partition])),
                    "acknowledged offsets of partition %d" % partition)
    values = asyncio.run(asyncio.wait_for(consume(), 35))
    check_exactly_once(values, [b"aio-%d" % i for i in range(200)], "the group")
    wait_group_caught_up(group, name, seconds=5)


# ---------------------------------------------------------------- bad input

def test_garbage_closes_the_connection_and_the_server_stays_healthy():
    host, port = KAFKA.rsplit(":", 1)
    frames = {
        "a 5-byte frame 'hello'": b"\x00\x00\x00\x05hello",
        "a frame size of 0x7fffffff": b"\x7f\xff\xff\xff" + b"\x00" * 64,
        "a negative frame size": b"\xff\xff\xff\xfe\x00\x12\x00\x00",
        "an HTTP request": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    }
    for what, data in frames.items():
        with socket.create_connection((host, int(port)), timeout=2) as connection:
            connection.sendall(data)
            connection.settimeout(2)
            started = time.monotonic()
            try:
                answer = connection.recv(65536)
            except socket.timeout:
                raise AssertionError("after %s the connection is still open after 2 s" % what)
            except ConnectionResetError:
                answer = b""  # closed with a reset: closed all the same
            check(answer == b"", "after %s the server answered %r instead of closing" % (what, answer[:64]))
            check(time.monotonic() - started < 2, "closing took too long")
    status, answer = http("GET", "/healthz")
    check_equal((status, answer), (200, {"status": "ok"}), "/healthz after garbage")
    out, _ = kcat_ok("-L", "-J")
    check("__ferry_groups" in {t["topic"] for t in json.loads(out)["topics"]}, "kcat -L after garbage")


# ---------------------------------------------------------------- runner

CASES = [
    test_kcat_metadata_lists_http_topic_and_internal_topics,
    test_http_to_kcat_byte_exact,
    test_kcat_produce_to_http,
    test_kcat_offset_for_timestamp,
    test_kcat_balanced_group,
    test_confluent_idempotent_producer_and_consumers,
    test_confluent_offsets_for_times,
    test_confluent_admin_client,
    test_confluent_murmur2_partitioner_matches_http,
    test_confluent_acks_zero,
    test_kafka_python_produce_and_group_commit,
    test_aiokafka_produce_and_group_commit,
    test_garbage_closes_the_connection_and_the_server_stays_healthy,
    test_internal_topic_is_not_writable,
]


class CaseTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise CaseTimeout("the case took longer than %d s" % CASE_SECONDS)


def main():
    global HTTP, KAFKA
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", default=os.environ.get("FERRY_HTTP", ""), help="http://127.0.0.1:PORT")
    parser.add_argument("--kafka", default=os.environ.get("FERRY_KAFKA", ""), help="127.0.0.1:PORT")
    parser.add_argument("cases", nargs="*", help="run only the cases whose name contains one of these")
    options = parser.parse_args()
    if not options.http or not options.kafka:
        parser.error("--http and --kafka (or FERRY_HTTP and FERRY_KAFKA) are required")
    HTTP, KAFKA = options.http.rstrip("/"), options.kafka
    cases = [c for c in CASES if not options.cases or any(s in c.__name__ for s in options.cases)]
    signal.signal(signal.SIGALRM, on_alarm)
    passed, failed = 0, []
    for case in cases:
        name = case.__name__[len("test_"):]
        started = time.monotonic()
        signal.alarm(CASE_SECONDS)
        try:
            case()
        except Exception as error:  # noqa: BLE001 — every failure is reported, then the next case runs
            signal.alarm(0)
            failed.append(name)
            print("FAIL %s (%.1fs): %s" % (name, time.monotonic() - started, error), flush=True)
            if not isinstance(error, (AssertionError, CaseTimeout)):
                traceback.print_exc(file=sys.stdout)
            continue
        signal.alarm(0)
        passed += 1
        print("ok   %s (%.1fs)" % (name, time.monotonic() - started), flush=True)
    print("kafka-clients: %d passed, %d failed%s" % (passed, len(failed), (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
