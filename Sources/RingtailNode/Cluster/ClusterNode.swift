import Logging
import NIOCore
import RingtailClient
import RingtailModel
import RingtailRing
import RingtailWire

/// Everything that makes a node a cluster member: membership, the ring, the coordinator and
/// hinted handoff, around the node's own store.
public final class ClusterNode: Sendable {
    public let local: LocalNode
    public let state: ClusterState
    public let coordinator: Coordinator
    public let membership: MembershipService
    public let hints: HintService
    public let counters: ClusterCounters
    public let antiEntropy: AntiEntropyService
    /// Applies flushes (FLUSHALL) to this node.
    public let flusher: NodeFlusher
    let responder: AntiEntropyResponder
    /// Set when the cluster has a secret.
    public let authenticator: PeerAuthenticator?
    let peers: PeerPool
    /// When each peer last sent this node's server anything.
    let evidence: PeerEvidence

    public init(
        local: LocalNode, trees: PartitionTrees, configuration: ClusterConfiguration, antiEntropy settings: AntiEntropySettings,
        group: any EventLoopGroup, address: @escaping @Sendable () async throws -> HostAndPort, logger: Logger
    ) {
        self.local = local
        let state = ClusterState(me: local.nodeID, configuration: configuration, gateReads: settings.enabled)
        let authenticator = configuration.secret.map { PeerAuthenticator(secret: $0) }
        let me = local.nodeID
        let clock = local.wallClock
        var handshake: (@Sendable () -> AnyMessage)?
        if let authenticator {
            handshake = { AnyMessage.peerHello(authenticator.hello(from: me, nowMillis: clock.nowMillis())) }
        }
        let peers = PeerPool(group: group, requestTimeoutMillis: configuration.replicaTimeoutMillis, handshake: handshake)
        self.authenticator = authenticator
        let hints = HintService(cluster: state, peers: peers, clock: local.wallClock, logger: logger)
        let counters = ClusterCounters()
        self.state = state
        self.peers = peers
        self.hints = hints
        self.counters = counters
        let flusher = NodeFlusher(local: local, trees: trees, hints: hints, logger: logger)
        self.flusher = flusher
        self.coordinator = Coordinator(local: local, cluster: state, peers: peers, hints: hints, counters: counters, flusher: flusher, logger: logger)
        // Repair has connections of its own: its frames are counted apart from client traffic,
        // and a long bucket list or value stream does not delay replica writes queued behind it.
        let repairPeers = PeerPool(group: group, requestTimeoutMillis: configuration.replicaTimeoutMillis, handshake: handshake, traffic: WireTraffic())
        // Gossip shares the replica connections, so a peer's server can tell whose requests
        // arrive on them (PeerEvidence).
        let evidence = PeerEvidence()
        self.evidence = evidence
        self.membership = MembershipService(
            state: state, peers: peers, evidence: [repairPeers], served: evidence, flusher: flusher, address: address, logger: logger)
        self.antiEntropy = AntiEntropyService(local: local, cluster: state, peers: repairPeers, trees: trees, settings: settings, logger: logger)
        self.responder = AntiEntropyResponder(
            trees: trees, lister: BucketLister(store: local.store, trees: trees), clock: local.wallClock, custody: state.custody)
    }

    /// The membership view for `cachectl cluster`.
    public func status() -> ClusterStatusResponse {
        let ring = state.ring
        let counts = ring.partitionCounts()
        let wallNow = local.wallClock.nowMillis()
        let monotonicNow = MonotonicClock.nowMillis()
        let hintStats = hints.statistics
        let configuration = state.configuration
        return ClusterStatusResponse(
            nodeId: local.nodeID.name,
            members: state.members.map { member in
                let heard = member.id == local.nodeID ? 0 : wallNow &- (monotonicNow &- min(monotonicNow, member.lastHeardMillis))
                return MemberStatus(
                    nodeId: member.id.name,
                    address: member.address,
                    state: GossipCodec.stateCode(member.state),
                    incarnation: member.incarnation,
                    partitionsOwned: UInt32(counts[member.id]?.replicas ?? 0),
                    lastHeardMillis: heard,
                    weightMilli: UInt32(clamping: Int((member.weight * 1000).rounded()))
                )
            },
            partitionCount: UInt32(ring.partitionCount),
            replicas: UInt32(configuration.replicas),
            writeQuorum: UInt32(configuration.writeQuorum),
            readQuorum: UInt32(configuration.readQuorum),
            hintsQueued: UInt64(hintStats.queued),
            hintsDelivered: UInt64(hintStats.delivered),
            hintsDropped: UInt64(hintStats.dropped),
            readRepairs: counters.readRepairCount,
            quorumFailures: counters.quorumFailureCount,
            readStandIns: counters.readStandInCount,
            readsAnsweredByVersion: counters.readsAnsweredByVersionCount,
            flushedThrough: flusher.flushedThrough.map(EntryVersion.init)
        )
    }

    /// The ring for `cachectl ring`: every partition, or the one that holds `key`.
    public func ring(for key: ByteBuffer?) -> RingResponse {
        let ring = state.ring
        var response = RingResponse(partitionCount: UInt32(ring.partitionCount), replicas: UInt32(state.configuration.replicas))
        func placement(_ partition: Int) -> PartitionPlacement {
            PartitionPlacement(partition: UInt32(partition), replicas: ring.preferenceList(forPartition: partition).map(\.name))
        }
        if let key {
            let hash = StableHash.xxh64(key.readableBytesView)
            let partition = ring.partitioner.partition(forKeyHash: hash)
            response.keyPartition = UInt32(partition)
            response.keyHash = hash
            response.partitions = [placement(partition)]
        } else {
            response.partitions = (0..<ring.partitionCount).map(placement)
        }
        return response
    }
}
