import RingtailModel

/// Why a request cannot be, or was not, served with the quorum it asked for.
public enum QuorumError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A replication factor (N) below 1.
    case invalidReplicaCount(Int)
    /// A quorum outside `1...replicas`: from configuration, a request override, or a round
    /// given fewer targets than its quorum (a sloppy plan that could not place every replica).
    case quorumOutOfRange(QuorumKind, required: Int, replicas: Int)
    /// The round was lost: too many replicas failed or stayed silent.
    case notReached(QuorumShortfall)

    public var description: String {
        switch self {
        case .invalidReplicaCount(let count):
            return "replica count must be at least 1, got \(count)"
        case .quorumOutOfRange(let kind, let required, let replicas):
            if required < 1 { return "\(kind.word) quorum must be at least 1, got \(required)" }
            let noun = replicas == 1 ? "replica" : "replicas"
            return "\(kind.word) quorum of \(required) exceeds the \(replicas) \(noun) available"
        case .notReached(let shortfall):
            return shortfall.description
        }
    }
}

/// The counts of a lost round, as they stood when it was lost.
public struct QuorumShortfall: Sendable, Hashable, CustomStringConvertible {
    public var kind: QuorumKind
    /// The quorum asked for (W or R).
    public var required: Int
    /// Replicas that acknowledged the write, or answered the read (missing counts as an answer).
    public var succeeded: Int
    /// Replicas the request was sent to.
    public var contacted: Int
    /// Replicas that answered with an error, in arrival order.
    public var failures: [ReplicaFailure]
    /// Replicas still silent when the round timed out; 0 when it was lost before that.
    public var timedOut: Int

    public init(
        kind: QuorumKind, required: Int, succeeded: Int, contacted: Int, failures: [ReplicaFailure],
        timedOut: Int
    ) {
        self.kind = kind
        self.required = required
        self.succeeded = succeeded
        self.contacted = contacted
        self.failures = failures
        self.timedOut = timedOut
    }

    public var failed: Int { failures.count }

    /// e.g. "write quorum not reached: 1 of 2 required replicas acknowledged (3 contacted, 2 failed)".
    public var description: String {
        let verb = kind == .write ? "acknowledged" : "answered"
        var detail = "\(contacted) contacted, \(failed) failed"
        if timedOut > 0 { detail += ", \(timedOut) timed out" }
        return "\(kind.word) quorum not reached: \(succeeded) of \(required) required replicas \(verb) (\(detail))"
    }
}

extension QuorumKind {
    var word: String { self == .write ? "write" : "read" }
}
