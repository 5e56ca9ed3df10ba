import Foundation
import Glibc
import NIOCore
import RingtailClient
import RingtailWire
import Testing

/// FLUSHALL on a real 3-node cluster: every member is emptied before the reply, a member that
/// was down catches up through gossip when it returns, and nothing flushed comes back.
extension RedisClusterTests {
    @Test func flushallEmptiesEveryMemberAndOneThatMissedItCatchesUp() async throws {
        let cli = try ExternalTool.redisCLI()
        try await withRedisCluster { nodes in
            let helper = ClusterProcessTests()
            let ports = try nodes.map { try #require($0.redisPort) }
            func run(_ node: Int, _ commands: [String]) throws -> [String] {
                let result = try cli.run(["-p", "\(ports[node])", "--no-raw"], input: commands.joined(separator: "\n") + "\n", seconds: 30)
                return result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            func dbsize(_ node: Int) throws -> String { try run(node, ["DBSIZE"]).first ?? "" }
            let keys = (0..<40).map { "old:\($0)" }

            // All three up: the reply comes once every member has flushed.
            _ = try run(0, keys.map { "SET \($0) v" })
            try await helper.waitUntil("every member holds the keys", seconds: 20) {
                try (0..<3).allSatisfy { try dbsize($0) == "(integer) 40" }
            }
            #expect(try run(1, ["FLUSHALL"]) == ["OK"])
            for node in 0..<3 { #expect(try dbsize(node) == "(integer) 0", "node-\(node + 1)") }
            #expect(try run(0, ["FLUSHALL NOW", "FLUSHDB ASYNC", "GET old:1"]) == ["(error) ERR syntax error", "OK", "(nil)"])

            // node-3 is down (paused, seen dead) with the keys when the flush happens.
            _ = try run(0, keys.map { "SET \($0) again" })
            try await helper.waitUntil("every member holds the keys again", seconds: 20) {
                try (0..<3).allSatisfy { try dbsize($0) == "(integer) 40" }
            }
            kill(nodes[2].pid, SIGSTOP)
            var resumed = false
            defer { if !resumed { kill(nodes[2].pid, SIGCONT) } }
            // Still a live member for the others: the flush waits for it, flushes the rest, and
            // says who did not confirm.
            let unconfirmed = try run(1, ["FLUSHALL"]).joined()
            #expect(unconfirmed.hasPrefix("(error) NOQUORUM flushed on 2 of 3 live members; not confirmed by node-3"), "\(unconfirmed)")
            #expect(try dbsize(0) == "(integer) 0" && dbsize(1) == "(integer) 0")
            _ = try run(0, keys.map { "SET \($0) third" })
            try await helper.waitUntil("node-3 seen dead", seconds: 30) {
                try await helper.state(of: "node-3", seenBy: nodes[0]) == .dead
            }
            #expect(try run(0, ["FLUSHALL"]) == ["OK"])
            #expect(try run(0, ["SET after flush"]) == ["OK"])
            kill(nodes[2].pid, SIGCONT)
            resumed = true

            // Back, node-3 hears of the flush through gossip and drops what it still held.
            try await helper.waitUntil("node-3 flushed through gossip", seconds: 30) {
                try await helper.replicaEntry(Array("old:7".utf8), at: nodes[2]).state == .missing
            }
            // What each node last said, for the failure message.
            var lastSeen: [String] = []
            do {
                try await helper.waitUntil("the cluster ready and in sync", seconds: 30) {
                    lastSeen = []
                    for node in nodes {
                        let client = try helper.client(node)
                        defer { Task { await client.close() } }
                        let status = try await client.repairStatus()
                        lastSeen.append("\(node.nodeID): ready \(status.ready), out of sync \(status.partitionsOutOfSync), unchecked \(status.partitionsUnchecked)")
                        guard status.ready, status.partitionsOutOfSync == 0, status.partitionsUnchecked == 0 else { return false }
                    }
                    return true
                }
            } catch {
                throw TestFailure("\(error); last seen: \(lastSeen.joined(separator: "; "))")
            }
            // Every member reports the same newest flush, and `cachectl cluster` shows it for each.
            var flushes: [String] = []
            for node in nodes {
                let client = try helper.client(node)
                flushes.append(try await client.clusterStatus().flushedThrough.map { "\($0.modelVersion)" } ?? "never")
                await client.close()
            }
            #expect(Set(flushes).count == 1 && flushes[0] != "never", "\(flushes)")
            let table = try ExternalTool(builtProduct: "cachectl").run(["cluster", "--host", nodes[0].address], seconds: 30).stdout
            #expect(table.contains("FLUSHED THROUGH") && table.components(separatedBy: flushes[0]).count == 4, "\(table)")
            // Nothing flushed came back anywhere (anti-entropy, read repair, hints); the later write stays.
            for (index, node) in nodes.enumerated() {
                for key in keys {
                    #expect(try await helper.replicaEntry(Array(key.utf8), at: node).state == .missing, "\(key) on node-\(index + 1)")
                }
                #expect(try run(index, ["GET old:3", "GET after"]) == ["(nil)", #""flush""#], "node-\(index + 1)")
            }
        }
    }
}
