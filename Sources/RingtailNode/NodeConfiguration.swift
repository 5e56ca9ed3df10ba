import NIOCore
import RingtailModel

/// Everything a node needs to start. Built by `cache-node` from flags and `RINGTAIL_*`
/// environment variables; tests build it directly.
public struct NodeConfiguration: Sendable {
    public var nodeID: NodeID
    public var listenHost: String
    public var listenPort: Int
    /// The memory bound at start; CONFIG SET maxmemory changes the store's (`Store.maxMemoryBytes`).
    public var maxMemoryBytes: Int
    /// The smallest memory bound a node takes, from its flags or CONFIG SET.
    public static let minimumMaxMemoryBytes = 64 * 1024
    public var maxValueBytes: Int
    public var maxFrameBytes: Int
    public var tombstoneGraceMillis: UInt64
    /// How often the expiry sweep runs.
    public var sweepIntervalMillis: UInt64
    /// Slots each shard visits per sweep: bounds the time a sweep holds a shard lock.
    public var sweepSlotsPerShard: Int
    public var shardCount: Int
    /// Event-loop threads serving connections; defaults to one per core.
    public var eventLoopThreads: Int
    /// Where the Redis-protocol listener binds; nil (the default) runs none.
    public var redisListen: HostAndPort? = nil
    /// When set, Redis clients must AUTH (or HELLO … AUTH) with it before any other command.
    public var redisPassword: String? = nil
    /// Longest bulk string a Redis client may send; nil for the largest value plus 1 MiB, so a
    /// value just over `maxValueBytes` gets an error reply rather than a closed connection.
    public var redisMaxBulkBytes: Int? = nil
    /// Most Redis connections open at once; the next one is told so and closed, as Redis's
    /// `maxclients` does.
    public var redisMaxClients: Int = 10_000
    /// What carries the Redis connections (`RedisIO`).
    public var redisIO: RedisIO = .auto
    /// Epoll loops of the Redis front door (`redisIO` epoll or auto); nil for half the cores.
    public var redisIOThreads: Int? = nil
    /// How long a busy epoll loop of the Redis front door polls before it sleeps; 0: never.
    public var redisBusyPollMicroseconds = Self.defaultRedisBusyPollMicroseconds
    /// 5 µs: unpipelined throughput at 50 connections rose 4–9% for 0–4% more CPU per request
    /// on 2 cores, still under Redis's (docs/BENCHMARKS.md, "Busy polling"); 10 µs gained a
    /// little more at Redis's CPU.
    public static let defaultRedisBusyPollMicroseconds = 5
    /// Redis commands taking at least this many milliseconds go into SLOWLOG; nil logs none.
    public var slowlogThresholdMillis: UInt64? = 10
    /// Entries SLOWLOG keeps (the oldest go first).
    public var slowlogMaxLength: Int = 128

    public init(
        nodeID: NodeID,
        listenHost: String = "127.0.0.1",
        listenPort: Int = 7001,
        maxMemoryBytes: Int = 256 << 20,
        maxValueBytes: Int = Limits.defaultMaxValueBytes,
        maxFrameBytes: Int = Limits.defaultMaxFrameBytes,
        tombstoneGraceMillis: UInt64 = 600_000,
        sweepIntervalMillis: UInt64 = 1000,
        sweepSlotsPerShard: Int = 1024,
        shardCount: Int = 64,
        eventLoopThreads: Int = System.coreCount
    ) {
        self.nodeID = nodeID
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.maxMemoryBytes = maxMemoryBytes
        self.maxValueBytes = maxValueBytes
        self.maxFrameBytes = maxFrameBytes
        self.tombstoneGraceMillis = tombstoneGraceMillis
        self.sweepIntervalMillis = sweepIntervalMillis
        self.sweepSlotsPerShard = sweepSlotsPerShard
        self.shardCount = shardCount
        self.eventLoopThreads = eventLoopThreads
    }
}

/// The I/O layer under the Redis front door. Epoll loops cost about 2 µs of CPU less per
/// unpipelined request than SwiftNIO's channels, but a coordinated command on them crosses to
/// the NIO loop of its peer connections and back (docs/BENCHMARKS.md).
public enum RedisIO: String, Sendable, CaseIterable {
    /// Epoll for connections accepted while the node serves alone, NIO for those accepted
    /// while it coordinates across replicas.
    case auto
    /// `EpollLoop`s of their own for every connection: one read and one write per ready socket.
    case epoll
    /// The node's SwiftNIO event loops, as the binary RPC and the admin API use.
    case nio
}
