/// The bucket phase: decide each listed bucket, within the budget.
extension PartitionSyncSession {
    mutating func decide(
        requested: [Int], remaining: ArraySlice<Int>,
        local localLists: [BucketListing], remote remoteLists: [BucketListing], nowMillis: UInt64
    ) -> [SyncDirective] {
        let localByBucket = Dictionary(localLists.map { ($0.bucket, $0.entries) }, uniquingKeysWith: +)
        let remoteByBucket = Dictionary(remoteLists.map { ($0.bucket, $0.entries) }, uniquingKeysWith: +)
        for entries in remoteByBucket.values {
            statistics.listedEntries += entries.count
            statistics.listBytes += entries.reduce(0) { $0 + WireCost.listBytes($1) }
        }

        var sends: [Transfer] = []
        var fetches: [BucketEntry] = []
        var adoptions: [BucketEntry] = []
        var exhausted = false
        buckets: for bucket in requested {
            let plan = BucketExchange.plan(
                local: localByBucket[bucket] ?? [], remote: remoteByBucket[bucket] ?? [],
                localAcceptsValues: localAcceptsValues, remoteAcceptsValues: remoteAcceptsValues,
                nowMillis: nowMillis, rules: settings.rules)
            for transfer in plan.send {
                guard admit(bytes: transfer.byteCount) else { exhausted = true; break buckets }
                sends.append(transfer)
                statistics.keysSent += 1
                statistics.transferBytes += transfer.byteCount
                if transfer.carriesValue { statistics.valueBytes += transfer.entry.valueByteCount }
            }
            for entry in plan.fetch {
                let bytes = WireCost.transferBytes(entry, carriesValue: true)
                guard admit(bytes: bytes) else { exhausted = true; break buckets }
                fetches.append(entry)
                statistics.keysFetched += 1
                statistics.transferBytes += bytes
                statistics.valueBytes += entry.valueByteCount
            }
            for entry in plan.adopt {
                // The line already arrived with the list: only the key count applies.
                guard admit(bytes: 0) else { exhausted = true; break buckets }
                adoptions.append(entry)
                statistics.keysAdopted += 1
            }
        }

        var out: [SyncDirective] = []
        if !sends.isEmpty { out.append(.send(partition: partition, sends)) }
        if !fetches.isEmpty { out.append(.fetch(partition: partition, fetches)) }
        if !adoptions.isEmpty { out.append(.adopt(partition: partition, adoptions)) }
        if exhausted || (!remaining.isEmpty && statistics.totalBytes >= settings.maxBytesPerSession) {
            return out + finish(.budgetExhausted)
        }
        if remaining.isEmpty { return out + finish(descentWasCut ? .budgetExhausted : finished) }
        return out + requestBuckets(remaining)
    }

    /// How a session that handled every differing bucket ends: agreed when not one key moved.
    var finished: SyncOutcome { statistics.keysRepaired == 0 ? .agreed : .repaired }

    /// Whether one more key costing `bytes` fits; the first key of a session always does.
    private func admit(bytes: Int) -> Bool {
        if statistics.keysRepaired == 0 { return true }
        return statistics.keysRepaired < settings.maxKeysPerSession
            && statistics.totalBytes + bytes <= settings.maxBytesPerSession
    }
}
