import RingtailModel
import RingtailStorage
import Synchronization
import Testing

/// Replays what the observer hears into a dictionary; it must always equal what the store
/// holds, plus the entries it evicted (anti-entropy keeps those as ghosts).
final class RecordingObserver: StoreObserver {
    struct State {
        var entries: [[UInt8]: EntryStampInfo] = [:]
        var evicted: [[UInt8]: EntryStampInfo] = [:]
        var mismatches: [String] = []
    }

    let state = Mutex(State())

    func storeChanged(key: UnsafeRawBufferPointer, old: EntryStampInfo?, new: EntryStampInfo?) {
        let key = Array(key)
        state.withLock { state in
            if state.entries[key] != old {
                state.mismatches.append("\(key): observer had \(String(describing: state.entries[key])), store said old was \(String(describing: old))")
            }
            state.entries[key] = new
            state.evicted[key] = nil
        }
    }

    /// The time of the operation under way, which a write must report as its own.
    let expectedNowMillis = Atomic<UInt64>(0)

    func storeWritten(
        key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStampInfo?, new: EntryStampInfo?, nowMillis: UInt64
    ) {
        if keyHash != Store.keyHash(key) || nowMillis != expectedNowMillis.load(ordering: .relaxed) {
            state.withLock { $0.mismatches.append("\(Array(key)): written with hash \(keyHash) at \(nowMillis)") }
        }
        storeChanged(key: key, old: old, new: new)
    }

    func storeEvicted(key: UnsafeRawBufferPointer, entry: EntryStampInfo) {
        let key = Array(key)
        state.withLock { state in
            if state.entries[key] != entry { state.mismatches.append("evicted \(key) unknown to the observer") }
            state.entries[key] = nil
            state.evicted[key] = entry
        }
    }
}

/// Counts which of the two change callbacks the store used.
final class CallbackCounter: StoreObserver {
    let written = Atomic<Int>(0)
    let changedDirectly = Atomic<Int>(0)

    func storeChanged(key: UnsafeRawBufferPointer, old: EntryStampInfo?, new: EntryStampInfo?) {
        changedDirectly.add(1, ordering: .relaxed)
    }

    func storeWritten(
        key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStampInfo?, new: EntryStampInfo?, nowMillis: UInt64
    ) {
        written.add(1, ordering: .relaxed)
    }

    func storeEvicted(key: UnsafeRawBufferPointer, entry: EntryStampInfo) {}
}

@Suite struct ObserverTests {
    /// Every write and delete reports through `storeWritten` (hash and time given, so the
    /// observer reads no clock): an insert, an overwrite in place, one that moves to a larger
    /// block, and a delete.
    @Test func everyWriteReportsItsHashAndTime() {
        let observer = CallbackCounter()
        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 1 << 20, shardCount: 1), observer: observer)
        let key = Array("k".utf8)
        key.withUnsafeBytes { keyBytes in
            for (stamp, size) in [(1, 10), (2, 10), (3, 500)] as [(UInt64, Int)] {
                bytes(size).withUnsafeBytes { value in
                    _ = store.write(key: keyBytes, value: value, version: version(stamp), expiresAtMillis: 0, nowMillis: 1_000)
                }
            }
            _ = store.delete(key: keyBytes, version: version(4), nowMillis: 1_000)
        }
        #expect(observer.written.load(ordering: .relaxed) == 4)
        #expect(observer.changedDirectly.load(ordering: .relaxed) == 0)
    }

    /// `attachAfter`: nil attaches the observer at creation; a count attaches it (replaying the
    /// store) after that many operations, as dormant anti-entropy trees are.
    @Test(arguments: [(1, nil), (4, nil), (4, 7_000), (1, 12_000)] as [(Int, Int?)])
    func observerFollowsEveryChange(shards: Int, attachAfter: Int?) {
        let observer = RecordingObserver()
        let configuration = StoreConfiguration(maxMemoryBytes: (12 << 10) * shards, shardCount: shards, tombstoneGraceMillis: 50)
        let store = attachAfter == nil ? Store(configuration: configuration, observer: observer) : Store(configuration: configuration)
        var random = SplitMix64(seed: 77)
        var now: UInt64 = 1_000_000
        var stamp: UInt64 = 1
        for operation in 0..<20_000 {
            if operation == attachAfter { store.attach(observer: observer) }
            now += random.next() % 3
            observer.expectedNowMillis.store(now, ordering: .relaxed)
            stamp += 1
            let key = Array("key-\(random.next() % 400)".utf8)
            let valueSize = Int(random.next() % 600)
            key.withUnsafeBytes { keyBytes in
                switch random.next() % 10 {
                case 0...5:
                    let expiry: UInt64 = random.next() % 4 == 0 ? now + random.next() % 40 : 0
                    bytes(valueSize).withUnsafeBytes { value in
                        _ = store.write(key: keyBytes, value: value, version: version(stamp), expiresAtMillis: expiry, nowMillis: now)
                    }
                case 6...7:
                    _ = store.delete(key: keyBytes, version: version(stamp), nowMillis: now)
                case 8:
                    store.read(key: keyBytes, nowMillis: now) { _ in }
                default:
                    _ = store.sweep(nowMillis: now, maxEntriesPerShard: 64)
                }
            }
        }
        var held: [[UInt8]: EntryStampInfo] = [:]
        for shard in 0..<shards {
            store.forEachEntry(inShard: shard, nowMillis: 0) { entry in
                held[Array(entry.key)] = EntryStampInfo(version: entry.version, isTombstone: entry.isTombstone, expiresAtMillis: 0)
            }
        }
        let seen = observer.state.withLock { $0 }
        #expect(seen.mismatches.isEmpty, "\(seen.mismatches.prefix(3))")
        // Enumeration reports no expiry for tombstones; compare what anti-entropy hashes.
        let observed = seen.entries.mapValues { EntryStampInfo(version: $0.version, isTombstone: $0.isTombstone, expiresAtMillis: 0) }
        let differing = Set(observed.keys).symmetricDifference(held.keys).count + held.filter { observed[$0.key] != $0.value }.count
        #expect(differing == 0, "\(differing) keys differ between the observer and the store (\(observed.count) vs \(held.count))")
        #expect(store.statistics().evictions > 0, "the budget should force evictions")
        #expect(!seen.evicted.isEmpty)
    }
}
