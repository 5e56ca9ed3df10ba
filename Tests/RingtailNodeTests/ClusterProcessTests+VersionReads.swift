import NIOCore
import RingtailClient
import RingtailWire
import Testing

/// Reads between real nodes where the coordinator holds the value: replicas that agree answer
/// with the version alone; one that holds another version sends its entry, and the newest wins.
extension ClusterProcessTests {
    @Test func replicasThatAgreeAnswerWithTheVersionAloneAndANewerOneSendsItsValue() async throws {
        // No anti-entropy pass during the test: one could carry the newer version written to
        // node-2 below to node-3 or node-1 before the test does (a loaded CI run saw node-3
        // refuse it as already held).
        try await withCluster(extraFlags: ["--anti-entropy-interval", "1h"]) { nodes in
            let coordinator = try client(nodes[0])
            let keys = (0..<20).map { Array("agreed-\($0)".utf8) }
            for key in keys { try await coordinator.set(key, value: key + Array("-v1".utf8), writeQuorum: 3) }

            // R = 3: node-1 reads its own copy, the other two hold the same version.
            let before = try await coordinator.clusterStatus().readsAnsweredByVersion
            for key in keys {
                #expect(try await coordinator.get(key, readQuorum: 3)?.bytes == key + Array("-v1".utf8))
            }
            let agreed = try await coordinator.clusterStatus().readsAnsweredByVersion - before
            #expect(agreed >= 2 * UInt64(keys.count), "\(agreed) version-only answers for \(keys.count) reads of 3 replicas")

            // node-2 and node-3 get a newer version straight from a "peer" (no cluster secret
            // here): node-1's copy is now the stale one, so they must send their value.
            let key = keys[0]
            let held = try await replicaEntry(key, at: nodes[0])
            let stale = try #require(held.version)
            let newer = StoredEntry(
                key: ByteBuffer(bytes: key), state: .live, value: ByteBuffer(string: "v2 from the others"),
                version: EntryVersion(timestamp: stale.timestamp + (1 << 20), node: stale.node))
            for node in nodes[1...] {
                let peer = try client(node)
                let written = try await peer.request(.replicaWriteRequest(ReplicaWriteRequest(entry: newer)), expecting: ReplicaWriteResponse.self)
                #expect(written.applied)
                await peer.close()
            }
            let beforeNewer = try await coordinator.clusterStatus().readsAnsweredByVersion
            #expect(try await coordinator.get(key, readQuorum: 2)?.bytes == Array("v2 from the others".utf8))
            #expect(try await coordinator.clusterStatus().readsAnsweredByVersion == beforeNewer)
            // And node-1, behind, is repaired with the value that came back.
            try await waitUntil("node-1 repaired", seconds: 10) {
                try await replicaEntry(key, at: nodes[0]).version == newer.version
            }
            #expect(String(buffer: try await replicaEntry(key, at: nodes[0]).value) == "v2 from the others")
            await coordinator.close()
        }
    }
}
