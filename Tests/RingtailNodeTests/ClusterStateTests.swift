import RingtailMembership
import RingtailModel
import Testing

@testable import RingtailNode

@Suite struct ClusterStateTests {
    private func members(_ names: [String]) -> [Member] {
        names.map { Member(id: NodeID($0), address: "127.0.0.1:\(7000 + Int($0.unicodeScalars.first!.value))") }
    }

    /// Membership steps run concurrently; the rebuild of an older step may finish after a
    /// newer one's, and must then leave the newer ring (and the routes built from it) alone.
    @Test func anOlderMembershipsRebuildArrivingLastKeepsTheNewerRing() {
        let state = ClusterState(me: NodeID("a"), configuration: ClusterConfiguration(partitionCount: 64))
        let four = members(["a", "b", "c", "d"])
        state.rebuildRing(from: four, without: [], generation: 2)
        state.rebuildRing(from: Array(four.prefix(3)), without: [], generation: 1)
        #expect(state.ring.nodes.map(\.name) == ["a", "b", "c", "d"])
        let owners = Set((0..<64).flatMap { state.routes.route(ofPartition: $0).owners })
        #expect(owners.contains(NodeID("d")), "the routes follow the newer ring")
        #expect(state.effectiveReplicas == 3)

        state.rebuildRing(from: Array(four.prefix(2)), without: [], generation: 3)
        #expect(state.ring.nodes.map(\.name) == ["a", "b"], "a newer generation is applied")
        #expect(state.effectiveReplicas == 2)
    }

    /// A node whose own entry says `left` knows it is shutting down (its coordinator then says
    /// so instead of reporting a quorum of zero); anyone else leaving does not make it so.
    @Test func aNodeKnowsWhenItHasLeft() {
        let state = ClusterState(me: NodeID("a"), configuration: ClusterConfiguration(partitionCount: 64))
        var three = members(["a", "b", "c"])
        state.rebuildRing(from: three, without: [], generation: 1)
        #expect(!state.hasLeft)
        three[1].state = .left
        state.rebuildRing(from: three, without: [], generation: 2)
        #expect(!state.hasLeft, "another member's leave")
        three[0].state = .left
        state.rebuildRing(from: three, without: [], generation: 3)
        #expect(state.hasLeft)
        #expect(!state.ring.nodes.contains(NodeID("a")))
    }
}
