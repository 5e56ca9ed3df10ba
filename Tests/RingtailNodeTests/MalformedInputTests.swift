import Foundation
import NIOCore
import RingtailWire
import Testing
import RingtailModel

/// Hostile bytes on the RPC port get an error frame (and, when the stream is out of sync, a
/// closed connection), never a crash or a hang: the node keeps serving afterwards.
@Suite(.timeLimit(.minutes(2)))
struct MalformedInputTests {
    @Test func nodeSurvivesHostileFrames() async throws {
        try await withNode(arguments: ["--max-frame-size", "64KiB"]) { node in
            // Too short a length: error frame, then the node closes the connection.
            var socket = try RawSocket(port: node.port)
            socket.send([0, 0, 0, 3, 1, 2, 3])
            var reply = try socket.nextFrame()
            #expect(try errorCode(reply) == .malformedFrame)
            let closed = socket.receiveUntilClosed()
            #expect(closed, "the node should close the connection")

            // Oversize frame: error, then closed, without the node waiting for the body.
            socket = try RawSocket(port: node.port)
            socket.send([0x10, 0, 0, 0, 1, 0, 0, 10, 0, 0, 0, 1])
            reply = try socket.nextFrame()
            #expect(try errorCode(reply) == .frameTooLarge)
            let closedAgain = socket.receiveUntilClosed()
            #expect(closedAgain, "the node should close the connection")

            // Unknown message type and undecodable bodies: error for that request, connection stays.
            socket = try RawSocket(port: node.port)
            var buffer = ByteBuffer()
            buffer.writeFrame(Frame(messageTypeRaw: 999, requestID: 7, body: ByteBuffer()))
            socket.send(Array(buffer.readableBytesView))
            reply = try socket.nextFrame()
            #expect(reply.requestID == 7)
            #expect(try errorCode(reply) == .unknownMessageType)

            buffer.clear()
            buffer.writeFrame(Frame(messageTypeRaw: MessageType.getRequest.rawValue, requestID: 8, body: ByteBuffer(bytes: [0x0A, 0xFF])))
            socket.send(Array(buffer.readableBytesView))
            reply = try socket.nextFrame()
            #expect(reply.requestID == 8)
            #expect(try errorCode(reply) == .malformedFrame)

            buffer.clear()
            buffer.writeFrame(Frame(version: 99, messageTypeRaw: MessageType.pingRequest.rawValue, requestID: 9, body: ByteBuffer()))
            socket.send(Array(buffer.readableBytesView))
            reply = try socket.nextFrame()
            #expect(reply.requestID == 9)
            #expect(try errorCode(reply) == .unsupportedVersion)

            // The same connection still answers a valid request.
            buffer.clear()
            buffer.writeFrame(AnyMessage.pingRequest(PingRequest()), requestID: 10)
            socket.send(Array(buffer.readableBytesView))
            reply = try socket.nextFrame()
            #expect(reply.requestID == 10)
            #expect(reply.messageType == .pingResponse)

            // A peer that dies mid-frame leaves the node unharmed.
            socket = try RawSocket(port: node.port)
            socket.send([0, 0, 0, 100, 1, 0, 0, 2])
            socket.close()

            // Random garbage from a seeded generator.
            var generator = SplitMix64(seed: 0x5EED)
            for _ in 0..<20 {
                socket = try RawSocket(port: node.port)
                socket.send((0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
                socket.close()
            }

            // A fresh connection is served normally.
            socket = try RawSocket(port: node.port)
            buffer.clear()
            buffer.writeFrame(AnyMessage.pingRequest(PingRequest()), requestID: 11)
            socket.send(Array(buffer.readableBytesView))
            reply = try socket.nextFrame()
            #expect(reply.messageType == .pingResponse)
            socket.close()
        }
    }

    private func errorCode(_ frame: Frame) throws -> ErrorCode {
        guard case .errorResponse(let error) = try frame.decodeMessage() else {
            throw TestFailure("expected an error response, got type \(frame.messageTypeRaw)")
        }
        return error.code
    }
}

