import RingtailModel
@testable import RingtailRing
import Testing

/// Hand-laid rings with four partitions, at positions 0, Q, 2Q and 3Q.
@Suite struct HandLaidRingTests {
    static let q = UInt64(1) << 62

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let members: [RingMember]
        let replicas: Int
        let tokens: [(position: UInt64, node: String)]
        /// Expected preference list of each of the four partitions.
        let lists: [[String]]
        /// Expected `extendedPreferenceList(forPartition:count: .max)` of each partition.
        let extended: [[String]]

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "walk skips a node it already has",
            members: [RingMember("a"), RingMember("b"), RingMember("c")], replicas: 2,
            tokens: [(10, "a"), (q / 2, "a"), (q + 1, "b"), (2 * q + 1, "c"), (3 * q + 1, "b")],
            lists: [["a", "b"], ["b", "c"], ["c", "b"], ["b", "a"]],
            extended: [["c"], ["a"], ["a"], ["c"]]
        ),
        Case(
            name: "a token exactly at a partition's position belongs to it",
            members: [RingMember("a"), RingMember("b")], replicas: 1,
            tokens: [(q, "a"), (2 * q, "b")],
            lists: [["a"], ["a"], ["b"], ["a"]],
            extended: [["b"], ["b"], ["a"], ["b"]]
        ),
        Case(
            name: "N larger than the node count lists every node",
            members: [RingMember("a"), RingMember("b")], replicas: 3,
            tokens: [(1, "b"), (2 * q + 1, "a")],
            lists: [["b", "a"], ["a", "b"], ["a", "b"], ["b", "a"]],
            extended: [[], [], [], []]
        ),
        Case(
            name: "single node",
            members: [RingMember("solo")], replicas: 3,
            tokens: [(12345, "solo")],
            lists: [["solo"], ["solo"], ["solo"], ["solo"]],
            extended: [[], [], [], []]
        ),
        Case(
            name: "equal positions are ordered by name, whatever the input order",
            members: [RingMember("b"), RingMember("a"), RingMember("c")], replicas: 1,
            tokens: [(q, "b"), (q, "a"), (3 * q, "c")],
            lists: [["a"], ["a"], ["c"], ["c"]],
            extended: [["b", "c"], ["b", "c"], ["a", "b"], ["a", "b"]]
        ),
        Case(
            name: "a weight-0 member owns nothing",
            members: [RingMember("a"), RingMember("drained", weight: 0), RingMember("b")], replicas: 3,
            tokens: [(q, "a"), (3 * q, "b")],
            lists: [["a", "b"], ["a", "b"], ["b", "a"], ["b", "a"]],
            extended: [[], [], [], []]
        ),
        Case(
            name: "no members",
            members: [], replicas: 3, tokens: [],
            lists: [[], [], [], []],
            extended: [[], [], [], []]
        ),
    ]

    @Test(arguments: cases)
    func preferenceLists(_ c: Case) {
        let ring = HashRing(
            members: c.members,
            configuration: RingConfiguration(partitionCount: 4, replicas: c.replicas),
            tokens: c.tokens.map { ($0.position, NodeID($0.node)) }
        )
        for partition in 0..<4 {
            let list = ring.preferenceList(forPartition: partition)
            #expect(list.map(\.name) == c.lists[partition], "partition \(partition)")
            #expect(ring.primaryOwner(ofPartition: partition)?.name == c.lists[partition].first)
            #expect(
                ring.extendedPreferenceList(forPartition: partition, count: .max).map(\.name) == c.extended[partition],
                "partition \(partition)"
            )
        }
        #expect(ring.isEmpty == c.lists[0].isEmpty)
    }

    @Test func replicaPartitionsAndCounts() {
        let c = Self.cases[0]
        let ring = HashRing(
            members: c.members,
            configuration: RingConfiguration(partitionCount: 4, replicas: c.replicas),
            tokens: c.tokens.map { ($0.position, NodeID($0.node)) }
        )
        #expect(ring.partitions(replicatedBy: NodeID("a")) == [0, 3])
        #expect(ring.partitions(replicatedBy: NodeID("b")) == [0, 1, 2, 3])
        #expect(ring.partitions(primaryOf: NodeID("b")) == [1, 3])
        #expect(ring.partitions(replicatedBy: NodeID("stranger")).isEmpty)
        #expect(ring.partitionCounts() == [
            NodeID("a"): PartitionCounts(primary: 1, replicas: 2),
            NodeID("b"): PartitionCounts(primary: 2, replicas: 4),
            NodeID("c"): PartitionCounts(primary: 1, replicas: 2),
        ])
    }
}

/// Structural properties of hashed rings of various sizes.
@Suite struct PreferenceListPropertyTests {
    @Test(arguments: [(1, 3), (2, 3), (3, 3), (5, 1), (5, 3), (7, 5), (12, 3)])
    func listsHoldDistinctNodes(nodeCount: Int, replicas: Int) {
        let ring = HashRing(
            members: members(nodeCount),
            configuration: RingConfiguration(partitionCount: 256, virtualNodesPerWeight: 64, replicas: replicas)
        )
        let expectedLength = min(nodeCount, replicas)
        #expect(ring.replicasPerPartition == expectedLength)
        for partition in 0..<ring.partitionCount {
            let list = ring.preferenceList(forPartition: partition)
            #expect(list.count == expectedLength)
            #expect(Set(list).count == expectedLength)

            let rest = ring.extendedPreferenceList(forPartition: partition, count: .max)
            #expect(rest.count == nodeCount - expectedLength)
            #expect(Set(list).union(rest) == Set(ring.nodes))
            #expect(ring.extendedPreferenceList(forPartition: partition, count: 1) == Array(rest.prefix(1)))
            #expect(ring.extendedPreferenceList(forPartition: partition, count: 0).isEmpty)
        }
    }

    @Test func keyLookupsAgreeWithPartitionLookups() {
        let ring = HashRing(members: members(5))
        for key in ["", "a", "user:42", "session/9f8e"] {
            let bytes = Array(key.utf8)
            let partition = ring.partitioner.partition(forKey: bytes)
            #expect(ring.preferenceList(forKey: bytes) == ring.preferenceList(forPartition: partition))
            #expect(ring.preferenceList(forKeyHash: StableHash.xxh64(bytes)) == ring.preferenceList(forPartition: partition))
        }
    }

    @Test func replicaPartitionsMatchTheTable() {
        let ring = HashRing(members: members(6))
        let counts = ring.partitionCounts()
        for node in ring.nodes {
            let replicated = ring.partitions(replicatedBy: node)
            #expect(replicated == (0..<ring.partitionCount).filter { ring.preferenceList(forPartition: $0).contains(node) })
            #expect(replicated.count == counts[node]?.replicas)
            #expect(ring.partitions(primaryOf: node).count == counts[node]?.primary)
        }
        #expect(counts.values.map(\.replicas).reduce(0, +) == ring.partitionCount * 3)
    }
}
