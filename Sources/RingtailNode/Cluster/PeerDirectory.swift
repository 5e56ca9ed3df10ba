import RingtailMembership
import RingtailModel

/// Whether each member may be sent requests (alive or suspected) and where it listens, as of
/// the last membership change: an immutable snapshot the coordinator reads for every request.
///
/// Asking the membership protocol's instance instead copied the whole instance out of its lock
/// (every array and set in it retained and released) on each liveness and address lookup, ~6%
/// of a coordinating node under pipelined reads (docs/BENCHMARKS.md).
final class PeerDirectory: Sendable {
    private struct Entry {
        var isLive: Bool
        var address: String
    }

    private let entries: [NodeID: Entry]

    static let empty = PeerDirectory(members: [])

    init(members: [Member]) {
        var entries: [NodeID: Entry] = [:]
        entries.reserveCapacity(members.count)
        for member in members { entries[member.id] = Entry(isLive: member.state.isLive, address: member.address) }
        self.entries = entries
    }

    /// Alive or suspected; false for members that are dead, left, or unknown.
    func isLive(_ node: NodeID) -> Bool {
        entries[node]?.isLive ?? false
    }

    /// The member's cluster address, whatever its state; nil when unknown.
    func address(of node: NodeID) -> String? {
        entries[node]?.address
    }
}
