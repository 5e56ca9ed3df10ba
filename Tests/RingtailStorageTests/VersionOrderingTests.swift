import RingtailModel
import Testing

@testable import RingtailStorage

@Suite struct VersionOrderingTests {
    @Test func newerVersionReplacesOlder() {
        let store = singleShardStore()
        #expect(store.write("k", "one", version(10)) == .applied(replacedLiveValue: false))
        #expect(store.write("k", "two", version(11)) == .applied(replacedLiveValue: true))
        #expect(store.get("k") == .value(Array("two".utf8), version(11), 0))
    }

    @Test func olderAndEqualVersionsAreNoOps() {
        let store = singleShardStore()
        _ = store.write("k", "current", version(10))
        #expect(store.write("k", "older", version(9)) == .superseded(current: version(10)))
        #expect(store.write("k", "equal", version(10)) == .superseded(current: version(10)))
        #expect(store.string("k") == "current")
        let stats = store.statistics()
        #expect(stats.writes == 1)
        #expect(stats.supersededWrites == 2)
    }

    @Test func nodeTagBreaksTimestampTies() {
        let store = singleShardStore()
        _ = store.write("k", "from-2", version(10, node: 2))
        #expect(store.write("k", "from-1", version(10, node: 1)) == .superseded(current: version(10, node: 2)))
        #expect(store.write("k", "from-3", version(10, node: 3)) == .applied(replacedLiveValue: true))
        #expect(store.string("k") == "from-3")
    }

    @Test func supersededWriteLeavesRecencyAndMemoryAlone() {
        let store = singleShardStore()
        _ = store.write("a", "1", version(5))
        _ = store.write("b", "2", version(5))
        let before = store.statistics().memoryUsedBytes
        _ = store.write("a", String(repeating: "x", count: 500), version(4))
        #expect(store.keysByRecency() == [Array("b".utf8), Array("a".utf8)])
        #expect(store.statistics().memoryUsedBytes == before)
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func valuesOfEverySizeRoundTrip() {
        let store = singleShardStore()
        for length in [0, 1, 7, 8, 15, 16, 17, 100, 4096, 100_000] {
            let value = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            _ = store.write(Array("len\(length)".utf8), value, version(1))
            #expect(store.get(Array("len\(length)".utf8)) == .value(value, version(1), 0))
        }
        #expect(store.integrityProblems().isEmpty)
    }

    @Test func expiryAndVersionSurviveHeaderPacking() {
        let store = singleShardStore()
        let big = Version(timestamp: HLCTimestamp(rawValue: 0xFEDC_BA98_7654_3210), node: NodeTag(rawValue: 0xDEAD_BEEF))
        let expiry: UInt64 = 0x0000_BFFF_FFFF_FFFE
        _ = store.write(bytes(Limits.maxKeyBytes), bytes(3), big, expiresAt: expiry)
        #expect(store.get(bytes(Limits.maxKeyBytes)) == .value(bytes(3), big, expiry))
    }

    @Test func sameSizeOverwritesReuseTheBlock() {
        let store = singleShardStore()
        _ = store.write(Array("k".utf8), bytes(100), version(1))
        let before = store.statistics().memoryUsedBytes
        for stamp in 2...40 {
            let value = bytes(100 - stamp % 3, fill: UInt8(stamp))
            #expect(store.write(Array("k".utf8), value, version(UInt64(stamp))) == .applied(replacedLiveValue: true))
            #expect(store.get(Array("k".utf8)) == .value(value, version(UInt64(stamp)), 0))
        }
        #expect(store.statistics().memoryUsedBytes == before)
        // A value needing a bigger chunk, or a tombstone needing a smaller one, gets a new block.
        _ = store.write(Array("k".utf8), bytes(300), version(50))
        #expect(store.statistics().memoryUsedBytes > before)
        _ = store.delete("k", version(51))
        #expect(store.statistics().memoryUsedBytes < before)
        #expect(store.integrityProblems().isEmpty)
    }
}
