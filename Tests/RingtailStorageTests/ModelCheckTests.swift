import RingtailModel
import Testing

@testable import RingtailStorage

/// The store's semantics written the obvious way, over a Dictionary.
struct ReferenceStore {
    struct Entry {
        var value: [UInt8]?  // nil = tombstone
        var version: Version
        var expiry: UInt64  // purge time for a tombstone
    }

    var entries: [[UInt8]: Entry] = [:]
    let grace: UInt64

    mutating func write(_ key: [UInt8], _ value: [UInt8]?, _ version: Version, expiry: UInt64, now: UInt64)
        -> StoreWriteResult
    {
        if let current = entries[key], current.version >= version { return .superseded(current: current.version) }
        let replacedLive = entries[key].map { $0.value != nil && !due($0, now) } ?? false
        let isExpired = expiry != 0 && expiry <= now
        let stored = value.map { isExpired ? [] : $0 }
        let purgeAt = value == nil ? now + grace : expiry
        entries[key] = Entry(value: stored, version: version, expiry: min(purgeAt, (1 << 48) - 1))
        return .applied(replacedLiveValue: replacedLive)
    }

    mutating func read(_ key: [UInt8], now: UInt64) -> Seen {
        guard let entry = entries[key] else { return .missing }
        if due(entry, now) {
            entries[key] = nil
            return .missing
        }
        guard let value = entry.value else { return .tombstone(entry.version) }
        return .value(value, entry.version, entry.expiry)
    }

    mutating func sweep(now: UInt64) -> SweepResult {
        var result = SweepResult(expired: 0, purgedTombstones: 0)
        for (key, entry) in entries where due(entry, now) {
            if entry.value == nil { result.purgedTombstones += 1 } else { result.expired += 1 }
            entries[key] = nil
        }
        return result
    }

    func due(_ entry: Entry, _ now: UInt64) -> Bool { entry.expiry != 0 && entry.expiry <= now }
}

@Suite struct ModelCheckTests {
    /// ~50k mixed operations; with no memory pressure every result must match the model.
    @Test(arguments: [1, 4] as [Int])
    func storeMatchesReferenceModel(shardCount: Int) {
        var random = SplitMix64(seed: 0x5EED_0000 + UInt64(shardCount))
        let grace: UInt64 = 50
        let store = Store(
            configuration: StoreConfiguration(
                maxMemoryBytes: 256 << 20, shardCount: shardCount, maxValueBytes: 300, tombstoneGraceMillis: grace))
        var model = ReferenceStore(grace: grace)
        let keys = (0..<600).map { Array("model-key-\($0)".utf8) + bytes($0 % 7, fill: UInt8($0 % 256)) }
        var now = t0
        var stamp: UInt64 = 1_000

        for step in 0..<50_000 {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            // Mostly advancing versions, sometimes stale or equal ones as replicas would send.
            let v = Version(
                timestamp: HLCTimestamp(rawValue: stamp - UInt64(Int.random(in: 0..<3, using: &random)) * 3),
                node: NodeTag(rawValue: UInt32.random(in: 0..<3, using: &random)))
            stamp += 2
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<40:
                let value = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                let ttl: UInt64 = [0, 0, 0, 5, 30, 200][Int.random(in: 0..<6, using: &random)]
                let expiry = ttl == 0 ? 0 : (Bool.random(using: &random) ? now + ttl : now - min(ttl, 3))
                let expected = model.write(key, value, v, expiry: expiry, now: now)
                let actual = store.write(key, value, v, expiresAt: expiry, now: now)
                #expect(actual == expected, "step \(step): write")
            case 40..<50:
                let expected = model.write(key, nil, v, expiry: 0, now: now)
                let actual = key.withUnsafeBytes { store.delete(key: $0, version: v, nowMillis: now) }
                #expect(actual == expected, "step \(step): delete")
            case 50..<95:
                let expected = model.read(key, now: now)
                let actual = store.get(key, now: now)
                #expect(actual == expected, "step \(step): read")
            case 95..<98:
                now += UInt64(Int.random(in: 1...20, using: &random))
            default:
                #expect(store.sweep(nowMillis: now, maxEntriesPerShard: .max) == model.sweep(now: now), "step \(step): sweep")
            }
            if step % 5_000 == 0 { #expect(store.integrityProblems().isEmpty, "step \(step)") }
        }

        for key in keys { #expect(store.get(key, now: now) == model.read(key, now: now)) }
        let stats = store.statistics()
        #expect(stats.keys == model.entries.values.filter { $0.value != nil }.count)
        #expect(stats.tombstones == model.entries.values.filter { $0.value == nil }.count)
        #expect(stats.evictions == 0)
        #expect(store.integrityProblems().isEmpty)
    }

    /// Under memory pressure the store may forget entries (eviction), never invent them:
    /// every read is the model's answer or a miss, after which the model forgets too.
    @Test func storeUnderPressureOnlyForgets() {
        var random = SplitMix64(seed: 99)
        let store = singleShardStore(memory: 48 * 1024, maxValueBytes: 400, grace: 1_000)
        var model = ReferenceStore(grace: 1_000)
        let keys = (0..<400).map { Array("p\($0)".utf8) }
        var stamp: UInt64 = 10
        for step in 0..<30_000 {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            stamp += 1
            let v = version(stamp - UInt64(Int.random(in: 0..<2, using: &random)) * 5)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                let value = bytes(Int.random(in: 0...400, using: &random), fill: UInt8(step % 256))
                let expected = model.write(key, value, v, expiry: 0, now: t0)
                let actual = store.write(key, value, v, now: t0)
                if actual != expected {
                    // Only acceptable if the store had evicted the newer entry.
                    #expect(actual == .applied(replacedLiveValue: false), "step \(step)")
                    model.entries[key] = .init(value: value, version: v, expiry: 0)
                }
            case 5:
                _ = model.write(key, nil, v, expiry: 0, now: t0)
                if case .superseded = key.withUnsafeBytes({ store.delete(key: $0, version: v, nowMillis: t0) }) {
                    #expect(model.entries[key]?.version ?? .zero >= v, "step \(step)")
                }
                model.entries[key] = store.get(key) == .missing ? nil : model.entries[key]
            default:
                let actual = store.get(key)
                let expected = model.read(key, now: t0)
                if actual != expected {
                    #expect(actual == .missing, "step \(step): store invented \(actual), model \(expected)")
                    model.entries[key] = nil
                }
            }
        }
        let stats = store.statistics()
        #expect(stats.evictions > 1_000)
        #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
        #expect(store.integrityProblems().isEmpty)
    }
}
