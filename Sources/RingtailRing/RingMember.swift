import RingtailModel

/// A node as the ring sees it: its identity and its relative capacity.
public struct RingMember: Hashable, Sendable, CustomStringConvertible {
    /// The largest accepted weight. Weights are relative capacities; beyond a few dozen the
    /// heavy node's token count, not its hardware, becomes the problem.
    public static let maximumWeight = 1000.0

    public let id: NodeID
    /// Relative capacity: the node gets `weight × virtualNodesPerWeight` tokens (at least one
    /// when the weight is positive). Weight 0 keeps the node a member that owns nothing, which
    /// lets an operator drain it without removing it.
    public let weight: Double

    /// - Precondition: `weight` is finite and in `0...maximumWeight`.
    public init(id: NodeID, weight: Double = 1.0) {
        precondition(
            weight.isFinite && weight >= 0 && weight <= Self.maximumWeight,
            "ring member weight must be in 0...\(Self.maximumWeight), got \(weight)"
        )
        self.id = id
        self.weight = weight
    }

    /// A member named `name`.
    public init(_ name: String, weight: Double = 1.0) {
        self.init(id: NodeID(name), weight: weight)
    }

    public var description: String { weight == 1 ? id.name : "\(id.name)×\(weight)" }
}
