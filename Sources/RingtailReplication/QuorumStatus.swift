import RingtailModel

/// Where a quorum round stands.
public enum QuorumStatus: Sendable, Hashable, CustomStringConvertible {
    /// Not decided yet: more replies may still tip it either way.
    case pending
    /// Enough replicas succeeded.
    case won
    /// Enough replicas failed or stayed silent that success is out of reach.
    case lost

    /// The rule every round applies: won once `successes` reach `required`, lost as soon as
    /// even a success from every `outstanding` replica could not get there.
    public static func evaluate(required: Int, successes: Int, outstanding: Int) -> QuorumStatus {
        if successes >= required { return .won }
        if successes + outstanding < required { return .lost }
        return .pending
    }

    public var description: String {
        switch self {
        case .pending: "pending"
        case .won: "won"
        case .lost: "lost"
        }
    }
}

/// Which kind of round a quorum belongs to; only wording depends on it.
public enum QuorumKind: Sendable, Hashable {
    case read
    case write
}

/// A replica that answered with an error, and what it said.
public struct ReplicaFailure: Sendable, Hashable, CustomStringConvertible {
    public var node: NodeID
    public var reason: String

    public init(node: NodeID, reason: String) {
        self.node = node
        self.reason = reason
    }

    public var description: String { "\(node): \(reason)" }
}

/// The bookkeeping shared by read and write rounds: who was asked, who answered how, and the
/// decision, which is frozen the first time it is not pending.
///
/// Frozen because the coordinator answers its client at that moment; replies that arrive later
/// are still counted (a read needs them for repair) but must not flip a reported outcome.
///
/// Node lists are arrays searched linearly: a round has a handful of replicas, and a tally is
/// made per request, where sets would cost allocations and hashing.
struct ReplyTally: Sendable, Hashable {
    let kind: QuorumKind
    private(set) var targets: [NodeID]
    let required: Int
    /// Nodes not asked yet that may still answer for the round, in the order to ask them.
    private(set) var spares: [NodeID] = []
    /// Targets added after the start (spares, stand-ins) that the caller has not sent to yet.
    private(set) var unsent: [NodeID] = []
    /// Which targets answered, by position in `targets`: bit i for targets[i] (i < 64), then
    /// the rare rest (a round with more than 64 targets) in `answeredBeyond64`.
    private var answeredBits: UInt64 = 0
    private var answeredBeyond64: [Int] = []
    private(set) var answeredCount = 0
    private(set) var successes = 0
    private(set) var failures: [ReplicaFailure] = []
    private(set) var decision: QuorumStatus = .pending
    private(set) var timedOut = false
    /// Set once, when the decision becomes `.lost`, with the counts of that moment.
    private(set) var error: QuorumError?
    /// Answers that do not count on their own (from copies still being filled).
    private(set) var provisional = 0
    /// How many counting answers already see every acknowledged write (N − W + 1: they
    /// intersect every write quorum); once that many are in, provisional answers count too.
    /// Nil: only counting answers ever count.
    let sufficient: Int?

    /// Repeated targets are contacted once, so they count once.
    /// `spares` are asked only when the targets can no longer reach `required` without them
    /// (see `promoteSpares`); they never count as outstanding before that.
    init(kind: QuorumKind, targets: [NodeID], required: Int, spares: [NodeID] = [], sufficient: Int? = nil) throws(QuorumError) {
        // Usually there are no repeats, and the caller's array is kept as it is (no copy).
        var unique = targets
        if targets.indices.contains(where: { index in targets[..<index].contains(targets[index]) }) {
            unique = []
            for node in targets where !unique.contains(node) { unique.append(node) }
        }
        guard required >= 1, required <= unique.count else {
            throw .quorumOutOfRange(kind, required: required, replicas: unique.count)
        }
        self.kind = kind
        self.sufficient = sufficient.map { max(1, $0) }
        self.targets = unique
        self.required = required
        let sparesRepeat = spares.indices.contains { index in
            unique.contains(spares[index]) || spares[..<index].contains(spares[index])
        }
        if sparesRepeat {
            for node in spares where !unique.contains(node) && !self.spares.contains(node) { self.spares.append(node) }
        } else {
            self.spares = spares
        }
    }

