/// Incremental decoder for a request body framed by `Content-Length` or `Transfer-Encoding: chunked`.
///
/// Feed it any split of the bytes; it appends decoded body bytes to the caller's array and reports how many
/// input bytes it consumed and whether the body (including chunked trailers) is complete. Chunk sizes are
/// strict hex without whitespace; extensions are skipped (bounded); trailers are validated and discarded.
/// Not thread-safe; one per connection.
struct HTTPBodyDecoder {
    private enum State {
        case length(remaining: Int)
        case chunkSize(value: Int, digits: Int)
        case chunkExtension(length: Int)
        case chunkSizeLF(size: Int)
        case chunkData(remaining: Int)
        case chunkDataCR
        case chunkDataLF
        case trailerLineStart
        case trailerLine
        case trailerLF
        case finalLF
        case done
    }

    private var state: State
    private let maxBodyBytes: Int
    private let maxTrailerBytes: Int
    private var decoded = 0
    private var trailerBytes = 0

    init(framing: BodyFraming, limits: HTTPParserLimits) {
        switch framing {
        case .none: state = .done
        case .length(let n): state = n > 0 ? .length(remaining: n) : .done
        case .chunked: state = .chunkSize(value: 0, digits: 0)
        }
        maxBodyBytes = limits.maxBodyBytes
        maxTrailerBytes = limits.maxHeaderBytes
    }

    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Decodes from `input`, appending body bytes to `body`. Returns the bytes consumed; check ``isComplete``.
    mutating func decode(_ input: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        let bytes = input.bindMemory(to: UInt8.self)
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .done:
                return i
            case .length(let remaining):
                let take = min(remaining, n - i)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<(i + take)]))
                i += take
                state = remaining == take ? .done : .length(remaining: remaining - take)
            case .chunkSize(let value, let digits):
                let c = bytes[i]
                if let v = hexValue(c) {
                    guard digits < 15 else { throw .invalidChunkSize }
                    let newValue = value << 4 | Int(v)
                    if decoded + newValue > maxBodyBytes { throw .bodyTooLarge }
                    state = .chunkSize(value: newValue, digits: digits + 1)
                } else if digits == 0 {
                    throw .invalidChunkSize
                } else if c == UInt8(ascii: ";") {
                    state = .chunkExtension(length: 0)
                    pendingSize = value
                } else if c == 0x0D {
                    state = .chunkSizeLF(size: value)
                } else {
                    throw .invalidChunkSize
                }
                i += 1
            case .chunkExtension(let length):
                let c = bytes[i]
                if c == 0x0D {
                    state = .chunkSizeLF(size: pendingSize)
                } else if (c < 0x20 && c != 0x09) || c == 0x7F || length >= 4096 {
                    throw .invalidChunk
                } else {
                    state = .chunkExtension(length: length + 1)
                }
                i += 1
            case .chunkSizeLF(let size):
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = size == 0 ? .trailerLineStart : .chunkData(remaining: size)
                i += 1
            case .chunkData(let remaining):
                let take = min(remaining, n - i)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<(i + take)]))
                decoded += take
                i += take
                state = remaining == take ? .chunkDataCR : .chunkData(remaining: remaining - take)
            case .chunkDataCR:
                guard bytes[i] == 0x0D else { throw .invalidChunk }
                state = .chunkDataLF
                i += 1
            case .chunkDataLF:
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = .chunkSize(value: 0, digits: 0)
                i += 1
            case .trailerLineStart:
                let c = bytes[i]
                if c == 0x0D {
                    state = .finalLF
                } else if c == 0x20 || c == 0x09 {
                    throw .obsoleteLineFolding
                } else if !isTokenByte(c) {
                    throw .invalidChunk
                } else {
                    state = .trailerLine
                }
                try countTrailerByte()
                i += 1
            case .trailerLine:
                let c = bytes[i]
                if c == 0x0D {
                    state = .trailerLF
                } else if (c < 0x20 && c != 0x09) || c == 0x7F {
                    throw .invalidChunk
                }
                try countTrailerByte()
                i += 1
            case .trailerLF:
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = .trailerLineStart
                try countTrailerByte()
                i += 1
            case .finalLF:
                guard bytes[i] == 0x0A else { throw .invalidChunk }
                state = .done
                i += 1
            }
        }
        return i
    }

    private var pendingSize = 0

    private mutating func countTrailerByte() throws(HTTPParseError) {
        trailerBytes += 1
        if trailerBytes > maxTrailerBytes { throw .headersTooLarge }
    }
}
