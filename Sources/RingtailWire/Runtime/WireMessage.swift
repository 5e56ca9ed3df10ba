import NIOCore

/// A value with a protobuf-compatible wire encoding, generated from `Proto/ringtail.proto`.
///
/// The body carries no length and no type; framing adds those.
public protocol WireMessage: Sendable, Equatable {
    /// Decodes a message body, consuming every readable byte of `buffer`.
    init(decoding buffer: inout ByteBuffer) throws(WireDecodingError)

    /// Decodes a message found `nestingDepth` levels inside other messages.
    ///
    /// Generated code implements this one; the depth bounds recursion when a hostile peer nests deeply.
    init(decoding buffer: inout ByteBuffer, nestingDepth: Int) throws(WireDecodingError)

    /// Appends the message body to `buffer`.
    func encode(into buffer: inout ByteBuffer)
}

extension WireMessage {
    public init(decoding buffer: inout ByteBuffer) throws(WireDecodingError) {
        try self.init(decoding: &buffer, nestingDepth: 0)
    }
}

/// A message that can travel as a frame of its own (declared with `@N` in the schema).
public protocol FramedMessage: WireMessage {
    /// The type id that the frame header carries for this message.
    static var messageType: MessageType { get }
}

extension WireMessage {
    /// Encodes the message body into a new buffer; convenient in tests and one-off sends.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 32)
        encode(into: &buffer)
        return buffer
    }
}
