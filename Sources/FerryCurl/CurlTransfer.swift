import CCurl

/// The receiving side of one transfer: status line, headers and body as libcurl delivers them through the
/// write and header callbacks (whose `userdata` is an unretained pointer to this object).
///
/// Confined to the thread performing the transfer (the caller of `curl_easy_perform`, or the multi driver's
/// thread); the owner keeps it alive until the transfer has finished.
final class CurlTransfer {
    let maxResponseBytes: Int
    /// When true, bytes past `maxResponseBytes` end the transfer as a normal (truncated) response.
    let truncatesBeyondLimit: Bool
    /// Streaming consumer: when set, body bytes go to it instead of ``body``; returning false stops the transfer.
    var onData: ((UnsafeRawBufferPointer) -> Bool)?
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var receivedBytes = 0
    /// Set when the body passed `maxResponseBytes`, so the resulting write error is reported as too large.
    var exceededLimit = false
    /// Set when `onData` asked to stop, so the resulting write error is a normal end.
    var stoppedByConsumer = false

    init(maxResponseBytes: Int, truncatesBeyondLimit: Bool = false, onData: ((UnsafeRawBufferPointer) -> Bool)? = nil) {
        self.maxResponseBytes = maxResponseBytes
        self.truncatesBeyondLimit = truncatesBeyondLimit
        self.onData = onData
    }

    /// Takes body bytes; returns false to make libcurl abort the transfer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let room = maxResponseBytes - receivedBytes
        receivedBytes += bytes.count
        guard receivedBytes <= maxResponseBytes else {
            exceededLimit = true
            if truncatesBeyondLimit, onData == nil, room > 0 {
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[..<room]))
            }
            return false
        }
        if let onData {
            guard onData(bytes) else {
                stoppedByConsumer = true
                return false
            }
            return true
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// Takes one header line (libcurl delivers complete lines, CRLF included).
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var text = Substring(String(decoding: line, as: UTF8.self))
        while let last = text.last, last == "\r\n" || last == "\n" || last == "\r" { text = text.dropLast() }
        if text.hasPrefix("HTTP/") {
            // A new response starts (a final one after `100 Continue`): forget the interim one.
            headers.removeAll()
            let parts = text.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        } else if let first = text.first, first == " " || first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + trimmed(text)  // obsolete line folding
        } else if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            let value = trimmed(text[text.index(after: colon)...])
            headers.append((name: name, value: value))
            // Pre-size the body buffer for a declared length within the limit (saves regrowth on large bodies).
            if onData == nil, name.lowercased() == "content-length", let length = Int(value), length > 0,
                length <= maxResponseBytes
            {
                body.reserveCapacity(min(length, 8 << 20))  // capped: a HEAD response may declare any length
            }
        }
    }

    private func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    /// The `userdata` pointer for the callbacks (unretained: the owner keeps `self` alive).
    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Installs the write and header callbacks on `handle` with this transfer as their context.
    func install(on handle: UnsafeMutableRawPointer) {
        ccurl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            // `userdata` is our own context, set below.
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            return transfer.receive(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        ccurl_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, context)
        ccurl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            // `userdata` is our own context, set below.
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }
        ccurl_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, context)
    }
}
