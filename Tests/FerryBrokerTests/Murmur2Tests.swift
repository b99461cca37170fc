import FerryBroker
import Testing

struct Murmur2Tests {
    /// Kafka's UtilsTest.testMurmur2 vectors plus librdkafka's.
    @Test(arguments: [
        ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971), ("abc", 479_470_107),
        ("string-f-24-chars-length", 124_730_809), ("string-fo-25-chars-length", 1_269_511_650),
        ("string-foo-26-chars-length", 119_165_628), ("string-last-27-chars-length", 1_089_971_754),
        ("kafka", -798_503_068), ("1", -1_993_445_489), ("12", 126_087_238), ("123", -267_702_483),
        ("1234", -1_614_185_708), ("12345", -1_188_365_604),
    ])
    func hash_MatchesKafka(key: String, expected: Int) {
        #expect(Murmur2.hash(Array(key.utf8)) == Int32(expected))
    }

    @Test func partition_MasksSignBit_LikeKafka() {
        // "21" hashes negative: Kafka masks with 0x7fffffff rather than taking abs().
        let h = Murmur2.hash(Array("21".utf8))
        let expected = Int(UInt32(bitPattern: h) & 0x7fff_ffff) % 7
        #expect(Murmur2.partition(forKey: Array("21".utf8), partitionCount: 7) == expected)
        #expect(Murmur2.partition(forKey: Array("foobar".utf8), partitionCount: 1) == 0)
    }
}
