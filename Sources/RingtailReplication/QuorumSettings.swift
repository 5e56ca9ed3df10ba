/// The cluster-wide replication factor and the default quorums, validated once at start-up;
/// per-request overrides are validated against the same N.
public struct QuorumSettings: Sendable, Hashable, CustomStringConvertible {
    /// N: how many replicas hold each key.
    public let replicas: Int
    /// W: acknowledgements a write waits for unless the request says otherwise.
    public let writeQuorum: Int
    /// R: answers a read waits for unless the request says otherwise.
    public let readQuorum: Int

    public init(replicas: Int, writeQuorum: Int, readQuorum: Int) throws(QuorumError) {
        guard replicas >= 1 else { throw .invalidReplicaCount(replicas) }
        self.replicas = replicas
        self.writeQuorum = try Self.validate(writeQuorum, .write, replicas: replicas)
        self.readQuorum = try Self.validate(readQuorum, .read, replicas: replicas)
    }

    /// W = R = ⌊N/2⌋ + 1: the smallest quorums that always overlap.
    public static func majority(replicas: Int) throws(QuorumError) -> QuorumSettings {
        let half = replicas / 2 + 1
        return try QuorumSettings(replicas: replicas, writeQuorum: half, readQuorum: half)
    }

    /// The W for one write: `override` if given and within 1...N, else the default.
    public func writeQuorum(override: Int?) throws(QuorumError) -> Int {
        guard let override else { return writeQuorum }
        return try Self.validate(override, .write, replicas: replicas)
    }

    /// The R for one read: `override` if given and within 1...N, else the default.
    public func readQuorum(override: Int?) throws(QuorumError) -> Int {
        guard let override else { return readQuorum }
        return try Self.validate(override, .read, replicas: replicas)
    }

    /// Whether reads at `read` are guaranteed to see writes acknowledged at `write`.
    public func consistency(read: Int, write: Int) -> QuorumConsistency {
        read + write > replicas ? .strong : .eventual
    }

    /// The consistency of the defaults.
    public var consistency: QuorumConsistency { consistency(read: readQuorum, write: writeQuorum) }

    public var description: String {
        "N=\(replicas) W=\(writeQuorum) R=\(readQuorum) (\(consistency))"
    }

    private static func validate(_ quorum: Int, _ kind: QuorumKind, replicas: Int) throws(QuorumError) -> Int {
        guard quorum >= 1, quorum <= replicas else {
            throw .quorumOutOfRange(kind, required: quorum, replicas: replicas)
        }
        return quorum
    }
}

/// What a pair of quorums promises.
///
/// "Strong" is the Dynamo sense only: with R + W > N every read quorum shares a replica with
/// every write quorum among the N owners. A sloppy quorum that wrote to substitutes, and clock
/// skew between writers under last-write-wins, can still show a read an older value.
public enum QuorumConsistency: Sendable, Hashable, CustomStringConvertible {
    /// R + W > N.
    case strong
    /// R + W ≤ N: a read may miss the latest acknowledged write until repair catches up.
    case eventual

    public var description: String { self == .strong ? "strong" : "eventual" }
}
