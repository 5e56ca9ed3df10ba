import NIOCore
import RingtailWire
import Testing

@Suite struct RoundTripTests {
    @Test func samplesCoverEveryMessageType() {
        let covered = Set(WireSamples.defaults.map(\.message.messageType))
        #expect(covered == Set(MessageType.allCases))
    }

    @Test(arguments: WireSamples.all)
    func roundTripsThroughAnyMessage(_ sample: WireSample) throws {
        var body = ByteBuffer(bytes: sample.body)
        let decoded = try AnyMessage(type: sample.message.messageType, decoding: &body)
        #expect(decoded == sample.message)
        #expect(body.readableBytes == 0)
    }

    @Test(arguments: WireSamples.all)
    func roundTripsThroughTheConcreteType(_ sample: WireSample) throws {
        try expectConcreteRoundTrip(sample.message.message)
    }

    @Test(arguments: WireSamples.all)
    func encodingIsCanonical(_ sample: WireSample) throws {
        var body = ByteBuffer(bytes: sample.body)
        let decoded = try AnyMessage(type: sample.message.messageType, decoding: &body)
        var again = ByteBuffer()
        decoded.encode(into: &again)
        #expect(again.bytes == sample.body)
    }

    @Test(arguments: WireSamples.all)
    func encodingAppendsAfterExistingBytes(_ sample: WireSample) throws {
        var buffer = ByteBuffer(bytes: [0xEE, 0xFF])
        sample.message.encode(into: &buffer)
        #expect(buffer.readSlice(length: 2)?.bytes == [0xEE, 0xFF])
        #expect(try AnyMessage(type: sample.message.messageType, decoding: &buffer) == sample.message)
    }

    @Test(arguments: WireSamples.all)
    func fieldsDecodeInAnyOrder(_ sample: WireSample) throws {
        // Highest field number first; a stable sort keeps repeated elements in their order.
        let fields = try WireImage.fields(of: sample.body)
        let shuffled = fields.enumerated().sorted { lhs, rhs in
            lhs.element.number != rhs.element.number ? lhs.element.number > rhs.element.number : lhs.offset < rhs.offset
        }
        var body = ByteBuffer(bytes: shuffled.flatMap(\.element.bytes))
        #expect(try AnyMessage(type: sample.message.messageType, decoding: &body) == sample.message)
    }

    @Test func defaultsEncodeToTheSmallestBody() {
        for sample in WireSamples.defaults {
            switch sample.message.messageType {
            case .setResponse, .deleteResponse, .replicaWriteRequest, .replicaReadResponse, .flushRequest, .flushAllResponse:
                // Non-optional message fields are always written, even when empty: tag and zero length.
                let tag: UInt8 = sample.message.messageType == .deleteResponse ? 0x12 : 0x0A
                #expect(sample.body == [tag, 0x00], "\(sample.name)")
            default:
                #expect(sample.body.isEmpty, "\(sample.name)")
            }
        }
    }

    @Test func matchesProtobufWireBytes() {
        // Worked out by hand from the protobuf encoding rules.
        let request = GetRequest(key: ByteBuffer(string: "abc"), readQuorum: 150)
        #expect(request.encoded().bytes == [0x0A, 0x03, 0x61, 0x62, 0x63, 0x10, 0x96, 0x01])

        let response = GetResponse(found: true, version: EntryVersion(timestamp: 1, node: 2), expiresAtMillis: 3)
        #expect(response.encoded().bytes == [
            0x08, 0x01,
            0x1A, 0x0E, 0x09, 1, 0, 0, 0, 0, 0, 0, 0, 0x15, 2, 0, 0, 0,
            0x21, 3, 0, 0, 0, 0, 0, 0, 0,
        ])

        let stats = StatsResponse(shards: [ShardStats(index: 1), ShardStats()], clockOffsetMillis: -2)
        #expect(stats.encoded().bytes == [0x7A, 0x02, 0x08, 0x01, 0x7A, 0x00, 0x80, 0x01, 0x03])

        let error = ErrorResponse(code: .timeout, message: "é")
        #expect(error.encoded().bytes == [0x08, 0x0D, 0x12, 0x02, 0xC3, 0xA9])
    }

    @Test func optionalFieldsKeepZeroApartFromAbsent() throws {
        var present = GetRequest(readQuorum: 0).encoded()
        #expect(try GetRequest(decoding: &present).readQuorum == 0)
        var absent = GetRequest().encoded()
        #expect(try GetRequest(decoding: &absent).readQuorum == nil)
    }

    @Test func bytesFieldsAreSlicesOfTheInput() throws {
        let input = GetRequest(key: WireSamples.largeBytes).encoded()
        var body = input
        let decoded = try GetRequest(decoding: &body)
        let inputRange = input.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress)..<UInt(bitPattern: $0.baseAddress) + UInt($0.count) }
        let keyStart = decoded.key.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(inputRange.contains(keyStart))
    }

    @Test func laterOccurrencesOverwriteAndRepeatedOnesAccumulate() throws {
        var body = ByteBuffer(bytes:
            WireImage.tag(1, .lengthDelimited) + [1, 0xAA]
            + WireImage.tag(2, .varint) + [5]
            + WireImage.tag(1, .lengthDelimited) + [2, 0xBB, 0xCC]
        )
        let request = try GetRequest(decoding: &body)
        #expect(request.key == ByteBuffer(bytes: [0xBB, 0xCC]))
        #expect(request.readQuorum == 5)

        // The first shard carries its index twice; the second value wins inside the nested message too.
        var shards = ByteBuffer(bytes: [0x7A, 0x04, 0x08, 0x01, 0x08, 0x02, 0x7A, 0x02, 0x08, 0x03])
        let stats = try StatsResponse(decoding: &shards)
        #expect(stats.shards == [ShardStats(index: 2), ShardStats(index: 3)])
        #expect(stats.keys == 0)
    }

    @Test func boolAcceptsAnyNonZeroVarint() throws {
        var body = ByteBuffer(bytes: [0x08, 0x80, 0x01])
        #expect(try GetResponse(decoding: &body).found)
    }

    @Test func enumsKeepUnknownValues() throws {
        var body = ErrorResponse(code: ErrorCode(rawValue: 4242)).encoded()
        let decoded = try ErrorResponse(decoding: &body)
        #expect(decoded.code.rawValue == 4242)
        #expect(decoded.code.description == "4242")
        #expect(ErrorCode.quorumFailed.description == "quorumFailed")
    }

    @Test func messageTypesAndProtocolVersion() {
        #expect(WireProtocol.version == 1)
        #expect(MessageType.getRequest.rawValue == 10)
        #expect(MessageType(rawValue: 17) == .statsResponse)
        #expect(MessageType(rawValue: 4) == nil)
        #expect(MessageType.statsResponse.description == "StatsResponse")
        #expect(GetRequest.messageType == .getRequest)
        #expect(AnyMessage.pingRequest(PingRequest()).messageType == .pingRequest)
    }

    private func expectConcreteRoundTrip<Message: FramedMessage>(_ message: Message) throws {
        var body = message.encoded()
        let decoded = try Message(decoding: &body)
        #expect(decoded == message)
        #expect(body.readableBytes == 0)
    }
}
