/// Input that is not a well-formed RESP request or value. The stream cannot be trusted after
/// one: a server answers with `redisError` and closes the connection, as Redis does.
public struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case invalidMultibulkLength
        case invalidBulkLength
        case expectedBulk(found: UInt8)
        case missingCRLF
        case tooBigInlineRequest
        case tooBigCountLine
        case unbalancedQuotes
        case commandTooLarge(limit: Int)
        case invalidTypeByte(UInt8)
        case invalidNumber
        case nestingTooDeep(limit: Int)
        case invalidAggregateLength
    }

    public var kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
    }

    /// The reply text, without the leading `-`: Redis's words where Redis has them.
    public var redisError: String {
        switch kind {
        case .invalidMultibulkLength: "ERR Protocol error: invalid multibulk length"
        case .invalidBulkLength: "ERR Protocol error: invalid bulk length"
        case .expectedBulk(let byte): "ERR Protocol error: expected '$', got '\(Self.printable(byte))'"
        case .missingCRLF: "ERR Protocol error: expected CRLF after a bulk string"
        case .tooBigInlineRequest: "ERR Protocol error: too big inline request"
        case .tooBigCountLine: "ERR Protocol error: too big mbulk count string"
        case .unbalancedQuotes: "ERR Protocol error: unbalanced quotes in request"
        case .commandTooLarge(let limit): "ERR Protocol error: command larger than \(limit) bytes"
        case .invalidTypeByte(let byte): "ERR Protocol error: unknown type byte '\(Self.printable(byte))'"
        case .invalidNumber: "ERR Protocol error: invalid number"
        case .nestingTooDeep(let limit): "ERR Protocol error: nesting deeper than \(limit)"
        case .invalidAggregateLength: "ERR Protocol error: invalid aggregate length"
        }
    }

    public var description: String { redisError }

    private static func printable(_ byte: UInt8) -> String {
        (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}
