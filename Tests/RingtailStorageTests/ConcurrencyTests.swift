import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct ConcurrencyTests {
    @Test func tasksOnDistinctAndSharedKeysLeaveConsistentStatistics() async {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 64 << 20, shardCount: 8))
        let tasks = 4
        let operations = 10_000
        let sharedKeys = 64

        await withTaskGroup(of: (reads: Int, writes: Int).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var random = SplitMix64(seed: UInt64(task))
                    var reads = 0
                    var writes = 0
                    for i in 0..<operations {
                        let shared = Bool.random(using: &random)
                        let key = shared
                            ? Array("shared-\(Int.random(in: 0..<sharedKeys, using: &random))".utf8)
                            : Array("own-\(task)-\(i % 500)".utf8)
                        let v = version(UInt64(i), node: UInt32(task))
                        if Bool.random(using: &random) {
                            _ = store.write(key, bytes(i % 100, fill: UInt8(task)), v)
                            writes += 1
                        } else {
                            if case .value(let bytes, _, _) = store.get(key) {
                                // Every value is uniform: a torn write would mix fills.
                                #expect(Set(bytes).count <= 1)
                            }
                            reads += 1
                        }
                    }
                    return (reads, writes)
                }
            }
            var reads = 0
            var writes = 0
            for await counts in group {
                reads += counts.reads
                writes += counts.writes
            }
            let stats = store.statistics()
            #expect(stats.hits + stats.misses == UInt64(reads))
            #expect(stats.writes + stats.supersededWrites == UInt64(writes))
            #expect(stats.keys <= tasks * 500 + sharedKeys)
            #expect(stats.evictions == 0)
        }
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func concurrentWritersRespectTheMemoryBound() async {
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 512 * 1024, shardCount: 2))
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for i in 0..<5_000 {
                        _ = store.write(Array("t\(task)-\(i)".utf8), bytes(200), version(UInt64(i)))
                        if i % 7 == 0 { _ = store.sweep(nowMillis: t0, maxEntriesPerShard: 10) }
                    }
                }
            }
        }
        let stats = store.statistics()
        #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
        #expect(stats.evictions > 0)
        #expect(UInt64(stats.keys) + stats.evictions == 20_000)
        #expect(store.integrityProblems().isEmpty)
    }
}
