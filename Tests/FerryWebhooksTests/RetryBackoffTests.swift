import FerryTesting
import Testing

@testable import FerryWebhooks

struct RetryBackoffTests {
    @Test func delay_StaysWithinJitterBoundsOfDoublingCappedCeiling() {
        let backoff = RetryBackoff()
        var generator = SeededGenerator(seed: 7)
        for retry in 1...40 {
            let ceiling = min(Duration.seconds(300), .seconds(1) * (1 << min(retry - 1, 20)))
            for _ in 0..<50 {
                let delay = backoff.delay(forRetry: retry, using: &generator)
                #expect(delay >= ceiling / 2 && delay <= ceiling, "retry \(retry): \(delay) vs \(ceiling)")
            }
        }
    }

    @Test func delay_FirstRetryIsAboutBase_AndLargeRetriesReachTheCap() {
        let backoff = RetryBackoff(base: .milliseconds(10), cap: .milliseconds(80))
        var generator = SeededGenerator(seed: 1)
        let first = (0..<100).map { _ in backoff.delay(forRetry: 1, using: &generator) }
        #expect(first.allSatisfy { $0 >= .milliseconds(5) && $0 <= .milliseconds(10) })
        #expect(Set(first).count > 50)  // jittered, not constant
        let late = (0..<100).map { _ in backoff.delay(forRetry: Int.max, using: &generator) }
        #expect(late.allSatisfy { $0 >= .milliseconds(40) && $0 <= .milliseconds(80) })
    }

    @Test func delay_UsesRetryAfterCappedAtCap() {
        let backoff = RetryBackoff(base: .milliseconds(10), cap: .seconds(60))
        var generator = SeededGenerator(seed: 3)
        #expect(backoff.delay(forRetry: 1, retryAfter: .seconds(5), using: &generator) == .seconds(5))
        #expect(backoff.delay(forRetry: 1, retryAfter: .seconds(3600), using: &generator) == .seconds(60))
        #expect(backoff.delay(forRetry: 1, retryAfter: .zero, using: &generator) == .zero)
        #expect(backoff.delay(forRetry: 1, retryAfter: nil, using: &generator) <= .milliseconds(10))
    }

    @Test func retryAfter_ParsesDelaySeconds() {
        #expect(RetryBackoff.retryAfter("120", now: 0) == .seconds(120))
        #expect(RetryBackoff.retryAfter(" 0 ", now: 0) == .zero)
        #expect(RetryBackoff.retryAfter("99999999999999999999999", now: 0)! >= .seconds(300))
    }

    @Test func retryAfter_ParsesHTTPDatesRelativeToNow() {
        let date: Int64 = 784_111_777_000  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryBackoff.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: date - 30_000) == .seconds(30))
        #expect(RetryBackoff.retryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now: date - 1_500) == .milliseconds(1_500))
        #expect(RetryBackoff.retryAfter("Sun Nov  6 08:49:37 1994", now: date) == .zero)
        #expect(RetryBackoff.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: date + 60_000) == .zero)  // past
        #expect(RetryBackoff.retryAfter("Wed, 25 Nov 2026 16:00:00 GMT", now: 1_795_622_400_000 - 1000) == .seconds(1))
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 PST",
    ])
    func retryAfter_RejectsGarbage(value: String) {
        #expect(RetryBackoff.retryAfter(value, now: 0) == nil)
    }
}
