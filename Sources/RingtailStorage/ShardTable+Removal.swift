import RingtailModel

/// Taking entries out: lazy reclaim, sweeping, eviction. Every path ends in `remove`, which
/// frees the block and gives back index and slot memory as the shard empties.
extension ShardTable {
    /// Why an entry is leaving; decides which counter it lands in.
    enum RemovalReason {
        case expired
        case purged
        case evicted
        /// A replica holds a newer write of the key without its bytes (`Store.dropOlder`).
        case superseded
        /// Handed off: the node no longer replicates the key's partition.
        case dropped
        /// At or below a flush's version (`Store.truncate(through:)`).
        case truncated
    }

    /// Removes the entry in `slot`, whose index word sits at `position`. The last entry moves
    /// into the freed slot, so slot numbers above `slot` are not stable across this call.
    mutating func remove(slot: UInt32, position: Int, reason: RemovalReason) {
        switch reason {
        case .expired: counters.expirations += 1
        case .purged: counters.purgedTombstones += 1
        case .evicted: counters.evictions += 1
        case .superseded: counters.superseded += 1
        case .dropped, .truncated: break
        }
        if let observer {
            let key = slots[slot].pointee.key
            switch reason {
            case .evicted: observer.storeEvicted(key: key, entry: stamp(ofSlot: slot))
            case .expired, .purged, .superseded, .dropped, .truncated: observer.storeChanged(key: key, old: stamp(ofSlot: slot), new: nil)
            }
        }
        removeFromIndex(at: position)
        unlink(slot)
        let header = slots[slot]
        if header.pointee.isTombstone {
            tombstones -= 1
        } else {
            values -= 1
            forgetExpiry(header.pointee.expiry)
        }
        blockBytes -= header.pointee.blockFootprint
        EntryBlock.release(header.pointee.data)

        let last = UInt32(count - 1)
        if slot != last {
            retargetIndex(from: last, to: slot)
            slots[slot].pointee = slots[last].pointee
            relinkMovedEntry(at: slot)
        }
        count -= 1
        shrinkIndexIfNeeded()
        slots.shrink(toHold: count)
    }

    /// Removes every entry whose stored hash bits satisfy `matches`; returns how many.
    mutating func drop(where matches: (UInt32) -> Bool) -> Int {
        var dropped = 0
        var slot: UInt32 = 0
        while slot < UInt32(count) {
            if matches(slots[slot].pointee.hash) {
                remove(slot: slot, position: position(ofSlot: slot), reason: .dropped)
                dropped += 1
                // The last entry moved into `slot`: look at it next.
            } else {
                slot += 1
            }
        }
        return dropped
    }

    /// Evicts least recently used entries until the shard fits in its budget (or is empty),
    /// after the budget was lowered. Returns how many were evicted.
    mutating func evictOverBudget() -> Int {
        var evicted = 0
        while memoryUsed > budget, tail != EntryHeader.none {
            remove(slot: tail, position: position(ofSlot: tail), reason: .evicted)
            evicted += 1
        }
        return evicted
    }

    /// Evicts least recently used entries until `extraBytes` more fit in the budget, never
    /// `spared` (the entry being overwritten), which is updated if eviction moves it.
    /// With `inserting`, the index and slot growth of one more entry is included.
    /// Returns false if the shard ran out of victims first.
    mutating func makeRoom(for extraBytes: Int, inserting: Bool, sparing spared: inout UInt32) -> Bool {
        while true {
            var needed = memoryUsed + extraBytes
            if inserting {
                needed += indexGrowthBytesForInsert
                if count == slots.capacity { needed += slots.growthBytes }
            }
            if needed <= budget { return true }

            var victim = tail
            if victim == spared { victim = slots[victim].pointee.prev }
            guard victim != EntryHeader.none else { return false }
            let last = UInt32(count - 1)
            remove(slot: victim, position: position(ofSlot: victim), reason: .evicted)
            if spared == last && victim != last { spared = victim }
        }
    }

    /// Removes the entry of `key` if it is older than `version`. Returns false when the shard
    /// holds `version` or newer, true when it held something older (now gone) or nothing.
    mutating func dropOlder(key: UnsafeRawBufferPointer, hash: UInt32, than version: Version) -> Bool {
        guard let found = find(key: key.baseAddress!, count: key.count, hash: hash) else { return true }
        guard slots[found.slot].pointee.version < version else { return false }
        remove(slot: found.slot, position: found.position, reason: .superseded)
        return true
    }
}
