import RingtailModel

/// Maps keys to one of a fixed, cluster-wide number of partitions.
///
/// A key's partition is the top `log2(partitionCount)` bits of `StableHash.xxh64(key)`.
/// Top bits, because the storage engine shards on the low bits of the same hash: the two
/// choices stay independent, so every partition spreads evenly over every shard. A prefix also
/// makes each partition one contiguous range of hashes, so "where a partition sits on the ring"
/// has an obvious answer: the lowest hash in its range.
///
/// The partition count never changes for the life of a cluster, so a partition's identity
/// survives every membership change; only its owners move.
public struct Partitioner: Hashable, Sendable, CustomStringConvertible {
    /// The largest supported partition count (2^20): far above any sensible cluster, low enough
    /// that a preference table stays a few megabytes.
    public static let maximumPartitionCount = 1 << 20

    /// The number of partitions, a power of two.
    public let partitionCount: Int
    /// `log2(partitionCount)`: how many top bits of the key hash name the partition.
    public let partitionBits: Int

    /// - Precondition: `partitionCount` is a power of two in `1...maximumPartitionCount`.
    public init(partitionCount: Int) {
        precondition(
            Self.isValidPartitionCount(partitionCount),
            "partition count must be a power of two in 1...\(Self.maximumPartitionCount), got \(partitionCount)"
        )
        self.partitionCount = partitionCount
        self.partitionBits = partitionCount.trailingZeroBitCount
    }

    /// Whether `count` is accepted by `init(partitionCount:)`; lets configuration loaders reject
    /// bad input instead of trapping.
    public static func isValidPartitionCount(_ count: Int) -> Bool {
        count > 0 && count <= maximumPartitionCount && count & (count - 1) == 0
    }

    /// The partition of a key whose `StableHash.xxh64` is `hash`.
    @inlinable
    public func partition(forKeyHash hash: UInt64) -> Int {
        // `>>` by 64 yields 0, which is the only partition when there is one.
        Int(truncatingIfNeeded: hash >> UInt64(64 - partitionBits))
    }

    /// The partition of `key`.
    @inlinable
    public func partition(forKey key: some Collection<UInt8>) -> Int {
        partition(forKeyHash: StableHash.xxh64(key))
    }

    /// The lowest key hash in `partition`; the ring walk for the partition starts here.
    public func ringPosition(ofPartition partition: Int) -> UInt64 {
        precondition(0 <= partition && partition < partitionCount, "partition \(partition) out of range")
        return UInt64(partition) << UInt64(64 - partitionBits)
    }

    /// Every key hash that falls in `partition`.
    public func keyHashRange(ofPartition partition: Int) -> ClosedRange<UInt64> {
        let start = ringPosition(ofPartition: partition)
        return start...(start | (UInt64.max >> UInt64(partitionBits)))
    }

    public var description: String { "Partitioner(\(partitionCount) partitions)" }
}
