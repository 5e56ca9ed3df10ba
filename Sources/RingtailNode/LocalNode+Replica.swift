import NIOCore
import RingtailModel
import RingtailStorage
import RingtailWire

/// This node acting as one replica: reads and writes with the versions the coordinator chose.
extension LocalNode {
    /// What this replica holds for `key`, tombstones included, at `nowMillis` (by default now).
    /// `keyHash`: `Store.keyHash(key)` when the caller has it.
    public func readReplica(_ key: ByteBuffer, keyHash: UInt64? = nil, nowMillis: UInt64? = nil) -> StoredEntry {
        readReplica(key, keyHash: keyHash, nowMillis: nowMillis, unlessVersion: nil).entry
    }

    /// Answers a peer's replica read. When the request names the version the asker holds and
    /// this replica's live value has exactly that version, the answer carries the version
    /// alone: no value is copied or sent back.
    public func answerReplicaRead(_ request: ReplicaReadRequest, complete: Bool) -> ReplicaReadResponse {
        let (entry, same) = readReplica(request.key, keyHash: nil, nowMillis: nil, unlessVersion: request.unlessVersion?.modelVersion)
        return ReplicaReadResponse(entry: entry, notReady: !complete, sameVersion: same)
    }

    private func readReplica(_ key: ByteBuffer, keyHash: UInt64?, nowMillis: UInt64?, unlessVersion: Version?) -> (entry: StoredEntry, same: Bool) {
        let now = nowMillis ?? wallClock.nowMillis()
        return key.withUnsafeReadableBytes { keyBytes in
            store.read(key: keyBytes, keyHash: keyHash ?? Store.keyHash(keyBytes), nowMillis: now) { lookup in
                switch lookup {
                case .value(let stored) where stored.version == unlessVersion:
                    return (StoredEntry(key: key, state: .live, version: EntryVersion(stored.version)), true)
                case .value(let stored):
                    var value = ByteBufferAllocator().buffer(capacity: stored.bytes.count)
                    value.writeBytes(stored.bytes)
                    return (StoredEntry(key: key, state: .live, value: value, version: EntryVersion(stored.version), expiresAtMillis: stored.expiresAtMillis), false)
                case .tombstone(let version):
                    return (StoredEntry(key: key, state: .tombstone, version: EntryVersion(version)), false)
                case .missing:
                    return (StoredEntry(key: key, state: .missing), false)
                }
            }
        }
    }

    /// Applies `entry` under last-write-wins: a live value or a tombstone at its version.
    /// `keyHash`: `Store.keyHash(entry.key)` when the caller has it.
    public func applyReplica(_ entry: StoredEntry, keyHash: UInt64? = nil) throws(OperationError) -> ReplicaWriteResponse {
        guard let wireVersion = entry.version else {
            throw OperationError(.invalidArgument, "replica write without a version")
        }
        if entry.key.readableBytes == 0 || entry.key.readableBytes > Limits.maxKeyBytes {
            throw OperationError(.keyTooLarge, "replica key of \(entry.key.readableBytes) bytes is outside 1...\(Limits.maxKeyBytes)")
        }
        let version = wireVersion.modelVersion
        let now = versions.observe(version)
        let result: StoreWriteResult = entry.key.withUnsafeReadableBytes { keyBytes in
            let keyHash = keyHash ?? Store.keyHash(keyBytes)
            switch entry.state {
            case .tombstone:
                return store.delete(key: keyBytes, keyHash: keyHash, version: version, nowMillis: now)
            default:
                return entry.value.withUnsafeReadableBytes { valueBytes in
                    store.write(key: keyBytes, keyHash: keyHash, value: valueBytes, version: version, expiresAtMillis: entry.expiresAtMillis, nowMillis: now)
                }
            }
        }
        switch result {
        case .applied(let replacedLiveValue):
            return ReplicaWriteResponse(applied: true, current: wireVersion, replacedLiveValue: replacedLiveValue)
        case .superseded(let current):
            return ReplicaWriteResponse(applied: false, current: EntryVersion(current))
        case .rejected(let error):
            throw OperationError(error)
        }
    }
}
