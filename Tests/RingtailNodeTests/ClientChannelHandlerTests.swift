import NIOCore
import NIOEmbedded
@testable import RingtailClient
import RingtailWire
import Synchronization
import Testing

/// The peer connection's bookkeeping of requests in flight: responses find their request by
/// id in any order, across the wrap of the id space, and every request ends exactly once
/// (answered, timed out or failed with the connection).
private func decoded<Message: FramedMessage>(_ type: Message.Type, _ body: ByteBuffer) throws -> Message {
    var body = body
    return try Message(decoding: &body)
}

@Suite struct ClientChannelHandlerTests {
    /// What each request's sink received, by the order the requests were sent.
    final class Outcomes: Sendable {
        let results = Mutex<[Int: [String]]>([:])

        func sink(_ index: Int) -> ResponseSink {
            .callback { result in
                let text = switch result {
                case .success(let frame) where frame.messageType == .replicaReadResponse:
                    "answer " + ((try? decoded(ReplicaReadResponse.self, frame.body)).map { String(buffer: $0.entry.key) } ?? "unreadable")
                case .success(let frame) where frame.messageType == .replicaWriteResponse:
                    "applied " + ((try? decoded(ReplicaWriteResponse.self, frame.body)).map { "\($0.applied)" } ?? "unreadable")
                case .success(let frame) where frame.messageType == .errorResponse:
                    "error " + ((try? decoded(ErrorResponse.self, frame.body)).map(\.message) ?? "unreadable")
                case .success(let frame): "frame \(frame.requestID)"
                case .failure(let error): "\(error)"
                }
                self.results.withLock { $0[index, default: []].append(text) }
            }
        }

        subscript(index: Int) -> [String] { results.withLock { $0[index] ?? [] } }
    }

    static let timeout = TimeAmount.seconds(2)

    /// `frame` as the bytes the peer sends.
    static func wire(_ frame: Frame) -> ByteBuffer {
        var bytes = ByteBuffer()
        bytes.writeFrame(frame)
        return bytes
    }

    /// Sends `count` pings and returns the ids they went out with, in order.
    private func send(_ count: Int, on channel: EmbeddedChannel, outcomes: Outcomes, from first: Int = 0) throws -> [UInt32] {
        for index in first..<(first + count) {
            try channel.writeOutbound(OutgoingRequest(message: .pingRequest(PingRequest()), sink: outcomes.sink(index)))
        }
        return try sentFrames(on: channel).map(\.requestID)
    }

    /// Sends a replica read of each key in one event-loop turn; returns the frames that went out.
    /// Read i names the version `EntryVersion(timestamp: i + 1, node: 9)` as the one it holds.
    private func sendReads(_ keys: [String], on channel: EmbeddedChannel, outcomes: Outcomes, from first: Int = 0) throws -> [Frame] {
        for (offset, key) in keys.enumerated() {
            let read = ReplicaReadRequest(key: ByteBuffer(string: key), unlessVersion: EntryVersion(timestamp: UInt64(first + offset + 1), node: 9))
            // Both forms a read comes in: a payload of its own (as the coordinator sends it), and the message.
            let payload: OutgoingRequest.Payload = offset.isMultiple(of: 2) ? .replicaRead(read) : .message(.replicaReadRequest(read))
            // A plain write, as the client makes: no flush of its own, the handler's comes at the end of the turn.
            channel.write(OutgoingRequest(payload: payload, sink: outcomes.sink(first + offset)), promise: nil)
        }
        return try sentFrames(on: channel)
    }

    /// Runs the loop (the end-of-turn flush) and parses what was written.
    private func sentFrames(on channel: EmbeddedChannel) throws -> [Frame] {
        channel.embeddedEventLoop.run()
        var frames: [Frame] = []
        while var bytes = try channel.readOutbound(as: ByteBuffer.self) {
            while bytes.readableBytes >= Frame.headerBytes {
                let length = Int(bytes.readInteger(as: UInt32.self)!)
                bytes.moveReaderIndex(forwardBy: 2)
                let type = bytes.readInteger(as: UInt16.self)!
                let id = bytes.readInteger(as: UInt32.self)!
                let body = bytes.readSlice(length: length - Frame.headerRestBytes)!
                frames.append(Frame(messageTypeRaw: type, requestID: id, body: body))
            }
        }
        return frames
    }

