import RingtailModel
import RingtailStorage
import Testing

/// `Store.drop(where:)`: a handed-off partition leaves without tombstones, the rest stays, and
/// the observer (the Merkle trees) hears every removal.
@Suite struct DropTests {
    @Test(arguments: [1, 4] as [Int])
    func dropRemovesExactlyTheMatchingEntries(shards: Int) {
        let observer = RecordingObserver()
        observer.expectedNowMillis.store(t0, ordering: .relaxed)
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 8 << 20, shardCount: shards), observer: observer)
        var expectedDropped: Set<String> = []
        for index in 0..<2000 {
            let key = "key-\(index)"
            let high = Array(key.utf8).withUnsafeBytes { UInt32(truncatingIfNeeded: store.keyHash($0) >> 32) }
            Array(key.utf8).withUnsafeBytes { keyBytes in
                if index % 5 == 0 {
                    _ = store.delete(key: keyBytes, version: version(UInt64(index + 1)), nowMillis: t0)
                } else {
                    bytes(20).withUnsafeBytes { value in
                        _ = store.write(key: keyBytes, value: value, version: version(UInt64(index + 1)), expiresAtMillis: 0, nowMillis: t0)
                    }
                }
            }
            if high & 3 == 1 { expectedDropped.insert(key) }
        }
        let before = store.statistics()
        let dropped = store.drop { $0 & 3 == 1 }
        #expect(dropped == expectedDropped.count)
        #expect(dropped > 300, "about a quarter of 2000 keys should match")
        var left: Set<String> = []
        for shard in 0..<shards {
            store.forEachEntry(inShard: shard, nowMillis: t0) { entry in
                #expect(entry.keyHashHigh & 3 != 1)
                left.insert(String(decoding: entry.key, as: UTF8.self))
            }
        }
        #expect(left.count == 2000 - dropped)
        #expect(left.isDisjoint(with: expectedDropped))
        let after = store.statistics()
        #expect(after.keys + after.tombstones == before.keys + before.tombstones - dropped, "no tombstones are left behind")
        #expect(after.evictions == 0 && after.deletes == before.deletes)
        let seen = observer.state.withLock { $0 }
        #expect(seen.mismatches.isEmpty)
        #expect(Set(seen.entries.keys.map { String(decoding: $0, as: UTF8.self) }) == left)
    }
}
