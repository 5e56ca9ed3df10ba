import NIOCore

/// Decodes client requests with `RESPParser`: the thin NIO wrapper around it, for pipelines
/// that want one `RESPCommand` per inbound message. (Ringtail's server drives the parser
/// itself, to save the per-command pipeline hop; see RESPServerHandler.)
///
/// A protocol error is thrown out of `decode`, so `ByteToMessageHandler` fires it through
/// `errorCaught`; the handler after this one should answer it and close the connection.
public struct RESPCommandDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RESPCommand

    public var parser: RESPParser

    public init(limits: RESPParser.Limits = RESPParser.Limits()) {
        self.parser = RESPParser(limits: limits)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RESPCommand? {
        while true {
            switch try parser.parseStep(&buffer) {
            case .command(let command): return command
            case .continueParsing: continue
            case .insufficientData: return nil
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPCommand? {
        try decode(buffer: &buffer)
    }
}
