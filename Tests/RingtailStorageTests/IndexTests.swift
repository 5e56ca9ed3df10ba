import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct IndexTests {
    @Test func indexGrowsAndShrinksWithTheKeyCount() {
        let store = singleShardStore(grace: 0)
        #expect(store.indexCapacity() == ShardTable.indexMinimumCapacity)
        for i in 0..<20_000 { _ = store.write(Array("key\(i)".utf8), bytes(8), version(1)) }
        let grown = store.indexCapacity()
        #expect(grown >= 25_000 && grown <= 38_000)
        #expect(store.integrityProblems().isEmpty)
        for i in 0..<20_000 {
            #expect(store.get(Array("key\(i)".utf8)) == .value(bytes(8), version(1), 0))
        }
        for i in 0..<19_000 { _ = store.delete("key\(i)", version(2)) }
        _ = store.sweep(nowMillis: t0, maxEntriesPerShard: .max)
        #expect(store.statistics().keys == 1_000)
        #expect(store.indexCapacity() <= 5_000)
        #expect(store.integrityProblems().isEmpty)
        for i in 19_000..<20_000 { _ = store.delete("key\(i)", version(2)) }
        _ = store.sweep(nowMillis: t0, maxEntriesPerShard: .max)
        #expect(store.indexCapacity() == ShardTable.indexMinimumCapacity)
    }

    /// Keys whose index positions share their top 10 bits: they all want the last positions
    /// of the index, so clusters are long and wrap around its end.
    static let collidingKeys: [[UInt8]] = {
        var keys: [[UInt8]] = []
        var i = 0
        while keys.count < 200 {
            let key = Array("collide-\(i)".utf8)
            if ShardTable.spread(UInt32(StableHash.xxh64(key) >> 32)) >> 22 == 0x3FF { keys.append(key) }
            i += 1
        }
        return keys
    }()

    /// A node holds only some ring partitions, i.e. keys whose top hash bits fall in a few
    /// ranges; the index must still spread them.
    @Test func keysOfOnePartitionStillSpreadOverTheIndex() {
        let store = singleShardStore()
        var i = 0
        var inserted = 0
        while inserted < 3_000 {
            let key = Array("part-\(i)".utf8)
            if StableHash.xxh64(key) >> 60 == 0b1010 {
                _ = store.write(key, bytes(1), version(1))
                inserted += 1
            }
            i += 1
        }
        #expect(store.longestProbe() < 100)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func collidingKeysStayDistinguishable() {
        let store = singleShardStore(grace: 0)
        for (n, key) in Self.collidingKeys.enumerated() { _ = store.write(key, bytes(n % 50, fill: UInt8(n % 251)), version(1)) }
        #expect(store.integrityProblems().isEmpty)
        for (n, key) in Self.collidingKeys.enumerated() {
            #expect(store.get(key) == .value(bytes(n % 50, fill: UInt8(n % 251)), version(1), 0))
        }
        // Remove every third key, from the middle of clusters, and check the rest stay found.
        for (n, key) in Self.collidingKeys.enumerated() where n % 3 == 1 {
            _ = key.withUnsafeBytes { store.delete(key: $0, version: version(2), nowMillis: t0) }
        }
        _ = store.sweep(nowMillis: t0, maxEntriesPerShard: .max)
        #expect(store.integrityProblems().isEmpty)
        for (n, key) in Self.collidingKeys.enumerated() {
            let expected: Seen = n % 3 == 1 ? .missing : .value(bytes(n % 50, fill: UInt8(n % 251)), version(1), 0)
            #expect(store.get(key) == expected)
        }
    }

    @Test func randomChurnOnCollidingKeysKeepsTheIndexConsistent() {
        var random = SplitMix64(seed: 42)
        let store = singleShardStore(memory: 12 * 1024, grace: 0)
        var stamp: UInt64 = 1
        for step in 0..<20_000 {
            let key = Self.collidingKeys[Int.random(in: 0..<Self.collidingKeys.count, using: &random)]
            stamp += 1
            switch Int.random(in: 0..<4, using: &random) {
            case 0: _ = key.withUnsafeBytes { store.delete(key: $0, version: version(stamp), nowMillis: t0) }
            case 1: _ = store.get(key, now: t0 + 1)
            default: _ = store.write(key, bytes(Int.random(in: 0..<80, using: &random)), version(stamp))
            }
            if step % 1_000 == 0 { #expect(store.integrityProblems().isEmpty) }
        }
        #expect(store.integrityProblems().isEmpty)
        #expect(store.statistics().evictions > 0)
    }
}
