import RingtailAntiEntropy
import RingtailModel
import RingtailStorage
import Testing

@testable import RingtailNode

/// The node's anti-entropy state against a real store, in process: bucket listings walk only
/// the partition's shard and still find everything, and a peer's ghost is adopted atomically.
@Suite struct AntiEntropyStoreTests {
    /// A store and its partition trees, cut along `partitionCount` partitions as a node does.
    struct Replica {
        let clock = ManualClock()
        let trees: PartitionTrees
        let store: Store

        init(partitionCount: Int, shardCount: Int = 64) {
            trees = PartitionTrees(partitionCount: partitionCount, clock: clock)
            store = Store(
                configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: shardCount, partitionBits: partitionCount.trailingZeroBitCount),
                observer: trees)
        }

        func write(_ key: String, _ value: String, at millis: UInt64) {
            let key = Array(key.utf8), value = Array(value.utf8)
            key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    _ = store.write(key: k, value: v, version: Self.version(millis), expiresAtMillis: 0, nowMillis: clock.nowMillis())
                }
            }
        }

        func held(_ key: String) -> Version? {
            Array(key.utf8).withUnsafeBytes { k in
                store.read(key: k, nowMillis: clock.nowMillis()) { lookup -> Version? in
                    if case .value(let stored) = lookup { return stored.version }
                    return nil
                }
            }
        }

        func root(ofKey key: String) -> MerkleDigest {
            trees.withTree(trees.partitioner.partition(forKey: Array(key.utf8))) { $0.root() }
        }

        func ghost(_ key: String) -> BucketEntry? {
            trees.withTree(trees.partitioner.partition(forKey: Array(key.utf8))) { $0.ghost(key: Array(key.utf8)) }
        }

        static func version(_ millis: UInt64) -> Version {
            Version(timestamp: HLCTimestamp(physicalMillis: millis, logical: 0), node: NodeTag(rawValue: 7))
        }
    }

    @Test(arguments: [(partitions: 4096, shards: 64), (partitions: 16, shards: 64), (partitions: 256, shards: 1)])
    func listingAPartitionFindsExactlyItsKeys(partitions: Int, shards: Int) {
        let replica = Replica(partitionCount: partitions, shardCount: shards)
        var expected: [Int: [Int: Set<[UInt8]>]] = [:]
        let layout = replica.trees.layout
        for i in 0..<20_000 {
            let key = "key-\(i)"
            replica.write(key, "v\(i)", at: 1_000 + UInt64(i))
            let hash = StableHash.xxh64(Array(key.utf8))
            let partition = replica.trees.partitioner.partition(forKeyHash: hash)
            expected[partition, default: [:]][layout.leaf(forKeyHash: hash), default: []].insert(Array(key.utf8))
        }
        let lister = BucketLister(store: replica.store, trees: replica.trees)
        let allBuckets = Array(0..<layout.leafCount)
        for partition in [0, 1, partitions / 2, partitions - 1] {
            let listings = lister.list(partition: partition, buckets: allBuckets, nowMillis: replica.clock.nowMillis())
            #expect(listings.map(\.bucket) == allBuckets)
            for listing in listings {
                #expect(Set(listing.entries.map(\.key)) == expected[partition]?[listing.bucket] ?? [])
            }
        }
    }

    @Test func aPeersGhostReplacesAnOlderValueAndTheTreesAgree() {
        let a = Replica(partitionCount: 256), b = Replica(partitionCount: 256)
        a.write("k", "old", at: 1_000)
        b.write("k", "old", at: 1_000)
        b.write("k", "new", at: 2_000)
        // b evicts its newer value: its tree keeps the version as a ghost.
        b.trees.storeEvicted(key: "k", entry: EntryStampInfo(version: Replica.version(2_000), isTombstone: false, expiresAtMillis: 0))
        #expect(a.root(ofKey: "k") != b.root(ofKey: "k"))

        let line = b.ghost("k")!
        #expect(a.trees.adoptWithoutValue(line, store: a.store))
        #expect(a.held("k") == nil, "the older value must not be served any more")
        #expect(a.ghost("k")?.version == Replica.version(2_000))
        #expect(a.root(ofKey: "k") == b.root(ofKey: "k"))

        // Adopting again, or an older line, changes nothing.
        #expect(!a.trees.adoptWithoutValue(line, store: a.store))
        #expect(a.root(ofKey: "k") == b.root(ofKey: "k"))
    }

    @Test func aGhostIsNotAdoptedOverTheSameOrANewerValue() {
        let a = Replica(partitionCount: 256)
        a.write("k", "newest", at: 3_000)
        let before = a.root(ofKey: "k")
        for millis: UInt64 in [2_000, 3_000] {
            let line = BucketEntry(key: Array("k".utf8), version: Replica.version(millis), kind: .evicted)
            #expect(!a.trees.adoptWithoutValue(line, store: a.store))
        }
        #expect(a.held("k") == Replica.version(3_000))
        #expect(a.root(ofKey: "k") == before)
    }

    @Test func anAdoptedGhostOnAMissingKeyGivesWayToANewerWrite() {
        let a = Replica(partitionCount: 256), b = Replica(partitionCount: 256)
        let line = BucketEntry(key: Array("k".utf8), version: Replica.version(2_000), kind: .evicted)
        #expect(a.trees.adoptWithoutValue(line, store: a.store))
        #expect(a.ghost("k") != nil)
        a.write("k", "newer", at: 5_000)
        b.write("k", "newer", at: 5_000)
        #expect(a.ghost("k") == nil)
        #expect(a.held("k") == Replica.version(5_000))
        #expect(a.root(ofKey: "k") == b.root(ofKey: "k"))
    }

    /// A flush takes the ghosts of older writes out of the trees with the values, and a peer's
    /// ghost of a write from before it is not adopted afterwards.
    @Test func aFlushDropsOlderGhostsAndRefusesToAdoptThem() {
        let a = Replica(partitionCount: 256), empty = Replica(partitionCount: 256)
        a.write("v", "value", at: 1_000)
        #expect(a.trees.adoptWithoutValue(BucketEntry(key: Array("k".utf8), version: Replica.version(2_000), kind: .evicted), store: a.store))
        #expect(a.ghost("k") != nil)
        a.store.truncate(through: Replica.version(3_000))
        a.trees.dropGhosts(through: Replica.version(3_000))
        #expect(a.ghost("k") == nil && a.held("v") == nil)
        #expect(a.root(ofKey: "k") == empty.root(ofKey: "k") && a.root(ofKey: "v") == empty.root(ofKey: "v"))
        #expect(!a.trees.adoptWithoutValue(BucketEntry(key: Array("k".utf8), version: Replica.version(2_500), kind: .evicted), store: a.store))
        #expect(a.ghost("k") == nil)
        #expect(a.trees.adoptWithoutValue(BucketEntry(key: Array("k".utf8), version: Replica.version(4_000), kind: .evicted), store: a.store))
    }
}

extension PartitionTrees {
    fileprivate func storeEvicted(key: String, entry: EntryStampInfo) {
        Array(key.utf8).withUnsafeBytes { storeEvicted(key: $0, entry: entry) }
    }
}
