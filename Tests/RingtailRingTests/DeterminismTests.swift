import RingtailModel
@testable import RingtailRing
import Testing

/// Every node builds the ring from the membership it sees; all must agree exactly.
@Suite struct DeterminismTests {
    @Test(arguments: [1, 3, 5, 10])
    func shuffledMemberOrderBuildsTheSameRing(nodeCount: Int) {
        let ordered = [RingMember("node-1", weight: 2)] + members(nodeCount).dropFirst()
        let reference = HashRing(members: ordered)
        var generator = SplitMix64(seed: UInt64(nodeCount))
        for _ in 0..<5 {
            let ring = HashRing(members: ordered.shuffled(using: &generator))
            #expect(ring == reference)
            #expect(ring.members == reference.members)
            #expect(ring.storage.tokens == reference.storage.tokens)
            #expect(ring.storage.table == reference.storage.table)
        }
    }

    @Test func duplicateMembersResolveTheSameWayInAnyOrder() {
        let a1 = RingMember("a", weight: 1)
        let a2 = RingMember("a", weight: 2)
        let b = RingMember("b")
        let one = HashRing(members: [a1, b, a2])
        let other = HashRing(members: [a2, a1, b])
        #expect(one == other)
        #expect(one.members == [a2, b])
        #expect(one.weight(of: NodeID("a")) == 2)
    }

    @Test func membersAreSortedByName() {
        let ring = HashRing(members: [RingMember("c"), RingMember("a"), RingMember("b")])
        #expect(ring.nodes.map(\.name) == ["a", "b", "c"])
    }

    /// Tokens and partition positions are part of the cluster protocol: nodes running different
    /// builds must still agree. These values pin them; if this test fails, the change reshuffles
    /// every existing cluster and must be treated as a protocol change.
    @Test func placementIsPinned() {
        let ring = HashRing(members: members(5))
        #expect(ring.tokenCount == 5 * 512)
        #expect(ring.storage.tokens.positions.first == Self.firstTokenPosition)
        let pinned = Self.pinnedLists.map { partition, names in
            (partition, ring.preferenceList(forPartition: partition).map(\.name) == names)
        }
        for (partition, matches) in pinned {
            #expect(matches, "partition \(partition): \(ring.preferenceList(forPartition: partition))")
        }
        #expect(ring.preferenceList(forKey: Array("user:42".utf8)).map(\.name) == Self.userFortyTwo)
    }

    // Cross-checked against an independent straight-line implementation of the same scheme.
    static let firstTokenPosition: UInt64 = 0x0086_9FEC_EF2C_160D
    static let pinnedLists: [(Int, [String])] = [
        (0, ["node-1", "node-5", "node-3"]),
        (1, ["node-1", "node-5", "node-3"]),
        (1000, ["node-3", "node-2", "node-1"]),
        (2048, ["node-5", "node-4", "node-1"]),
        (4095, ["node-2", "node-1", "node-5"]),
    ]
    /// "user:42" falls in partition 3521.
    static let userFortyTwo = ["node-4", "node-3", "node-1"]
}
