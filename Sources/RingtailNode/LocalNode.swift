import NIOCore
import RingtailModel
import RingtailStorage
import RingtailWire

/// The node's own data and identity: the store, the version clock and the counters.
/// Request handlers of every protocol go through it.
public final class LocalNode: Sendable {
    public let configuration: NodeConfiguration
    public let store: Store
    public let versions: VersionClock
    public let counters = NodeCounters()
    private let startedMonotonicMillis = MonotonicClock.nowMillis()

    /// - Parameters:
    ///   - observer: told of every change to the store (the anti-entropy trees).
    ///   - partitionCount: the ring's partitions (a power of two), so that the store cuts its
    ///     shards along them; 1 outside a cluster.
    public init(configuration: NodeConfiguration, wallClock: any MillisecondClock = SystemClock(), observer: (any StoreObserver)? = nil, partitionCount: Int = 1) {
        self.configuration = configuration
        self.store = Store(configuration: StoreConfiguration(
            maxMemoryBytes: configuration.maxMemoryBytes,
            shardCount: configuration.shardCount,
            maxValueBytes: configuration.maxValueBytes,
            tombstoneGraceMillis: configuration.tombstoneGraceMillis,
            partitionBits: max(1, partitionCount).trailingZeroBitCount
        ), observer: observer)
        self.versions = VersionClock(node: configuration.nodeID.tag, wallClock: wallClock)
    }

    public var nodeID: NodeID { configuration.nodeID }
    public var wallClock: any MillisecondClock { versions.wallClock }
    public var uptimeMillis: UInt64 { MonotonicClock.nowMillis() - startedMonotonicMillis }
}
