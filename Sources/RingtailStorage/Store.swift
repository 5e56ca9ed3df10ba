import RingtailModel
import Synchronization

/// A sharded, byte-bounded LRU store of versioned byte entries with TTLs and tombstones.
///
/// A key's shard is taken from the top bits of `StableHash.xxh64(key)`, just below the bits
/// that name its ring partition (`StoreConfiguration.partitionBits`): a partition then lives
/// in one shard (or, with fewer partitions than shards, in a few neighbouring ones), so a
/// partition can be listed without walking the whole store. The high 32 bits are kept per
/// entry and drive its index position through a multiplicative mix, so keys still spread
/// over a shard's index although they share their top bits. Each shard has its own
/// lock and an equal share of `maxMemoryBytes`: with uniform hashing the shares fill
/// evenly, and a shard can admit or evict against its own share without any shared
/// counter, so the two cores never contend outside a shard.
///
/// Eviction is exact LRU per shard over every entry, tombstones included: a cache under
/// memory pressure may forget a delete, just as it forgets values. Reads of expired values
/// and of tombstones past their grace reclaim them; `sweep` reclaims the rest.
///
/// Time is always passed in (`nowMillis`); the store never reads a clock.
public final class Store: @unchecked Sendable {
    // @unchecked: `cells` is written only in init and deinit, and a shard's table is only
    // touched inside `withShard`, under the mutex in the same cell.

    public let configuration: StoreConfiguration

    /// `shardCount` cells of `cellStride` bytes, each a `Mutex<Void>` followed by the
    /// `ShardTable` it guards, aligned so that two cores working on neighbouring shards never
    /// share a cache line. The table sits beside its mutex rather than inside a
    /// `Mutex<ShardTable>` because handing raw pointers (keys, values, borrowed value bytes)
    /// in and out of `withLock`'s `inout sending` closure cannot pass region isolation
    /// checking, although the lock makes it safe.
    private let cells: UnsafeMutableRawPointer
    private let shardMask: UInt64
    /// Right shift that brings a key hash's shard bits to the bottom.
    private let shardShift: UInt64
    /// Each shard's byte budget; shards read their own copy under their lock, this one
    /// answers `shardMemoryLimit` without one.
    private let shardBudget: Atomic<Int>
    /// Writes refused before a shard was chosen (empty or oversized key, oversized value).
    private let validationRejections = Atomic<UInt64>(0)

    static let cellAlignment = 128
    static let tableOffset = roundUp(MemoryLayout<Mutex<Void>>.size, to: MemoryLayout<ShardTable>.alignment)
    static let cellStride = roundUp(tableOffset + MemoryLayout<ShardTable>.size, to: cellAlignment)

    private static func roundUp(_ value: Int, to multiple: Int) -> Int {
        (value + multiple - 1) / multiple * multiple
    }

    /// Creates an empty store. Traps on an invalid configuration; check
    /// `StoreConfiguration.validationError` first to report one instead.
    /// - Parameter observer: told of every change, under the shard lock (anti-entropy trees).
    public init(configuration: StoreConfiguration, observer: (any StoreObserver)? = nil) {
        if let problem = configuration.validationError {
            preconditionFailure("RingtailStorage: \(problem)")
        }
        self.configuration = configuration
        let shardCount = configuration.shardCount
        shardMask = UInt64(shardCount - 1)
        shardShift = UInt64(min(63, 64 - max(configuration.partitionBits, Self.bits(shardCount))))
        let shardBudget = configuration.maxMemoryBytes / shardCount
        self.shardBudget = Atomic(shardBudget)
        cells = .allocate(byteCount: shardCount * Self.cellStride, alignment: Self.cellAlignment)
        for shard in 0..<shardCount {
            let cell = cells + shard * Self.cellStride
            cell.bindMemory(to: Mutex<Void>.self, capacity: 1).initialize(to: Mutex(()))
            (cell + Self.tableOffset).bindMemory(to: ShardTable.self, capacity: 1)
                .initialize(to: ShardTable(budget: shardBudget, fixedBytes: Self.cellStride, observer: observer))
        }
    }

    deinit {
        for shard in 0..<configuration.shardCount {
            let cell = cells + shard * Self.cellStride
            (cell + Self.tableOffset).assumingMemoryBound(to: ShardTable.self).deinitialize(count: 1)
            cell.assumingMemoryBound(to: Mutex<Void>.self).deinitialize(count: 1)
        }
        cells.deallocate()
    }

