extension Store {
    /// Bytes the live value of `key` takes (MEMORY USAGE): its block (key and value as the
    /// allocator rounds them), its entry header and its index word. Nil when the store holds
    /// no live value for it. Looks without counting a hit or reordering the LRU list.
    public func memoryUsage(key: UnsafeRawBufferPointer, nowMillis: UInt64) -> Int? {
        let hash = Self.keyHash(key)
        return withShard(forKeyHash: hash) { table in
            guard !key.isEmpty, let found = table.find(key: key.baseAddress!, count: key.count, hash: hash.highHalf) else { return nil }
            let header = table.slots[found.slot].pointee
            guard !header.isTombstone, !header.isDue(at: nowMillis) else { return nil }
            return header.blockFootprint + SlotStorage.stride + MemoryLayout<UInt32>.size
        }
    }
}
