import Logging
import NIOCore
import RingtailAntiEntropy
import RingtailClient
import RingtailModel
import RingtailWire
import ServiceLifecycle
import Synchronization

/// The background repair loop: walks the partitions this node replicates, and for each runs
/// one exchange (`PartitionSyncSession`) with another replica of it, rotating through them.
/// The session decides; this shell only moves its requests over the wire and applies what it
/// fetches. A rate limit and the session budgets keep repair from starving client traffic.
public final class AntiEntropyService: Service, Sendable {
    let local: LocalNode
    let cluster: ClusterState
    let peers: PeerPool
    let trees: PartitionTrees
    let progress: RepairProgress
    let settings: AntiEntropySettings
    let logger: Logger
    /// Set by an operator (`cachectl repair pause`): no exchange starts while it holds.
    let paused = Atomic<Bool>(false)

    init(local: LocalNode, cluster: ClusterState, peers: PeerPool, trees: PartitionTrees, settings: AntiEntropySettings, logger: Logger) {
        self.local = local
        self.cluster = cluster
        self.peers = peers
        self.trees = trees
        self.progress = RepairProgress(partitionCount: trees.partitionCount)
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        guard settings.enabled else {
            // A service that returns ends the whole group: idle until shutdown instead.
            try? await gracefulShutdown()
            return
        }
        do {
            try await cancelWhenGracefulShutdown { [self] in
                var pass = 0
                while true {
                    // While partitions are being filled or handed off, passes follow each other
                    // closely: a node's reads do not count until it is filled.
                    let busy = cluster.custody.counts.filling + cluster.custody.counts.handingOff > 0
                    let pause = busy ? min(settings.intervalMillis, Self.fillingIntervalMillis) : settings.intervalMillis
                    try await Task.sleep(for: .milliseconds(Int64(pause)))
                    await runPass(number: pass)
                    pass += 1
                }
            }
        } catch is CancellationError {}
    }

    /// One walk over the partitions this node replicates.
    func runPass(number pass: Int) async {
        let ring = cluster.ring
        let me = cluster.me
        let partitions = ring.partitions(replicatedBy: me)
        let pause = Duration.milliseconds(max(1, 1000 / max(1, settings.sessionsPerSecond)))
        // Filling partitions first: until they are filled this node's reads do not count.
        let filling = partitions.filter { cluster.custody.state(of: $0) == .filling }
        await fillConcurrently(filling, ring: ring, pass: pass)
        for partition in partitions where !filling.contains(partition) {
            if Task.isCancelled { return }
            let others = ring.preferenceList(forPartition: partition).filter { $0 != me && cluster.isAlive($0) }
            guard !others.isEmpty else { continue }
            let peer = others[(pass + partition) % others.count]
            guard let address = cluster.address(of: peer), let client = peers.client(for: address) else { continue }
            await sync(partition: partition, with: client, peer: peer)
            try? await Task.sleep(for: pause)
        }
        await handOff(ring: ring, pause: pause)
        trees.sweepGhosts(nowMillis: local.wallClock.nowMillis(), rules: ExchangeRules(tombstoneGraceMillis: local.configuration.tombstoneGraceMillis))
    }

    /// One exchange of `partition` with `peer`. Returns how it ended and whether the peer said
    /// its copy is complete (see `PartitionCustody`).
    @discardableResult
    func sync(partition: Int, with client: RingtailClient, peer: NodeID) async -> (inSync: Bool, peerComplete: Bool) {
        if paused.load(ordering: .relaxed) { return (false, false) }
        progress.started(partition)
        let snapshot = trees.withTree(partition) { $0.snapshot() }
        var session = PartitionSyncSession(
            partition: partition, local: snapshot, localAcceptsValues: true,
            settings: SyncSettings(
                maxKeysPerSession: settings.maxKeysPerSession, maxBytesPerSession: settings.maxBytesPerSession,
                rules: ExchangeRules(tombstoneGraceMillis: local.configuration.tombstoneGraceMillis)
            )
        )
        var pending = session.start()
        var outcome: SyncOutcome = .failed("not finished")
        var adoptedGhosts = 0
        var peerComplete = false
        while !pending.isEmpty {
            var next: [SyncDirective] = []
            for directive in pending {
                switch directive {
                case .requestSummary(let partition):
                    let (event, complete) = await askSummary(client, partition: partition)
                    peerComplete = complete
                    next += session.handle(event)
                case .requestNodes, .requestBuckets:
                    let event = await ask(client, directive)
                    next += session.handle(event)
                case .send(_, let transfers):
                    await send(transfers, to: client)
                case .fetch(_, let entries):
                    await fetch(entries, from: client)
                case .adopt(_, let entries):
                    adoptedGhosts += adopt(entries)
                case .finished(_, let result):
                    outcome = result
                }
            }
            pending = next
        }
        let statistics = session.statistics
        let failed: Bool
        var inSync = false
        switch outcome {
        case .inSync, .agreed:
            progress.set(partition, .inSync)
            failed = false
            inSync = true
        case .repaired, .budgetExhausted:
            progress.set(partition, .outOfSync)
            failed = false
        case .layoutMismatch, .failed:
            progress.set(partition, .outOfSync)
            failed = true
            logger.debug("anti-entropy session failed", metadata: ["partition": "\(partition)", "peer": "\(peer)", "outcome": "\(outcome)"])
        }
        progress.finished(keys: statistics.keysRepaired, bytes: statistics.totalBytes, failed: failed, atMillis: local.wallClock.nowMillis())
        if statistics.keysRepaired > 0 {
            logger.info("anti-entropy repaired", metadata: [
                "partition": "\(partition)", "peer": "\(peer)", "keys": "\(statistics.keysRepaired)",
                "bytes": "\(statistics.totalBytes)", "outcome": "\(outcome)",
                "adoptedGhosts": "\(adoptedGhosts)",
            ])
        }
        return (inSync, peerComplete)
    }
}

/// Tuning of the repair loop.
public struct AntiEntropySettings: Sendable {
    public var enabled: Bool
    /// Pause between passes over all partitions.
    public var intervalMillis: UInt64
    /// Upper bound on exchanges started per second.
    public var sessionsPerSecond: Int
    public var maxKeysPerSession: Int
    public var maxBytesPerSession: Int
    /// Filling sessions (a node refilling after a start or a ring change) run this many at a
    /// time and without the rate limit: the fill ends sooner, at the cost of client
    /// throughput meanwhile (see docs/BENCHMARKS.md, "Anti-entropy on real nodes").
    public var fillConcurrency: Int

    public init(
        enabled: Bool = true, intervalMillis: UInt64 = 10_000, sessionsPerSecond: Int = 500, maxKeysPerSession: Int = 10_000,
        maxBytesPerSession: Int = 8 << 20, fillConcurrency: Int = 4
    ) {
        self.enabled = enabled
        self.intervalMillis = intervalMillis
        self.sessionsPerSecond = sessionsPerSecond
        self.maxKeysPerSession = maxKeysPerSession
        self.maxBytesPerSession = maxBytesPerSession
        self.fillConcurrency = max(1, fillConcurrency)
    }
}
