import RingtailModel

/// The coordinator's view of one read: sent to every target at once, answered once `required`
/// (R) targets replied successfully (`missing` is a successful reply), failed as soon as that
/// became impossible. Afterwards it says which replicas are behind (`repairPlan`).
///
/// The targets may be just R of the replicas, with the others as `spares`: a spare is asked
/// only when a target fails or answers not ready and the rest could no longer make R, or when
/// the coordinator finds the round slow (`askSpares`). Each event may thus add targets; the
/// coordinator sends them the read after every call (`takeTargetsToAsk`).
///
/// Like `WriteRound` it has no clock; the coordinator feeds it replies and its own timeout.
/// Keep feeding it replies after the decision: they do not change what the client was told,
/// but they widen the repair plan.
public struct ReadRound<Payload> {
    private var tally: ReplyTally
    /// Successful replies in arrival order, a node at most once; failures live in the tally.
    /// The first two inline: R is usually 2, and an array cost an allocation per read.
    private var firstAnswer: Answer?
    private var secondAnswer: Answer?
    private var laterAnswers: [Answer] = []
    /// What the search for the newest answer reads of the first two, kept apart: reading it
    /// through `firstAnswer?` copied the whole answer (retaining its node name and payload).
    private var firstKey: AnswerKey?
    private var secondKey: AnswerKey?

    struct Answer {
        var node: NodeID
        /// Nil for `missing`.
        var entry: ReplicaEntry<Payload>?
        var key: AnswerKey
    }

    /// An answer's version (nil for `missing`) and its node's position among the targets.
    struct AnswerKey: Hashable {
        var version: Version?
        var targetIndex: Int
    }

    /// - Throws: `QuorumError.quorumOutOfRange` unless `1 <= required <= targets.count`
    ///   (repeated targets count once).
    /// - Parameter spares: further replicas, in the order to ask them; none are asked at first.
    /// - Parameter sufficient: how many answers from complete copies see every acknowledged
    ///   write (N − W + 1 for the cluster's W). Once that many are in, answers from copies still
    ///   being filled count toward R as well: with N = W = 2 and one replica refilling after a
    ///   restart, the other's answer alone is already as fresh as R = 2 promises. Nil: filling
    ///   copies never count.
    public init(targets: [NodeID], required: Int, spares: [NodeID] = [], sufficient: Int? = nil) throws(QuorumError) {
        tally = try ReplyTally(kind: .read, targets: targets, required: required, spares: spares, sufficient: sufficient)
    }

    /// Asks the spares not asked yet, because the round is taking long (a target may be
    /// stuck rather than failed). Returns how many became targets.
    @discardableResult
    public mutating func askSpares() -> Int {
        guard tally.decision == .pending else { return 0 }
        return tally.promoteAllSpares()
    }

    /// The targets added since the last call (spares, stand-ins): send each the read.
    public mutating func takeTargetsToAsk() -> [NodeID] {
        tally.takeUnsent()
    }

    /// Replicas that may still be asked.
    public var spares: [NodeID] { tally.spares }

    /// Counts one reply. A reply from a node that is not a target, or a second reply from the
    /// same node, is ignored. Replies after the decision are kept for repair only.
    @discardableResult
    public mutating func record(_ reply: ReadReply<Payload>, from node: NodeID) -> QuorumStatus {
        if case .failed(let reason) = reply {
            _ = tally.accept(node, failure: reason)
        } else if tally.accept(node, failure: nil) {
            appendAnswer(node: node, entry: reply.entry)
        }
        return tally.decision
    }

    private mutating func appendAnswer(node: NodeID, entry: ReplicaEntry<Payload>?) {
        let key = AnswerKey(version: entry?.version, targetIndex: tally.targets.firstIndex(of: node) ?? .max)
        let answer = Answer(node: node, entry: entry, key: key)
        if firstKey == nil {
            firstAnswer = answer
            firstKey = key
        } else if secondKey == nil {
            secondAnswer = answer
            secondKey = key
        } else {
            laterAnswers.append(answer)
        }
    }

    private func answer(from node: NodeID) -> Answer? {
        if let firstAnswer, firstAnswer.node == node { return firstAnswer }
        if let secondAnswer, secondAnswer.node == node { return secondAnswer }
        return laterAnswers.first { $0.node == node }
    }

