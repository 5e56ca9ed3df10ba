import RingtailModel

extension Store {
    /// Runs `body` under the shard lock with what the store holds for `key`; the value bytes
    /// are valid only inside `body`. Counts a hit or a miss. An expired entry (or a tombstone
    /// past its grace) is reclaimed and reported as `.missing`. A hit becomes most recently used.
    ///
    /// `body` must not call back into the store: the shard lock is held.
    @inlinable
    public func read<R>(
        key: UnsafeRawBufferPointer, nowMillis: UInt64, _ body: (StoreLookup) throws -> R
    ) rethrows -> R {
        try read(key: key, keyHash: Self.keyHash(key), nowMillis: nowMillis, body)
    }

    /// `read(key:nowMillis:_:)` for a caller that already computed `keyHash(key)`.
    @inlinable
    public func read<R>(
        key: UnsafeRawBufferPointer, keyHash: UInt64, nowMillis: UInt64,
        _ body: (StoreLookup) throws -> R
    ) rethrows -> R {
        // Inlinable so the caller specializes `R`; the work stays in the non-generic core.
        var result: R? = nil
        try withLookup(key: key, keyHash: keyHash, nowMillis: nowMillis) { result = try body($0) }
        return result.unsafelyUnwrapped
    }

    /// The non-generic core of `read`: looks `key` up and calls `body` under the shard lock.
    @usableFromInline
    func withLookup(
        key: UnsafeRawBufferPointer, keyHash: UInt64, nowMillis: UInt64,
        _ body: (StoreLookup) throws -> Void
    ) rethrows {
        assert(keyHash == Self.keyHash(key), "keyHash does not match key")
        guard key.count > 0 && key.count <= Limits.maxKeyBytes else {
            return try withShard(forKeyHash: keyHash) { table in
                table.counters.misses += 1
                try body(.missing)
            }
        }
        try withShard(forKeyHash: keyHash) { table in
            try body(table.lookup(key: key, hash: keyHash.highHalf, now: nowMillis))
        }
    }

    /// Stores `value` at `version` unless the key holds an equal or newer version. A value
    /// that has already expired at `nowMillis` is recorded as the key's version (so older
    /// writes stay superseded) but is invisible. Evicts least recently used entries of the
    /// key's shard to make room. `expiresAtMillis` is absolute; 0 = never.
    @inline(__always)
    public func write(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, version: Version,
        expiresAtMillis: UInt64, nowMillis: UInt64
    ) -> StoreWriteResult {
        write(
            key: key, keyHash: Self.keyHash(key), value: value, version: version,
            expiresAtMillis: expiresAtMillis, nowMillis: nowMillis)
    }

    /// `write(key:value:version:expiresAtMillis:nowMillis:)` with a precomputed `keyHash(key)`.
    public func write(
        key: UnsafeRawBufferPointer, keyHash: UInt64, value: UnsafeRawBufferPointer, version: Version,
        expiresAtMillis: UInt64, nowMillis: UInt64
    ) -> StoreWriteResult {
        assert(keyHash == Self.keyHash(key), "keyHash does not match key")
        if let error = validate(key: key) ?? validate(value: value) {
            countValidationRejection()
            return .rejected(error)
        }
        let expired = expiresAtMillis != 0 && expiresAtMillis <= nowMillis
        // An expired value is never read, so only its key and version are kept.
        let stored = expired ? UnsafeRawBufferPointer(start: nil, count: 0) : value
        let incoming = ShardTable.Incoming(
            valueField: UInt32(stored.count), version: version, expiry: expiresAtMillis)
        return withShard(forKeyHash: keyHash) { table in
            table.apply(incoming, key: key, value: stored, keyHash: keyHash, now: nowMillis)
        }
    }

    /// Replaces the entry with a tombstone at `version` (purged at nowMillis + grace), unless
    /// the key holds an equal or newer version. A key never seen gets a tombstone too, so a
    /// late replica write of an older version stays superseded.
    @inline(__always)
    public func delete(key: UnsafeRawBufferPointer, version: Version, nowMillis: UInt64) -> StoreWriteResult {
        delete(key: key, keyHash: Self.keyHash(key), version: version, nowMillis: nowMillis)
    }

    /// `delete(key:version:nowMillis:)` with a precomputed `keyHash(key)`.
    public func delete(
        key: UnsafeRawBufferPointer, keyHash: UInt64, version: Version, nowMillis: UInt64
    ) -> StoreWriteResult {
        assert(keyHash == Self.keyHash(key), "keyHash does not match key")
        if let error = validate(key: key) {
            countValidationRejection()
            return .rejected(error)
        }
        let (sum, overflow) = nowMillis.addingReportingOverflow(configuration.tombstoneGraceMillis)
        // Never 0, which would mean "kept forever".
        let purgeAt = max(1, overflow ? .max : sum)
        let incoming = ShardTable.Incoming(
            valueField: EntryHeader.tombstoneLength, version: version, expiry: purgeAt)
        return withShard(forKeyHash: keyHash) { table in
            table.apply(
                incoming, key: key, value: UnsafeRawBufferPointer(start: nil, count: 0), keyHash: keyHash,
                now: nowMillis)
        }
    }

