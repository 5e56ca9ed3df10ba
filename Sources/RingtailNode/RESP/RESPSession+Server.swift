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

/// Server commands: INFO and CONFIG GET.
extension RESPSession {
    /// `INFO [section ...]`: server, clients, memory, stats, replication (the cluster's
    /// members), keyspace and, as in Redis only when named or with `all`/`everything`,
    /// commandstats; `default` and no argument mean every section but commandstats.
    func info(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let standard = ["server", "clients", "memory", "stats", "replication", "keyspace"]
        let all = standard + ["commandstats"]
        var wanted: [String] = command.count == 1 ? standard : []
        for argument in command.arguments.dropFirst() {
            let section = String(buffer: argument).lowercased()
            let named = ["all", "everything"].contains(section) ? all : section == "default" ? standard : [section]
            for section in named where all.contains(section) && !wanted.contains(section) { wanted.append(section) }
        }
        let statistics = node.store.statistics()
        var text = ""
        for section in all where wanted.contains(section) {
            if !text.isEmpty { text += "\r\n" }
            switch section {
            case "server":
                let uptime = node.uptimeMillis / 1000
                text += """
                    # Server\r\nredis_version:\(RESPServerInfo.redisVersion)\r\nringtail_node_id:\(node.nodeID.name)\r\n\
                    redis_mode:standalone\r\nos:\(Self.operatingSystem)\r\narch_bits:\(MemoryLayout<Int>.size * 8)\r\n\
                    process_id:\(ProcessInfo.processInfo.processIdentifier)\r\n\
                    tcp_port:\(server.boundPort.load(ordering: .relaxed))\r\nuptime_in_seconds:\(uptime)\r\n\
                    uptime_in_days:\(uptime / 86400)\r\nexecutable:cache-node\r\n
                    """
            case "clients":
                text += """
                    # Clients\r\nconnected_clients:\(server.counters.openConnections.load(ordering: .relaxed))\r\n\
                    maxclients:\(node.configuration.redisMaxClients)\r\nblocked_clients:0\r\n
                    """
            case "memory":
                text += """
                    # Memory\r\nused_memory:\(statistics.memoryUsedBytes)\r\n\
                    used_memory_human:\(HumanUnits.formatBytes(statistics.memoryUsedBytes))\r\n\
                    maxmemory:\(statistics.memoryLimitBytes)\r\n\
                    maxmemory_human:\(HumanUnits.formatBytes(statistics.memoryLimitBytes))\r\n\
                    maxmemory_policy:allkeys-lru\r\nmem_allocator:\(MemoryAllocator.name)\r\n
                    """
                if let allocator = MemoryAllocator.statistics() {
                    text += "allocator_allocated:\(allocator.allocated)\r\nallocator_resident:\(allocator.resident)\r\n"
                }
            case "stats":
                let counters = server.counters
                text += """
                    # Stats\r\ntotal_connections_received:\(counters.totalConnections.load(ordering: .relaxed))\r\n\
                    total_commands_processed:\(counters.commandsProcessed.load(ordering: .relaxed))\r\n\
                    rejected_connections:\(counters.rejectedConnections.load(ordering: .relaxed))\r\n\
                    rejected_auth:\(counters.failedAuthentications.load(ordering: .relaxed))\r\n\
                    protocol_errors:\(counters.protocolErrors.load(ordering: .relaxed))\r\n\
                    expired_keys:\(statistics.expirations)\r\nevicted_keys:\(statistics.evictions)\r\n\
                    keyspace_hits:\(statistics.hits)\r\nkeyspace_misses:\(statistics.misses)\r\n\
                    total_writes:\(statistics.writes)\r\ntotal_deletes:\(statistics.deletes)\r\n
                    """
            case "replication":
                text += replicationSection()
            case "commandstats":
                text += server.counters.commandStats.commandstatsSection()
            default:
                text += "# Keyspace\r\n"
                if statistics.keys > 0 { text += "db0:keys=\(statistics.keys),tombstones=\(statistics.tombstones)\r\n" }
            }
        }
        output.writeRESPVerbatimString(ByteBuffer(string: text), version)
        return .replied
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

    /// `CONFIG GET pattern [pattern ...]`, for the parameters clients probe.
    func config(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let subcommand = command[1]
        if subcommand.respEqualsIgnoringCase("HELP"), command.count == 2 {
            output.writeRESPValue(.array([
                "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
            ].map { RESPValue.simpleString($0) }), version)
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
        let patterns = command.arguments.dropFirst(2).map { String(buffer: $0).lowercased() }
        let matches = configParameters().filter { parameter in patterns.contains { Self.globMatches($0, parameter.name) } }
        output.writeRESPValue(.map(matches.map { RESPValue.Pair(.bulkString($0.name), .bulkString($0.value)) }), version)
        return .replied
    }

    private func configParameters() -> [(name: String, value: String)] {
        let configuration = node.configuration
        return [
            ("save", ""),
            ("appendonly", "no"),
            ("maxmemory", "\(configuration.maxMemoryBytes)"),
            ("maxmemory-policy", "allkeys-lru"),
            ("databases", "1"),
            ("port", "\(server.boundPort.load(ordering: .relaxed))"),
            ("bind", configuration.redisListen?.host ?? ""),
            ("timeout", "0"),
            ("maxclients", "\(configuration.redisMaxClients)"),
            ("proto-max-bulk-len", "\(server.parserLimits.maxBulkBytes)"),
            ("cluster-enabled", "no"),
            ("io-threads", "\(configuration.eventLoopThreads)"),
        ]
    }

    /// `*` and `?` globbing, as CONFIG GET patterns use it.
    static func globMatches(_ pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let text = Array(text.utf8)
        var p = 0, t = 0, starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
                p += 1; t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                starP = p; starT = t; p += 1
            } else if starP >= 0 {
                p = starP + 1; starT += 1; t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    private static var operatingSystem: String {
        #if os(Linux)
        "Linux"
        #else
        "Darwin"
        #endif
    }
}
