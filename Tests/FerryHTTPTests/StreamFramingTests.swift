import FerrySystem
import Testing

@testable import FerryHTTP

/// How a piece of a streamed body is queued: one chunk (`<hex>\r\n`, bytes, `\r\n`) for HTTP/1.1, the bytes
/// alone for HTTP/1.0; small pieces framed into the queue's tail, large ones queued by reference.
struct StreamFramingTests {
    static func queued(_ out: OutputQueue) -> [UInt8] { out.unwrittenChunks.flatMap { $0 } }

    @Test(arguments: [1, 15, 16, 255, 4096, OutputQueue.largeChunkBytes - 1, OutputQueue.largeChunkBytes, 70_000])
    func piece_IsOneChunk_WhateverItsSize(size: Int) {
        let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var out = OutputQueue()
        ResponseSerializer.appendStreamPiece(Array("head".utf8), chunked: false, to: &out)
        ResponseSerializer.appendStreamPiece(piece, chunked: true, to: &out)
        ResponseSerializer.appendStreamPiece(Array("tail".utf8), chunked: true, to: &out)
        let expected =
            Array("head".utf8) + Array("\(String(size, radix: 16))\r\n".utf8) + piece + Array("\r\n4\r\ntail\r\n".utf8)
        #expect(Self.queued(out) == expected)
        #expect(out.pendingBytes == expected.count)
    }

    @Test func unchunkedPieces_AreQueuedAsTheyAre() {
        var out = OutputQueue()
        let large = [UInt8](repeating: 1, count: OutputQueue.largeChunkBytes)
        ResponseSerializer.appendStreamPiece(Array("a".utf8), chunked: false, to: &out)
        ResponseSerializer.appendStreamPiece(large, chunked: false, to: &out)
        #expect(Self.queued(out) == Array("a".utf8) + large)
    }
}
