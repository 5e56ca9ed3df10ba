import Foundation
import Glibc
import Testing

/// The admin listener of a node in a real 3-node cluster (N=3, W=2, R=2): health and
/// `/cluster` once joined, the key API through the coordinator, 503 with a JSON error when
/// the quorum is out of reach, and the HTTP requests counted in `/metrics`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AdminClusterTests {
    let cluster = ClusterProcessTests()

    @Test func keyAPIThroughTheCoordinatorAnd503WithoutAQuorum() async throws {
        try await withNodeGroup { group in
            // 256 partitions: every one is checked sooner, so /health turns ready in a few seconds.
            let flags = ClusterProcessTests.clusterFlags + ["--partitions", "256"]
            let first = try group.start(nodeID: "node-1", arguments: flags + ["--admin-listen", "127.0.0.1:0"])
            for index in 2...3 {
                try group.start(nodeID: "node-\(index)", arguments: flags + ["--join", first.address])
            }
            let nodes = group.nodes
            let port = try await nodes[0].adminPort()
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            try await cluster.waitUntil("node-1's /health says ready", seconds: 40) {
                try http.request("GET", "/health").status == 200
            }
            let status = try http.request("GET", "/cluster")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any])
            let members = try #require(json["members"] as? [[String: Any]])
            #expect(members.count == 3)
            #expect(members.allSatisfy { $0["state"] as? String == "alive" }, "\(members)")

            #expect(try http.request("PUT", "/v1/keys/shared", body: Array("through node-1".utf8)).status == 201)
            // Every replica holds it: N=3 on 3 nodes, W=2 acknowledged and the third follows.
            try await cluster.waitUntil("every replica holds the key", seconds: 10) {
                for node in nodes where try await cluster.replicaEntry(Array("shared".utf8), at: node).state != .live { return false }
                return true
            }
            #expect(try http.request("GET", "/v1/keys/shared").text == "through node-1")

            nodes[1].stop(signal: SIGKILL)
            nodes[2].stop(signal: SIGKILL)
            let write = try http.request("PUT", "/v1/keys/lonely", body: Array("v".utf8))
            #expect(write.status == 503, "\(write.status) \(write.text)")
            #expect(write.text.contains("\"code\":\"quorumFailed\"") || write.text.contains("\"code\":\"timeout\""), "\(write.text)")
            let read = try http.request("GET", "/v1/keys/shared")
            #expect(read.status == 503, "\(read.status) \(read.text)")

            let samples = try parsePrometheus(try http.request("GET", "/metrics").text)
            #expect(samples["ringtail_requests_total{operation=set,outcome=ok}"] == 1)
            #expect(samples["ringtail_requests_total{operation=set,outcome=unavailable}"] == 1)
            #expect(samples["ringtail_requests_total{operation=get,outcome=unavailable}"] == 1)
            #expect((samples["ringtail_quorum_failures_total{}"] ?? 0) >= 2)
            // The read while all three were up: node-1 held the value, the other replica asked
            // held the same version and answered with it alone.
            #expect((samples["ringtail_reads_answered_by_version_total{}"] ?? 0) >= 1)
            // Filled and in sync before the kills: nothing filling or handed off, every partition checked.
            #expect(samples["ringtail_anti_entropy_ready{}"] == 1)
            #expect(samples["ringtail_anti_entropy_partitions_filling{}"] == 0)
            #expect(samples["ringtail_anti_entropy_partitions_handing_off{}"] == 0)
            #expect(samples["ringtail_anti_entropy_partitions_dropped_total{}"] != nil)
            #expect((samples["ringtail_anti_entropy_partitions_in_sync{}"] ?? 0) > 0)
        }
    }

    @Test func aNodeWhoseSeedIsUnreachableIsNotReady() async throws {
        // Port 1 on loopback: nothing listens there, so the node never sees another member.
        try await withNode(arguments: ClusterProcessTests.clusterFlags + ["--admin-listen", "127.0.0.1:0", "--join", "127.0.0.1:1"]) { node in
            var http = try HTTPTestClient(port: try await node.adminPort())
            defer { http.close() }
            try await Task.sleep(for: .seconds(1))
            let health = try http.request("GET", "/health")
            #expect(health.status == 503, "\(health.text)")
            #expect(health.text.contains("\"status\":\"not ready\""), "\(health.text)")
        }
    }
}
