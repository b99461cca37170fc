"""Example webhook receiver for docker/compose.yaml: logs every delivery Ferry POSTs and answers 204.

Standard library only. It does not verify `webhook-signature`; a real receiver should (Standard Webhooks:
base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" with the subscription's secret).
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            batch = json.loads(body)
            messages = batch.get("messages", [])
            summary = f"subscription={batch.get('subscription')} messages={len(messages)}"
        except (ValueError, AttributeError):
            messages, summary = [], f"unparsable body of {length} bytes"
        print(f"delivery webhook-id={self.headers.get('webhook-id')} {summary}", flush=True)
        for message in messages:
            print("  " + json.dumps(message, separators=(",", ":")), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):  # the delivery line above is the log
        pass


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "9000"))
    print(f"webhook receiver listening on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Receiver).serve_forever()
