import RingtailModel
import Testing

@testable import RingtailStorage

/// MEMORY USAGE: what one live value takes, looked at without disturbing the store.
@Suite struct MemoryUsageTests {
    func usage(_ store: Store, _ key: String, now: UInt64 = t0) -> Int? {
        Array(key.utf8).withUnsafeBytes { store.memoryUsage(key: $0, nowMillis: now) }
    }

    @Test func aLiveValueCountsItsBlockHeaderAndIndexWord() throws {
        let store = singleShardStore()
        _ = store.write("small", "v", version(1))
        _ = store.write("big", String(repeating: "x", count: 5_000), version(1))
        let small = try #require(usage(store, "small"))
        let big = try #require(usage(store, "big"))
        #expect(small >= "small".utf8.count + 1 + SlotStorage.stride + 4)
        #expect(big >= 5_003 + SlotStorage.stride + 4 && big < 5_003 + SlotStorage.stride + 4 + 256)
        let hits = store.statistics().hits
        #expect(usage(store, "small") == small)
        #expect(store.statistics().hits == hits, "looking is not a read")
    }

    @Test func nothingLiveIsNil() {
        let store = singleShardStore()
        _ = store.write("deleted", "v", version(1))
        _ = store.delete("deleted", version(2))
        _ = store.write("expired", "v", version(1), expiresAt: t0 + 5)
        #expect(usage(store, "deleted") == nil)
        #expect(usage(store, "expired", now: t0 + 5) == nil)
        #expect(usage(store, "expired", now: t0 + 4) != nil)
        #expect(usage(store, "absent") == nil)
        #expect(usage(store, "") == nil)
    }
}
