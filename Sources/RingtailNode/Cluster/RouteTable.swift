import RingtailModel
import RingtailReplication
import RingtailRing

/// Where each partition's requests go, as of the last ring or liveness change: what the
/// coordinator looks up per request in place of copying the ring, walking it for stand-ins,
/// filtering the owners by liveness and planning substitutes, each with its own arrays.
///
/// Partitions sharing owners and stand-ins share one `Route` (a ring of a few nodes has a few
/// dozen distinct ones among thousands of partitions), so a rebuild is cheap and a lookup is
/// an index and one reference count. Pure: built from a ring and a liveness view.
final class RouteTable: Sendable {
    /// The replicas of one partition and how requests reach them.
    final class Route: Sendable {
        /// The preference list: the partition's N owners, primary first.
        let owners: [NodeID]
        /// Nodes after the owners in ring order (up to N): substitutes and stand-ins.
        let extended: [NodeID]
        /// The owners requests may be sent to now, this node first when it is one (a local read
        /// costs no round trip), then in preference order.
        let readOrder: [NodeID]
        /// `readOrder` split for each R in `1..<readOrder.count`: the R asked at once and the rest
        /// kept as spares (made here once instead of two arrays per read).
        private let readSplits: [(targets: [NodeID], spares: [NodeID])]
        /// Where a write goes under the sloppy quorum (`ReplicaPlanner`).
        let writePlan: ReplicaPlan
        /// `writePlan`'s nodes, in its order.
        let writeNodes: [NodeID]

        init(owners: [NodeID], extended: [NodeID], me: NodeID, isLive: (NodeID) -> Bool) {
            self.owners = owners
            self.extended = extended
            var order = owners.filter { $0 == me || isLive($0) }
            if let mine = order.firstIndex(of: me), mine > 0 { order.insert(order.remove(at: mine), at: 0) }
            readOrder = order
            readSplits = (1..<max(1, order.count)).map { (Array(order.prefix($0)), Array(order.dropFirst($0))) }
            writePlan = ReplicaPlanner.plan(preferenceList: owners, extended: extended) { $0 == me || isLive($0) }
            writeNodes = writePlan.nodes
        }

        /// The first `required` reachable owners to ask, and the others as spares; all of them
        /// (no spares) when `required` covers them.
        func readTargets(required: Int) -> (targets: [NodeID], spares: [NodeID]) {
            guard required >= 1, required < readOrder.count else { return (readOrder, []) }
            return readSplits[required - 1]
        }
    }

    /// Owners and stand-ins decide a route.
    private struct RouteKey: Hashable {
        var owners: [NodeID]
        var extended: [NodeID]
    }

    let partitioner: Partitioner
    private let routeIndex: [UInt32]
    private let routes: [Route]

    /// - Parameters:
    ///   - extendedCount: how many nodes after the owners to keep per partition (N).
    ///   - isLive: whether requests may be sent to a node now; `me` always may.
    init(ring: HashRing, me: NodeID, extendedCount: Int, isLive: (NodeID) -> Bool) {
        partitioner = ring.partitioner
        var routes: [Route] = []
        var known: [RouteKey: UInt32] = [:]
        var routeIndex: [UInt32] = []
        routeIndex.reserveCapacity(ring.partitionCount)
        for partition in 0..<ring.partitionCount {
            let owners = Array(ring.preferenceList(forPartition: partition))
            let extended = ring.extendedPreferenceList(forPartition: partition, count: extendedCount)
            let signature = RouteKey(owners: owners, extended: extended)
            if let index = known[signature] {
                routeIndex.append(index)
                continue
            }
            let index = UInt32(routes.count)
            routes.append(Route(owners: owners, extended: extended, me: me, isLive: isLive))
            known[signature] = index
            routeIndex.append(index)
        }
        self.routeIndex = routeIndex
        self.routes = routes
    }

    /// The route of `partition`.
    func route(ofPartition partition: Int) -> Route {
        routes[Int(routeIndex[partition])]
    }

    /// The partition of the key whose `StableHash.xxh64` is `keyHash`, and its route.
    func route(forKeyHash keyHash: UInt64) -> (partition: Int, route: Route) {
        let partition = partitioner.partition(forKeyHash: keyHash)
        return (partition, route(ofPartition: partition))
    }

    /// How many distinct routes the partitions share.
    var distinctRoutes: Int { routes.count }
}
