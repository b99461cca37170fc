import FerryKafkaWire
import FerryTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A Kafka client over one blocking loopback socket, as raw as the listener's tests need: frames built with
/// FerryKafkaWire's request encoders, responses read by their size prefix and decoded with its response
/// decoders. Every blocking call runs on a Dispatch thread (the cooperative pool has two threads here), and
/// every read is bounded by a receive timeout.
///
/// One reader and one writer at a time (a test drives it sequentially); `@unchecked Sendable` for the hops.
final class KafkaWireClient: @unchecked Sendable {
    enum Failure: Error, Equatable {
        case connect(errno: Int32)
        /// The server closed the connection, or the receive timeout passed, before a whole frame arrived.
        case closed
        case sendFailed
        case unexpectedCorrelation(expected: Int32, got: Int32)
    }

    let fd: Int32
    private var nextCorrelation: Int32 = 1

    init(port: Int, receiveTimeoutSeconds: Int = 10) throws(Failure) {
        guard let fd = LoopbackSocket.connect(port: port, receiveTimeoutSeconds: receiveTimeoutSeconds, noDelay: true)
        else { throw .connect(errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// A correlation id not used yet on this connection.
    func correlation() -> Int32 {
        defer { nextCorrelation += 1 }
        return nextCorrelation
    }

    /// A request frame: size, header (v1, or v2 when flexible), body.
    static func frame(
        _ api: Int16, version: Int16, correlation: Int32, clientID: String? = "ferry-test",
        body: (inout KafkaWriter) -> Void
    ) -> [UInt8] {
        KafkaRequestHeader(apiKey: api, apiVersion: version, correlationID: correlation, clientID: clientID)
            .frame(body)
    }

    static func frame(
        _ request: some KafkaRequestEncodable, version: Int16, correlation: Int32, clientID: String? = "ferry-test"
    ) -> [UInt8] {
        frame(type(of: request).api.rawValue, version: version, correlation: correlation, clientID: clientID) {
            request.encode(&$0, version: version)
        }
    }

    /// Sends bytes as they are (false when the peer closed).
    @discardableResult
    func send(_ bytes: [UInt8]) async -> Bool {
        (try? await onDispatchThread { [self] in sendNow(bytes) }) ?? false
    }

    private func sendNow(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// The next response frame: its correlation id and a reader over the rest (the body; response header v0).
    func readFrame() async throws -> (correlationID: Int32, body: KafkaReader) {
        let frame = try await onDispatchThread { [self] () throws(Failure) -> [UInt8] in
            let sizeBytes = try readExactly(4)
            let size = Int(sizeBytes[0]) << 24 | Int(sizeBytes[1]) << 16 | Int(sizeBytes[2]) << 8 | Int(sizeBytes[3])
            guard size >= 4, size < 64 << 20 else { throw .closed }
            return try readExactly(size)
        }
        var reader = KafkaReader(frame)
        let correlation = try reader.int32()
        return (correlation, reader)
    }

    private func readExactly(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                recv(fd, buffer.baseAddress.map { $0 + received }, count - received, 0)
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw .closed }
            received += n
        }
        return bytes
    }

    /// Reads the next frame, checks it answers `correlation`, decodes it as `Response` at `version`.
    func response<Response: KafkaResponseDecodable>(
        _ type: Response.Type, version: Int16, correlation: Int32
    ) async throws -> Response {
        var (got, body) = try await readFrame()
        guard got == correlation else { throw Failure.unexpectedCorrelation(expected: correlation, got: got) }
        return try Response.decode(&body, version: version)
    }

    /// Sends `request` and decodes its answer.
    func call<Response: KafkaResponseDecodable>(
        _ request: some KafkaRequestEncodable, version: Int16, expecting type: Response.Type
    ) async throws -> Response {
        let id = correlation()
        guard await send(Self.frame(request, version: version, correlation: id)) else { throw Failure.sendFailed }
        return try await response(type, version: version, correlation: id)
    }

    /// True when the server closes the connection (EOF or reset) within the receive timeout; whatever it sends
    /// before is discarded.
    func waitForClose() async -> Bool {
        (try? await onDispatchThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 4096, 0) }
                if n == 0 { return true }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return errno == ECONNRESET }
            }
        }) ?? false
    }
}

/// A request FerryKafkaWire can encode, and its API key.
protocol KafkaRequestEncodable {
    static var api: KafkaAPIKey { get }
    func encode(_ writer: inout KafkaWriter, version: Int16)
}

/// A response FerryKafkaWire can decode.
protocol KafkaResponseDecodable {
    static func decode(_ reader: inout KafkaReader, version: Int16) throws(KafkaWireError) -> Self
}

extension ApiVersionsRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .apiVersions } }
extension MetadataRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .metadata } }
extension ProduceRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .produce } }
extension FetchRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .fetch } }
extension OffsetCommitRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .offsetCommit } }
extension OffsetFetchRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .offsetFetch } }
extension SaslHandshakeRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .saslHandshake } }
extension SaslAuthenticateRequest: KafkaRequestEncodable { static var api: KafkaAPIKey { .saslAuthenticate } }

extension ApiVersionsResponse: KafkaResponseDecodable {}
extension MetadataResponse: KafkaResponseDecodable {}
extension ProduceResponse: KafkaResponseDecodable {}
extension FetchResponse: KafkaResponseDecodable {}
extension OffsetCommitResponse: KafkaResponseDecodable {}
extension OffsetFetchResponse: KafkaResponseDecodable {}
extension SaslHandshakeResponse: KafkaResponseDecodable {}
extension SaslAuthenticateResponse: KafkaResponseDecodable {}
