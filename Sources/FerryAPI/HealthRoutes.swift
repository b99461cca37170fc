import Dispatch
import FerryBroker
import FerryHTTP
import Synchronization

/// `/healthz`, `/readyz`, `/metrics` (Prometheus text; see `FerryMetrics`).
extension FerryAPI {
    func addHealthRoutes(to router: inout Router) {
        router.add(.GET, "/healthz", needs: .open) { _, responder in
            responder.respond(.json(#"{"status":"ok"}"#))
        }
        router.add(.GET, "/readyz", needs: .open) { [self] _, responder in
            if !readiness.load(ordering: .acquiring) {
                responder.respond(.problem(.serviceUnavailable, slug: "unavailable", detail: "not ready"))
            } else if !broker.storage.isAvailable {
                responder.respond(
                    .problem(
                        .serviceUnavailable, slug: "unavailable", detail: "the storage cannot be reached",
                        headers: ["Retry-After": "1"]))
            } else {
                responder.respond(.json(#"{"status":"ok"}"#))
            }
        }
        router.add(.GET, "/metrics", needs: .open) { [self] _, responder in
            // A scrape walks every partition, group and queue: off the loop thread, so requests on this
            // loop are not delayed by it.
            DispatchQueue.global().async { [self] in
                responder.respond(
                    HTTPResponse(
                        status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                        body: metrics.render { collectMetrics(into: $0) }))
            }
        }
    }
}
