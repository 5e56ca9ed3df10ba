import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct AccountingTests {
    @Test func emptyStoreCostsOnlyItsShards() {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: 8))
        let stats = store.statistics()
        #expect(stats.keys == 0 && stats.tombstones == 0)
        #expect(stats.shards.count == 8)
        #expect(stats.memoryUsedBytes == stats.shards.reduce(0) { $0 + $1.memoryUsedBytes })
        #expect(stats.memoryUsedBytes < 8 * 512)
        #expect(stats.memoryLimitBytes == 64 << 20)
    }

    @Test func memoryReturnsToBaselineAfterDeletingAndPurgingEverything() {
        let store = Store(
            configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: 4, tombstoneGraceMillis: 10))
        let baseline = store.statistics().memoryUsedBytes
        for i in 0..<5_000 { _ = store.write(Array("key\(i)".utf8), bytes(i % 300), version(1)) }
        let full = store.statistics()
        #expect(full.keys == 5_000)
        // At least the key and value bytes, and not absurdly more.
        let payload = (0..<5_000).reduce(0) { $0 + "key\($1)".utf8.count + $1 % 300 }
        #expect(full.memoryUsedBytes > payload)
        #expect(full.memoryUsedBytes < payload + 5_000 * 100)

        for i in 0..<5_000 { _ = store.delete("key\(i)", version(2)) }
        let deleted = store.statistics()
        #expect(deleted.keys == 0 && deleted.tombstones == 5_000)
        #expect(deleted.memoryUsedBytes < full.memoryUsedBytes)

        #expect(store.sweep(nowMillis: t0 + 10, maxEntriesPerShard: .max).purgedTombstones == 5_000)
        let empty = store.statistics()
        #expect(empty.tombstones == 0)
        #expect(empty.memoryUsedBytes == baseline)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func expiryAndEvictionAlsoReturnToBaseline() {
        let store = singleShardStore(memory: 32 * 1024)
        let baseline = store.statistics().memoryUsedBytes
        for i in 0..<1_000 { _ = store.write(Array("k\(i)".utf8), bytes(64), version(1), expiresAt: t0 + 1) }
        #expect(store.statistics().evictions > 0)
        _ = store.sweep(nowMillis: t0 + 1, maxEntriesPerShard: .max)
        #expect(store.statistics().memoryUsedBytes == baseline)
    }

    @Test func countersAddUp() {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 8 << 20, shardCount: 4))
        for i in 0..<100 { _ = store.write("k\(i)", "v", version(2)) }
        for i in 0..<50 { _ = store.write("k\(i)", "old", version(1)) }
        for i in 0..<10 { _ = store.delete("k\(i)", version(3)) }
        for i in 0..<200 { _ = store.get("k\(i)") }
        _ = store.write("", "v", version(1))
        let stats = store.statistics()
        #expect(stats.writes == 100)
        #expect(stats.supersededWrites == 50)
        #expect(stats.deletes == 10)
        #expect(stats.rejectedWrites == 1)
        #expect(stats.hits == 90)
        #expect(stats.misses == 110)
        #expect(stats.keys == 90)
        #expect(stats.tombstones == 10)
        #expect(stats.shards.reduce(0) { $0 + $1.keys } == 90)
        #expect(stats.shards.map(\.index) == [0, 1, 2, 3])
    }

    @Test func shardsSplitTheBudgetAndKeysSpreadOverThem() {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: 16))
        #expect(store.shardMemoryLimit == 4 << 20)
        for i in 0..<16_000 { _ = store.write("k\(i)", "v", version(1)) }
        for shard in store.statistics().shards {
            #expect(shard.keys > 800 && shard.keys < 1_200)
            #expect(shard.memoryLimitBytes == 4 << 20)
        }
        let hash = "k1".utf8.withContiguousStorageIfAvailable { Store.keyHash(UnsafeRawBufferPointer($0)) }!
        #expect(hash == StableHash.xxh64(Array("k1".utf8)))
        #expect(store.shardIndex(forKeyHash: hash) == Int(hash >> 60))
    }

    @Test(arguments: [(partitionBits: 8, shardCount: 16), (partitionBits: 4, shardCount: 16), (partitionBits: 2, shardCount: 16), (partitionBits: 0, shardCount: 4), (partitionBits: 6, shardCount: 1)])
    func aPartitionLivesInTheShardsNamedForIt(partitionBits: Int, shardCount: Int) {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: shardCount, partitionBits: partitionBits))
        var keysPerShard = Array(repeating: 0, count: shardCount)
        for i in 0..<8_000 {
            let key = Array("key-\(i)".utf8)
            let hash = StableHash.xxh64(key)
            let partition = partitionBits == 0 ? 0 : Int(hash >> UInt64(64 - partitionBits))
            let shard = store.shardIndex(forKeyHash: hash)
            #expect(store.shards(holdingPartition: partition).contains(shard))
            keysPerShard[shard] += 1
        }
        let covered = (0..<(1 << partitionBits)).reduce(0) { $0 + store.shards(holdingPartition: $1).count }
        #expect(covered == max(shardCount, 1 << partitionBits))
        let mean = 8_000 / shardCount
        #expect(keysPerShard.allSatisfy { $0 > mean * 8 / 10 && $0 < mean * 12 / 10 })
    }
}
