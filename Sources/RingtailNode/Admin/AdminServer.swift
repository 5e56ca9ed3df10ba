import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The operator HTTP listener (metrics, health, cluster status, key API), as a service that
/// runs until graceful shutdown.
public final class AdminServer: Service, Sendable {
    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let logger: Logger
    private let routes: AdminRoutes
    private let maxBodyBytes: Int

    /// `registry` is the one `MetricsSystem` was bootstrapped with; nil leaves `/metrics` off.
    public init(host: String, port: Int, node: LocalNode, cluster: ClusterNode?, registry: PrometheusCollectorRegistry?,
                metrics: RequestMetrics, redis: RESPServer?, group: any EventLoopGroup, logger: Logger) {
        self.host = host
        self.port = port
        self.group = group
        self.logger = logger
        self.routes = AdminRoutes(
            node: node, cluster: cluster, gauges: NodeGauges(node: node, cluster: cluster, redis: redis?.counters),
            registry: registry, requestMetrics: metrics, redisCommands: redis?.counters.commandStats,
            password: node.configuration.redisPassword)
        self.maxBodyBytes = node.configuration.maxValueBytes
    }

    public func run() async throws {
        let routes = self.routes
        let maxBodyBytes = self.maxBodyBytes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try child.pipeline.syncOperations.addHandler(AdminHTTPHandler(routes: routes, maxBodyBytes: maxBodyBytes))
                }
            }
        // Not "listening": tests and scripts take the RPC port from that line.
        try await Listener.serve(bootstrap, host: host, port: port, protocolName: "admin", message: "admin endpoint open", logger: logger)
    }
}
