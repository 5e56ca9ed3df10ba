#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import RingtailModel

/// One shard of the store: its entries, index, LRU list and byte accounting. Always
/// accessed under the shard's mutex, so nothing in here synchronises.
///
/// Layout, all in raw memory owned by this value:
/// - `slots`: dense array of 44-byte `EntryHeader`s; slot `i` for `i < count`. Removal
///   moves the last entry into the hole, so there is no free list and no hole to skip.
/// - `index`: open addressing with linear probing over `UInt32` words, each holding
///   `slot + 1` in the low `slotBits` bits and a tag of hash bits above them (0 = empty).
/// - key and value bytes: one malloc'd block per entry (see `EntryBlock`).
struct ShardTable: ~Copyable {
    /// Most bytes this shard may account for (`Store.setMaxMemory(bytes:)` changes it).
    var budget: Int
    /// Bytes charged for the shard's own cell (mutex, this struct, padding).
    let fixedBytes: Int

    var slots = SlotStorage()
    /// Entries held: values (live or expired) and tombstones.
    var count = 0

    var index: UnsafeMutablePointer<UInt32>
    var indexCapacity: Int
    /// Low bits of an index word that hold `slot + 1`.
    var slotMask: UInt32
    var slotBits: UInt32

    /// Most recently used entry, or `EntryHeader.none`.
    var head: UInt32 = EntryHeader.none
    /// Least recently used entry: the next victim.
    var tail: UInt32 = EntryHeader.none

    /// Footprint of all entry blocks.
    var blockBytes = 0
    var values = 0
    var tombstones = 0
    /// Values with an expiry (expired ones not yet reclaimed included), and the sum of their
    /// expiry times: INFO's `expires` and `avg_ttl`. 128 bits, so no expiry can overflow it.
    var expiringValues = 0
    var expirySumMillis: UInt128 = 0
    var counters = ShardCounters()
    /// Where the next sweep resumes.
    var sweepCursor = 0
    /// Entries at or below this version were flushed; writes at or below it are refused.
    var truncatedThrough = Version.zero

    /// The observer's view of the entry in `slot`.
    func stamp(ofSlot slot: UInt32) -> EntryStampInfo {
        let header = slots[slot].pointee
        return EntryStampInfo(version: header.version, isTombstone: header.isTombstone, expiresAtMillis: header.expiry)
    }

    /// Told about every change; nil when nothing derives state from the store (yet).
    var observer: (any StoreObserver)?

    init(budget: Int, fixedBytes: Int, observer: (any StoreObserver)? = nil) {
        self.observer = observer
        self.budget = budget
        self.fixedBytes = fixedBytes
        let capacity = Self.indexMinimumCapacity
        index = Self.allocateIndex(capacity: capacity)
        indexCapacity = capacity
        slotBits = Self.slotBits(forCapacity: capacity)
        slotMask = Self.slotMask(bits: slotBits)
    }

    deinit {
        for slot in 0..<count {
            EntryBlock.release(slots[UInt32(slot)].pointee.data)
        }
        free(index)
    }

    /// Bytes accounted to this shard: cell, index, headers and entry blocks.
    var memoryUsed: Int {
        fixedBytes + indexBytes + slots.allocatedBytes + blockBytes
    }

    /// Footprint of an empty shard.
    static func emptyBytes(fixedBytes: Int) -> Int {
        fixedBytes + indexBytes(capacity: indexMinimumCapacity)
    }

    /// Largest entry block footprint that fits in an empty shard with this budget.
    static func entryLimit(budget: Int, fixedBytes: Int) -> Int {
        budget - emptyBytes(fixedBytes: fixedBytes) - SlotStorage().growthBytes
    }

    var entryLimit: Int { Self.entryLimit(budget: budget, fixedBytes: fixedBytes) }
}

/// Event counts of one shard; summed over shards for `StoreStatistics`.
struct ShardCounters {
    var hits: UInt64 = 0
    var misses: UInt64 = 0
    var writes: UInt64 = 0
    var deletes: UInt64 = 0
    var superseded: UInt64 = 0
    var rejected: UInt64 = 0
    var evictions: UInt64 = 0
    var expirations: UInt64 = 0
    var purgedTombstones: UInt64 = 0

    static func += (lhs: inout ShardCounters, rhs: ShardCounters) {
        lhs.hits += rhs.hits
        lhs.misses += rhs.misses
        lhs.writes += rhs.writes
        lhs.deletes += rhs.deletes
        lhs.superseded += rhs.superseded
        lhs.rejected += rhs.rejected
        lhs.evictions += rhs.evictions
        lhs.expirations += rhs.expirations
        lhs.purgedTombstones += rhs.purgedTombstones
    }
}
