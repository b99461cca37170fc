import FerrySystem
import Testing

/// ``AcceptPause`` and ``RateLimitedEvent``: the back-off both doors use when `accept` cannot take a
/// connection, and the once-a-minute warning.
struct AcceptPauseTests {
    @Test func backOff_DoublesUpToItsCap_AndOnlyTheFirstPauseUnwatchesTheListener() {
        var pause = AcceptPause(initialBackoff: 50, maxBackoff: 150)
        #expect(!pause.isOver(now: 1_000), "not paused")
        let first = pause.pause(now: 1_000)
        #expect(first)
        #expect(pause.until == 1_050)
        let again = pause.pause(now: 1_010)
        #expect(!again, "already paused: the listener is not watched")
        #expect(pause.until == 1_110)
        #expect(pause.isOver(now: 1_110))
        pause.resume()
        let afterResume = pause.pause(now: 1_200)
        #expect(afterResume, "a new pause after resuming")
        #expect(pause.until == 1_350, "capped at 150")
        #expect(pause.retries == 3)
        #expect(pause.episodeStarted == 1_000)
    }

    @Test func aSuccessfulAccept_EndsTheEpisode_AndResetsTheBackOff() {
        var pause = AcceptPause(initialBackoff: 50, maxBackoff: 1_000)
        let none = pause.acceptSucceeded(now: 10)
        #expect(none == nil, "no episode")
        _ = pause.pause(now: 100)
        pause.resume()
        _ = pause.pause(now: 160)
        pause.resume()
        let episode = pause.acceptSucceeded(now: 400)
        #expect(episode?.nanoseconds == 300)
        #expect(episode?.retries == 2)
        let ended = pause.acceptSucceeded(now: 500)
        #expect(ended == nil)
        _ = pause.pause(now: 600)
        #expect(pause.until == 650, "the back-off starts again from its first step")
    }

    @Test func rateLimitedEvent_AdmitsOncePerInterval_AndNeverForAnOlderReading() {
        let event = RateLimitedEvent(intervalNanoseconds: 100)
        #expect(event.admit(now: 1_000))
        #expect(!event.admit(now: 1_050))
        #expect(!event.admit(now: 900), "another loop's older cached time is not 'long ago'")
        #expect(event.admit(now: 1_100))
    }
}