    /// Drops the entry of `key` when it is older than `version`: another replica holds a newer
    /// write of the key without its bytes (anti-entropy's ghost of an evicted entry), so the
    /// older value must not be served. `record` runs under the shard lock after the drop, or
    /// when the store held nothing, so that the caller's record of the newer version (a ghost in
    /// its tree) is atomic with the store's change against concurrent writes of the key. It must
    /// not call back into the store. Returns false, without calling `record`, when the store
    /// holds `version` or newer.
    public func dropOlder(
        key: UnsafeRawBufferPointer, keyHash: UInt64, than version: Version, _ record: () -> Void
    ) -> Bool {
        assert(keyHash == Self.keyHash(key), "keyHash does not match key")
        guard validate(key: key) == nil else { return false }
        return withShard(forKeyHash: keyHash) { table in
            guard table.dropOlder(key: key, hash: keyHash.highHalf, than: version) else { return false }
            record()
            return true
        }
    }

    /// Reclaims expired entries and tombstones past their grace, visiting at most
    /// `maxEntriesPerShard` entries per shard per call and resuming where the last call
    /// stopped. Locks one shard at a time.
    public func sweep(nowMillis: UInt64, maxEntriesPerShard: Int) -> SweepResult {
        var total = SweepResult(expired: 0, purgedTombstones: 0)
        for shard in 0..<shardCount {
            let result = withShard(shard) { table in
                table.sweep(now: nowMillis, limit: maxEntriesPerShard)
            }
            total.expired += result.expired
            total.purgedTombstones += result.purgedTombstones
        }
        return total
    }

    /// Removes, without leaving tombstones, every entry (values, tombstones, expired or not)
    /// whose `StoreEntry.keyHashHigh` satisfies `matches`: for data of partitions this node no
    /// longer replicates, once their current replicas have it. The observer sees each removal
    /// as a change to absent. Locks one shard at a time; returns how many entries went.
    public func drop(where matches: (UInt32) -> Bool) -> Int {
        var total = 0
        for shard in 0..<shardCount {
            total += withShard(shard) { table in table.drop(where: matches) }
        }
        return total
    }

    /// Contents and counters, gathered shard by shard.
    public func statistics() -> StoreStatistics {
        var counters = ShardCounters()
        var shards: [ShardStatistics] = []
        shards.reserveCapacity(shardCount)
        for shard in 0..<shardCount {
            let (shardCounters, snapshot) = withShard(shard) { table in
                (table.counters, table.statistics(index: shard))
            }
            counters += shardCounters
            shards.append(snapshot)
        }
        return StoreStatistics(
            keys: shards.reduce(0) { $0 + $1.keys },
            tombstones: shards.reduce(0) { $0 + $1.tombstones },
            memoryUsedBytes: shards.reduce(0) { $0 + $1.memoryUsedBytes },
            memoryLimitBytes: maxMemoryBytes,
            evictions: counters.evictions,
            expirations: counters.expirations,
            purgedTombstones: counters.purgedTombstones,
            hits: counters.hits,
            misses: counters.misses,
            writes: counters.writes,
            deletes: counters.deletes,
            supersededWrites: counters.superseded,
            rejectedWrites: counters.rejected + validationRejectionCount,
            shards: shards)
    }

    /// Calls `body` under the shard's lock for every entry of `shard` visible at `nowMillis`
    /// (values not expired, tombstones within their grace): for anti-entropy. Holds the shard
    /// lock throughout and must not call back into the store.
    public func forEachEntry(
        inShard shard: Int, nowMillis: UInt64, _ body: (StoreEntry) throws -> Void
    ) rethrows {
        precondition(shard >= 0 && shard < shardCount, "shard \(shard) out of range")
        try withShard(shard) { table in
            try table.forEachEntry(now: nowMillis, body)
        }
    }

    private func validate(key: UnsafeRawBufferPointer) -> StoreError? {
        if key.isEmpty { return .emptyKey }
        if key.count > Limits.maxKeyBytes { return .keyTooLarge(bytes: key.count, limit: Limits.maxKeyBytes) }
        return nil
    }

    private func validate(value: UnsafeRawBufferPointer) -> StoreError? {
        if value.count > configuration.maxValueBytes {
            return .valueTooLarge(bytes: value.count, limit: configuration.maxValueBytes)
        }
        return nil
    }
}
