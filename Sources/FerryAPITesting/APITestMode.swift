/// How a test reaches the server under test (Hummingbird's `.router` / `.live`): write the test body once
/// against ``APIClient`` and run it either way, e.g. `@Test(arguments: APITestMode.allCases)`.
public enum APITestMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Through the server's router in this process (`InProcessRunner`): no socket, no event loop, no libcurl.
    /// Fast; the right default for API handler tests.
    case inProcess = "in-process"
    /// Over 127.0.0.1 with libcurl through the real HTTP server: framing, connections and HTTP metrics too.
    case live
    /// Over 127.0.0.1 like ``live``, with the Kafka storage engine on librdkafka's in-process mock cluster
    /// (3 brokers) instead of the embedded log: the same API tests, on `--storage kafka`.
    case kafka

    public var description: String { rawValue }
}
