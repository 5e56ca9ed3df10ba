import RingtailModel
import RingtailRing
import Testing

/// Weighted members: a node of weight 2 places twice the tokens.
@Suite struct WeightTests {
    /// Tolerance on "twice": ±10 %, the same bound as balance.
    static let tolerance = 0.10

    @Test func doubleWeightOwnsTwiceThePrimaries() {
        var report = ["Weight, N=3, default configuration: node-1 has weight 2, the rest weight 1",
                      "nodes | heavy/light primaries | heavy/light replicas | replica cap"]
        for nodeCount in [5, 10] {
            let heavy = NodeID("node-1")
            let ring = HashRing(members: [RingMember(id: heavy, weight: 2)] + members(nodeCount).dropFirst())
            let counts = ring.partitionCounts()
            let light = counts.filter { $0.key != heavy }.map(\.value)
            let lightPrimaries = Double(light.map(\.primary).reduce(0, +)) / Double(light.count)
            let lightReplicas = Double(light.map(\.replicas).reduce(0, +)) / Double(light.count)
            let primaryRatio = Double(counts[heavy]!.primary) / lightPrimaries
            let replicaRatio = Double(counts[heavy]!.replicas) / lightReplicas
            report.append(pad("\(nodeCount)", 5) + " |" + pad(ratio(primaryRatio), 22) + " |"
                + pad(ratio(replicaRatio), 21) + " |" + pad("\(counts[heavy]!.replicas)/\(ring.partitionCount)", 12))
            #expect(abs(primaryRatio - 2) <= 2 * Self.tolerance, "\(nodeCount) nodes")
            // A node holds at most one replica of a partition, so with N=3 a heavy node's replica
            // share is below twice: the walk skips its second and later tokens in each list.
            #expect(replicaRatio > 1.2 && replicaRatio < 2, "\(nodeCount) nodes")
        }
        print(report.joined(separator: "\n"))
    }

    @Test func raisingAWeightOnlyGivesThatNodeMore() {
        let before = HashRing(members: members(6))
        let node = NodeID("node-3")
        let after = HashRing(members: before.members.map { $0.id == node ? RingMember(id: node, weight: 2) : $0 })
        let diff = RingDiff(from: before, to: after)
        #expect(!diff.isEmpty)
        #expect(diff.changes.allSatisfy { $0.added == [node] && !$0.removed.contains(node) })
        #expect(after.weight(of: node) == 2)
    }

    @Test func weightScalesTheTokenCount() {
        let configuration = RingConfiguration(virtualNodesPerWeight: 100)
        #expect(configuration.virtualNodeCount(forWeight: 1) == 100)
        #expect(configuration.virtualNodeCount(forWeight: 2) == 200)
        #expect(configuration.virtualNodeCount(forWeight: 0.5) == 50)
        #expect(configuration.virtualNodeCount(forWeight: 0.001) == 1)
        #expect(configuration.virtualNodeCount(forWeight: 0) == 0)
        let ring = HashRing(
            members: [RingMember("a", weight: 2), RingMember("b"), RingMember("c", weight: 0)],
            configuration: configuration
        )
        #expect(ring.tokenCount == 300)
        #expect(ring.contains(NodeID("c")))
        #expect(ring.partitions(replicatedBy: NodeID("c")).isEmpty)
        #expect(ring.replicasPerPartition == 2)
    }
}
