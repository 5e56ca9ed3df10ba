import Foundation
import Testing

/// The Redis front door of a lone node, driven by real Redis tools: redis-cli, the Python
/// `redis` package and redis-benchmark. A missing tool fails the test (scripts/test.sh
/// installs them).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RedisFrontDoorTests {
    static let redisFlags = ["--redis-listen", "127.0.0.1:0"]

    /// The tests that exercise the connection itself (pipelining, back-pressure, closing) run
    /// over both I/O layers; the rest over the default one, epoll.
    /// `io`: a `--redis-io` value, or "busy-poll" (epoll loops that poll 50 µs before sleeping).
    static func flags(_ io: String) -> [String] {
        io == "busy-poll" ? redisFlags + ["--redis-io", "epoll", "--redis-busy-poll-us", "50"] : redisFlags + ["--redis-io", io]
    }

    /// One redis-cli session (one connection) fed a script on stdin; replies as redis-cli
    /// prints them with `--no-raw`.
    @Test func redisCLICommandsAndErrorTexts() async throws {
        let cli = try ExternalTool.redisCLI()
        try await withNode(arguments: Self.redisFlags) { node in
            let script: [(String, String)] = [
                ("PING", "PONG"),
                ("SET greeting hello", "OK"),
                ("GET greeting", #""hello""#),
                ("GET missing", "(nil)"),
                ("APPEND greeting !", "(integer) 6"),
                ("STRLEN greeting", "(integer) 6"),
                ("SET counter 10", "OK"),
                ("INCR counter", "(integer) 11"),
                ("INCRBY counter 5", "(integer) 16"),
                ("DECR counter", "(integer) 15"),
                ("DECRBY counter 3", "(integer) 12"),
                ("INCR greeting", "(error) ERR value is not an integer or out of range"),
                ("SET k v EX 100", "OK"),
                ("TTL k", "(integer) 100"),
                ("PERSIST k", "(integer) 1"),
                ("TTL k", "(integer) -1"),
                ("PEXPIRE k 50000", "(integer) 1"),
                ("EXPIRE k 100 GT", "(integer) 1"),
                ("EXPIRE k 10 GT", "(integer) 0"),
                ("TTL k", "(integer) 100"),
                ("TTL missing", "(integer) -2"),
                ("MSET a 1 b 2", "OK"),
                ("MGET a b missing", "1) \"1\"\n2) \"2\"\n3) (nil)"),
                ("EXISTS a b missing a", "(integer) 3"),
                ("DEL a b missing", "(integer) 2"),
                ("UNLINK counter", "(integer) 1"),
                ("GETDEL greeting", #""hello!""#),
                ("GETDEL greeting", "(nil)"),
                ("SET n 1 NX", "OK"),
                ("SET n 2 NX", "(nil)"),
                ("SET n 3 XX GET", #""1""#),
                ("GETEX n PX 100000", #""3""#),
                ("SETNX n 4", "(integer) 0"),
                ("SELECT 0", "OK"),
                ("SELECT 3", "(error) ERR DB index is out of range"),
                ("ECHO hi", #""hi""#),
                ("TYPE n", "string"),
                ("TYPE missing", "none"),
                ("nosuchcommand a b", "(error) ERR unknown command 'nosuchcommand', with args beginning with: 'a' 'b'"),
                ("GET", "(error) ERR wrong number of arguments for 'get' command"),
                ("SET k", "(error) ERR wrong number of arguments for 'set' command"),
                ("MSET a", "(error) ERR wrong number of arguments for 'mset' command"),
                ("AUTH pw", "(error) ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"),
                ("SET n x EX 0", "(error) ERR invalid expire time in 'set' command"),
                ("SET n x EX abc", "(error) ERR value is not an integer or out of range"),
                ("SET n x NX XX", "(error) ERR syntax error"),
                ("EXPIRE n 10 NX XX", "(error) ERR NX and XX, GT or LT options at the same time are not compatible"),
                ("CONFIG SET save x", "(error) ERR CONFIG SET failed (possibly related to argument 'save') - Ringtail keeps no data on disk: save can only be empty"),
                ("CONFIG BOGUS", "(error) ERR unknown subcommand 'BOGUS'. Try CONFIG HELP."),
                ("CLIENT SETNAME tester", "OK"),
                ("CLIENT GETNAME", #""tester""#),
                ("CONFIG GET save", "1) \"save\"\n2) \"\""),
                ("DBSIZE", "(integer) 2"),
            ]
            let input = script.map(\.0).joined(separator: "\n") + "\n"
            let result = try cli.run(["-p", "\(try #require(node.redisPort))", "--no-raw"], input: input)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let expected = script.flatMap { $0.1.split(separator: "\n").map(String.init) }
            for (index, line) in expected.enumerated() {
                #expect(index < lines.count && lines[index] == line, "reply \(index): expected \(line), got \(index < lines.count ? lines[index] : "nothing")")
            }
        }
    }

    /// Raw bytes over one socket: pipelined requests answered in order in one go, inline
    /// commands, RESP3 forms after HELLO 3, and a protocol error that closes the connection.
    @Test(arguments: ["epoll", "nio"])
    func rawProtocolPipeliningAndErrors(io: String) async throws {
        try await runPythonAgainstNode(Self.rawScript, flags: Self.flags(io))
    }

    /// The Python client over RESP3 (its default: HELLO 3) and RESP2.
    @Test func pythonRedisClient() async throws {
        try await runPythonAgainstNode(Self.pythonScript)
    }

    /// INFO's traffic totals, rates, memory peak, resident memory and CPU section.
    @Test func infoReportsTrafficMemoryAndCPU() async throws {
        try await runPythonAgainstNode(Self.infoScript, seconds: 60)
    }

    /// SLOWLOG with every command logged and room for four: the newest first, with the
    /// client's address and name; AUTH and HELLO never logged; LEN, RESET, CONFIG GET.
    @Test func slowlogKeepsTheSlowCommands() async throws {
        let script = """
            import sys, redis
            r = redis.Redis(port=int(sys.argv[1]), protocol=2, client_name="watcher")
            try:
                r.execute_command("AUTH", "secret-password")
            except redis.exceptions.AuthenticationError:
                pass
            commands = [entry["command"] for entry in r.slowlog_get(-1)]
            assert commands and not any(b"AUTH" in c or b"secret" in c for c in commands), commands
            r.slowlog_reset()
            r.set("k", "v" * 200)
            r.get("k")
            log = r.slowlog_get()
            commands = [entry["command"] for entry in log]
            assert commands[0] == b"GET k" and commands[1] == b"SET k " + b"v" * 128 + b"... (72 more bytes)", commands
            ids = [entry["id"] for entry in log]
            assert ids == sorted(ids, reverse=True), ids
            assert all(entry["client_name"] == b"watcher" and entry["client_address"].startswith(b"127.0.0.1:") for entry in log), log
            assert all(entry["duration"] >= 0 for entry in log), log
            for i in range(10):
                r.ping()
            assert r.slowlog_len() == 4 and len(r.slowlog_get(-1)) == 4
            assert r.config_get("slowlog*") == {"slowlog-log-slower-than": "0", "slowlog-max-len": "4"}, r.config_get("slowlog*")
            print("ok")
            """
        try await runPythonAgainstNode(script, flags: Self.redisFlags + ["--slowlog-slower-than", "0s", "--slowlog-max-len", "4"])
    }

    /// CLIENT LIST/INFO/KILL and TIME, with two raw connections.
    @Test func clientListInfoAndKill() async throws {
        try await runPythonAgainstNode(Self.clientsScript)
    }

    /// SCAN and KEYS as redis-cli (`--scan`, `--bigkeys`) and redis-py use them: every live
    /// key once, no deleted or expired ones, MATCH and COUNT honoured.
    @Test func scanAndKeysServeRedisTools() async throws {
        let cli = try ExternalTool.redisCLI()
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: Self.redisFlags) { node in
            let port = "\(try #require(node.redisPort))"
            let script = """
                import sys, time, redis
                r = redis.Redis(port=int(sys.argv[1]))
                pipe = r.pipeline(transaction=False)
                for i in range(300):
                    pipe.set("user:%d" % i, "v")
                pipe.set("big", "x" * 5000)
                pipe.set("gone", "v")
                pipe.delete("gone")
                pipe.set("fleeting", "v", px=1)
                pipe.execute()
                time.sleep(0.05)
                expected = {("user:%d" % i).encode() for i in range(300)} | {b"big"}
                seen = list(r.scan_iter(count=7))
                assert set(seen) == expected and len(seen) == len(expected), (len(seen), expected ^ set(seen))
                assert set(r.scan_iter(match="user:1?", count=1000)) == {("user:1%d" % i).encode() for i in range(10)}
                assert set(r.keys("user:2[0-4]")) == {("user:2%d" % i).encode() for i in range(5)}
                assert r.scan(0, match="nothing*", count=100000) == (0, [])
                assert 5000 < r.memory_usage("big") < 5400 and r.memory_usage("gone") is None, r.memory_usage("big")
                print("ok")
                """
            let filled = try python.run(["-c", script, port], seconds: 30)
            #expect(filled.status == 0 && filled.stdout.contains("ok"), "stdout: \(filled.stdout)\nstderr: \(filled.stderr)")
            let scanned = try cli.run(["-p", port, "--scan", "--pattern", "user:29*"])
            #expect(Set(scanned.stdout.split(separator: "\n").map(String.init)) == Set(["user:29"] + (290...299).map { "user:\($0)" }), "\(scanned.stdout)")
            let big = try cli.run(["-p", port, "--bigkeys"], seconds: 30)
            #expect(big.stdout.contains("Biggest string found '\"big\"' has 5000 bytes") && big.stdout.contains("301 strings"), "\(big.stdout)")
            let memory = try cli.run(["-p", port, "--memkeys"], seconds: 30)
            #expect(memory.stdout.contains("Biggest string found '\"big\"' has 5"), "\(memory.stdout)")
        }
    }

    /// CONFIG SET of the settings that change while the node runs, all or nothing; the
    /// persistence ones only at their values; the rest refused as fixed.
    @Test func configSetChangesTheRuntimeSettings() async throws {
        let script = """
            import sys, time, redis
            port = int(sys.argv[1])
            r = redis.Redis(port=port, protocol=2)
            assert r.config_set("save", "") and r.config_set("appendonly", "no")
            # The slow log follows its threshold at once: everything, then nothing.
            assert r.config_set("slowlog-log-slower-than", 0)
            r.slowlog_reset()
            r.set("a", "1")
            assert any(e["command"] == b"SET a 1" for e in r.slowlog_get(-1)), r.slowlog_get(-1)
            assert r.config_set("slowlog-log-slower-than", -1)
            r.slowlog_reset()
            r.set("b", "2")
            assert r.slowlog_len() == 0, r.slowlog_get(-1)
            assert r.config_get("slowlog-log-slower-than") == {"slowlog-log-slower-than": "-1"}
            # Both or neither: a bad second parameter leaves the first as it was.
            try:
                r.execute_command("CONFIG", "SET", "slowlog-max-len", "3", "databases", "2")
                raise SystemExit("an immutable parameter was set")
            except redis.ResponseError as error:
                assert "can't set immutable config" in str(error), str(error)
            assert r.config_get("slowlog-max-len") == {"slowlog-max-len": "128"}
            # The memory bound, in Redis's units; lowering it evicts at once, oldest first.
            original = r.config_get("maxmemory")["maxmemory"]
            for bad in ("0", "1kb", "12xb", "-5mb", ""):
                try:
                    r.config_set("maxmemory", bad)
                    raise SystemExit("maxmemory %r was taken" % bad)
                except redis.ResponseError as error:
                    assert "(possibly related to argument 'maxmemory')" in str(error), str(error)
            assert r.config_get("maxmemory") == {"maxmemory": original}
            pipe = r.pipeline(transaction=False)
            for i in range(3000):
                pipe.set("mem:%d" % i, "x" * 1000)
            pipe.execute()
            assert r.get("mem:0") == b"x" * 1000
            assert r.config_set("maxmemory", "1mb")
            assert r.config_get("maxmemory") == {"maxmemory": str(1 << 20)}
            deadline = time.time() + 10  # evicted off the event loop, at once
            while r.info("memory")["used_memory"] > 1 << 20 and time.time() < deadline:
                time.sleep(0.01)
            memory = r.info("memory")
            assert memory["maxmemory"] == 1 << 20 and memory["used_memory"] <= 1 << 20, memory
            assert r.info("stats")["evicted_keys"] > 0
            # mem:0 was read last, mem:1 not since it was written.
            assert r.get("mem:0") == b"x" * 1000 and r.get("mem:1") is None and r.get("mem:2999") == b"x" * 1000
            assert r.config_set("maxmemory", original)
            assert r.config_get("maxmemory") == {"maxmemory": original}
            try:
                r.config_set("no-such-thing", "1")
                raise SystemExit("an unknown parameter was set")
            except redis.ResponseError as error:
                assert str(error) == "Unknown option or number of arguments for CONFIG SET - 'no-such-thing'", str(error)
            # A lower client limit turns the next connection away, as Redis does.
            assert r.config_set("maxclients", 1)
            assert r.info("clients")["maxclients"] == 1
            try:
                redis.Redis(port=port, protocol=2).ping()
                raise SystemExit("a second client was let in")
            except redis.ConnectionError as error:
                assert "max number of clients reached" in str(error), str(error)
            assert r.config_set("maxclients", 10000)
            assert redis.Redis(port=port, protocol=2).ping()
            # RESETSTAT: INFO counts again from zero.
            r.set("hit", "v")
            for _ in range(5):
                r.get("hit")
                r.get("miss")
            stats = r.info("stats")
            assert stats["keyspace_hits"] >= 5 and stats["keyspace_misses"] >= 5 and stats["total_commands_processed"] > 20, stats
            assert r.config_resetstat()
            r.get("hit")
            stats = r.info("stats")
            assert stats["keyspace_hits"] == 1 and stats["keyspace_misses"] == 0, stats
            assert stats["total_commands_processed"] <= 3 and stats["total_connections_received"] == 0, stats
            assert stats["total_net_input_bytes"] < 200, stats
            commands = r.info("commandstats")
            assert set(commands) <= {"cmdstat_get", "cmdstat_config", "cmdstat_info"} and commands["cmdstat_get"]["calls"] == 1, commands
            # Error replies by their first word, counted since the reset too.
            assert r.info("errorstats") == {}, r.info("errorstats")
            # Over a raw socket: redis-py would retry a failed AUTH on new connections.
            import socket
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            raw.sendall(b"NOSUCH\\r\\nINCR hit\\r\\nAUTH someone secret\\r\\n")
            replies = b""
            while replies.count(b"\\r\\n") < 3:
                replies += raw.recv(4096)
            assert replies.startswith(b"-ERR unknown command") and b"-WRONGPASS" in replies, replies
            raw.close()
            errors = r.info("errorstats")
            assert errors == {"errorstat_ERR": {"count": 2}, "errorstat_WRONGPASS": {"count": 1}}, errors
            assert r.info("stats")["total_error_replies"] == 3
            print("ok")
            """
        try await runPythonAgainstNode(script)
    }

    /// A short redis-benchmark run: every reply must be a success (redis-benchmark stops at
    /// the first error reply and says so).
    /// INFO says which I/O layer carries the connections: a lone node's are on the epoll
    /// loops unless NIO was asked for.
    @Test(arguments: [("auto", 1), ("epoll", 1), ("nio", 0)])
    func infoNamesTheIOLayer(io: String, onEpoll: Int) async throws {
        let cli = try ExternalTool.redisCLI()
        try await withNode(arguments: Self.flags(io)) { node in
            let clients = try cli.run(["-p", "\(try #require(node.redisPort))", "INFO", "clients"]).stdout
            #expect(clients.contains("ringtail_redis_io:\(io)\r") && clients.contains("ringtail_clients_on_epoll:\(onEpoll)\r"), "\(clients)")
        }
    }

    @Test(arguments: ["epoll", "nio", "busy-poll"])
    func redisBenchmarkRunsWithoutErrors(io: String) async throws {
        let benchmark = try ExternalTool.redisBenchmark()
        try await withNode(arguments: Self.flags(io)) { node in
            let result = try benchmark.run(["-p", "\(try #require(node.redisPort))", "-t", "set,get", "-n", "2000", "-q"], seconds: 20)
            #expect(result.status == 0, "\(result.stderr)")
            let text = result.stdout + result.stderr
            #expect(text.contains("SET: ") && text.contains("GET: "), "\(text)")
            #expect(!text.contains("ERR") && !text.lowercased().contains("error"), "\(text)")
        }
    }

    /// Replies of many connections read in one event-loop turn are written together at its
    /// end: each connection must still get exactly its own replies, in its order.
    @Test(arguments: ["epoll", "nio", "busy-poll"])
    func manyConnectionsPipeliningAtOnceGetTheirOwnRepliesInOrder(io: String) async throws {
        let script = Self.pythonBulk + Self.pythonReadExactly + """
            import socket, sys
            port = int(sys.argv[1])
            connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(24)]
            expected = []
            for i, c in enumerate(connections):
                requests, replies = [], []
                for j in range(60):
                    key, value = b"c%d-k%d" % (i, j), b"value-%d-%d" % (i, j) * (1 + j % 5)
                    requests += [bulk(b"SET", key, value), bulk(b"GET", key)]
                    replies += [b"+OK\\r\\n", b"$%d\\r\\n%s\\r\\n" % (len(value), value)]
                requests.append(bulk(b"GET", b"c%d-missing" % i))
                replies.append(b"$-1\\r\\n")
                c.sendall(b"".join(requests))
                expected.append(b"".join(replies))
            for c, want in zip(connections, expected):
                read_exactly(c, want)
            print("ok")
            """
        try await runPythonAgainstNode(script, flags: Self.flags(io))
    }

    /// Requests far larger than one socket read (values of 64 KiB to 1 MiB), sent in chunks
    /// of random sizes, interleaved with small ones on other connections: every value comes
    /// back byte for byte. On epoll the loop's connections share one receive buffer, which a
    /// request split across reads must not lose or overwrite.
    @Test(arguments: ["epoll", "nio"])
    func requestsSplitAcrossManyReadsArriveWhole(io: String) async throws {
        let script = Self.pythonBulk + Self.pythonReadExactly + """
            import random, socket, sys, time
            port = int(sys.argv[1])
            rng = random.Random(7)
            big = socket.create_connection(("127.0.0.1", port), timeout=20)
            small = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(4)]
            sizes = [100 << 10, 700 << 10, 1 << 20, 65536, 65537]
            values = [bytes(rng.getrandbits(8) for _ in range(64)) * (size // 64) + b"x" * (size % 64) for size in sizes]
            for i, value in enumerate(values):
                request = bulk(b"SET", b"big-%d" % i, value)
                position = 0
                while position < len(request):
                    step = rng.choice([1, 7, 1000, 16384, 65535, 65536, 200000])
                    big.sendall(request[position:position + step])
                    position += step
                    # Other connections' requests land in the same loop between the pieces.
                    c = rng.choice(small)
                    c.sendall(bulk(b"SET", b"small", b"v%d" % position) + bulk(b"GET", b"small"))
                    read_exactly(c, b"+OK\\r\\n" + b"$%d\\r\\nv%d\\r\\n" % (len(b"v%d" % position), position))
                read_exactly(big, b"+OK\\r\\n")
            for i, value in enumerate(values):
                big.sendall(bulk(b"GET", b"big-%d" % i))
                read_exactly(big, b"$%d\\r\\n%s\\r\\n" % (len(value), value))
            print("ok")
            """
        try await runPythonAgainstNode(script, flags: Self.flags(io), seconds: 60)
    }

    /// A client that pipelines GETs of 64 KiB values without reading: a few KiB of requests
    /// ask for hundreds of MiB of replies, and the node must not buffer them all (it stops
    /// parsing while the socket is full); every reply still arrives, whole and in order.
    @Test(arguments: ["epoll", "nio"])
    func aClientThatDoesNotReadCannotMakeTheNodeBufferItsReplies(io: String) async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: Self.flags(io)) { node in
            let result = try python.run(["-c", RedisFloodScript.source, "\(try #require(node.redisPort))", "\(node.pid)", "8000"], seconds: 60)
            #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
            // 8,000 replies are 500 MiB; measured 1–2 MiB of growth, 374 MiB before the pause.
            let growth = try #require(FloodScript.growth(in: result.stdout))
            #expect(growth < 64, "the node's resident memory grew \(growth) MiB")
        }
    }

    /// QUIT or a protocol error at the end of a flood the node stopped parsing in the middle
    /// of: the part left unparsed still ends the connection the way it says.
    @Test(arguments: ["epoll", "nio"])
    func aPausedReadStillEndsWithItsQuitOrProtocolError(io: String) async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: Self.flags(io)) { node in
            let result = try python.run(["-c", RedisFloodScript.endsSource, "\(try #require(node.redisPort))", "3000"], seconds: 60)
            #expect(result.status == 0 && result.stdout.contains("ok"), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
    }

    /// Runs `script` (Python with the `redis` package; the node's Redis port is its first
    /// argument) against a lone node started with `flags`: it must exit 0 and print "ok".
    func runPythonAgainstNode(_ script: String, flags: [String] = Self.redisFlags, seconds: Double = 30) async throws {
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: flags) { node in
            let result = try python.run(["-c", script, "\(try #require(node.redisPort))"], seconds: seconds)
            #expect(result.status == 0 && result.stdout.contains("ok"), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
    }

    @Test func passwordIsRequiredWhenConfigured() async throws {
        let cli = try ExternalTool.redisCLI()
        let python = try ExternalTool.pythonWithRedis()
        try await withNode(arguments: Self.redisFlags + ["--redis-password", "s3cret-pass"]) { node in
            let port = "\(try #require(node.redisPort))"
            let denied = try cli.run(["-p", port, "--no-raw"], input: "GET x\nAUTH wrong\nAUTH default wrong\nPING\n")
            #expect(denied.stdout.split(separator: "\n").map { String($0) } == [
                "(error) NOAUTH Authentication required.",
                "(error) WRONGPASS invalid username-password pair or user is disabled.",
                "(error) WRONGPASS invalid username-password pair or user is disabled.",
                "(error) NOAUTH Authentication required.",
            ])
            let allowed = try cli.run(["-p", port, "--no-raw", "-a", "s3cret-pass", "--no-auth-warning", "PING"])
            #expect(allowed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "PONG")
            let script = """
                import sys, redis
                port = int(sys.argv[1])
                for protocol in (2, 3):
                    r = redis.Redis(port=port, password="s3cret-pass", protocol=protocol)
                    assert r.set("k", "v") and r.get("k") == b"v"
                    try:
                        redis.Redis(port=port, password="nope", protocol=protocol).ping()
                        raise SystemExit("a wrong password was accepted")
                    except redis.AuthenticationError:
                        pass
                print("ok")
                """
            let result = try python.run(["-c", script, port])
            #expect(result.status == 0 && result.stdout.contains("ok"), "\(result.stdout)\n\(result.stderr)")
        }
    }
}
