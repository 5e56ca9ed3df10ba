import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct SizeLimitTests {
    @Test func emptyKeyIsRejected() {
        let store = singleShardStore()
        #expect(store.write([], bytes(1), version(1)) == .rejected(.emptyKey))
        #expect([UInt8]().withUnsafeBytes { store.delete(key: $0, version: version(1), nowMillis: t0) } == .rejected(.emptyKey))
        #expect(store.get([]) == .missing)
    }

    @Test func keyLimitIsInclusive() {
        let store = singleShardStore()
        #expect(store.write(bytes(Limits.maxKeyBytes), bytes(1), version(1)) == .applied(replacedLiveValue: false))
        #expect(
            store.write(bytes(Limits.maxKeyBytes + 1), bytes(1), version(1))
                == .rejected(.keyTooLarge(bytes: Limits.maxKeyBytes + 1, limit: Limits.maxKeyBytes)))
        #expect(store.get(bytes(Limits.maxKeyBytes + 1)) == .missing)
    }

    @Test func valueLimitFollowsConfiguration() {
        let store = singleShardStore(maxValueBytes: 1000)
        #expect(store.write(bytes(1), bytes(1000), version(1)) == .applied(replacedLiveValue: false))
        #expect(store.write(bytes(2), bytes(1001), version(1)) == .rejected(.valueTooLarge(bytes: 1001, limit: 1000)))
        #expect(store.statistics().rejectedWrites == 1)
        #expect(StoreError.valueTooLarge(bytes: 1001, limit: 1000).description.contains("1001"))
    }

    @Test func defaultValueLimitIsOneMebibyte() {
        let store = singleShardStore()
        let limit = Limits.defaultMaxValueBytes
        #expect(store.write(bytes(1), bytes(limit), version(1)) == .applied(replacedLiveValue: false))
        #expect(store.write(bytes(1), bytes(limit + 1), version(2)) == .rejected(.valueTooLarge(bytes: limit + 1, limit: limit)))
    }

    @Test func entryLargerThanShardBudgetIsRejected() {
        let store = singleShardStore(memory: 4096)
        _ = store.write("keep", "me", version(1))
        let result = store.write(bytes(1), bytes(5000), version(1))
        guard case .rejected(.entryExceedsMemoryLimit(let needed, let limit)) = result else {
            Issue.record("expected entryExceedsMemoryLimit, got \(result)")
            return
        }
        #expect(needed > limit)
        #expect(limit == store.maxEntryBytes)
        // Nothing was evicted for a write that could never fit.
        #expect(store.string("keep") == "me")
        #expect(store.statistics().evictions == 0)
    }

    @Test func invalidConfigurationsAreExplained() {
        #expect(StoreConfiguration(maxMemoryBytes: 1 << 20).validationError == nil)
        #expect(StoreConfiguration(maxMemoryBytes: 1 << 20, shardCount: 48).validationError != nil)
        #expect(StoreConfiguration(maxMemoryBytes: 1 << 20, shardCount: 0).validationError != nil)
        #expect(StoreConfiguration(maxMemoryBytes: -1).validationError != nil)
        #expect(StoreConfiguration(maxMemoryBytes: 1 << 20, maxValueBytes: Int(UInt32.max)).validationError != nil)
    }
}
