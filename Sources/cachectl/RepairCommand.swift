import ArgumentParser
import Foundation
import RingtailClient
import RingtailModel
import RingtailWire

struct RepairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Anti-entropy progress.",
        subcommands: [RepairStatusCommand.self],
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
                rows.append([member.nodeId, "unreachable", "", "", "", "", "", "", "", "", ""])
                continue
            }
            let last = status.lastExchangeMillis == 0 ? "never" : ago(status.lastExchangeMillis)
            rows.append([
                status.nodeId, "\(status.partitionsReplicated)", "\(status.partitionsInSync)", "\(status.partitionsOutOfSync)",
                "\(status.partitionsRepairing)", "\(status.partitionsUnchecked)", "\(status.keysRepaired)",
                HumanUnits.formatBytes(Int(status.bytesRepaired)), last,
                status.ready ? "ready" : "filling \(status.partitionsFilling)",
                "\(status.partitionsHandingOff)", "\(status.partitionsDropped) (\(status.keysDropped) keys)",
            ])
            objects.append([
                "node": status.nodeId, "partitions": status.partitionsReplicated, "inSync": status.partitionsInSync,
                "outOfSync": status.partitionsOutOfSync, "repairing": status.partitionsRepairing, "unchecked": status.partitionsUnchecked,
                "keysRepaired": status.keysRepaired, "bytesRepaired": status.bytesRepaired, "sessions": status.sessions,
                "failedSessions": status.failedSessions, "lastExchangeMillis": status.lastExchangeMillis,
                "treeMemoryBytes": status.treeMemoryBytes, "enabled": status.enabled,
                "ready": status.ready, "filling": status.partitionsFilling, "handingOff": status.partitionsHandingOff,
                "partitionsDropped": status.partitionsDropped, "keysDropped": status.keysDropped,
            ])
        }
        if connection.json {
            printJSON(["nodes": objects])
        } else {
            printTable(header: ["NODE", "PARTITIONS", "IN SYNC", "OUT OF SYNC", "REPAIRING", "UNCHECKED", "KEYS REPAIRED", "BYTES", "LAST EXCHANGE",
                                "COPIES", "HANDING OFF", "DROPPED"], rows: rows)
        }
    }

    private func ago(_ millis: UInt64) -> String {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let elapsed = now > millis ? now - millis : 0
        return elapsed < 1000 ? "\(elapsed) ms ago" : "\(elapsed / 1000) s ago"
    }
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
            print("partition \(target):")
            printTable(header: ["REPLICA", "ROOT", "KEYS", "TOMBSTONES"], rows: rows)
            print(roots.count == 1 ? "converged: all replica roots are equal" : "NOT converged: \(roots.count) different roots")
        }
    }
}
