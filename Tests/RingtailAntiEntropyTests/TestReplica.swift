import RingtailAntiEntropy
import RingtailModel

/// A replica in miniature: a key → entry map with a value-count capacity (LRU eviction),
/// TTLs and tombstones, and one `PartitionTree` per partition kept current the way the node's
/// store shell must keep it. Values are sizes, not bytes.
struct TestReplica {
    struct Stored: Hashable {
        var version: Version
        var isTombstone: Bool
        var valueBytes: Int
        var expiresAtMillis: UInt64
        var lastUsed: UInt64

        var stamp: EntryStamp { EntryStamp(version: version, isTombstone: isTombstone) }
        func isExpired(_ now: UInt64) -> Bool { !isTombstone && expiresAtMillis != 0 && expiresAtMillis <= now }
    }

    let name: String
    let partitionBits: Int
    var trees: [PartitionTree]
    var store: [[UInt8]: Stored] = [:]
    /// Most values held; beyond it the least recently used is evicted.
    var capacity: Int?
    /// Short of memory: tells peers to send lines, not values.
    var refusesValues = false
    var rules = ExchangeRules()
    private var useCounter: UInt64 = 0

    /// Values that arrived through anti-entropy, key by key.
    var valuesReceived: [[UInt8]: Int] = [:]

    init(_ name: String, partitionBits: Int = 2, layout: MerkleLayout = .default, eviction: EvictionSettings = .default, capacity: Int? = nil) {
        self.name = name
        self.partitionBits = partitionBits
        self.capacity = capacity
        trees = (0..<(1 << partitionBits)).map { PartitionTree(partition: $0, layout: layout, eviction: eviction) }
    }

    var partitionCount: Int { trees.count }
    var acceptsValues: Bool { !refusesValues }
    var valueCount: Int { store.values.filter { !$0.isTombstone }.count }
    var ghostCount: Int { trees.reduce(0) { $0 + $1.ghostCount } }

    func partition(of keyHash: UInt64) -> Int {
        partitionBits == 0 ? 0 : Int(keyHash >> UInt64(64 - partitionBits))
    }

    // MARK: The store shell

    /// A write or delete under LWW against the stored entry and against a ghost. Returns
    /// whether it applied.
    @discardableResult
    mutating func put(_ key: [UInt8], _ stamp: EntryStamp, valueBytes: Int = 100, expiresAt: UInt64 = 0, now: UInt64) -> Bool {
        let keyHash = StableHash.xxh64(key)
        let p = partition(of: keyHash)
        let held = store[key]?.stamp ?? trees[p].ghost(key: key)?.stamp
        if let held, !Self.beats(stamp, held) { return false }
        useCounter += 1
        let old = store[key]?.stamp
        store[key] = Stored(
            version: stamp.version, isTombstone: stamp.isTombstone, valueBytes: stamp.isTombstone ? 0 : valueBytes,
            expiresAtMillis: stamp.isTombstone ? 0 : expiresAt, lastUsed: useCounter)
        key.withUnsafeBytes { trees[p].apply(key: $0, keyHash: keyHash, old: old, new: stamp, nowMillis: now) }
        evictOverCapacity(now: now)
        return true
    }

    mutating func write(_ key: String, at millis: UInt64, node: NodeTag = Fixtures.nodeA, bytes: Int = 100, expiresAt: UInt64 = 0, now: UInt64? = nil) {
        put(Fixtures.key(key), .value(Fixtures.version(millis, node)), valueBytes: bytes, expiresAt: expiresAt, now: now ?? millis)
    }

    mutating func delete(_ key: String, at millis: UInt64, now: UInt64? = nil) {
        put(Fixtures.key(key), .tombstone(Fixtures.version(millis)), now: now ?? millis)
    }

    /// The store's LWW, with the tree's tie rule: a tombstone beats a value of its version.
    static func beats(_ incoming: EntryStamp, _ held: EntryStamp) -> Bool {
        incoming.version > held.version || (incoming.version == held.version && incoming.isTombstone && !held.isTombstone)
    }

    mutating func evictOverCapacity(now: UInt64) {
        guard let capacity else { return }
        var values = store.filter { !$0.value.isTombstone }
        while values.count > capacity {
            let victim = values.min { $0.value.lastUsed < $1.value.lastUsed }!
            values[victim.key] = nil
            evict(victim.key, now: now)
        }
    }

    mutating func evict(_ key: [UInt8], now: UInt64) {
        guard let stored = store.removeValue(forKey: key) else { return }
        let keyHash = StableHash.xxh64(key)
        trees[partition(of: keyHash)].recordEviction(
            key: key, keyHash: keyHash, stamp: stored.stamp, expiresAtMillis: stored.expiresAtMillis, nowMillis: now)
    }

