import NIOCore

/// One unit on the wire: a header and a message body.
///
/// ```
/// offset  size  field
///      0     4  length of everything after this field (header rest + body), big-endian
///      4     1  protocol version
///      5     1  flags (reserved, 0)
///      6     2  message type, big-endian
///      8     4  request id, big-endian: a response carries its request's id, so many
///               requests can be in flight on one connection and be answered out of order
///     12     …  body: the message's fields (see Proto/ringtail.proto)
/// ```
public struct Frame: Sendable, Equatable {
    /// Bytes of the length field.
    public static let lengthFieldBytes = 4
    /// Bytes of version + flags + type + request id: the smallest legal `length`.
    public static let headerRestBytes = 8
    public static let headerBytes = lengthFieldBytes + headerRestBytes

    public var version: UInt8
    public var flags: UInt8
    public var messageTypeRaw: UInt16
    public var requestID: UInt32
    public var body: ByteBuffer

    public init(version: UInt8 = WireProtocol.version, flags: UInt8 = 0, messageTypeRaw: UInt16, requestID: UInt32, body: ByteBuffer) {
        self.version = version
        self.flags = flags
        self.messageTypeRaw = messageTypeRaw
        self.requestID = requestID
        self.body = body
    }

    /// A frame carrying `message`, encoded now, with request id 0: for a message sent to
    /// several peers, encoded once and its bytes shared (each send sets its own request id).
    public init(encoding message: AnyMessage, allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        var body = allocator.buffer(capacity: 256)
        message.encode(into: &body)
        self.init(messageTypeRaw: message.messageType.rawValue, requestID: 0, body: body)
    }

    /// The message type, or nil when this build does not know it.
    public var messageType: MessageType? { MessageType(rawValue: messageTypeRaw) }

    /// Decodes the body as the message its type names.
    public func decodeMessage() throws(FrameError) -> AnyMessage {
        guard let type = messageType else {
            throw .unknownMessageType(messageTypeRaw, requestID: requestID)
        }
        var body = self.body
        do {
            return try AnyMessage(type: type, decoding: &body)
        } catch {
            throw .malformedBody(type: type, requestID: requestID, reason: error)
        }
    }
}

extension ByteBuffer {
    /// Appends a complete frame carrying `message`; the length is patched in after the body
    /// is written, so the message is encoded once, straight into this buffer.
    public mutating func writeFrame(_ message: AnyMessage, requestID: UInt32) {
        writeFrame(type: message.messageType, requestID: requestID) { message.encode(into: &$0) }
    }

    /// Appends a complete frame carrying a framed message without wrapping it in `AnyMessage`.
    public mutating func writeFrame<M: FramedMessage>(_ message: M, requestID: UInt32) {
        writeFrame(type: M.messageType, requestID: requestID) { message.encode(into: &$0) }
    }

    /// Appends a frame header, the body `writeBody` appends, then patches the length in.
    @inline(__always)
    mutating func writeFrame(type: MessageType, requestID: UInt32, body writeBody: (inout ByteBuffer) -> Void) {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(WireProtocol.version)
        writeInteger(UInt8(0))
        writeInteger(type.rawValue)
        writeInteger(requestID)
        writeBody(&self)
        setInteger(UInt32(writerIndex - start - Frame.lengthFieldBytes), at: start)
    }

    /// Appends `frame` as it is (header fields and body bytes).
    public mutating func writeFrame(_ frame: Frame) {
        writeInteger(UInt32(Frame.headerRestBytes + frame.body.readableBytes))
        writeInteger(frame.version)
        writeInteger(frame.flags)
        writeInteger(frame.messageTypeRaw)
        writeInteger(frame.requestID)
        writeImmutableBuffer(frame.body)
    }
}
