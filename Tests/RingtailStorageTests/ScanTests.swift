import RingtailModel
import Testing

@testable import RingtailStorage

/// SCAN over the store: every key present throughout is returned at least once, whatever is
/// written or removed between calls.
@Suite struct ScanTests {
    func multiShardStore() -> Store {
        Store(configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: 8, maxValueBytes: 1 << 20, tombstoneGraceMillis: 1_000))
    }

    func walk(_ store: Store, count: Int, now: UInt64 = t0, between: (() -> Void)? = nil) -> [String] {
        var keys: [String] = []
        var cursor: UInt64 = 0
        var calls = 0
        repeat {
            cursor = store.scan(from: cursor, limit: count, nowMillis: now) { keys.append(String(decoding: $0, as: UTF8.self)) }
            between?()
            calls += 1
        } while cursor != 0 && calls < 100_000
        #expect(cursor == 0, "the walk ended")
        return keys
    }

    @Test func aQuietStoreGivesEveryLiveKeyOnce() {
        let store = multiShardStore()
        for i in 0..<500 { _ = store.write("k\(i)", "v", version(1)) }
        _ = store.write("expired", "v", version(1), expiresAt: t0 - 1)
        _ = store.write("k0", "v", version(2))
        _ = store.delete("k1", version(2))
        for count in [1, 7, 10, 1_000, .max] {
            let keys = walk(store, count: count)
            #expect(keys.count == 499, "COUNT \(count)")
            #expect(Set(keys) == Set((0..<500).filter { $0 != 1 }.map { "k\($0)" }), "COUNT \(count)")
        }
        #expect(walk(multiShardStore(), count: 10).isEmpty)
    }

    /// Removals move the last entry of a shard into the hole; inserts add at the end. Keys
    /// that stay throughout must all be seen, whatever the churn between calls.
    @Test func keysPresentThroughoutSurviveChurnBetweenCalls() {
        var generator = SplitMix64(seed: 7)
        for round in 0..<20 {
            let store = multiShardStore()
            let stable = (0..<300).map { "stable\($0)" }
            var churn = (0..<300).map { "churn\($0)" }
            for key in (stable + churn).shuffled(using: &generator) { _ = store.write(key, "v", version(1)) }
            var next = 300
            let seen = walk(store, count: 5) {
                // Remove a few churning keys and add new ones.
                for _ in 0..<3 where !churn.isEmpty {
                    let index = Int(generator.next() % UInt64(churn.count))
                    _ = store.delete(churn.remove(at: index), version(2))
                }
                for _ in 0..<3 {
                    let key = "churn\(next)"
                    next += 1
                    churn.append(key)
                    _ = store.write(key, "v", version(1))
                }
                // Reclaim tombstones so slots really move.
                _ = store.sweep(nowMillis: t0 + 10_000, maxEntriesPerShard: 1_000)
            }
            let missed = Set(stable).subtracting(seen)
            #expect(missed.isEmpty, "round \(round): missed \(missed.count), such as \(missed.sorted().prefix(5))")
        }
    }

    @Test func aCursorFromElsewhereEndsTheWalk() {
        let store = multiShardStore()
        _ = store.write("k", "v", version(1))
        var visited = 0
        #expect(store.scan(from: UInt64.max, limit: 10, nowMillis: t0) { _ in visited += 1 } == 0)
        #expect(visited == 0)
    }
}
