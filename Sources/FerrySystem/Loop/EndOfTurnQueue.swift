#if canImport(Glibc)
    import Glibc
#endif

/// Work an event-loop thread puts off until the end of its current turn: after it has handled this pass's
/// socket events.
///
/// Two kinds, run in this order by the loop (see ``LoopMailbox/finishTurn()``):
/// - **work** (``add(_:)``): quick things, such as a long-poll woken by an append being read and answered on
///   the loop instead of after a hop through another thread;
/// - **syncs** (``addSync(_:)``): the durable appends of the pass, synced once for all of them (as Redis does
///   with `appendfsync always`), after the loop has written the answers that do not wait for them, so a reader
///   is not held up by a writer's `fsync`. A sync, or other quick work such as a stream arming its next wait,
///   may also be put off to the end of the next turn (``addAfterNextPoll(_:)``), run with that turn's syncs: the
///   loop polls its sockets once more first (without sleeping), so a loop that syncs for others as well as for
///   itself still serves its own connections between syncs.
///
/// Loop-confined: a loop thread installs one for itself (``install()``); code running on that thread finds it
/// through ``current`` and adds to it. Every other thread gets `nil` from ``current`` and takes its own path
/// (a flusher thread, a Dispatch queue). Work must not block for long (it holds up every connection of the
/// loop) and nothing may wait for end-of-turn work on the loop thread itself.
public final class EndOfTurnQueue {
    private var work: [() -> Void] = []
    private var syncs: [() -> Void] = []
    private var afterNextPoll: [() -> Void] = []
    private var running: [() -> Void] = []

    public init() {}

    /// The queue of the calling thread's loop, or nil when the caller is not on a loop thread that has one.
    public static var current: EndOfTurnQueue? {
        guard let pointer = pthread_getspecific(key) else { return nil }
        return Unmanaged<EndOfTurnQueue>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Makes this the calling thread's ``current`` queue until ``uninstall()``. The caller keeps it alive.
    public func install() {
        _ = pthread_setspecific(Self.key, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Ends ``install()`` on the calling thread (the loop is stopping).
    public func uninstall() {
        _ = pthread_setspecific(Self.key, nil)
    }

    /// Adds quick work for the end of this turn. Call on the owning loop thread only.
    public func add(_ work: @escaping () -> Void) {
        self.work.append(work)
    }

    /// Adds a sync for the end of this turn, to run after the turn's other answers are written. Owner only.
    public func addSync(_ sync: @escaping () -> Void) {
        syncs.append(sync)
    }

    /// Adds a sync, or other quick work, for the end of the next turn, run with its syncs (after its answers):
    /// the loop first polls its sockets again, without sleeping, and handles what they bring. For work that must
    /// neither hold up this turn's answers nor keep the loop from its sockets: a sync a loop takes over from
    /// another, a stream arming its next wait after a delivery (the client just written to reads first) or
    /// sending its next batch (other connections are served in between). Owner only.
    public func addAfterNextPoll(_ work: @escaping () -> Void) {
        afterNextPoll.append(work)
    }

    /// True when work or syncs (of this turn or the next) are waiting.
    public var hasPending: Bool { !work.isEmpty || !syncs.isEmpty || !afterNextPoll.isEmpty }

    /// Starts a turn's end: the syncs put off to this turn join the others. Call once per turn, before
    /// ``runSyncs()``.
    public func beginTurnEnd() {
        if afterNextPoll.isEmpty { return }
        syncs.append(contentsOf: afterNextPoll)
        afterNextPoll.removeAll(keepingCapacity: true)
    }

    /// Runs the pending work in the order it was added, including work that it adds, until none is left.
    /// Returns whether there was any.
    @discardableResult
    public func runWork() -> Bool {
        if work.isEmpty { return false }
        while !work.isEmpty {
            swap(&work, &running)  // the items may add work: no access to `work` may stay open while they run
            runTaken()
        }
        return true
    }

    /// True when syncs wait for this turn (not those put off to the next).
    public var hasSyncs: Bool { !syncs.isEmpty }

    /// Runs the pending syncs (not syncs they add: those are for the loop's next round). Returns whether there
    /// were any.
    public func runSyncs() -> Bool {
        if syncs.isEmpty { return false }
        swap(&syncs, &running)
        runTaken()
        return true
    }

    /// Runs everything pending, syncs included, until nothing is left (a stopping loop).
    public func runPending() {
        while hasPending {
            beginTurnEnd()
            runWork()
            _ = runSyncs()
        }
    }

    /// Runs what was swapped into `running` and empties it, keeping its storage for the next round.
    private func runTaken() {
        for item in running { item() }
        running.removeAll(keepingCapacity: true)
    }

    /// One key for every loop thread: each thread's value is its own queue.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let code = pthread_key_create(&key, nil)
        precondition(code == 0, "pthread_key_create failed: \(code)")
        return key
    }()
}
