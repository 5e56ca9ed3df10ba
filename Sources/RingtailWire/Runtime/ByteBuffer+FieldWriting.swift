import NIOCore

/// Typed field writers for generated `encode(into:)`. They always write; generated code decides whether a
/// field is present (defaults of non-optional scalars are left out).
extension ByteBuffer {
    mutating func writeWireUInt32(_ value: UInt32, field: UInt32) {
        writeWireVarintField(UInt64(value), field: field)
    }

    mutating func writeWireUInt64(_ value: UInt64, field: UInt32) {
        writeWireVarintField(value, field: field)
    }

    mutating func writeWireInt64(_ value: Int64, field: UInt32) {
        writeWireVarintField(ZigZag.encode(value), field: field)
    }

    mutating func writeWireBool(_ value: Bool, field: UInt32) {
        writeWireVarintField(value ? 1 : 0, field: field)
    }

    mutating func writeWireFixed32(_ value: UInt32, field: UInt32) {
        writeWireTag(WireTag(fieldNumber: field, wireType: .fixed32))
        writeInteger(value, endianness: .little)
    }

    mutating func writeWireFixed64(_ value: UInt64, field: UInt32) {
        writeWireTag(WireTag(fieldNumber: field, wireType: .fixed64))
        writeInteger(value, endianness: .little)
    }

    mutating func writeWireBytes(_ value: ByteBuffer, field: UInt32) {
        writeWireTag(WireTag(fieldNumber: field, wireType: .lengthDelimited))
        writeVarint(UInt64(value.readableBytes))
        writeImmutableBuffer(value)
    }

    mutating func writeWireString(_ value: String, field: UInt32) {
        writeWireTag(WireTag(fieldNumber: field, wireType: .lengthDelimited))
        writeVarint(UInt64(value.utf8.count))
        writeString(value)
    }

    mutating func writeWireMessage(_ value: some WireMessage, field: UInt32) {
        writeWireTag(WireTag(fieldNumber: field, wireType: .lengthDelimited))
        writeLengthPrefixedBody { body in value.encode(into: &body) }
    }

    private mutating func writeWireVarintField(_ value: UInt64, field: UInt32) {
        writeWireTag(WireTag(fieldNumber: field, wireType: .varint))
        writeVarint(value)
    }

    /// Writes a varint length followed by what `writeBody` appends, without knowing the length up front.
    ///
    /// One length byte is reserved because most nested messages are under 128 bytes; longer bodies are moved
    /// along to make room, which is cheaper than encoding every message twice to measure it.
    private mutating func writeLengthPrefixedBody(_ writeBody: (inout ByteBuffer) -> Void) {
        let lengthIndex = writerIndex
        writeInteger(UInt8(0))
        let bodyStart = writerIndex
        writeBody(&self)
        let bodyLength = writerIndex - bodyStart
        let lengthSize = Self.varintSize(UInt64(bodyLength))
        if lengthSize > 1 {
            let extraBytes = lengthSize - 1
            do {
                try copyBytes(at: bodyStart, to: bodyStart + extraBytes, length: bodyLength)
            } catch {
                // copyBytes only fails for a negative length or unreadable source, and the body was just written.
                preconditionFailure("cannot move a freshly written message body: \(error)")
            }
            moveWriterIndex(forwardBy: extraBytes)
        }
        setVarint(UInt64(bodyLength), at: lengthIndex)
    }

    private mutating func setVarint(_ value: UInt64, at index: Int) {
        var remaining = value
        var position = index
        while remaining >= 0x80 {
            setInteger(UInt8(truncatingIfNeeded: remaining) | 0x80, at: position)
            remaining >>= 7
            position += 1
        }
        setInteger(UInt8(truncatingIfNeeded: remaining), at: position)
    }
}
