/// One anti-entropy exchange of a partition with one peer, as a value: events in, directives
/// out, no I/O and no clock. The replica that starts it decides for both sides.
///
///     start                → requestSummary
///     summary (roots equal)→ finished(inSync)
///     summary / nodes      → requestNodes, one level at a time, children of differing nodes only
///     nodes (leaves)       → requestBuckets, `maxBucketsPerRequest` differing buckets at a time
///     buckets              → send / fetch / adopt, then the next requestBuckets or finished
///                            (repaired; agreed when the lists held no difference to act on)
///
/// The local side is a snapshot taken at the start; the peer answers from its live tree.
/// Writes racing the session are harmless: the bucket lists are read live and the decision
/// is last-writer-wins, so the worst case is a difference left for the next session.
public struct PartitionSyncSession: Sendable {
    public let partition: Int
    public let settings: SyncSettings
    public let localAcceptsValues: Bool
    public internal(set) var statistics = SyncStatistics()
    /// Set once finished.
    public internal(set) var outcome: SyncOutcome?

    let local: MerkleSnapshot
    var phase = Phase.idle
    var remoteAcceptsValues = true
    /// The budget cut the descent short: finishing the buckets found is not the end.
    var descentWasCut = false

    enum Phase: Sendable {
        case idle
        case awaitingSummary
        case comparing(TreeComparison)
        case listing(requested: [Int], remaining: ArraySlice<Int>)
        case finished
    }

    /// - Parameters:
    ///   - local: `PartitionTree.snapshot()` of this replica's tree.
    ///   - localAcceptsValues: false while this replica is short of memory; it then adopts
    ///     the peer's newer entries as ghosts instead of fetching their values.
    public init(partition: Int, local: MerkleSnapshot, localAcceptsValues: Bool = true, settings: SyncSettings = SyncSettings()) {
        self.partition = partition
        self.local = local
        self.localAcceptsValues = localAcceptsValues
        self.settings = settings
    }

    public var isFinished: Bool { outcome != nil }

    public mutating func start() -> [SyncDirective] {
        guard case .idle = phase else { return [] }
        phase = .awaitingSummary
        return [.requestSummary(partition: partition)]
    }

    public mutating func handle(_ event: SyncEvent) -> [SyncDirective] {
        switch (phase, event) {
        case (.finished, _):
            return []
        case (_, .failed(let reason)):
            return finish(.failed(reason))
        case (.awaitingSummary, .summary(let summary)):
            statistics.rounds += 1
            return receive(summary)
        case (.comparing(var comparison), .nodes(let digests)):
            statistics.rounds += 1
            guard let request = comparison.pending, digests.count == request.indices.count else {
                return finish(.failed("expected \(comparison.pending?.indices.count ?? 0) digests, got \(digests.count)"))
            }
            statistics.treeBytes += WireCost.nodeBytes(request, layout: local.layout)
            comparison.receive(local: local.nodes(level: request.level, indices: request.indices), remote: digests)
            return advance(comparison)
        case (.listing(let requested, let remaining), .buckets(let localLists, let remoteLists, let nowMillis)):
            statistics.rounds += 1
            return decide(requested: requested, remaining: remaining, local: localLists, remote: remoteLists, nowMillis: nowMillis)
        default:
            return finish(.failed("unexpected \(Self.name(of: event))"))
        }
    }

    // MARK: Steps

    private mutating func receive(_ summary: TreeSummary) -> [SyncDirective] {
        statistics.treeBytes += WireCost.digestBytes
        guard summary.layout == local.layout else { return finish(.layoutMismatch(summary.layout)) }
        remoteAcceptsValues = summary.acceptsValues
        guard summary.root != local.root else { return finish(.inSync) }
        var comparison = TreeComparison(layout: local.layout)
        comparison.receive(local: [local.root], remote: [summary.root])
        return advance(comparison)
    }

    private mutating func advance(_ comparison: TreeComparison) -> [SyncDirective] {
        var comparison = comparison
        // The descent may spend a quarter of the byte budget, leaving the rest for the lists
        // and keys it leads to; subtrees it cannot pay for wait for the next session.
        comparison.limitPending(maxNodes: Swift.max(0, settings.maxBytesPerSession / 4 - statistics.treeBytes) / WireCost.digestBytes)
        if let request = comparison.pending {
            phase = .comparing(comparison)
            return [.requestNodes(partition: partition, request)]
        }
        statistics.differingBuckets = comparison.differingLeaves.count
        descentWasCut = comparison.isPartial
        guard !comparison.differingLeaves.isEmpty else { return finish(descentWasCut ? .budgetExhausted : finished) }
        return requestBuckets(comparison.differingLeaves[...])
    }

    mutating func requestBuckets(_ remaining: ArraySlice<Int>) -> [SyncDirective] {
        let batch = Array(remaining.prefix(settings.maxBucketsPerRequest))
        phase = .listing(requested: batch, remaining: remaining.dropFirst(batch.count))
        return [.requestBuckets(partition: partition, buckets: batch)]
    }

    mutating func finish(_ outcome: SyncOutcome) -> [SyncDirective] {
        phase = .finished
        self.outcome = outcome
        return [.finished(partition: partition, outcome)]
    }

    static func name(of event: SyncEvent) -> String {
        switch event {
        case .summary: "summary"
        case .nodes: "nodes"
        case .buckets: "bucket lists"
        case .failed: "failure"
        }
    }
}
