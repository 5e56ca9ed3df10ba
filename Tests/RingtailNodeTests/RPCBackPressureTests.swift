import Testing

/// A binary-RPC client that pipelines GETs of large values without reading cannot make a node
/// buffer the responses: the node stops parsing while the socket is full or too many
/// coordinated answers are owed, and every response still arrives, whole.
@Suite(.timeLimit(.minutes(3)))
struct RPCBackPressureTests {
    @Test func aLoneNodeDoesNotBufferResponsesTheClientIsNotTaking() async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: ["--redis-listen", "127.0.0.1:0"]) { node in
            let result = try python.run(["-c", RPCFloodScript.source, "\(node.port)", "\(try #require(node.redisPort))", "\(node.pid)", "8000"], seconds: 90)
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            // 8,000 responses are 500 MiB; measured 0-1 MiB of growth, 506 MiB before.
            let growth = try #require(FloodScript.growth(in: result.stdout))
            #expect(growth < 64, "the node's resident memory grew \(growth) MiB")
        }
    }

    @Test func aCoordinatorDoesNotBufferResponsesTheClientIsNotTaking() async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await RedisClusterTests().withRedisCluster(replicaTimeout: RedisClusterTests.floodReplicaTimeout) { nodes in
            let node = nodes[0]
            let result = try python.run(["-c", RPCFloodScript.source, "\(node.port)", "\(try #require(node.redisPort))", "\(node.pid)", "4000"], seconds: 120)
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            // At most 1,024 coordinated answers owed (64 MiB of values): measured 85-122 MiB of
            // growth for 8,000 GETs in a release build, 906 MiB before.
            let growth = try #require(FloodScript.growth(in: result.stdout))
            #expect(growth < 256, "the coordinator's resident memory grew \(growth) MiB")
        }
    }
}
