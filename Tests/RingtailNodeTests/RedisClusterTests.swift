import Foundation
import Glibc
import RingtailClient
import RingtailModel
import Testing

/// The Redis front door of a 3-node cluster (N=3, W=2, R=2): commands sent to one node are
/// coordinated across replicas and visible through every other node.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RedisClusterTests {
    /// Every command goes into the slow log, coordinated ones included.
    /// The replica timeout of the flood tests (see `withRedisCluster`).
    static let floodReplicaTimeout = "15s"
    static let flags = ClusterProcessTests.clusterFlags + ["--redis-listen", "127.0.0.1:0", "--slowlog-slower-than", "0s"]

    @Test func writesThroughOneNodeAreReadThroughTheOthers() async throws {
        let cli = try ExternalTool.redisCLI()
        try await withRedisCluster { nodes in
            let ports = try nodes.map { try #require($0.redisPort) }
            func run(_ node: Int, _ commands: String...) throws -> [String] {
                let result = try cli.run(["-p", "\(ports[node])", "--no-raw"], input: commands.joined(separator: "\n") + "\n")
                return result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            #expect(try run(0, "SET user:1 alice", "INCR visits", "INCR visits", "MSET a 1 b 2 c 3") == ["OK", "(integer) 1", "(integer) 2", "OK"])
            #expect(try run(1, "GET user:1", "GET visits", "MGET a b c d") == [#""alice""#, #""2""#, #"1) "1""#, #"2) "2""#, #"3) "3""#, "4) (nil)"])
            #expect(try run(2, "GET user:1", "INCRBY visits 10", "EXPIRE user:1 100", "SET user:1 bob KEEPTTL GET") == [#""alice""#, "(integer) 12", "(integer) 1", #""alice""#])
            let ttl = try run(0, "TTL user:1", "GET user:1", "GET visits")
            #expect(["(integer) 100", "(integer) 99"].contains(ttl.first ?? ""), "\(ttl)")
            #expect(Array(ttl.dropFirst()) == [#""bob""#, #""12""#])
            #expect(try run(1, "DEL user:1 a nothing", "EXISTS user:1 a b") == ["(integer) 2", "(integer) 1"])
            #expect(try run(2, "GET user:1", "GETDEL b", "GET b") == ["(nil)", #""2""#, "(nil)"])
            // N=3 on three nodes: every node stores every live key (visits, c); DBSIZE counts this node's own.
            for node in 0..<3 {
                #expect(try run(node, "DBSIZE") == ["(integer) 2"], "node-\(node + 1)")
            }
            // SCAN lists a node's own keys: here every node holds them all.
            for port in ports {
                let keys = try cli.run(["-p", "\(port)", "--scan"]).stdout.split(separator: "\n").map(String.init)
                #expect(Set(keys) == ["visits", "c"] && keys.count == 2, "\(keys)")
            }
            // Auto: accepted while the node coordinates, so on a NIO channel beside the peers'.
            let clients = try cli.run(["-p", "\(ports[0])", "INFO", "clients"]).stdout
            #expect(clients.contains("ringtail_redis_io:auto") && clients.contains("ringtail_clients_on_epoll:0\r"), "\(clients)")
            let info = try cli.run(["-p", "\(ports[0])", "INFO", "replication"]).stdout
            #expect(info.contains("ringtail_cluster_members:3") && info.contains("ringtail_routing:coordinated"), "\(info)")
            #expect(info.contains("id=node-2") && info.contains("id=node-3"), "\(info)")
            // Coordinated commands in the slow log: their name and key, the rest counted.
            let script = """
                import sys, redis
                log = redis.Redis(port=int(sys.argv[1]), protocol=2).slowlog_get(-1)
                commands = [entry["command"] for entry in log]
                assert b"SET user:1 ... (1 more arguments)" in commands and b"INCR visits" in commands, commands
                print("ok")
                """
            let result = try ExternalTool.pythonWithRedis().run(["-c", script, "\(ports[0])"], seconds: 20)
            #expect(result.status == 0 && result.stdout.contains("ok"), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
    }

    /// A client pipelining thousands of coordinated GETs of large values without reading: the
    /// node stops parsing while too many replies are owed and starts again from a task of its
    /// own; every reply arrives whole and in request order. (Parsing resumed synchronously
    /// made a writability event inside a flush write the flushed replies a second time here:
    /// about 1 MiB of them repeated, in 2 of 4 runs.)
    @Test(arguments: ["auto", "epoll"])
    func aFloodOfCoordinatedGetsIsAnsweredInOrder(io: String) async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withRedisCluster(io: io, replicaTimeout: Self.floodReplicaTimeout) { nodes in
            let port = try #require(nodes[0].redisPort)
            let result = try python.run(["-c", RedisFloodScript.source, "\(port)", "\(nodes[0].pid)", "4000"], seconds: 90)
            #expect(result.status == 0 && FloodScript.growth(in: result.stdout) != nil, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
    }

    /// The same flood with QUIT, then a protocol error, at its end, through a coordinator:
    /// deferred replies first, then the close.
    @Test(arguments: ["auto", "epoll"])
    func aPausedCoordinatedReadStillEndsWithItsQuitOrProtocolError(io: String) async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withRedisCluster(io: io, replicaTimeout: Self.floodReplicaTimeout) { nodes in
            let port = try #require(nodes[0].redisPort)
            let result = try python.run(["-c", RedisFloodScript.endsSource, "\(port)", "3000"], seconds: 90)
            #expect(result.status == 0 && result.stdout.contains("ok"), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
    }

    /// With two of three nodes gone a W=2 write cannot succeed: the client gets NOQUORUM.
    @Test func lostQuorumIsReportedAsNOQUORUM() async throws {
        let cli = try ExternalTool.redisCLI()
        try await withRedisCluster { nodes in
            let port = try #require(nodes[0].redisPort)
            nodes[1].stop(signal: SIGKILL)
            nodes[2].stop(signal: SIGKILL)
            let reply = try cli.run(["-p", "\(port)", "--no-raw", "SET", "k", "v"], seconds: 20).stdout
            #expect(reply.hasPrefix("(error) NOQUORUM "), "\(reply)")
            // Reads that find no quorum fail the same way; the connection and the node live on.
            let read = try cli.run(["-p", "\(port)", "--no-raw"], input: "GET k\nPING\n", seconds: 20).stdout
            #expect(read.hasPrefix("(error) NOQUORUM ") && read.contains("PONG"), "\(read)")
            let errors = try cli.run(["-p", "\(port)", "INFO", "errorstats"]).stdout
            #expect(errors.contains("errorstat_NOQUORUM:count=2"), "\(errors)")
        }
    }

    /// Starts node-1, then node-2 and node-3 joining it, each with a Redis listener, and waits
    /// until every node sees all three alive and filled. Logs are printed only when the body
    /// throws. `replicaTimeout` replaces the 1 s of `ClusterProcessTests.clusterFlags`: the floods keep
    /// a thousand 64 KiB reads in flight, which a debug build sharing two cores with the rest of
    /// the suite can take longer than that to answer; they test order and back-pressure, not
    /// the timeout.
    func withRedisCluster(io: String = "auto", replicaTimeout: String? = nil, _ body: ([NodeProcess]) async throws -> Void) async throws {
        var flags = Self.flags + ["--redis-io", io]
        if let replicaTimeout, let index = flags.firstIndex(of: "--replica-timeout") { flags[index + 1] = replicaTimeout }
        try await withNodeGroup { group in
            let first = try group.start(nodeID: "node-1", arguments: flags)
            try await Self.joinTwoMore(to: first, in: group, flags: flags)
            try await body(group.nodes)
        }
    }

    /// Starts node-2 and node-3 joining `first` and waits until every node sees all three
    /// alive and they are filled.
    static func joinTwoMore(to first: NodeProcess, in group: NodeGroup, flags: [String]) async throws {
        for index in 2...3 {
            try group.start(nodeID: "node-\(index)", arguments: flags + ["--join", first.address])
        }
        let nodes = group.nodes
        let helper = ClusterProcessTests()
        try await helper.waitUntil("all three alive on every node", seconds: 20) {
            for node in nodes where try await helper.aliveMembers(seenBy: node).count != 3 { return false }
            return true
        }
        try await helper.waitUntilFilled(nodes)
    }
}
