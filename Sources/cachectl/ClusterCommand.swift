import ArgumentParser
import Foundation
import RingtailClient
import RingtailWire

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Show the cluster's members as the node sees them: id, address, state, incarnation, partitions, last heard, whether each one's copies are filled, and the newest flush each one applied.",
        aliases: ["members"]
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let status = try await withClient(connection) { try await $0.clusterStatus() }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        func heard(_ member: MemberStatus) -> String {
            if member.nodeId == status.nodeId { return "self" }
            if member.lastHeardMillis == 0 { return "never" }
            let ago = now > member.lastHeardMillis ? now - member.lastHeardMillis : 0
            return ago < 1000 ? "\(ago) ms ago" : "\(ago / 1000) s ago"
        }
        // Whether each node's copies are filled, and the newest flush it applied, are the node's
        // own knowledge: ask each live one.
        var readiness: [String: String] = [:]
        var flushed: [String: String] = [:]
        for member in status.members where member.state == .alive || member.state == .suspect {
            var options = connection
            options.host = member.address
            guard let (repair, own) = try? await withClient(options, { (try await $0.repairStatus(), try await $0.clusterStatus()) }) else { continue }
            readiness[member.nodeId] = repair.ready
                ? (repair.partitionsHandingOff > 0 ? "ready, handing off \(repair.partitionsHandingOff)" : "ready")
                : "filling \(repair.partitionsFilling)"
            flushed[member.nodeId] = own.flushedThrough.map { "\($0.modelVersion)" } ?? "never"
        }
        if connection.json {
            printJSON([
                "node": status.nodeId, "readStandIns": status.readStandIns, "readsAnsweredByVersion": status.readsAnsweredByVersion,
                "replicas": status.replicas, "writeQuorum": status.writeQuorum, "readQuorum": status.readQuorum,
                "partitions": status.partitionCount,
                "hintsQueued": status.hintsQueued, "hintsDelivered": status.hintsDelivered, "hintsDropped": status.hintsDropped,
                "readRepairs": status.readRepairs, "quorumFailures": status.quorumFailures,
                "members": status.members.map { member -> [String: Any] in
                    [
                        "id": member.nodeId, "address": member.address, "state": "\(member.state)",
                        "incarnation": member.incarnation, "partitionsOwned": member.partitionsOwned,
                        "lastHeardMillis": member.lastHeardMillis, "weight": Double(member.weightMilli) / 1000,
                        "readiness": readiness[member.nodeId] ?? "unknown",
                        "flushedThrough": flushed[member.nodeId] ?? "unknown",
                    ]
                },
            ])
            return
        }
        Output.line("cluster seen by \(status.nodeId): N=\(status.replicas) W=\(status.writeQuorum) R=\(status.readQuorum), \(status.partitionCount) partitions")
        let header = ["ID", "ADDRESS", "STATE", "INCARNATION", "PARTITIONS", "LAST HEARD", "COPIES", "FLUSHED THROUGH"]
        let rows = status.members.map { member in
            [member.nodeId, member.address, "\(member.state)", "\(member.incarnation)", "\(member.partitionsOwned)", heard(member),
             readiness[member.nodeId] ?? "-", flushed[member.nodeId] ?? "-"]
        }
        printTable(header: header, rows: rows)
        Output.line("hints queued \(status.hintsQueued), delivered \(status.hintsDelivered), dropped \(status.hintsDropped); read repairs \(status.readRepairs); quorum failures \(status.quorumFailures); read stand-ins \(status.readStandIns); reads answered by version \(status.readsAnsweredByVersion)")
    }
}

struct RingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ring",
        abstract: "Show partition → preference list, or where one key lives (--key)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Show only the partition and replicas of this key.")
    var key: String?

    func run() async throws {
        let keyBytes = key.map { Array($0.utf8) }
        let ring = try await withClient(connection) { try await $0.ring(key: keyBytes) }
        if connection.json {
            var object: [String: Any] = [
                "partitionCount": ring.partitionCount, "replicas": ring.replicas,
                "partitions": ring.partitions.map { ["partition": $0.partition, "replicas": $0.replicas] as [String: Any] },
            ]
            if let partition = ring.keyPartition { object["keyPartition"] = partition }
            if let hash = ring.keyHash { object["keyHash"] = String(hash, radix: 16) }
            printJSON(object)
            return
        }
        if let key, let partition = ring.keyPartition, let placement = ring.partitions.first {
            Output.line("key '\(key)' → partition \(partition) of \(ring.partitionCount) → \(placement.replicas.joined(separator: ", "))")
            return
        }
        printTable(header: ["PARTITION", "REPLICAS"], rows: ring.partitions.map { ["\($0.partition)", $0.replicas.joined(separator: ", ")] })
    }
}

/// Left-aligned columns separated by two spaces.
func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        Output.line(cells.joined(separator: "  "))
    }
}
