import NIOCore

/// One client request: the command name and its arguments, all binary-safe.
///
/// The arguments are usually slices of the buffer they were read from; holding a command
/// keeps that buffer alive, so a handler that must wait should copy out only what it needs.
public struct RESPCommand: Sendable, Hashable {
    /// Never empty: the first element is the command name.
    public var arguments: [ByteBuffer]

    public init(_ arguments: [ByteBuffer]) {
        precondition(!arguments.isEmpty, "a command has at least its name")
        self.arguments = arguments
    }

    public init(_ words: String...) {
        self.init(words.map { ByteBuffer(string: $0) })
    }

    public var name: ByteBuffer { arguments[0] }
    public var count: Int { arguments.count }
    public subscript(index: Int) -> ByteBuffer { arguments[index] }
}

extension ByteBuffer {
    /// Whether the readable bytes spell `word`, ignoring ASCII letter case. `word` must be
    /// ASCII.
    @inlinable
    public func respEqualsIgnoringCase(_ word: StaticString) -> Bool {
        guard readableBytes == word.utf8CodeUnitCount else { return false }
        return withUnsafeReadableBytes { bytes in
            let expected = word.utf8Start
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let folded = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) ? byte &- 32 : byte
                let wanted = expected[index]
                let wantedFolded = (wanted >= UInt8(ascii: "a") && wanted <= UInt8(ascii: "z")) ? wanted &- 32 : wanted
                if folded != wantedFolded { return false }
            }
            return true
        }
    }

    /// The readable bytes as a signed decimal integer, as Redis accepts one (no sign `+`, no
    /// spaces, within `Int64`); nil otherwise.
    @inlinable
    public func respInt64() -> Int64? {
        guard readableBytes > 0, readableBytes <= 20 else { return nil }
        return respInteger(at: 0, length: readableBytes)
    }
}
