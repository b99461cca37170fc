"""Typed clients generated from openapi.yaml, used against a live server (run by scripts/sdk-check).

    sdk_client_test.py GENERATED_DIR BASE_URL

GENERATED_DIR holds `ferry_client` (openapi-python-client) and `ferry_models.py` (datamodel-code-generator,
pydantic v2). Every call goes through the generated code; the checks are on the generated types, so a spec
change that turns a response into untyped data fails here.
"""
import sys

sys.path.insert(0, sys.argv[1])

import ferry_models  # noqa: E402
from ferry_client import Client  # noqa: E402
from ferry_client.api.produce import produce_messages  # noqa: E402
from ferry_client.api.queues import ack_queue_messages, create_queue, receive_queue_messages  # noqa: E402
from ferry_client.api.topics import create_topic, get_topic  # noqa: E402
from ferry_client.models import (  # noqa: E402
    CreateTopicRequest,
    GetTopicResponse404,
    ProduceRequest,
    QueueCreateRequest,
    QueueCreateRequestStart,
    QueueMessage,
    ReceiptsRequest,
    ReceiveRequest,
    ReceiveResponse,
    TopicDescription,
)

failures = []


def check(name, condition, detail=""):
    print(f"{'ok  ' if condition else 'FAIL'} {name}{'' if condition else ': ' + str(detail)}")
    if not condition:
        failures.append(name)


client = Client(base_url=sys.argv[2], raise_on_unexpected_status=True, timeout=30)

created = create_topic.sync(client=client, body=CreateTopicRequest.from_dict({"name": "sdk-orders", "partitions": 1}))
check("create_topic returns a TopicDescription", isinstance(created, TopicDescription), created)

missing = get_topic.sync("sdk-missing", client=client)
check("a 404 is a typed problem", isinstance(missing, GetTopicResponse404), missing)
check("the problem's type is the slug", getattr(missing, "type_", None) == "urn:ferry:error:topic-not-found", missing)

queue = create_queue.sync(
    "sdk-orders", client=client, body=QueueCreateRequest(name="workers", start=QueueCreateRequestStart.EARLIEST))
check("create_queue answers", queue is not None and not hasattr(queue, "type_"), queue)

records = [{"key": f"order-{i}", "value": {"id": i, "total": 12345678901234567890}} for i in range(3)]
produced = produce_messages.sync("sdk-orders", client=client, body=ProduceRequest.from_dict({"records": records}))
check("produce answers with offsets", len(getattr(produced, "offsets", [])) == 3, produced)

received = receive_queue_messages.sync(
    "sdk-orders", "workers", client=client, body=ReceiveRequest(max_messages=10, wait_ms=1000))
check("receive is a ReceiveResponse", isinstance(received, ReceiveResponse), received)
messages = received.messages if isinstance(received, ReceiveResponse) else []
check("every received message is a typed QueueMessage", len(messages) == 3 and all(
    isinstance(m, QueueMessage) for m in messages), messages)
check("keys, values and delivery counts come through", [(m.key, m.value["id"], m.delivery_count) for m in messages]
      == [(f"order-{i}", i, 1) for i in range(3)], messages)

acked = ack_queue_messages.sync(
    "sdk-orders", "workers", client=client, body=ReceiptsRequest.from_dict({"receipts": [m.receipt for m in messages]}))
results = getattr(acked, "results", [])
check("ack settles every receipt", [r.status for r in results] == ["ok"] * 3, acked)

# The pydantic models (second generator) read the same answers.
raw = client.get_httpx_client().post(
    "/v1/topics/sdk-orders/messages", json={"records": [{"value": "again"}]})
client.get_httpx_client().post("/v1/topics/sdk-orders/queues/workers/receive", json={"max_messages": 1})
fetched = client.get_httpx_client().get("/v1/topics/sdk-orders/partitions/0/messages", params={"offset": 0})
model = ferry_models.FetchResponse.model_validate_json(fetched.text)
check("pydantic FetchResponse holds typed Messages", all(isinstance(m, ferry_models.Message) for m in model.messages)
      and len(model.messages) == 4, model)
problem = client.get_httpx_client().get("/v1/topics/sdk-missing")
check("pydantic reads a problem", ferry_models.Problem.model_validate_json(problem.text).status == 404, problem.text)

print(f"sdk-check: {len(failures)} failed" if failures else "sdk-check: all client checks passed")
sys.exit(1 if failures else 0)
