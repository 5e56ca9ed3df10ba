import NIOCore

/// The NIO face of `FrameParser`: emits `Frame`s, and errors for what cannot be parsed.
///
/// A recoverable error (an unsupported version) is passed on as a `FrameDecodingFailure`
/// inbound message so the handler can answer it and read on; an unrecoverable one is thrown,
/// which NIO reports through `errorCaught`, after which the connection must close.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = FrameOrFailure

    private let parser: FrameParser

    public init(maxFrameBytes: Int) {
        self.parser = FrameParser(maxFrameBytes: maxFrameBytes)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        do {
            switch try parser.parseStep(&buffer) {
            case .needMoreData:
                return .needMoreData
            case .frame(let frame):
                context.fireChannelRead(Self.wrapInboundOut(.frame(frame)))
                return .continue
            }
        } catch let error where error.isRecoverable {
            context.fireChannelRead(Self.wrapInboundOut(.failure(error)))
            return .continue
        }
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // Bytes of an incomplete frame at EOF are dropped: the peer went away mid-frame.
        return .needMoreData
    }
}

/// What the frame decoder passes on: a frame, or a frame-level error the stream survived.
public enum FrameOrFailure: Sendable {
    case frame(Frame)
    case failure(FrameError)
}
