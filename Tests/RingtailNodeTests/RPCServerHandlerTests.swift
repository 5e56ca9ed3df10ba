import Logging
import NIOCore
import NIOEmbedded
import RingtailModel
@testable import RingtailNode
import RingtailWire
import Testing

/// The RPC handler's own framing and back-pressure, on an embedded channel: frames split at
/// any byte are each answered once, and a read whose responses the socket cannot take waits,
/// unparsed, until it can.
@Suite struct RPCServerHandlerTests {
    let node = LocalNode(configuration: NodeConfiguration(nodeID: NodeID("rpc"), maxMemoryBytes: 64 << 20, shardCount: 4))

    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let handler = RPCServerHandler(
            node: node, cluster: nil, metrics: RequestMetrics(), turnFlusher: TurnFlusher(eventLoop: channel.embeddedEventLoop),
            maxFrameBytes: 1 << 20, logger: Logger(label: "test"))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// The frames written out so far, as (type, request id, body).
    private func responses(on channel: EmbeddedChannel) throws -> [Frame] {
        channel.embeddedEventLoop.run()
        var stream = ByteBuffer()
        while var bytes = try channel.readOutbound(as: ByteBuffer.self) { stream.writeBuffer(&bytes) }
        var frames: [Frame] = []
        let parser = FrameParser(maxFrameBytes: 1 << 30)
        while case .frame(let frame) = try parser.parseStep(&stream) { frames.append(frame) }
        #expect(stream.readableBytes == 0, "a response cut short")
        return frames
    }

    @Test func framesSplitAtAnyByteAreEachAnsweredOnce() throws {
        let channel = try makeChannel()
        var stream = ByteBuffer()
        for index in 0..<20 {
            stream.writeFrame(SetRequest(key: ByteBuffer(string: "k\(index)"), value: ByteBuffer(string: String(repeating: "v", count: index * 37))), requestID: UInt32(2 * index + 1))
            stream.writeFrame(GetRequest(key: ByteBuffer(string: "k\(index)")), requestID: UInt32(2 * index + 2))
        }
        // Chunks of 1, 2, 3, 5, 7, 11 and 13 bytes in turn: every boundary falls somewhere new.
        let sizes = [1, 2, 3, 5, 7, 11, 13]
        var turn = 0
        while stream.readableBytes > 0 {
            let size = min(sizes[turn % sizes.count], stream.readableBytes)
            try channel.writeInbound(stream.readSlice(length: size)!)
            channel.pipeline.fireChannelReadComplete()
            turn += 1
        }
        let frames = try responses(on: channel)
        #expect(frames.map(\.requestID) == Array(1...40))
        for (index, frame) in frames.enumerated() where index % 2 == 1 {
            var body = frame.body
            let response = try GetResponse(decoding: &body)
            #expect(response.found && response.value.readableBytes == (index / 2) * 37)
        }
        _ = try channel.finish()
    }

    @Test func aReadWhoseResponsesTheSocketCannotTakeWaitsUnparsedUntilItCan() throws {
        let channel = try makeChannel()
        _ = try node.set(ByteBuffer(string: "big"), value: ByteBuffer(repeating: 0x62, count: 64 << 10), ttlMillis: nil)
        var stream = ByteBuffer()
        for id in 1...48 { stream.writeFrame(GetRequest(key: ByteBuffer(string: "big")), requestID: UInt32(id)) }
        channel.isWritable = false
        try channel.writeInbound(stream)
        channel.pipeline.fireChannelReadComplete()
        // Parsing stops once 1 MiB of responses is gathered: 16 of 48 (64 KiB and a few dozen
        // bytes each), written.
        let first = try responses(on: channel)
        #expect(first.map(\.requestID) == Array(1...16))
        // Nothing more while the socket stays full.
        channel.pipeline.fireChannelReadComplete()
        #expect(try responses(on: channel).isEmpty)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        let rest = try responses(on: channel)
        #expect(rest.map(\.requestID) == Array(17...48))
        _ = try channel.finish()
    }
}
