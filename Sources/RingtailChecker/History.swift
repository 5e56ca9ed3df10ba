import RingtailModel

/// What a client asked for.
public enum OperationKind: String, Sendable, Codable, CaseIterable {
    case get
    case set
    case delete
    /// FLUSHALL: a delete of every key at once (its `key` is `Operation.everyKey`).
    case flush
}

/// How an operation ended, as far as the client can tell.
public enum Outcome: String, Sendable, Codable {
    /// Acknowledged: the cluster answered success.
    case ok
    /// Definitely not applied (for example the connection could not even be opened).
    case failed
    /// Maybe applied, maybe not, maybe later: a timeout, a dropped connection, a quorum that was
    /// not reached after some replicas may already have stored the write.
    case unknown
}

/// One client operation: invocation, completion and what came back.
///
/// Values are unique per write (the workload writes `c3-op17`-style values), so a value names
/// the write that produced it; that is what makes "older" and "never written" well defined.
public struct Operation: Sendable, Equatable {
    /// Position in the history; used to point at operations in reports.
    public var index: Int
    public var client: Int
    public var kind: OperationKind
    public var key: String
    /// For `set`: the value written. For an acknowledged `get`: the value returned, nil for
    /// "not found". Nil for deletes.
    public var value: String?
    /// For an acknowledged `get` that found a value: its version; for an acknowledged `set`:
    /// the version the cluster stored it under. Informational; the checker orders by time.
    public var version: Version?
    /// Milliseconds on one monotonic clock shared by all clients (fractions allowed).
    public var invokeMillis: Double
    /// When the client saw the answer, or gave up waiting (for `unknown`).
    public var completeMillis: Double
    public var outcome: Outcome

    public init(
        index: Int, client: Int, kind: OperationKind, key: String, value: String? = nil, version: Version? = nil,
        invokeMillis: Double, completeMillis: Double, outcome: Outcome
    ) {
        self.index = index
        self.client = client
        self.kind = kind
        self.key = key
        self.value = value
        self.version = version
        self.invokeMillis = invokeMillis
        self.completeMillis = completeMillis
        self.outcome = outcome
    }

    public var isWrite: Bool { kind != .get }
    public var isAcknowledged: Bool { outcome == .ok }

    /// The key a flush is recorded under: it touches all of them.
    public static let everyKey = "*"
}

/// What every replica of each key finally holds: key → replica → value, nil when the replica
/// holds nothing live (missing, tombstone or expired).
public typealias FinalState = [String: [String: String?]]