    /// Turns spares into targets while the targets left could not reach the quorum.
    private mutating func promoteSparesIfShort() {
        while decision == .pending, !enough(successes + outstanding), !spares.isEmpty {
            addTarget(spares.removeFirst())
        }
    }

    /// Asks every spare now (the round is slow: a target may be stuck). Returns how many.
    @discardableResult
    mutating func promoteAllSpares() -> Int {
        let count = spares.count
        while !spares.isEmpty { addTarget(spares.removeFirst()) }
        return count
    }

    private mutating func addTarget(_ node: NodeID) {
        targets.append(node)
        unsent.append(node)
    }

    /// The targets added since the last call; the caller must send them the request.
    mutating func takeUnsent() -> [NodeID] {
        defer { unsent.removeAll() }
        return unsent
    }

    /// Whether `counted` counting answers, with the provisional ones so far, make the quorum.
    private func enough(_ counted: Int) -> Bool {
        if counted >= required { return true }
        guard let sufficient else { return false }
        return counted >= sufficient && counted + provisional >= required
    }

    /// Won, lost or pending with the replies so far and `outstanding` still to come.
    private func evaluate(outstanding: Int) -> QuorumStatus {
        if enough(successes) { return .won }
        if !enough(successes + outstanding) { return .lost }
        return .pending
    }

    var outstanding: Int { targets.count - answeredCount }

    /// The targets that have not answered, in order.
    var unanswered: [NodeID] {
        targets.indices.filter { !isAnswered($0) }.map { targets[$0] }
    }

    private func isAnswered(_ index: Int) -> Bool {
        index < 64 ? answeredBits & (1 << UInt64(index)) != 0 : answeredBeyond64.contains(index)
    }
    var isComplete: Bool { answeredCount == targets.count }

    /// Marks the target at `index` as answered; false if it already had.
    private mutating func markAnswered(_ index: Int) -> Bool {
        if index < 64 {
            let bit: UInt64 = 1 << UInt64(index)
            guard answeredBits & bit == 0 else { return false }
            answeredBits |= bit
        } else {
            guard !answeredBeyond64.contains(index) else { return false }
            answeredBeyond64.append(index)
        }
        answeredCount += 1
        return true
    }

    /// Counts one reply; false (and nothing changes) for a stranger or a second reply. A reply
    /// that does not `count` is an answer, but neither a success nor a failure. `standIn`, when
    /// given and the round would otherwise fall short, becomes a target before the decision.
    mutating func accept(_ node: NodeID, failure reason: String?, counts: Bool = true, standIn: NodeID? = nil) -> Bool {
        guard let index = targets.firstIndex(of: node), markAnswered(index) else { return false }
        if let reason {
            failures.append(ReplicaFailure(node: node, reason: reason))
        } else if counts {
            successes += 1
        } else {
            provisional += 1
        }
        promoteSparesIfShort()
        if let standIn, decision == .pending, !enough(successes + outstanding), !targets.contains(standIn) {
            spares.removeAll { $0 == standIn }
            addTarget(standIn)
        }
        if decision == .pending {
            decide(evaluate(outstanding: outstanding))
        }
        return true
    }

    /// Silent replicas are given up on: the round is decided with what it has.
    mutating func timeout() {
        guard decision == .pending else { return }
        timedOut = true
        decide(evaluate(outstanding: 0))
    }

    private mutating func decide(_ status: QuorumStatus) {
        decision = status
        guard status == .lost else { return }
        error = .notReached(
            QuorumShortfall(
                kind: kind, required: required, succeeded: successes, contacted: targets.count,
                failures: failures, timedOut: timedOut ? outstanding : 0))
    }
}
