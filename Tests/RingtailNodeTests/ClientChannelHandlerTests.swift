import NIOCore
import NIOEmbedded
@testable import RingtailClient
import RingtailWire
import Synchronization
import Testing

/// The peer connection's bookkeeping of requests in flight: responses find their request by
/// id in any order, across the wrap of the id space, and every request ends exactly once
/// (answered, timed out or failed with the connection).
@Suite struct ClientChannelHandlerTests {
    /// What each request's sink received, by the order the requests were sent.
    final class Outcomes: Sendable {
        let results = Mutex<[Int: [String]]>([:])

        func sink(_ index: Int) -> ResponseSink {
            .callback { result in
                let text = switch result {
                case .success(let frame): "frame \(frame.requestID)"
                case .failure(let error): "\(error)"
                }
                self.results.withLock { $0[index, default: []].append(text) }
            }
        }

        subscript(index: Int) -> [String] { results.withLock { $0[index] ?? [] } }
    }

    static let timeout = TimeAmount.seconds(2)

    /// Sends `count` pings and returns the ids they went out with, in order.
    private func send(_ count: Int, on channel: EmbeddedChannel, outcomes: Outcomes, from first: Int = 0) throws -> [UInt32] {
        for index in first..<(first + count) {
            try channel.writeOutbound(OutgoingRequest(message: .pingRequest(PingRequest()), sink: outcomes.sink(index)))
        }
        channel.embeddedEventLoop.run()
        var ids: [UInt32] = []
        while var bytes = try channel.readOutbound(as: ByteBuffer.self) {
            while bytes.readableBytes >= Frame.headerBytes {
                let length = Int(bytes.readInteger(as: UInt32.self)!)
                bytes.moveReaderIndex(forwardBy: 4)
                ids.append(bytes.readInteger(as: UInt32.self)!)
                bytes.moveReaderIndex(forwardBy: length - Frame.headerRestBytes)
            }
        }
        return ids
    }

    private func answer(_ id: UInt32, on channel: EmbeddedChannel) throws {
        var body = ByteBuffer()
        PingResponse(nodeId: "n", uptimeMillis: 1).encode(into: &body)
        try channel.writeInbound(FrameOrFailure.frame(Frame(messageTypeRaw: MessageType.pingResponse.rawValue, requestID: id, body: body)))
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
