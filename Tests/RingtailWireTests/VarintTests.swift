import NIOCore
import RingtailWire
import Testing

@Suite struct VarintTests {
    static let vectors: [(value: UInt64, bytes: [UInt8])] = [
        (0, [0x00]),
        (1, [0x01]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (150, [0x96, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    static let zigZagPairs: [(signed: Int64, unsigned: UInt64)] = [
        (0, 0), (-1, 1), (1, 2), (-2, 3), (2, 4), (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max),
    ]

    @Test(arguments: vectors)
    func encodesAndDecodesKnownVectors(value: UInt64, bytes: [UInt8]) throws {
        var buffer = ByteBuffer()
        #expect(buffer.writeVarint(value) == bytes.count)
        #expect(buffer.bytes == bytes)
        #expect(ByteBuffer.varintSize(value) == bytes.count)
        #expect(try buffer.readVarint() == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test func acceptsNonMinimalEncodingsUpToTenBytes() throws {
        var buffer = ByteBuffer(bytes: [0x81, 0x80, 0x80, 0x00])
        #expect(try buffer.readVarint() == 1)
    }

    @Test func failedReadsLeaveTheReaderIndexAlone() {
        var buffer = ByteBuffer(bytes: [0x80, 0x80])
        #expect(throws: WireDecodingError.truncated) { try buffer.readVarint() }
        #expect(buffer.readerIndex == 0)
    }

    @Test(arguments: zigZagPairs)
    func zigZagMapsSmallMagnitudesToSmallNumbers(signed: Int64, unsigned: UInt64) {
        #expect(ZigZag.encode(signed) == unsigned)
        #expect(ZigZag.decode(unsigned) == signed)
    }

    @Test func tagsPackFieldNumberAndWireType() throws {
        let tag = WireTag(fieldNumber: 16, wireType: .lengthDelimited)
        #expect(tag.rawValue == 130)
        var buffer = ByteBuffer()
        buffer.writeWireTag(tag)
        #expect(buffer.bytes == [0x82, 0x01])
        #expect(try buffer.readWireTag() == tag)
        #expect(try buffer.readWireTag() == nil)
    }

    @Test func skipsEachWireType() throws {
        var buffer = ByteBuffer(bytes: WireImage.unknownFieldsOfEveryWireType.flatMap { $0 } + [0xAB])
        for _ in WireImage.unknownFieldsOfEveryWireType {
            let tag = try #require(try buffer.readWireTag())
            try buffer.skipWireField(tag)
        }
        #expect(buffer.bytes == [0xAB])
    }
}
