import FerryTesting
import Testing

@testable import FerryBroker

/// The journal lines of remembered produce answers, and the cache's restore / live-entry rules.
struct IdempotencyStateLogTests {
    @Test func entry_RoundTrips_WithSeparatorsInKeyAndBody() {
        let entry = IdempotencyStateLog.Entry(
            topic: "orders.eu", key: "a\tb%c,d;e=f\r\ng ü", fingerprint: 0xdead_beef_0000_0001,
            expiresAt: 1_764_000_600_000,
            response: .init(status: 409, body: Array(#"{"detail":"key 'a\tb' = x; y, z"}"#.utf8)))
        let line = IdempotencyStateLog.encode(entry)
        #expect(!line.contains("\n") && line.split(separator: "\t").count == 7)
        #expect(IdempotencyStateLog.decode(line) == entry)
    }

    @Test(arguments: [
        "", "k\tt", "x\tt\tk\t1\t2\t200\t{}", "k\tt\tk\tzz\t2\t200\t{}", "k\tt\tk\t1\t2\t999\t{}",
        "k\tt\t%G1\t1\t2\t200\t{}",
    ])
    func damagedLine_IsSkipped(_ line: String) {
        #expect(IdempotencyStateLog.decode(line) == nil)
    }

    @Test func restore_KeepsUnexpiredAnswers_AndLiveEntriesListsThem() {
        let clock = ManualClock()
        let cache = IdempotencyCache(windowMilliseconds: 600_000, now: clock.now)
        let time = clock.now()
        let live = IdempotencyStateLog.Entry(
            topic: "t", key: "live", fingerprint: 7, expiresAt: time + 1000,
            response: .init(status: 200, body: [0x7b, 0x7d]))
        let expired = IdempotencyStateLog.Entry(
            topic: "t", key: "old", fingerprint: 8, expiresAt: time - 1, response: .init(status: 200, body: []))
        #expect(cache.restore([expired, live]) == 1)
        guard case .replay(let response) = cache.begin(topic: "t", key: "live", fingerprint: 7, onReady: { _ in })
        else {
            Issue.record("a restored answer is replayed")
            return
        }
        #expect(response == live.response)
        if case .conflict = cache.begin(topic: "t", key: "live", fingerprint: 9, onReady: { _ in }) {
        } else {
            Issue.record("a restored key with another fingerprint conflicts")
        }
        if case .proceed = cache.begin(topic: "t", key: "old", fingerprint: 8, onReady: { _ in }) {
        } else {
            Issue.record("an expired answer is forgotten")
        }
        #expect(cache.liveEntries() == [live])
    }
}