    private func answerBatch(_ request: Frame, with keys: [String], on channel: EmbeddedChannel) throws {
        let answers = keys.map { ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: $0), state: .missing)) }
        let response = ReplicaReadBatchResponse(answers: answers)
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.replicaReadBatchResponse.rawValue, requestID: request.requestID, body: response.encoded())))
    }

    private func answer(_ id: UInt32, on channel: EmbeddedChannel) throws {
        var body = ByteBuffer()
        PingResponse(nodeId: "n", uptimeMillis: 1).encode(into: &body)
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.pingResponse.rawValue, requestID: id, body: body)))
    }

    private func makeChannel(firstRequestID: UInt32 = 1) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: ClientChannelHandler(timeout: Self.timeout, firstRequestID: firstRequestID))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func responsesFindTheirRequestsOutOfOrderAcrossTheIDWrap() throws {
        let channel = try makeChannel(firstRequestID: .max - 1)
        let outcomes = Outcomes()
        let ids = try send(4, on: channel, outcomes: outcomes)
        #expect(ids == [.max - 1, .max, 1, 2])
        for index in [3, 0, 2, 1] { try answer(ids[index], on: channel) }
        for index in 0..<4 { #expect(outcomes[index] == ["frame \(ids[index])"]) }
        // Answered already, never sent, and the connection-level id: all ignored.
        try answer(ids[2], on: channel)
        try answer(3, on: channel)
        for index in 0..<4 { #expect(outcomes[index].count == 1) }
        _ = try channel.finish()
    }

    @Test func responsesSplitAcrossReadsOrSharingOneAreEachMatched() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let ids = try send(3, on: channel, outcomes: outcomes)
        var body = ByteBuffer()
        PingResponse(nodeId: "n", uptimeMillis: 1).encode(into: &body)
        var stream = ByteBuffer()
        for id in ids { stream.writeFrame(Frame(messageTypeRaw: MessageType.pingResponse.rawValue, requestID: id, body: body)) }
        // The first response a byte at a time, then the other two (and nothing more) in one read.
        let firstLength = stream.readableBytes / 3
        for _ in 0..<firstLength {
            try channel.writeInbound(stream.readSlice(length: 1)!)
            #expect(outcomes[0].count <= 1)
        }
        #expect(outcomes[0] == ["frame \(ids[0])"])
        #expect(outcomes[1].isEmpty)
        try channel.writeInbound(stream)
        #expect(outcomes[1] == ["frame \(ids[1])"])
        #expect(outcomes[2] == ["frame \(ids[2])"])
        _ = try channel.finish()
    }

    @Test func aStreamOutOfSyncFailsEveryRequestAndCloses() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        _ = try send(2, on: channel, outcomes: outcomes)
        // A length below the header's: nothing after it can be matched to a request.
        try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 3, 1, 2, 3]))
        for index in 0..<2 {
            #expect(outcomes[index].count == 1)
            #expect(outcomes[index].first?.contains("protocol") == true, "\(outcomes[index])")
        }
        #expect(!channel.isActive)
    }

    @Test func theUnansweredTimeOutOnceAndLateAnswersAreIgnored() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let ids = try send(3, on: channel, outcomes: outcomes)
        try answer(ids[1], on: channel)
        channel.embeddedEventLoop.advanceTime(by: Self.timeout + .milliseconds(1))
        let timedOut = "\(RingtailClientError.timeout(milliseconds: Self.timeout.nanoseconds / 1_000_000))"
        #expect(outcomes[0] == [timedOut])
        #expect(outcomes[1] == ["frame \(ids[1])"])
        #expect(outcomes[2] == [timedOut])
        try answer(ids[0], on: channel)
        #expect(outcomes[0].count == 1)
        // Requests sent after the expiry are tracked afresh.
        let later = try send(1, on: channel, outcomes: outcomes, from: 3)
        try answer(later[0], on: channel)
        #expect(outcomes[3] == ["frame \(later[0])"])
        _ = try channel.finish()
    }

    @Test func readsOfOneTurnGoAsOneBatchAndTheUnansweredAreAskedAgain() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let sent = try sendReads(["a", "b", "c"], on: channel, outcomes: outcomes)
        #expect(sent.map(\.messageType) == [.replicaReadBatchRequest])
        let batch = try decoded(ReplicaReadBatchRequest.self, sent[0].body)
        #expect(batch.reads.map { String(buffer: $0.key) } == ["a", "b", "c"])
        #expect(batch.reads.map(\.unlessVersion?.timestamp) == [1, 2, 3])
        // The node had room for two answers: the third read goes again, alone.
        try answerBatch(sent[0], with: ["a", "b"], on: channel)
        #expect(outcomes[0] == ["answer a"] && outcomes[1] == ["answer b"] && outcomes[2].isEmpty)
        let again = try sentFrames(on: channel)
        #expect(again.map(\.messageType) == [.replicaReadRequest])
        #expect(try String(buffer: decoded(ReplicaReadRequest.self, again[0].body).key) == "c")
        #expect(try decoded(ReplicaReadRequest.self, again[0].body).unlessVersion?.timestamp == 3)
        var body = ByteBuffer()
        ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: "c"), state: .missing)).encode(into: &body)
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.replicaReadResponse.rawValue, requestID: again[0].requestID, body: body)))
        #expect(outcomes[2] == ["answer c"])
        _ = try channel.finish()
    }

    @Test func aBatchRefusedOrMisansweredFailsEachOfItsReadsOnce() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let refused = try sendReads(["a", "b"], on: channel, outcomes: outcomes)
        let error = ErrorResponse(code: .unauthorized, message: "no hello")
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.errorResponse.rawValue, requestID: refused[0].requestID, body: error.encoded())))
        #expect(outcomes[0] == ["error no hello"] && outcomes[1] == ["error no hello"])
        // More answers than reads: a protocol violation for every read of the batch.
        let over = try sendReads(["c", "d"], on: channel, outcomes: outcomes, from: 2)
        try answerBatch(over[0], with: ["c", "d", "e"], on: channel)
        #expect(outcomes[2].count == 1 && outcomes[2][0].contains("protocol violation"))
        #expect(outcomes[3] == outcomes[2])
        #expect(try sentFrames(on: channel).isEmpty)
        _ = try channel.finish()
    }

    /// A peer of a build from before batches answers one with "unknown message type".
    private func refuseAsUnknown(_ request: Frame, on channel: EmbeddedChannel) throws {
        let error = ErrorResponse(code: .unknownMessageType, message: "unknown message type \(request.messageTypeRaw)")
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.errorResponse.rawValue, requestID: request.requestID, body: error.encoded())))
    }

    @Test func aPeerThatDoesNotKnowBatchesGetsEachReadAloneFromThenOn() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let sent = try sendReads(["a", "b"], on: channel, outcomes: outcomes)
        #expect(sent.map(\.messageType) == [.replicaReadBatchRequest])
        try refuseAsUnknown(sent[0], on: channel)
        // Not failed: asked again, one frame each.
        #expect(outcomes[0].isEmpty && outcomes[1].isEmpty)
        let again = try sentFrames(on: channel)
        #expect(again.map(\.messageType) == [.replicaReadRequest, .replicaReadRequest])
        #expect(try again.map { try String(buffer: decoded(ReplicaReadRequest.self, $0.body).key) } == ["a", "b"])
        #expect(try again.map { try decoded(ReplicaReadRequest.self, $0.body).unlessVersion?.timestamp } == [1, 2])
        for (frame, key) in zip(again, ["a", "b"]) {
            let answer = ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: key), state: .missing))
            try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.replicaReadResponse.rawValue, requestID: frame.requestID, body: answer.encoded())))
        }
        #expect(outcomes[0] == ["answer a"] && outcomes[1] == ["answer b"])
        // Later reads and writes of the turn on this connection go alone straight away.
        let later = try sendReads(["c", "d"], on: channel, outcomes: outcomes, from: 2)
        #expect(later.map(\.messageType) == [.replicaReadRequest, .replicaReadRequest])
        let writes = try sendWrites(["e", "f"], on: channel, outcomes: outcomes, from: 4)
        #expect(writes.map(\.messageType) == [.replicaWriteRequest, .replicaWriteRequest])
        _ = try? channel.finish()
    }

    @Test func aWriteBatchRefusedAsUnknownIsSentAgainOneWriteAtATime() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let sent = try sendWrites(["a", "b"], on: channel, outcomes: outcomes)
        #expect(sent.map(\.messageType) == [.replicaWriteBatchRequest])
        try refuseAsUnknown(sent[0], on: channel)
        #expect(outcomes[0].isEmpty && outcomes[1].isEmpty)
        let again = try sentFrames(on: channel)
        #expect(again.map(\.messageType) == [.replicaWriteRequest, .replicaWriteRequest])
        #expect(try again.map { try String(buffer: decoded(ReplicaWriteRequest.self, $0.body).entry.key) } == ["a", "b"])
        for frame in again {
            try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.replicaWriteResponse.rawValue, requestID: frame.requestID, body: ReplicaWriteResponse(applied: true).encoded())))
        }
        #expect(outcomes[0] == ["applied true"] && outcomes[1] == ["applied true"])
        // Any other refusal of a batch is each write's own answer, as before.
        let second = try makeChannel()
        let refused = try sendWrites(["c", "d"], on: second, outcomes: outcomes, from: 2)
        let error = ErrorResponse(code: .shuttingDown, message: "bye")
        try second.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.errorResponse.rawValue, requestID: refused[0].requestID, body: error.encoded())))
        #expect(outcomes[2] == ["error bye"] && outcomes[3] == ["error bye"])
        #expect(try sentFrames(on: second).isEmpty)
        _ = try? channel.finish()
        _ = try? second.finish()
    }

    @Test func aLoneReadGoesAsItselfAndGatheredReadsFailWithTheConnection() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        #expect(try sendReads(["a"], on: channel, outcomes: outcomes).map(\.messageType) == [.replicaReadRequest])
        // Gathered, not yet flushed, when the connection goes.
        channel.write(OutgoingRequest(message: .replicaReadRequest(ReplicaReadRequest(key: ByteBuffer(string: "b"))), sink: outcomes.sink(1)), promise: nil)
        channel.pipeline.fireChannelInactive()
        #expect(outcomes[0] == ["\(RingtailClientError.connectionClosed)"])
        #expect(outcomes[1] == ["\(RingtailClientError.connectionClosed)"])
        _ = try? channel.finish()
    }

    /// Sends a replica write of each key in one turn, encoded once as the coordinator does.
    private func sendWrites(_ keys: [String], on channel: EmbeddedChannel, outcomes: Outcomes, from first: Int = 0) throws -> [Frame] {
        for (offset, key) in keys.enumerated() {
            let write = ReplicaWriteRequest(entry: StoredEntry(key: ByteBuffer(string: key), state: .live, value: ByteBuffer(string: "v"), version: EntryVersion(timestamp: 1, node: 1)))
            channel.write(OutgoingRequest(frame: Frame(encoding: .replicaWriteRequest(write)), sink: outcomes.sink(first + offset)), promise: nil)
        }
        return try sentFrames(on: channel)
    }

    @Test func writesOfOneTurnGoAsOneBatchAndEachGetsItsOwnOutcome() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let sent = try sendWrites(["a", "b", "c"], on: channel, outcomes: outcomes)
        #expect(sent.map(\.messageType) == [.replicaWriteBatchRequest])
        let batch = try decoded(ReplicaWriteBatchRequest.self, sent[0].body)
        #expect(batch.writes.map { String(buffer: $0.entry.key) } == ["a", "b", "c"])
        let response = ReplicaWriteBatchResponse(outcomes: [
            ReplicaWriteOutcome(response: ReplicaWriteResponse(applied: true)),
            ReplicaWriteOutcome(error: ErrorResponse(code: .valueTooLarge, message: "too big")),
            ReplicaWriteOutcome(response: ReplicaWriteResponse(applied: false)),
        ])
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.replicaWriteBatchResponse.rawValue, requestID: sent[0].requestID, body: response.encoded())))
        #expect(outcomes[0] == ["applied true"] && outcomes[1] == ["error too big"] && outcomes[2] == ["applied false"])
        // Fewer outcomes than writes: a protocol violation for each write of the batch.
        let short = try sendWrites(["d", "e"], on: channel, outcomes: outcomes, from: 3)
        let one = ReplicaWriteBatchResponse(outcomes: [ReplicaWriteOutcome(response: ReplicaWriteResponse(applied: true))])
        try channel.writeInbound(Self.wire(Frame(messageTypeRaw: MessageType.replicaWriteBatchResponse.rawValue, requestID: short[0].requestID, body: one.encoded())))
        #expect(outcomes[3].count == 1 && outcomes[3][0].contains("protocol violation") && outcomes[4] == outcomes[3])
        // A lone write goes as itself.
        #expect(try sendWrites(["f"], on: channel, outcomes: outcomes, from: 5).map(\.messageType) == [.replicaWriteRequest])
        _ = try? channel.finish()
    }

    @Test func closingTheConnectionFailsEveryWaitingRequestOnce() throws {
        let channel = try makeChannel()
        let outcomes = Outcomes()
        let ids = try send(3, on: channel, outcomes: outcomes)
        try answer(ids[0], on: channel)
        channel.pipeline.fireChannelInactive()
        #expect(outcomes[0] == ["frame \(ids[0])"])
        #expect(outcomes[1] == ["\(RingtailClientError.connectionClosed)"])
        #expect(outcomes[2] == ["\(RingtailClientError.connectionClosed)"])
        _ = try? channel.finish()
    }
}
