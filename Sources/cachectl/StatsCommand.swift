import ArgumentParser
import RingtailClient
import RingtailModel

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show a node's statistics: keys, memory, evictions, expirations, hits, misses, uptime."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let stats = try await withClient(connection) { try await $0.stats() }
        let rows: [(String, Any, String)] = [
            ("node", stats.nodeId, stats.nodeId),
            ("uptimeMillis", stats.uptimeMillis, "\(stats.uptimeMillis / 1000) s"),
            ("keys", stats.keys, "\(stats.keys)"),
            ("tombstones", stats.tombstones, "\(stats.tombstones)"),
            ("memoryUsedBytes", stats.memoryUsedBytes, HumanUnits.formatBytes(Int(stats.memoryUsedBytes))),
            ("memoryLimitBytes", stats.memoryLimitBytes, HumanUnits.formatBytes(Int(stats.memoryLimitBytes))),
            ("evictions", stats.evictions, "\(stats.evictions)"),
            ("expirations", stats.expirations, "\(stats.expirations)"),
            ("hits", stats.hits, "\(stats.hits)"),
            ("misses", stats.misses, "\(stats.misses)"),
            ("sets", stats.sets, "\(stats.sets)"),
            ("deletes", stats.deletes, "\(stats.deletes)"),
            ("connections", stats.connections, "\(stats.connections)"),
            ("protocolVersion", stats.protocolVersion, "\(stats.protocolVersion)"),
            ("clockOffsetMillis", stats.clockOffsetMillis, "\(stats.clockOffsetMillis) ms"),
        ]
        if connection.json {
            var object: [String: Any] = [:]
            for (name, value, _) in rows { object[name] = value }
            printJSON(object)
        } else {
            let width = rows.map(\.0.count).max() ?? 0
            for (name, _, text) in rows {
                Output.line(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text)
            }
        }
    }
}

struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Check that a node answers.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let pong = try await withClient(connection) { try await $0.ping() }
        if connection.json {
            printJSON(["node": pong.nodeId, "uptimeMillis": pong.uptimeMillis])
        } else {
            Output.line("PONG from \(pong.nodeId)")
        }
    }
}
