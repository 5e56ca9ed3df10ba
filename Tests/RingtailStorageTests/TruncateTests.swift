import RingtailModel
import Testing

@testable import RingtailStorage

/// `Store.truncate(through:)`: a flush removes every entry at or below its version, keeps the
/// newer ones, refuses older writes afterwards, and the observer hears every removal.
@Suite struct TruncateTests {
    @Test(arguments: [1, 4] as [Int])
    func everythingAtOrBelowTheFlushGoesAndNewerEntriesStay(shards: Int) {
        let observer = RecordingObserver()
        observer.expectedNowMillis.store(t0, ordering: .relaxed)
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 8 << 20, shardCount: shards), observer: observer)
        let empty = store.statistics().memoryUsedBytes
        // Versions 1...3000; every fifth a tombstone, every seventh expiring.
        for index in 1...3000 {
            let key = "key-\(index)"
            if index % 5 == 0 {
                _ = store.delete(key, version(UInt64(index)))
            } else {
                _ = store.write(key, "value-\(index)", version(UInt64(index)), expiresAt: index % 7 == 0 ? t0 + 60_000 : 0)
            }
        }
        let flush = version(2000, node: 9)
        let removed = store.truncate(through: flush)
        #expect(removed == 2000)
        #expect(store.truncatedThrough == flush)
        for index in [1, 5, 7, 1999, 2000] { #expect(store.get("key-\(index)") == .missing, "key-\(index)") }
        #expect(store.string("key-2001") == "value-2001")
        #expect(store.get("key-2005") == .tombstone(version(2005)))
        let after = store.statistics()
        #expect(after.keys + after.tombstones == 1000)
        #expect(store.integrityProblems().isEmpty, "\(store.integrityProblems())")
        let seen = observer.state.withLock { $0 }
        #expect(seen.mismatches.isEmpty)
        #expect(seen.entries.count == 1000)

        // A flush of everything gives the memory back.
        #expect(store.truncate(through: version(5000)) == 1000)
        #expect(store.statistics().memoryUsedBytes == empty)
        #expect(observer.state.withLock { $0.entries.isEmpty })
    }

    @Test func writesFromBeforeTheFlushAreSupersededByIt() {
        let store = singleShardStore()
        _ = store.write("a", "old", version(10))
        let flush = version(20, node: 3)
        store.truncate(through: flush)
        // A late replica write, a hint or anti-entropy bringing back what the flush removed.
        #expect(store.write("a", "old", version(10)) == .superseded(current: flush))
        #expect(store.write("b", "late", version(20, node: 2)) == .superseded(current: flush))
        #expect(store.delete("b", version(15)) == .superseded(current: flush))
        #expect(store.get("a") == .missing && store.get("b") == .missing)
        // Anything newer is an ordinary write.
        #expect(store.write("a", "new", version(20, node: 4)) == .applied(replacedLiveValue: false))
        #expect(store.string("a") == "new")
    }

    @Test func anOlderOrEqualFlushChangesNothing() {
        let store = singleShardStore()
        store.truncate(through: version(20))
        _ = store.write("a", "kept", version(30))
        #expect(store.truncate(through: version(20)) == 0)
        #expect(store.truncate(through: version(15)) == 0)
        #expect(store.truncatedThrough == version(20))
        #expect(store.string("a") == "kept")
    }
}
