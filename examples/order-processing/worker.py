"""One order worker: receives orders from the queue with the generated Ferry client, "fulfils" each good order
by producing it to `orders.fulfilled` with the order id as Idempotency-Key (so a redelivered order that was
already fulfilled is not fulfilled twice), then acks. A poison order makes it fail on purpose: it neither acks
nor releases, its lease runs out, and after `max_deliveries` Ferry moves it to the dead-letter topic.

    worker.py GENERATED_DIR BASE_URL
"""
import sys
import time

sys.path.insert(0, sys.argv[1])

from ferry_client import Client  # noqa: E402
from ferry_client.api.produce import produce_messages  # noqa: E402
from ferry_client.api.queues import ack_queue_messages, receive_queue_messages  # noqa: E402
from ferry_client.models import ProduceRequest, ReceiptsRequest, ReceiveRequest, ReceiveResponse  # noqa: E402

client = Client(base_url=sys.argv[2], timeout=30)
deadline = time.monotonic() + 120  # bounded: the orchestrator ends workers long before

while time.monotonic() < deadline:
    answer = receive_queue_messages.sync(
        "orders", "fulfilment", client=client, body=ReceiveRequest(max_messages=5, wait_ms=500, lease_ms=1500))
    if not isinstance(answer, ReceiveResponse):
        time.sleep(0.1)  # 503 while the server is busy, say: try again
        continue
    done = []
    for message in answer.messages:
        order = message.value
        if order.get("poison"):
            continue  # "crashes" on this order: no ack, the lease runs out
        # The same request for the same order whichever worker sends it: Ferry answers a repeated
        # Idempotency-Key with the first answer only when the request is the same (else 409).
        fulfilled = {"order": order["id"], "customer": order["customer"]}
        produced = produce_messages.sync(
            "orders.fulfilled", client=client, idempotency_key=f"order-{order['id']}",
            body=ProduceRequest.from_dict({"records": [{"key": order["customer"], "value": fulfilled}]}))
        if getattr(produced, "offsets", None):
            done.append(message.receipt)
    if done:
        ack_queue_messages.sync("orders", "fulfilment", client=client, body=ReceiptsRequest(receipts=done))
