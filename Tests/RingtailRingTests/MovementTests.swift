import RingtailModel
import RingtailRing
import Testing

/// How many partition replicas change owner when membership changes. Consistent hashing's
/// promise: a joining node takes only its own share, a leaving node gives up only its own.
@Suite struct MovementTests {
    /// Allowed excess over the ideal 1/(n+1): the moved replicas are exactly the new node's, so
    /// the excess is that node's deviation from the mean load, bounded by the balance bound.
    static let joinMargin = 0.10

    @Test func joiningNodeTakesAboutOneOverNPlusOne() {
        var report = ["Join, N=3, default configuration: node-(n+1) joins node-1…node-n",
                      "    n | replicas moved  fraction  ideal 1/(n+1)  moved/ideal"]
        for nodeCount in [3, 5, 9] {
            let old = HashRing(members: members(nodeCount))
            let new = HashRing(members: members(nodeCount + 1))
            let joiner = NodeID("node-\(nodeCount + 1)")
            let diff = RingDiff(from: old, to: new)
            let total = new.partitionCount * new.replicasPerPartition
            let fraction = Double(diff.addedReplicaCount) / Double(total)
            let ideal = 1.0 / Double(nodeCount + 1)
            report.append(pad("\(nodeCount)", 5) + " |" + pad("\(diff.addedReplicaCount)/\(total)", 15)
                + pad(percent(fraction), 10) + pad(percent(ideal), 15) + pad(ratio(fraction / ideal), 13))

            #expect(fraction <= ideal * (1 + Self.joinMargin), "\(nodeCount) → \(nodeCount + 1) nodes")
            // Only the joiner gains; each list it enters loses its last node and keeps its order.
            #expect(diff.changes.map(\.partition) == new.partitions(replicatedBy: joiner))
            for change in diff.changes {
                #expect(change.added == [joiner])
                let before = Array(old.preferenceList(forPartition: change.partition))
                var expected = before.dropLast()
                let rank = new.preferenceList(forPartition: change.partition).firstIndex(of: joiner)!
                expected.insert(joiner, at: rank)
                #expect(Array(new.preferenceList(forPartition: change.partition)) == Array(expected))
                #expect(change.removed == [before.last!])
            }
        }
        print(report.joined(separator: "\n"))
    }

    @Test func leavingNodeGivesUpOnlyItsOwnReplicas() {
        var report = ["Leave, N=3, default configuration: each node of node-1…node-n leaves in turn",
                      "    n | replicas moved, min … max  fraction min … max  ideal 1/n"]
        for nodeCount in [4, 6, 10] {
            let old = HashRing(members: members(nodeCount))
            let total = old.partitionCount * old.replicasPerPartition
            var movedCounts: [Int] = []
            for leaver in old.nodes {
                let new = HashRing(members: old.members.filter { $0.id != leaver })
                let diff = RingDiff(from: old, to: new)
                movedCounts.append(diff.removedReplicaCount)

                // Exactly the leaver's partitions change, and in each only the leaver is replaced.
                #expect(diff.changes.map(\.partition) == old.partitions(replicatedBy: leaver))
                for change in diff.changes {
                    #expect(change.removed == [leaver])
                    #expect(change.added.count == 1)
                    let survivors = old.preferenceList(forPartition: change.partition).filter { $0 != leaver }
                    #expect(Array(new.preferenceList(forPartition: change.partition)) == survivors + change.added)
                }
            }
            let low = Double(movedCounts.min()!) / Double(total)
            let high = Double(movedCounts.max()!) / Double(total)
            report.append(pad("\(nodeCount)", 5) + " |" + pad("\(movedCounts.min()!) … \(movedCounts.max()!)", 26)
                + pad("\(percent(low)) … \(percent(high))", 20) + pad(percent(1.0 / Double(nodeCount)), 11))
        }
        print(report.joined(separator: "\n"))
    }

    @Test func joinThenLeaveRestoresTheRing() {
        let before = HashRing(members: members(5))
        let during = HashRing(members: members(6))
        let after = HashRing(members: during.members.filter { $0.id != NodeID("node-6") })
        #expect(after == before)
        #expect(RingDiff(from: before, to: after).isEmpty)
    }
}
