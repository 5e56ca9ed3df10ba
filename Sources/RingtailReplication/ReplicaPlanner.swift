import RingtailModel

/// One node a request is sent to.
public struct ReplicaTarget: Sendable, Hashable, CustomStringConvertible {
    public var node: NodeID
    /// The owner this node stands in for when it is a substitute; nil for an owner. A write sent
    /// to a substitute carries this so the substitute keeps it as a hint for the owner.
    public var hintFor: NodeID?

    public init(node: NodeID, hintFor: NodeID? = nil) {
        self.node = node
        self.hintFor = hintFor
    }

    public var isSubstitute: Bool { hintFor != nil }

    public var description: String { hintFor.map { "\(node) (for \($0))" } ?? node.name }
}

/// Where the replicas of one request go under a sloppy quorum.
public struct ReplicaPlan: Sendable, Hashable {
    /// In preference-list order, each substitute at the position of the owner it replaces.
    public var targets: [ReplicaTarget]
    /// Unavailable owners for which no substitute was found, in preference-list order.
    public var unplaced: [NodeID]

    public init(targets: [ReplicaTarget], unplaced: [NodeID]) {
        self.targets = targets
        self.unplaced = unplaced
    }

    public var nodes: [NodeID] { targets.map(\.node) }
    /// How many of the N replicas have nowhere to go.
    public var missing: Int { unplaced.count }
    public var substitutes: [ReplicaTarget] { targets.filter(\.isSubstitute) }
}

/// Sloppy quorum (Dynamo §4.6): a request goes to the first N healthy nodes, not strictly to
/// the N owners, so writes keep succeeding while owners are down.
public enum ReplicaPlanner {
    /// Keeps every available owner and replaces each unavailable one, in order, with the next
    /// available node of `extended` that is not already a target, tagged with a hint naming
    /// the owner. An owner left without a substitute is reported in `unplaced`.
    ///
    /// - Parameters:
    ///   - preferenceList: the key's N owners in ring order; repeats are dropped.
    ///   - extended: the nodes that follow them in ring order. Nodes of the preference list
    ///     are never used as substitutes, even if they appear here.
    ///   - isAvailable: the coordinator's current view (e.g. alive in membership). Asked at most
    ///     once per node, so the plan is deterministic for a given view.
    public static func plan(
        preferenceList: [NodeID],
        extended: [NodeID],
        isAvailable: (NodeID) -> Bool
    ) -> ReplicaPlan {
        // A handful of nodes per request: arrays searched linearly, no set to allocate and hash.
        // Usually there are no repeats and the preference list is used as it is.
        var owners = preferenceList
        if preferenceList.indices.contains(where: { preferenceList[..<$0].contains(preferenceList[$0]) }) {
            owners = []
            for node in preferenceList where !owners.contains(node) { owners.append(node) }
        }
        // Owners, then every candidate looked at; shares the owners' storage until a substitute
        // is searched for.
        var seen = owners
        var targets: [ReplicaTarget] = []
        targets.reserveCapacity(owners.count)
        var unplaced: [NodeID] = []
        var cursor = extended.startIndex
        for owner in owners {
            if isAvailable(owner) {
                targets.append(ReplicaTarget(node: owner))
                continue
            }
            // Walks forward only: a node skipped as unavailable or already used stays skipped,
            // which keeps substitutes in ring order and every call linear.
            var substitute: NodeID?
            while substitute == nil, cursor < extended.endIndex {
                let candidate = extended[cursor]
                cursor += 1
                guard !seen.contains(candidate) else { continue }
                seen.append(candidate)
                if isAvailable(candidate) { substitute = candidate }
            }
            if let substitute {
                targets.append(ReplicaTarget(node: substitute, hintFor: owner))
            } else {
                unplaced.append(owner)
            }
        }
        return ReplicaPlan(targets: targets, unplaced: unplaced)
    }
}
