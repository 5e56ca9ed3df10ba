/// Self-checks for tests and debugging: walks every structure and reports what disagrees.
extension ShardTable {
    func integrityProblems() -> [String] {
        var problems: [String] = []
        if values + tombstones != count { problems.append("values \(values) + tombstones \(tombstones) != count \(count)") }
        if count > slots.capacity { problems.append("count \(count) exceeds slot capacity \(slots.capacity)") }
        if count * 5 > indexCapacity * 4 { problems.append("index load above 0.8: \(count)/\(indexCapacity)") }
        if memoryUsed > budget && count > 0 { problems.append("memory \(memoryUsed) above budget \(budget)") }

        var occupied = 0
        for position in 0..<indexCapacity where index[position] != 0 {
            occupied += 1
            let slot = (index[position] & slotMask) &- 1
            if Int(slot) >= count {
                problems.append("index word at \(position) points at slot \(slot) beyond count \(count)")
            } else if position != self.position(ofSlot: slot) {
                problems.append("slot \(slot) reachable at \(self.position(ofSlot: slot)), stored at \(position)")
            } else if index[position] & ~slotMask != tag(slots[slot].pointee.hash) {
                problems.append("slot \(slot) has a wrong tag")
            }
        }
        if occupied != count { problems.append("index holds \(occupied) words for \(count) entries") }

        var bytes = 0
        var valueCount = 0
        var expiring = 0
        var expirySum: UInt128 = 0
        for slot in 0..<UInt32(count) {
            let header = slots[slot].pointee
            bytes += header.blockFootprint
            guard !header.isTombstone else { continue }
            valueCount += 1
            if header.expiry != 0 {
                expiring += 1
                expirySum += UInt128(header.expiry)
            }
        }
        if bytes != blockBytes { problems.append("block bytes \(blockBytes), blocks add up to \(bytes)") }
        if valueCount != values { problems.append("values \(values), found \(valueCount)") }
        if expiring != expiringValues || expirySum != expirySumMillis {
            problems.append("expiring values \(expiringValues) summing \(expirySumMillis), found \(expiring) summing \(expirySum)")
        }

        var seen = 0
        var previous = EntryHeader.none
        var slot = head
        while slot != EntryHeader.none && seen <= count {
            if slots[slot].pointee.prev != previous { problems.append("LRU prev of \(slot) is wrong") }
            previous = slot
            slot = slots[slot].pointee.next
            seen += 1
        }
        if seen != count { problems.append("LRU list has \(seen) entries for \(count)") }
        if previous != tail { problems.append("LRU tail \(tail), list ends at \(previous)") }
        return problems
    }
}

extension ShardTable {
    /// The largest distance of an index word from its home position.
    func longestProbe() -> Int {
        var longest = 0
        for position in 0..<indexCapacity where index[position] != 0 {
            let home = Self.home(slots[(index[position] & slotMask) &- 1].pointee.hash, capacity: indexCapacity)
            longest = max(longest, position >= home ? position - home : position + indexCapacity - home)
        }
        return longest
    }
}

extension Store {
    /// Longest probe distance in a shard's index.
    func longestProbe(inShard shard: Int = 0) -> Int {
        withShard(shard) { $0.longestProbe() }
    }

    /// Problems found by checking every shard's structures; empty when consistent.
    func integrityProblems() -> [String] {
        (0..<shardCount).flatMap { shard in
            withShard(shard) { table in table.integrityProblems().map { "shard \(shard): \($0)" } }
        }
    }

    /// Keys in LRU order, most recent first (for tests with one shard).
    func keysByRecency(inShard shard: Int = 0) -> [[UInt8]] {
        withShard(shard) { table in
            var keys: [[UInt8]] = []
            var slot = table.head
            while slot != EntryHeader.none {
                keys.append(Array(table.slots[slot].pointee.key))
                slot = table.slots[slot].pointee.next
            }
            return keys
        }
    }

    /// Index capacity of a shard (for growth and shrink tests).
    func indexCapacity(ofShard shard: Int = 0) -> Int {
        withShard(shard) { $0.indexCapacity }
    }
}
