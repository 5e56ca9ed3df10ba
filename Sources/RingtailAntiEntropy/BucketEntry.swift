import RingtailModel

/// What a replica holds for a key, as far as anti-entropy cares.
public enum EntryKind: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// A value with its bytes.
    case value
    /// A delete.
    case tombstone
    /// A value this replica evicted: the version is known and still in the tree (a ghost),
    /// the bytes are gone. Digests like `.value`.
    case evicted

    public var description: String {
        switch self {
        case .value: "value"
        case .tombstone: "tombstone"
        case .evicted: "evicted"
        }
    }
}

/// One line of a bucket list: a key and what one replica holds for it, without the bytes.
public struct BucketEntry: Hashable, Sendable, CustomStringConvertible {
    public var key: [UInt8]
    public var version: Version
    public var kind: EntryKind
    /// Absolute expiry of a value (held or evicted); 0 = never. Ignored for tombstones.
    public var expiresAtMillis: UInt64
    /// Size of the value, so budgets can be checked before fetching; 0 unless `.value`.
    public var valueByteCount: Int

    public init(key: [UInt8], version: Version, kind: EntryKind, expiresAtMillis: UInt64 = 0, valueByteCount: Int = 0) {
        self.key = key
        self.version = version
        self.kind = kind
        self.expiresAtMillis = expiresAtMillis
        self.valueByteCount = kind == .value ? valueByteCount : 0
    }

    public var stamp: EntryStamp { EntryStamp(version: version, isTombstone: kind == .tombstone) }

    /// Past use at `nowMillis`: an expired value, or a tombstone older than the grace. A dead
    /// entry still beats older versions, but is never copied to a replica lacking the key.
    public func isDead(nowMillis: UInt64, tombstoneGraceMillis: UInt64) -> Bool {
        switch kind {
        case .value, .evicted:
            return expiresAtMillis != 0 && expiresAtMillis <= nowMillis
        case .tombstone:
            let (purgeAt, overflow) = version.timestamp.physicalMillis.addingReportingOverflow(tombstoneGraceMillis)
            return !overflow && purgeAt <= nowMillis
        }
    }

    public var description: String {
        "\(String(decoding: key, as: UTF8.self)) \(kind) \(version)"
    }
}

/// The entries of one bucket on one replica, sorted by key bytes or not: the decision sorts.
public struct BucketListing: Hashable, Sendable {
    public var bucket: Int
    public var entries: [BucketEntry]

    public init(bucket: Int, entries: [BucketEntry]) {
        self.bucket = bucket
        self.entries = entries
    }
}
