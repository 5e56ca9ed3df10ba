import RingtailAntiEntropy
import RingtailModel


enum Fixtures {
    static let nodeA = NodeTag(name: "a")
    static let nodeB = NodeTag(name: "b")

    static func version(_ millis: UInt64, _ node: NodeTag = nodeA, logical: UInt16 = 0) -> Version {
        Version(timestamp: HLCTimestamp(physicalMillis: millis, logical: logical), node: node)
    }

    static func key(_ name: String) -> [UInt8] { Array(name.utf8) }

    static func keyHash(_ key: [UInt8]) -> UInt64 { StableHash.xxh64(key) }

    static func value(_ key: String, _ millis: UInt64, node: NodeTag = nodeA, bytes: Int = 100, expiresAt: UInt64 = 0) -> BucketEntry {
        BucketEntry(key: Self.key(key), version: version(millis, node), kind: .value, expiresAtMillis: expiresAt, valueByteCount: bytes)
    }

    static func tombstone(_ key: String, _ millis: UInt64, node: NodeTag = nodeA) -> BucketEntry {
        BucketEntry(key: Self.key(key), version: version(millis, node), kind: .tombstone)
    }

    static func evicted(_ key: String, _ millis: UInt64, node: NodeTag = nodeA, expiresAt: UInt64 = 0) -> BucketEntry {
        BucketEntry(key: Self.key(key), version: version(millis, node), kind: .evicted, expiresAtMillis: expiresAt)
    }

    /// A tree holding `entries`, built in the given order.
    static func tree(_ entries: [(key: [UInt8], stamp: EntryStamp)], layout: MerkleLayout = .default) -> MerkleTree {
        var tree = MerkleTree(layout: layout)
        for entry in entries { tree.apply(key: entry.key, old: nil, new: entry.stamp, nowMillis: 1) }
        return tree
    }

    /// `count` distinct keys with assorted versions, a tenth of them tombstones.
    static func randomEntries(count: Int, seed: UInt64) -> [(key: [UInt8], stamp: EntryStamp)] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let version = Self.version(1_000 + random.next() % 1_000_000, random.next() % 2 == 0 ? nodeA : nodeB)
            return (key("key-\(index)"), EntryStamp(version: version, isTombstone: random.next() % 10 == 0))
        }
    }
}

extension MerkleTree {
    /// Every digest of every level, for whole-tree equality.
    mutating func allLevels() -> [[MerkleDigest]] {
        (0...layout.depth).map { level in nodes(level: level, indices: Array(0..<layout.nodeCount(atLevel: level))) }
    }
}
