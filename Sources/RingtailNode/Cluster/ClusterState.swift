import RingtailMembership
import RingtailModel
import RingtailRing
import Synchronization

/// This node's view of the cluster: the membership protocol instance and the ring derived
/// from it. Shared by every connection; each accessor holds the lock only for a copy.
///
/// The ring contains every member that has not left, dead ones included: a failure is not a
/// departure (as in Dynamo), so a dead member keeps its place, its writes go to others as
/// hints, and it gets them back when it returns. A graceful leave removes it at once; a member
/// dead for longer than `replaceDeadAfterMillis` is removed too, so its partitions get new
/// replicas instead of waiting for it forever.
public final class ClusterState: Sendable {
    public let configuration: ClusterConfiguration
    public let me: NodeID
    /// The protocol instance, created once the RPC port is bound (a member is known by that
    /// address), and the dead members taken off the ring (see `replaceDeadAfterMillis`) as of
    /// the last step: one lock, since each step decides both.
    private struct Membership {
        var instance: SWIMInstance?
        var replaced: Set<NodeID> = []
        /// Counts the changes of members (and so of `directory`); each one rebuilds the ring.
        var generation: UInt64 = 0
    }
    private let swim = Mutex(Membership())
    /// The membership generation the ring, routes and custody were last rebuilt for. Held while
    /// rebuilding: steps run concurrently (gossip arrives on every event loop), and a rebuild from
    /// an older step finishing after a newer one's would leave a stale ring in place.
    private let rebuilt = Mutex<UInt64>(0)
    /// Liveness and addresses as of the last membership change, for the per-request lookups;
    /// replaced under `swim`'s lock, so snapshots are published in the order of the changes.
    private let directory = Mutex(PeerDirectory.empty)
    private let currentRing: Mutex<HashRing>
    /// Whether this node is the ring's only member, kept with the ring: every request asks,
    /// and an atomic load is cheaper than copying the ring out under its lock.
    private let alone = Atomic<Bool>(true)
    private let left = Atomic<Bool>(false)
    /// `effectiveReplicas`, kept with the ring for the same reason: every request needs it.
    private let replicasHeld: Atomic<Int>
    /// Which partitions this node holds completely; follows every ring change.
    public let custody: CustodyTracker
    /// Where requests go, rebuilt from the ring and `directory` after every change of either.
    private let currentRoutes: Mutex<RouteTable>

    /// `gateReads` false (anti-entropy off: nothing would ever fill) counts every copy as complete.
    public init(me: NodeID, configuration: ClusterConfiguration, gateReads: Bool = true) {
        self.configuration = configuration
        self.me = me
        let ring = HashRing(members: [RingMember(id: me, weight: configuration.weight)], configuration: configuration.ringConfiguration)
        self.currentRing = Mutex(ring)
        self.replicasHeld = Atomic(min(configuration.replicas, ring.members.count))
        self.currentRoutes = Mutex(RouteTable(ring: ring, me: me, extendedCount: configuration.replicas) { $0 == me })
        self.custody = CustodyTracker(
            partitionCount: ring.partitionCount, replicated: ring.partitions(replicatedBy: me),
            startsReady: configuration.seeds.isEmpty, gated: gateReads)
    }

    /// Part of a cluster: it founded one (no seeds), or it sees another live member.
    public var hasJoined: Bool {
        configuration.seeds.isEmpty || members.contains { $0.id != me && $0.state.isLive }
    }

    /// Starts the membership protocol with this node reachable at `address`.
    func start(address: HostAndPort) {
        let seed = StableHash.xxh64(Array(me.name.utf8)) ^ MonotonicClock.nowMillis()
        let instance = SWIMInstance(
            id: me,
            address: address.description,
            weight: configuration.weight,
            settings: configuration.membership,
            random: SplitMix64(seed: seed)
        )
        swim.withLock { current in
            current.instance = instance
            directory.withLock { $0 = PeerDirectory(members: instance.members) }
        }
        rebuilt.withLock { _ in publishRoutes() }
    }

    /// This node is the only member of its ring: it holds every key alone.
    public var isAlone: Bool { alone.load(ordering: .acquiring) }

