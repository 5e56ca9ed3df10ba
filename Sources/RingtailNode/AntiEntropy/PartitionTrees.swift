import RingtailAntiEntropy
import RingtailModel
import RingtailRing
import RingtailStorage
import Synchronization

/// The Merkle tree of every partition this node holds data for, kept current by the store:
/// it is the store's observer, so every write, delete, expiry, purge and eviction updates the
/// tree of the key's partition as a delta, under that tree's own lock. Trees are created on
/// first use, so partitions this node never held cost nothing.
public final class PartitionTrees: StoreObserver {
    public let partitioner: Partitioner
    public let layout: MerkleLayout
    private let clock: any MillisecondClock
    private let cells: [Cell]

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

    public func storeChanged(key: UnsafeRawBufferPointer, old: EntryStampInfo?, new: EntryStampInfo?) {
        let hash = StableHash.xxh64(key)
        let now = clock.nowMillis()
        withTree(partitioner.partition(forKeyHash: hash)) {
            $0.apply(key: key, keyHash: hash, old: old.map(Self.stamp), new: new.map(Self.stamp), nowMillis: now)
        }
    }

    public func storeEvicted(key: UnsafeRawBufferPointer, entry: EntryStampInfo) {
        let hash = StableHash.xxh64(key)
        let now = clock.nowMillis()
        withTree(partitioner.partition(forKeyHash: hash)) {
            $0.recordEviction(key: Array(key), keyHash: hash, stamp: Self.stamp(entry), expiresAtMillis: entry.expiresAtMillis, nowMillis: now)
        }
    }

    /// Runs `body` on the tree of `partition`, creating an empty one if needed.
    public func withTree<R>(_ partition: Int, _ body: (inout PartitionTree) -> R) -> R {
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
        cells[partition].tree.withLock { tree in
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
