/// A hybrid logical clock reading: physical milliseconds since the Unix epoch in the high
/// 48 bits and, in the low 16, the reading's fraction of a millisecond (in 1/65,536 ms, about
/// 15 ns) raised by a counter when events come faster than that. Readings compare as plain
/// integers.
///
/// The fraction orders two writes taken less than a millisecond apart by different nodes as
/// their clocks do; a counter alone would order them by whichever node counted further.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed representation: `physicalMillis << 16 | logical`.
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(physicalMillis: UInt64, logical: UInt16) {
        self.rawValue = (physicalMillis << 16) | UInt64(logical)
    }

    /// A physical reading of `nanos` since the Unix epoch: its milliseconds, and its fraction of
    /// a millisecond in the low 16 bits.
    public init(physicalNanos nanos: UInt64) {
        let millis = nanos / 1_000_000
        let fraction = ((nanos % 1_000_000) << 16) / 1_000_000
        self.rawValue = (millis << 16) | fraction
    }

    public static let zero = HLCTimestamp(rawValue: 0)

    public var physicalMillis: UInt64 { rawValue >> 16 }
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String { "\(physicalMillis).\(logical)" }
}
