/// Sends one prepared webhook POST and reports how it went: the seam between delivery (retries, backoff,
/// ordering, dead-lettering) and the wire. libcurl is one conformance (the server's `CurlWebhookTransport`);
/// tests use an in-process one that records attempts and answers them by hand.
///
/// Contract for conformances:
/// - ``send(_:completion:)`` and ``cancel(_:)`` may be called from any thread and never block (no I/O, no
///   waiting for the transfer): they queue work and return.
/// - `completion` is called **exactly once** per ``send(_:completion:)``, on a thread the transport owns (for
///   libcurl: its one driver thread), possibly before `send` returns. It must not block or do more than hand
///   the result off; every transfer of the transport may stall behind it.
/// - The attempt is a `POST` that follows no redirects, ignores proxy settings, connects to
///   ``WebhookAttempt/pin`` when given, and gives up after ``WebhookAttempt/timeout``.
/// - ``cancel(_:)`` of an unfinished attempt completes it with ``WebhookTransportError/cancelled``; of a finished
///   or unknown one does nothing.
public protocol WebhookTransport: Sendable {
    /// Starts `attempt`; returns its identifier for ``cancel(_:)``.
    @discardableResult
    func send(
        _ attempt: WebhookAttempt,
        completion: @escaping @Sendable (Result<WebhookResponse, WebhookTransportError>) -> Void
    ) -> WebhookTransferID

    /// Aborts an attempt (see the type's contract).
    func cancel(_ id: WebhookTransferID)
}

/// Identifies one attempt of one ``WebhookTransport``, for ``WebhookTransport/cancel(_:)``.
public struct WebhookTransferID: Hashable, Sendable {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }
}

/// What came back: the status of the final response and its headers (the body is not needed and not kept).
public struct WebhookResponse: Sendable {
    public var status: Int
    /// Response headers in order, as received.
    public var headers: [(name: String, value: String)]

    public init(status: Int, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.headers = headers
    }

    /// The first header named `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// Why no response arrived (connection refused, timeout, TLS error, cancelled…), in words for the
/// subscription's `last_error`.
public struct WebhookTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// The attempt was cancelled before it finished.
    public static let cancelled = WebhookTransportError("request cancelled")
}
