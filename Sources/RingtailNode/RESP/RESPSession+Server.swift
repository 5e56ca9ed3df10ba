import Foundation
import NIOCore
import RingtailAllocator
import RingtailModel
import RingtailRESP

/// What the front door says about itself.
enum RESPServerInfo {
    /// The Redis version whose commands and replies the front door follows; clients read it
    /// from HELLO and INFO to decide what they may send.
    static let redisVersion = "7.2.0"
}

/// Server commands: INFO and CONFIG.
extension RESPSession {
    /// `INFO [section ...]`: server, clients, memory, persistence, stats, replication (the
    /// cluster's members), cpu, errorstats, keyspace and, as in Redis only when named or with
    /// `all`/`everything`, commandstats; `default` and no argument mean every section but
    /// commandstats.
    func info(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let standard = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "errorstats", "keyspace"]
        let all = standard + ["commandstats"]
        var wanted: [String] = command.count == 1 ? standard : []
        for argument in command.arguments.dropFirst() {
            let section = String(buffer: argument).lowercased()
            let named = ["all", "everything"].contains(section) ? all : section == "default" ? standard : [section]
            for section in named where all.contains(section) && !wanted.contains(section) { wanted.append(section) }
        }
        let statistics = node.store.statistics()
        // A peak this INFO reports is kept, so that no later reading shows a lower one.
        let recent = server.counters.instantaneous.withLock { recent in
            recent.peakMemoryBytes = max(recent.peakMemoryBytes, statistics.memoryUsedBytes)
            return recent
        }
        // Read once, and only when a section needs it: /proc is read and parsed.
        let process = wanted.contains("memory") || wanted.contains("cpu") ? ProcessStatistics.current(countingDescriptors: false) : nil
        let totals = ["stats", "commandstats", "errorstats"].contains(where: wanted.contains) ? server.statsSinceReset(statistics) : RESPStatsTotals()
        var text = ""
        for section in all where wanted.contains(section) {
            if !text.isEmpty { text += "\r\n" }
            switch section {
            case "server":
                let uptime = node.uptimeMillis / 1000
                text += """
                    # Server\r\nredis_version:\(RESPServerInfo.redisVersion)\r\nringtail_node_id:\(node.nodeID.name)\r\n\
                    redis_mode:standalone\r\nos:\(Self.operatingSystem)\r\narch_bits:\(MemoryLayout<Int>.size * 8)\r\n\
                    process_id:\(ProcessInfo.processInfo.processIdentifier)\r\nrun_id:\(server.runID)\r\n\
                    tcp_port:\(server.boundPort.load(ordering: .relaxed))\r\nuptime_in_seconds:\(uptime)\r\n\
                    uptime_in_days:\(uptime / 86400)\r\nexecutable:cache-node\r\n
                    """
            case "clients":
                text += """
                    # Clients\r\nconnected_clients:\(server.counters.openConnections.load(ordering: .relaxed))\r\n\
                    maxclients:\(server.maxClients.load(ordering: .relaxed))\r\nblocked_clients:0\r\n\
                    ringtail_redis_io:\(node.configuration.redisIO.rawValue)\r\n\
                    ringtail_clients_on_epoll:\(server.counters.epollConnections.load(ordering: .relaxed))\r\n
                    """
            case "memory":
                text += """
                    # Memory\r\nused_memory:\(statistics.memoryUsedBytes)\r\n\
                    used_memory_human:\(HumanUnits.formatBytes(statistics.memoryUsedBytes))\r\n\
                    maxmemory:\(statistics.memoryLimitBytes)\r\n\
                    maxmemory_human:\(HumanUnits.formatBytes(statistics.memoryLimitBytes))\r\n\
                    maxmemory_policy:allkeys-lru\r\nmem_allocator:\(MemoryAllocator.name)\r\n
                    """
                text += memoryFootprint(used: statistics.memoryUsedBytes, peak: recent.peakMemoryBytes, process: process)
                if let allocator = MemoryAllocator.statistics() {
                    text += "allocator_allocated:\(allocator.allocated)\r\nallocator_resident:\(allocator.resident)\r\n"
                }
            case "stats":
                text += """
                    # Stats\r\ntotal_connections_received:\(totals.connections)\r\n\
                    total_commands_processed:\(totals.commands)\r\n\
                    rejected_connections:\(totals.rejectedConnections)\r\n\
                    rejected_auth:\(totals.rejectedAuth)\r\n\
                    protocol_errors:\(totals.protocolErrors)\r\n\
                    expired_keys:\(totals.expired)\r\nevicted_keys:\(totals.evicted)\r\n\
                    keyspace_hits:\(totals.hits)\r\nkeyspace_misses:\(totals.misses)\r\n\
                    total_writes:\(totals.writes)\r\ntotal_deletes:\(totals.deletes)\r\n\
                    total_error_replies:\(totals.errorReplies)\r\n
                    """
                text += trafficStats(recent, totals: totals)
            case "persistence":
                // Nothing is persisted, so nothing is ever loading or being saved.
                text += "# Persistence\r\nloading:0\r\nasync_loading:0\r\nrdb_bgsave_in_progress:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\n"
            case "cpu":
                // The node forks no children (nothing is saved in the background).
                let user = process?.userCPUSeconds ?? 0, system = process?.systemCPUSeconds ?? 0
                text += String(format: "# CPU\r\nused_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n", system, user)
            case "replication":
                text += replicationSection()
            case "errorstats":
                text += "# Errorstats\r\n" + totals.byError.sorted { $0.key < $1.key }.map { "errorstat_\($0.key):count=\($0.value)\r\n" }.joined()
            case "commandstats":
                text += RESPCommandStats.commandstatsSection(totals.byCommand)
            default:
                text += "# Keyspace\r\n"
                if statistics.keys > 0 {
                    let averageTTL = statistics.averageTTLMillis(nowMillis: node.wallClock.nowMillis())
                    text += "db0:keys=\(statistics.keys),expires=\(statistics.expiringKeys),avg_ttl=\(averageTTL),tombstones=\(statistics.tombstones)\r\n"
                }
            }
        }
        output.writeRESPVerbatimString(ByteBuffer(string: text), version)
        return .replied
    }

    /// Resident memory, the peak of `used_memory` and their ratio, named as Redis names them.
    private func memoryFootprint(used: Int, peak: Int, process: ProcessStatistics?) -> String {
        var text = "used_memory_peak:\(peak)\r\nused_memory_peak_human:\(HumanUnits.formatBytes(peak))\r\n"
        if let resident = process?.residentBytes, resident > 0 {
            let rss = Int(clamping: resident)
            text += "used_memory_rss:\(rss)\r\nused_memory_rss_human:\(HumanUnits.formatBytes(rss))\r\n"
            if used > 0 { text += String(format: "mem_fragmentation_ratio:%.2f\r\n", Double(rss) / Double(used)) }
        }
        return text
    }

    /// Bytes in and out of the Redis port, and the rates of the last 1.6 s.
    private func trafficStats(_ recent: RESPInstantaneousStats, totals: RESPStatsTotals) -> String {
        String(
            format: "total_net_input_bytes:%llu\r\ntotal_net_output_bytes:%llu\r\ninstantaneous_ops_per_sec:%lld\r\ninstantaneous_input_kbps:%.2f\r\ninstantaneous_output_kbps:%.2f\r\n",
            totals.netInput, totals.netOutput, Int64(recent.commands.perSecond.rounded()),
            recent.inputBytes.perSecond / 1024, recent.outputBytes.perSecond / 1024)
    }

    /// The cluster in the shape of Redis's replication section: every node is a master of
    /// its share of the ring; `memberN` lines list the members as this node sees them.
    private func replicationSection() -> String {
        var text = "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
        guard let cluster = server.cluster else { return text }
        let configuration = cluster.state.configuration
        let members = cluster.state.members
        text += """
            ringtail_cluster_members:\(max(1, members.count))\r\nringtail_replicas:\(configuration.replicas)\r\n\
            ringtail_write_quorum:\(configuration.writeQuorum)\r\nringtail_read_quorum:\(configuration.readQuorum)\r\n\
            ringtail_routing:\(server.coordinatorIfClustered == nil ? "local" : "coordinated")\r\n
            """
        for (index, member) in members.enumerated() {
            let me = member.id == node.nodeID ? ",self=1" : ""
            text += "member\(index):id=\(member.id.name),address=\(member.address),state=\(member.state),incarnation=\(member.incarnation)\(me)\r\n"
        }
        return text
    }

    /// `CONFIG GET pattern [pattern ...]`, for the parameters clients probe; `CONFIG SET`
    /// for the few that can change while the node runs.
    func config(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let subcommand = command[1]
        if subcommand.respEqualsIgnoringCase("HELP"), command.count == 2 {
            output.writeRESPValue(.array([
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <parameter> <value> [<parameter> <value> ...]",
                "    Change slowlog-log-slower-than, slowlog-max-len or maxclients; the others are set at start.",
                "RESETSTAT", "    INFO's counts and command statistics start again from zero (/metrics keeps counting).",
            ].map { RESPValue.simpleString($0) }), version)
            return .replied
        }
        if subcommand.respEqualsIgnoringCase("SET") { return configSet(command, into: &output) }
        if subcommand.respEqualsIgnoringCase("RESETSTAT") {
            guard command.count == 2 else {
                output.writeRESPError(RESPErrors.wrongArity("config|resetstat"))
                return .replied
            }
            server.resetStats()
            output.writeRESPOK()
            return .replied
        }
        guard subcommand.respEqualsIgnoringCase("GET") else {
            output.writeRESPError(RESPErrors.unknownSubcommand(subcommand, of: "config"))
            return .replied
        }
        guard command.count >= 3 else {
            output.writeRESPError(RESPErrors.wrongArity("config|get"))
            return .replied
        }
        let patterns = command.arguments.dropFirst(2).map { RESPGlob(String(buffer: $0).lowercased().utf8) }
        let matches = configParameters().filter { parameter in patterns.contains { $0.matches(parameter.name.utf8) } }
        output.writeRESPValue(.map(matches.map { RESPValue.Pair(.bulkString($0.name), .bulkString($0.value)) }), version)
        return .replied
    }

    func configParameters() -> [(name: String, value: String)] {
        let configuration = node.configuration
        return [
            ("save", ""),
            ("appendonly", "no"),
            ("maxmemory", "\(node.store.maxMemoryBytes)"),
            ("maxmemory-policy", "allkeys-lru"),
            ("databases", "1"),
            ("port", "\(server.boundPort.load(ordering: .relaxed))"),
            ("bind", configuration.redisListen?.host ?? ""),
            ("timeout", "0"),
            ("maxclients", "\(server.maxClients.load(ordering: .relaxed))"),
            ("slowlog-log-slower-than", slowlogThresholdText),
            ("slowlog-max-len", "\(server.slowLog.withLock { $0.capacity })"),
            ("proto-max-bulk-len", "\(server.parserLimits.maxBulkBytes)"),
            ("cluster-enabled", "no"),
            ("io-threads", "\(configuration.eventLoopThreads)"),
        ]
    }

    private static var operatingSystem: String {
        #if os(Linux)
        "Linux"
        #else
        "Darwin"
        #endif
    }
}
