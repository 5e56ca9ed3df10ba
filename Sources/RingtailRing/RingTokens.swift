import RingtailModel

/// The virtual-node tokens of a ring, sorted by position.
///
/// Token `i` of a member is `StableHash.xxh64(utf8(name), seed: i)`, for `i` in
/// `0 ..< virtualNodeCount(weight)`. Consequences, all deliberate:
/// - a member's tokens depend on its name alone, so adding or removing a member moves no other
///   member's tokens: consistent hashing's minimal movement;
/// - the tokens of a heavier weight extend those of a lighter one, so changing a weight only
///   adds or removes that member's tokens;
/// - XXH64 is stable across processes and machines, so every node computes the same tokens.
///
/// Equal positions (a 64-bit collision, in practice never) are ordered by member name, so the
/// order is total and independent of input order.
struct RingTokens: Hashable, Sendable {
    /// Token positions, ascending.
    let positions: [UInt64]
    /// `owners[i]` is the index, in the sorted member list, of the member owning `positions[i]`.
    let owners: [UInt32]
    /// How many members own at least one token (weight-0 members own none).
    let distinctOwnerCount: Int

    var count: Int { positions.count }

    /// The hashed tokens of `members`, which must be sorted by id.
    init(members: [RingMember], configuration: RingConfiguration) {
        var tokens: [(position: UInt64, owner: UInt32)] = []
        tokens.reserveCapacity(members.reduce(0) { $0 + configuration.virtualNodeCount(forWeight: $1.weight) })
        for (index, member) in members.enumerated() {
            let name = Array(member.id.name.utf8)
            for vnode in 0..<configuration.virtualNodeCount(forWeight: member.weight) {
                tokens.append((StableHash.xxh64(name, seed: UInt64(vnode)), UInt32(index)))
            }
        }
        self.init(sorting: tokens)
    }

    /// Tokens at given positions; each node must be one of `members`, which must be sorted by id.
    init(members: [RingMember], explicitTokens: [(position: UInt64, node: NodeID)]) {
        let indices = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($0.element.id, UInt32($0.offset)) })
        self.init(sorting: explicitTokens.map { token in
            guard let index = indices[token.node] else { preconditionFailure("token for non-member \(token.node)") }
            return (token.position, index)
        })
    }

    private init(sorting tokens: [(position: UInt64, owner: UInt32)]) {
        // Owner indices follow name order, so sorting on (position, owner) breaks ties by name.
        let sorted = tokens.sorted { ($0.position, $0.owner) < ($1.position, $1.owner) }
        positions = sorted.map(\.position)
        owners = sorted.map(\.owner)
        distinctOwnerCount = Set(owners).count
    }

    /// The index of the first token at or after `position`, or `count` if there is none (the
    /// walk then wraps to 0).
    func firstIndex(atOrAfter position: UInt64) -> Int {
        var low = 0
        var high = positions.count
        while low < high {
            let middle = (low + high) / 2
            if positions[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