    /// Expiry and tombstone purge as the store sweeper does them, then the ghosts.
    mutating func sweep(now: UInt64) {
        for (key, stored) in store.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let entry = BucketEntry(key: key, version: stored.version, kind: stored.isTombstone ? .tombstone : .value, expiresAtMillis: stored.expiresAtMillis)
            guard entry.isDead(nowMillis: now, tombstoneGraceMillis: rules.tombstoneGraceMillis) else { continue }
            store[key] = nil
            let keyHash = StableHash.xxh64(key)
            key.withUnsafeBytes { trees[partition(of: keyHash)].apply(key: $0, keyHash: keyHash, old: stored.stamp, new: nil, nowMillis: now) }
        }
        for p in trees.indices { trees[p].sweepGhosts(nowMillis: now, rules: rules) }
    }

    // MARK: Anti-entropy shell

    /// Entries visible at `now` (no expired values) and the ghosts of `bucket`.
    func listing(partition p: Int, bucket: Int, now: UInt64) -> [BucketEntry] {
        let layout = trees[p].layout
        var entries: [BucketEntry] = []
        for (key, stored) in store where !stored.isExpired(now) {
            let keyHash = StableHash.xxh64(key)
            guard partition(of: keyHash) == p, layout.leaf(forKeyHash: keyHash) == bucket else { continue }
            entries.append(BucketEntry(
                key: key, version: stored.version, kind: stored.isTombstone ? .tombstone : .value,
                expiresAtMillis: stored.expiresAtMillis, valueByteCount: stored.valueBytes))
        }
        return entries + trees[p].ghosts(inBucket: bucket)
    }

    /// A key that arrived with its value.
    mutating func receiveValue(_ entry: BucketEntry, now: UInt64) {
        if put(entry.key, entry.stamp, valueBytes: entry.valueByteCount, expiresAt: entry.expiresAtMillis, now: now) {
            valuesReceived[entry.key, default: 0] += 1
        }
    }

    /// A key that arrived as a line only: a delete, or a version to keep as a ghost.
    mutating func receiveLine(_ entry: BucketEntry, now: UInt64) {
        if entry.kind == .tombstone {
            put(entry.key, entry.stamp, now: now)
            return
        }
        let keyHash = StableHash.xxh64(entry.key)
        let p = partition(of: keyHash)
        let held = store[entry.key]?.stamp ?? trees[p].ghost(key: entry.key)?.stamp
        if let held, !Self.beats(entry.stamp, held) { return }
        let old = store.removeValue(forKey: entry.key)?.stamp
        trees[p].recordWithoutValue(entry, keyHash: keyHash, old: old, nowMillis: now)
    }

    /// What this replica answers to a fetch: its value for the key, if it still holds one.
    func value(for key: [UInt8], now: UInt64) -> BucketEntry? {
        guard let stored = store[key], !stored.isTombstone, !stored.isExpired(now) else { return nil }
        return BucketEntry(key: key, version: stored.version, kind: .value, expiresAtMillis: stored.expiresAtMillis, valueByteCount: stored.valueBytes)
    }

    // MARK: Checks

    mutating func roots() -> [MerkleDigest] { trees.indices.map { trees[$0].root() } }

    /// The tree every partition should have: rebuilt from the store and the ghosts.
    func treesMatchContents() -> Bool {
        var trees = self.trees
        var rebuilt = trees.map { MerkleTree(layout: $0.layout) }
        for (key, stored) in store {
            rebuilt[partition(of: StableHash.xxh64(key))].apply(key: key, old: nil, new: stored.stamp, nowMillis: 0)
        }
        for p in trees.indices {
            for bucket in 0..<trees[p].layout.leafCount {
                for ghost in trees[p].ghosts(inBucket: bucket) { rebuilt[p].apply(key: ghost.key, old: nil, new: ghost.stamp, nowMillis: 0) }
            }
        }
        return trees.indices.allSatisfy { rebuilt[$0].root() == trees[$0].root() }
    }

    /// Key → (version, tombstone) for values and tombstones held or remembered as ghosts.
    func knownVersions() -> [[UInt8]: EntryStamp] {
        var known = store.mapValues(\.stamp)
        for tree in trees {
            for bucket in 0..<tree.layout.leafCount {
                for ghost in tree.ghosts(inBucket: bucket) { known[ghost.key] = ghost.stamp }
            }
        }
        return known
    }
}
