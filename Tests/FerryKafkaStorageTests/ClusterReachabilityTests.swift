import Testing

@testable import FerryKafkaStorage

/// Readiness over Kafka: a failure counts at once, and only a refresh round that began after it can undo it.
@Suite struct ClusterReachabilityTests {
    @Test func unreachableUntilTheClusterAnsweredOnce() {
        let reachability = ClusterReachability()
        #expect(!reachability.isReachable)
        reachability.roundReachedCluster(reachability.roundStarts())  // the start-up listing
        #expect(reachability.isReachable)
    }

    @Test func aFailureCountsAtOnce_AndARoundThatWasUnderWayCannotUndoIt() {
        let reachability = ClusterReachability()
        reachability.roundReachedCluster(reachability.roundStarts())
        let round = reachability.roundStarts()
        reachability.noteUnreachable()  // a produce got no answer while the round ran
        #expect(!reachability.isReachable)
        reachability.roundReachedCluster(round)
        #expect(!reachability.isReachable)

        let next = reachability.roundStarts()
        reachability.roundReachedCluster(next)
        #expect(reachability.isReachable)
    }

    @Test func aRoundThatSawNoFailureKeepsOrRestoresReadiness() {
        let reachability = ClusterReachability()
        reachability.noteUnreachable()
        let round = reachability.roundStarts()
        reachability.roundReachedCluster(round)
        #expect(reachability.isReachable)
        reachability.roundReachedCluster(reachability.roundStarts())
        #expect(reachability.isReachable)
    }
}
