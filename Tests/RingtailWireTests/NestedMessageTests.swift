import NIOCore
import Testing

@testable import RingtailWire

/// The schema's nested messages are all small and none is recursive, so the runtime paths for long nested
/// bodies and deep nesting are exercised with this hand-written message instead.
private struct Blob: WireMessage {
    var payload = ByteBuffer()
    var inner: [Blob] = []

    init(payload: ByteBuffer = ByteBuffer(), inner: [Blob] = []) {
        self.payload = payload
        self.inner = inner
    }

    init(decoding buffer: inout ByteBuffer, nestingDepth: Int) throws(WireDecodingError) {
        self.init()
        while let tag = try buffer.readWireTag() {
            switch tag.fieldNumber {
            case 1: payload = try buffer.readWireBytes(tag)
            case 2: inner.append(try buffer.readWireMessage(Blob.self, tag, nestingDepth: nestingDepth))
            default: try buffer.skipWireField(tag)
            }
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        if payload.readableBytes != 0 { buffer.writeWireBytes(payload, field: 1) }
        for element in inner { buffer.writeWireMessage(element, field: 2) }
    }
}

@Suite struct NestedMessageTests {
    /// Around each point where the nested length's varint grows a byte, which moves the body along.
    @Test(arguments: [0, 1, 125, 126, 127, 128, 129, 16_380, 16_381, 16_382, 16_383, 16_384, 2_097_148, 2_097_152])
    func nestedBodiesOfEveryLengthSizeRoundTrip(payloadLength: Int) throws {
        let payload = ByteBuffer(bytes: (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0) })
        let outer = Blob(inner: [Blob(payload: payload), Blob()])

        var innerBody = ByteBuffer()
        Blob(payload: payload).encode(into: &innerBody)
        let expected =
            [0x12] + WireImage.varint(UInt64(innerBody.readableBytes)) + innerBody.bytes + [0x12, 0x00]

        var encoded = outer.encoded()
        #expect(encoded.bytes == expected)
        #expect(try Blob(decoding: &encoded) == outer)
    }

    @Test func nestingUpToTheLimitDecodes() throws {
        var body = Self.nested(depth: WireLimits.maxNestingDepth)
        var message = try Blob(decoding: &body)
        var depth = 0
        while let next = message.inner.first {
            message = next
            depth += 1
        }
        #expect(depth == WireLimits.maxNestingDepth)
    }

    @Test(arguments: [WireLimits.maxNestingDepth + 1, 100_000])
    func nestingPastTheLimitIsRejectedWithoutExhaustingTheStack(depth: Int) {
        var body = Self.nested(depth: depth)
        #expect(throws: WireDecodingError.nestingTooDeep) { try Blob(decoding: &body) }
    }

    @Test func indirectStorageIsAValue() {
        let boxed = WireIndirect(Blob(payload: ByteBuffer(string: "a")))
        #expect(boxed.value == Blob(payload: ByteBuffer(string: "a")))
        #expect(boxed == WireIndirect(Blob(payload: ByteBuffer(string: "a"))))
        #expect(boxed != WireIndirect(Blob()))
    }

    /// `depth` empty Blobs, each inside the previous one's field 2, built outside-in in linear time.
    private static func nested(depth: Int) -> ByteBuffer {
        var lengths = [0]
        for _ in 0..<depth {
            let inner = lengths[lengths.count - 1]
            lengths.append(1 + ByteBuffer.varintSize(UInt64(inner)) + inner)
        }
        var buffer = ByteBuffer()
        for level in stride(from: depth - 1, through: 0, by: -1) {
            buffer.writeInteger(UInt8(0x12))
            buffer.writeVarint(UInt64(lengths[level]))
        }
        return buffer
    }
}
