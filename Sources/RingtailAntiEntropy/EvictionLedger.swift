/// How long evicted entries keep their place in the tree.
public struct EvictionSettings: Hashable, Sendable {
    /// A ghost is dropped this long after the eviction, unless its TTL ends it sooner or a
    /// newer write replaces it. Once dropped, a peer may send the key back, once.
    public var retentionMillis: UInt64
    /// At most this many ghosts per tree; beyond it the oldest is dropped. A ghost costs its
    /// key plus about 200 bytes (estimate), so the node should derive this from a memory
    /// budget.
    public var maxGhosts: Int

    public init(retentionMillis: UInt64, maxGhosts: Int) {
        precondition(maxGhosts >= 0, "maxGhosts must not be negative")
        self.retentionMillis = retentionMillis
        self.maxGhosts = maxGhosts
    }

    /// One hour, 1024 ghosts per partition (about 200 KiB plus keys per partition when full).
    public static let `default` = EvictionSettings(retentionMillis: 3_600_000, maxGhosts: 1024)
    /// No ghosts: an eviction leaves the tree at once, as if the key had been deleted. Peers
    /// then stream evicted keys back at every session; kept for tests and comparison.
    public static let disabled = EvictionSettings(retentionMillis: 0, maxGhosts: 0)
}

/// An entry evicted from the store but still counted in the tree.
struct Ghost: Sendable {
    var entry: BucketEntry
    var keyHash: UInt64
    var recordedAtMillis: UInt64
    var sequence: UInt64 = 0

    var stamp: EntryStamp { entry.stamp }
}

/// The ghosts of one tree, found by key and dropped oldest first.
struct EvictionLedger: Sendable {
    /// Ghosts by bucket; a bucket holds few, so a scan finds a key.
    private(set) var byLeaf: [Int: [Ghost]] = [:]
    private(set) var count = 0
    /// Insertion order, oldest at `orderHead`. Items whose ghost left early are skipped when
    /// reached, and swept out when they outnumber the live ones.
    private var order: [(leaf: Int, sequence: UInt64)] = []
    private var orderHead = 0
    private var nextSequence: UInt64 = 0

    func find(key: UnsafeRawBufferPointer, keyHash: UInt64, leaf: Int) -> Ghost? {
        byLeaf[leaf]?.first { $0.keyHash == keyHash && $0.entry.key.elementsEqual(key) }
    }

    mutating func remove(key: UnsafeRawBufferPointer, keyHash: UInt64, leaf: Int) -> Ghost? {
        guard let position = byLeaf[leaf]?.firstIndex(where: { $0.keyHash == keyHash && $0.entry.key.elementsEqual(key) })
        else { return nil }
        return remove(at: position, leaf: leaf)
    }

    /// Adds `ghost`; the caller has removed any ghost of the same key.
    mutating func insert(_ ghost: Ghost, leaf: Int) {
        var ghost = ghost
        ghost.sequence = nextSequence
        nextSequence += 1
        byLeaf[leaf, default: []].append(ghost)
        order.append((leaf, ghost.sequence))
        count += 1
        if order.count - orderHead > 2 * count + 64 { compactOrder() }
    }

    /// The ghost recorded longest ago.
    func oldest() -> Ghost? {
        var position = orderHead
        while position < order.count {
            let item = order[position]
            if let ghost = byLeaf[item.leaf]?.first(where: { $0.sequence == item.sequence }) { return ghost }
            position += 1
        }
        return nil
    }

    mutating func removeOldest() -> Ghost? {
        while orderHead < order.count {
            let item = order[orderHead]
            orderHead += 1
            if let position = byLeaf[item.leaf]?.firstIndex(where: { $0.sequence == item.sequence }) {
                if orderHead > 1024 && orderHead * 2 > order.count { compactOrder() }
                return remove(at: position, leaf: item.leaf)
            }
        }
        return nil
    }

    /// Removes and returns every ghost matching `predicate`, in bucket order. O(ghosts).
    mutating func removeAll(where predicate: (Ghost) -> Bool) -> [Ghost] {
        var removed: [Ghost] = []
        for leaf in byLeaf.keys.sorted() {
            guard let ghosts = byLeaf[leaf], ghosts.contains(where: predicate) else { continue }
            removed += ghosts.filter(predicate)
            let kept = ghosts.filter { !predicate($0) }
            byLeaf[leaf] = kept.isEmpty ? nil : kept
        }
        count -= removed.count
        return removed
    }

    private mutating func remove(at position: Int, leaf: Int) -> Ghost {
        let ghost = byLeaf[leaf]!.remove(at: position)
        if byLeaf[leaf]!.isEmpty { byLeaf[leaf] = nil }
        count -= 1
        return ghost
    }

    private mutating func compactOrder() {
        var live: Set<UInt64> = []
        for ghosts in byLeaf.values { for ghost in ghosts { live.insert(ghost.sequence) } }
        order = order[orderHead...].filter { live.contains($0.sequence) }
        orderHead = 0
    }
}