    /// Counts the answer of a target whose copy of the partition is not complete (it is still
    /// being filled, see `PartitionCustody`): its entry takes part in the resolution and the
    /// repair plan, but it does not count toward R. When the remaining targets could no longer
    /// reach R, spares are asked first, then `standIn` (the next node on the extended
    /// preference list, or nil if none) is added as a target; the caller must then send it the
    /// read. Returns the status and the
    /// stand-in if it was added.
    @discardableResult
    public mutating func recordNotReady(_ reply: ReadReply<Payload>, from node: NodeID, standIn: NodeID?) -> (status: QuorumStatus, addedStandIn: NodeID?) {
        let hadStandIn = standIn.map(tally.targets.contains) ?? true
        if case .failed(let reason) = reply {
            _ = tally.accept(node, failure: reason)
        } else if tally.accept(node, failure: nil, counts: false, standIn: standIn) {
            appendAnswer(node: node, entry: reply.entry)
            notReady.insert(node)
        }
        let addedStandIn = !hadStandIn && standIn.map(tally.targets.contains) == true
        return (tally.decision, addedStandIn ? standIn : nil)
    }

    /// Targets that answered but whose copy was not complete.
    public private(set) var notReady: Set<NodeID> = []

    /// Stops waiting: won if R answers are in, lost otherwise. Returns the final status
    /// (unchanged if the round was already decided).
    @discardableResult
    public mutating func timeout() -> QuorumStatus {
        tally.timeout()
        return tally.decision
    }

    /// The newest entry among the successful replies so far; nil when all said missing.
    ///
    /// Equal versions name the same write, so which of them is picked does not matter; the
    /// first in target order is, so the result does not depend on arrival order.
    public var newest: ReplicaEntry<Payload>? {
        newestSlot.flatMap { answer(atSlot: $0).entry }
    }

    /// How many successful replies are stored.
    private var answerSlots: Int {
        (firstKey == nil ? 0 : 1) + (secondKey == nil ? 0 : 1) + laterAnswers.count
    }

    private func answer(atSlot slot: Int) -> Answer {
        switch slot {
        case 0: firstAnswer!
        case 1: secondAnswer!
        default: laterAnswers[slot - 2]
        }
    }

    private func key(atSlot slot: Int) -> AnswerKey {
        switch slot {
        case 0: firstKey!
        case 1: secondKey!
        default: laterAnswers[slot - 2].key
        }
    }

    /// The slot of the newest entry (by versions alone: no entry is copied), the first in
    /// target order among equal versions; nil when every reply said missing.
    private var newestSlot: Int? {
        var best: (slot: Int, version: Version, targetIndex: Int)?
        for slot in 0..<answerSlots {
            let key = key(atSlot: slot)
            guard let version = key.version else { continue }
            if let current = best {
                if version < current.version { continue }
                if version == current.version, key.targetIndex > current.targetIndex { continue }
            }
            best = (slot, version, key.targetIndex)
        }
        return best?.slot
    }

    /// Every successful reply holds `version` (so nobody is behind).
    func allAnswersHold(_ version: Version) -> Bool {
        (0..<answerSlots).allSatisfy { key(atSlot: $0).version == version }
    }

    /// What the client is told, from the successful replies so far. Meaningful once the round
    /// is won; check `status` first.
    public func resolution(nowMillis: UInt64) -> ReadResolution<Payload> {
        ReadResolution(newest: newest, nowMillis: nowMillis)
    }

    /// The successful reply of `node`, if it gave one: the entry, or nil inside for `missing`.
    public func entry(from node: NodeID) -> ReplicaEntry<Payload>?? {
        guard let answer = answer(from: node) else { return nil }
        return .some(answer.entry)
    }

    /// Nodes that answered successfully, in target order.
    public var answeredNodes: [NodeID] {
        tally.targets.filter { answer(from: $0) != nil }
    }

    /// Decided the first time it is not `.pending`, and never changes after.
    public var status: QuorumStatus { tally.decision }
    /// The targets, in the order given, without repeats.
    public var targets: [NodeID] { tally.targets }
    /// R.
    public var required: Int { tally.required }
    /// Successful replies that count toward R: values, tombstones and missing from complete copies.
    public var answered: Int { tally.successes }
    public var failed: Int { tally.failures.count }
    /// Targets that have not replied (including after a timeout).
    public var outstanding: Int { tally.outstanding }
    public var failures: [ReplicaFailure] { tally.failures }
    /// Every target has replied; the repair plan is final.
    public var isComplete: Bool { tally.isComplete }
    public var hasTimedOut: Bool { tally.timedOut }
    /// What to tell the client when the round is lost, with the counts of that moment.
    public var error: QuorumError? { tally.error }
}

extension ReadRound: Sendable where Payload: Sendable {}
extension ReadRound: Equatable where Payload: Equatable {}
extension ReadRound: Hashable where Payload: Hashable {}
extension ReadRound.Answer: Sendable where Payload: Sendable {}
extension ReadRound.Answer: Equatable where Payload: Equatable {}
extension ReadRound.Answer: Hashable where Payload: Hashable {}
