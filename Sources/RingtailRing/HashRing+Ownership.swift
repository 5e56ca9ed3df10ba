import RingtailModel

/// How many partitions a node holds.
public struct PartitionCounts: Hashable, Sendable, CustomStringConvertible {
    /// Partitions whose preference list starts with the node.
    public var primary: Int
    /// Partitions whose preference list contains the node, primary included.
    public var replicas: Int

    public init(primary: Int = 0, replicas: Int = 0) {
        self.primary = primary
        self.replicas = replicas
    }

    public var description: String { "\(primary) primary / \(replicas) replicas" }
}

extension HashRing {
    /// Whether `node` is a member (possibly of weight 0, owning nothing).
    public func contains(_ node: NodeID) -> Bool {
        index(of: node) != nil
    }

    /// The weight `node` joined with, or nil if it is not a member.
    public func weight(of node: NodeID) -> Double? {
        index(of: node).map { storage.members[$0].weight }
    }

    /// The partitions whose preference list contains `node`, ascending. Empty for a non-member.
    public func partitions(replicatedBy node: NodeID) -> [Int] {
        guard let target = index(of: node).map(UInt32.init) else { return [] }
        let replicas = storage.replicasPerPartition
        var result: [Int] = []
        for partition in 0..<partitionCount {
            let base = partition * replicas
            if storage.table[base ..< base + replicas].contains(target) { result.append(partition) }
        }
        return result
    }

    /// The partitions whose primary is `node`, ascending. Empty for a non-member.
    public func partitions(primaryOf node: NodeID) -> [Int] {
        guard let target = index(of: node).map(UInt32.init), storage.replicasPerPartition > 0 else { return [] }
        let replicas = storage.replicasPerPartition
        return (0..<partitionCount).filter { storage.table[$0 * replicas] == target }
    }

    /// Primary and replica counts for every member, weight-0 members included (with zeros).
    public func partitionCounts() -> [NodeID: PartitionCounts] {
        var counts = [PartitionCounts](repeating: PartitionCounts(), count: storage.nodes.count)
        let replicas = storage.replicasPerPartition
        for (slot, owner) in storage.table.enumerated() {
            if slot % replicas == 0 { counts[Int(owner)].primary += 1 }
            counts[Int(owner)].replicas += 1
        }
        return Dictionary(uniqueKeysWithValues: zip(storage.nodes, counts))
    }

    /// `node`'s position in the sorted member list.
    func index(of node: NodeID) -> Int? {
        let nodes = storage.nodes
        var low = 0
        var high = nodes.count
        while low < high {
            let middle = (low + high) / 2
            if nodes[middle] < node { low = middle + 1 } else { high = middle }
        }
        return low < nodes.count && nodes[low] == node ? low : nil
    }
}
