import FerryCurl
import FerryHTTP
import FerryServer
import FerryTesting
import FerryWebhooks
import Testing

/// The libcurl transport against a local receiver: what goes on the wire, and how its answers read as outcomes.
struct CurlWebhookTransportTests {
    let driver: CurlMultiDriver
    let transport: CurlWebhookTransport

    init() throws {
        driver = try CurlMultiDriver()
        transport = CurlWebhookTransport(driver: driver)
    }

    func send(_ attempt: WebhookAttempt) async -> WebhookOutcome {
        await withCheckedContinuation { continuation in
            transport.send(attempt) { continuation.resume(returning: WebhookOutcome($0, latency: .zero, now: 0)) }
        }
    }

    func send(
        _ url: String, pin: String? = nil, timeout: Duration = .seconds(10),
        headers: [(name: String, value: String)] = []
    )
        async -> WebhookOutcome
    {
        await send(
            WebhookAttempt(
                url: url, pin: pin, headers: headers, body: Array(#"{"subscription":"s","messages":[]}"#.utf8),
                timeout: timeout))
    }

    @Test func send_2xxIsDelivered_WithHeadersAndBodyAsSent() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let body = Array(#"{"subscription":"billing","messages":[{"offset":0}]}"#.utf8)
        let headers = WebhookHeaders.make(
            id: "msg_1", timestamp: 1_764_000_000, body: body, signer: try WebhookSigner(secret: "whsec_c2VjcmV0"),
            custom: [(name: "Authorization", value: "Bearer abc")])
        let outcome = await send(
            WebhookAttempt(url: receiver.baseURL + "/ok", pin: nil, headers: headers, body: body, timeout: .seconds(10))
        )
        guard case .delivered(status: 204, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        let request = try #require(receiver.requests.first)
        #expect(request.method == .POST && request.body == body)
        #expect(request.headers["Expect"] == nil)
        // Every header as made (the signature itself is checked in FerryWebhooksTests).
        for header in headers { #expect(request.headers[header.name] == header.value, "\(header.name)") }
        #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
        #expect(request.headers["Authorization"] == "Bearer abc")
        #expect(request.headers["Content-Type"] == "application/json")
    }

    @Test func send_500IsFailedWithStatus_AndNoRetryAfter() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let outcome = await send(receiver.baseURL + "/status/500")
        guard case .failed(status: 500, let error, retryAfter: nil, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(error.contains("500"))
    }

    @Test func send_410IsGone() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        guard case .gone = await send(receiver.baseURL + "/status/410") else {
            Issue.record("410 not gone")
            return
        }
    }

    @Test func send_429And503CarryRetryAfter_OtherStatusesDoNot() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let tooMany = await send(receiver.baseURL + "/retry/429?after=7")
        let unavailable = await send(receiver.baseURL + "/retry/503?after=2")
        let other = await send(receiver.baseURL + "/retry/500?after=7")
        #expect(tooMany == .failed(status: 429, error: "HTTP 429", retryAfter: .seconds(7), latency: tooMany.latency))
        #expect(unavailable.status == 503)
        if case .failed(_, _, let retryAfter, _) = unavailable { #expect(retryAfter == .seconds(2)) }
        if case .failed(_, _, let retryAfter, _) = other {
            #expect(retryAfter == nil)
        } else {
            Issue.record("\(other)")
        }
    }

    @Test func send_DoesNotFollowRedirects() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let outcome = await send(receiver.baseURL + "/redirect")
        guard case .failed(status: 302, _, _, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(receiver.requests.map(\.path) == ["/redirect"])
    }

    @Test func send_TimesOutWhenReceiverHangs() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let outcome = await send(receiver.baseURL + "/hang", timeout: .milliseconds(200))
        guard case .failed(status: nil, let error, retryAfter: nil, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(error.contains("timed out"))
    }

    @Test func send_ConnectionRefusedIsFailedWithoutStatus() async throws {
        let outcome = await send("http://127.0.0.1:\(LoopbackSocket.unusedPort())/ok")
        guard case .failed(status: nil, let error, retryAfter: nil, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(error.contains("refused"))
    }

    @Test func send_LargeResponseBodyStillGivesTheStatus() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let big = 1 << 20  // far above the 64 KiB limit
        guard case .delivered(status: 200, _) = await send(receiver.baseURL + "/big/200/\(big)") else {
            Issue.record("large 200 not delivered")
            return
        }
        #expect(await send(receiver.baseURL + "/big/503/\(big)").status == 503)
        guard case .gone = await send(receiver.baseURL + "/big/410/\(big)") else {
            Issue.record("large 410 not gone")
            return
        }
    }

    @Test func send_ConnectsToThePinnedAddress() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        // A made-up name that no resolver knows: only the pin can make it reach the receiver.
        let host = "hooks.ferry-test.invalid"
        let outcome = await send(
            "http://\(host):\(receiver.port)/ok", pin: "\(host):\(receiver.port):127.0.0.1")
        guard case .delivered(status: 204, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(receiver.requests.first?.headers["Host"] == "\(host):\(receiver.port)")
    }

    @Test func send_ReusesOneConnectionForSequentialDeliveries() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        for _ in 0..<5 { #expect(await send(receiver.baseURL + "/ok").status == 204) }
        #expect(receiver.requests.count == 5)
        // Reuse, not exactly one connection: on a starved machine libcurl may find the cached connection busy
        // being returned and open a second one; without reuse every delivery would have its own (5).
        #expect(Set(receiver.requests.map(\.remoteAddress)).count < 5)
    }

    @Test func cancel_CompletesWithCancelledFailure() async throws {
        let receiver = try WebhookTestServer.start()
        defer { receiver.stop() }
        let attempt = WebhookAttempt(
            url: receiver.baseURL + "/hang", pin: nil, headers: [], body: [], timeout: .seconds(30))
        let outcome = await withCheckedContinuation { continuation in
            let id = transport.send(attempt) {
                continuation.resume(returning: WebhookOutcome($0, latency: .zero, now: 0))
            }
            transport.cancel(id)
        }
        guard case .failed(status: nil, let error, _, _) = outcome else {
            Issue.record("unexpected \(outcome)")
            return
        }
        #expect(error.contains("cancelled"))
    }
}
