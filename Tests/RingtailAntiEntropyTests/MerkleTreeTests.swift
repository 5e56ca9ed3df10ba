import RingtailAntiEntropy
import RingtailCrypto
import RingtailModel
import Testing

@Suite struct MerkleTreeTests {
    static let layouts = [MerkleLayout.default, MerkleLayout(fanOutBits: 2, depth: 3), MerkleLayout(fanOutBits: 4, depth: 1)]

    @Test(arguments: layouts)
    func sameContentsInAnyOrderGiveTheSameTree(layout: MerkleLayout) {
        let entries = Fixtures.randomEntries(count: 2000, seed: 1)
        var random = SplitMix64(seed: 2)
        var first = Fixtures.tree(entries, layout: layout)
        var reversed = Fixtures.tree(entries.reversed(), layout: layout)
        var shuffled = Fixtures.tree(entries.shuffled(using: &random), layout: layout)
        let expected = first.allLevels()
        #expect(reversed.allLevels() == expected)
        #expect(shuffled.allLevels() == expected)
        var empty = MerkleTree(layout: layout)
        #expect(first.root() != empty.root())
    }

    @Test(arguments: layouts)
    func deltasEqualARebuildFromScratch(layout: MerkleLayout) {
        var random = SplitMix64(seed: 3)
        var tree = MerkleTree(layout: layout)
        var contents: [[UInt8]: EntryStamp] = [:]
        for step in 0..<6000 {
            let key = Fixtures.key("key-\(random.next() % 700)")
            let old = contents[key]
            let new: EntryStamp?
            switch random.next() % 4 {
            case 0: new = nil  // expiry, purge, eviction without a ghost
            case 1: new = .tombstone(Fixtures.version(UInt64(step) + 10))
            default: new = .value(Fixtures.version(UInt64(step) + 10, random.next() % 2 == 0 ? Fixtures.nodeA : Fixtures.nodeB))
            }
            tree.apply(key: key, old: old, new: new, nowMillis: UInt64(step))
            contents[key] = new
            // Reading now and then exercises partial refreshes between changes.
            if step % 97 == 0 { _ = tree.root() }
        }
        var rebuilt = Fixtures.tree(contents.map { ($0.key, $0.value) }, layout: layout)
        #expect(tree.allLevels() == rebuilt.allLevels())
        #expect(tree.keyCount == contents.values.filter { !$0.isTombstone }.count)
        #expect(tree.tombstoneCount == contents.values.filter(\.isTombstone).count)
    }

    @Test func removingEverythingGivesTheEmptyTreeBack() {
        let entries = Fixtures.randomEntries(count: 300, seed: 4)
        var tree = Fixtures.tree(entries)
        for entry in entries { tree.apply(key: entry.key, old: entry.stamp, new: nil, nowMillis: 2) }
        var empty = MerkleTree()
        #expect(tree.allLevels() == empty.allLevels())
        #expect(tree.keyCount == 0 && tree.tombstoneCount == 0)
    }

    @Test func aTombstoneAndAValueOfTheSameVersionDiffer() {
        let key = Fixtures.key("k")
        let version = Fixtures.version(5)
        #expect(MerkleDigest.entry(key: key, stamp: .value(version)) != MerkleDigest.entry(key: key, stamp: .tombstone(version)))
        var withValue = Fixtures.tree([(key, .value(version))])
        var withTombstone = Fixtures.tree([(key, .tombstone(version))])
        #expect(withValue.root() != withTombstone.root())
        // And the node tag and the logical counter are part of the version.
        #expect(MerkleDigest.entry(key: key, stamp: .value(Fixtures.version(5, Fixtures.nodeB))) != .entry(key: key, stamp: .value(version)))
        #expect(MerkleDigest.entry(key: key, stamp: .value(Fixtures.version(5, logical: 1))) != .entry(key: key, stamp: .value(version)))
    }

    /// Pins the entry encoding documented on `MerkleDigest.entry`: peers must agree on it.
    @Test func entryDigestIsBLAKE2bOverTheStampBlockThenTheKey() {
        let version = Version(timestamp: HLCTimestamp(rawValue: 0x0102_0304_0506_0708), node: NodeTag(rawValue: 0xA1B2_C3D4))
        // Short and long keys alike (a long one spans several BLAKE2b blocks).
        for key in [Fixtures.key("user:42"), [UInt8](repeating: 0x61, count: 300), []] {
            var block: [UInt8] = [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0xD4, 0xC3, 0xB2, 0xA1, 0x01, 0x00, 0x00, 0x02]
            #expect(MerkleDigest.entry(key: key, stamp: .tombstone(version)).bytes == BLAKE2b.hash(block + key, digestBytes: 16))
            block[12] = 0
            #expect(MerkleDigest.entry(key: key, stamp: .value(version)).bytes == BLAKE2b.hash(block + key, digestBytes: 16))
        }
    }

