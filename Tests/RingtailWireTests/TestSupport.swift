import NIOCore
import RingtailWire
import RingtailModel

extension ByteBuffer {
    /// The readable bytes, for building and comparing wire images.
    var bytes: [UInt8] { Array(readableBytesView) }
}

/// Wire-image surgery on encoded bodies, built only on the public runtime.
enum WireImage {
    /// One top-level field of an encoded body: its number and its bytes, tag included.
    struct Field {
        var number: UInt32
        var bytes: [UInt8]
    }

    /// Splits a body into its top-level fields.
    static func fields(of body: [UInt8]) throws -> [Field] {
        var buffer = ByteBuffer(bytes: body)
        var fields: [Field] = []
        var start = buffer.readerIndex
        while let tag = try buffer.readWireTag() {
            try buffer.skipWireField(tag)
            fields.append(Field(number: tag.fieldNumber, bytes: Array(body[start..<buffer.readerIndex])))
            start = buffer.readerIndex
        }
        return fields
    }

    /// Offsets at which a top-level field starts, plus the end of the body.
    static func fieldBoundaries(of body: [UInt8]) throws -> Set<Int> {
        var boundaries: Set<Int> = [0]
        var offset = 0
        for field in try fields(of: body) {
            offset += field.bytes.count
            boundaries.insert(offset)
        }
        return boundaries
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeVarint(value)
        return buffer.bytes
    }

    static func tag(_ field: UInt32, _ wireType: WireType) -> [UInt8] {
        varint(WireTag(fieldNumber: field, wireType: wireType).rawValue)
    }

    /// A raw tag with any wire type, including the ones `WireType` refuses to represent.
    static func rawTag(_ field: UInt64, wireType: UInt8) -> [UInt8] {
        varint(field << 3 | UInt64(wireType))
    }

    /// One field of each wire type, with numbers no schema message uses.
    static let unknownFieldsOfEveryWireType: [[UInt8]] = [
        tag(1000, .varint) + varint(300),
        tag(1001, .fixed64) + [1, 2, 3, 4, 5, 6, 7, 8],
        tag(1002, .lengthDelimited) + varint(5) + Array("junk!".utf8),
        tag(536_870_911, .fixed32) + [9, 9, 9, 9],
        tag(1003, .varint) + varint(.max),
        tag(1004, .lengthDelimited) + varint(0),
    ]
}


extension SplitMix64 {
    /// A value in `0..<bound` without relying on the standard library's sampling algorithm,
    /// so fuzz runs repeat exactly across toolchains.
    mutating func next(below bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func nextByte() -> UInt8 {
        UInt8(truncatingIfNeeded: next())
    }
}
