import NIOCore

/// Typed field readers for generated `init(decoding:nestingDepth:)`: each checks the tag's wire type against
/// the schema's type, then reads the value.
extension ByteBuffer {
    mutating func readWireUInt32(_ tag: WireTag) throws(WireDecodingError) -> UInt32 {
        let value = try readWireVarintValue(tag)
        guard let narrowed = UInt32(exactly: value) else {
            throw WireDecodingError(.valueOutOfRange(field: tag.fieldNumber))
        }
        return narrowed
    }

    mutating func readWireUInt64(_ tag: WireTag) throws(WireDecodingError) -> UInt64 {
        try readWireVarintValue(tag)
    }

    mutating func readWireInt64(_ tag: WireTag) throws(WireDecodingError) -> Int64 {
        ZigZag.decode(try readWireVarintValue(tag))
    }

    /// Any non-zero varint reads as `true`, as protobuf does.
    mutating func readWireBool(_ tag: WireTag) throws(WireDecodingError) -> Bool {
        try readWireVarintValue(tag) != 0
    }

    mutating func readWireFixed32(_ tag: WireTag) throws(WireDecodingError) -> UInt32 {
        try expect(tag, .fixed32)
        guard let value = readInteger(endianness: .little, as: UInt32.self) else {
            throw .truncated
        }
        return value
    }

    mutating func readWireFixed64(_ tag: WireTag) throws(WireDecodingError) -> UInt64 {
        try expect(tag, .fixed64)
        guard let value = readInteger(endianness: .little, as: UInt64.self) else {
            throw .truncated
        }
        return value
    }

    /// Returns a slice sharing this buffer's storage, so large values are not copied.
    mutating func readWireBytes(_ tag: WireTag) throws(WireDecodingError) -> ByteBuffer {
        try readWireLengthDelimited(tag)
    }

    mutating func readWireString(_ tag: WireTag) throws(WireDecodingError) -> String {
        let bytes = try readWireLengthDelimited(tag)
        guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw WireDecodingError(.invalidUTF8(field: tag.fieldNumber))
        }
        return string
    }

    /// Decodes a nested message from exactly the bytes its length prefix claims.
    mutating func readWireMessage<Message: WireMessage>(
        _ type: Message.Type,
        _ tag: WireTag,
        nestingDepth: Int
    ) throws(WireDecodingError) -> Message {
        var body = try readWireLengthDelimited(tag)
        guard nestingDepth < WireLimits.maxNestingDepth else {
            throw .nestingTooDeep
        }
        return try Message(decoding: &body, nestingDepth: nestingDepth + 1)
    }

    private mutating func readWireVarintValue(_ tag: WireTag) throws(WireDecodingError) -> UInt64 {
        try expect(tag, .varint)
        return try readVarint()
    }

    private mutating func readWireLengthDelimited(_ tag: WireTag) throws(WireDecodingError) -> ByteBuffer {
        try expect(tag, .lengthDelimited)
        let length = try readWireLength()
        guard let slice = readSlice(length: length) else {
            throw .truncated
        }
        return slice
    }

    private func expect(_ tag: WireTag, _ wireType: WireType) throws(WireDecodingError) {
        guard tag.wireType == wireType else {
            throw WireDecodingError(.invalidWireType(field: tag.fieldNumber, wireType: tag.wireType.rawValue))
        }
    }
}
