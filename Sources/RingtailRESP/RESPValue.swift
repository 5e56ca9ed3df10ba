import NIOCore

/// The two protocol versions a connection can speak: RESP2 by default, RESP3 after `HELLO 3`.
public enum RESPVersion: Int, Sendable, Hashable {
    case resp2 = 2
    case resp3 = 3
}

/// One RESP value, of either protocol version.
///
/// Bulk payloads are `ByteBuffer`s (binary-safe, usually slices of the buffer they were read
/// from); simple strings and errors are text. RESP3-only kinds are downgraded by the encoder
/// when it writes RESP2, the way Redis does (a map becomes a flat array, a double a bulk
/// string, a boolean an integer).
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString(ByteBuffer)
    /// RESP2 `$-1`, RESP3 `_`.
    case null
    /// RESP2 `*-1`; RESP3 has no separate form and writes `_`.
    case nullArray
    case array([RESPValue])
    case map([Pair])
    case set([RESPValue])
    case push([RESPValue])
    case double(Double)
    case boolean(Bool)
    /// Digits, kept as text: RESP3 big numbers can exceed every fixed-width integer.
    case bigNumber(String)
    case blobError(ByteBuffer)
    /// `format` is three characters such as `txt` or `mkd`.
    case verbatimString(format: String, text: ByteBuffer)

    /// One entry of a map.
    public struct Pair: Sendable, Hashable {
        public var key: RESPValue
        public var value: RESPValue

        public init(_ key: RESPValue, _ value: RESPValue) {
            self.key = key
            self.value = value
        }
    }

    /// A bulk string holding `text` in UTF-8.
    public static func bulkString(_ text: String) -> RESPValue {
        .bulkString(ByteBuffer(string: text))
    }

    /// The payload of a simple, bulk or verbatim string, as text; nil for other kinds.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes), .verbatimString(_, let bytes): String(buffer: bytes)
        default: nil
        }
    }
}
