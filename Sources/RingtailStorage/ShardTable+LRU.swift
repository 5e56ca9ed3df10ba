/// The LRU list: doubly linked through the headers by slot number, so every operation is
/// O(1) and costs no allocation. Head = most recently used, tail = next victim.
extension ShardTable {
    mutating func linkAtHead(_ slot: UInt32) {
        let header = slots[slot]
        header.pointee.prev = EntryHeader.none
        header.pointee.next = head
        if head != EntryHeader.none {
            slots[head].pointee.prev = slot
        } else {
            tail = slot
        }
        head = slot
    }

    mutating func unlink(_ slot: UInt32) {
        let header = slots[slot]
        let prev = header.pointee.prev
        let next = header.pointee.next
        if prev != EntryHeader.none {
            slots[prev].pointee.next = next
        } else {
            head = next
        }
        if next != EntryHeader.none {
            slots[next].pointee.prev = prev
        } else {
            tail = prev
        }
    }

    /// Marks `slot` as just used.
    @inline(__always)
    mutating func touch(_ slot: UInt32) {
        guard head != slot else { return }
        unlink(slot)
        linkAtHead(slot)
    }

    /// Repoints the neighbours of the entry now in `slot` (moved there from elsewhere).
    mutating func relinkMovedEntry(at slot: UInt32) {
        let header = slots[slot]
        let prev = header.pointee.prev
        let next = header.pointee.next
        if prev != EntryHeader.none {
            slots[prev].pointee.next = slot
        } else {
            head = slot
        }
        if next != EntryHeader.none {
            slots[next].pointee.prev = slot
        } else {
            tail = slot
        }
    }
}
