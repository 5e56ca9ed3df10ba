import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct EvictionTests {
    private func key(_ i: Int) -> [UInt8] { Array("key-\(i)".utf8) }

    @Test func leastRecentlyWrittenGoesFirst() {
        let store = singleShardStore(memory: 16 * 1024)
        var written = 0
        while store.statistics().evictions == 0 {
            _ = store.write(key(written), bytes(100), version(1))
            written += 1
            let stats = store.statistics()
            #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
        }
        #expect(written > 50)
        #expect(store.get(key(0)) == .missing)
        for i in 1..<written { #expect(store.get(key(i)) != .missing) }
        #expect(store.statistics().evictions == 1)
    }

    @Test func readsDecideTheVictims() {
        let store = singleShardStore(memory: 16 * 1024)
        var written = 0
        while store.statistics().evictions == 0 {
            _ = store.write(key(written), bytes(100), version(1))
            written += 1
        }
        // key 0 is gone; touch 1 and 2 so that 3 and 4 become the oldest.
        _ = store.get(key(2))
        _ = store.get(key(1))
        #expect(store.keysByRecency().prefix(2) == [key(1), key(2)])
        _ = store.write(key(written), bytes(100), version(1))
        _ = store.write(key(written + 1), bytes(100), version(1))
        #expect(store.statistics().evictions == 3)
        #expect(store.get(key(3)) == .missing)
        #expect(store.get(key(4)) == .missing)
        #expect(store.get(key(1)) != .missing)
        #expect(store.get(key(2)) != .missing)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func overwritesAndDeletesCountAsUse() {
        let store = singleShardStore()
        for i in 0..<4 { _ = store.write(key(i), bytes(10), version(1)) }
        _ = store.write(key(0), bytes(10), version(2))
        _ = key(1).withUnsafeBytes { store.delete(key: $0, version: version(2), nowMillis: t0) }
        _ = store.get(key(2))
        #expect(store.keysByRecency() == [key(2), key(1), key(0), key(3)])
        // Misses and tombstone reads do not reorder.
        _ = store.get(key(1))
        _ = store.get(key(9))
        #expect(store.keysByRecency().first == key(2))
    }

    @Test func growingAValueEvictsOthersButNotItself() {
        let store = singleShardStore(memory: 8 * 1024)
        for i in 0..<20 { _ = store.write(key(i), bytes(100), version(1)) }
        _ = store.get(key(0))
        let huge = bytes(store.maxEntryBytes - 64)
        #expect(store.write(key(5), huge, version(2)) == .applied(replacedLiveValue: true))
        #expect(store.get(key(5)) == .value(huge, version(2), 0))
        let stats = store.statistics()
        #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
        #expect(stats.keys >= 1)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func largestAdmissibleEntryFitsAfterEvictingEverythingElse() {
        let store = singleShardStore(memory: 64 * 1024)
        for i in 0..<300 { _ = store.write(key(i), bytes(100), version(1)) }
        let limit = store.maxEntryBytes
        // The largest block whose footprint is at most the limit (glibc: 16-byte chunks with
        // an 8-byte size word).
        let keyBytes = Array("big".utf8)
        let valueLength = (limit & ~15) - 8 - keyBytes.count
        #expect(store.write(keyBytes, bytes(valueLength), version(1)) == .applied(replacedLiveValue: false))
        var stats = store.statistics()
        #expect(stats.keys == 1)
        #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
        #expect(store.integrityProblems().isEmpty)

        // Same again through an overwrite of a small entry.
        #expect(store.write(key(1), bytes(10), version(1)) == .applied(replacedLiveValue: false))
        for i in 2..<40 { _ = store.write(key(i), bytes(100), version(1)) }
        #expect(store.write(key(1), bytes(valueLength - 2), version(2)) == .applied(replacedLiveValue: true))
        stats = store.statistics()
        #expect(stats.keys == 1)
        #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
        #expect(store.integrityProblems().isEmpty)

        let tooBig = bytes((limit & ~15) + 16)
        guard case .rejected(.entryExceedsMemoryLimit) = store.write(key(2), tooBig, version(1)) else {
            Issue.record("expected a rejection")
            return
        }
    }

    @Test func memoryNeverExceedsTheBoundUnderMixedSizes() {
        var random = SplitMix64(seed: 7)
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 256 * 1024, shardCount: 4))
        for step in 0..<20_000 {
            let k = Array("k\(Int.random(in: 0..<3_000, using: &random))".utf8)
            let size = [0, 10, 100, 1_000, 10_000][Int.random(in: 0..<5, using: &random)]
            if Int.random(in: 0..<10, using: &random) == 0 {
                _ = k.withUnsafeBytes { store.delete(key: $0, version: version(UInt64(step)), nowMillis: t0) }
            } else {
                _ = store.write(k, bytes(size), version(UInt64(step)))
            }
            if step % 500 == 0 {
                let stats = store.statistics()
                #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
                for shard in stats.shards { #expect(shard.memoryUsedBytes <= shard.memoryLimitBytes) }
            }
        }
        #expect(store.statistics().evictions > 0)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func aLowerBoundEvictsTheLeastRecentlyUsedAtOnce() {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 4 << 20, shardCount: 4))
        for i in 0..<2_000 { _ = store.write(key(i), bytes(1_000), version(1)) }
        for i in 0..<100 { _ = store.get(key(i)) }  // the oldest writes, now the most recent reads
        #expect(store.statistics().evictions == 0)

        store.setMaxMemory(bytes: 1 << 20)
        #expect(store.maxMemoryBytes == 1 << 20)
        #expect(store.statistics().evictions == 0)
        let evicted = store.evictOverBudget()
        let lowered = store.statistics()
        #expect(evicted > 0)
        #expect(lowered.evictions == UInt64(evicted))
        #expect(lowered.memoryLimitBytes == 1 << 20)
        #expect(store.maxMemoryBytes == 1 << 20)
        #expect(lowered.memoryUsedBytes <= lowered.memoryLimitBytes)
        for shard in lowered.shards { #expect(shard.memoryUsedBytes <= shard.memoryLimitBytes) }
        for i in 0..<100 { #expect(store.get(key(i)) != .missing) }
        #expect(store.get(key(100)) == .missing)
        #expect(store.integrityProblems().isEmpty)

        // Raised again, it evicts nothing and admits what no longer fitted.
        store.setMaxMemory(bytes: 4 << 20)
        #expect(store.evictOverBudget() == 0)
        for i in 2_000..<3_500 { _ = store.write(key(i), bytes(1_000), version(1)) }
        let raised = store.statistics()
        #expect(raised.evictions == UInt64(evicted))
        #expect(raised.memoryUsedBytes > 1 << 20)
        #expect(raised.memoryUsedBytes <= raised.memoryLimitBytes)
    }
}
