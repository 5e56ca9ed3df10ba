import Synchronization

/// Counters of the coordinator and hinted handoff, for stats and `cachectl cluster`.
public final class ClusterCounters: Sendable {
    let readRepairs = Atomic<UInt64>(0)
    let quorumFailures = Atomic<UInt64>(0)
    let coordinatedReads = Atomic<UInt64>(0)
    let coordinatedWrites = Atomic<UInt64>(0)
    /// Reads that asked a node past the preference list because a replica was still filling.
    let readStandIns = Atomic<UInt64>(0)
    /// Reads that were slow to reach R, so the replicas not asked yet were asked too.
    let readHedges = Atomic<UInt64>(0)
    /// Replica answers that carried the version alone: the value was this node's already.
    let readsAnsweredByVersion = Atomic<UInt64>(0)

    public init() {}

    public var readRepairCount: UInt64 { readRepairs.load(ordering: .relaxed) }
    public var quorumFailureCount: UInt64 { quorumFailures.load(ordering: .relaxed) }
    public var readStandInCount: UInt64 { readStandIns.load(ordering: .relaxed) }
    public var readHedgeCount: UInt64 { readHedges.load(ordering: .relaxed) }
    public var readsAnsweredByVersionCount: UInt64 { readsAnsweredByVersion.load(ordering: .relaxed) }
}
