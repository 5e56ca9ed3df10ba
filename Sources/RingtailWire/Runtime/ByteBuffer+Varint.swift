import NIOCore

/// Base-128 varints and zigzag, as protobuf lays them out: seven bits per byte, least significant group
/// first, the high bit set on every byte but the last.
extension ByteBuffer {
    /// The most bytes a 64-bit varint can take.
    public static let maxVarintBytes = 10

    /// Appends `value` as a varint; returns the number of bytes written.
    @discardableResult
    public mutating func writeVarint(_ value: UInt64) -> Int {
        var remaining = value
        var written = 0
        while remaining >= 0x80 {
            written += writeInteger(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        written += writeInteger(UInt8(truncatingIfNeeded: remaining))
        return written
    }

    /// Reads a varint at the reader index, moving past it only on success.
    ///
    /// Rejects varints longer than 10 bytes and a 10th byte with bits beyond the 64th, so no two encodings
    /// of different lengths can smuggle in extra data.
    public mutating func readVarint() throws(WireDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var index = readerIndex
        for byteNumber in 0..<Self.maxVarintBytes {
            guard let byte = getInteger(at: index, as: UInt8.self) else {
                throw .truncated
            }
            index += 1
            // Byte 10 holds only bit 63; anything more would be silently dropped.
            if byteNumber == Self.maxVarintBytes - 1 && byte > 1 {
                throw .malformedVarint
            }
            result |= UInt64(byte & 0x7F) << (7 * UInt64(byteNumber))
            if byte < 0x80 {
                moveReaderIndex(to: index)
                return result
            }
        }
        throw .malformedVarint
    }

    /// How many bytes `value` takes as a varint.
    public static func varintSize(_ value: UInt64) -> Int {
        // One byte per started group of seven significant bits; zero still takes a byte.
        let significantBits = 64 - value.leadingZeroBitCount
        return max(1, (significantBits + 6) / 7)
    }

    /// Appends a field tag.
    @discardableResult
    public mutating func writeWireTag(_ tag: WireTag) -> Int {
        writeVarint(tag.rawValue)
    }

    /// Reads the next field tag, or returns `nil` when no readable bytes are left (the end of the body).
    public mutating func readWireTag() throws(WireDecodingError) -> WireTag? {
        guard readableBytes > 0 else { return nil }
        return try WireTag(rawValue: readVarint())
    }
}

/// ZigZag maps signed integers to unsigned ones so that small magnitudes of either sign stay short varints.
public enum ZigZag {
    public static func encode(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    public static func decode(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
