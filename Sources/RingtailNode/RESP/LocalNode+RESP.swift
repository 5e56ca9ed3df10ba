import NIOCore
import RingtailModel
import RingtailRESP
import RingtailStorage
import RingtailWire

/// What a string key holds as the Redis commands see it.
struct StringEntry: Sendable {
    var value: ByteBuffer
    /// Absolute, Unix milliseconds; 0 = never.
    var expiresAtMillis: UInt64
}

/// The lone-node side of the Redis commands: the same store, version clock and checks as
/// `get`/`set`/`delete`, with absolute expiries (EXAT, KEEPTTL) and replies written straight
/// from the store into the output buffer.
extension LocalNode {
    /// Writes `key`'s value as a bulk string (or the null reply) into `output`, copying it
    /// once, under the shard lock, with no intermediate buffer.
    func writeValueReply(_ key: ByteBuffer, into output: inout ByteBuffer, version: RESPVersion) throws(OperationError) {
        try checkKey(key)
        let now = wallClock.nowMillis()
        key.withUnsafeReadableBytes { keyBytes in
            store.read(key: keyBytes, nowMillis: now) { lookup in
                switch lookup {
                case .value(let stored): output.writeRESPBulkString(stored.bytes)
                case .tombstone, .missing: output.writeRESPNull(version)
                }
            }
        }
    }

    /// The live value of `key` and its expiry, copied out of the store.
    func stringEntry(_ key: ByteBuffer) throws(OperationError) -> StringEntry? {
        try checkKey(key)
        let now = wallClock.nowMillis()
        return key.withUnsafeReadableBytes { keyBytes in
            store.read(key: keyBytes, nowMillis: now) { lookup -> StringEntry? in
                guard case .value(let stored) = lookup else { return nil }
                var value = ByteBufferAllocator().buffer(capacity: stored.bytes.count)
                value.writeBytes(stored.bytes)
                return StringEntry(value: value, expiresAtMillis: stored.expiresAtMillis)
            }
        }
    }

    /// Stores `value` under a fresh version, expiring at `expiresAtMillis` (0 = never).
    func putString(_ key: ByteBuffer, value: ByteBuffer, expiresAtMillis: UInt64) throws(OperationError) {
        try putString(key, keyHash: key.withUnsafeReadableBytes { Store.keyHash($0) }, value: value, expiresAtMillis: expiresAtMillis)
    }

    /// `putString(_:value:expiresAtMillis:)` with the key's `Store.keyHash` already computed.
    func putString(_ key: ByteBuffer, keyHash: UInt64, value: ByteBuffer, expiresAtMillis: UInt64) throws(OperationError) {
        try checkKey(key)
        try checkValue(value)
        let (version, now) = versions.nextVersionAndNow()
        let result = key.withUnsafeReadableBytes { keyBytes in
            value.withUnsafeReadableBytes { valueBytes in
                store.write(key: keyBytes, keyHash: keyHash, value: valueBytes, version: version, expiresAtMillis: expiresAtMillis, nowMillis: now)
            }
        }
        // Superseded only by a replica's newer version: LWW keeps that one, as for `set`.
        if case .rejected(let error) = result { throw OperationError(error) }
    }

    /// Deletes `key` with a tombstone; whether a live value was there.
    func removeString(_ key: ByteBuffer) throws(OperationError) -> Bool {
        try delete(key).existed
    }

    func checkValue(_ value: ByteBuffer) throws(OperationError) {
        guard value.readableBytes <= configuration.maxValueBytes else {
            throw OperationError(.valueTooLarge, "value of \(value.readableBytes) bytes exceeds the limit of \(configuration.maxValueBytes) bytes")
        }
    }
}
