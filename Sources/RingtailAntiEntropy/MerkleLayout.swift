/// The shape of one partition's tree: `fanOut^depth` leaves under `depth` levels of inner
/// nodes, every inner node hashing exactly `fanOut` children. The default:
///
///     level 0   root                    1 digest     BLAKE2b of the 32 branches
///                 │
///     level 1   branches               32 digests    BLAKE2b of 32 leaves each
///                 │
///     level 2   leaves               1024 digests    XOR of the entry digests in the bucket
///                 │
///               entries              (key, version, tombstone), bucket = low 10 bits of xxh64(key)
///
/// Why 1024 leaves of 16-byte digests per partition: with the cluster's 1024 partitions a node
/// holding every partition keeps 1024 × ~17 KiB ≈ 17 MiB of tree state, and at one million
/// keys a bucket holds about one key, so a differing leaf names almost exactly the keys to
/// list. At 100 M keys a bucket holds ~100 keys: bucket lists grow, the tree does not.
/// Why fan-out 32: two request rounds reach the leaves, and a differing branch costs 512 bytes
/// of digests, small beside the bucket lists and values it leads to. Riak's Tictac AAE has the
/// same two-level shape (1024 branches over 1M segments) for a whole store; here each partition
/// has its own, so partitions are compared, handed off and rebuilt independently.
public struct MerkleLayout: Hashable, Sendable, CustomStringConvertible {
    /// `log2(fanOut)`.
    public let fanOutBits: Int
    /// Inner levels above the leaves; the leaves are level `depth`, the root level 0.
    public let depth: Int

    /// - Precondition: `fanOutBits` in 1...10, `depth` in 1...4 and at most 2^24 leaves.
    public init(fanOutBits: Int, depth: Int) {
        precondition((1...10).contains(fanOutBits), "fan-out must be 2^1...2^10")
        precondition((1...4).contains(depth), "depth must be 1...4")
        precondition(fanOutBits * depth <= 24, "at most 2^24 leaves")
        self.fanOutBits = fanOutBits
        self.depth = depth
    }

    /// 32 branches over 1024 leaves.
    public static let `default` = MerkleLayout(fanOutBits: 5, depth: 2)

    /// Two levels under the root with about 2^20 leaves over all `partitionCount` trees
    /// (Tictac's segment count for a whole store), rounded down: the default for 1024
    /// partitions, 16 × 16 leaves for 4096. A node holding every partition then keeps about
    /// 16 MiB of trees whatever the partition count.
    public static func recommended(partitionCount: Int) -> MerkleLayout {
        precondition(partitionCount > 0, "partition count must be positive")
        let partitionBits = Int.bitWidth - 1 - partitionCount.leadingZeroBitCount
        return MerkleLayout(fanOutBits: Swift.min(10, Swift.max(1, (20 - partitionBits) / 2)), depth: 2)
    }

    public var fanOut: Int { 1 << fanOutBits }
    /// How many low bits of the key hash pick the leaf. The partition is the top bits of the
    /// same hash, so as long as both together fit in 64 bits every partition fills its leaves
    /// evenly.
    public var leafBits: Int { fanOutBits * depth }
    public var leafCount: Int { 1 << leafBits }
    /// Levels including the root and the leaves.
    public var levelCount: Int { depth + 1 }

    public func nodeCount(atLevel level: Int) -> Int {
        precondition(level >= 0 && level <= depth, "level \(level) out of range")
        return 1 << (fanOutBits * level)
    }

    /// The bucket (leaf index) of a key whose `StableHash.xxh64` is `keyHash`.
    @inlinable
    public func leaf(forKeyHash keyHash: UInt64) -> Int {
        Int(truncatingIfNeeded: keyHash & (UInt64(1) << UInt64(fanOutBits * depth) - 1))
    }

    /// The children of node `index` of `level`, as indices into `level + 1`.
    public func children(of index: Int, atLevel level: Int) -> Range<Int> {
        precondition(level < depth, "leaves have no children")
        return (index << fanOutBits)..<((index + 1) << fanOutBits)
    }

    /// Bytes of digest state one tree keeps: every node's digest plus a dirty bit per inner
    /// node. Array headers and the struct itself add under 200 bytes.
    public var stateBytes: Int {
        var digests = 0
        var innerNodes = 0
        for level in 0...depth {
            digests += nodeCount(atLevel: level)
            if level < depth { innerNodes += nodeCount(atLevel: level) }
        }
        return digests * MerkleDigest.byteCount + (innerNodes + 63) / 64 * 8
    }

    public var description: String { "\(fanOut)^\(depth) = \(leafCount) leaves" }
}
