import NIOCore
import RingtailModel
import RingtailWire

/// A value read from the cache.
public struct CachedValue: Sendable, Equatable {
    public var value: ByteBuffer
    public var version: RingtailModel.Version
    /// Absolute expiry in Unix milliseconds, or nil for none.
    public var expiresAtMillis: UInt64?

    public var bytes: [UInt8] { Array(value.readableBytesView) }
}

extension RingtailClient {
    /// The value under `key`, or nil when the key is absent, deleted or expired.
    /// `readQuorum` overrides the node's default R in a cluster.
    public func get(_ key: some Collection<UInt8>, readQuorum: Int? = nil) async throws -> CachedValue? {
        let request = GetRequest(key: ByteBuffer(bytes: key), readQuorum: readQuorum.map { UInt32(clamping: $0) })
        let response = try await self.request(.getRequest(request), expecting: GetResponse.self)
        guard response.found else { return nil }
        return CachedValue(
            value: response.value,
            version: response.version?.modelVersion ?? .zero,
            expiresAtMillis: response.expiresAtMillis
        )
    }

    /// Stores `value` under `key`, expiring after `ttlMillis` when given; returns the version
    /// the write was stored under.
    @discardableResult
    public func set(_ key: some Collection<UInt8>, value: some Collection<UInt8>, ttlMillis: UInt64? = nil, writeQuorum: Int? = nil) async throws -> RingtailModel.Version {
        let request = SetRequest(
            key: ByteBuffer(bytes: key),
            value: ByteBuffer(bytes: value),
            ttlMillis: ttlMillis,
            writeQuorum: writeQuorum.map { UInt32(clamping: $0) }
        )
        return try await self.request(.setRequest(request), expecting: SetResponse.self).version.modelVersion
    }

    /// Deletes `key`; returns whether a live value was there.
    @discardableResult
    public func delete(_ key: some Collection<UInt8>, writeQuorum: Int? = nil) async throws -> Bool {
        let request = DeleteRequest(key: ByteBuffer(bytes: key), writeQuorum: writeQuorum.map { UInt32(clamping: $0) })
        return try await self.request(.deleteRequest(request), expecting: DeleteResponse.self).existed
    }

    /// Removes every key from every member of the cluster (FLUSHALL); returns the flush's
    /// version. Fails, after flushing wherever it could, when a live member did not confirm.
    public func flushAll() async throws -> EntryVersion {
        try await request(.flushAllRequest(FlushAllRequest()), expecting: FlushAllResponse.self).version
    }

    /// The node's statistics.
    public func stats() async throws -> StatsResponse {
        try await request(.statsRequest(StatsRequest()), expecting: StatsResponse.self)
    }

    /// Round-trips a ping; returns the node's id.
    public func ping() async throws -> PingResponse {
        try await request(.pingRequest(PingRequest()), expecting: PingResponse.self)
    }
}
