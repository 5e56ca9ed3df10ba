import RingtailStorage

/// The totals INFO's `stats` and `commandstats` report. They count from the node's start;
/// CONFIG RESETSTAT keeps a copy, and INFO then reports what grew since (`/metrics` keeps
/// counting from the start: Prometheus counters must not go down).
struct RESPStatsTotals: Sendable, Equatable {
    struct Command: Sendable, Equatable {
        var calls: UInt64 = 0
        var nanos: UInt64 = 0
        var failed: UInt64 = 0
    }

    var connections: UInt64 = 0
    var commands: UInt64 = 0
    var rejectedConnections: UInt64 = 0
    var rejectedAuth: UInt64 = 0
    var protocolErrors: UInt64 = 0
    var expired: UInt64 = 0
    var evicted: UInt64 = 0
    var hits: UInt64 = 0
    var misses: UInt64 = 0
    var writes: UInt64 = 0
    var deletes: UInt64 = 0
    var netInput: UInt64 = 0
    var netOutput: UInt64 = 0
    var byCommand: [RESPCommandKind: Command] = [:]
    /// Error replies by their first word.
    var byError: [String: UInt64] = [:]

    var errorReplies: UInt64 { byError.values.reduce(0, &+) }

    /// What grew from `baseline` to `self`, field by field (never below zero).
    func since(_ baseline: Self) -> Self {
        func grown(_ now: UInt64, _ then: UInt64) -> UInt64 { now >= then ? now - then : 0 }
        var result = Self(
            connections: grown(connections, baseline.connections), commands: grown(commands, baseline.commands),
            rejectedConnections: grown(rejectedConnections, baseline.rejectedConnections),
            rejectedAuth: grown(rejectedAuth, baseline.rejectedAuth), protocolErrors: grown(protocolErrors, baseline.protocolErrors),
            expired: grown(expired, baseline.expired), evicted: grown(evicted, baseline.evicted),
            hits: grown(hits, baseline.hits), misses: grown(misses, baseline.misses),
            writes: grown(writes, baseline.writes), deletes: grown(deletes, baseline.deletes),
            netInput: grown(netInput, baseline.netInput), netOutput: grown(netOutput, baseline.netOutput))
        for (kind, now) in byCommand {
            let then = baseline.byCommand[kind] ?? Command()
            let command = Command(calls: grown(now.calls, then.calls), nanos: grown(now.nanos, then.nanos), failed: grown(now.failed, then.failed))
            if command.calls > 0 { result.byCommand[kind] = command }
        }
        for (prefix, count) in byError where grown(count, baseline.byError[prefix] ?? 0) > 0 {
            result.byError[prefix] = grown(count, baseline.byError[prefix] ?? 0)
        }
        return result
    }
}

extension RESPServerContext {
    /// Every total INFO reports, read now (`statistics` is the store's, read by the caller).
    func statsTotals(_ statistics: StoreStatistics) -> RESPStatsTotals {
        let network = counters.commandStats.networkBytes()
        func count(_ value: Int) -> UInt64 { UInt64(max(0, value)) }
        return RESPStatsTotals(
            connections: count(counters.totalConnections.load(ordering: .relaxed)),
            commands: count(counters.commandsProcessed.load(ordering: .relaxed)),
            rejectedConnections: count(counters.rejectedConnections.load(ordering: .relaxed)),
            rejectedAuth: count(counters.failedAuthentications.load(ordering: .relaxed)),
            protocolErrors: count(counters.protocolErrors.load(ordering: .relaxed)),
            expired: statistics.expirations, evicted: statistics.evictions,
            hits: statistics.hits, misses: statistics.misses, writes: statistics.writes, deletes: statistics.deletes,
            netInput: network.input, netOutput: network.output,
            byCommand: counters.commandStats.totalsByCommand(),
            byError: counters.errorStats.snapshot())
    }

    /// The totals since the last CONFIG RESETSTAT (since the start when there was none).
    func statsSinceReset(_ statistics: StoreStatistics) -> RESPStatsTotals {
        statsTotals(statistics).since(counters.statsBaseline.withLock { $0 })
    }

    /// CONFIG RESETSTAT: INFO's totals start again from zero, and the memory peak from the
    /// memory used now.
    func resetStats() {
        let statistics = node.store.statistics()
        let totals = statsTotals(statistics)
        counters.statsBaseline.withLock { $0 = totals }
        counters.instantaneous.withLock { $0.peakMemoryBytes = statistics.memoryUsedBytes }
    }
}
