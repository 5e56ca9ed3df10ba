import RingtailModel
import RingtailReplication
import RingtailRing
import Synchronization

/// The node's `PartitionCustody` behind a lock, fed by ring changes (from `ClusterState`)
/// and exchange outcomes (from `AntiEntropyService`). Read on every replica read, so a lookup
/// holds the lock only for one array access.
public final class CustodyTracker: Sendable {
    private let custody: Mutex<PartitionCustody>
    private let partitioner: Partitioner
    private let droppedPartitions = Atomic<UInt64>(0)
    private let droppedKeys = Atomic<UInt64>(0)
    /// False when nothing can fill (anti-entropy off): every copy counts, nothing is dropped.
    public let gated: Bool

    /// A node with no seeds founds its cluster, so it holds everything there is: ready. A node
    /// that joins starts filling every partition (its store is empty, the cluster's may not be).
    init(partitionCount: Int, replicated: [Int], startsReady: Bool, gated: Bool) {
        self.gated = gated
        self.custody = Mutex(PartitionCustody(partitionCount: partitionCount, replicated: replicated, startsReady: startsReady))
        self.partitioner = Partitioner(partitionCount: partitionCount)
    }

    /// Whether this node's copy of `partition` is complete (its reads count toward R).
    public func isComplete(_ partition: Int) -> Bool {
        !gated || custody.withLock { $0.isComplete(partition) }
    }

    /// Whether this node's copy of the partition holding `key` is complete.
    public func isComplete(key: some Collection<UInt8>) -> Bool {
        isComplete(partitioner.partition(forKey: key))
    }

    public func state(of partition: Int) -> PartitionCustody.State {
        custody.withLock { $0.state(of: partition) }
    }

    public var counts: (filling: Int, ready: Int, handingOff: Int) { custody.withLock { $0.counts } }

    /// No partition is being filled.
    public var isReady: Bool { !gated || counts.filling == 0 }

    public var dropped: (partitions: UInt64, keys: UInt64) {
        (droppedPartitions.load(ordering: .relaxed), droppedKeys.load(ordering: .relaxed))
    }

    func partitions(_ wanted: (PartitionCustody.State) -> Bool) -> [Int] {
        custody.withLock { $0.partitions(in: wanted) }
    }

    /// The ring is now `ring`. `joined` says whether this node is part of a cluster (it founded
    /// one, or sees another member): before that, being the only node on the ring means nothing.
    func ringChanged(_ ring: HashRing, me: NodeID, joined: Bool) {
        let replicated = Set(ring.partitions(replicatedBy: me))
        custody.withLock { custody in
            custody.ringChanged(replicated: replicated) { partition in
                joined && ring.preferenceList(forPartition: partition).allSatisfy { $0 == me }
            }
        }
    }

    func fillingExchanged(_ partition: Int, _ exchanges: [PartitionCustody.Exchange], candidates: [NodeID]) -> Bool {
        custody.withLock { $0.fillingExchanged(partition, exchanges, candidates: candidates) }
    }

    func handoffExchanged(_ partition: Int, _ exchange: PartitionCustody.Exchange?, currentReplicas: [NodeID], holdsNothing: Bool) -> Bool {
        custody.withLock { $0.handoffExchanged(partition, exchange, currentReplicas: currentReplicas, holdsNothing: holdsNothing) }
    }

    func foundStrayData(_ partition: Int) -> Bool {
        custody.withLock { $0.foundStrayData(partition) }
    }

    func dropped(_ partition: Int, keys: Int) {
        custody.withLock { $0.dropped(partition) }
        // Empty copies (partitions held only on paper, as at start) are not worth counting.
        if keys > 0 { droppedPartitions.add(1, ordering: .relaxed) }
        droppedKeys.add(UInt64(keys), ordering: .relaxed)
    }
}
