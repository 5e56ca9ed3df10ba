/// Limits of one session, so repair never starves client traffic: whatever is left over is
/// repaired by the next session, which starts again from the root.
public struct SyncSettings: Hashable, Sendable {
    /// Keys sent, fetched or adopted per session.
    public var maxKeysPerSession: Int
    /// Bytes per session by `WireCost`: digests, bucket lists and transfers. The descent
    /// spends at most a quarter of it (always at least one group of siblings per level), the
    /// rest goes to lists and keys. The first key of a session always goes, so one large
    /// value cannot stall repair; lists may overshoot by one request.
    public var maxBytesPerSession: Int
    /// Buckets listed per request.
    public var maxBucketsPerRequest: Int
    public var rules: ExchangeRules

    public init(
        maxKeysPerSession: Int = 10_000,
        maxBytesPerSession: Int = 8 << 20,
        maxBucketsPerRequest: Int = 64,
        rules: ExchangeRules = ExchangeRules()
    ) {
        precondition(maxKeysPerSession > 0 && maxBytesPerSession > 0 && maxBucketsPerRequest > 0, "limits must be positive")
        self.maxKeysPerSession = maxKeysPerSession
        self.maxBytesPerSession = maxBytesPerSession
        self.maxBucketsPerRequest = maxBucketsPerRequest
        self.rules = rules
    }
}

/// A replica's answer to the first request of a session.
public struct TreeSummary: Hashable, Sendable {
    public var layout: MerkleLayout
    public var root: MerkleDigest
    /// False while the replica is short of memory: peers then send it lines, not values,
    /// which it keeps as ghosts.
    public var acceptsValues: Bool

    public init(layout: MerkleLayout, root: MerkleDigest, acceptsValues: Bool) {
        self.layout = layout
        self.root = root
        self.acceptsValues = acceptsValues
    }
}

/// What the session needs its shell to do. Requests are answered with the matching
/// `SyncEvent`; the other directives need no answer.
public enum SyncDirective: Hashable, Sendable {
    /// Ask the peer for its `TreeSummary` of the partition → `.summary`.
    case requestSummary(partition: Int)
    /// Ask the peer for these nodes of its tree → `.nodes`.
    case requestNodes(partition: Int, NodeRequest)
    /// List these buckets here (store entries not expired, tombstones within grace, plus
    /// ghosts) and ask the peer for its lists of them → `.buckets`.
    case requestBuckets(partition: Int, buckets: [Int])
    /// Send these entries to the peer, with their values where `carriesValue`.
    case send(partition: Int, [Transfer])
    /// Fetch these values from the peer and store them as any replica write (LWW).
    case fetch(partition: Int, [BucketEntry])
    /// Record these peer entries here without bytes: tombstones as deletes, the rest as
    /// ghosts (`PartitionTree.recordWithoutValue`).
    case adopt(partition: Int, [BucketEntry])
    /// The session is over.
    case finished(partition: Int, SyncOutcome)
}

/// What the shell tells the session.
public enum SyncEvent: Hashable, Sendable {
    case summary(TreeSummary)
    /// The peer's digests for the last `requestNodes`, in its order.
    case nodes([MerkleDigest])
    /// Both sides' lists for the last `requestBuckets`, and the time the local one was taken.
    case buckets(local: [BucketListing], remote: [BucketListing], nowMillis: UInt64)
    /// A request failed (peer gone, timeout): the session ends.
    case failed(String)
}

public enum SyncOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The roots were equal.
    case inSync
    /// Every differing bucket was handled.
    case repaired
    /// The trees differed, but every differing bucket listed the same entries on both sides
    /// (or differences last-write-wins leaves alone): nothing moved, so the replicas agree. A
    /// peer whose entry digests have another format (an earlier build) ends every session so.
    case agreed
    /// The budget ran out; the next session continues.
    case budgetExhausted
    /// The peer's tree has another shape: it runs another configuration.
    case layoutMismatch(MerkleLayout)
    case failed(String)

    public var description: String {
        switch self {
        case .inSync: "in sync"
        case .repaired: "repaired"
        case .agreed: "agreed (the trees differ, the entries do not)"
        case .budgetExhausted: "budget exhausted"
        case .layoutMismatch(let layout): "layout mismatch (peer: \(layout))"
        case .failed(let reason): "failed: \(reason)"
        }
    }
}

/// What one session moved, by `WireCost`.
public struct SyncStatistics: Hashable, Sendable {
    /// Request rounds with the peer, summary included.
    public var rounds = 0
    /// Digests received (summary root included) and the indices asked for them.
    public var treeBytes = 0
    public var differingBuckets = 0
    public var listedEntries = 0
    /// The peer's bucket lists; the local ones never cross.
    public var listBytes = 0
    public var keysSent = 0
    public var keysFetched = 0
    public var keysAdopted = 0
    /// Value bytes in sends and fetches.
    public var valueBytes = 0
    /// Sends and fetches: lines plus values.
    public var transferBytes = 0

    public init() {}

    public var totalBytes: Int { treeBytes + listBytes + transferBytes }
    public var keysRepaired: Int { keysSent + keysFetched + keysAdopted }

    /// Sums sessions, for metrics.
    public static func += (lhs: inout SyncStatistics, rhs: SyncStatistics) {
        lhs.rounds += rhs.rounds
        lhs.treeBytes += rhs.treeBytes
        lhs.differingBuckets += rhs.differingBuckets
        lhs.listedEntries += rhs.listedEntries
        lhs.listBytes += rhs.listBytes
        lhs.keysSent += rhs.keysSent
        lhs.keysFetched += rhs.keysFetched
        lhs.keysAdopted += rhs.keysAdopted
        lhs.valueBytes += rhs.valueBytes
        lhs.transferBytes += rhs.transferBytes
    }
}
