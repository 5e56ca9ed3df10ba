import RingtailModel

/// Writes and deletes: version check, in-place overwrite or a new block, eviction to fit.
extension ShardTable {
    /// What a write stores besides its key.
    struct Incoming {
        /// Value length, or `EntryHeader.tombstoneLength` for a delete.
        var valueField: UInt32
        var version: Version
        /// Expiry for a value, purge time for a tombstone.
        var expiry: UInt64
        var isTombstone: Bool { valueField == EntryHeader.tombstoneLength }
        var stamp: EntryStampInfo { EntryStampInfo(version: version, isTombstone: isTombstone, expiresAtMillis: expiry) }
    }

    /// Applies `incoming` for `key` unless the shard holds an equal or newer version.
    /// `value` is what to store (empty for a tombstone or an already expired value).
    ///
    /// Writes compare against whatever is held, even an expired value or a tombstone past its
    /// grace: only reads and sweeps reclaim, so a version is forgotten at a well-defined point.
    /// The block is allocated here, under the lock, only once the write is known to apply;
    /// an overwrite that fits the existing block reuses it. `keyHash` is `Store.keyHash(key)`.
    mutating func apply(
        _ incoming: Incoming, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, keyHash: UInt64,
        now: UInt64
    ) -> StoreWriteResult {
        // Written before the store was flushed: the flush is the newer event.
        if incoming.version <= truncatedThrough {
            counters.superseded += 1
            return .superseded(current: truncatedThrough)
        }
        let hash = keyHash.highHalf
        let found = find(key: key.baseAddress!, count: key.count, hash: hash)
        if let found {
            let current = slots[found.slot].pointee.version
            if current >= incoming.version {
                counters.superseded += 1
                return .superseded(current: current)
            }
            let old = observer == nil ? nil : stamp(ofSlot: found.slot)
            if let result = overwriteInPlace(found.slot, incoming, value: value, now: now) {
                observer?.storeWritten(key: key, keyHash: keyHash, old: old, new: incoming.stamp, nowMillis: now)
                return result
            }
        }
        let old = observer == nil ? nil : found.map { stamp(ofSlot: $0.slot) }

        let block = EntryBlock.make(key: key, value: value)
        let cost = EntryBlock.footprint(block, byteCount: key.count + value.count)
        let limit = entryLimit
        guard cost <= limit else { return refuse(block, cost: cost, limit: limit) }

        var replacedLiveValue = false
        if var slot = found?.slot {
            let oldCost = slots[slot].pointee.blockFootprint
            guard makeRoom(for: cost - oldCost, inserting: false, sparing: &slot) else {
                return refuse(block, cost: cost, limit: limit)
            }
            replacedLiveValue = retire(slot, now: now)
            let header = slots[slot]
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
                    data: block, keyLength: key.count, valueLength: incoming.valueField, hash: hash,
                    version: incoming.version, expiry: incoming.expiry))
            insertIntoIndex(slot: slot, hash: hash)
            linkAtHead(slot)
            blockBytes += cost
        }
        admit(incoming)
        observer?.storeWritten(key: key, keyHash: keyHash, old: old, new: incoming.stamp, nowMillis: now)
        return .applied(replacedLiveValue: replacedLiveValue)
    }

    /// Stores the new value in the existing block when it fits without wasting more than a
    /// fresh allocation would (malloc rounds to 16 bytes anyway): the common same-size
    /// overwrite then costs no allocation and no accounting change. Nil if it does not fit.
    private mutating func overwriteInPlace(
        _ slot: UInt32, _ incoming: Incoming, value: UnsafeRawBufferPointer, now: UInt64
    ) -> StoreWriteResult? {
        let header = slots[slot]
        let keyLength = header.pointee.keyLength
        let oldFootprint = header.pointee.blockFootprint
        guard EntryBlock.estimatedFootprint(byteCount: keyLength + value.count) == oldFootprint,
            keyLength + value.count + EntryBlock.allocatorOverhead <= oldFootprint
        else { return nil }
        let replacedLiveValue = retire(slot, now: now)
        if value.count > 0 {
            (header.pointee.data + keyLength).copyMemory(from: value.baseAddress!, byteCount: value.count)
        }
        header.pointee.setValueLength(incoming.valueField)
        header.pointee.version = incoming.version
        header.pointee.expiry = incoming.expiry
        touch(slot)
        admit(incoming)
        return .applied(replacedLiveValue: replacedLiveValue)
    }

    /// Takes the old contents of `slot` out of the counts before it is overwritten; returns
    /// whether they were a live value.
    private mutating func retire(_ slot: UInt32, now: UInt64) -> Bool {
        let header = slots[slot]
        if header.pointee.isTombstone {
            tombstones -= 1
            return false
        }
        values -= 1
        forgetExpiry(header.pointee.expiry)
        if header.pointee.isDue(at: now) {
            counters.expirations += 1
            return false
        }
        return true
    }

    /// Counts the entry `incoming` just became.
    private mutating func admit(_ incoming: Incoming) {
        if incoming.isTombstone {
            tombstones += 1
            counters.deletes += 1
        } else {
            values += 1
            counters.writes += 1
            if incoming.expiry != 0 {
                // As the header holds it (clamped), so that removal takes out what went in.
                expiringValues += 1
                expirySumMillis += UInt128(min(incoming.expiry, EntryHeader.maxExpiry))
            }
        }
    }

    /// Takes a value's expiry (0: none) out of the expiring counts.
    mutating func forgetExpiry(_ expiry: UInt64) {
        guard expiry != 0 else { return }
        expiringValues -= 1
        expirySumMillis -= UInt128(expiry)
    }

    /// Refuses an entry too large for the shard. After the `entryLimit` check, reachable only
    /// if the fixed structures outgrew what that limit assumes: a refusal, not a crash.
    private mutating func refuse(_ block: UnsafeMutableRawPointer, cost: Int, limit: Int) -> StoreWriteResult {
        EntryBlock.release(block)
        counters.rejected += 1
        return .rejected(.entryExceedsMemoryLimit(bytes: cost, limit: max(0, limit)))
    }
}
