import FerrySystem
import FerryTesting
import Testing

@testable import FerryHTTP

/// ``ConnectionStateMachine`` driven event by event with a manual clock: every timeout is checked at the
/// nanosecond it falls due, without a socket or a sleep.
struct ConnectionStateMachineTests {
    static let second: UInt64 = 1_000_000_000
    static let timeouts = ConnectionTimeouts(
        header: 10 * second, idle: 60 * second, body: 30 * second, linger: 2 * second)

    let clock = ManualClock()
    var now: UInt64 { clock.monotonic.nanoseconds() }

    func advance(seconds: Int64) { clock.advance(by: seconds * 1000) }

    /// A machine that accepted a connection, read one request (`sequence` 1) and answered it.
    func makeIdle(keepAlive: Bool = true) -> ConnectionStateMachine {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: keepAlive)
        _ = machine.responseCompleted(inputBuffered: false, shuttingDown: false, now: now)
        return machine
    }

    // MARK: Timeouts

    @Test func silentConnection_TimesOut_AtTheHeaderTimeoutFromAccept() {
        let machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        advance(seconds: 9)
        #expect(machine.tick(now: now, outputPending: false) == nil)
        advance(seconds: 1)
        #expect(machine.tick(now: now, outputPending: false) == .headerTimeout)
    }

    @Test func idleKeepAlive_TimesOut_AtTheIdleTimeoutAfterItsResponse() {
        let machine = makeIdle()
        #expect(machine.state == .readingHead(started: false))
        #expect(machine.isWaitingForRequest)
        advance(seconds: 59)
        #expect(machine.tick(now: now, outputPending: false) == nil)
        advance(seconds: 1)
        #expect(machine.tick(now: now, outputPending: false) == .idleTimeout)
    }

    @Test func slowloris_TimesOut_AtTheHeaderTimeoutFromItsFirstByte_HoweverItDrips() {
        var machine = makeIdle()
        advance(seconds: 30)
        #expect(machine.bytesReceived(now: now) == .parse)  // the first byte of a head: the header clock starts
        for _ in 0..<9 {
            advance(seconds: 1)
            #expect(machine.bytesReceived(now: now) == .parse)  // more header bytes do not extend it
            #expect(machine.tick(now: now, outputPending: false) == nil)
        }
        advance(seconds: 1)
        #expect(machine.tick(now: now, outputPending: false) == .headerTimeout)
    }

    @Test func slowBody_TimesOut_AtTheBodyTimeoutFromItsHead() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        advance(seconds: 5)
        #expect(machine.bytesReceived(now: now) == .parse)
        machine.bodyStarted(now: now)
        #expect(machine.state == .readingBody)
        advance(seconds: 29)
        #expect(machine.bytesReceived(now: now) == .parse)
        #expect(machine.tick(now: now, outputPending: false) == nil, "the header timeout no longer applies")
        advance(seconds: 1)
        #expect(machine.tick(now: now, outputPending: false) == .bodyTimeout)
    }

    @Test func heldRequest_NeverTimesOut_WhileTheHandlerHasIt() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: true)
        #expect(machine.deadline == 0)
        advance(seconds: 3600)
        #expect(machine.tick(now: now, outputPending: false) == nil)
    }

    @Test func writeStall_ClosesTheConnection_WhenOutputMakesNoProgressForTheIdleTimeout() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: true)
        machine.streamStarted(sequence: 1, closeDelimited: false)
        machine.outputBlocked(now: now)
        advance(seconds: 40)
        machine.outputProgressed(now: now)  // the client read some: the stall clock restarts
        advance(seconds: 59)
        #expect(machine.tick(now: now, outputPending: true) == nil)
        advance(seconds: 1)
        #expect(machine.tick(now: now, outputPending: true) == .writeStalled)
        #expect(machine.tick(now: now, outputPending: false) == nil, "nothing queued: nothing stalls")
    }

    // MARK: Keep-alive and close

    @Test func keepAlive_ReadsTheNextRequest_AfterAResponse() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: true)
        #expect(machine.responseCompleted(inputBuffered: false, shuttingDown: false, now: now) == .readNext)
        #expect(machine.outputDrained(now: now) == .none)
        #expect(machine.state == .readingHead(started: false))
    }

    @Test func connectionClose_LingersAfterItsResponse_ThenTimesOut() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: false)
        #expect(machine.responseCompleted(inputBuffered: true, shuttingDown: false, now: now) == .closeAfterWrite)
        #expect(machine.state == .closing)
        #expect(machine.bytesReceived(now: now) == .discard)
        #expect(machine.outputDrained(now: now) == .startLingering)
        #expect(machine.state == .lingering)
        #expect(machine.bytesReceived(now: now) == .discard)
        advance(seconds: 2)
        #expect(machine.tick(now: now, outputPending: false) == .lingerTimeout)
    }

    @Test func finalResponse_ThatCannotBeWritten_TimesOutAfterTheIdleTimeout() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestFailed()
        #expect(machine.responseCompleted(inputBuffered: false, shuttingDown: false, now: now) == .closeAfterWrite)
        advance(seconds: 60)
        #expect(machine.tick(now: now, outputPending: true) == .closingTimeout)
    }

    @Test func shuttingDown_ClosesAfterTheCurrentResponse_EvenWhenKeepAliveWasAsked() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: true)
        #expect(machine.beginShutdown(outputPending: false) == .none)
        #expect(!machine.keepAlive)
        #expect(machine.responseCompleted(inputBuffered: false, shuttingDown: true, now: now) == .closeAfterWrite)
    }

    @Test func shuttingDown_ClosesIdleConnections_AndFlushesOnesWithOutput() {
        var idle = makeIdle()
        #expect(idle.beginShutdown(outputPending: false) == .close(.shutdown))
        var writing = makeIdle()
        #expect(writing.beginShutdown(outputPending: true) == .closeAfterWrite)
        #expect(writing.state == .closing)
        #expect(writing.outputDrained(now: now) == .startLingering)
    }

    @Test func peerEOF_WithAnsweredOutputPending_FinishesWritingThenCloses() {
        var machine = makeIdle()
        #expect(machine.peerClosedInput(outputPending: true) == .finishWriting)
        #expect(machine.peerClosed)
        #expect(machine.state == .closing)
        #expect(machine.outputDrained(now: now) == .close(.peerClosed))
    }

    @Test func peerEOF_WhileARequestIsHeld_Closes() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: true)
        #expect(machine.peerClosedInput(outputPending: true) == .close(.peerClosed))
        var idle = makeIdle()
        #expect(idle.peerClosedInput(outputPending: false) == .close(.peerClosed))
    }

    @Test func http10Stream_IsCloseDelimited_SoTheConnectionIsNotKept() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        _ = machine.bytesReceived(now: now)
        machine.requestParsed(sequence: 1, keepAlive: true)
        machine.streamStarted(sequence: 1, closeDelimited: true)
        #expect(machine.isStreaming(1))
        #expect(machine.responseCompleted(inputBuffered: false, shuttingDown: false, now: now) == .closeAfterWrite)
    }

    // MARK: Pipelining

    @Test func pipelinedRequests_AreBufferedWhileOneIsHeld_AndAnsweredInOrder() {
        var machine = ConnectionStateMachine(timeouts: Self.timeouts, now: now)
        #expect(machine.bytesReceived(now: now) == .parse)
        machine.requestParsed(sequence: 1, keepAlive: true)
        // Request 2 arrives while 1 is with its handler: kept unparsed.
        #expect(machine.bytesReceived(now: now) == .buffer)
        #expect(!machine.isAwaiting(2), "a response for request 2 cannot overtake request 1")
        #expect(machine.isAwaiting(1))
        // 1 is answered with 2 buffered: parse it now, under the header timeout (not the idle one).
        #expect(machine.responseCompleted(inputBuffered: true, shuttingDown: false, now: now) == .readNext)
        #expect(machine.state == .readingHead(started: true))
        #expect(!machine.isAwaiting(1), "a late second answer to request 1 is ignored")
        machine.requestParsed(sequence: 2, keepAlive: true)
        #expect(machine.isAwaiting(2))
        #expect(machine.activeSequence == 2)
    }

    @Test func partialPipelinedHead_GetsTheHeaderTimeout_NotTheIdleOne() {
        var machine = makeIdle()
        machine.partialHeadBuffered(now: now)
        advance(seconds: 10)
        #expect(machine.tick(now: now, outputPending: false) == .headerTimeout)
    }
}
