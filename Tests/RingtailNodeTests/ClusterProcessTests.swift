import Foundation
import Glibc
import NIOCore
import RingtailClient
import RingtailModel
import RingtailWire
import Testing

/// Real cache-node processes on loopback forming a 3-node cluster (N=3, W=2, R=2) with the
/// fast local failure-detector profile. Every test stops its processes by PID, and prints
/// their logs when it fails.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ClusterProcessTests {
    static let clusterFlags = ["--membership-profile", "local", "--replicas", "3", "--write-quorum", "2", "--read-quorum", "2", "--replica-timeout", "1s"]

    /// Starts node-1, then node-2 and node-3 joining it, and waits until node-1 sees all three
    /// alive. `extraFlags` go to every node after `clusterFlags`.
    func withCluster(extraFlags: [String] = [], _ body: ([NodeProcess]) async throws -> Void) async throws {
        try await withNodeGroup { group in
            let flags = Self.clusterFlags + extraFlags
            let first = try group.start(nodeID: "node-1", arguments: flags)
            for index in 2...3 {
                try group.start(nodeID: "node-\(index)", arguments: flags + ["--join", first.address])
            }
            let nodes = group.nodes
            try await waitUntil("all three alive on every node", seconds: 20) {
                for node in nodes where try await aliveMembers(seenBy: node).count != 3 { return false }
                return true
            }
            try await waitUntilFilled(nodes)
            try await body(nodes)
        }
    }

    @Test func quorumWriteIsReadableFromEveryNode() async throws {
        try await withCluster { nodes in
            let writer = try client(nodes[0])
            for i in 0..<50 {
                try await writer.set(Array("key-\(i)".utf8), value: Array("value-\(i)".utf8), writeQuorum: 2)
            }
            for node in nodes {
                let reader = try client(node)
                for i in 0..<50 {
                    let value = try await reader.get(Array("key-\(i)".utf8), readQuorum: 2)
                    #expect(value?.bytes == Array("value-\(i)".utf8), "key-\(i) via \(node.nodeID)")
                }
                await reader.close()
            }
            // A delete through one node is seen through another.
            #expect(try await writer.delete(Array("key-0".utf8)) == true)
            let other = try client(nodes[2])
            #expect(try await other.get(Array("key-0".utf8), readQuorum: 2) == nil)
            // Every node holds every key (N=3 on 3 nodes), read straight from its replica.
            for node in nodes {
                let entry = try await replicaEntry(Array("key-7".utf8), at: node)
                #expect(entry.state == .live, "node \(node.nodeID) holds key-7")
            }
            await writer.close()
            await other.close()
        }
    }

    @Test func survivesAKilledNodeAndHandsItsWritesBack() async throws {
        try await withCluster { nodes in
            let victim = nodes[2]
            let port = victim.port
            victim.stop(signal: SIGKILL)

            let writer = try client(nodes[0])
            for i in 0..<20 {
                try await writer.set(Array("during-\(i)".utf8), value: Array("v\(i)".utf8), writeQuorum: 2)
            }
            let reader = try client(nodes[1])
            for i in 0..<20 {
                #expect(try await reader.get(Array("during-\(i)".utf8), readQuorum: 2)?.bytes == Array("v\(i)".utf8))
            }
            try await waitUntil("node-3 reported dead by node-1 and node-2", seconds: 20) {
                for node in nodes.prefix(2) {
                    let status = try await client(node).clusterStatus()
                    guard status.members.first(where: { $0.nodeId == "node-3" })?.state == .dead else { return false }
                }
                return true
            }
            // W=3 cannot be met with a replica down, and the error says how many answered.
            do {
                try await writer.set(Array("needs-three".utf8), value: [1], writeQuorum: 3)
                Issue.record("a W=3 write succeeded with one of three replicas dead")
            } catch RingtailClientError.server(let code, let message) {
                #expect(code == .quorumFailed)
                #expect(message.contains("2") && message.contains("3"), "\(message)")
            }

            // Restart the dead node empty, at the same address: hinted writes reach it.
            let restarted = try NodeProcess.start(nodeID: "node-3", listen: "127.0.0.1:\(port)", arguments: Self.clusterFlags + ["--join", nodes[0].address])
            defer { restarted.stop() }
            // Anti-entropy fills the restarted node too, and may get there first: wait for both.
            try await waitUntil("hinted writes delivered to the restarted node", seconds: 30) {
                for i in 0..<20 where try await replicaEntry(Array("during-\(i)".utf8), at: restarted).state != .live {
                    return false
                }
                return try await client(nodes[0]).clusterStatus().hintsDelivered >= 20
            }
            let status = try await client(nodes[0]).clusterStatus()
            #expect(status.hintsDelivered >= 20)
            let member = try #require(status.members.first { $0.nodeId == "node-3" })
            #expect(member.state == .alive)
            #expect(member.incarnation >= 1, "the restarted node must outrank its old incarnation")
            await writer.close()
            await reader.close()
        }
    }

    @Test func pausedNodeIsSuspectedThenComesBackAndALeaveIsSeenAsLeft() async throws {
        try await withCluster { nodes in
            let paused = nodes[2]
            kill(paused.pid, SIGSTOP)
            try await waitUntil("node-3 suspected or dead while paused", seconds: 20) {
                let state = try await self.state(of: "node-3", seenBy: nodes[0])
                return state == .suspect || state == .dead
            }
            kill(paused.pid, SIGCONT)
            try await waitUntil("node-3 alive again after SIGCONT", seconds: 30) {
                try await self.state(of: "node-3", seenBy: nodes[0]) == .alive
            }
            let status = try await client(nodes[0]).clusterStatus()
            #expect(try #require(status.members.first { $0.nodeId == "node-3" }).incarnation >= 1, "it refuted with a higher incarnation")

            // A graceful shutdown announces the leave: no failure detection needed.
            #expect(nodes[1].stop(signal: SIGTERM) == 0)
            try await waitUntil("node-2 seen as left", seconds: 10) {
                try await self.state(of: "node-2", seenBy: nodes[0]) == .left
            }
            // With node-2 gone from the ring, node-1 and node-3 still serve W=2/R=2.
            let writer = try client(nodes[0])
            try await writer.set(Array("after-leave".utf8), value: [42], writeQuorum: 2)
            #expect(try await client(nodes[2]).get(Array("after-leave".utf8), readQuorum: 2)?.bytes == [42])
            await writer.close()
        }
    }

    @Test func aWrongClusterSecretKeepsANodeOut() async throws {
        let secret = ["RINGTAIL_CLUSTER_SECRET": "correct horse battery staple"]
        let first = try NodeProcess.start(nodeID: "node-1", arguments: Self.clusterFlags, environment: secret)
        let friend = try NodeProcess.start(nodeID: "node-2", arguments: Self.clusterFlags + ["--join", first.address], environment: secret)
        let stranger = try NodeProcess.start(
            nodeID: "node-3", arguments: Self.clusterFlags + ["--join", first.address],
            environment: ["RINGTAIL_CLUSTER_SECRET": "not the secret at all, sorry"])
        defer { for node in [first, friend, stranger] { node.stop() } }
        do {
            try await waitUntil("node-1 and node-2 see each other", seconds: 20) {
                let seenByFirst = try await aliveMembers(seenBy: first).sorted()
                let seenByFriend = try await aliveMembers(seenBy: friend).sorted()
                return seenByFirst == ["node-1", "node-2"] && seenByFriend == ["node-1", "node-2"]
            }
            try await waitUntilFilled([first, friend])
            // Give the stranger time to try; it must never become a member.
            try await Task.sleep(for: .seconds(2))
            #expect(try await aliveMembers(seenBy: first).sorted() == ["node-1", "node-2"])
            #expect(first.logText.contains("does not know the cluster secret"))

            // Cluster messages without the handshake are refused, client requests are not.
            let raw = try client(first)
            do {
                _ = try await raw.request(.replicaReadRequest(ReplicaReadRequest(key: ByteBuffer(string: "k"))), expecting: ReplicaReadResponse.self)
                Issue.record("a replica read without a peer hello was served")
            } catch RingtailClientError.server(let code, _) {
                #expect(code == .unauthorized)
            }
            try await raw.set(Array("k".utf8), value: [1])
            #expect(try await raw.get(Array("k".utf8))?.bytes == [1])
            await raw.close()
        } catch {
            for node in [first, friend, stranger] { print("--- log of \(node.nodeID) ---\n\(node.logText)") }
            throw error
        }
    }

    @Test func readRepairWritesTheNewestValueBackToAStaleReplica() async throws {
        // Anti-entropy off, so only read repair can heal the replica.
        let flags = Self.clusterFlags + ["--anti-entropy", "off"]
        let first = try NodeProcess.start(nodeID: "node-1", arguments: flags)
        let second = try NodeProcess.start(nodeID: "node-2", arguments: flags + ["--join", first.address])
        var third = try NodeProcess.start(nodeID: "node-3", arguments: flags + ["--join", first.address])
        defer { for node in [first, second, third] { node.stop() } }
        do {
            try await waitUntil("three members", seconds: 20) { try await aliveMembers(seenBy: first).count == 3 }
            let writer = try client(first)
            try await writer.set(Array("repair-me".utf8), value: Array("newest".utf8), writeQuorum: 3)

            // node-3 loses everything: no hint covers a write it had already acknowledged.
            let port = third.port
            third.stop(signal: SIGKILL)
            third = try NodeProcess.start(nodeID: "node-3", listen: "127.0.0.1:\(port)", arguments: flags + ["--join", first.address])
            try await waitUntil("node-3 alive again", seconds: 20) { try await state(of: "node-3", seenBy: first) == .alive }
            #expect(try await replicaEntry(Array("repair-me".utf8), at: third).state == .missing)

            // A read that hears all three replicas finds node-3 behind and repairs it.
            #expect(try await writer.get(Array("repair-me".utf8), readQuorum: 3)?.bytes == Array("newest".utf8))
            try await waitUntil("node-3 repaired", seconds: 10) {
                try await replicaEntry(Array("repair-me".utf8), at: third).state == .live
            }
            #expect(try await writer.clusterStatus().readRepairs >= 1)
            await writer.close()
        } catch {
            for node in [first, second, third] { print("--- log of \(node.nodeID) ---\n\(node.logText)") }
            throw error
        }
    }

    @Test func readsAnswerWhileAReplicaTheyAskIsPaused() async throws {
        try await withCluster { nodes in
            let writer = try client(nodes[0])
            let keys = (0..<40).map { Array("paused-\($0)".utf8) }
            for key in keys { try await writer.set(key, value: key, writeQuorum: 3) }
            // A read asks R = 2 replicas, node-1 and one other. For the keys where that other
            // is the paused node-3, only asking node-2 as well answers before the replica
            // timeout; node-3 is still suspect at most (reachable) when these reads start.
            kill(nodes[2].pid, SIGSTOP)
            defer { kill(nodes[2].pid, SIGCONT) }
            let values = try await withThrowingTaskGroup(of: ([UInt8], [UInt8]?).self) { group in
                for key in keys {
                    group.addTask { (key, try await writer.get(key, readQuorum: 2)?.bytes) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for key in keys { #expect(values[key] == .some(key), "key \(String(decoding: key, as: UTF8.self))") }
            await writer.close()
        }
    }

    // MARK: Helpers

    func state(of member: String, seenBy node: NodeProcess) async throws -> MemberStateCode? {
        let client = try client(node)
        defer { Task { await client.close() } }
        return try await client.clusterStatus().members.first { $0.nodeId == member }?.state
    }


    func client(_ node: NodeProcess) throws -> RingtailClient {
        RingtailClient(address: try #require(HostAndPort(node.address)), requestTimeout: .seconds(3), connectTimeout: .seconds(2))
    }

    /// Waits until every node's partitions are filled: a joining node's reads do not count
    /// toward R before that (see docs/ANTI-ENTROPY.md, "Ring changes").
    func waitUntilFilled(_ nodes: [NodeProcess]) async throws {
        try await waitUntil("every node filled", seconds: 30) {
            for node in nodes {
                let client = try client(node)
                defer { Task { await client.close() } }
                guard try await client.repairStatus().ready else { return false }
            }
            return true
        }
    }

    func aliveMembers(seenBy node: NodeProcess) async throws -> [String] {
        let client = try client(node)
        defer { Task { await client.close() } }
        return try await client.clusterStatus().members.filter { $0.state == .alive }.map(\.nodeId)
    }

    /// What `node` itself stores for `key`, bypassing the coordinator.
    func replicaEntry(_ key: [UInt8], at node: NodeProcess) async throws -> StoredEntry {
        let client = try client(node)
        defer { Task { await client.close() } }
        return try await client.request(.replicaReadRequest(ReplicaReadRequest(key: ByteBuffer(bytes: key))), expecting: ReplicaReadResponse.self).entry
    }

    /// Polls `condition` every 200 ms until it holds; fails after `seconds`. Errors inside
    /// the condition count as "not yet".
    func waitUntil(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("timed out after \(seconds) s waiting for: \(what)")
    }
}
