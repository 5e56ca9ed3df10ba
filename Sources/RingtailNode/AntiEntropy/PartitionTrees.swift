import RingtailAntiEntropy
import RingtailModel
import RingtailRing
import RingtailStorage
import Synchronization

/// The Merkle tree of every partition this node holds data for, kept current by the store:
/// it is the store's observer, so every write, delete, expiry, purge and eviction updates the
/// tree of the key's partition as a delta, under that tree's own lock. Trees are created on
/// first use, so partitions this node never held cost nothing.
///
/// A node that is alone has nobody to compare trees with, and keeping them costs two BLAKE2b
/// digests per write. So trees may start dormant (`observeLazily`): the store is attached,
/// replaying what it holds, the first time anything reads a tree — the first exchange, a
/// peer's request, `cachectl digest` — and they are kept current from then on.
public final class PartitionTrees: StoreObserver {
    public let partitioner: Partitioner
    public let layout: MerkleLayout
    private let clock: any MillisecondClock
    private let cells: [Cell]
    /// The store to attach on first read, while the trees are dormant.
    private let dormantStore = Mutex<Store?>(nil)
    private let isActive = Atomic<Bool>(true)

    final class Cell: Sendable {
        let tree = Mutex<PartitionTree?>(nil)
    }

    public init(partitionCount: Int, clock: any MillisecondClock) {
        self.partitioner = Partitioner(partitionCount: partitionCount)
        self.layout = MerkleLayout.recommended(partitionCount: partitionCount)
        self.clock = clock
        self.cells = (0..<partitionCount).map { _ in Cell() }
    }

    public var partitionCount: Int { cells.count }

    /// Keeps the trees dormant until first read, then attaches `store` as described above.
    /// - Precondition: `store` has no observer.
    public func observeLazily(_ store: Store) {
        dormantStore.withLock { $0 = store }
        isActive.store(false, ordering: .releasing)
    }

    /// Whether the trees follow the store (false while dormant).
    public var isFollowingStore: Bool { isActive.load(ordering: .acquiring) }

    /// Attaches the dormant store now, if there is one; readers arriving meanwhile wait.
    public func activate() {
        guard !isActive.load(ordering: .acquiring) else { return }
        dormantStore.withLock { pending in
            guard let store = pending else { return }
            store.attach(observer: self)
            pending = nil
            isActive.store(true, ordering: .releasing)
        }
    }

    public func storeChanged(key: UnsafeRawBufferPointer, old: EntryStampInfo?, new: EntryStampInfo?) {
        storeWritten(key: key, keyHash: StableHash.xxh64(key), old: old, new: new, nowMillis: clock.nowMillis())
    }

    public func storeWritten(
        key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStampInfo?, new: EntryStampInfo?, nowMillis: UInt64
    ) {
        withFollowedTree(partitioner.partition(forKeyHash: keyHash)) {
            $0.apply(key: key, keyHash: keyHash, old: old.map(Self.stamp), new: new.map(Self.stamp), nowMillis: nowMillis)
        }
    }

    public func storeEvicted(key: UnsafeRawBufferPointer, entry: EntryStampInfo) {
        let hash = StableHash.xxh64(key)
        let now = clock.nowMillis()
        withFollowedTree(partitioner.partition(forKeyHash: hash)) {
            $0.recordEviction(key: Array(key), keyHash: hash, stamp: Self.stamp(entry), expiresAtMillis: entry.expiresAtMillis, nowMillis: now)
        }
    }

    /// Takes a peer's newer entry that comes without bytes (its ghost of an evicted write, or
    /// a value already dead) as a ghost here: drops the older value `store` holds for the key and
    /// records the entry's version in the tree, atomically under the store's shard lock. Returns
    /// false when this replica holds the same or a newer version (in the store or as a ghost),
    /// or was flushed through the entry's version.
    public func adoptWithoutValue(_ entry: BucketEntry, store: Store) -> Bool {
        precondition(entry.kind != .tombstone, "a tombstone is stored as a delete, not adopted as a ghost")
        // Written before a flush this node applied: gone, not a ghost to keep (`dropGhosts`).
        guard entry.version > store.truncatedThrough else { return false }
        // Attach before taking the shard lock below: attaching takes every shard lock.
        activate()
        let now = clock.nowMillis()
        return entry.key.withUnsafeBytes { key in
            let hash = StableHash.xxh64(key)
            var adopted = false
            _ = store.dropOlder(key: key, keyHash: hash, than: entry.version) {
                withFollowedTree(partitioner.partition(forKeyHash: hash)) { tree in
                    if let ghost = tree.ghost(key: key, keyHash: hash), ghost.version >= entry.version { return }
                    tree.recordWithoutValue(entry, keyHash: hash, old: nil, nowMillis: now)
                    adopted = true
                }
            }
            return adopted
        }
    }

    /// After the store was flushed through `version`: drops the ghosts of writes at or below
    /// it from every tree that exists (the store's removals reached the trees already).
    public func dropGhosts(through version: Version) {
        let now = clock.nowMillis()
        for cell in cells {
            cell.tree.withLock { tree in _ = tree?.dropGhosts(through: version, nowMillis: now) }
        }
    }

    /// Runs `body` on the tree of `partition`, creating an empty one if needed.
    public func withTree<R>(_ partition: Int, _ body: (inout PartitionTree) -> R) -> R {
        activate()
        return withFollowedTree(partition, body)
    }

    /// `withTree` for the store's own calls, which only come once it is attached.
    private func withFollowedTree<R>(_ partition: Int, _ body: (inout PartitionTree) -> R) -> R {
        cells[partition].tree.withLock { tree in
            if tree == nil { tree = PartitionTree(partition: partition, layout: layout) }
            return body(&tree!)
        }
    }

    /// Forgets the tree of `partition` (and its ghosts) if it counts no entries, as after its
    /// entries were dropped; a write that raced the drop keeps the tree.
    public func resetIfEmpty(_ partition: Int) {
        cells[partition].tree.withLock { tree in
            guard var current = tree else { return }
            let statistics = current.statistics()
            if statistics.keyCount + statistics.tombstoneCount == 0 { tree = nil }
        }
    }

    /// Whether `partition` has a tree that counts entries (values, tombstones or ghosts),
    /// without creating one.
    public func holdsEntries(_ partition: Int) -> Bool {
        activate()
        return cells[partition].tree.withLock { tree in
            guard var current = tree else { return false }
            let statistics = current.statistics()
            return statistics.keyCount + statistics.tombstoneCount + statistics.ghostCount > 0
        }
    }

    /// Memory held by the trees that exist.
    public var memoryBytes: Int {
        cells.reduce(0) { total, cell in total + (cell.tree.withLock { $0 == nil } ? 0 : layout.stateBytes) }
    }

    /// Drops ghosts that are dead or too old, in every tree; for the periodic sweep.
    public func sweepGhosts(nowMillis: UInt64, rules: ExchangeRules) {
        for cell in cells {
            cell.tree.withLock { tree in
                if tree?.ghostCount ?? 0 > 0 { tree!.sweepGhosts(nowMillis: nowMillis, rules: rules) }
            }
        }
    }

    static func stamp(_ info: EntryStampInfo) -> EntryStamp {
        EntryStamp(version: info.version, isTombstone: info.isTombstone)
    }
}
