/// Entry point for the libFuzzer target and randomized tests: runs the request parser (head, then body) over
/// arbitrary bytes, the way a connection does, in one or two splits.
///
/// Never traps on any input: every malformed byte sequence must end in an ``HTTPParseError``. Returns how many
/// complete requests were parsed and the error that stopped parsing, if any.
public enum HTTPParserFuzzing {
    public static func run(
        _ data: UnsafeRawBufferPointer, splitAt split: Int? = nil,
        limits: HTTPParserLimits = HTTPParserLimits(maxBodyBytes: 1 << 20)
    )
        -> (requests: Int, error: HTTPParseError?)
    {
        var head = HTTPHeadParser(limits: limits)
        var decoder: HTTPBodyDecoder?
        var body: [UInt8] = []
        var requests = 0
        var pending: [UInt8] = []
        let cut = min(max(split ?? data.count, 0), data.count)
        for part in [UnsafeRawBufferPointer(rebasing: data[0..<cut]), UnsafeRawBufferPointer(rebasing: data[cut...])] {
            pending.append(contentsOf: part)
            var offset = 0
            var failure: HTTPParseError?
            pending.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                do throws(HTTPParseError) {
                    while offset < buffer.count {
                        if var active = decoder {
                            offset += try active.decode(
                                UnsafeRawBufferPointer(rebasing: buffer[offset...]), into: &body)
                            decoder = active
                            if active.isComplete {
                                decoder = nil
                                body = []
                                requests += 1
                            }
                            continue
                        }
                        guard let (parsed, used) = try head.parse(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                        else { return }
                        head.reset()
                        offset += used
                        let next = HTTPBodyDecoder(framing: parsed.framing, limits: limits)
                        if next.isComplete { requests += 1 } else { decoder = next }
                    }
                } catch {
                    failure = error
                }
            }
            if let failure { return (requests, failure) }
            pending.removeFirst(offset)
        }
        return (requests, nil)
    }
}
