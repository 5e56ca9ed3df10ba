import RingtailModel
import RingtailRing
import Testing

@Suite struct RingDiffTests {
    @Test func identicalRingsHaveNoChanges() {
        let ring = HashRing(members: members(5))
        let diff = RingDiff(from: ring, to: HashRing(members: members(5).reversed()))
        #expect(diff.isEmpty)
        #expect(diff.addedReplicaCount == 0 && diff.removedReplicaCount == 0)
    }

    @Test func gainedAndLostPartitionsFollowTheRings() {
        let old = HashRing(members: members(4))
        let new = HashRing(members: members(5).filter { $0.id != NodeID("node-2") })
        let diff = RingDiff(from: old, to: new)
        for node in Set(old.nodes).union(new.nodes) {
            let before = Set(old.partitions(replicatedBy: node))
            let after = Set(new.partitions(replicatedBy: node))
            #expect(diff.partitionsGained(by: node) == after.subtracting(before).sorted(), "\(node)")
            #expect(diff.partitionsLost(by: node) == before.subtracting(after).sorted(), "\(node)")
        }
        #expect(diff.partitionsLost(by: NodeID("node-2")) == old.partitions(replicatedBy: NodeID("node-2")))
        #expect(diff.partitionsGained(by: NodeID("node-5")) == new.partitions(replicatedBy: NodeID("node-5")))
        #expect(diff.addedReplicaCount == diff.removedReplicaCount)
    }

    @Test func growingPastFewerNodesThanReplicasOnlyAdds() {
        // With 2 nodes and N=3 every list holds both; a third node joins every list.
        let old = HashRing(members: members(2))
        let new = HashRing(members: members(3))
        let diff = RingDiff(from: old, to: new)
        #expect(diff.changes.count == new.partitionCount)
        #expect(diff.changes.allSatisfy { $0.added == [NodeID("node-3")] && $0.removed.isEmpty })
    }

    @Test func fromAndToAnEmptyRing() {
        let empty = HashRing(members: [])
        let ring = HashRing(members: members(3))
        #expect(RingDiff(from: empty, to: ring).addedReplicaCount == ring.partitionCount * 3)
        #expect(RingDiff(from: ring, to: empty).removedReplicaCount == ring.partitionCount * 3)
    }
}