    @Test func innerNodesHashTheirChildrenInOrder() {
        var tree = Fixtures.tree([(Fixtures.key("a"), .value(Fixtures.version(1)))], layout: MerkleLayout(fanOutBits: 1, depth: 1))
        let leaves = tree.nodes(level: 1, indices: [0, 1])
        #expect(tree.root().bytes == BLAKE2b.hash(leaves[0].bytes + leaves[1].bytes, digestBytes: 16))
    }

    @Test func statisticsReportCountsLastUpdateAndRoot() {
        var tree = MerkleTree()
        tree.apply(key: Fixtures.key("a"), old: nil, new: .value(Fixtures.version(1)), nowMillis: 100)
        tree.apply(key: Fixtures.key("b"), old: nil, new: .value(Fixtures.version(2)), nowMillis: 200)
        tree.apply(key: Fixtures.key("b"), old: .value(Fixtures.version(2)), new: .tombstone(Fixtures.version(3)), nowMillis: 300)
        let statistics = tree.statistics()
        #expect(statistics.keyCount == 1)
        #expect(statistics.tombstoneCount == 1)
        #expect(statistics.lastUpdateMillis == 300)
        #expect(statistics.changeCount == 3)
        #expect(statistics.rootHex == tree.root().hex)
        #expect(statistics.rootHex.count == 32)
        #expect(MerkleLayout.default.stateBytes < 18 * 1024)
    }

    @Test func recommendedLayoutsKeepAboutAMillionLeavesPerNode() {
        #expect(MerkleLayout.recommended(partitionCount: 1024) == .default)
        #expect(MerkleLayout.recommended(partitionCount: 4096) == MerkleLayout(fanOutBits: 4, depth: 2))
        #expect(MerkleLayout.recommended(partitionCount: 2048) == MerkleLayout(fanOutBits: 4, depth: 2))
        #expect(MerkleLayout.recommended(partitionCount: 1) == MerkleLayout(fanOutBits: 10, depth: 2))
        #expect(MerkleLayout.recommended(partitionCount: 1 << 20) == MerkleLayout(fanOutBits: 1, depth: 2))
        for bits in 0...12 {
            let layout = MerkleLayout.recommended(partitionCount: 1 << bits)
            #expect((1 << bits) * layout.stateBytes <= 18 << 20, "P = 2^\(bits)")
        }
    }

    @Test(arguments: [1, 10, 100, 1000])
    func comparisonFindsExactlyTheBucketsOfTheDifferingKeys(k: Int) async throws {
        for layout in Self.layouts {
            let entries = Fixtures.randomEntries(count: 5000, seed: 5)
            var local = Fixtures.tree(entries, layout: layout)
            var remote = local
            var random = SplitMix64(seed: UInt64(k))
            var expected: Set<Int> = []
            for (index, entry) in entries.shuffled(using: &random).prefix(k).enumerated() {
                let changed: EntryStamp? = switch index % 3 {
                case 0: nil
                case 1: EntryStamp(version: entry.stamp.version, isTombstone: !entry.stamp.isTombstone)
                default: .value(Fixtures.version(2_000_000 + UInt64(index)))
                }
                remote.apply(key: entry.key, old: entry.stamp, new: changed, nowMillis: 9)
                expected.insert(layout.leaf(forKeyHash: Fixtures.keyHash(entry.key)))
            }
            let comparison = try await TreeComparison.compare(local: local.snapshot(), remote: remote.snapshot(), layout: layout)
            #expect(comparison.differingLeaves == expected.sorted(), "layout \(layout)")
            #expect(comparison.rounds == layout.levelCount)
            // Only children of differing nodes are fetched.
            #expect(comparison.digestsCompared <= 1 + layout.depth * min(k, layout.leafCount) * layout.fanOut)
        }
    }

    @Test func equalTreesStopAtTheRoot() async throws {
        var tree = Fixtures.tree(Fixtures.randomEntries(count: 100, seed: 6))
        let comparison = try await TreeComparison.compare(local: tree.snapshot(), remote: tree.snapshot(), layout: .default)
        #expect(comparison.differingLeaves.isEmpty)
        #expect(comparison.rounds == 1 && comparison.digestsCompared == 1)
    }

    @Test func aSnapshotIsFrozenWhileTheTreeMovesOn() {
        var tree = Fixtures.tree(Fixtures.randomEntries(count: 100, seed: 7))
        let snapshot = tree.snapshot()
        tree.apply(key: Fixtures.key("late"), old: nil, new: .value(Fixtures.version(9)), nowMillis: 9)
        #expect(snapshot.root != tree.root())
        tree.apply(key: Fixtures.key("late"), old: .value(Fixtures.version(9)), new: nil, nowMillis: 10)
        #expect(snapshot.root == tree.root())
    }
}