    /// This node has announced its graceful leave: it is shutting down and holds no partition.
    public var hasLeft: Bool { left.load(ordering: .acquiring) }

    /// The ring as of the last membership change.
    public var ring: HashRing { currentRing.withLock { $0 } }

    /// Every member this node knows, itself included.
    public var members: [Member] { swim.withLock { $0.instance?.members ?? [] } }

    /// Runs one membership-protocol step under the lock and rebuilds the ring when any
    /// member's state changed.
    func step(now: UInt64 = MonotonicClock.nowMillis(), _ body: (inout SWIMInstance) -> [SWIMDirective]) -> [SWIMDirective] {
        let (directives, members, gone, generation) = swim.withLock { current -> ([SWIMDirective], [Member]?, Set<NodeID>, UInt64) in
            guard var instance = current.instance.take() else { return ([], nil, [], 0) }
            let directives = body(&instance)
            let gone = configuration.replaceDeadAfterMillis.map { instance.dead(forAtLeast: $0, now: now) } ?? []
            let changed = directives.contains(where: \.changesMembership)
            let goneChanged = current.replaced != gone
            current.replaced = gone
            let members = changed || goneChanged ? instance.members : nil
            if let members {
                directory.withLock { $0 = PeerDirectory(members: members) }
                current.generation += 1
            }
            current.instance = instance
            return (directives, members, gone, current.generation)
        }
        if let members { rebuildRing(from: members, without: gone, generation: generation) }
        return directives
    }

    /// Rebuilds the ring, routes and custody for the members of `generation`, unless a newer
    /// generation's rebuild came first.
    func rebuildRing(from members: [Member], without gone: Set<NodeID>, generation: UInt64) {
        rebuilt.withLock { last in
            guard generation > last else { return }
            last = generation
            left.store(members.contains { $0.id == me && $0.state == .left }, ordering: .releasing)
            let ringMembers = members.filter { $0.state != .left && !gone.contains($0.id) }.map { RingMember(id: $0.id, weight: $0.weight) }
            let ring = HashRing(members: ringMembers, configuration: configuration.ringConfiguration)
            currentRing.withLock { current in
                current = ring
                alone.store(ring.nodes == [me], ordering: .releasing)
                replicasHeld.store(min(configuration.replicas, ring.members.count), ordering: .releasing)
            }
            publishRoutes()
            let joined = configuration.seeds.isEmpty || members.contains { $0.id != me && $0.state.isLive }
            custody.ringChanged(ring, me: me, joined: joined)
        }
    }

    /// Rebuilds the routes from the ring and liveness of this moment (the latest directory, so
    /// never older than the ring).
    private func publishRoutes() {
        currentRoutes.withLock { routes in
            let ring = self.ring
            let directory = self.directory.withLock { $0 }
            routes = RouteTable(ring: ring, me: me, extendedCount: configuration.replicas) { directory.isLive($0) }
        }
    }

    /// The routes as of the last ring or liveness change.
    var routes: RouteTable { currentRoutes.withLock { $0 } }

    /// Whether requests should be sent to `node` now: alive or merely suspected.
    public func isReachable(_ node: NodeID) -> Bool {
        if node == me { return true }
        return directory.withLock { $0 }.isLive(node)
    }

    /// The cluster address of `node`, if known.
    public func address(of node: NodeID) -> String? {
        directory.withLock { $0 }.address(of: node)
    }

    /// How many distinct members could hold replicas: the number of members that have not
    /// left, capped at N. A lone node thus runs with W = R = 1 instead of failing every request.
    public var effectiveReplicas: Int { replicasHeld.load(ordering: .acquiring) }
}

extension SWIMDirective {
    var changesMembership: Bool {
        switch self {
        case .memberStatusChanged, .memberRemoved: true
        case .send, .memberRefused: false
        }
    }
}

extension ClusterState {
    /// Whether `node` is known to be alive (not merely suspected): hints wait for that.
    public func isAlive(_ node: NodeID) -> Bool {
        if node == me { return true }
        return members.first { $0.id == node }?.state == .alive
    }
}
