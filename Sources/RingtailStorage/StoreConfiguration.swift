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
    /// How many top bits of a key's hash name its ring partition (log2 of the partition
    /// count; 0 for a store outside a ring). Shards are cut along partitions: with at least as
    /// many partitions as shards, all keys of a partition live in one shard, so anti-entropy
    /// lists a partition by walking one shard instead of the whole store
    /// (`Store.shards(holdingPartition:)`).
    public var partitionBits: Int = 0

    public init(
        maxMemoryBytes: Int, shardCount: Int = 64, maxValueBytes: Int = Limits.defaultMaxValueBytes,
        tombstoneGraceMillis: UInt64 = 600_000, partitionBits: Int = 0
    ) {
        self.maxMemoryBytes = maxMemoryBytes
        self.shardCount = shardCount
        self.maxValueBytes = maxValueBytes
        self.tombstoneGraceMillis = tombstoneGraceMillis
        self.partitionBits = partitionBits
    }

    /// Why `Store.init` would refuse this configuration, or nil if it is usable. Lets callers
    /// report bad settings instead of trapping.
    public var validationError: String? {
        if maxMemoryBytes < 0 { return "maxMemoryBytes must not be negative (got \(maxMemoryBytes))" }
        if shardCount < 1 || shardCount > Self.maxShardCount || shardCount & (shardCount - 1) != 0 {
            return "shardCount must be a power of two between 1 and \(Self.maxShardCount) (got \(shardCount))"
        }
        if partitionBits < 0 || partitionBits > Self.maxPartitionBits {
            return "partitionBits must be between 0 and \(Self.maxPartitionBits) (got \(partitionBits))"
        }
        if maxValueBytes < 0 || maxValueBytes >= Int(UInt32.max) {
            return "maxValueBytes must be between 0 and \(UInt32.max - 1) (got \(maxValueBytes))"
        }
        return nil
    }

    /// Upper bound on `shardCount`.
    public static let maxShardCount = 1 << 16
    /// Upper bound on `partitionBits`: the shard bits must stay within the 64-bit hash.
    public static let maxPartitionBits = 32
}
