import RingtailModel

/// The anti-entropy state of one partition on one replica: its Merkle tree and the ghosts of
/// evicted entries. The store's shell calls it on every change; the sync session reads it.
///
/// Eviction is a local decision about memory, not a change of the data: an evicted entry
/// stays in the tree as a *ghost* (same digest, no bytes) until its TTL ends, a newer write
/// replaces it, or `EvictionSettings` drop it. Replicas that evict different keys therefore
/// keep equal trees, and nothing is streamed back to a replica that has just thrown it away.
/// See docs/ANTI-ENTROPY.md.
public struct PartitionTree: Sendable {
    public let partition: Int
    public let eviction: EvictionSettings
    public private(set) var tree: MerkleTree
    var ledger = EvictionLedger()

    public init(partition: Int, layout: MerkleLayout = .default, eviction: EvictionSettings = .default) {
        self.partition = partition
        self.eviction = eviction
        self.tree = MerkleTree(layout: layout)
    }

    public var layout: MerkleLayout { tree.layout }
    public var ghostCount: Int { ledger.count }

    // MARK: Changes from the store

    /// The store changed the entry for `key` from `old` to `new` (nil = absent): write,
    /// delete, expiry, tombstone purge. When the store held nothing, a ghost of the key is
    /// what is being replaced.
    public mutating func apply(
        key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStamp?, new: EntryStamp?, nowMillis: UInt64
    ) {
        var old = old
        if old == nil, ledger.count > 0,
           let ghost = ledger.remove(key: key, keyHash: keyHash, leaf: layout.leaf(forKeyHash: keyHash)) {
            old = ghost.stamp
        }
        tree.apply(key: key, keyHash: keyHash, old: old, new: new, nowMillis: nowMillis)
    }

    public mutating func apply(key: [UInt8], old: EntryStamp?, new: EntryStamp?, nowMillis: UInt64) {
        key.withUnsafeBytes { apply(key: $0, keyHash: StableHash.xxh64($0), old: old, new: new, nowMillis: nowMillis) }
    }

    /// The store evicted `key`, which held `stamp`. The tree keeps the entry as a ghost.
    public mutating func recordEviction(
        key: [UInt8], keyHash: UInt64, stamp: EntryStamp, expiresAtMillis: UInt64, nowMillis: UInt64
    ) {
        let entry = BucketEntry(
            key: key, version: stamp.version, kind: stamp.isTombstone ? .tombstone : .evicted,
            expiresAtMillis: expiresAtMillis)
        install(Ghost(entry: entry, keyHash: keyHash, recordedAtMillis: nowMillis), replacing: stamp, nowMillis: nowMillis)
    }

    /// Records a peer's newer entry without its bytes (an `adopt` directive, or a transfer
    /// that carried no value): the shell has dropped whatever it held for the key, `old`
    /// (nil if nothing). A tombstone is an ordinary delete instead: use `apply`.
    public mutating func recordWithoutValue(_ entry: BucketEntry, keyHash: UInt64, old: EntryStamp?, nowMillis: UInt64) {
        precondition(entry.kind != .tombstone, "a tombstone is stored, not kept as a ghost")
        let leaf = layout.leaf(forKeyHash: keyHash)
        let previous = entry.key.withUnsafeBytes { ledger.remove(key: $0, keyHash: keyHash, leaf: leaf) }
        let old = old ?? previous?.stamp
        var ghostEntry = entry
        ghostEntry.kind = .evicted
        ghostEntry.valueByteCount = 0
        install(Ghost(entry: ghostEntry, keyHash: keyHash, recordedAtMillis: nowMillis), replacing: old, nowMillis: nowMillis)
    }

    /// Drops ghosts whose entry is dead (TTL passed, tombstone past grace) or that were
    /// recorded more than `retentionMillis` ago. Returns how many left. O(ghosts): call it
    /// from the expiry sweeper, not per request.
    @discardableResult
    public mutating func sweepGhosts(nowMillis: UInt64, rules: ExchangeRules = ExchangeRules()) -> Int {
        var dropped = ledger.removeAll { $0.entry.isDead(nowMillis: nowMillis, tombstoneGraceMillis: rules.tombstoneGraceMillis) }
        while let oldest = ledger.oldest(), oldest.recordedAtMillis &+ eviction.retentionMillis <= nowMillis {
            dropped.append(ledger.removeOldest()!)
        }
        for ghost in dropped { forget(ghost, nowMillis: nowMillis) }
        return dropped.count
    }

    /// Drops the ghosts at or below `version`: the store was flushed through it, so they name
    /// writes that no longer exist anywhere. Returns how many left.
    @discardableResult
    public mutating func dropGhosts(through version: Version, nowMillis: UInt64) -> Int {
        let dropped = ledger.removeAll { $0.entry.version <= version }
        for ghost in dropped { forget(ghost, nowMillis: nowMillis) }
        return dropped.count
    }

    private mutating func install(_ ghost: Ghost, replacing old: EntryStamp?, nowMillis: UInt64) {
        ghost.entry.key.withUnsafeBytes { key in
            tree.apply(key: key, keyHash: ghost.keyHash, old: old, new: ghost.stamp, nowMillis: nowMillis)
        }
        ledger.insert(ghost, leaf: layout.leaf(forKeyHash: ghost.keyHash))
        while ledger.count > eviction.maxGhosts, let oldest = ledger.removeOldest() {
            forget(oldest, nowMillis: nowMillis)
        }
    }

    private mutating func forget(_ ghost: Ghost, nowMillis: UInt64) {
        ghost.entry.key.withUnsafeBytes { key in
            tree.apply(key: key, keyHash: ghost.keyHash, old: ghost.stamp, new: nil, nowMillis: nowMillis)
        }
    }

    // MARK: Reads

    /// The ghost of `key`, if any. The write path must treat it like a stored version (an
    /// older write loses to it) or evictions would let stale writes back in.
    public func ghost(key: UnsafeRawBufferPointer, keyHash: UInt64) -> BucketEntry? {
        guard ledger.count > 0 else { return nil }
        return ledger.find(key: key, keyHash: keyHash, leaf: layout.leaf(forKeyHash: keyHash))?.entry
    }

    public func ghost(key: [UInt8]) -> BucketEntry? {
        key.withUnsafeBytes { ghost(key: $0, keyHash: StableHash.xxh64($0)) }
    }

    /// The ghosts in `bucket`, to list alongside the store's entries.
    public func ghosts(inBucket bucket: Int) -> [BucketEntry] {
        ledger.byLeaf[bucket]?.map(\.entry) ?? []
    }

    public mutating func root() -> MerkleDigest { tree.root() }

    public mutating func nodes(level: Int, indices: [Int]) -> [MerkleDigest] {
        tree.nodes(level: level, indices: indices)
    }

    public mutating func snapshot() -> MerkleSnapshot { tree.snapshot() }

    /// What a peer's session asks for first.
    public mutating func summary(acceptsValues: Bool) -> TreeSummary {
        TreeSummary(layout: layout, root: tree.root(), acceptsValues: acceptsValues)
    }

    public mutating func statistics() -> TreeStatistics {
        var statistics = tree.statistics()
        statistics.ghostCount = ledger.count
        return statistics
    }
}
