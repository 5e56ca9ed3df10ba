/// Redis's glob-style patterns (KEYS, SCAN MATCH, CONFIG GET): `*` any run of bytes, `?` any
/// one byte, `[abc]`, `[^abc]` and `[a-z]` one byte of (or not of) a set, `\x` the byte x.
/// Binary-safe: patterns and subjects are bytes.
public struct RESPGlob: Sendable {
    private enum Token: Sendable {
        case byte(UInt8)
        case any
        case star
        case set(ranges: [ClosedRange<UInt8>], negated: Bool)

        func matches(_ byte: UInt8) -> Bool {
            switch self {
            case .byte(let expected): byte == expected
            case .any: true
            case .star: false
            case .set(let ranges, let negated): ranges.contains { $0.contains(byte) } != negated
            }
        }
    }

    private let tokens: [Token]
    /// Whether the pattern is `*` alone: everything matches, nothing needs looking at.
    public let matchesEverything: Bool

    public init(_ pattern: some Collection<UInt8>) {
        var tokens: [Token] = []
        let bytes = Array(pattern)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "*"):
                if case .star = tokens.last { continue }
                tokens.append(.star)
            case UInt8(ascii: "?"):
                tokens.append(.any)
            case UInt8(ascii: "\\") where index < bytes.count:
                tokens.append(.byte(bytes[index]))
                index += 1
            case UInt8(ascii: "["):
                var negated = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "^") {
                    negated = true
                    index += 1
                }
                var ranges: [ClosedRange<UInt8>] = []
                // An unclosed class runs to the end of the pattern, as in Redis.
                while index < bytes.count, bytes[index] != UInt8(ascii: "]") {
                    var low = bytes[index]
                    if low == UInt8(ascii: "\\"), index + 1 < bytes.count {
                        index += 1
                        low = bytes[index]
                    }
                    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-"), bytes[index + 2] != UInt8(ascii: "]") {
                        let high = bytes[index + 2]
                        ranges.append(min(low, high)...max(low, high))
                        index += 3
                    } else {
                        ranges.append(low...low)
                        index += 1
                    }
                }
                if index < bytes.count { index += 1 }  // the closing bracket
                tokens.append(.set(ranges: ranges, negated: negated))
            default:
                tokens.append(.byte(byte))
            }
        }
        self.tokens = tokens
        if tokens.count == 1, case .star = tokens[0] { matchesEverything = true } else { matchesEverything = false }
    }

    /// Whether `subject` matches the whole pattern. Every token but `*` takes exactly one
    /// byte, so going back to the last `*` is enough: linear in practice, never exponential.
    public func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        if matchesEverything { return true }
        var token = 0, byte = 0
        var lastStar = -1, resumeAt = 0
        while byte < subject.count {
            if token < tokens.count {
                if case .star = tokens[token] {
                    lastStar = token
                    resumeAt = byte
                    token += 1
                    continue
                }
                if tokens[token].matches(subject[byte]) {
                    token += 1
                    byte += 1
                    continue
                }
            }
            guard lastStar >= 0 else { return false }
            token = lastStar + 1
            resumeAt += 1
            byte = resumeAt
        }
        while token < tokens.count, case .star = tokens[token] { token += 1 }
        return token == tokens.count
    }

    public func matches(_ subject: some Collection<UInt8>) -> Bool {
        Array(subject).withUnsafeBytes { matches($0) }
    }
}
