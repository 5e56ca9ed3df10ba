import RingtailModel
import RingtailReplication
import RingtailRing
import Testing

@testable import RingtailNode

@Suite struct RouteTableTests {
    private let names = ["a", "b", "c", "d", "e"]

    private func ring(partitions: Int = 256) -> HashRing {
        HashRing(
            members: names.map { RingMember(id: NodeID($0)) },
            configuration: RingConfiguration(partitionCount: partitions, replicas: 3))
    }

    @Test func everyPartitionGetsWhatThePerRequestComputationGave() {
        let ring = ring()
        let me = NodeID("c")
        let dead: Set<NodeID> = [NodeID("a")]
        let isLive = { (node: NodeID) in !dead.contains(node) }
        let table = RouteTable(ring: ring, me: me, extendedCount: 3, isLive: isLive)
        var sawSubstitute = false
        var sawMeMovedFirst = false
        for partition in 0..<ring.partitionCount {
            let route = table.route(ofPartition: partition)
            let owners = Array(ring.preferenceList(forPartition: partition))
            let extended = ring.extendedPreferenceList(forPartition: partition, count: 3)
            #expect(route.owners == owners)
            #expect(route.extended == extended)
            var order = owners.filter { $0 == me || isLive($0) }
            if let mine = order.firstIndex(of: me), mine > 0 {
                order.insert(order.remove(at: mine), at: 0)
                sawMeMovedFirst = true
            }
            #expect(route.readOrder == order)
            let plan = ReplicaPlanner.plan(preferenceList: owners, extended: extended) { $0 == me || isLive($0) }
            #expect(route.writePlan == plan)
            #expect(route.writeNodes == plan.nodes)
            sawSubstitute = sawSubstitute || !plan.substitutes.isEmpty
        }
        #expect(sawSubstitute, "some partition of the dead node has a substitute")
        #expect(sawMeMovedFirst, "some partition lists this node after another owner")
        #expect(table.distinctRoutes < ring.partitionCount, "partitions with the same owners share a route")
    }

    @Test func readTargetsSplitTheReachableOwnersAtR() {
        let table = RouteTable(ring: ring(), me: NodeID("b"), extendedCount: 3) { _ in true }
        let route = table.route(ofPartition: 7)
        #expect(route.readOrder.count == 3)
        for required in 1...2 {
            let (targets, spares) = route.readTargets(required: required)
            #expect(targets == Array(route.readOrder.prefix(required)))
            #expect(spares == Array(route.readOrder.dropFirst(required)))
        }
        for required in [0, 3, 4] {
            let (targets, spares) = route.readTargets(required: required)
            #expect(targets == route.readOrder && spares.isEmpty)
        }
    }

    @Test func keyHashesFindTheirPartitionsRoute() {
        let ring = ring(partitions: 64)
        let table = RouteTable(ring: ring, me: NodeID("a"), extendedCount: 3) { _ in true }
        for key in ["x", "user:1", "session:42"] {
            let hash = StableHash.xxh64(Array(key.utf8))
            let (partition, route) = table.route(forKeyHash: hash)
            #expect(partition == ring.partitioner.partition(forKeyHash: hash))
            #expect(route.owners == Array(ring.preferenceList(forKeyHash: hash)))
        }
    }

    @Test func aLoneNodeRoutesEverythingToItself() {
        let me = NodeID("solo")
        let ring = HashRing(members: [RingMember(id: me)], configuration: RingConfiguration(partitionCount: 16, replicas: 3))
        let table = RouteTable(ring: ring, me: me, extendedCount: 3) { _ in false }
        let route = table.route(ofPartition: 3)
        #expect(route.readOrder == [me] && route.writeNodes == [me] && route.extended.isEmpty)
        #expect(route.readTargets(required: 1).targets == [me])
        #expect(table.distinctRoutes == 1)
    }
}
