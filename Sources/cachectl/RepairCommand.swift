import ArgumentParser
import Foundation
import RingtailClient
import RingtailModel
import RingtailWire

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Anti-entropy progress.",
        subcommands: [RepairStatusCommand.self, RepairPauseCommand.self, RepairResumeCommand.self],
        defaultSubcommand: RepairStatusCommand.self
    )
}

struct RepairStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Per node: partitions in sync and out of sync (by their last exchange), exchanges under way, keys and bytes repaired, last exchange; whether its copies are filled (ready) or still filling, partitions handed off and dropped."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let members = try await withClient(connection) { try await $0.clusterStatus() }.members
        var rows: [[String]] = []
        var objects: [[String: Any]] = []
        for member in members where member.state == .alive || member.state == .suspect {
            var options = connection
            options.host = member.address
            guard let status = try? await withClient(options, { try await $0.repairStatus() }) else {
                rows.append([member.nodeId, "unreachable"] + Array(repeating: "", count: 11))
                continue
            }
            let last = status.lastExchangeMillis == 0 ? "never" : ago(status.lastExchangeMillis)
            rows.append([
                status.nodeId, "\(status.partitionsReplicated)", "\(status.partitionsInSync)", "\(status.partitionsOutOfSync)",
                "\(status.partitionsRepairing)", "\(status.partitionsUnchecked)", "\(status.keysRepaired)",
                HumanUnits.formatBytes(Int(status.bytesRepaired)),
                "\(HumanUnits.formatBytes(Int(status.wireBytesSent))) / \(HumanUnits.formatBytes(Int(status.wireBytesReceived)))",
                status.paused ? "paused, \(last)" : last,
                status.ready ? "ready" : "filling \(status.partitionsFilling)",
                "\(status.partitionsHandingOff)", "\(status.partitionsDropped) (\(status.keysDropped) keys)",
            ])
            objects.append([
                "node": status.nodeId, "partitions": status.partitionsReplicated, "inSync": status.partitionsInSync,
                "outOfSync": status.partitionsOutOfSync, "repairing": status.partitionsRepairing, "unchecked": status.partitionsUnchecked,
                "keysRepaired": status.keysRepaired, "bytesRepaired": status.bytesRepaired, "sessions": status.sessions,
                "failedSessions": status.failedSessions, "lastExchangeMillis": status.lastExchangeMillis,
                "treeMemoryBytes": status.treeMemoryBytes, "enabled": status.enabled,
                "wireBytesSent": status.wireBytesSent, "wireBytesReceived": status.wireBytesReceived, "paused": status.paused,
                "ready": status.ready, "filling": status.partitionsFilling, "handingOff": status.partitionsHandingOff,
                "partitionsDropped": status.partitionsDropped, "keysDropped": status.keysDropped,
            ])
        }
        if connection.json {
            printJSON(["nodes": objects])
        } else {
            printTable(header: ["NODE", "PARTITIONS", "IN SYNC", "OUT OF SYNC", "REPAIRING", "UNCHECKED", "KEYS REPAIRED", "BYTES", "WIRE OUT / IN", "LAST EXCHANGE",
                                "COPIES", "HANDING OFF", "DROPPED"], rows: rows)
        }
    }

    private func ago(_ millis: UInt64) -> String {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let elapsed = now > millis ? now - millis : 0
        return elapsed < 1000 ? "\(elapsed) ms ago" : "\(elapsed / 1000) s ago"
    }
}

/// Pauses or resumes anti-entropy on one node (--host), or on every live node with --all.
struct RepairToggle {
    static func run(_ connection: ConnectionOptions, all: Bool, pause: Bool) async throws {
        var hosts = [connection.host]
        if all {
            let members = try await withClient(connection) { try await $0.clusterStatus() }.members
            hosts = members.filter { $0.state == .alive || $0.state == .suspect }.map(\.address)
        }
        for host in hosts {
            var options = connection
            options.host = host
            let status = try await withClient(options) { try await $0.setRepairPaused(pause) }
            Output.line("\(status.nodeId): anti-entropy \(status.paused ? "paused" : "running")")
        }
    }
}

struct RepairPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop starting anti-entropy exchanges (exchanges under way finish) until resumed or restarted."
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Every live member, not just --host.")
    var all = false

    func run() async throws { try await RepairToggle.run(connection, all: all, pause: true) }
}

struct RepairResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Start anti-entropy exchanges again after `repair pause`."
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Every live member, not just --host.")
    var all = false

    func run() async throws { try await RepairToggle.run(connection, all: all, pause: false) }
}

struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Each replica's Merkle root for a partition (or a key's partition): equal roots mean equal contents."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The partition number.")
    var partition: Int?

    @Option(help: "Use the partition holding this key.")
    var key: String?

    func validate() throws {
        guard (partition == nil) != (key == nil) else { throw ValidationError("give exactly one of --partition or --key") }
    }

    func run() async throws {
        let keyBytes = key.map { Array($0.utf8) }
        let ring = try await withClient(connection) { client -> RingResponse in
            if let keyBytes { return try await client.ring(key: keyBytes) }
            return try await client.ring()
        }
        let members = try await withClient(connection) { try await $0.clusterStatus() }.members
        let target = partition ?? Int(ring.keyPartition ?? 0)
        guard let placement = ring.partitions.first(where: { Int($0.partition) == target }) else {
            printError("cachectl: partition \(target) does not exist (\(ring.partitionCount) partitions)")
            throw ExitStatus.serverError
        }
        var roots: Set<String> = []
        var objects: [[String: Any]] = []
        var rows: [[String]] = []
        for replica in placement.replicas {
            guard let member = members.first(where: { $0.nodeId == replica }) else { continue }
            var options = connection
            options.host = member.address
            guard let summary = try? await withClient(options, { try await $0.treeSummary(partition: target) }) else {
                rows.append([replica, "unreachable", "", ""])
                continue
            }
            let root = summary.root.readableBytesView.map { String(format: "%02x", $0) }.joined()
            roots.insert(root)
            rows.append([replica, root, "\(summary.keys)", "\(summary.tombstones)"])
            objects.append(["node": replica, "root": root, "keys": summary.keys, "tombstones": summary.tombstones, "ghosts": summary.ghosts])
        }
        if connection.json {
            printJSON(["partition": target, "replicas": objects, "converged": roots.count == 1])
        } else {
            Output.line("partition \(target):")
            printTable(header: ["REPLICA", "ROOT", "KEYS", "TOMBSTONES"], rows: rows)
            Output.line(roots.count == 1 ? "converged: all replica roots are equal" : "NOT converged: \(roots.count) different roots")
        }
    }
}
