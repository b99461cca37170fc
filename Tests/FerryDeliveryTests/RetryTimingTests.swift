import FerryBroker
import FerryDelivery
import FerryTesting
import FerryWebhooks
import Testing

/// Retry, backoff, dead-letter and ordering of one cursor, with time stepped by hand: an attempt is sent exactly
/// when its backoff timer falls due (the timer runs the cursor on the advancing thread), never before.
@Suite(.timeLimit(.minutes(1)))
struct RetryTimingTests {
    @Test func failedAttempt_IsRetriedWhenTheBackoffElapses_NotBefore_WithTheSameBatch() async throws {
        try await withHarness { harness in
            try harness.subscribe()
            try harness.produce(1)
            let first = await harness.transport.next()
            harness.transport.answer(first, status: 500)

            // Retry 1: full jitter over [base/2, base].
            let delay = await harness.retryDelay()
            #expect(delay >= DeliveryHarness.backoffBase / 2 && delay <= DeliveryHarness.backoffBase)
            #expect(try harness.status().stats.failedAttempts == 1)
            #expect(try harness.status().stats.lastError == "HTTP 500")
            harness.timers.advance(by: delay - .milliseconds(1))
            #expect(harness.transport.sent.count == 1, "retried before the backoff elapsed")
            harness.timers.advance(by: .milliseconds(1))
            #expect(harness.transport.sent.count == 2, "not retried once the backoff elapsed")
            let second = await harness.transport.next()
            #expect(second.attempt.body == first.attempt.body)
            #expect(second.header("webhook-id") == first.header("webhook-id"))

            // Retry 2: the ceiling doubled, [base, 2 × base].
            harness.transport.fail(second, error: "connection refused")
            let delay2 = await harness.retryDelay()
            #expect(delay2 >= DeliveryHarness.backoffBase && delay2 <= DeliveryHarness.backoffBase * 2)
            #expect(try harness.status().stats.lastError == "connection refused")
            harness.timers.advance(by: delay2)
            let third = await harness.transport.next()
            #expect(third.header("webhook-id") == first.header("webhook-id"))
            harness.transport.answer(third, status: 204)

            // Committed before the cursor reads on: the next message is a batch of its own.
            try harness.produce(2)
            let next = await harness.transport.next()
            #expect(next.header("webhook-id") != first.header("webhook-id"))
            #expect(next.bodyText.contains(#""offset":1"#) && !next.bodyText.contains(#""offset":0"#))
            let stats = try harness.status().stats
            #expect(stats.delivered == 1 && stats.failedAttempts == 2 && stats.lastStatus == 204)
        }
    }

    @Test func retryAfter_OfA503_IsTheExactDelay() async throws {
        try await withHarness { harness in
            try harness.subscribe()
            try harness.produce(1)
            let first = await harness.transport.next()
            harness.transport.answer(first, status: 503, headers: [(name: "Retry-After", value: "7")])
            #expect(await harness.retryDelay() == .seconds(7))
            harness.timers.advance(by: .seconds(7) - .milliseconds(1))
            #expect(harness.transport.sent.count == 1)
            harness.timers.advance(by: .milliseconds(1))
            #expect(harness.transport.sent.count == 2)
        }
    }

    @Test func retryAfter_IsCappedAtTheBackoffCap() async throws {
        try await withHarness { harness in
            try harness.subscribe()
            try harness.produce(1)
            let first = await harness.transport.next()
            harness.transport.answer(first, status: 429, headers: [(name: "Retry-After", value: "3600")])
            #expect(await harness.retryDelay() == DeliveryHarness.backoffCap)
        }
    }

    @Test func lastAllowedAttemptFailing_DeadLettersTheBatch_AndGoesOn() async throws {
        try await withHarness { harness in
            try harness.subscribe(maxAttempts: 2)
            try harness.produce(1)
            let first = await harness.transport.next()
            harness.transport.answer(first, status: 500)
            harness.timers.advance(by: await harness.retryDelay())
            let second = await harness.transport.next()
            harness.transport.answer(second, status: 500)
            // The last attempt failed: no backoff, the batch goes to the dead-letter topic straight away.
            try harness.produce(2)
            let next = await harness.transport.next()
            #expect(next.bodyText.contains(#""offset":1"#) && !next.bodyText.contains(#""offset":0"#))
            let stats = try harness.status().stats
            #expect(stats.deadLettered == 1 && stats.delivered == 0 && stats.failedAttempts == 2)
            #expect(harness.broker.storage.partition(topic: "t.s.dlq", partition: 0)?.endOffset == 1)
        }
    }

    @Test func gone_DisablesTheSubscription_WithoutRetrying() async throws {
        try await withHarness { harness in
            try harness.subscribe()
            try harness.produce(1)
            let first = await harness.transport.next()
            harness.transport.answer(first, status: 410)
            try await waitUntil { (try? harness.status().state) == .disabled }
            harness.timers.advance(by: DeliveryHarness.backoffCap)
            #expect(harness.transport.sent.count == 1)
        }
    }
}

/// Polls `condition` (state settled by another thread, with nothing to await): bounded, no timing asserted.
func waitUntil(_ condition: () throws -> Bool) async throws {
    for _ in 0..<2000 where !(try condition()) { try await Task.sleep(for: .milliseconds(5)) }
    #expect(try condition())
}
