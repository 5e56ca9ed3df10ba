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
    /// One entry's contribution to its leaf: BLAKE2b-128 of a 16-byte block holding the stamp
    /// (timestamp, node tag, tombstone flag, format byte) followed by the key bytes.
    ///
    /// The block has a fixed length, so the concatenation is unambiguous. One unkeyed call: a
    /// stamp and a key of up to 112 bytes fill one BLAKE2b block, where the keyed mode (the
    /// stamp as the key) took a compression of its own, twice the work on every write of every
    /// replica (27% of a replica's CPU under pipelined writes). The concatenation is assembled on
    /// the stack for such keys.
    public static func entry(key: UnsafeRawBufferPointer, stamp: EntryStamp) -> MerkleDigest {
        let flags = UInt64(stamp.isTombstone ? 1 : 0) << 32 | UInt64(entryFormat) << 56
        let block: (UInt64, UInt64) = (
            stamp.version.timestamp.rawValue.littleEndian,
            (UInt64(stamp.version.node.rawValue) | flags).littleEndian
        )
        let blockBytes = MemoryLayout<(UInt64, UInt64)>.size
        return withUnsafeTemporaryAllocation(byteCount: blockBytes + key.count, alignment: 8) { message in
            withUnsafeBytes(of: block) { message.copyMemory(from: $0) }
            if !key.isEmpty { UnsafeMutableRawBufferPointer(rebasing: message[blockBytes...]).copyMemory(from: key) }
            return blake2b(UnsafeRawBufferPointer(message))
        }
    }

    public static func entry(key: [UInt8], stamp: EntryStamp) -> MerkleDigest {
        key.withUnsafeBytes { entry(key: $0, stamp: stamp) }
    }

    /// Bumped if the encoding above ever changes, so mixed versions compare unequal rather
    /// than silently equal.
    static let entryFormat: UInt8 = 2
}
