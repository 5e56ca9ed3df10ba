import RingtailModel

/// What the tree knows of one entry besides its key: the version that wrote it and whether
/// that write was a delete. Values are not hashed: a version names exactly one write, so two
/// replicas with the same version hold the same bytes.
public struct EntryStamp: Hashable, Sendable, CustomStringConvertible {
    public var version: Version
    public var isTombstone: Bool

    public init(version: Version, isTombstone: Bool) {
        self.version = version
        self.isTombstone = isTombstone
    }

    public static func value(_ version: Version) -> EntryStamp { EntryStamp(version: version, isTombstone: false) }
    public static func tombstone(_ version: Version) -> EntryStamp { EntryStamp(version: version, isTombstone: true) }

    public var description: String { isTombstone ? "tombstone \(version)" : "value \(version)" }
}

extension MerkleDigest {
    /// One entry's contribution to its leaf: BLAKE2b-128 of the key bytes, keyed with a
    /// 16-byte block holding the stamp (timestamp, node tag, tombstone flag, format byte).
    ///
    /// Keyed mode, because BLAKE2b puts the key in a block of its own ahead of the message:
    /// the stamp and a key of any length are encoded unambiguously in one call, with no buffer
    /// to assemble them in, so the hot path does not allocate.
    public static func entry(key: UnsafeRawBufferPointer, stamp: EntryStamp) -> MerkleDigest {
        let flags = UInt64(stamp.isTombstone ? 1 : 0) << 32 | UInt64(entryFormat) << 56
        let block: (UInt64, UInt64) = (
            stamp.version.timestamp.rawValue.littleEndian,
            (UInt64(stamp.version.node.rawValue) | flags).littleEndian
        )
        return withUnsafeBytes(of: block) { blake2b(key, key: $0) }
    }

    public static func entry(key: [UInt8], stamp: EntryStamp) -> MerkleDigest {
        key.withUnsafeBytes { entry(key: $0, stamp: stamp) }
    }

    /// Bumped if the encoding above ever changes, so mixed versions compare unequal rather
    /// than silently equal.
    static let entryFormat: UInt8 = 1
}
