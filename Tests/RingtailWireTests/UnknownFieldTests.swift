import NIOCore
import RingtailWire
import Testing

/// A newer peer may send fields this build has never heard of; they must be stepped over, whatever their wire type.
@Suite struct UnknownFieldTests {
    @Test(arguments: WireSamples.all)
    func unknownFieldsBetweenKnownOnesAreSkipped(_ sample: WireSample) throws {
        let unknown = WireImage.unknownFieldsOfEveryWireType.flatMap { $0 }
        let fields = try WireImage.fields(of: sample.body)
        // Before, between and after every known field.
        let interleaved = unknown + fields.flatMap { $0.bytes + unknown }
        var body = ByteBuffer(bytes: interleaved)
        let decoded = try AnyMessage(type: sample.message.messageType, decoding: &body)
        #expect(decoded == sample.message)
        #expect(body.readableBytes == 0)
    }

    @Test(arguments: WireImage.unknownFieldsOfEveryWireType.indices)
    func eachWireTypeIsSkippedOnItsOwn(_ index: Int) throws {
        let known = GetRequest(key: ByteBuffer(string: "key"), readQuorum: 2)
        var body = ByteBuffer(bytes: WireImage.unknownFieldsOfEveryWireType[index] + known.encoded().bytes)
        #expect(try GetRequest(decoding: &body) == known)
    }

    @Test func unknownFieldsInsideNestedMessagesAreSkipped() throws {
        let version = EntryVersion(timestamp: 7, node: 9).encoded().bytes
        let nested = WireImage.unknownFieldsOfEveryWireType[2] + version + WireImage.unknownFieldsOfEveryWireType[1]
        var body = ByteBuffer(bytes: WireImage.tag(3, .lengthDelimited) + WireImage.varint(UInt64(nested.count)) + nested)
        #expect(try GetResponse(decoding: &body) == GetResponse(version: EntryVersion(timestamp: 7, node: 9)))
    }

    @Test func emptyMessagesSkipEverything() throws {
        var body = ByteBuffer(bytes: WireImage.unknownFieldsOfEveryWireType.flatMap { $0 })
        #expect(try PingRequest(decoding: &body) == PingRequest())
        #expect(body.readableBytes == 0)
    }
}
