/// Read access to a tree by level, as the comparison needs it. A local `MerkleSnapshot`
/// answers directly; the node's shell implements it for a peer with one RPC per call.
public protocol MerkleTreeReader {
    /// The digests of `indices` at `level` (0 = root, `layout.depth` = leaves), in order.
    func nodes(level: Int, indices: [Int]) async throws -> [MerkleDigest]
}

/// A fully hashed, immutable copy of a `MerkleTree`.
public struct MerkleSnapshot: MerkleTreeReader, Sendable {
    public let layout: MerkleLayout
    let inner: [[MerkleDigest]]
    let leaves: [MerkleDigest]

    init(layout: MerkleLayout, inner: [[MerkleDigest]], leaves: [MerkleDigest]) {
        self.layout = layout
        self.inner = inner
        self.leaves = leaves
    }

    public var root: MerkleDigest { inner[0][0] }

    public func nodes(level: Int, indices: [Int]) -> [MerkleDigest] {
        MerkleTree.read(level: level, indices: indices, layout: layout, inner: inner, leaves: leaves)
    }
}

/// Which nodes of one level to fetch from both sides.
public struct NodeRequest: Hashable, Sendable, CustomStringConvertible {
    public var level: Int
    /// Ascending.
    public var indices: [Int]

    public init(level: Int, indices: [Int]) {
        self.level = level
        self.indices = indices
    }

    public var description: String { "level \(level) × \(indices.count)" }
}

/// Level-by-level descent into the differing subtrees of two trees of the same layout, as a
/// value: it says which nodes it wants next (`pending`), is fed both sides' digests for them,
/// and ends with the differing leaves. One request per level, so the round trips are
/// `layout.levelCount` at most, whatever the number of differences, and only children of
/// differing nodes are ever requested.
public struct TreeComparison: Sendable {
    public let layout: MerkleLayout
    /// What to fetch next; nil once finished.
    public private(set) var pending: NodeRequest?
    /// Ascending bucket indices whose leaves differ; final once `pending` is nil.
    public private(set) var differingLeaves: [Int] = []
    /// Digests received from one side so far (the other side's are the same count).
    public private(set) var digestsCompared = 0
    /// Requests answered so far.
    public private(set) var rounds = 0

    public init(layout: MerkleLayout) {
        self.layout = layout
        pending = NodeRequest(level: 0, indices: [0])
    }

    public var isFinished: Bool { pending == nil }
    /// True once `limitPending` left differing subtrees unvisited: `differingLeaves` is then
    /// a prefix of the differences, and a later comparison finds the rest.
    public private(set) var isPartial = false

    /// Keeps only the first children groups of `pending` that fit in `maxNodes`, but always
    /// one group, so a comparison under a tight budget still reaches some leaves.
    public mutating func limitPending(maxNodes: Int) {
        guard var request = pending, request.level > 0, request.indices.count > maxNodes else { return }
        let groups = Swift.max(1, maxNodes / layout.fanOut)
        request.indices.removeSubrange((groups * layout.fanOut)...)
        pending = request
        isPartial = true
    }

    /// Feeds both sides' digests for `pending`, in its order.
    public mutating func receive(local: [MerkleDigest], remote: [MerkleDigest]) {
        guard let request = pending else { preconditionFailure("comparison already finished") }
        precondition(
            local.count == request.indices.count && remote.count == request.indices.count,
            "expected \(request.indices.count) digests per side")
        digestsCompared += remote.count
        rounds += 1
        var differing: [Int] = []
        for (position, index) in request.indices.enumerated() where local[position] != remote[position] {
            differing.append(index)
        }
        if request.level == layout.depth {
            differingLeaves = differing
            pending = nil
        } else if differing.isEmpty {
            pending = nil
        } else {
            let children = differing.flatMap { layout.children(of: $0, atLevel: request.level) }
            pending = NodeRequest(level: request.level + 1, indices: children)
        }
    }

    /// Runs a whole comparison between two readers, asking both for each level in turn.
    public static func compare(
        local: some MerkleTreeReader, remote: some MerkleTreeReader, layout: MerkleLayout
    ) async throws -> TreeComparison {
        var comparison = TreeComparison(layout: layout)
        while let request = comparison.pending {
            let localNodes = try await local.nodes(level: request.level, indices: request.indices)
            let remoteNodes = try await remote.nodes(level: request.level, indices: request.indices)
            comparison.receive(local: localNodes, remote: remoteNodes)
        }
        return comparison
    }
}
