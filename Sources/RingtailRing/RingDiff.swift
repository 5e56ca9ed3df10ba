import RingtailModel

/// Which replicas each partition gained and lost between two rings over the same partitions.
///
/// Anti-entropy uses it after a membership change: every added replica must be filled from the
/// partition's other replicas, and a removed replica may drop the partition once that is done.
public struct RingDiff: Hashable, Sendable {
    /// The replica changes of one partition.
    public struct PartitionChange: Hashable, Sendable, CustomStringConvertible {
        public let partition: Int
        /// Nodes that hold the partition in the new ring and did not in the old, in new
        /// preference order.
        public let added: [NodeID]
        /// Nodes that held the partition in the old ring and do not in the new, in old
        /// preference order.
        public let removed: [NodeID]

        public init(partition: Int, added: [NodeID], removed: [NodeID]) {
            self.partition = partition
            self.added = added
            self.removed = removed
        }

        public var description: String {
            "\(partition): +\(added.map(\.name)) -\(removed.map(\.name))"
        }
    }

    /// Partitions whose replica set changed, ascending. A change of order alone (a new primary
    /// among the same nodes) moves no data and is not listed.
    public let changes: [PartitionChange]

    /// Compares every partition's replica set in `old` and `new`.
    ///
    /// - Precondition: both rings have the same partition count; partitions of different
    ///   counts are different key ranges and cannot be compared.
    public init(from old: HashRing, to new: HashRing) {
        precondition(
            old.partitionCount == new.partitionCount,
            "cannot diff rings with \(old.partitionCount) and \(new.partitionCount) partitions"
        )
        var changes: [PartitionChange] = []
        for partition in 0..<old.partitionCount {
            let before = old.preferenceList(forPartition: partition)
            let after = new.preferenceList(forPartition: partition)
            // Lists hold at most N nodes, so linear membership tests beat building sets.
            let added = after.filter { !before.contains($0) }
            let removed = before.filter { !after.contains($0) }
            if !added.isEmpty || !removed.isEmpty {
                changes.append(PartitionChange(partition: partition, added: added, removed: removed))
            }
        }
        self.changes = changes
    }

    /// True when no partition's replica set changed.
    public var isEmpty: Bool { changes.isEmpty }

    /// Replicas that must be filled: the sum of `added` over all partitions.
    public var addedReplicaCount: Int { changes.reduce(0) { $0 + $1.added.count } }

    /// Replicas that are no longer needed: the sum of `removed` over all partitions.
    public var removedReplicaCount: Int { changes.reduce(0) { $0 + $1.removed.count } }

    /// Partitions `node` now holds and did not before, ascending: what it must fetch.
    public func partitionsGained(by node: NodeID) -> [Int] {
        changes.filter { $0.added.contains(node) }.map(\.partition)
    }

    /// Partitions `node` held and no longer does, ascending: what it may drop.
    public func partitionsLost(by node: NodeID) -> [Int] {
        changes.filter { $0.removed.contains(node) }.map(\.partition)
    }
}
