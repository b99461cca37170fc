import FerryTesting
import Testing

@testable import FerryHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// Seeded random and mutated requests: the server never crashes and every connection is either answered or
/// closed (it always ends in EOF, with only well-formed status lines before it).
@Suite("Randomized and mutated input")
struct HTTPRandomizedTests {
    static let templates: [String] = [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /query?a=1&b=%20 HTTP/1.1\r\nHost: x\r\nX-Request-Id: r\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "HEAD /echo/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /seq/2 HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    static func mutate(_ input: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = Array("\r\n :;,0fF-+\t\u{0}%".utf8) + [0x7F, 0x80, 0xFF]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !bytes.isEmpty else { break }
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes[i] = interesting.randomElement(using: &rng)!
            case 2: bytes.insert(interesting.randomElement(using: &rng)!, at: i)
            case 3: bytes.remove(at: i)
            case 4: bytes = Array(bytes[0..<i])
            default: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 8)], at: i)
            }
        }
        return bytes
    }

    static func makeCase(_ rng: inout SeededGenerator) -> [UInt8] {
        if Int.random(in: 0..<10, using: &rng) == 0 {
            return (0..<Int.random(in: 1...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        let template = Array(templates.randomElement(using: &rng)!.utf8)
        return mutate(template, using: &rng)
    }

    @Test func parser_NeverTraps_OnTenThousandMutatedInputs() {
        var rng = SeededGenerator(seed: 0xF3_77_E5)
        var parsed = 0
        for _ in 0..<10_000 {
            let input = Self.makeCase(&rng)
            let split = Int.random(in: 0...input.count, using: &rng)
            let result = input.withUnsafeBytes { HTTPParserFuzzing.run($0, splitAt: split) }
            parsed += result.requests
        }
        #expect(parsed > 0)
    }

    @Test func parser_GivesSameResult_ForEverySplit() {
        for template in Self.templates {
            let bytes = Array(template.utf8)
            let whole = bytes.withUnsafeBytes { HTTPParserFuzzing.run($0) }
            for split in 0...bytes.count {
                let parts = bytes.withUnsafeBytes { HTTPParserFuzzing.run($0, splitAt: split) }
                #expect(parts.requests == whole.requests && parts.error == whole.error, "\(template) at \(split)")
            }
        }
    }

    @Test func server_AnswersOrCloses_EveryRandomOrMutatedRequest() throws {
        var rng = SeededGenerator(seed: 20_261_125)
        try withServer(
            configure: {
                $0.headerTimeout = .milliseconds(150)
                $0.idleTimeout = .milliseconds(150)
                $0.bodyTimeout = .milliseconds(150)
                $0.lingerTimeout = .milliseconds(150)
            }, router: makeTestRouter()
        ) { server, port in
            var failures = 0
            for _ in 0..<20 {
                let batch = (0..<100).map { _ in Self.makeCase(&rng) }
                let clients = try batch.map { _ in try RawConnection(port: port, receiveTimeoutSeconds: 10) }
                for (client, bytes) in zip(clients, batch) { client.send(bytes) }
                for (client, bytes) in zip(clients, batch) {
                    let (closed, received) = Self.readUntilClose(client)
                    let startsWell = received.isEmpty || received.starts(with: Array("HTTP/1.1 ".utf8))
                    if !closed || !startsWell {
                        failures += 1
                        Issue.record(
                            "no close or bad answer for \(String(decoding: bytes, as: UTF8.self).debugDescription)")
                    }
                }
                if failures > 0 { break }
            }
            #expect(failures == 0)
            let client = try RawConnection(port: port)
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(eventually { server.openConnectionCount <= 1 })
        }
    }

    static func readUntilClose(_ client: RawConnection) -> (Bool, [UInt8]) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, 8192, 0) }
            if n == 0 { return (true, received) }
            if n < 0 { return (errno == ECONNRESET, received) }
            received.append(contentsOf: chunk[0..<n])
        }
    }
}
