import Foundation
import NIOCore
import RingtailClient
import RingtailModel
import RingtailWire
import Testing

/// A real node with `--admin-listen 127.0.0.1:0`, driven over HTTP.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct AdminHTTPTests {
    /// Runs `body` with a lone node and its admin port.
    func withAdminNode(_ arguments: [String] = [], _ body: (NodeProcess, Int) async throws -> Void) async throws {
        try await withNode(arguments: ["--admin-listen", "127.0.0.1:0", "--max-value-size", "1KiB"] + arguments) { node in
            try await body(node, try await node.adminPort())
        }
    }

    /// HTTP/1.1 pipelining of GETs of a large value by a client that does not read: the node
    /// answers the next request only once the socket takes more, so it buffers little.
    @Test func aPipeliningClientThatDoesNotReadCannotMakeTheNodeBufferResponses() async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: ["--admin-listen", "127.0.0.1:0"]) { node in
            let result = try python.run(["-c", HTTPFloodScript.source, "\(try await node.adminPort())", "\(node.pid)", "8000"], seconds: 90)
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            // 8,000 responses are 500 MiB; measured 1 MiB of growth, 533 MiB before.
            let growth = try #require(FloodScript.growth(in: result.stdout))
            #expect(growth < 64, "the node's resident memory grew \(growth) MiB")
        }
    }

    @Test func keyAPIRoundTripWithStatusCodes() async throws {
        try await withAdminNode { _, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            // Keep-alive: every request below goes over this one connection.
            #expect(try http.request("GET", "/v1/keys/a%20b").status == 404)
            let missing = try http.request("GET", "/v1/keys/nothing")
            #expect(missing.text.contains("\"code\":\"notFound\""))
            let stored = try http.request("PUT", "/v1/keys/a%20b", body: Array("hello".utf8))
            #expect(stored.status == 201)
            // The version as cachectl and the binary protocol print it: milliseconds.fraction@node.
            #expect(stored.text.contains(#/"version":"\d+\.\d+@[0-9a-f]+"/#), "\(stored.text)")
            let found = try http.request("GET", "/v1/keys/a%20b")
            #expect(found.status == 200)
            #expect(found.text == "hello")
            let head = try http.request("HEAD", "/v1/keys/a%20b")
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == "5")
            #expect(head.body.isEmpty)
            #expect(try http.request("HEAD", "/v1/keys/nothing").status == 404)
            #expect(try http.request("DELETE", "/v1/keys/a%20b").status == 204)
            #expect(try http.request("DELETE", "/v1/keys/a%20b").status == 404)
            #expect(try http.request("GET", "/v1/keys/a%20b").status == 404)
            let tooLarge = try http.request("PUT", "/v1/keys/big", body: [UInt8](repeating: 1, count: 2048))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.text.contains("\"error\""))
        }
    }

    /// With `--redis-password`, the key API asks for it as well; what scrapers and probes read
    /// stays open.
    @Test func keyAPIWantsThePasswordWhenOneIsSet() async throws {
        try await withAdminNode(["--redis-password", "s3cret"]) { _, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            let refused = try http.request("PUT", "/v1/keys/k", body: Array("v".utf8))
            #expect(refused.status == 401)
            #expect(refused.headers["www-authenticate"]?.hasPrefix("Basic") == true)
            #expect(refused.text.contains("\"code\":\"unauthorized\""))
            #expect(try http.request("GET", "/v1/keys/k", headers: ["authorization": "Bearer wrong"]).status == 401)
            #expect(try http.request("GET", "/v1/keys/k", headers: ["authorization": "Basic " + Data("default:wrong".utf8).base64EncodedString()]).status == 401)
            let bearer = ["authorization": "Bearer s3cret"]
            #expect(try http.request("PUT", "/v1/keys/k", body: Array("v".utf8), headers: bearer).status == 201)
            let basic = ["authorization": "Basic " + Data(":s3cret".utf8).base64EncodedString()]
            let read = try http.request("GET", "/v1/keys/k", headers: basic)
            #expect(read.status == 200)
            #expect(read.text == "v")
            #expect(try http.request("DELETE", "/v1/keys/k").status == 401)
            #expect(try http.request("GET", "/v1/keys/k", headers: bearer).status == 200, "a refused DELETE deleted nothing")
            #expect(try http.request("GET", "/health").status == 200)
            #expect(try http.request("GET", "/metrics").status == 200)
        }
    }

    @Test func badInputIsRejected() async throws {
        try await withAdminNode { _, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            let badTTL = try http.request("PUT", "/v1/keys/k?ttl=soon", body: Array("v".utf8))
            #expect(badTTL.status == 400)
            #expect(badTTL.text.contains("\"code\":\"invalidArgument\""))
            #expect(try http.request("PUT", "/v1/keys/k?ttl=0s", body: Array("v".utf8)).status == 400, "0 would store forever")
            #expect(try http.request("GET", "/v1/keys/%zz").status == 400)
            #expect(try http.request("GET", "/nowhere").status == 404)
        }
    }

    @Test func ttlExpiresTheKey() async throws {
        try await withAdminNode { _, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            #expect(try http.request("PUT", "/v1/keys/short?ttl=200ms", body: Array("v".utf8)).status == 201)
            #expect(try http.request("GET", "/v1/keys/short").status == 200)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try http.request("GET", "/v1/keys/short").status == 404)
        }
    }

    @Test func healthAndClusterOfALoneNode() async throws {
        try await withAdminNode { _, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            var health = try http.request("GET", "/health")
            for _ in 0..<100 where health.status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                health = try http.request("GET", "/health")
            }
            #expect(health.status == 200, "\(health.text)")
            #expect(health.text.contains("\"status\":\"ready\""))
            let cluster = try http.request("GET", "/cluster")
            #expect(cluster.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(cluster.body)) as? [String: Any])
            let members = try #require(json["members"] as? [[String: Any]])
            #expect(members.count == 1)
            #expect(members.first?["state"] as? String == "alive")
            let quorum = json["quorum"] as? [String: Any]
            #expect(quorum?["replicas"] as? Int == 3)
            // The default hedge: a quarter of the replica timeout.
            #expect(quorum?["replicaTimeoutMillis"] as? Int == 2000)
            #expect(quorum?["readHedgeMillis"] as? Int == 500)
            // Never flushed yet: null (valid JSON, which the parse above proved).
            #expect(json["flushedThrough"] is NSNull)
        }
    }

    @Test func readHedgeFlagIsInForceAndBadDurationsAreRefused() async throws {
        try await withAdminNode(["--read-hedge", "150ms"]) { _, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            let json = try JSONSerialization.jsonObject(with: Data(try http.request("GET", "/cluster").body)) as? [String: Any]
            #expect((json?["quorum"] as? [String: Any])?["readHedgeMillis"] as? Int == 150)
        }
        let refused = try ExternalTool(url: NodeProcess.executable("cache-node")).run(["--node-id", "x", "--listen", "127.0.0.1:0", "--read-hedge", "soon"], seconds: 10)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--read-hedge must be a duration"), "\(refused.stderr)")
    }

    @Test func metricsCountRedisCommandsAndConnections() async throws {
        let cli = try ExternalTool.redisCLI()
        try await withAdminNode(["--redis-listen", "127.0.0.1:0"]) { node, port in
            let redisPort = try #require(node.redisPort)
            _ = try cli.run(["-p", "\(redisPort)"], input: "SET a 1\nGET a\nGET absent\nINCR a\nSET a x\nINCR a\nDEL a\nPING\n")
            _ = try cli.run(["-p", "\(redisPort)", "NOSUCHCOMMAND"])
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            let samples = try parsePrometheus(try http.request("GET", "/metrics").text)
            // redis-cli may send COMMAND DOCS on connect, so at least the six sent here.
            #expect((samples["ringtail_redis_commands_total{}"] ?? 0) >= 6, "\(samples.filter { $0.key.contains("redis") })")
            #expect((samples["ringtail_redis_connections_accepted_total{}"] ?? 0) >= 2)
            #expect(samples["ringtail_redis_connections{}"] != nil)
            #expect(samples["ringtail_redis_protocol_errors_total{}"] != nil)
            // Per command and outcome: a histogram whose count is the calls.
            let name = "ringtail_redis_command_duration_seconds"
            #expect(samples["\(name)_count{command=set,outcome=ok}"] == 2, "\(samples.filter { $0.key.contains(name) && $0.key.contains("_count") })")
            #expect(samples["\(name)_count{command=get,outcome=ok}"] == 1)
            #expect(samples["\(name)_count{command=get,outcome=miss}"] == 1)
            #expect(samples["\(name)_bucket{command=get,le=+Inf,outcome=miss}"] == 1)
            #expect(samples["\(name)_count{command=incr,outcome=error}"] == 1)
            #expect(samples["\(name)_count{command=del,outcome=ok}"] == 1)
            #expect((samples["\(name)_sum{command=set,outcome=ok}"] ?? 0) > 0)
            let info = try cli.run(["-p", "\(redisPort)", "INFO", "commandstats"]).stdout
            #expect(info.contains("cmdstat_incr:calls=2,") && info.contains("failed_calls=1"), "\(info)")
            #expect(info.contains("cmdstat_get:calls=2,"), "\(info)")
        }
    }

    /// The `process_*` metrics every Prometheus exporter has, checked against what the
    /// kernel says of the node's process.
    @Test func metricsIncludeTheStandardProcessMetrics() async throws {
        try await withAdminNode { node, port in
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            let first = try parsePrometheus(try http.request("GET", "/metrics").text)
            let second = try parsePrometheus(try http.request("GET", "/metrics").text)
            let cpu = try #require(first["process_cpu_seconds_total{}"])
            #expect(cpu > 0 && (second["process_cpu_seconds_total{}"] ?? 0) >= cpu)
            let status = try String(contentsOfFile: "/proc/\(node.pid)/status", encoding: .utf8)
            let residentKiB = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
                .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true)[1]) })
            let resident = try #require(second["process_resident_memory_bytes{}"])
            // Read moments apart: within a factor of two of the kernel's own figure.
            #expect(resident > residentKiB * 1024 / 2 && resident < residentKiB * 1024 * 2, "\(resident) vs \(residentKiB) KiB")
            #expect((second["process_virtual_memory_bytes{}"] ?? 0) >= resident)
            let open = try #require(second["process_open_fds{}"])
            let limit = try #require(second["process_max_fds{}"])
            #expect(open >= 4 && open <= limit)
            let start = try #require(second["process_start_time_seconds{}"])
            let now = Date().timeIntervalSince1970
            #expect(start <= now + 1 && start > now - 120, "started \(start), now \(now)")
        }
    }

    @Test func metricsParseAndCountRPCRequests() async throws {
        try await withAdminNode { node, port in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            _ = try await client.set(Array("m1".utf8), value: Array("v".utf8))
            _ = try await client.get(Array("m1".utf8))
            _ = try await client.get(Array("absent".utf8))
            _ = try await client.delete(Array("m1".utf8))
            await client.close()
            var http = try HTTPTestClient(port: port)
            defer { http.close() }
            let response = try http.request("GET", "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
            let samples = try parsePrometheus(response.text)
            #expect(samples["ringtail_requests_total{operation=set,outcome=ok}"] == 1)
            #expect(samples["ringtail_requests_total{operation=get,outcome=ok}"] == 1)
            #expect(samples["ringtail_requests_total{operation=get,outcome=miss}"] == 1)
            #expect(samples["ringtail_requests_total{operation=delete,outcome=ok}"] == 1)
            #expect(samples["ringtail_request_duration_seconds_count{operation=get,outcome=ok}"] == 1)
            #expect(samples["ringtail_members{state=alive}"] == 1)
            #expect(samples["ringtail_keys{}"] != nil)
            #expect(samples["ringtail_memory_used_bytes{}"] != nil)
            #expect(samples["ringtail_evictions_total{}"] != nil)
            #expect(samples["ringtail_quorum_failures_total{}"] != nil)
            #expect(samples["ringtail_hints_delivered_total{}"] != nil)
            #expect(samples["ringtail_anti_entropy_keys_repaired_total{}"] != nil)
            #expect(samples["ringtail_connections{}"] != nil)
        }
    }
}
