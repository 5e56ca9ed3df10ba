import NIOCore
import RingtailModel
import RingtailStorage
import RingtailWire

/// A failed operation, in the protocol's terms.
public struct OperationError: Error, Sendable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    init(_ error: StoreError) {
        switch error {
        case .emptyKey: self.init(.invalidArgument, error.description)
        case .keyTooLarge: self.init(.keyTooLarge, error.description)
        case .valueTooLarge: self.init(.valueTooLarge, error.description)
        case .entryExceedsMemoryLimit: self.init(.outOfMemory, error.description)
        }
    }
}

extension LocalNode {
    /// Reads `key`; nil when absent, deleted or expired.
    public func get(_ key: ByteBuffer) throws(OperationError) -> GetResponse {
        try checkKey(key)
        let now = wallClock.nowMillis()
        return key.withUnsafeReadableBytes { keyBytes in
            store.read(key: keyBytes, nowMillis: now) { lookup in
                switch lookup {
                case .value(let stored):
                    var value = ByteBufferAllocator().buffer(capacity: stored.bytes.count)
                    value.writeBytes(stored.bytes)
                    return GetResponse(
                        found: true,
                        value: value,
                        version: EntryVersion(stored.version),
                        expiresAtMillis: stored.expiresAtMillis == 0 ? nil : stored.expiresAtMillis
                    )
                case .tombstone, .missing:
                    return GetResponse(found: false)
                }
            }
        }
    }

    /// Writes `value` under a fresh version; `ttlMillis` of nil or 0 means no expiry.
    public func set(_ key: ByteBuffer, value: ByteBuffer, ttlMillis: UInt64?) throws(OperationError) -> SetResponse {
        try checkKey(key)
        guard value.readableBytes <= configuration.maxValueBytes else {
            throw OperationError(.valueTooLarge, "value of \(value.readableBytes) bytes exceeds the limit of \(configuration.maxValueBytes) bytes")
        }
        let (version, now) = versions.nextVersionAndNow()
        let expiresAt = ttlMillis.map { $0 == 0 ? 0 : now &+ $0 } ?? 0
        let result = key.withUnsafeReadableBytes { keyBytes in
            value.withUnsafeReadableBytes { valueBytes in
                store.write(key: keyBytes, value: valueBytes, version: version, expiresAtMillis: expiresAt, nowMillis: now)
            }
        }
        switch result {
        case .applied, .superseded:
            // A fresh local version can only be superseded by a replica sync from a node whose
            // clock runs ahead; the newer value wins under LWW, which is the answer to report.
            return SetResponse(version: EntryVersion(version))
        case .rejected(let error):
            throw OperationError(error)
        }
    }

    /// Deletes `key` by writing a tombstone under a fresh version.
    public func delete(_ key: ByteBuffer) throws(OperationError) -> DeleteResponse {
        try checkKey(key)
        let (version, now) = versions.nextVersionAndNow()
        let result = key.withUnsafeReadableBytes { keyBytes in
            store.delete(key: keyBytes, version: version, nowMillis: now)
        }
        switch result {
        case .applied(let replacedLiveValue):
            return DeleteResponse(existed: replacedLiveValue, version: EntryVersion(version))
        case .superseded:
            return DeleteResponse(existed: false, version: EntryVersion(version))
        case .rejected(let error):
            throw OperationError(error)
        }
    }

    /// The node's statistics in wire form.
    public func stats() -> StatsResponse {
        let statistics = store.statistics()
        return StatsResponse(
            nodeId: nodeID.name,
            uptimeMillis: uptimeMillis,
            keys: UInt64(statistics.keys),
            tombstones: UInt64(statistics.tombstones),
            memoryUsedBytes: UInt64(statistics.memoryUsedBytes),
            memoryLimitBytes: UInt64(statistics.memoryLimitBytes),
            evictions: UInt64(statistics.evictions),
            expirations: UInt64(statistics.expirations),
            hits: UInt64(statistics.hits),
            misses: UInt64(statistics.misses),
            sets: UInt64(statistics.writes),
            deletes: UInt64(statistics.deletes),
            connections: UInt64(counters.connections),
            protocolVersion: UInt32(WireProtocol.version),
            shards: statistics.shards.map {
                ShardStats(index: UInt32($0.index), keys: UInt64($0.keys), memoryUsedBytes: UInt64($0.memoryUsedBytes))
            },
            clockOffsetMillis: versions.driftMillis()
        )
    }

    func checkKey(_ key: ByteBuffer) throws(OperationError) {
        if key.readableBytes == 0 {
            throw OperationError(.invalidArgument, "key must not be empty")
        }
        if key.readableBytes > Limits.maxKeyBytes {
            throw OperationError(.keyTooLarge, "key of \(key.readableBytes) bytes exceeds the limit of \(Limits.maxKeyBytes) bytes")
        }
    }
}

extension LocalNode {
    /// A validated live entry for a coordinated write (the coordinator assigns the version).
    public func storedEntry(key: ByteBuffer, value: ByteBuffer, ttlMillis: UInt64?) throws(OperationError) -> StoredEntry {
        try checkKey(key)
        guard value.readableBytes <= configuration.maxValueBytes else {
            throw OperationError(.valueTooLarge, "value of \(value.readableBytes) bytes exceeds the limit of \(configuration.maxValueBytes) bytes")
        }
        let expiresAt = ttlMillis.map { $0 == 0 ? 0 : wallClock.nowMillis() &+ $0 } ?? 0
        return StoredEntry(key: key, state: .live, value: value, expiresAtMillis: expiresAt)
    }
}
