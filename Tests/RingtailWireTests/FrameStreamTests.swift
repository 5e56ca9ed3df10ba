import NIOCore
import RingtailWire
import Testing
import RingtailModel

/// Frames of every message type split from a stream as the connection handlers do (bytes
/// gathered across reads, `FrameParser` stepping through them): whole, byte by byte and in
/// random splits, always decoding to the same messages in order.
@Suite struct FrameStreamTests {
    /// Gathers reads and splits them into frames; a recoverable error is passed on, any other
    /// is thrown (the stream is out of sync).
    struct Stream {
        let parser: FrameParser
        var pending = ByteBuffer()

        init(maxFrameBytes: Int) {
            parser = FrameParser(maxFrameBytes: maxFrameBytes)
        }

        mutating func read(_ chunk: ByteBuffer) throws(FrameError) -> [FrameOrFailure] {
            var chunk = chunk
            pending.writeBuffer(&chunk)
            var out: [FrameOrFailure] = []
            while true {
                do {
                    guard case .frame(let frame) = try parser.parseStep(&pending) else { return out }
                    out.append(.frame(frame))
                } catch where error.isRecoverable {
                    out.append(.failure(error))
                }
            }
        }
    }

    /// One message of every type (defaults, decoded from an empty body) plus a few with data.
    static var samples: [AnyMessage] {
        var messages = MessageType.allCases.map { type in
            var empty = ByteBuffer()
            return try! AnyMessage(type: type, decoding: &empty)
        }
        messages.append(.setRequest(SetRequest(key: ByteBuffer(string: "k"), value: ByteBuffer(repeating: 7, count: 70_000), ttlMillis: 1000, writeQuorum: 2)))
        messages.append(.getResponse(GetResponse(found: true, value: ByteBuffer(string: "v"), version: EntryVersion(timestamp: .max, node: 3), expiresAtMillis: 5)))
        messages.append(.errorResponse(ErrorResponse(code: .quorumFailed, message: "1 of 2 replicas answered")))
        return messages
    }

    static func encodedStream() -> ByteBuffer {
        var stream = ByteBuffer()
        for (index, message) in samples.enumerated() {
            stream.writeFrame(message, requestID: UInt32(index + 1))
        }
        return stream
    }

    private func decodeAll(chunks: [ByteBuffer]) throws -> [(UInt32, AnyMessage)] {
        var stream = Stream(maxFrameBytes: 1 << 20)
        var decoded: [(UInt32, AnyMessage)] = []
        for chunk in chunks {
            for output in try stream.read(chunk) {
                guard case .frame(let frame) = output else { throw FrameTestError.unexpectedFailure }
                decoded.append((frame.requestID, try frame.decodeMessage()))
            }
        }
        #expect(stream.pending.readableBytes == 0, "bytes left over")
        return decoded
    }

    private func check(_ decoded: [(UInt32, AnyMessage)]) {
        let samples = Self.samples
        #expect(decoded.count == samples.count)
        for (index, (id, message)) in decoded.enumerated() where index < samples.count {
            #expect(id == UInt32(index + 1))
            #expect(message == samples[index], "message \(index) (\(samples[index].messageType))")
        }
    }

    @Test func decodesAWholeStream() throws {
        check(try decodeAll(chunks: [Self.encodedStream()]))
    }

    @Test func aMessageEncodedOnceIsSentUnderEachRequestsOwnID() throws {
        var stream = ByteBuffer()
        for (index, message) in Self.samples.enumerated() {
            var frame = Frame(encoding: message)
            frame.requestID = UInt32(index + 1)
            stream.writeFrame(frame)
        }
        #expect(stream == Self.encodedStream())
        check(try decodeAll(chunks: [stream]))
    }

    @Test func decodesByteByByte() throws {
        var stream = Self.encodedStream()
        var chunks: [ByteBuffer] = []
        while let byte = stream.readSlice(length: 1) { chunks.append(byte) }
        check(try decodeAll(chunks: chunks))
    }

    @Test(arguments: [1, 2, 3, 42, 1234])
    func decodesRandomSplits(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        var stream = Self.encodedStream()
        var chunks: [ByteBuffer] = []
        while stream.readableBytes > 0 {
            let length = min(stream.readableBytes, Int.random(in: 1...600, using: &generator))
            chunks.append(stream.readSlice(length: length)!)
        }
        check(try decodeAll(chunks: chunks))
    }

    @Test func oversizeLengthIsRejectedBeforeTheBodyArrives() {
        var stream = Stream(maxFrameBytes: 1024)
        var header = ByteBuffer()
        header.writeInteger(UInt32(1025))
        #expect(throws: FrameError.self) { try stream.read(header) }
    }

    @Test func tooShortLengthIsRejected() {
        var stream = Stream(maxFrameBytes: 1024)
        #expect(throws: FrameError.self) { try stream.read(ByteBuffer(bytes: [0, 0, 0, 7, 1, 0, 0, 0, 0, 0, 0])) }
    }

    @Test func unsupportedVersionIsReportedAndTheStreamContinues() throws {
        var reader = Stream(maxFrameBytes: 1024)
        var stream = ByteBuffer()
        stream.writeFrame(Frame(version: 9, messageTypeRaw: MessageType.pingRequest.rawValue, requestID: 5, body: ByteBuffer()))
        stream.writeFrame(AnyMessage.pingRequest(PingRequest()), requestID: 6)
        let outputs = try reader.read(stream)
        guard case .failure(let error)? = outputs.first else {
            Issue.record("expected a failure first")
            return
        }
        #expect(error.requestID == 5)
        #expect(error.code == .unsupportedVersion)
        guard outputs.count > 1, case .frame(let frame) = outputs[1] else {
            Issue.record("expected the next frame")
            return
        }
        #expect(frame.requestID == 6)
    }

    @Test func unknownTypeAndBadBodiesAreFrameErrors() {
        let unknown = Frame(messageTypeRaw: 60000, requestID: 1, body: ByteBuffer())
        #expect(throws: FrameError.self) { try unknown.decodeMessage() }
        let bad = Frame(messageTypeRaw: MessageType.getRequest.rawValue, requestID: 2, body: ByteBuffer(bytes: [0x0A, 0x05, 1]))
        do {
            _ = try bad.decodeMessage()
            Issue.record("a truncated body decoded")
        } catch {
            #expect(error.isRecoverable)
            #expect(error.requestID == 2)
        }
    }
}

enum FrameTestError: Error { case unexpectedFailure }

