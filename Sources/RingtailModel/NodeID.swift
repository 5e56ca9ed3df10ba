/// A node's human-readable identity, e.g. `a` or `cache-3`, and the 32-bit tag derived from it
/// that versions carry.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let name: String
    /// `xxh64(name)` truncated: stable on every machine. The cluster refuses a member whose
    /// tag collides with another's, so within a cluster tags identify nodes.
    public let tag: NodeTag

    public init(_ name: String) {
        self.name = name
        self.tag = NodeTag(name: name)
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.name < rhs.name }

    /// The tag decides almost every comparison before the names are looked at.
    public static func == (lhs: NodeID, rhs: NodeID) -> Bool { lhs.tag == rhs.tag && lhs.name == rhs.name }

    /// Hashes the tag only (equal IDs have equal tags): sets and dictionaries of nodes sit on
    /// the coordinator's per-request path, and hashing a String costs several times more.
    public func hash(into hasher: inout Hasher) { hasher.combine(tag.rawValue) }
    public var description: String { name }
}

/// The compact form of a node identity stored in every version.
public struct NodeTag: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public init(name: String) {
        self.rawValue = UInt32(truncatingIfNeeded: StableHash.xxh64(Array(name.utf8)))
    }

    public static func < (lhs: NodeTag, rhs: NodeTag) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue, radix: 16) }
}
