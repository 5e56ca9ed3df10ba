/// The cluster-wide parameters of the ring. Every node must use the same values, or they will
/// disagree about who owns what.
public struct RingConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// 4096, not the 1024 first proposed. Under any placement that keeps consistent hashing's
    /// minimal movement, a node's replica count behaves like a sum of P nearly independent
    /// draws, so its relative spread is about √((1 − N/n) / (P · N/n)): 4.8 % for 10 nodes at
    /// P = 1024, where the fullest node exceeds the mean by more than 10 % in 3.5 % of clusters
    /// at the best vnode count. 4096 halves the spread. See docs/RING.md.
    public static let defaultPartitionCount = 4096
    /// 512: token-placement noise shrinks as 1/√vnodes; at 512 it no longer dominates the
    /// partition sampling noise above, and 256 leaves 10-node clusters beyond 10 % too often.
    /// A 10-node ring is 5120 tokens, sorted once per membership change.
    public static let defaultVirtualNodesPerWeight = 512
    /// Three replicas, Dynamo's usual N.
    public static let defaultReplicas = 3

    /// Fixed number of partitions; a power of two.
    public let partitionCount: Int
    /// Tokens a member of weight 1 places on the ring.
    public let virtualNodesPerWeight: Int
    /// N: how many distinct nodes hold each partition (fewer when the ring has fewer nodes).
    public let replicas: Int

    /// - Precondition: `partitionCount` is valid for `Partitioner`, `virtualNodesPerWeight` is
    ///   in `1...65536` and `replicas` is at least 1.
    public init(
        partitionCount: Int = Self.defaultPartitionCount,
        virtualNodesPerWeight: Int = Self.defaultVirtualNodesPerWeight,
        replicas: Int = Self.defaultReplicas
    ) {
        precondition(
            Partitioner.isValidPartitionCount(partitionCount),
            "partition count must be a power of two in 1...\(Partitioner.maximumPartitionCount), got \(partitionCount)"
        )
        precondition(
            (1...65536).contains(virtualNodesPerWeight),
            "virtual nodes per weight must be in 1...65536, got \(virtualNodesPerWeight)"
        )
        precondition(replicas >= 1, "replicas must be at least 1, got \(replicas)")
        self.partitionCount = partitionCount
        self.virtualNodesPerWeight = virtualNodesPerWeight
        self.replicas = replicas
    }

    /// The key-to-partition mapping for this configuration.
    public var partitioner: Partitioner { Partitioner(partitionCount: partitionCount) }

    /// How many tokens a member of `weight` places: proportional, rounded, at least one for any
    /// positive weight so that a small node is never silently left out.
    public func virtualNodeCount(forWeight weight: Double) -> Int {
        guard weight > 0 else { return 0 }
        return max(1, Int((weight * Double(virtualNodesPerWeight)).rounded()))
    }

    public var description: String {
        "RingConfiguration(P=\(partitionCount), vnodes/weight=\(virtualNodesPerWeight), N=\(replicas))"
    }
}
