import FerryBroker
import FerryTesting
import Synchronization
import Testing

struct IdempotencyCacheTests {
    let clock = ManualClock()

    @Test func begin_ReplaysFirstResponse_ThenExpires() {
        let cache = IdempotencyCache(windowMilliseconds: 600_000, now: clock.now)
        guard case .proceed(let reservation) = cache.begin(topic: "t", key: "k", fingerprint: 1, onReady: { _ in })
        else {
            Issue.record("expected proceed")
            return
        }
        cache.complete(reservation, response: .init(status: 200, body: Array("{}".utf8)))
        guard case .replay(let response) = cache.begin(topic: "t", key: "k", fingerprint: 1, onReady: { _ in }) else {
            Issue.record("expected replay")
            return
        }
        #expect(response.status == 200)
        if case .conflict = cache.begin(topic: "t", key: "k", fingerprint: 2, onReady: { _ in }) {
        } else {
            Issue.record("expected conflict")
        }
        if case .proceed = cache.begin(topic: "other", key: "k", fingerprint: 2, onReady: { _ in }) {
        } else {
            Issue.record("keys are per topic")
        }
        clock.advance(by: 600_001)
        #expect(cache.purgeExpired() == 1)
        if case .proceed = cache.begin(topic: "t", key: "k", fingerprint: 2, onReady: { _ in }) {
        } else {
            Issue.record("expected proceed after the window")
        }
    }

    @Test func begin_Waits_WhileFirstIsInFlight() {
        let cache = IdempotencyCache(now: clock.now)
        guard case .proceed(let reservation) = cache.begin(topic: "t", key: "k", fingerprint: 7, onReady: { _ in })
        else {
            Issue.record("expected proceed")
            return
        }
        let got = Mutex<IdempotencyCache.Response?>(nil)
        if case .waiting = cache.begin(topic: "t", key: "k", fingerprint: 7, onReady: { r in got.withLock { $0 = r } })
        {
        } else {
            Issue.record("expected waiting")
        }
        cache.complete(reservation, response: .init(status: 200, body: [1]))
        #expect(got.withLock { $0 } == .init(status: 200, body: [1]))
    }
}
