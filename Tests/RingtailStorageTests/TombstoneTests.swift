import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct TombstoneTests {
    @Test func deleteHidesTheValue() {
        let store = singleShardStore(grace: 1_000)
        _ = store.write("k", "v", version(10))
        #expect(store.delete("k", version(11)) == .applied(replacedLiveValue: true))
        #expect(store.get("k") == .tombstone(version(11)))
        let stats = store.statistics()
        #expect(stats.keys == 0)
        #expect(stats.tombstones == 1)
        #expect(stats.deletes == 1)
        #expect(stats.misses == 1)
    }

    @Test func olderDeleteIsSuperseded() {
        let store = singleShardStore()
        _ = store.write("k", "v", version(10))
        #expect(store.delete("k", version(9)) == .superseded(current: version(10)))
        #expect(store.delete("k", version(10)) == .superseded(current: version(10)))
        #expect(store.string("k") == "v")
    }

    @Test func olderWriteAfterDeleteIsSuperseded() {
        let store = singleShardStore()
        _ = store.write("k", "v", version(10))
        _ = store.delete("k", version(12))
        #expect(store.write("k", "stale", version(11)) == .superseded(current: version(12)))
        #expect(store.get("k") == .tombstone(version(12)))
        #expect(store.write("k", "fresh", version(13)) == .applied(replacedLiveValue: false))
        #expect(store.string("k") == "fresh")
    }

    @Test func deleteOfUnknownKeyLeavesATombstone() {
        let store = singleShardStore()
        #expect(store.delete("ghost", version(20)) == .applied(replacedLiveValue: false))
        #expect(store.write("ghost", "late replica write", version(19)) == .superseded(current: version(20)))
        #expect(store.get("ghost") == .tombstone(version(20)))
    }

    @Test func tombstoneIsPurgedOnlyAfterGraceAndThenOldWritesReturn() {
        let grace: UInt64 = 5_000
        let store = singleShardStore(grace: grace)
        _ = store.write("k", "v", version(10))
        _ = store.delete("k", version(12), now: t0)

        #expect(store.sweep(nowMillis: t0 + grace - 1, maxEntriesPerShard: 100) == SweepResult(expired: 0, purgedTombstones: 0))
        #expect(store.write("k", "stale", version(11), now: t0 + grace - 1) == .superseded(current: version(12)))
        // Past the grace but not yet swept: writes still compare against the tombstone.
        #expect(store.write("k", "stale", version(11), now: t0 + grace) == .superseded(current: version(12)))

        #expect(store.sweep(nowMillis: t0 + grace, maxEntriesPerShard: 100) == SweepResult(expired: 0, purgedTombstones: 1))
        #expect(store.get("k", now: t0 + grace) == .missing)
        #expect(store.write("k", "stale", version(11), now: t0 + grace) == .applied(replacedLiveValue: false))
        #expect(store.string("k", now: t0 + grace) == "stale")
        #expect(store.statistics().purgedTombstones == 1)
    }

    @Test func readPastGracePurgesLazily() {
        let store = singleShardStore(grace: 100)
        _ = store.delete("k", version(1), now: t0)
        #expect(store.get("k", now: t0 + 99) == .tombstone(version(1)))
        #expect(store.get("k", now: t0 + 100) == .missing)
        let stats = store.statistics()
        #expect(stats.purgedTombstones == 1)
        #expect(stats.tombstones == 0)
    }

    @Test func newerDeleteExtendsTheGrace() {
        let store = singleShardStore(grace: 100)
        _ = store.delete("k", version(1), now: t0)
        _ = store.delete("k", version(2), now: t0 + 50)
        #expect(store.sweep(nowMillis: t0 + 120, maxEntriesPerShard: 10).purgedTombstones == 0)
        #expect(store.get("k", now: t0 + 120) == .tombstone(version(2)))
        #expect(store.sweep(nowMillis: t0 + 150, maxEntriesPerShard: 10).purgedTombstones == 1)
    }

    @Test func tombstonesAreEnumeratedWithinGrace() {
        let store = singleShardStore(grace: 100)
        _ = store.write("a", "1", version(1))
        _ = store.delete("b", version(2))
        var seen: [String: Bool] = [:]
        store.forEachEntry(inShard: 0, nowMillis: t0) { entry in
            seen[String(decoding: entry.key, as: UTF8.self)] = entry.isTombstone
            let hash = Store.keyHash(entry.key)
            #expect(entry.keyHashHigh == UInt32(hash >> 32))
        }
        #expect(seen == ["a": false, "b": true])
        var afterGrace = 0
        store.forEachEntry(inShard: 0, nowMillis: t0 + 100) { _ in afterGrace += 1 }
        #expect(afterGrace == 1)
    }
}
