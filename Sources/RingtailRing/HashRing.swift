import RingtailModel

/// Placement of the fixed partitions on a consistent-hash ring of nodes with virtual nodes.
///
/// Each member places `weight × virtualNodesPerWeight` tokens on a 64-bit ring (see
/// docs/RING.md). Partition `p` sits at the lowest hash of its range; its preference list is the
/// first N distinct nodes met walking clockwise from there. Every list is computed once, at
/// construction, into one flat table, so lookups are O(1) and allocation-free.
///
/// The ring is a pure function of the member *set* and the configuration: members are
/// deduplicated and sorted by name and token ties are broken by name, so every node that sees
/// the same membership builds the identical ring. It is an immutable value; copies are cheap.
public struct HashRing: Sendable {
    let storage: Storage

    /// Builds the ring for `members` under `configuration`.
    ///
    /// Input order does not matter. If an id appears more than once, the entry with the largest
    /// weight wins, which is also order-independent; membership should not produce duplicates.
    public init(members: some Sequence<RingMember>, configuration: RingConfiguration = RingConfiguration()) {
        let members = Self.canonicalMembers(members)
        let tokens = RingTokens(members: members, configuration: configuration)
        storage = Storage(members: members, configuration: configuration, tokens: tokens)
    }

    /// Builds a ring whose tokens are given explicitly, so tests can lay rings out by hand.
    /// Every token's node must be among `members`.
    init(members: [RingMember], configuration: RingConfiguration, tokens: [(position: UInt64, node: NodeID)]) {
        let members = Self.canonicalMembers(members)
        let tokens = RingTokens(members: members, explicitTokens: tokens)
        storage = Storage(members: members, configuration: configuration, tokens: tokens)
    }

    /// Members sorted by id, one entry per id.
    public var members: [RingMember] { storage.members }
    /// Member ids in ascending order.
    public var nodes: [NodeID] { storage.nodes }
    public var configuration: RingConfiguration { storage.configuration }
    public var partitioner: Partitioner { storage.partitioner }
    public var partitionCount: Int { storage.partitioner.partitionCount }
    /// The length of every preference list: N, or fewer if fewer members own tokens.
    public var replicasPerPartition: Int { storage.replicasPerPartition }
    /// The number of virtual-node tokens on the ring.
    public var tokenCount: Int { storage.tokens.count }
    /// True when no member owns a token, so every preference list is empty.
    public var isEmpty: Bool { storage.replicasPerPartition == 0 }

    private static func canonicalMembers(_ members: some Sequence<RingMember>) -> [RingMember] {
        var weights: [NodeID: Double] = [:]
        for member in members {
            weights[member.id] = max(weights[member.id] ?? 0, member.weight)
        }
        return weights.map { RingMember(id: $0.key, weight: $0.value) }.sorted { $0.id < $1.id }
    }
}

extension HashRing: Equatable {
    /// Rings are equal when they have the same configuration, members and tokens, and hence the
    /// same placement.
    public static func == (lhs: HashRing, rhs: HashRing) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.storage.configuration == rhs.storage.configuration
                && lhs.storage.members == rhs.storage.members
                && lhs.storage.tokens == rhs.storage.tokens)
    }
}

extension HashRing: CustomStringConvertible {
    public var description: String {
        "HashRing(\(members.count) members, \(tokenCount) tokens, \(partitionCount) partitions, N=\(replicasPerPartition))"
    }
}

extension HashRing {
    /// The immutable state behind a ring; a class so copying a ring or a preference list costs
    /// one reference count.
    final class Storage: Sendable {
        let configuration: RingConfiguration
        let partitioner: Partitioner
        let members: [RingMember]
        let nodes: [NodeID]
        let tokens: RingTokens
        let replicasPerPartition: Int
        /// Node indices; partition `p`'s list is `table[p * replicasPerPartition ..< (p + 1) * replicasPerPartition]`.
        let table: [UInt32]

        init(members: [RingMember], configuration: RingConfiguration, tokens: RingTokens) {
            self.configuration = configuration
            self.partitioner = configuration.partitioner
            self.members = members
            self.nodes = members.map(\.id)
            self.tokens = tokens
            let replicas = min(configuration.replicas, tokens.distinctOwnerCount)
            self.replicasPerPartition = replicas
            self.table = Self.buildTable(partitioner: partitioner, tokens: tokens, nodeCount: members.count, replicas: replicas)
        }

        private static func buildTable(
            partitioner: Partitioner, tokens: RingTokens, nodeCount: Int, replicas: Int
        ) -> [UInt32] {
            guard replicas > 0 else { return [] }
            var table: [UInt32] = []
            table.reserveCapacity(partitioner.partitionCount * replicas)
            // One stamp per node instead of a set per partition: the walk is the hot loop.
            var lastSeenIn = [Int](repeating: -1, count: nodeCount)
            var start = 0
            for partition in 0..<partitioner.partitionCount {
                // Partition positions increase with the index, so the first token at or after
                // each one only ever moves forward.
                let position = partitioner.ringPosition(ofPartition: partition)
                while start < tokens.count && tokens.positions[start] < position { start += 1 }
                var index = start
                var found = 0
                while found < replicas {
                    if index == tokens.count { index = 0 }
                    let owner = tokens.owners[index]
                    if lastSeenIn[Int(owner)] != partition {
                        lastSeenIn[Int(owner)] = partition
                        table.append(owner)
                        found += 1
                    }
                    index += 1
                }
            }
            return table
        }
    }
}
