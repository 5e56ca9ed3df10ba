/// A hybrid logical clock reading: physical milliseconds since the Unix epoch in the high
/// 48 bits and a logical counter in the low 16 bits, so readings compare as plain integers.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed representation: `physicalMillis << 16 | logical`.
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(physicalMillis: UInt64, logical: UInt16) {
        self.rawValue = (physicalMillis << 16) | UInt64(logical)
    }

    public static let zero = HLCTimestamp(rawValue: 0)

    public var physicalMillis: UInt64 { rawValue >> 16 }
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "\(physicalMillis).\(logical)" }
}
