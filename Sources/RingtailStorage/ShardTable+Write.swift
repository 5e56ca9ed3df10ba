import RingtailModel

/// Writes and deletes. Both arrive as a finished block (key, then value bytes) built
/// outside the lock, so the lock is held only for the index work.
extension ShardTable {
    /// What a write stores besides its key.
    struct Incoming {
        /// Value length, or `EntryHeader.tombstoneLength` for a delete.
        var valueField: UInt32
        var version: Version
        /// Expiry for a value, purge time for a tombstone.
        var expiry: UInt64
        var isTombstone: Bool { valueField == EntryHeader.tombstoneLength }
        var storedValueBytes: UInt32 { isTombstone ? 0 : valueField }
    }

    /// Applies `incoming` for the key at the start of `block` unless the shard holds an equal
    /// or newer version. Takes ownership of `block`: stored, or freed.
    ///
    /// Writes compare against whatever is held, even an expired value or a tombstone past its
    /// grace: only reads and sweeps reclaim, so a version is forgotten at a well-defined point.
    mutating func apply(
        _ incoming: Incoming, block: UnsafeMutableRawPointer, keyLength: Int, hash: UInt32, now: UInt64
    ) -> StoreWriteResult {
        let found = find(key: block, count: keyLength, hash: hash)
        if let found {
            let current = slots[found.slot].pointee.version
            if current >= incoming.version {
                EntryBlock.release(block)
                counters.superseded += 1
                return .superseded(current: current)
            }
        }
        let cost = EntryBlock.footprint(block, byteCount: keyLength + Int(incoming.storedValueBytes))
        let limit = entryLimit
        guard cost <= limit else {
            EntryBlock.release(block)
            counters.rejected += 1
            return .rejected(.entryExceedsMemoryLimit(bytes: cost, limit: max(0, limit)))
        }

        var replacedLiveValue = false
        if var slot = found?.slot {
            let oldCost = slots[slot].pointee.blockFootprint
            guard makeRoom(for: cost - oldCost, inserting: false, sparing: &slot) else {
                return refuse(block, cost: cost, limit: limit)
            }
            let header = slots[slot]
            if header.pointee.isTombstone {
                tombstones -= 1
            } else {
                values -= 1
                if header.pointee.isDue(at: now) {
                    counters.expirations += 1
                } else {
                    replacedLiveValue = true
                }
            }
            blockBytes += cost - oldCost
            EntryBlock.release(header.pointee.data)
            header.pointee.data = block
            header.pointee.setValueLength(incoming.valueField)
            header.pointee.version = incoming.version
            header.pointee.expiry = incoming.expiry
            touch(slot)
        } else {
            var none = EntryHeader.none
            guard makeRoom(for: cost, inserting: true, sparing: &none) else {
                return refuse(block, cost: cost, limit: limit)
            }
            growIndexIfNeeded()
            if count == slots.capacity { slots.grow() }
            let slot = UInt32(count)
            count += 1
            slots[slot].initialize(
                to: EntryHeader(
                    data: block, keyLength: keyLength, valueLength: incoming.valueField, hash: hash,
                    version: incoming.version, expiry: incoming.expiry))
            insertIntoIndex(slot: slot, hash: hash)
            linkAtHead(slot)
            blockBytes += cost
        }

        if incoming.isTombstone {
            tombstones += 1
            counters.deletes += 1
        } else {
            values += 1
            counters.writes += 1
        }
        return .applied(replacedLiveValue: replacedLiveValue)
    }

    /// Only reachable if fixed structures outgrew what `entryLimit` assumes; kept as a safe
    /// refusal rather than a crash.
    private mutating func refuse(_ block: UnsafeMutableRawPointer, cost: Int, limit: Int) -> StoreWriteResult {
        EntryBlock.release(block)
        counters.rejected += 1
        return .rejected(.entryExceedsMemoryLimit(bytes: cost, limit: max(0, limit)))
    }
}