    /// Starts telling `observer` about every change, shard by shard, first replaying each entry
    /// the shard holds as a change from nothing; the shard's lock covers both, so no change is
    /// missed or told twice. For an observer only needed later (trees of a node that is alone).
    /// - Precondition: the store has no observer yet.
    public func attach(observer: any StoreObserver) {
        for shard in 0..<shardCount {
            withShard(shard) { $0.attach(observer) }
        }
    }

    /// Number of shards (`configuration.shardCount`).
    public var shardCount: Int { configuration.shardCount }

    /// The byte budget of each shard.
    public var shardMemoryLimit: Int { shardBudget.load(ordering: .relaxed) }

    /// The memory bound in force: the shards' budgets together (`configuration.maxMemoryBytes`
    /// until `setMaxMemory(bytes:)`, rounded down to a multiple of the shard count).
    public var maxMemoryBytes: Int { shardMemoryLimit * shardCount }

    /// Largest entry block (key + value + allocator rounding) a write can store.
    public var maxEntryBytes: Int {
        max(0, ShardTable.entryLimit(budget: shardMemoryLimit, fixedBytes: Self.cellStride))
    }

    /// Changes the memory bound while the store serves: every shard takes an equal share of
    /// `bytes`. A shard left holding more evicts the excess at its next write, or at
    /// `evictOverBudget()`, which a caller that lowered the bound should run off any thread
    /// that serves requests.
    public func setMaxMemory(bytes: Int) {
        precondition(bytes >= 0, "RingtailStorage: a memory bound cannot be negative")
        let share = bytes / shardCount
        shardBudget.store(share, ordering: .relaxed)
        for shard in 0..<shardCount {
            withShard(shard) { $0.budget = share }
        }
    }

    /// Evicts, shard by shard under each one's lock, the least recently used entries
    /// (tombstones included, as under write pressure) of every shard above its budget until
    /// it fits. Returns how many were evicted.
    @discardableResult
    public func evictOverBudget() -> Int {
        var evicted = 0
        for shard in 0..<shardCount {
            evicted += withShard(shard) { $0.evictOverBudget() }
        }
        return evicted
    }

    /// The hash the store (and partitioning, and anti-entropy) uses for a key.
    @inline(__always)
    public static func keyHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        StableHash.xxh64(key)
    }

    /// Same as `Store.keyHash(_:)`.
    @inline(__always)
    public func keyHash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        Self.keyHash(key)
    }

    /// The shard holding keys whose `keyHash` is `hash`.
    @inline(__always)
    public func shardIndex(forKeyHash hash: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &>> shardShift) & shardMask)
    }

    /// The shards that hold the keys of ring partition `partition` (the top
    /// `configuration.partitionBits` bits of the key hash): one shard when there are at least
    /// as many partitions as shards, else the `shardCount / partitionCount` shards below it.
    public func shards(holdingPartition partition: Int) -> Range<Int> {
        let partitionBits = configuration.partitionBits
        let shardBits = Self.bits(shardCount)
        precondition(partition >= 0 && partition < 1 << partitionBits, "partition \(partition) out of range")
        if partitionBits == 0 { return 0..<shardCount }
        if partitionBits >= shardBits {
            let shard = partition & (shardCount - 1)
            return shard..<shard + 1
        }
        let spread = shardBits - partitionBits
        return (partition << spread)..<((partition + 1) << spread)
    }

    private static func bits(_ powerOfTwo: Int) -> Int {
        powerOfTwo.trailingZeroBitCount
    }

    /// Runs `body` on the table of `shard` with its lock held.
    @inline(__always)
    func withShard<R>(_ shard: Int, _ body: (inout ShardTable) throws -> R) rethrows -> R {
        let cell = cells + shard * Self.cellStride
        let table = (cell + Self.tableOffset).assumingMemoryBound(to: ShardTable.self)
        var result: R? = nil
        try cell.assumingMemoryBound(to: Mutex<Void>.self).pointee.withLock { _ in
            result = try body(&table.pointee)
        }
        return result.unsafelyUnwrapped
    }

    @inline(__always)
    func withShard<R>(forKeyHash hash: UInt64, _ body: (inout ShardTable) throws -> R) rethrows -> R {
        try withShard(shardIndex(forKeyHash: hash), body)
    }

    func countValidationRejection() {
        validationRejections.add(1, ordering: .relaxed)
    }

    var validationRejectionCount: UInt64 {
        validationRejections.load(ordering: .relaxed)
    }
}

extension UInt64 {
    /// The 32 hash bits stored per entry.
    @inline(__always)
    var highHalf: UInt32 { UInt32(truncatingIfNeeded: self >> 32) }
}
