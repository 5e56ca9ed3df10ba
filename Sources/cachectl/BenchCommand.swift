import ArgumentParser
import NIOCore
import NIOPosix
import RingtailClient
import RingtailModel

extension KeyPattern: ExpressibleByArgument {}

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load-test a node over the binary RPC, or any Redis-protocol server, the way redis-benchmark does.",
        discussion: """
            Opens --connections clients and runs --concurrency request streams spread over \
            them; each stream writes a batch of --pipeline requests back to back and waits for \
            all of its answers before the next batch, so up to concurrency × pipeline requests \
            are in flight (redis-benchmark's -c and -P). Each test runs until --requests answers \
            or --duration, whichever comes first. Failed requests (timeouts, server errors) are \
            counted, not fatal, and kept out of ops/s and the latency percentiles.

            With --resp it speaks RESP2 (SET and GET) to --host instead, a Ringtail node's \
            --redis-listen port or a Redis server; by default each stream then has its own \
            connection, as with redis-benchmark. --wait-replicas N sends WAIT N after every \
            SET on the same connection: the operation ends when WAIT answers, and an answer \
            below N counts as a failed write. A lost connection, a server silent for \
            --timeout, or a protocol violation ends the run (exit 2 or 3).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Client connections; default 4 RingtailClients, or one per stream with --resp.")
    var connections: Int?

    @Flag(help: "Speak the Redis protocol (RESP2) to --host instead of the binary RPC.")
    var resp = false

    @Option(help: "With --resp: send WAIT <n> <--wait-timeout-ms> after every SET, and count a write acknowledged by fewer than n replicas as failed.")
    var waitReplicas: Int?

    @Option(help: "With --wait-replicas: WAIT's timeout in milliseconds.")
    var waitTimeoutMs = 1000

    @Option(help: "Request streams in total, spread over the connections (redis-benchmark's -c).")
    var concurrency = 50

    @Option(help: "Requests per batch, written back to back before waiting (redis-benchmark's -P).")
    var pipeline = 1

    @Option(help: "Requests per test; 100000 when neither this nor --duration is given.")
    var requests: Int?

    @Option(help: "How long each test runs, e.g. 10s.")
    var duration: String?

    @Option(help: "Keys are key:000000000000 … key:<keyspace - 1>.")
    var keyspace = 100_000

    @Option(help: "Key choice: random (uniform) or sequential (each key in turn).")
    var keyPattern: KeyPattern = .random

    @Option(help: "Bytes per SET value, e.g. 100 or 4KiB.")
    var valueSize = "100"

    @Option(help: "SET:GET weights of the test when --tests is not given, e.g. 1:0, 0:1, 1:1.")
    var ratio = "1:1"

    @Option(help: "Tests to run in turn, from set, get, mixed (the --ratio mix); SET always runs first.")
    var tests: String?

    @Flag(help: "Before the tests, SET every key of the keyspace once (unmeasured), so GETs hit.")
    var prefill = false

    @Option(help: "Run each test unmeasured for this long first, e.g. 2s.")
    var warmup: String?

    @Option(help: "Client event-loop threads (the node shares the machine's cores).")
    var threads = 1

    @Option(help: "Seed for key choice, to replay a run's key sequence.")
    var seed: UInt64?

    mutating func validate() throws {
        _ = try settings()
    }

    func run() async throws {
        let settings = try settings()
        if settings.resp {
            try await runRESP(settings)
            return
        }
        // Validates --host and --timeout as every subcommand does; it never connects.
        let template = try connection.makeClient()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        let clients = (0..<settings.connections).map { _ in
            let loop = group.next()
            let client = RingtailClient(address: template.address, requestTimeout: template.requestTimeout, connectTimeout: template.connectTimeout, group: loop)
            return BenchConnection(client: client, loop: loop)
        }
        let outcome: Result<Void, any Error>
        do {
            try await connectAll(clients)
            try await BenchRunner(host: connection.host, settings: settings, connections: clients, json: connection.json).run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for client in clients { await client.client.close() }
        try? await group.shutdownGracefully()
        try outcome.get()
    }

    /// Connects every client with a ping before any test starts: a node that cannot be
    /// reached exits 2, as for every subcommand.
    private func connectAll(_ clients: [BenchConnection]) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for connection in clients {
                    tasks.addTask { _ = try await connection.client.ping() }
                }
                try await tasks.waitForAll()
            }
        } catch let error as RingtailClientError {
            printError("cachectl: \(error)")
            throw error.isConnectionProblem ? ExitStatus.unreachable : ExitStatus.serverError
        }
    }

    private func settings() throws -> BenchSettings {
        func positive(_ value: Int, _ name: String) throws {
            guard value > 0 else { throw ValidationError("--\(name) must be at least 1, got \(value)") }
        }
        if let connections { try positive(connections, "connections") }
        let timeoutMillis = HumanUnits.parseMillis(connection.timeout) ?? 0
        if let waitReplicas {
            guard resp else { throw ValidationError("--wait-replicas needs --resp: WAIT is a Redis command") }
            guard waitReplicas >= 0 else { throw ValidationError("--wait-replicas must be 0 or more, got \(waitReplicas)") }
            try positive(waitTimeoutMs, "wait-timeout-ms")
            guard UInt64(waitTimeoutMs) < timeoutMillis else {
                throw ValidationError("--timeout (\(connection.timeout)) must be longer than --wait-timeout-ms (\(waitTimeoutMs))")
            }
        }
        try positive(concurrency, "concurrency")
        try positive(pipeline, "pipeline")
        try positive(keyspace, "keyspace")
        try positive(threads, "threads")
        if let requests { try positive(requests, "requests") }
        guard keyspace <= 1_000_000_000_000 else { throw ValidationError("--keyspace must fit in 12 digits") }
        guard let size = HumanUnits.parseBytes(valueSize) else {
            throw ValidationError("--value-size must be a size such as 100 or 4KiB, got '\(valueSize)'")
        }
        guard let weights = BenchTest.parseRatio(ratio) else {
            throw ValidationError("--ratio must be SET:GET weights such as 1:1 or 1:0, got '\(ratio)'")
        }
        var durationMillis: UInt64?
        if let duration {
            guard let millis = HumanUnits.parseMillis(duration), millis > 0 else {
                throw ValidationError("--duration must be a duration such as 10s, got '\(duration)'")
            }
            durationMillis = millis
        }
        var warmupMillis: UInt64 = 0
        if let warmup {
            guard let millis = HumanUnits.parseMillis(warmup) else {
                throw ValidationError("--warmup must be a duration such as 2s, got '\(warmup)'")
            }
            warmupMillis = millis
        }
        let testList: [BenchTest]
        if let tests {
            guard let parsed = BenchTest.parseList(tests, ratio: weights) else {
                throw ValidationError("--tests must list set, get or mixed, comma-separated, got '\(tests)'")
            }
            testList = parsed
        } else {
            testList = [.mixed(set: weights.set, get: weights.get)]
        }
        return BenchSettings(
            // More connections than streams would sit idle.
            connections: min(connections ?? (resp ? concurrency : 4), concurrency),
            concurrency: concurrency, pipeline: pipeline,
            requests: requests ?? (durationMillis == nil ? 100_000 : nil),
            durationMillis: durationMillis, durationText: duration,
            keyspace: keyspace, keyPattern: keyPattern, valueSize: size, tests: testList,
            prefill: prefill, warmupMillis: warmupMillis, threads: threads,
            resp: resp, wait: waitReplicas.map { RESPBenchRequests.Wait(replicas: $0, timeoutMillis: waitTimeoutMs) },
            seed: seed ?? UInt64(truncatingIfNeeded: NIODeadline.now().uptimeNanoseconds)
        )
    }
}

/// The validated options of one `cachectl bench` run.
struct BenchSettings: Sendable {
    var connections: Int
    var concurrency: Int
    var pipeline: Int
    var requests: Int?
    var durationMillis: UInt64?
    var durationText: String?
    var keyspace: Int
    var keyPattern: KeyPattern
    var valueSize: Int
    var tests: [BenchTest]
    var prefill: Bool
    var warmupMillis: UInt64
    var threads: Int
    /// Redis protocol instead of the binary RPC.
    var resp: Bool
    var wait: RESPBenchRequests.Wait?
    var seed: UInt64
}
