import FerrySystem
import Testing

#if canImport(Glibc)
    import Glibc
#endif

struct CRC32CTests {
    @Test func checksum_MatchesCheckValue() {
        #expect(CRC32C.checksum(of: Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func checksum_IsZero_WhenEmpty() {
        #expect(CRC32C.checksum(of: [UInt8]()) == 0)
    }

    @Test func checksum_Continues_AcrossSplits() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32C.checksum(of: bytes)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let first = CRC32C.checksum(of: bytes[0..<split])
            #expect(CRC32C.checksum(of: bytes[split...], continuing: first) == whole)
        }
    }
}

struct SyscallTests {
    @Test func syscall_ThrowsSystemError_WithErrno() {
        #expect(throws: SystemError.self) {
            _ = try syscall("open") { open("/nonexistent/ferry/\(UInt64.random(in: 0...UInt64.max))", O_RDONLY) }
        }
    }
}
