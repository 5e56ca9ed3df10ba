import ArgumentParser
import Foundation
import RingtailChecker
import RingtailModel

/// Jepsen-style consistency run against a live cluster: concurrent clients record a history of
/// gets, sets and deletes while faults are injected, then faults are healed, anti-entropy is
/// given time to settle, every replica is read directly and the checker judges the lot.
///
/// Exit status: 0 every invariant holds, 1 one is broken, 2 the run itself failed.
@main
struct CacheChecker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-checker",
        abstract: "Record a concurrent history against a Ringtail cluster (with faults), then check it for lost writes, phantoms, divergence and stale reads.",
        discussion: "Exit status 0 when every invariant holds, 1 when one is broken, 2 when the run itself failed."
    )

    @Option(help: "Cluster nodes, host:port,host:port,... Clients are spread over them.")
    var hosts: String

    @Option(help: "How long the workload runs, e.g. 20s.")
    var duration = "20s"

    @Option(help: "Concurrent clients.")
    var concurrency = 8

    @Option(help: "Size of the key space.")
    var keys = 100

    @Option(help: "Operation mix get:set:delete, in relative weights.")
    var mix = "45:45:10"

    @Option(help: "Write quorum per request.")
    var w = 2

    @Option(help: "Read quorum per request.")
    var r = 2

    @Option(help: "Bytes per written value (at least the unique id's length).")
    var valueSize = 32

    @Option(help: "Directory for report.json, latency.svg and history.jsonl.")
    var out: String

    @Option(help: "Faults to inject in turn, comma-separated: kill, pause, leave, partition (one node cut off from the rest), bridge (two nodes cut off from each other). Partitions need a cluster in network namespaces (RINGTAIL_NETNS=1) and are skipped, with a message, without one. None by default.")
    var faults: String?

    @Option(help: "Flush the whole cluster (FLUSHALL) through a random node this often, e.g. 3s; judged as a delete of every key. Off by default.")
    var flushEvery: String?

    @Option(help: "The cluster's RINGTAIL_CLUSTER_DIR (needed for --faults).")
    var clusterDir: String?

    @Option(help: "The cluster script that injects faults.")
    var clusterScript = "scripts/cluster.sh"

    @Option(help: "A fault starts every this often and lasts half of it.")
    var faultInterval = "5s"

    @Option(help: "Timeout of each operation; a write that times out has an unknown outcome.")
    var opTimeout = "1s"

    @Option(help: "Bound on waiting for anti-entropy to report every partition in sync.")
    var settleTimeout = "120s"

    @Option(help: "Seed of the workload's random choices (printed; reuse it to replay the choices).")
    var seed: UInt64?

    @Flag(help: "Count stale reads as a broken invariant (right for R + W > N without clock skew).")
    var staleReadsAreErrors = false

    @Flag(help: "Count lost writes that last-write-wins explains by its version order (clock skew: replicas agree on a write real time superseded, and no higher acknowledged version was lost) as lost updates, not errors.")
    var lostUpdatesAreFigures = false

    func run() async throws {
        let settings: RunSettings
        do {
            settings = try RunSettings(self)
        } catch {
            try? FileHandle.standardError.write(contentsOf: Data("cache-checker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let code = await Run(settings: settings).execute()
        throw ExitCode(code)
    }
}

/// The parsed, validated options.
struct RunSettings: Sendable {
    var hosts: [HostAndPort]
    var durationMillis: UInt64
    var concurrency: Int
    var keys: Int
    var weights: (get: Int, set: Int, delete: Int)
    var writeQuorum: Int
    var readQuorum: Int
    var valueSize: Int
    var out: URL
    var faults: [FaultKind]
    var clusterDir: String?
    var clusterScript: String
    var faultIntervalMillis: UInt64
    /// How often the flusher flushes the cluster; nil when it does not.
    var flushIntervalMillis: UInt64?
    var opTimeoutMillis: UInt64
    var settleTimeoutMillis: UInt64
    var seed: UInt64
    var staleReadsAreErrors: Bool
    var lostUpdatesAreFigures: Bool
    var commandLine: String

    init(_ options: CacheChecker) throws {
        guard let hosts = HostAndPort.parseList(options.hosts), !hosts.isEmpty else { throw ValidationError("--hosts must be host:port,...") }
        self.hosts = hosts
        func millis(_ text: String, _ name: String) throws -> UInt64 {
            guard let value = HumanUnits.parseMillis(text), value > 0 else { throw ValidationError("\(name) must be a duration such as 500ms or 5s") }
            return value
        }
        durationMillis = try millis(options.duration, "--duration")
        faultIntervalMillis = try millis(options.faultInterval, "--fault-interval")
        flushIntervalMillis = try options.flushEvery.map { try millis($0, "--flush-every") }
        opTimeoutMillis = try millis(options.opTimeout, "--op-timeout")
        settleTimeoutMillis = try millis(options.settleTimeout, "--settle-timeout")
        let parts = options.mix.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 >= 0 }), parts.reduce(0, +) > 0 else { throw ValidationError("--mix must be get:set:delete weights, e.g. 45:45:10") }
        weights = (parts[0], parts[1], parts[2])
        guard options.concurrency > 0, options.keys > 0 else { throw ValidationError("--concurrency and --keys must be positive") }
        concurrency = options.concurrency
        keys = options.keys
        writeQuorum = options.w
        readQuorum = options.r
        valueSize = options.valueSize
        out = URL(fileURLWithPath: options.out)
        faults = try (options.faults ?? "").split(separator: ",").map {
            guard let kind = FaultKind(rawValue: String($0)) else {
                throw ValidationError("unknown fault '\($0)' (\(FaultKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return kind
        }
        if !faults.isEmpty && options.clusterDir == nil { throw ValidationError("--faults needs --cluster-dir") }
        clusterDir = options.clusterDir
        clusterScript = options.clusterScript
        seed = options.seed ?? UInt64.random(in: 1...UInt64.max)
        staleReadsAreErrors = options.staleReadsAreErrors
        lostUpdatesAreFigures = options.lostUpdatesAreFigures
        commandLine = CommandLine.arguments.joined(separator: " ")
    }
}
