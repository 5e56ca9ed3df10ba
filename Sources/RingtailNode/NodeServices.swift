import Logging
import NIOCore
import Prometheus
import RingtailModel
import ServiceLifecycle

/// Assembles the services one node runs; `cache-node` hands them to a `ServiceGroup`.
public struct NodeServices {
    public let node: LocalNode
    public let cluster: ClusterNode
    public let rpcServer: RPCServer
    /// The Redis-protocol listener, when `redisListen` is configured.
    public let redisServer: RESPServer?
    public let sweeper: ExpirySweeper
    /// The operator HTTP listener, when one was asked for.
    public let adminServer: AdminServer?

    public let trees: PartitionTrees

    public init(
        configuration nodeConfiguration: NodeConfiguration, cluster configuration: ClusterConfiguration,
        antiEntropy: AntiEntropySettings = AntiEntropySettings(), wallClock: any MillisecondClock = SystemClock(),
        admin: HostAndPort? = nil, registry: PrometheusCollectorRegistry? = nil,
        group: any EventLoopGroup, logger: Logger
    ) {
        let trees = PartitionTrees(partitionCount: configuration.partitionCount, clock: wallClock)
        let node = LocalNode(configuration: nodeConfiguration, wallClock: wallClock, partitionCount: configuration.partitionCount)
        trees.observeLazily(node.store)
        self.trees = trees
        self.node = node
        let requestMetrics = RequestMetrics()
        let rpcServer = RPCServer(node: node, metrics: requestMetrics, group: group, logger: logger)
        let listenHost = node.configuration.listenHost
        let advertise = configuration.advertiseAddress
        self.cluster = ClusterNode(local: node, trees: trees, configuration: configuration, antiEntropy: antiEntropy, group: group, address: {
            if let advertise { return advertise }
            let bound = try await rpcServer.boundAddress()
            return HostAndPort(host: listenHost, port: bound.port ?? 0)
        }, logger: logger)
        rpcServer.attach(cluster)
        self.rpcServer = rpcServer
        let cluster = self.cluster
        self.redisServer = node.configuration.redisListen.map { address in
            let server = RESPServer(node: node, address: address, group: group, logger: logger)
            server.attach(cluster)
            return server
        }
        self.sweeper = ExpirySweeper(node: node, logger: logger)
        if let admin {
            self.adminServer = AdminServer(
                host: admin.host, port: admin.port, node: node, cluster: cluster, registry: registry, metrics: requestMetrics, redis: redisServer,
                group: group, logger: logger)
        } else {
            self.adminServer = nil
        }
    }

    /// In start order; a graceful shutdown stops them in reverse, so the node announces its
    /// leave first and stops serving last (the admin listener just before the RPC).
    public var all: [any Service] {
        [sweeper, rpcServer] + (redisServer.map { [$0] } ?? []) + (adminServer.map { [$0] } ?? [])
            + [cluster.hints, cluster.antiEntropy, cluster.membership]
    }
}
