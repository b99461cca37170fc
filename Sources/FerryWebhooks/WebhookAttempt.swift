/// One HTTP POST of one batch to one subscription URL: what a ``WebhookTransport`` sends. A plain value;
/// `Sendable`.
public struct WebhookAttempt: Sendable {
    /// The target URL (already accepted by ``WebhookTargetPolicy/parse(_:)``).
    public var url: String
    /// The checked address to connect to instead of resolving the URL's host (`host:port:address`, from
    /// ``WebhookTargetPolicy/admit(_:)``), or nil to let the transport resolve.
    public var pin: String?
    /// The request headers, usually from ``WebhookHeaders/make(id:timestamp:body:signer:custom:)``.
    public var headers: [(name: String, value: String)]
    /// The JSON body.
    public var body: [UInt8]
    /// Limit for the whole attempt (connect + send + response).
    public var timeout: Duration

    public init(url: String, pin: String?, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) {
        self.url = url
        self.pin = pin
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
