/// How a field's value is laid out on the wire; the low three bits of every tag.
///
/// Only the four protobuf wire types that carry a value exist here: the group types (3, 4) and the
/// undefined ones (6, 7) are rejected when a tag is read.
public enum WireType: UInt8, Sendable, Hashable {
    /// A base-128 varint: `uint32`, `uint64`, zigzag `int64`, `bool`, enums.
    case varint = 0
    /// Eight little-endian bytes: `fixed64`.
    case fixed64 = 1
    /// A varint length and that many bytes: `bytes`, `string`, nested messages.
    case lengthDelimited = 2
    /// Four little-endian bytes: `fixed32`.
    case fixed32 = 5
}

/// The key in front of every field: which field follows and how it is laid out.
public struct WireTag: Hashable, Sendable, CustomStringConvertible {
    /// The schema's field number, 1...``WireLimits/maxFieldNumber``.
    public var fieldNumber: UInt32
    public var wireType: WireType

    public init(fieldNumber: UInt32, wireType: WireType) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
    }

    /// The tag as it is sent: `(fieldNumber << 3) | wireType`.
    public var rawValue: UInt64 {
        UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue)
    }

    /// Splits a raw tag, rejecting field numbers outside 1...536,870,911 and wire types without a value.
    public init(rawValue: UInt64) throws(WireDecodingError) {
        let number = rawValue >> 3
        guard number >= 1, number <= UInt64(WireLimits.maxFieldNumber) else {
            throw WireDecodingError(.invalidFieldNumber(number))
        }
        let fieldNumber = UInt32(truncatingIfNeeded: number)
        let rawWireType = UInt8(truncatingIfNeeded: rawValue & 0b111)
        guard let wireType = WireType(rawValue: rawWireType) else {
            throw WireDecodingError(.invalidWireType(field: fieldNumber, wireType: rawWireType))
        }
        self.init(fieldNumber: fieldNumber, wireType: wireType)
    }

    public var description: String {
        "field \(fieldNumber) (\(wireType))"
    }
}
