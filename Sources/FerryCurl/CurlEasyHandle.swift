import CCurl

/// One libcurl easy handle, configured per request and reused (it keeps its connection cache between
/// transfers, so sequential requests to the same host reuse the keep-alive connection).
///
/// Not thread-safe: used by one thread at a time. Ownership moves between threads only through
/// ``CurlHTTPClient``'s idle pool (under its lock) or the ``CurlMultiDriver``, hence `@unchecked Sendable`.
final class CurlEasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The `CURLOPT_RESOLVE` list of the current transfer (owned here, freed on the next `prepare` or `deinit`).
    private var resolveList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// The empty C string handed to libcurl for an empty request body (it must never be NULL with POST,
    /// or libcurl would read the body from stdin).
    private static let emptyBody: StaticString = ""

    init() throws(CurlError) {
        CurlGlobal.ensureInitialized()
        guard let raw = curl_easy_init() else { throw CurlError.other(code: -1, message: "curl_easy_init failed") }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        curl_slist_free_all(headerList)
        curl_slist_free_all(resolveList)
        errorBuffer.deallocate()
    }

    /// How the request body reaches libcurl.
    enum BodyMode {
        /// libcurl reads the caller's bytes in place; they must stay valid until the transfer finishes.
        case borrowed(UnsafeRawBufferPointer)
        /// libcurl copies the bytes now (for transfers that outlive the caller's buffer).
        case copied([UInt8])
    }

    /// Resets the handle and configures it for `request`, receiving into `transfer`.
    func prepare(_ request: CurlRequest, body: BodyMode, transfer: CurlTransfer) throws(CurlError) {
        curl_easy_reset(raw)
        curl_slist_free_all(headerList)
        headerList = nil
        curl_slist_free_all(resolveList)
        resolveList = nil
        errorBuffer[0] = 0
        try validate(request)

        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        set(CURLOPT_TCP_NODELAY, 1)
        set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        ccurl_easy_setopt_ptr(raw, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = "http,https".withCString { ccurl_easy_setopt_ptr(raw, CURLOPT_PROTOCOLS_STR, $0) }
        _ = "http,https".withCString { ccurl_easy_setopt_ptr(raw, CURLOPT_REDIR_PROTOCOLS_STR, $0) }
        if !request.useEnvironmentProxy { _ = "".withCString { ccurl_easy_setopt_ptr(raw, CURLOPT_PROXY, $0) } }
        if !request.resolve.isEmpty {
            for entry in request.resolve { resolveList = entry.withCString { curl_slist_append(resolveList, $0) } }
            ccurl_easy_setopt_ptr(raw, CURLOPT_RESOLVE, resolveList)
        }
        let urlCode = request.url.withCString { ccurl_easy_setopt_ptr(raw, CURLOPT_URL, $0) }
        guard urlCode == CURLE_OK else { throw CurlError.invalidRequest("URL \(request.url)") }

        let method = request.method.uppercased()
        let sendsBody = !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method)
        if method == "HEAD" {
            set(CURLOPT_NOBODY, 1)
        } else if sendsBody {
            set(CURLOPT_POST, 1)
            ccurl_easy_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            switch body {
            case .borrowed(let bytes):
                ccurl_easy_setopt_ptr(
                    raw, CURLOPT_POSTFIELDS, bytes.baseAddress ?? UnsafeRawPointer(Self.emptyBody.utf8Start))
            case .copied(let bytes):
                bytes.withUnsafeBytes { buffer in
                    _ = ccurl_easy_setopt_ptr(
                        raw, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress ?? UnsafeRawPointer(Self.emptyBody.utf8Start))
                }
            }
            if method != "POST" { _ = method.withCString { ccurl_easy_setopt_ptr(raw, CURLOPT_CUSTOMREQUEST, $0) } }
        } else if method != "GET" {
            _ = method.withCString { ccurl_easy_setopt_ptr(raw, CURLOPT_CUSTOMREQUEST, $0) }
        }

        var hasExpect = false
        for header in request.headers {
            hasExpect = hasExpect || header.name.lowercased() == "expect"
            appendHeader(header.value.isEmpty ? header.name + ";" : header.name + ": " + header.value)
        }
        if !hasExpect { appendHeader("Expect:") }  // no `100-continue` round trip for large bodies
        ccurl_easy_setopt_ptr(raw, CURLOPT_HTTPHEADER, headerList)
        transfer.install(on: raw)
    }

    /// Runs the configured transfer on the calling thread (blocks until done or timed out).
    func perform() -> CURLcode { curl_easy_perform(raw) }

    /// Turns a finished transfer into a response or an error.
    func finish(_ code: CURLcode, _ transfer: CurlTransfer) throws(CurlError) -> CurlResponse {
        let truncated = code == CURLE_WRITE_ERROR && transfer.exceededLimit && transfer.truncatesBeyondLimit
        if code != CURLE_OK && !(code == CURLE_WRITE_ERROR && transfer.stoppedByConsumer) && !truncated {
            throw error(for: code, transfer)
        }
        var status = 0
        ccurl_easy_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
        var micros: curl_off_t = 0
        ccurl_easy_getinfo_off_t(raw, CURLINFO_TOTAL_TIME_T, &micros)
        var newConnections = 0
        ccurl_easy_getinfo_long(raw, CURLINFO_NUM_CONNECTS, &newConnections)
        return CurlResponse(
            status: status != 0 ? status : transfer.status, headers: transfer.headers, body: transfer.body,
            totalTime: .microseconds(micros), reusedConnection: newConnections == 0, bodyTruncated: truncated)
    }

    private func error(for code: CURLcode, _ transfer: CurlTransfer) -> CurlError {
        if transfer.exceededLimit { return .responseTooLarge(limit: transfer.maxResponseBytes) }
        switch code {
        case CURLE_COULDNT_CONNECT: return .connectionRefused
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidRequest(message(for: code))
        default: return .other(code: Int(code.rawValue), message: message(for: code))
        }
    }

    private func message(for code: CURLcode) -> String {
        errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
    }

    private func validate(_ request: CurlRequest) throws(CurlError) {
        func hasLineBreak(_ text: String) -> Bool { text.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 } }
        let tokenBytes = request.method.utf8
        guard !tokenBytes.isEmpty, tokenBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }) else {
            throw CurlError.invalidRequest("method \(request.method)")
        }
        guard !hasLineBreak(request.url) else { throw CurlError.invalidRequest("URL contains a line break") }
        guard !request.resolve.contains(where: hasLineBreak) else {
            throw CurlError.invalidRequest("resolve entry contains a line break")
        }
        for header in request.headers
        where header.name.isEmpty || hasLineBreak(header.name) || hasLineBreak(header.value)
            || header.name.utf8.contains(where: { $0 == 0x3A || $0 == 0x20 })
        {
            throw CurlError.invalidRequest("header \(header.name)")
        }
    }

    private func appendHeader(_ line: String) {
        headerList = line.withCString { curl_slist_append(headerList, $0) }
    }

    /// A timeout in whole milliseconds for libcurl, clamped to 1 ms … 24 days (0 would mean "no timeout").
    static func milliseconds(_ duration: Duration) -> Int {
        let milliseconds = duration / .milliseconds(1)
        guard milliseconds.isFinite, milliseconds < 2_000_000_000 else { return 2_000_000_000 }
        return max(1, Int(milliseconds.rounded(.up)))
    }

    private func set(_ option: CURLoption, _ value: Int) {
        ccurl_easy_setopt_long(raw, option, value)
    }
}
