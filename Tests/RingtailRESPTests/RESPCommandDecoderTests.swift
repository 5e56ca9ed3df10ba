import NIOCore
import NIOEmbedded
import Testing
@testable import RingtailRESP

@Suite struct RESPCommandDecoderTests {
    @Test func decodesThroughAChannelPipeline() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPCommandDecoder()))
        try channel.writeInbound(bytes("*1\r\n$4\r\nPI"))
        #expect(try channel.readInbound(as: RESPCommand.self) == nil)
        try channel.writeInbound(bytes("NG\r\nECHO hi\r\n"))
        #expect(try channel.readInbound(as: RESPCommand.self) == RESPCommand("PING"))
        #expect(try channel.readInbound(as: RESPCommand.self) == RESPCommand("ECHO", "hi"))
        #expect(try channel.finish().isClean)
    }

    @Test func protocolErrorsReachErrorCaught() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RESPCommandDecoder()))
        #expect(throws: RESPProtocolError(.invalidMultibulkLength)) { try channel.writeInbound(bytes("*x\r\n")) }
        _ = try? channel.finish()
    }
}
