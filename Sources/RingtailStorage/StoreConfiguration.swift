import RingtailModel

/// How a `Store` is sized and how long it remembers deletes.
public struct StoreConfiguration: Sendable {
    /// Bound on the bytes the store accounts for: keys, values, entry headers, index and
    /// slot arrays, allocator rounding. Split evenly across shards, so one entry can be at
    /// most a shard's share (`Store.maxEntryBytes`): 1 MiB values need at least ~64 MiB
    /// with 64 shards.
    public var maxMemoryBytes: Int
    /// Number of independently locked shards; a power of two. Tests use 1 for a single,
    /// deterministic LRU order.
    public var shardCount: Int = 64
    /// Largest value accepted, in bytes (at most `UInt32.max - 1`).
    public var maxValueBytes: Int = Limits.defaultMaxValueBytes
    /// How long a tombstone outlives its delete before a sweep or read may purge it. Must
    /// exceed the time replicas need to sync, or an old replica can resurrect the key.
    public var tombstoneGraceMillis: UInt64 = 10 * 60 * 1000

    public init(
        maxMemoryBytes: Int, shardCount: Int = 64, maxValueBytes: Int = Limits.defaultMaxValueBytes,
        tombstoneGraceMillis: UInt64 = 600_000
    ) {
        self.maxMemoryBytes = maxMemoryBytes
        self.shardCount = shardCount
        self.maxValueBytes = maxValueBytes
        self.tombstoneGraceMillis = tombstoneGraceMillis
    }

    /// Why `Store.init` would refuse this configuration, or nil if it is usable. Lets callers
    /// report bad settings instead of trapping.
    public var validationError: String? {
        if maxMemoryBytes < 0 { return "maxMemoryBytes must not be negative (got \(maxMemoryBytes))" }
        if shardCount < 1 || shardCount > Self.maxShardCount || shardCount & (shardCount - 1) != 0 {
            return "shardCount must be a power of two between 1 and \(Self.maxShardCount) (got \(shardCount))"
        }
        if maxValueBytes < 0 || maxValueBytes >= Int(UInt32.max) {
            return "maxValueBytes must be between 0 and \(UInt32.max - 1) (got \(maxValueBytes))"
        }
        return nil
    }

    /// Upper bound on `shardCount`.
    public static let maxShardCount = 1 << 16
}
