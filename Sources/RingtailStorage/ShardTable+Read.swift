/// Reads, sweeping and enumeration.
extension ShardTable {
    /// What the shard holds for `key`, reclaiming it first if it has expired or its grace has
    /// passed. A value hit moves the entry to the LRU head.
    @inline(__always)
    mutating func lookup(key: UnsafeRawBufferPointer, hash: UInt32, now: UInt64) -> StoreLookup {
        guard let found = find(key: key.baseAddress!, count: key.count, hash: hash) else {
            counters.misses += 1
            return .missing
        }
        let header = slots[found.slot]
        if header.pointee.isDue(at: now) {
            let reason: RemovalReason = header.pointee.isTombstone ? .purged : .expired
            remove(slot: found.slot, position: found.position, reason: reason)
            counters.misses += 1
            return .missing
        }
        if header.pointee.isTombstone {
            counters.misses += 1
            return .tombstone(header.pointee.version)
        }
        counters.hits += 1
        touch(found.slot)
        return .value(
            StoredValue(
                bytes: header.pointee.value, version: header.pointee.version,
                expiresAtMillis: header.pointee.expiry))
    }

    /// Visits up to `limit` slots from where the last sweep stopped, reclaiming expired values
    /// and tombstones past their grace. Stops after one full round, so a large `limit` looks
    /// at every entry exactly once.
    mutating func sweep(now: UInt64, limit: Int) -> SweepResult {
        var result = SweepResult(expired: 0, purgedTombstones: 0)
        if sweepCursor >= count { sweepCursor = 0 }
        let start = sweepCursor
        var wrapped = false
        var visits = limit
        while visits > 0 {
            if sweepCursor >= count {
                if wrapped || start == 0 {
                    sweepCursor = 0
                    break
                }
                sweepCursor = 0
                wrapped = true
            }
            if wrapped && sweepCursor >= start { break }
            visits -= 1
            let slot = UInt32(sweepCursor)
            let header = slots[slot]
            guard header.pointee.isDue(at: now) else {
                sweepCursor += 1
                continue
            }
            if header.pointee.isTombstone {
                result.purgedTombstones += 1
                remove(slot: slot, position: position(ofSlot: slot), reason: .purged)
            } else {
                result.expired += 1
                remove(slot: slot, position: position(ofSlot: slot), reason: .expired)
            }
            // The last entry now sits at the cursor: not yet visited unless this round
            // wrapped, and looking at it again then is harmless.
        }
        return result
    }

    /// Calls `body` for every entry visible at `now` (values not expired, tombstones within
    /// their grace), in slot order. Changes nothing, not even LRU order.
    func forEachEntry(now: UInt64, _ body: (StoreEntry) throws -> Void) rethrows {
        for slot in 0..<UInt32(count) {
            let header = slots[slot].pointee
            if header.isDue(at: now) { continue }
            try body(
                StoreEntry(
                    key: header.key, keyHashHigh: header.hash, version: header.version,
                    expiresAtMillis: header.isTombstone ? 0 : header.expiry,
                    isTombstone: header.isTombstone, value: header.value))
        }
    }

    /// Starts telling `newObserver` about changes, after telling it of every entry held
    /// (expired and purgeable ones too: their later removal is reported as a change).
    mutating func attach(_ newObserver: any StoreObserver) {
        precondition(observer == nil, "a shard has one observer")
        observer = newObserver
        for slot in 0..<UInt32(count) {
            newObserver.storeChanged(key: slots[slot].pointee.key, old: nil, new: stamp(ofSlot: slot))
        }
    }

    func statistics(index: Int) -> ShardStatistics {
        ShardStatistics(
            index: index, keys: values, tombstones: tombstones, memoryUsedBytes: memoryUsed,
            memoryLimitBytes: budget, expiringKeys: expiringValues, expirySumMillis: expirySumMillis)
    }
}
