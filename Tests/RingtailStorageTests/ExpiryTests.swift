import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct ExpiryTests {
    @Test func valueIsInvisibleFromItsExpiry() {
        let store = singleShardStore()
        _ = store.write("k", "v", version(1), expiresAt: t0 + 10)
        #expect(store.get("k", now: t0 + 9) == .value(Array("v".utf8), version(1), t0 + 10))
        #expect(store.get("k", now: t0 + 10) == .missing)
    }

    @Test func lazyReclaimCountsAnExpiration() {
        let store = singleShardStore()
        let baseline = store.statistics().memoryUsedBytes
        _ = store.write("k", "v", version(1), expiresAt: t0 + 10)
        #expect(store.get("k", now: t0 + 10) == .missing)
        let stats = store.statistics()
        #expect(stats.expirations == 1)
        #expect(stats.keys == 0)
        #expect(stats.misses == 1)
        #expect(stats.memoryUsedBytes == baseline)
        // Reclaimed: the expired version no longer guards the key.
        #expect(store.write("k", "older", version(0, node: 5), now: t0 + 10) == .applied(replacedLiveValue: false))
    }

    /// INFO's `expires` and `avg_ttl`: kept exact through overwrites, deletes and reclaims.
    @Test func expiringKeysAndTheirAverageTimeToLive() {
        let store = singleShardStore()
        _ = store.write("a", "v", version(1), expiresAt: t0 + 1_000)
        _ = store.write("b", "v", version(1), expiresAt: t0 + 3_000)
        _ = store.write("c", "v", version(1))
        var stats = store.statistics()
        #expect(stats.keys == 3 && stats.expiringKeys == 2)
        #expect(stats.averageTTLMillis(nowMillis: t0) == 2_000)
        #expect(stats.averageTTLMillis(nowMillis: t0 + 500) == 1_500)
        // Made persistent, given an expiry, deleted: each moves the counts.
        _ = store.write("a", "v", version(2))
        _ = store.write("c", "v", version(2), expiresAt: t0 + 5_000)
        _ = store.delete("b", version(2))
        stats = store.statistics()
        #expect(stats.expiringKeys == 1)
        #expect(stats.averageTTLMillis(nowMillis: t0) == 5_000)
        // Reclaimed once expired: nothing left to average.
        #expect(store.get("c", now: t0 + 5_000) == .missing)
        stats = store.statistics()
        #expect(stats.expiringKeys == 0 && stats.averageTTLMillis(nowMillis: t0 + 5_000) == 0)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func anExpiryFarInTheFutureDoesNotOverflowTheAverage() {
        let store = singleShardStore()
        _ = store.write("far", "v", version(1), expiresAt: .max)
        _ = store.write("near", "v", version(1), expiresAt: t0 + 2)
        let stats = store.statistics()
        // The header keeps expiries up to 2^48 - 1 ms (the year 10889); later ones are clamped.
        let far = UInt64(1 << 48) - 1
        #expect(stats.averageTTLMillis(nowMillis: t0) == (far - t0 + 2) / 2)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func sweepReclaimsOnlyExpiredEntries() {
        let store = singleShardStore()
        for i in 0..<100 {
            _ = store.write("k\(i)", "v", version(1), expiresAt: i.isMultiple(of: 2) ? t0 + 5 : 0)
        }
        #expect(store.sweep(nowMillis: t0 + 4, maxEntriesPerShard: 1_000) == SweepResult(expired: 0, purgedTombstones: 0))
        #expect(store.sweep(nowMillis: t0 + 5, maxEntriesPerShard: 1_000) == SweepResult(expired: 50, purgedTombstones: 0))
        let stats = store.statistics()
        #expect(stats.keys == 50)
        #expect(stats.expirations == 50)
        #expect(store.integrityProblems().isEmpty)
        for i in 0..<100 {
            #expect((store.string("k\(i)", now: t0 + 5) != nil) == !i.isMultiple(of: 2))
        }
    }

    @Test func sweepResumesWhereItStopped() {
        let store = singleShardStore()
        for i in 0..<100 { _ = store.write("k\(i)", "v", version(1), expiresAt: t0 + 1) }
        var total = 0
        var calls = 0
        while store.statistics().keys > 0 {
            let result = store.sweep(nowMillis: t0 + 1, maxEntriesPerShard: 7)
            #expect(result.expired <= 7)
            total += result.expired
            calls += 1
        }
        #expect(total == 100)
        #expect(calls == 15)

        // A cursor in the middle of live entries wraps around to reach the rest.
        for i in 0..<20 { _ = store.write("live\(i)", "v", version(1)) }
        for i in 0..<20 { _ = store.write("dying\(i)", "v", version(1), expiresAt: t0 + 2) }
        _ = store.sweep(nowMillis: t0, maxEntriesPerShard: 30)
        var expired = 0
        for _ in 0..<2 { expired += store.sweep(nowMillis: t0 + 2, maxEntriesPerShard: 20).expired }
        #expect(expired == 20)
    }

    @Test func alreadyExpiredWriteIsAVersionButInvisible() {
        let store = singleShardStore()
        _ = store.write("k", "old", version(1))
        #expect(store.write("k", "gone", version(5), expiresAt: t0 - 1, now: t0) == .applied(replacedLiveValue: true))
        #expect(store.write("k", "older", version(4), now: t0) == .superseded(current: version(5)))
        #expect(store.get("k", now: t0) == .missing)
        #expect(store.statistics().expirations == 1)
        #expect(store.write("k", "older", version(4), now: t0) == .applied(replacedLiveValue: false))
    }

    @Test func overwritingAnExpiredValueCountsItsExpiration() {
        let store = singleShardStore()
        _ = store.write("k", "v", version(1), expiresAt: t0 + 1)
        #expect(store.write("k", "w", version(2), now: t0 + 1) == .applied(replacedLiveValue: false))
        #expect(store.statistics().expirations == 1)
        #expect(store.string("k", now: t0 + 1) == "w")
    }

    @Test func overwriteCanClearOrSetTheExpiry() {
        let store = singleShardStore()
        _ = store.write("k", "v", version(1), expiresAt: t0 + 10)
        _ = store.write("k", "v", version(2))
        #expect(store.get("k", now: t0 + 1_000) == .value(Array("v".utf8), version(2), 0))
        _ = store.write("k", "v", version(3), expiresAt: t0 + 2_000)
        #expect(store.get("k", now: t0 + 2_000) == .missing)
    }

    @Test func farFutureExpiryIsClampedButStillFarAway() {
        let store = singleShardStore()
        _ = store.write("k", "v", version(1), expiresAt: .max)
        guard case .value(_, _, let expiry) = store.get("k") else {
            Issue.record("value expected")
            return
        }
        #expect(expiry == (1 << 48) - 1)
    }
}
