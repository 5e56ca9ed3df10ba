import RingtailModel

/// What an entry was or became, as anti-entropy sees it.
public struct EntryStampInfo: Sendable, Equatable {
    public var version: Version
    public var isTombstone: Bool
    /// Expiry of a value (0 = never); for a tombstone, when it may be purged.
    public var expiresAtMillis: UInt64

    public init(version: Version, isTombstone: Bool, expiresAtMillis: UInt64) {
        self.version = version
        self.isTombstone = isTombstone
        self.expiresAtMillis = expiresAtMillis
    }
}

/// Told about every change to the store's contents, so derived state (the partitions' Merkle
/// trees) follows without rescanning. Called with the shard's lock held: it must be quick,
/// must not call back into the store, and may only take locks of its own.
public protocol StoreObserver: AnyObject, Sendable {
    /// A write, delete, expiry or tombstone purge changed `key` from `old` to `new` (nil: absent).
    func storeChanged(key: UnsafeRawBufferPointer, old: EntryStampInfo?, new: EntryStampInfo?)
    /// `storeChanged(key:old:new:)` for a write or delete, with what the write already knows:
    /// the key's `Store.keyHash` and the operation's time, so the observer hashes nothing and
    /// reads no clock on the write path.
    func storeWritten(key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStampInfo?, new: EntryStampInfo?, nowMillis: UInt64)
    /// The store dropped `key` to stay within its memory bound; the data itself did not change.
    func storeEvicted(key: UnsafeRawBufferPointer, entry: EntryStampInfo)
}

extension StoreObserver {
    public func storeWritten(
        key: UnsafeRawBufferPointer, keyHash: UInt64, old: EntryStampInfo?, new: EntryStampInfo?, nowMillis: UInt64
    ) {
        storeChanged(key: key, old: old, new: new)
    }
}
