import NIOCore

/// Splits a byte stream into frames. A plain state machine with no I/O, so it can be fed
/// whole buffers, single bytes or random splits; it never traps on hostile input.
public struct FrameParser: Sendable {
    public enum Step: Sendable {
        case needMoreData
        case frame(Frame)
    }

    /// The largest accepted value of the length field.
    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Reads one frame from the front of `buffer` if it is complete. Throws for a length the
    /// stream cannot recover from (then the connection must close) and for a version this
    /// build does not speak (the frame is consumed, so the stream stays in sync).
    public func parseStep(_ buffer: inout ByteBuffer) throws(FrameError) -> Step {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        let frameLength = Int(length)
        guard frameLength >= Frame.headerRestBytes else {
            throw .lengthTooSmall(length: frameLength)
        }
        guard frameLength <= maxFrameBytes else {
            throw .frameTooLarge(length: frameLength, limit: maxFrameBytes)
        }
        guard buffer.readableBytes >= Frame.lengthFieldBytes + frameLength else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: Frame.lengthFieldBytes)
        // The header fields are known to be present: the length check above covers them.
        let version = buffer.readInteger(as: UInt8.self) ?? 0
        let flags = buffer.readInteger(as: UInt8.self) ?? 0
        let type = buffer.readInteger(as: UInt16.self) ?? 0
        let requestID = buffer.readInteger(as: UInt32.self) ?? 0
        let body = buffer.readSlice(length: frameLength - Frame.headerRestBytes) ?? ByteBuffer()
        guard version == WireProtocol.version else {
            throw .unsupportedVersion(version, requestID: requestID)
        }
        return .frame(Frame(version: version, flags: flags, messageTypeRaw: type, requestID: requestID, body: body))
    }
}
