import Synchronization

/// Whether the Kafka cluster is serving this gateway, as `/readyz` and `ferry_kafka_up` report it.
///
/// It turns false as soon as anything finds the cluster unreachable: a refresh round, or a request that got no
/// answer from any broker (a produce whose delivery timed out, say). It turns true again only when a refresh
/// round that *started after* the last such failure reached the cluster. A round already under way when the
/// cluster went down (one round can outlast an outage's first seconds: each call waits up to the metadata
/// timeout) cannot report a success it observed before the failure. Thread-safe; every call is quick.
final class ClusterReachability: Sendable {
    private struct State {
        var reachable = false
        /// Failures noted so far; a round compares it at its end with the value at its start.
        var failures: UInt64 = 0
    }
    private let state = Mutex(State())

    init() {}

    var isReachable: Bool { state.withLock { $0.reachable } }

    /// Something found the cluster unreachable.
    func noteUnreachable() {
        state.withLock { state in
            state.reachable = false
            state.failures &+= 1
        }
    }

    /// Starts a refresh round (or the start-up listing, which counts as one): the token to hand to
    /// ``roundReachedCluster(_:)`` when it succeeds.
    func roundStarts() -> UInt64 { state.withLock { $0.failures } }

    /// The round started with `token` reached the cluster: reachable, unless a failure was noted since it began.
    func roundReachedCluster(_ token: UInt64) {
        state.withLock { state in
            if state.failures == token { state.reachable = true }
        }
    }
}
