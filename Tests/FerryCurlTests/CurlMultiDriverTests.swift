import FerryTesting
import Synchronization
import Testing

@testable import FerryCurl

struct CurlMultiDriverTests {
    /// Submits and waits for the completion.
    func submitAndWait(_ driver: CurlMultiDriver, _ request: CurlRequest) async -> Result<CurlResponse, CurlError> {
        await withCheckedContinuation { continuation in
            driver.submit(request) { continuation.resume(returning: $0) }
        }
    }

    @Test func submit_RunsManyConcurrentTransfers_OverALimitedSetOfConnections() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let driver = try CurlMultiDriver(maxConnectionsPerHost: 4)
        let url = server.baseURL + "/echo"
        let results = await withTaskGroup(of: (Int, Result<CurlResponse, CurlError>).self) { group in
            for i in 0..<100 {
                group.addTask {
                    (i, await submitAndWait(driver, CurlRequest(method: "POST", url: url, body: Array("n\(i)".utf8))))
                }
            }
            var results: [Int: Result<CurlResponse, CurlError>] = [:]
            for await (i, result) in group { results[i] = result }
            return results
        }
        #expect(results.count == 100)
        for (i, result) in results {
            #expect((try? result.get().body) == Array("n\(i)".utf8))
        }
        #expect(server.acceptedConnections <= 4)
    }

    @Test func send_ReusesConnectionsAcrossSequentialTransfers() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let driver = try CurlMultiDriver()
        for i in 0..<5 {
            let response = try await driver.send(CurlRequest(url: server.baseURL + "/bytes/\(i * 1000)"))
            #expect(response.status == 200 && response.body.count == i * 1000)
        }
        #expect(server.acceptedConnections == 1)
    }

    @Test func send_ReportsErrorsPerTransfer() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let driver = try CurlMultiDriver()
        let refusedPort = LoopbackSocket.unusedPort()
        let refused = await submitAndWait(driver, CurlRequest(url: "http://127.0.0.1:\(refusedPort)/"))
        let timedOut = await submitAndWait(
            driver, CurlRequest(url: server.baseURL + "/hang", timeout: .milliseconds(200)))
        let tooLarge = await submitAndWait(
            driver, CurlRequest(url: server.baseURL + "/bytes/5000", maxResponseBytes: 100))
        let invalid = await submitAndWait(driver, CurlRequest(url: server.baseURL, headers: [("X", "a\nb")]))
        #expect(throws: CurlError.connectionRefused) { try refused.get() }
        #expect(throws: CurlError.timedOut) { try timedOut.get() }
        #expect(throws: CurlError.responseTooLarge(limit: 100)) { try tooLarge.get() }
        #expect(throws: CurlError.invalidRequest("header X")) { try invalid.get() }
        #expect(try await driver.send(CurlRequest(url: server.baseURL + "/echo")).status == 200)
    }

    @Test func cancel_CompletesAHangingTransferWithCancelled() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let driver = try CurlMultiDriver()
        let result = await withCheckedContinuation { continuation in
            let id = driver.submit(CurlRequest(url: server.baseURL + "/hang", timeout: .seconds(60))) {
                continuation.resume(returning: $0)
            }
            driver.cancel(id)
        }
        #expect(throws: CurlError.cancelled) { try result.get() }
    }

    @Test func send_ThrowsCancelled_WhenItsTaskIsCancelled() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let client = CurlHTTPClient()
        let task = Task { try await client.send(CurlRequest(url: server.baseURL + "/hang", timeout: .seconds(60))) }
        task.cancel()
        await #expect(throws: CurlError.cancelled) { try await task.value }
    }

    @Test func shutdown_CancelsUnfinishedAndLaterTransfers() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let driver = try CurlMultiDriver()
        let hanging = Task {
            await submitAndWait(driver, CurlRequest(url: server.baseURL + "/hang", timeout: .seconds(60)))
        }
        driver.shutdown()
        let hangingResult = await hanging.value
        #expect(throws: CurlError.cancelled) { try hangingResult.get() }
        let late = await submitAndWait(driver, CurlRequest(url: server.baseURL + "/echo"))
        #expect(throws: CurlError.cancelled) { try late.get() }
    }

    /// The synchronous `CurlHTTPClient.send` (an `async` context would pick the `async` overload).
    func blockingSend(_ request: CurlRequest) throws -> CurlResponse { try CurlHTTPClient().send(request) }

    @Test func discardBodyBeyondLimit_KeepsStatusAndFirstBytes_BothClientKinds() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let request = CurlRequest(
            url: server.baseURL + "/bytes/200000", maxResponseBytes: 1000, discardBodyBeyondLimit: true)
        let viaDriver = try await CurlMultiDriver().send(request)
        let viaBlocking = try blockingSend(request)
        for response in [viaDriver, viaBlocking] {
            #expect(response.status == 200 && response.bodyTruncated)
            #expect(response.body == (0..<1000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        }
        let small = try await CurlMultiDriver().send(
            CurlRequest(url: server.baseURL + "/bytes/10", maxResponseBytes: 1000, discardBodyBeyondLimit: true))
        #expect(small.body.count == 10 && !small.bodyTruncated)
    }

    @Test func resolve_PinsAMadeUpHostToLoopback_AndRedirectsAreNotFollowed() async throws {
        let server = try CurlTestServer.start()
        defer { server.stop() }
        let host = "pinned.ferry-test.invalid"
        let response = try await CurlMultiDriver().send(
            CurlRequest(
                url: "http://\(host):\(server.port)/redirect", resolve: ["\(host):\(server.port):127.0.0.1"],
                useEnvironmentProxy: false))
        #expect(response.status == 302 && response.bodyText == "moved")
    }

    @Test func resolve_RejectsEntryWithLineBreak() async throws {
        let result = await submitAndWait(
            try CurlMultiDriver(), CurlRequest(url: "http://127.0.0.1:1/", resolve: ["a:1:127.0.0.1\nx"]))
        #expect(throws: CurlError.invalidRequest("resolve entry contains a line break")) { try result.get() }
    }
}
