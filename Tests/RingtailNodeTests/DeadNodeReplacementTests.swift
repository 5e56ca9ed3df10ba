import Foundation
import Glibc
import RingtailWire
import Testing

/// A member dead for longer than `--replace-dead-after` leaves the ring: its partitions gain
/// new replicas, filled by anti-entropy. Four real nodes, N=3: before the kill each node holds
/// about three quarters of the keys; once node-4 is replaced each of the three holds them all.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct DeadNodeReplacementTests {
    let cluster = ClusterProcessTests()

    @Test func aDeadNodesPartitionsGainNewReplicasThatAreFilled() async throws {
        let flags = ClusterProcessTests.clusterFlags + ["--partitions", "256", "--replace-dead-after", "2s", "--anti-entropy-interval", "1s"]
        try await withNodeGroup { group in
            let first = try group.start(nodeID: "node-1", arguments: flags)
            for index in 2...4 {
                try group.start(nodeID: "node-\(index)", arguments: flags + ["--join", first.address])
            }
            let nodes = group.nodes
            try await cluster.waitUntil("all four alive on every node", seconds: 20) {
                for node in nodes where try await cluster.aliveMembers(seenBy: node).count != 4 { return false }
                return true
            }
            try await cluster.waitUntilFilled(nodes)
            // A former replica (node-2 held everything before node-3 and node-4 joined) keeps the
            // partitions it hands off, and anti-entropy still brings it their new keys, until
            // every new replica has them: wait for that, or it may hold all 200.
            try await cluster.waitUntil("no partition still being handed off", seconds: 30) {
                for node in nodes {
                    let client = try cluster.client(node)
                    defer { Task { await client.close() } }
                    guard try await client.repairStatus().partitionsHandingOff == 0 else { return false }
                }
                return true
            }
            let keys = (0..<200).map { Array("dead-\($0)".utf8) }
            let writer = try cluster.client(nodes[0])
            for key in keys { try await writer.set(key, value: key, writeQuorum: 3) }
            await writer.close()
            let survivors = Array(nodes[0..<3])
            let heldBefore = try await held(keys, on: survivors)
            #expect(heldBefore.allSatisfy { $0 < keys.count }, "with 4 nodes and N=3 no node holds every key: \(heldBefore)")

            nodes[3].stop(signal: SIGKILL)
            try await cluster.waitUntil("node-4 replaced and every key on all three survivors", seconds: 60) {
                try await held(keys, on: survivors).allSatisfy { $0 == keys.count }
            }
            try await cluster.waitUntilFilled(survivors)
        }
    }

    /// How many of `keys` each node stores itself (live), read past the coordinator.
    private func held(_ keys: [[UInt8]], on nodes: [NodeProcess]) async throws -> [Int] {
        var counts: [Int] = []
        for node in nodes {
            var count = 0
            for key in keys where try await cluster.replicaEntry(key, at: node).state == .live { count += 1 }
            counts.append(count)
        }
        return counts
    }
}
