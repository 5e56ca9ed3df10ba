import RingtailModel

/// What the store holds for a key, as seen by `Store.read`.
public enum StoreLookup {
    /// A live value.
    case value(StoredValue)
    /// The key was deleted at this version; the tombstone is kept until its grace ends.
    case tombstone(Version)
    /// Nothing (never written, expired, evicted or purged).
    case missing
}

/// A live value, borrowed from the store: `bytes` is valid only inside the `read` closure.
public struct StoredValue {
    public let bytes: UnsafeRawBufferPointer
    public let version: Version
    /// Absolute expiry in milliseconds since the epoch; 0 = never.
    public let expiresAtMillis: UInt64

    public init(bytes: UnsafeRawBufferPointer, version: Version, expiresAtMillis: UInt64) {
        self.bytes = bytes
        self.version = version
        self.expiresAtMillis = expiresAtMillis
    }
}

/// Outcome of a write or delete.
public enum StoreWriteResult: Equatable, Sendable {
    /// Stored. `replacedLiveValue` tells whether an unexpired value was overwritten.
    case applied(replacedLiveValue: Bool)
    /// The store holds `current`, which is equal or newer; nothing changed.
    case superseded(current: Version)
    /// Refused before anything changed.
    case rejected(StoreError)
}

/// Why a write was refused.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyKey
    case keyTooLarge(bytes: Int, limit: Int)
    case valueTooLarge(bytes: Int, limit: Int)
    /// The entry alone needs more than one shard's share of the memory bound.
    case entryExceedsMemoryLimit(bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .emptyKey:
            "key is empty"
        case .keyTooLarge(let bytes, let limit):
            "key of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .valueTooLarge(let bytes, let limit):
            "value of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .entryExceedsMemoryLimit(let bytes, let limit):
            "entry needs \(bytes) bytes but a shard can hold at most \(limit) bytes per entry"
        }
    }
}

/// What one `Store.sweep` call reclaimed.
public struct SweepResult: Equatable, Sendable {
    public var expired: Int
    public var purgedTombstones: Int

    public init(expired: Int, purgedTombstones: Int) {
        self.expired = expired
        self.purgedTombstones = purgedTombstones
    }
}

/// One entry as seen by `Store.forEachEntry(inShard:nowMillis:_:)`; borrowed bytes, valid
/// only inside the closure.
public struct StoreEntry {
    public let key: UnsafeRawBufferPointer
    /// `UInt32(Store.keyHash(key) >> 32)`: enough for partition (top bits) lookups without
    /// hashing the key again.
    public let keyHashHigh: UInt32
    public let version: Version
    /// 0 = never; always 0 for a tombstone.
    public let expiresAtMillis: UInt64
    public let isTombstone: Bool
    /// Empty for a tombstone.
    public let value: UnsafeRawBufferPointer
}
