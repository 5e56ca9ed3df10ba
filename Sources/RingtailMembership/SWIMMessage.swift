import RingtailModel

/// One piece of gossip: what the sender believes about one member. Applying the same update
/// twice, or an older one after a newer one, changes nothing, so gossip may be duplicated,
/// reordered or lost.
public struct MemberUpdate: Sendable, Hashable, CustomStringConvertible {
    public var id: NodeID
    /// The member's cluster address, "host:port".
    public var address: String
    public var state: MemberState
    public var incarnation: UInt64
    public var weight: Double
    /// For a suspect update, who suspects: independent confirmations shorten the suspicion
    /// timeout (Lifeguard). `nil` for other states.
    public var suspectedBy: NodeID?

    public init(
        id: NodeID,
        address: String,
        state: MemberState,
        incarnation: UInt64,
        weight: Double = 1,
        suspectedBy: NodeID? = nil
    ) {
        self.id = id
        self.address = address
        self.state = state
        self.incarnation = incarnation
        self.weight = weight
        self.suspectedBy = suspectedBy
    }

    /// SWIM's precedence as one total order: a higher incarnation wins; at equal incarnation
    /// the later state of the life cycle wins (alive < suspect < dead < left).
    public func supersedes(incarnation other: UInt64, state otherState: MemberState) -> Bool {
        if incarnation != other { return incarnation > other }
        return state.precedence > otherState.precedence
    }

    public var description: String { "\(id.name)@\(address) \(state)(\(incarnation))" }
}

/// The protocol's messages. Sequence numbers match an ack to its ping; they are local to the
/// node that chose them. `gossip` is piggybacked on every probe message.
public enum SWIMMessage: Sendable, Hashable {
    /// "Are you alive?" — answered with `ack` carrying the same sequence number.
    case ping(sequence: UInt64, gossip: [MemberUpdate])
    /// "Please ping `target` for me": the receiver pings it and relays the ack under `sequence`,
    /// or answers `nack` if the target stays silent for a ping timeout.
    case pingReq(sequence: UInt64, target: String, gossip: [MemberUpdate])
    case ack(sequence: UInt64, gossip: [MemberUpdate])
    /// From a ping-req helper: the target did not answer it either. Tells the prober that the
    /// helper and the path to it work, so silence is the target's (Lifeguard).
    case nack(sequence: UInt64)
    /// Push-pull: the sender's full member list; answered with `syncReply`. Also how a node joins
    /// through a seed and how dead members are re-contacted.
    case sync(members: [MemberUpdate])
    case syncReply(members: [MemberUpdate])
}
