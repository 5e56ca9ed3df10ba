import RingtailMembership
import RingtailModel
import RingtailRing

/// How a node takes part in a cluster. A node with no seeds starts a cluster of its own;
/// others join it through any member.
public struct ClusterConfiguration: Sendable {
    /// Members to contact when joining; empty for the first node.
    public var seeds: [HostAndPort]
    /// The address other nodes use to reach this one; defaults to the bound RPC address.
    public var advertiseAddress: HostAndPort?
    /// N: replicas of every key, cluster-wide.
    public var replicas: Int
    /// Default W and R of requests this node coordinates.
    public var writeQuorum: Int
    public var readQuorum: Int
    public var partitionCount: Int
    public var virtualNodesPerWeight: Int
    /// This node's capacity relative to others (more weight, more partitions).
    public var weight: Double
    public var membership: SWIMSettings
    /// When set, peers must prove they know it before cluster messages are accepted.
    public var secret: [UInt8]?
    /// How long a coordinator waits for replicas before answering with what it has.
    public var replicaTimeoutMillis: UInt64
    /// How long a read waits for the R replicas it asked before asking the others as well;
    /// nil: a quarter of the replica timeout. Long enough that a coordinator whose own event
    /// loop is the queue (replies wait there to be read) does not hedge every read and so
    /// add load when it has the least room for it.
    public var readHedgeMillis: UInt64?
    /// Bounds of the hinted-handoff queue.
    public var maxHintBytes: Int
    public var maxHints: Int
    public var maxHintAgeMillis: UInt64
    /// How long a dead member keeps its place on the ring. A failure is not a departure at
    /// first (its writes wait as hints, it fills up again when back); dead longer than this, it
    /// is taken off this node's ring and its partitions gain new replicas, filled by
    /// anti-entropy. Nil: only a graceful leave (or forgetting the member) moves partitions.
    public var replaceDeadAfterMillis: UInt64?

    public init(
        seeds: [HostAndPort] = [],
        advertiseAddress: HostAndPort? = nil,
        replicas: Int = 3,
        writeQuorum: Int = 2,
        readQuorum: Int = 2,
        partitionCount: Int = RingConfiguration.defaultPartitionCount,
        virtualNodesPerWeight: Int = RingConfiguration.defaultVirtualNodesPerWeight,
        weight: Double = 1,
        membership: SWIMSettings = .lan,
        secret: [UInt8]? = nil,
        replicaTimeoutMillis: UInt64 = 2000,
        readHedgeMillis: UInt64? = nil,
        maxHintBytes: Int = 64 << 20,
        maxHints: Int = 1_000_000,
        maxHintAgeMillis: UInt64 = 3 * 3_600_000,
        replaceDeadAfterMillis: UInt64? = 30 * 60_000
    ) {
        self.seeds = seeds
        self.advertiseAddress = advertiseAddress
        self.replicas = replicas
        self.writeQuorum = writeQuorum
        self.readQuorum = readQuorum
        self.partitionCount = partitionCount
        self.virtualNodesPerWeight = virtualNodesPerWeight
        self.weight = weight
        self.membership = membership
        self.secret = secret
        self.replicaTimeoutMillis = replicaTimeoutMillis
        self.readHedgeMillis = readHedgeMillis
        self.maxHintBytes = maxHintBytes
        self.maxHints = maxHints
        self.maxHintAgeMillis = maxHintAgeMillis
        self.replaceDeadAfterMillis = replaceDeadAfterMillis
    }

    /// The hedge delay in force, at most the replica timeout.
    var effectiveReadHedgeMillis: UInt64 {
        min(readHedgeMillis ?? replicaTimeoutMillis / 4, replicaTimeoutMillis)
    }

    var ringConfiguration: RingConfiguration {
        RingConfiguration(partitionCount: partitionCount, virtualNodesPerWeight: virtualNodesPerWeight, replicas: replicas)
    }
}
