import RingtailModel

/// One replica's answer to a replicated write (a set or a delete).
public enum WriteReply: Sendable, Hashable {
    case success
    case failure(reason: String)
}

/// The coordinator's view of one write: sent to every target at once, acknowledged to the
/// client once `required` (W) targets succeeded, failed as soon as that became impossible.
///
/// A value with no clock: the coordinator feeds it each reply as it arrives and calls
/// `timeout()` when its own timer fires, and acts on the returned status.
public struct WriteRound: Sendable, Hashable {
    private var tally: ReplyTally

    /// - Throws: `QuorumError.quorumOutOfRange` unless `1 <= required <= targets.count`
    ///   (repeated targets count once).
    public init(targets: [NodeID], required: Int) throws(QuorumError) {
        tally = try ReplyTally(kind: .write, targets: targets, required: required)
    }

    /// Counts one reply. A reply from a node that is not a target, or a second reply from the
    /// same node, is ignored. Replies after the decision are counted but do not change it.
    @discardableResult
    public mutating func record(_ reply: WriteReply, from node: NodeID) -> QuorumStatus {
        switch reply {
        case .success: _ = tally.accept(node, failure: nil)
        case .failure(let reason): _ = tally.accept(node, failure: reason)
        }
        return tally.decision
    }

    /// Stops waiting: won if W acknowledgements are in, lost otherwise. Returns the final status
    /// (unchanged if the round was already decided).
    @discardableResult
    public mutating func timeout() -> QuorumStatus {
        tally.timeout()
        return tally.decision
    }

    /// Decided the first time it is not `.pending`, and never changes after.
    public var status: QuorumStatus { tally.decision }
    /// The targets, in the order given, without repeats.
    public var targets: [NodeID] { tally.targets }
    /// W.
    public var required: Int { tally.required }
    public var acknowledged: Int { tally.successes }
    public var failed: Int { tally.failures.count }
    /// Targets that have not answered (including after a timeout).
    public var outstanding: Int { tally.outstanding }
    /// Those targets, in order.
    public var unanswered: [NodeID] { tally.unanswered }
    public var failures: [ReplicaFailure] { tally.failures }
    /// Every target has answered; nothing more will arrive.
    public var isComplete: Bool { tally.isComplete }
    public var hasTimedOut: Bool { tally.timedOut }
    /// What to tell the client when the round is lost, with the counts of that moment.
    public var error: QuorumError? { tally.error }
}
