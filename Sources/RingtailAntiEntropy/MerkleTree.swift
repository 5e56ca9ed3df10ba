import RingtailModel

/// The Merkle tree of one partition on one replica, kept current on every write.
///
/// Leaves are Tictac-style: a leaf is the XOR of its entries' digests, so a change is a delta,
/// XOR out the old entry and XOR in the new one, and the tree never rescans the store. Inner
/// nodes are BLAKE2b of their children, recomputed lazily: a change only marks its path dirty,
/// and the next read of a digest (`root`, `nodes`, `snapshot`) rehashes the dirty nodes, bottom
/// up. Same contents give the same tree whatever the order of changes.
///
/// Costs: `apply` is two BLAKE2b calls on the key plus `depth` bit operations; a read after
/// `n` scattered changes rehashes at most `min(n, nodes)` inner nodes per level. State:
/// `layout.stateBytes` (about 17 KiB with the default layout).
public struct MerkleTree: Sendable {
    public let layout: MerkleLayout

    /// XOR accumulators, one per bucket.
    var leaves: [MerkleDigest]
    /// `inner[level]` for levels `0..<depth`; `inner[0]` holds the root alone.
    var inner: [[MerkleDigest]]
    /// One bit per inner node whose digest is stale. Invariant: a dirty node's ancestors are
    /// dirty, so marking a path stops at the first node already marked.
    var dirty: [[UInt64]]
    var isDirty = false

    /// Entries that are values (held or evicted), not tombstones.
    public private(set) var keyCount = 0
    public private(set) var tombstoneCount = 0
    /// `nowMillis` of the last change; 0 before any.
    public private(set) var lastUpdateMillis: UInt64 = 0
    /// Changes applied so far, for metrics.
    public private(set) var changeCount: UInt64 = 0

    public init(layout: MerkleLayout = .default) {
        self.layout = layout
        leaves = Array(repeating: .zero, count: layout.leafCount)
        inner = []
        dirty = []
        // Every node of a level starts with the same children, so one hash per level.
        var below = MerkleDigest.zero
        var emptyDigests: [MerkleDigest] = Array(repeating: .zero, count: layout.depth)
        for level in stride(from: layout.depth - 1, through: 0, by: -1) {
            below = .inner(children: ArraySlice(repeating: below, count: layout.fanOut))
            emptyDigests[level] = below
        }
        for level in 0..<layout.depth {
            let count = layout.nodeCount(atLevel: level)
            inner.append(Array(repeating: emptyDigests[level], count: count))
            dirty.append(Array(repeating: 0, count: (count + 63) / 64))
        }
    }

    // MARK: Changes

    /// Records that the entry for `key` changed from `old` to `new` (nil = absent): a write,
    /// delete, expiry, tombstone purge or ghost removal. `keyHash` is `StableHash.xxh64(key)`.
    public mutating func apply(
        key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStamp?, new: EntryStamp?, nowMillis: UInt64
    ) {
        guard old != new else { return }
        var delta = MerkleDigest.zero
        if let old {
            delta ^= .entry(key: key, stamp: old)
            if old.isTombstone { tombstoneCount -= 1 } else { keyCount -= 1 }
        }
        if let new {
            delta ^= .entry(key: key, stamp: new)
            if new.isTombstone { tombstoneCount += 1 } else { keyCount += 1 }
        }
        xor(delta, intoLeaf: layout.leaf(forKeyHash: keyHash))
        lastUpdateMillis = nowMillis
        changeCount &+= 1
    }

    /// `apply(key:keyHash:old:new:nowMillis:)` hashing `key` itself.
    public mutating func apply(key: [UInt8], old: EntryStamp?, new: EntryStamp?, nowMillis: UInt64) {
        key.withUnsafeBytes { buffer in
            apply(key: buffer, keyHash: StableHash.xxh64(buffer), old: old, new: new, nowMillis: nowMillis)
        }
    }

    mutating func xor(_ delta: MerkleDigest, intoLeaf leaf: Int) {
        leaves[leaf] ^= delta
        var index = leaf
        for level in stride(from: layout.depth - 1, through: 0, by: -1) {
            index >>= layout.fanOutBits
            let (word, bit) = (index >> 6, UInt64(1) << UInt64(index & 63))
            if dirty[level][word] & bit != 0 { break }
            dirty[level][word] |= bit
        }
        isDirty = true
    }

    // MARK: Reads

    /// Rehashes every dirty inner node, deepest level first.
    public mutating func refresh() {
        guard isDirty else { return }
        for level in stride(from: layout.depth - 1, through: 0, by: -1) {
            for word in dirty[level].indices where dirty[level][word] != 0 {
                var bits = dirty[level][word]
                while bits != 0 {
                    let index = word << 6 | bits.trailingZeroBitCount
                    bits &= bits - 1
                    let children = layout.children(of: index, atLevel: level)
                    inner[level][index] = level + 1 == layout.depth
                        ? .inner(children: leaves[children])
                        : .inner(children: inner[level + 1][children])
                }
                dirty[level][word] = 0
            }
        }
        isDirty = false
    }

    public mutating func root() -> MerkleDigest {
        refresh()
        return inner[0][0]
    }

    /// The digests of `indices` at `level` (0 = root, `layout.depth` = leaves), in order.
    public mutating func nodes(level: Int, indices: [Int]) -> [MerkleDigest] {
        refresh()
        return Self.read(level: level, indices: indices, layout: layout, inner: inner, leaves: leaves)
    }

    /// A frozen, fully hashed copy to compare against while this tree keeps changing. Costs
    /// one copy of the state on the next change (copy-on-write).
    public mutating func snapshot() -> MerkleSnapshot {
        refresh()
        return MerkleSnapshot(layout: layout, inner: inner, leaves: leaves)
    }

    /// Key count, last change and root, for `cachectl digest --partition P`.
    public mutating func statistics() -> TreeStatistics {
        TreeStatistics(
            layout: layout, keyCount: keyCount, tombstoneCount: tombstoneCount, ghostCount: 0,
            lastUpdateMillis: lastUpdateMillis, changeCount: changeCount, root: root())
    }

    static func read(
        level: Int, indices: [Int], layout: MerkleLayout, inner: [[MerkleDigest]], leaves: [MerkleDigest]
    ) -> [MerkleDigest] {
        precondition(level >= 0 && level <= layout.depth, "level \(level) out of range")
        let nodes = level == layout.depth ? leaves : inner[level]
        return indices.map { index in
            precondition(nodes.indices.contains(index), "node \(index) out of range at level \(level)")
            return nodes[index]
        }
    }
}

/// One tree's figures.
public struct TreeStatistics: Hashable, Sendable, CustomStringConvertible {
    public var layout: MerkleLayout
    /// Values in the tree, evicted ones (ghosts) included.
    public var keyCount: Int
    public var tombstoneCount: Int
    /// Evicted entries still in the tree (see `PartitionTree`).
    public var ghostCount: Int
    public var lastUpdateMillis: UInt64
    public var changeCount: UInt64
    public var root: MerkleDigest

    public var rootHex: String { root.hex }

    public var description: String {
        "keys \(keyCount) (ghosts \(ghostCount)), tombstones \(tombstoneCount), last update \(lastUpdateMillis) ms, root \(rootHex)"
    }
}
