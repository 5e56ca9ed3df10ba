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

