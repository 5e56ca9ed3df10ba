import RingtailModel

/// Short names for the tables: nodes by letter, versions by millisecond.
enum Fixtures {
    static let a = NodeID("a")
    static let b = NodeID("b")
    static let c = NodeID("c")
    static let abc = [a, b, c]

    /// A version written at `millis` by a writer whose tag is `writer` (default 1), so ties on
    /// time can be staged with chosen tags.
    static func v(_ millis: UInt64, writer: UInt32 = 1) -> Version {
        Version(timestamp: HLCTimestamp(physicalMillis: millis, logical: 0), node: NodeTag(rawValue: writer))
    }
}

/// SplitMix64 (Steele et al.), for seeded randomized tests: the same seed gives the same cases
/// on every platform.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
