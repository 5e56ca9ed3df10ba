/// The version of a stored entry: when it was written (HLC) and by which node.
///
/// Versions are totally ordered, timestamp first and node tag second, so every replica picks
/// the same winner under last-write-wins.
public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var timestamp: HLCTimestamp
    public var node: NodeTag

    public init(timestamp: HLCTimestamp, node: NodeTag) {
        self.timestamp = timestamp
        self.node = node
    }

    /// Lower than every real version; a missing entry behaves as if it had this one.
    public static let zero = Version(timestamp: .zero, node: NodeTag(rawValue: 0))

    public static func < (lhs: Version, rhs: Version) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return lhs.node < rhs.node
    }

    public var description: String { "\(timestamp)@\(node)" }
}
