import ArgumentParser
import Logging
import NIOCore
import NIOPosix
import RingtailModel
import RingtailNode
import ServiceLifecycle

@main
struct CacheNodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-node",
        abstract: "Run a Ringtail cache node.",
        discussion: """
            Every option can also be set through the environment variable named after it \
            (for example RINGTAIL_MAX_MEMORY for --max-memory); a flag wins over the variable. \
            SIGINT and SIGTERM shut the node down gracefully.
            """
    )

    @Option(name: .customLong("node-id"), help: "This node's unique name. [env: RINGTAIL_NODE_ID]")
    var nodeID: String = environment("RINGTAIL_NODE_ID") ?? ""

    @Option(help: "Address for the binary RPC, host:port (port 0 picks a free one). [env: RINGTAIL_LISTEN]")
    var listen: String = environment("RINGTAIL_LISTEN") ?? "127.0.0.1:7001"

    @Option(help: "Memory bound for keys, values and their overhead, e.g. 256MiB. [env: RINGTAIL_MAX_MEMORY]")
    var maxMemory: String = environment("RINGTAIL_MAX_MEMORY") ?? "256MiB"

    @Option(help: "Largest value accepted, e.g. 1MiB. [env: RINGTAIL_MAX_VALUE_SIZE]")
    var maxValueSize: String = environment("RINGTAIL_MAX_VALUE_SIZE") ?? "1MiB"

    @Option(help: "Largest RPC frame accepted, e.g. 16MiB. [env: RINGTAIL_MAX_FRAME_SIZE]")
    var maxFrameSize: String = environment("RINGTAIL_MAX_FRAME_SIZE") ?? "16MiB"

    @Option(help: "How long a tombstone is kept before it is purged, e.g. 10m. [env: RINGTAIL_TOMBSTONE_GRACE]")
    var tombstoneGrace: String = environment("RINGTAIL_TOMBSTONE_GRACE") ?? "10m"

    @Option(help: "Interval of the background expiry sweep, e.g. 1s. [env: RINGTAIL_SWEEP_INTERVAL]")
    var sweepInterval: String = environment("RINGTAIL_SWEEP_INTERVAL") ?? "1s"

    @Option(help: "Number of store shards (a power of two), each with its own lock. [env: RINGTAIL_SHARDS]")
    var shards: Int = environment("RINGTAIL_SHARDS").flatMap { Int($0) } ?? 64

    @Option(help: "Event-loop threads; default one per core. [env: RINGTAIL_THREADS]")
    var threads: Int = environment("RINGTAIL_THREADS").flatMap { Int($0) } ?? System.coreCount

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: RINGTAIL_LOG_LEVEL]")
    var logLevel: String = environment("RINGTAIL_LOG_LEVEL") ?? "info"

    @Option(help: "Testing only: skew this node's wall clock by this many milliseconds. [env: RINGTAIL_CLOCK_OFFSET_MS]")
    var clockOffsetMs: Int64 = environment("RINGTAIL_CLOCK_OFFSET_MS").flatMap { Int64($0) } ?? 0

    mutating func validate() throws {
        _ = try makeConfiguration()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let configuration = try makeConfiguration()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "ringtail")
        logger[metadataKey: "node"] = "\(configuration.nodeID)"

        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        let node = LocalNode(configuration: configuration, wallClock: SystemClock(offsetMillis: clockOffsetMs))
        let services = NodeServices(node: node, group: group, logger: logger)
        logger.notice("starting", metadata: [
            "maxMemory": "\(HumanUnits.formatBytes(configuration.maxMemoryBytes))",
            "shards": "\(configuration.shardCount)",
            "threads": "\(configuration.eventLoopThreads)",
        ])
        let serviceGroup = ServiceGroup(
            services: services.all,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await serviceGroup.run()
        try await group.shutdownGracefully()
        logger.notice("stopped")
    }

    private func makeConfiguration() throws -> NodeConfiguration {
        guard !nodeID.isEmpty else {
            throw ValidationError("--node-id is required (or set RINGTAIL_NODE_ID)")
        }
        guard let address = HostAndPort(listen) else {
            throw ValidationError("--listen must be host:port, got '\(listen)'")
        }
        return NodeConfiguration(
            nodeID: NodeID(nodeID),
            listenHost: address.host,
            listenPort: address.port,
            maxMemoryBytes: try bytes(maxMemory, option: "--max-memory", minimum: 64 * 1024),
            maxValueBytes: try bytes(maxValueSize, option: "--max-value-size", minimum: 1),
            maxFrameBytes: try bytes(maxFrameSize, option: "--max-frame-size", minimum: 1024),
            tombstoneGraceMillis: try millis(tombstoneGrace, option: "--tombstone-grace"),
            sweepIntervalMillis: max(10, try millis(sweepInterval, option: "--sweep-interval")),
            shardCount: try shardCount(),
            eventLoopThreads: max(1, threads)
        )
    }

    private func shardCount() throws -> Int {
        guard shards > 0, shards & (shards - 1) == 0, shards <= 4096 else {
            throw ValidationError("--shards must be a power of two between 1 and 4096, got \(shards)")
        }
        return shards
    }

    private func bytes(_ text: String, option: String, minimum: Int) throws -> Int {
        guard let value = HumanUnits.parseBytes(text), value >= minimum else {
            throw ValidationError("\(option) must be a size of at least \(minimum) bytes such as 256MiB, got '\(text)'")
        }
        return value
    }

    private func millis(_ text: String, option: String) throws -> UInt64 {
        guard let value = HumanUnits.parseMillis(text) else {
            throw ValidationError("\(option) must be a duration such as 500ms, 30s or 10m, got '\(text)'")
        }
        return value
    }
}
