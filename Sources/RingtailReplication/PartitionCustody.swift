import RingtailModel

/// What one node holds of each partition, and when its copy may be trusted or dropped.
///
/// A node's store starts empty on every start, so a node that joins, restarts or gains a
/// partition through a ring change holds none of that partition's older data. Its copy is
/// `filling` until anti-entropy compared it with a complete copy elsewhere; meanwhile its read
/// answers do not count toward R. A partition the node stops replicating is `handingOff` until
/// every current replica is complete and in sync with it; then the node drops it.
///
/// ```
///             gained                    in sync with a complete copy
///   none ──────────────▶ filling ─────────────────────────────────────▶ ready
///    ▲   (sole replica ──────────────────────────────────────────────▶)  │
///    │                      │ lost                                  lost │
///    │ every current        ▼                                            ▼
///    └──────────────── handingOff(complete: false | true) ◀──────────────┘
///      replica confirmed  ▲       │ gained again: filling
///                         └── none, data found (a write from a stale coordinator)
/// ```
///
/// Pure: the node's shell feeds it ring changes and exchange outcomes, and carries out the
/// drops it decides.
public struct PartitionCustody: Sendable, Hashable {
    public enum State: Sendable, Hashable, CustomStringConvertible {
        /// Not replicated here; nothing held.
        case none
        /// Replicated here, but older data may be missing: read answers do not count.
        case filling
        /// Replicated here and filled.
        case ready
        /// No longer replicated here; kept until the current replicas have it. `complete` says
        /// whether this copy was ready when the partition was lost (a source for fillers).
        case handingOff(complete: Bool)

        public var description: String {
            switch self {
            case .none: "none"
            case .filling: "filling"
            case .ready: "ready"
            case .handingOff(let complete): complete ? "handing off" : "handing off (incomplete)"
            }
        }
    }

    /// One finished exchange of a partition with a peer, as the session and the peer's summary
    /// reported it.
    public struct Exchange: Sendable, Hashable {
        public var peer: NodeID
        /// The session ended with both trees equal.
        public var inSync: Bool
        /// The peer said its copy is complete (ready, or handing off a ready copy).
        public var peerComplete: Bool

        public init(peer: NodeID, inSync: Bool, peerComplete: Bool) {
            self.peer = peer
            self.inSync = inSync
            self.peerComplete = peerComplete
        }
    }

    private(set) var states: [State]
    /// Per partition handing off: the current replicas known to have everything of this copy.
    private var confirmed: [Int: Set<NodeID>] = [:]

    /// - Parameters:
    ///   - replicated: the partitions this node replicates at start.
    ///   - startsReady: true for a node that founds a cluster (nothing to fill from);
    ///     false for one that joins, whose store is empty while the cluster may hold data.
    public init(partitionCount: Int, replicated: some Sequence<Int>, startsReady: Bool) {
        states = Array(repeating: .none, count: partitionCount)
        for partition in replicated { states[partition] = startsReady ? .ready : .filling }
    }

    public var partitionCount: Int { states.count }

    public func state(of partition: Int) -> State { states[partition] }

    /// Whether this copy may be counted toward a read quorum, and offered as a fill source:
    /// ready, or handing off a copy that was ready.
    public func isComplete(_ partition: Int) -> Bool {
        switch states[partition] {
        case .ready, .handingOff(complete: true): true
        case .none, .filling, .handingOff(complete: false): false
        }
    }

    /// Partitions in each state, for status pages.
    public var counts: (filling: Int, ready: Int, handingOff: Int) {
        states.reduce(into: (0, 0, 0)) { counts, state in
            switch state {
            case .filling: counts.0 += 1
            case .ready: counts.1 += 1
            case .handingOff: counts.2 += 1
            case .none: break
            }
        }
    }

    /// Partitions by state.
    public func partitions(in wanted: (State) -> Bool) -> [Int] {
        states.indices.filter { wanted(states[$0]) }
    }

    /// The ring changed: `replicated` is what this node replicates now. `soleReplica(p)` is
    /// true when this node is the only replica of `p` and no fill source can exist (a lone,
    /// joined node): such a partition is ready at once. Confirmations of partitions still
    /// handed off are forgotten, since the set of current replicas may have changed.
    public mutating func ringChanged(replicated: Set<Int>, soleReplica: (Int) -> Bool) {
        confirmed = [:]
        for partition in states.indices {
            let replicates = replicated.contains(partition)
            switch (states[partition], replicates) {
            case (.none, true), (.handingOff, true):
                states[partition] = soleReplica(partition) ? .ready : .filling
            case (.filling, true):
                if soleReplica(partition) { states[partition] = .ready }
            case (.ready, false):
                states[partition] = .handingOff(complete: true)
            case (.filling, false):
                states[partition] = .handingOff(complete: false)
            case (.ready, true), (.none, false), (.handingOff, false):
                break
            }
        }
    }

    /// Judges the exchanges of one filling partition made in one pass, against the fill
    /// `candidates` (every other live node that could hold it, current replicas first).
    /// Ready when one exchange ended in sync with a complete peer, or when every candidate was
    /// reached, each ended in sync and none is complete: then no better copy exists anywhere
    /// (a cluster whose nodes all started at once, or lost every complete copy), and waiting
    /// would only keep the partition unreadable. Returns whether it became ready.
    @discardableResult
    public mutating func fillingExchanged(_ partition: Int, _ exchanges: [Exchange], candidates: [NodeID]) -> Bool {
        guard states[partition] == .filling else { return false }
        if exchanges.contains(where: { $0.inSync && $0.peerComplete }) {
            states[partition] = .ready
            return true
        }
        let syncedWith = Set(exchanges.filter(\.inSync).map(\.peer))
        if !candidates.isEmpty, candidates.allSatisfy(syncedWith.contains) {
            states[partition] = .ready
            return true
        }
        return false
    }

    /// Records an exchange this node started for a partition it hands off, with one of its
    /// `currentReplicas` (this node excluded). True when every current replica is now complete
    /// and was in sync with this copy: the shell should drop the partition, then call
    /// `dropped(_:)`. An incomplete copy that holds nothing (`holdsNothing`) may be dropped at
    /// once; a complete one, even empty, is kept: it is what tells the fillers they are done.
    public mutating func handoffExchanged(_ partition: Int, _ exchange: Exchange?, currentReplicas: [NodeID], holdsNothing: Bool) -> Bool {
        guard case .handingOff(let complete) = states[partition] else { return false }
        if holdsNothing && !complete { return true }
        if let exchange, exchange.inSync, exchange.peerComplete, currentReplicas.contains(exchange.peer) {
            confirmed[partition, default: []].insert(exchange.peer)
        }
        let have = confirmed[partition] ?? []
        return !currentReplicas.isEmpty && currentReplicas.allSatisfy(have.contains)
    }

    /// Data turned up for a partition this node does not replicate (a write from a coordinator
    /// whose ring was older): it is handed off like any lost partition, so it does not linger.
    /// True if the state changed.
    @discardableResult
    public mutating func foundStrayData(_ partition: Int) -> Bool {
        guard states[partition] == .none else { return false }
        states[partition] = .handingOff(complete: false)
        return true
    }

    /// The shell dropped a handed-off partition's data.
    public mutating func dropped(_ partition: Int) {
        guard case .handingOff = states[partition] else { return }
        states[partition] = .none
        confirmed[partition] = nil
    }
}
