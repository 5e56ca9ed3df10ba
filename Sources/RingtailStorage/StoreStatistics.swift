/// A snapshot of the store's contents and counters. Shards are read one after another, so
/// under concurrent traffic the totals are each shard's state at a slightly different time.
public struct StoreStatistics: Sendable {
    /// Entries holding a value (including expired ones not yet reclaimed).
    public var keys: Int
    public var tombstones: Int
    public var memoryUsedBytes: Int
    public var memoryLimitBytes: Int
    /// Entries removed to make room.
    public var evictions: UInt64
    /// Expired values reclaimed (by reads, overwrites or sweeps).
    public var expirations: UInt64
    /// Tombstones removed after their grace (by reads or sweeps).
    public var purgedTombstones: UInt64
    /// Reads that found a live value.
    public var hits: UInt64
    /// Reads that found no live value (missing, expired or tombstone).
    public var misses: UInt64
    /// Applied writes.
    public var writes: UInt64
    /// Applied deletes.
    public var deletes: UInt64
    /// Writes and deletes ignored because the store held an equal or newer version.
    public var supersededWrites: UInt64
    /// Writes and deletes refused for their size.
    public var rejectedWrites: UInt64
    public var shards: [ShardStatistics]

    /// Values with an expiry (INFO's `expires`), expired ones not yet reclaimed included.
    public var expiringKeys: Int { shards.reduce(0) { $0 + $1.expiringKeys } }

    /// The average time to live left, in milliseconds, of the values with an expiry as of
    /// `nowMillis` (INFO's `avg_ttl`, which Redis estimates by sampling); 0 with none.
    /// Values past their expiry and not reclaimed yet pull it down; it never goes below 0.
    public func averageTTLMillis(nowMillis: UInt64) -> UInt64 {
        let expiring = expiringKeys
        guard expiring > 0 else { return 0 }
        let sum = shards.reduce(UInt128(0)) { $0 + $1.expirySumMillis }
        let elapsed = UInt128(nowMillis) * UInt128(expiring)
        guard sum > elapsed else { return 0 }
        return UInt64(clamping: (sum - elapsed) / UInt128(expiring))
    }
}

/// The contents of one shard.
public struct ShardStatistics: Sendable, Equatable {
    public var index: Int
    public var keys: Int
    public var tombstones: Int
    public var memoryUsedBytes: Int
    public var memoryLimitBytes: Int
    /// Values with an expiry, and the sum of their expiry times (Unix milliseconds).
    public var expiringKeys = 0
    public var expirySumMillis: UInt128 = 0
}
