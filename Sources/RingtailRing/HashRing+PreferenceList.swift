import RingtailModel

/// The replicas of one partition in preference order, the primary first.
///
/// A view into the ring's precomputed table: getting one neither allocates nor copies, which
/// matters because every request asks for one. Use `Array(list)` to keep a copy.
public struct PreferenceList: RandomAccessCollection, Sendable, Equatable, CustomStringConvertible {
    private let storage: HashRing.Storage
    private let base: Int
    public let endIndex: Int

    init(storage: HashRing.Storage, partition: Int) {
        self.storage = storage
        self.endIndex = storage.replicasPerPartition
        self.base = partition * storage.replicasPerPartition
    }

    public var startIndex: Int { 0 }

    public subscript(position: Int) -> NodeID {
        precondition(position >= 0 && position < endIndex, "preference list index \(position) out of range")
        return storage.nodes[Int(storage.table[base + position])]
    }

    /// The first replica: the node that coordinates the partition when it is up.
    public var primary: NodeID? { first }

    public static func == (lhs: PreferenceList, rhs: PreferenceList) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public var description: String { "[" + map(\.name).joined(separator: ", ") + "]" }
}

extension HashRing {
    /// The N distinct nodes holding `partition`, primary first (all nodes if there are fewer).
    /// O(1), allocation-free.
    ///
    /// - Precondition: `partition` is in `0..<partitionCount`.
    public func preferenceList(forPartition partition: Int) -> PreferenceList {
        precondition(partition >= 0 && partition < partitionCount, "partition \(partition) out of range")
        return PreferenceList(storage: storage, partition: partition)
    }

    /// The preference list of the partition containing the key whose `StableHash.xxh64` is `hash`.
    public func preferenceList(forKeyHash hash: UInt64) -> PreferenceList {
        PreferenceList(storage: storage, partition: storage.partitioner.partition(forKeyHash: hash))
    }

    /// The preference list of the partition containing `key`.
    public func preferenceList(forKey key: some Collection<UInt8>) -> PreferenceList {
        preferenceList(forKeyHash: StableHash.xxh64(key))
    }

    /// The first node of `partition`'s preference list, or nil when the ring is empty.
    public func primaryOwner(ofPartition partition: Int) -> NodeID? {
        preferenceList(forPartition: partition).first
    }

    /// Up to `count` further distinct nodes after the preference list, in ring order: where a
    /// sloppy quorum sends a write (with a hint) when a replica is down, "the next node on the
    /// ring". Fewer are returned when the ring has no more nodes.
    ///
    /// Walks the ring, so it costs O(tokens) in the worst case; it is meant for the failure
    /// path, not every request.
    public func extendedPreferenceList(forPartition partition: Int, count: Int) -> [NodeID] {
        precondition(partition >= 0 && partition < partitionCount, "partition \(partition) out of range")
        precondition(count >= 0, "count must not be negative, got \(count)")
        let tokens = storage.tokens
        let replicas = storage.replicasPerPartition
        let wanted = min(count, tokens.distinctOwnerCount - replicas)
        guard wanted > 0 else { return [] }

        var seen = [Bool](repeating: false, count: storage.nodes.count)
        var distinctSeen = 0
        var result: [NodeID] = []
        result.reserveCapacity(wanted)
        // The same walk that built the table, continued past its first `replicas` nodes.
        var index = tokens.firstIndex(atOrAfter: storage.partitioner.ringPosition(ofPartition: partition))
        while result.count < wanted {
            if index == tokens.count { index = 0 }
            let owner = Int(tokens.owners[index])
            if !seen[owner] {
                seen[owner] = true
                if distinctSeen >= replicas { result.append(storage.nodes[owner]) }
                distinctSeen += 1
            }
            index += 1
        }
        return result
    }
}
