import RingtailModel

/// The fixed-size metadata of one entry, kept in the shard's slot storage.
///
/// Every field is a `UInt32` so the stride is 44 bytes rather than the 48 that 8-byte
/// alignment would force; at a million keys that is 4 MB saved. 64-bit quantities are
/// split into halves, expiry is 48 bits (milliseconds up to the year 10889) and shares a
/// word with the key length, and a tombstone is a value length of `UInt32.max`.
struct EntryHeader {
    /// `nil` slot link: the end of the LRU list.
    static let none: UInt32 = .max
    /// Value length marking a tombstone (which has no value).
    static let tombstoneLength: UInt32 = .max
    /// Largest storable expiry; later ones are clamped to it (still centuries away).
    static let maxExpiry: UInt64 = (1 << 48) - 1

    private var dataLow: UInt32
    private var dataHigh: UInt32
    private var stampLow: UInt32
    private var stampHigh: UInt32
    private var nodeTag: UInt32
    private var expiryLow: UInt32
    /// Expiry bits 32...47 in the high half, `keyLength - 1` in the low half.
    private var expiryHighAndKeyLength: UInt32
    /// Value length, or `tombstoneLength`.
    private(set) var valueField: UInt32
    /// Bits 32...63 of the key's XXH64: index position, index tags, partition lookups.
    var hash: UInt32
    /// Neighbour towards the LRU head (more recently used), or `none`.
    var prev: UInt32
    /// Neighbour towards the LRU tail (less recently used), or `none`.
    var next: UInt32

    init(
        data: UnsafeMutableRawPointer, keyLength: Int, valueLength: UInt32, hash: UInt32,
        version: Version, expiry: UInt64
    ) {
        let address = UInt64(UInt(bitPattern: data))
        dataLow = UInt32(truncatingIfNeeded: address)
        dataHigh = UInt32(truncatingIfNeeded: address >> 32)
        stampLow = 0
        stampHigh = 0
        nodeTag = 0
        expiryLow = 0
        expiryHighAndKeyLength = UInt32(truncatingIfNeeded: keyLength - 1)
        valueField = valueLength
        self.hash = hash
        prev = Self.none
        next = Self.none
        self.version = version
        self.expiry = expiry
    }

    /// The malloc'd block holding the key bytes followed by the value bytes.
    var data: UnsafeMutableRawPointer {
        get {
            let address = UInt64(dataHigh) << 32 | UInt64(dataLow)
            return UnsafeMutableRawPointer(bitPattern: UInt(address))!
        }
        set {
            let address = UInt64(UInt(bitPattern: newValue))
            dataLow = UInt32(truncatingIfNeeded: address)
            dataHigh = UInt32(truncatingIfNeeded: address >> 32)
        }
    }

    var keyLength: Int { Int(expiryHighAndKeyLength & 0xFFFF) + 1 }

    var isTombstone: Bool { valueField == Self.tombstoneLength }

    /// Value bytes held (0 for a tombstone).
    var valueLength: Int { isTombstone ? 0 : Int(valueField) }

    mutating func setValueLength(_ length: UInt32) { valueField = length }

    var version: Version {
        get {
            Version(
                timestamp: HLCTimestamp(rawValue: UInt64(stampHigh) << 32 | UInt64(stampLow)),
                node: NodeTag(rawValue: nodeTag))
        }
        set {
            stampLow = UInt32(truncatingIfNeeded: newValue.timestamp.rawValue)
            stampHigh = UInt32(truncatingIfNeeded: newValue.timestamp.rawValue >> 32)
            nodeTag = newValue.node.rawValue
        }
    }

    /// Absolute expiry in ms (0 = never); for a tombstone, when it may be purged.
    var expiry: UInt64 {
        get { UInt64(expiryHighAndKeyLength >> 16) << 32 | UInt64(expiryLow) }
        set {
            let clamped = min(newValue, Self.maxExpiry)
            expiryLow = UInt32(truncatingIfNeeded: clamped)
            expiryHighAndKeyLength =
                UInt32(truncatingIfNeeded: clamped >> 32) << 16 | (expiryHighAndKeyLength & 0xFFFF)
        }
    }

    /// Whether a value entry has expired or a tombstone is due for purging at `now`.
    /// Bytes of the entry's block (key, then value).
    var blockByteCount: Int { keyLength + valueLength }

    /// What the entry's block occupies in the allocator.
    var blockFootprint: Int { EntryBlock.footprint(data, byteCount: blockByteCount) }

    @inline(__always)
    func isDue(at now: UInt64) -> Bool {
        let expiry = self.expiry
        return expiry != 0 && expiry <= now
    }

    var key: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data, count: keyLength)
    }

    var value: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data + keyLength, count: valueLength)
    }
}
