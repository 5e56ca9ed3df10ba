import NIOCore
import RingtailRESP
import Synchronization

/// What every Redis connection of a node shares: the node, its cluster, the settings and the
/// counters INFO reports.
final class RESPServerContext: Sendable {
    let node: LocalNode
    let cluster: ClusterNode?
    let password: String?
    let parserLimits: RESPParser.Limits
    let stripes = KeyStripes()
    let counters: RESPCounters
    /// Set once the listener is bound (INFO and CONFIG GET report it).
    let boundPort = Atomic<Int>(0)
    /// Random, new with every start: tells monitoring a restart from a counter reset, as
    /// Redis's `run_id` does.
    let runID = (0..<40).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    /// Commands taking at least this long are logged; `.max` when the log is off. CONFIG SET
    /// slowlog-log-slower-than changes it.
    let slowThresholdNanos: Atomic<UInt64>
    let slowLog: Mutex<SlowLog>
    /// Most connections open at once; CONFIG SET maxclients changes it.
    let maxClients: Atomic<Int>
    /// The open connections, for CLIENT LIST and CLIENT KILL.
    let clients = RESPClientRegistry()
    /// Where connections gather their replies to be written together at the end of each turn.
    let turnFlushers = TurnFlushers()

    init(node: LocalNode, cluster: ClusterNode?, counters: RESPCounters) {
        self.node = node
        self.cluster = cluster
        self.counters = counters
        let configuration = node.configuration
        self.password = configuration.redisPassword
        let maxBulk = configuration.redisMaxBulkBytes ?? (configuration.maxValueBytes + (1 << 20))
        // A request may carry many values (MSET): allow a few maximal ones, at least 64 MiB.
        self.parserLimits = RESPParser.Limits(maxBulkBytes: maxBulk, maxCommandBytes: max(64 << 20, 4 * maxBulk))
        self.slowThresholdNanos = Atomic(configuration.slowlogThresholdMillis.map { min($0, UInt64.max / 1_000_000) * 1_000_000 } ?? .max)
        self.maxClients = Atomic(configuration.redisMaxClients)
        self.slowLog = Mutex(SlowLog(capacity: configuration.slowlogMaxLength))
    }

    /// Takes one reading of the rates and the memory peak INFO reports; every 100 ms.
    func sampleInstantaneous() {
        let network = counters.commandStats.networkBytes()
        let commands = UInt64(max(0, counters.commandsProcessed.load(ordering: .relaxed)))
        let memory = node.store.statistics().memoryUsedBytes
        let now = MonotonicClock.nowMillis()
        counters.instantaneous.withLock {
            $0.record(atMillis: now, commands: commands, inputBytes: network.input, outputBytes: network.output, memoryBytes: memory)
        }
    }

    /// The coordinator when commands must go through replicas; nil while this node is the
    /// only member holding data, which then serves from its own store synchronously.
    var coordinatorIfClustered: Coordinator? {
        guard let coordinator = cluster?.coordinator, !coordinator.isSolo else { return nil }
        return coordinator
    }
}

/// Counters of the Redis front door, across connections.
final class RESPCounters: Sendable {
    let openConnections = Atomic<Int>(0)
    /// Of those, the ones on the epoll loops (the rest are on NIO channels).
    let epollConnections = Atomic<Int>(0)
    let totalConnections = Atomic<Int>(0)
    /// Connections refused because `redisMaxClients` were open.
    let rejectedConnections = Atomic<Int>(0)
    let commandsProcessed = Atomic<Int>(0)
    let protocolErrors = Atomic<Int>(0)
    let failedAuthentications = Atomic<Int>(0)
    /// Calls, outcomes and latencies by command; bytes in and out.
    let commandStats = RESPCommandStats()
    /// Error replies by their first word.
    let errorStats = RESPErrorStats()
    /// The totals INFO counts from, as of the last CONFIG RESETSTAT.
    let statsBaseline = Mutex(RESPStatsTotals())
    /// Recent rates and the memory peak, sampled by the listener.
    let instantaneous = Mutex(RESPInstantaneousStats())
    /// Coordinated commands not yet answered; a graceful shutdown waits for them.
    let inFlight = Atomic<Int>(0)
    private let lastClientID = Atomic<Int64>(0)

    func nextClientID() -> Int64 {
        lastClientID.add(1, ordering: .relaxed).newValue
    }

    /// Waits until no coordinated command is in flight, or `upToMillis` has passed.
    func waitForInFlight(upToMillis limit: Int) async {
        var waited = 0
        while inFlight.load(ordering: .relaxed) > 0, waited < limit {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
    }
}
