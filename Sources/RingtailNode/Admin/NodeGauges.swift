import CoreMetrics
import RingtailWire
import Synchronization

/// Node, cluster and anti-entropy statistics as metrics, refreshed when `/metrics` is scraped.
///
/// Totals the node already counts are mirrored into Prometheus counters by adding what grew
/// since the last scrape.
final class NodeGauges: Sendable {
    private let node: LocalNode
    private let cluster: ClusterNode?
    private let redis: RESPCounters?
    private let mirrored = Mutex<[String: UInt64]>([:])
    private let mirroredCPUSeconds = Mutex<Double>(0)

    init(node: LocalNode, cluster: ClusterNode?, redis: RESPCounters? = nil) {
        self.node = node
        self.cluster = cluster
        self.redis = redis
    }

    func refresh() {
        let stats = node.stats()
        gauge("ringtail_memory_used_bytes", stats.memoryUsedBytes)
        gauge("ringtail_memory_limit_bytes", stats.memoryLimitBytes)
        gauge("ringtail_keys", stats.keys)
        gauge("ringtail_tombstones", stats.tombstones)
        gauge("ringtail_connections", stats.connections)
        total("ringtail_evictions_total", stats.evictions)
        total("ringtail_expirations_total", stats.expirations)
        if let redis {
            // Each connection adds up its commands and publishes them once per socket read, to keep
            // the hot path cheap: totals without outcome or latency (RPC and HTTP requests have both).
            total("ringtail_redis_commands_total", UInt64(redis.commandsProcessed.load(ordering: .relaxed)))
            gauge("ringtail_redis_connections", UInt64(max(0, redis.openConnections.load(ordering: .relaxed))))
            total("ringtail_redis_connections_accepted_total", UInt64(redis.totalConnections.load(ordering: .relaxed)))
            total("ringtail_redis_connections_rejected_total", UInt64(redis.rejectedConnections.load(ordering: .relaxed)))
            total("ringtail_redis_protocol_errors_total", UInt64(redis.protocolErrors.load(ordering: .relaxed)))
            total("ringtail_redis_failed_authentications_total", UInt64(redis.failedAuthentications.load(ordering: .relaxed)))
        }
        refreshProcess()
        total("ringtail_connections_accepted_total", UInt64(node.counters.connectionsAccepted))
        total("ringtail_protocol_errors_total", UInt64(node.counters.protocolErrorCount))
        guard let cluster else { return }
        let status = cluster.status()
        total("ringtail_quorum_failures_total", status.quorumFailures)
        total("ringtail_read_repairs_total", status.readRepairs)
        total("ringtail_reads_answered_by_version_total", status.readsAnsweredByVersion)
        gauge("ringtail_hints_queued", status.hintsQueued)
        total("ringtail_hints_delivered_total", status.hintsDelivered)
        total("ringtail_hints_dropped_total", status.hintsDropped)
        for state in [MemberStateCode.alive, .suspect, .dead, .left] {
            let count = status.members.count { $0.state == state }
            Gauge(label: "ringtail_members", dimensions: [("state", "\(state)")]).record(count)
        }
        let repair = cluster.antiEntropy.status()
        total("ringtail_anti_entropy_keys_repaired_total", repair.keysRepaired)
        total("ringtail_anti_entropy_bytes_repaired_total", repair.bytesRepaired)
        total("ringtail_anti_entropy_wire_bytes_sent_total", repair.wireBytesSent)
        total("ringtail_anti_entropy_wire_bytes_received_total", repair.wireBytesReceived)
        total("ringtail_anti_entropy_sessions_total", repair.sessions)
        total("ringtail_anti_entropy_failed_sessions_total", repair.failedSessions)
        gauge("ringtail_anti_entropy_partitions_out_of_sync", UInt64(repair.partitionsOutOfSync))
        gauge("ringtail_anti_entropy_partitions_unchecked", UInt64(repair.partitionsUnchecked))
        gauge("ringtail_anti_entropy_partitions_replicated", UInt64(repair.partitionsReplicated))
        gauge("ringtail_anti_entropy_partitions_in_sync", UInt64(repair.partitionsInSync))
        gauge("ringtail_anti_entropy_partitions_repairing", UInt64(repair.partitionsRepairing))
        // Ring changes: copies still being filled (their reads do not count toward R), copies
        // kept until the new replicas have them, and what was dropped after that.
        gauge("ringtail_anti_entropy_ready", repair.ready ? 1 : 0)
        gauge("ringtail_anti_entropy_partitions_filling", UInt64(repair.partitionsFilling))
        gauge("ringtail_anti_entropy_partitions_handing_off", UInt64(repair.partitionsHandingOff))
        total("ringtail_anti_entropy_partitions_dropped_total", repair.partitionsDropped)
        total("ringtail_anti_entropy_keys_dropped_total", repair.keysDropped)
        gauge("ringtail_anti_entropy_last_exchange_unix_millis", repair.lastExchangeMillis)
    }

    /// The standard process metrics (the names Prometheus's own clients export), which
    /// dashboards and alerts for any service expect.
    private func refreshProcess() {
        let process = ProcessStatistics.current()
        let cpuSeconds = process.userCPUSeconds + process.systemCPUSeconds
        let delta = mirroredCPUSeconds.withLock { seen -> Double in
            defer { seen = max(seen, cpuSeconds) }
            return max(0, cpuSeconds - seen)
        }
        FloatingPointCounter(label: "process_cpu_seconds_total").increment(by: delta)
        gauge("process_resident_memory_bytes", process.residentBytes)
        gauge("process_virtual_memory_bytes", process.virtualBytes)
        if let open = process.openFileDescriptors { gauge("process_open_fds", UInt64(open)) }
        if let limit = process.maxFileDescriptors { gauge("process_max_fds", limit) }
        if let start = process.startTimeSeconds { Gauge(label: "process_start_time_seconds").record(start) }
    }

    private func gauge(_ label: String, _ value: UInt64) {
        Gauge(label: label).record(Int64(clamping: value))
    }

    private func total(_ label: String, _ value: UInt64) {
        let delta = mirrored.withLock { seen -> UInt64 in
            let previous = seen[label] ?? 0
            seen[label] = max(previous, value)
            return value > previous ? value - previous : 0
        }
        // Register the counter even at zero so it shows on the first scrape.
        let counter = CoreMetrics.Counter(label: label)
        if delta > 0 { counter.increment(by: Int64(clamping: delta)) }
    }
}
