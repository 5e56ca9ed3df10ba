import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import RingtailAllocator
import RingtailMembership
import RingtailModel
import RingtailNode
import RingtailRing
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

    @Option(name: .customLong("redis-listen"), help: "Address for the Redis protocol (RESP2/RESP3), host:port (port 0 picks a free one); off when empty. [env: RINGTAIL_REDIS_LISTEN]")
    var redisListen: String = environment("RINGTAIL_REDIS_LISTEN") ?? ""

    @Option(name: .customLong("redis-password"), help: "Password Redis clients must AUTH with; none when empty. [env: RINGTAIL_REDIS_PASSWORD]")
    var redisPassword: String = environment("RINGTAIL_REDIS_PASSWORD") ?? ""

    @Option(name: .customLong("redis-max-clients"), help: "Most Redis connections at once; more are refused with Redis's error (lowered to fit the open-file limit). [env: RINGTAIL_REDIS_MAX_CLIENTS]")
    var redisMaxClients: Int = environment("RINGTAIL_REDIS_MAX_CLIENTS").flatMap { Int($0) } ?? 10_000

    @Option(name: .customLong("redis-io"), help: "What carries Redis connections: epoll (hand-written loops), nio (SwiftNIO channels) or auto (epoll while the node serves alone, nio once it coordinates replicas). [env: RINGTAIL_REDIS_IO]")
    var redisIO: String = environment("RINGTAIL_REDIS_IO") ?? "auto"

    @Option(name: .customLong("redis-io-threads"), help: "Epoll loops serving Redis connections; 0 for half the cores (at least one). [env: RINGTAIL_REDIS_IO_THREADS]")
    var redisIOThreads: Int = environment("RINGTAIL_REDIS_IO_THREADS").flatMap { Int($0) } ?? 0

    @Option(name: .customLong("redis-busy-poll-us"), help: "Microseconds a busy epoll loop of the Redis port polls for the next request before it sleeps (0-1000): more throughput under load for the CPU of polls that find nothing; 0 never polls. [env: RINGTAIL_REDIS_BUSY_POLL_US]")
    var redisBusyPollMicroseconds: Int = environment("RINGTAIL_REDIS_BUSY_POLL_US").flatMap { Int($0) } ?? NodeConfiguration.defaultRedisBusyPollMicroseconds

    @Option(name: .customLong("slowlog-slower-than"), help: "Redis commands taking at least this long go into SLOWLOG, e.g. 10ms; 0s logs every command, off none. [env: RINGTAIL_SLOWLOG_SLOWER_THAN]")
    var slowlogSlowerThan: String = environment("RINGTAIL_SLOWLOG_SLOWER_THAN") ?? "10ms"

    @Option(name: .customLong("slowlog-max-len"), help: "Entries SLOWLOG keeps; the oldest go first. [env: RINGTAIL_SLOWLOG_MAX_LEN]")
    var slowlogMaxLen: Int = environment("RINGTAIL_SLOWLOG_MAX_LEN").flatMap { Int($0) } ?? 128

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

    @Option(help: "Seeds to join, host:port[,host:port]; omit for the first node. [env: RINGTAIL_JOIN]")
    var join: String = environment("RINGTAIL_JOIN") ?? ""

    @Option(help: "Operator HTTP listener (metrics, health, cluster, key API), host:port; off when empty. [env: RINGTAIL_ADMIN_LISTEN]")
    var adminListen: String = environment("RINGTAIL_ADMIN_LISTEN") ?? ""

    @Option(help: "Address other nodes use to reach this one; default the --listen address. [env: RINGTAIL_ADVERTISE]")
    var advertise: String = environment("RINGTAIL_ADVERTISE") ?? ""

    @Option(help: "N: replicas of every key (cluster-wide). [env: RINGTAIL_REPLICAS]")
    var replicas: Int = environment("RINGTAIL_REPLICAS").flatMap { Int($0) } ?? 3

    @Option(help: "W: replica acknowledgements a write waits for, by default. [env: RINGTAIL_WRITE_QUORUM]")
    var writeQuorum: Int = environment("RINGTAIL_WRITE_QUORUM").flatMap { Int($0) } ?? 2

    @Option(help: "R: replica answers a read waits for, by default. [env: RINGTAIL_READ_QUORUM]")
    var readQuorum: Int = environment("RINGTAIL_READ_QUORUM").flatMap { Int($0) } ?? 2

    @Option(help: "Fixed number of partitions, a power of two (cluster-wide). [env: RINGTAIL_PARTITIONS]")
    var partitions: Int = environment("RINGTAIL_PARTITIONS").flatMap { Int($0) } ?? RingConfiguration.defaultPartitionCount

    @Option(help: "Virtual nodes per unit of weight on the ring (cluster-wide). [env: RINGTAIL_VNODES]")
    var vnodes: Int = environment("RINGTAIL_VNODES").flatMap { Int($0) } ?? RingConfiguration.defaultVirtualNodesPerWeight

    @Option(help: "This node's capacity relative to others. [env: RINGTAIL_WEIGHT]")
    var weight: Double = environment("RINGTAIL_WEIGHT").flatMap { Double($0) } ?? 1

    @Option(help: "Failure-detector timing: lan (1 s probes) or local (200 ms, for loopback tests). [env: RINGTAIL_MEMBERSHIP_PROFILE]")
    var membershipProfile: String = environment("RINGTAIL_MEMBERSHIP_PROFILE") ?? "lan"

    @Option(help: "How long a coordinator waits for replicas, e.g. 2s. [env: RINGTAIL_REPLICA_TIMEOUT]")
    var replicaTimeout: String = environment("RINGTAIL_REPLICA_TIMEOUT") ?? "2s"

    @Option(help: "How long a read waits for the R replicas it asked before asking the other replicas too, e.g. 100ms; at most --replica-timeout. Default: a quarter of --replica-timeout. [env: RINGTAIL_READ_HEDGE]")
    var readHedge: String = environment("RINGTAIL_READ_HEDGE") ?? ""

    @Option(help: "How long a dead member keeps its place on the ring before its partitions get new replicas, e.g. 30m; 'never' to wait for it. [env: RINGTAIL_REPLACE_DEAD_AFTER]")
    var replaceDeadAfter: String = environment("RINGTAIL_REPLACE_DEAD_AFTER") ?? "30m"

    @Option(help: "Memory bound of the hinted-handoff queue, e.g. 64MiB. [env: RINGTAIL_MAX_HINT_MEMORY]")
    var maxHintMemory: String = environment("RINGTAIL_MAX_HINT_MEMORY") ?? "64MiB"

    @Option(help: "File whose contents are the cluster secret; peers must share it. [env: RINGTAIL_CLUSTER_SECRET_FILE]")
    var clusterSecretFile: String = environment("RINGTAIL_CLUSTER_SECRET_FILE") ?? ""

    @Option(help: "Background Merkle-tree repair: on or off. [env: RINGTAIL_ANTI_ENTROPY]")
    var antiEntropy: String = environment("RINGTAIL_ANTI_ENTROPY") ?? "on"

    @Option(help: "Pause between anti-entropy passes over all partitions, e.g. 10s. [env: RINGTAIL_ANTI_ENTROPY_INTERVAL]")
    var antiEntropyInterval: String = environment("RINGTAIL_ANTI_ENTROPY_INTERVAL") ?? "10s"

    @Option(help: "Most anti-entropy exchanges started per second. [env: RINGTAIL_ANTI_ENTROPY_RATE]")
    var antiEntropyRate: Int = environment("RINGTAIL_ANTI_ENTROPY_RATE").flatMap { Int($0) } ?? 500

    @Option(help: "Partitions filled at once while this node refills after a start or a ring change (not rate-limited): fewer leave more to clients. [env: RINGTAIL_ANTI_ENTROPY_FILL_CONCURRENCY]")
    var antiEntropyFillConcurrency: Int = environment("RINGTAIL_ANTI_ENTROPY_FILL_CONCURRENCY").flatMap { Int($0) } ?? 4

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: RINGTAIL_LOG_LEVEL]")
    var logLevel: String = environment("RINGTAIL_LOG_LEVEL") ?? "info"

    @Option(help: "Testing only: skew this node's wall clock by this many milliseconds. [env: RINGTAIL_CLOCK_OFFSET_MS]")
    var clockOffsetMs: Int64 = environment("RINGTAIL_CLOCK_OFFSET_MS").flatMap { Int64($0) } ?? 0

    mutating func validate() throws {
        _ = try makeConfiguration()
        _ = try makeClusterConfiguration()
        _ = try makeAntiEntropySettings()
        _ = try adminAddress()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        var configuration = try makeConfiguration()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "ringtail")
        logger[metadataKey: "node"] = "\(configuration.nodeID)"

        let admin = try adminAddress()
        var registry: PrometheusCollectorRegistry?
        if admin != nil {
            let prometheus = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
            registry = prometheus
        }
        if let files = OpenFileLimit.raise() {
            fitRedisClients(&configuration, openFileLimit: files, logger: logger)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        let services = NodeServices(
            configuration: configuration, cluster: try makeClusterConfiguration(), antiEntropy: try makeAntiEntropySettings(),
            wallClock: SystemClock(offsetMillis: clockOffsetMs), admin: admin, registry: registry, group: group, logger: logger
        )
        logger.notice("starting", metadata: [
            "maxMemory": "\(HumanUnits.formatBytes(configuration.maxMemoryBytes))",
            "shards": "\(configuration.shardCount)",
            "threads": "\(configuration.eventLoopThreads)",
            "allocator": "\(LinkedAllocator.isActive ? MemoryAllocator.name : "libc (jemalloc not in use)")",
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

    /// Logs a raised open-file limit, and lowers the Redis client limit to what fits under it.
    private func fitRedisClients(
        _ configuration: inout NodeConfiguration, openFileLimit files: (before: Int, now: Int, raised: Bool), logger: Logger
    ) {
        if files.raised { logger.notice("raised the open-file limit", metadata: ["from": "\(files.before)", "to": "\(files.now)"]) }
        guard configuration.redisListen != nil else { return }
        let fitting = RedisClientBudget.clientsFitting(openFileLimit: files.now)
        guard configuration.redisMaxClients > fitting else { return }
        logger.warning("fewer Redis clients than asked: the open-file limit is lower", metadata: [
            "asked": "\(configuration.redisMaxClients)", "allowed": "\(fitting)", "openFileLimit": "\(files.now)",
        ])
        configuration.redisMaxClients = fitting
    }

    private func makeConfiguration() throws -> NodeConfiguration {
        guard !nodeID.isEmpty else {
            throw ValidationError("--node-id is required (or set RINGTAIL_NODE_ID)")
        }
        guard let address = HostAndPort(listen) else {
            throw ValidationError("--listen must be host:port, got '\(listen)'")
        }
        guard (1...1024).contains(threads) else {
            throw ValidationError("--threads must be between 1 and 1024, got \(threads)")
        }
        var configuration = NodeConfiguration(
            nodeID: NodeID(nodeID),
            listenHost: address.host,
            listenPort: address.port,
            maxMemoryBytes: try bytes(maxMemory, option: "--max-memory", minimum: NodeConfiguration.minimumMaxMemoryBytes),
            maxValueBytes: try bytes(maxValueSize, option: "--max-value-size", minimum: 1),
            maxFrameBytes: try bytes(maxFrameSize, option: "--max-frame-size", minimum: 1024),
            tombstoneGraceMillis: try millis(tombstoneGrace, option: "--tombstone-grace"),
            sweepIntervalMillis: max(10, try millis(sweepInterval, option: "--sweep-interval")),
            shardCount: try shardCount(),
            eventLoopThreads: threads
        )
        if !redisListen.isEmpty {
            guard let redisAddress = HostAndPort(redisListen) else {
                throw ValidationError("--redis-listen must be host:port, got '\(redisListen)'")
            }
            configuration.redisListen = redisAddress
        }
        configuration.redisPassword = redisPassword.isEmpty ? nil : redisPassword
        guard redisMaxClients >= 1 else {
            throw ValidationError("--redis-max-clients must be at least 1, got \(redisMaxClients)")
        }
        configuration.redisMaxClients = redisMaxClients
        guard let io = RedisIO(rawValue: redisIO) else {
            throw ValidationError("--redis-io must be auto, epoll or nio, got '\(redisIO)'")
        }
        configuration.redisIO = io
        guard (0...256).contains(redisIOThreads) else {
            throw ValidationError("--redis-io-threads must be between 0 and 256, got \(redisIOThreads)")
        }
        configuration.redisIOThreads = redisIOThreads == 0 ? nil : redisIOThreads
        guard (0...1000).contains(redisBusyPollMicroseconds) else {
            throw ValidationError("--redis-busy-poll-us must be between 0 and 1000, got \(redisBusyPollMicroseconds)")
        }
        configuration.redisBusyPollMicroseconds = redisBusyPollMicroseconds
        configuration.slowlogThresholdMillis = slowlogSlowerThan == "off" ? nil : try millis(slowlogSlowerThan, option: "--slowlog-slower-than")
        guard (0...1_000_000).contains(slowlogMaxLen) else {
            throw ValidationError("--slowlog-max-len must be between 0 and 1000000, got \(slowlogMaxLen)")
        }
        configuration.slowlogMaxLength = slowlogMaxLen
        return configuration
    }

    /// The --admin-listen address; nil when the listener is off.
    private func adminAddress() throws -> HostAndPort? {
        guard !adminListen.isEmpty else { return nil }
        guard let address = HostAndPort(adminListen) else {
            throw ValidationError("--admin-listen must be host:port, got '\(adminListen)'")
        }
        return address
    }

    private func makeClusterConfiguration() throws -> ClusterConfiguration {
        guard let seeds = join.isEmpty ? [] : HostAndPort.parseList(join) else {
            throw ValidationError("--join must be host:port[,host:port], got '\(join)'")
        }
        var advertised: HostAndPort?
        if !advertise.isEmpty {
            guard let parsed = HostAndPort(advertise), parsed.port != 0 else {
                throw ValidationError("--advertise must be host:port with a real port, got '\(advertise)'")
            }
            advertised = parsed
        } else if let listen = HostAndPort(listen), ["0.0.0.0", "::"].contains(listen.host) {
            throw ValidationError("--listen on a wildcard address needs --advertise so peers know where to reach this node")
        }
        guard (1...16).contains(replicas) else { throw ValidationError("--replicas must be between 1 and 16, got \(replicas)") }
        guard (1...replicas).contains(writeQuorum) else { throw ValidationError("--write-quorum must be between 1 and --replicas (\(replicas)), got \(writeQuorum)") }
        guard (1...replicas).contains(readQuorum) else { throw ValidationError("--read-quorum must be between 1 and --replicas (\(replicas)), got \(readQuorum)") }
        guard partitions >= 1, partitions <= 1 << 20, partitions & (partitions - 1) == 0 else {
            throw ValidationError("--partitions must be a power of two up to 1048576, got \(partitions)")
        }
        guard (1...4096).contains(vnodes) else { throw ValidationError("--vnodes must be between 1 and 4096, got \(vnodes)") }
        guard weight > 0, weight <= 1000 else { throw ValidationError("--weight must be in (0, 1000], got \(weight)") }
        let profile: SWIMSettings
        switch membershipProfile {
        case "lan": profile = .lan
        case "local": profile = .fastLocal
        default: throw ValidationError("--membership-profile must be lan or local, got '\(membershipProfile)'")
        }
        return ClusterConfiguration(
            seeds: seeds,
            advertiseAddress: advertised,
            replicas: replicas,
            writeQuorum: writeQuorum,
            readQuorum: readQuorum,
            partitionCount: partitions,
            virtualNodesPerWeight: vnodes,
            weight: weight,
            membership: profile,
            secret: try clusterSecret(),
            replicaTimeoutMillis: max(1, try millis(replicaTimeout, option: "--replica-timeout")),
            readHedgeMillis: readHedge.isEmpty ? nil : max(1, try millis(readHedge, option: "--read-hedge")),
            maxHintBytes: try bytes(maxHintMemory, option: "--max-hint-memory", minimum: 0),
            replaceDeadAfterMillis: replaceDeadAfter == "never" ? nil : max(1, try millis(replaceDeadAfter, option: "--replace-dead-after"))
        )
    }

    /// The secret from --cluster-secret-file, or RINGTAIL_CLUSTER_SECRET itself; nil for none.
    private func clusterSecret() throws -> [UInt8]? {
        if !clusterSecretFile.isEmpty {
            guard let data = FileManager.default.contents(atPath: clusterSecretFile) else {
                throw ValidationError("cannot read --cluster-secret-file '\(clusterSecretFile)'")
            }
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            guard bytes.count >= 16 else { throw ValidationError("the cluster secret must be at least 16 bytes") }
            return bytes
        }
        if let value = environment("RINGTAIL_CLUSTER_SECRET") {
            guard value.utf8.count >= 16 else { throw ValidationError("RINGTAIL_CLUSTER_SECRET must be at least 16 bytes") }
            return Array(value.utf8)
        }
        return nil
    }

    private func makeAntiEntropySettings() throws -> AntiEntropySettings {
        guard ["on", "off"].contains(antiEntropy) else { throw ValidationError("--anti-entropy must be on or off, got '\(antiEntropy)'") }
        guard antiEntropyRate > 0 else { throw ValidationError("--anti-entropy-rate must be positive") }
        guard antiEntropyFillConcurrency > 0 else { throw ValidationError("--anti-entropy-fill-concurrency must be positive") }
        return AntiEntropySettings(
            enabled: antiEntropy == "on",
            intervalMillis: max(10, try millis(antiEntropyInterval, option: "--anti-entropy-interval")),
            sessionsPerSecond: antiEntropyRate,
            fillConcurrency: antiEntropyFillConcurrency
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
