/// Why a message body could not be decoded.
///
/// Decoding never traps on bad input; every malformed, truncated or hostile body ends in one of these.
public struct WireDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The specific way the bytes were wrong.
    public enum Kind: Equatable, Hashable, Sendable {
        /// The body ended inside a tag, a value or a length-delimited field.
        case truncated
        /// A varint ran past 10 bytes, or its 10th byte carried bits beyond 64.
        case malformedVarint
        /// A tag named field 0, or a field number above 536,870,911.
        case invalidFieldNumber(UInt64)
        /// A group wire type (3, 4), an undefined one (6, 7), or a known field sent with the wrong wire type.
        case invalidWireType(field: UInt32, wireType: UInt8)
        /// A `string` field whose bytes are not valid UTF-8.
        case invalidUTF8(field: UInt32)
        /// A varint too large for the field's Swift type (for example above `UInt32.max` for `uint32`).
        case valueOutOfRange(field: UInt32)
        /// Messages nested deeper than ``WireLimits/maxNestingDepth``.
        case nestingTooDeep
    }

    /// What went wrong.
    public var kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
    }

    public static let truncated = WireDecodingError(.truncated)
    public static let malformedVarint = WireDecodingError(.malformedVarint)
    public static let nestingTooDeep = WireDecodingError(.nestingTooDeep)

    public var description: String {
        switch kind {
        case .truncated:
            "message body is truncated"
        case .malformedVarint:
            "malformed varint (longer than 10 bytes or wider than 64 bits)"
        case .invalidFieldNumber(let number):
            "invalid field number \(number)"
        case .invalidWireType(let field, let wireType):
            "invalid wire type \(wireType) for field \(field)"
        case .invalidUTF8(let field):
            "field \(field) is not valid UTF-8"
        case .valueOutOfRange(let field):
            "value of field \(field) is out of range for its type"
        case .nestingTooDeep:
            "messages are nested more than \(WireLimits.maxNestingDepth) levels deep"
        }
    }
}

/// Bounds the decoder enforces regardless of what the peer sends.
public enum WireLimits {
    /// How deep nested messages may go; only recursive schemas can reach it, and it keeps their decoding off
    /// the end of the stack.
    public static let maxNestingDepth = 64
    /// The largest field number protobuf's wire format can carry (29 bits).
    public static let maxFieldNumber: UInt32 = 536_870_911
}
