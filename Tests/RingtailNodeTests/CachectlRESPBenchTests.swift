import Foundation
import Glibc
import Testing

/// `cachectl bench --resp` against real Redis-protocol servers: a Ringtail node's Redis port,
/// and redis-server with a replica when redis-server is installed (scripts/test.sh installs
/// it; run alone without it, that test is skipped, saying why).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CachectlRESPBenchTests {
    static let redisServerPath = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    func bench(_ arguments: [String]) throws -> (status: Int32, json: [String: Any], stderr: String) {
        let cachectl = ExternalTool(url: try NodeProcess.executable("cachectl"))
        let output = try cachectl.run(["bench", "--resp", "--json"] + arguments, seconds: 60)
        let object = (try? JSONSerialization.jsonObject(with: Data(output.stdout.utf8))) as? [String: Any]
        return (output.status, object ?? [:], output.stderr)
    }

    /// The named test's object from a bench JSON summary.
    func test(_ name: String, in json: [String: Any]) throws -> [String: Any] {
        let tests = try #require(json["tests"] as? [[String: Any]])
        return try #require(tests.first { $0["name"] as? String == name }, "no \(name) in \(json)")
    }

    @Test func setsAndGetsAgainstARingtailNode() async throws {
        try await withNode(arguments: ["--redis-listen", "127.0.0.1:0"]) { node in
            let port = try #require(node.redisPort)
            let run = try bench([
                "--host", "127.0.0.1:\(port)", "--tests", "set,get", "--requests", "300",
                "--prefill", "--keyspace", "100", "--concurrency", "4", "--pipeline", "4",
            ])
            #expect(run.status == 0, "\(run.stderr)")
            let set = try test("SET", in: run.json)
            #expect(set["succeeded"] as? Int == 300)
            #expect(set["errors"] as? Int == 0)
            let get = try test("GET", in: run.json)
            #expect(get["succeeded"] as? Int == 300)
            // The prefill wrote every key, so every GET finds a value.
            #expect(get["hits"] as? Int == 300)
            #expect(get["misses"] as? Int == 0)
            #expect(run.json["connections"] as? Int == 4, "one connection per stream by default")

            // The node really holds the keys: counted over the binary RPC, not by the tool.
            let stats = try ExternalTool(url: try NodeProcess.executable("cachectl"))
                .run(["stats", "--json", "--host", node.address])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
            #expect(object["keys"] as? Int == 100)
        }
    }

    @Test func waitNeedsTheRedisProtocol() throws {
        let cachectl = ExternalTool(url: try NodeProcess.executable("cachectl"))
        let output = try cachectl.run(["bench", "--wait-replicas", "1", "--host", "127.0.0.1:1"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("--wait-replicas needs --resp"))
    }

    @Test(.enabled(if: redisServerPath != nil, "redis-server is not installed (apt-get install -y redis-server)"))
    func waitAfterEachSetAgainstRedisWithAReplica() async throws {
        let server = try #require(Self.redisServerPath)
        let master = try RedisServerProcess(path: server, replicaOf: nil)
        defer { master.stop() }
        let replica = try RedisServerProcess(path: server, replicaOf: master.port)
        defer { replica.stop() }
        try master.waitForConnectedReplicas(1)

        let host = ["--host", "127.0.0.1:\(master.port)", "--concurrency", "4", "--pipeline", "2", "--keyspace", "100"]
        let acknowledged = try bench(host + ["--tests", "set,get", "--requests", "300", "--prefill", "--wait-replicas", "1"])
        #expect(acknowledged.status == 0, "\(acknowledged.stderr)")
        let set = try test("SET", in: acknowledged.json)
        #expect(set["succeeded"] as? Int == 300)
        #expect(set["errors"] as? Int == 0)
        #expect(try test("GET", in: acknowledged.json)["hits"] as? Int == 300)
        #expect(acknowledged.json["waitReplicas"] as? Int == 1)

        // Two replicas asked for, one there: every write counts as failed, none as done.
        let short = try bench(host + ["--tests", "set", "--requests", "12", "--wait-replicas", "2", "--wait-timeout-ms", "10"])
        #expect(short.status == 0, "\(short.stderr)")
        let failed = try test("SET", in: short.json)
        #expect(failed["succeeded"] as? Int == 0)
        #expect(failed["errors"] as? Int == 12)
        let kinds = try #require(failed["errorKinds"] as? [String: Int])
        #expect(kinds["WAIT: 1 of 2 replicas acknowledged"] == 12, "\(kinds)")
    }
}

extension ExternalTool {
    init(url: URL) {
        self.url = url
    }
}

/// A redis-server on a free loopback port, without persistence; killed by PID.
final class RedisServerProcess {
    let process = Process()
    let port: Int
    private let cli: ExternalTool
    private let directory: URL

    init(path: String, replicaOf masterPort: Int?) throws {
        cli = try ExternalTool.redisCLI()
        port = try freeLoopbackPort()
        process.executableURL = URL(fileURLWithPath: path)
        // A replica stores the master's snapshot in --dir while syncing: keep it out of the tree.
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ringtail-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path,
                                 // Redis 7 otherwise waits 5 s for more replicas before a full sync.
                                 "--repl-diskless-sync-delay", "0"]
            + (masterPort.map { ["--replicaof", "127.0.0.1", "\($0)"] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? cli.run(["-p", "\(port)", "ping"], seconds: 5))?.stdout.contains("PONG") == true { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw TestFailure("redis-server on port \(port) did not answer PING")
    }

    /// Waits until `count` replicas are connected and streaming from this master.
    func waitForConnectedReplicas(_ count: Int) throws {
        let deadline = Date().addingTimeInterval(15)
        var info = ""
        while Date() < deadline {
            info = (try? cli.run(["-p", "\(port)", "info", "replication"], seconds: 5))?.stdout ?? ""
            let online = info.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("slave") && $0.contains("state=online") }
            if online.count >= count { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestFailure("redis-server on port \(port) has not \(count) online replicas:\n\(info)")
    }

    func stop() {
        defer { try? FileManager.default.removeItem(at: directory) }
        guard process.isRunning else { return }
        // SIGKILL at once: nothing to save, and a redis-server started through Foundation's
        // Process ignored SIGTERM here (it took the 5 s of a SIGTERM-then-SIGKILL stop).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A port nothing listens on right now: the kernel's pick for a socket bound to port 0.
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
        }
    }
    guard bound else { throw TestFailure("bind() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
