import Logging
import NIOCore
import NIOPosix
import RingtailWire
import ServiceLifecycle
import Synchronization

/// The binary-RPC listener, as a service: runs until graceful shutdown, then stops accepting,
/// waits for coordinated requests still in flight, closes connections after their pending
/// responses and returns.
public final class RPCServer: Service, Sendable {
    private let node: LocalNode
    private let cluster = Mutex<ClusterNode?>(nil)
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ConnectionRegistry()
    /// Where connections gather their responses to be written together at the end of each turn.
    private let turnFlushers = TurnFlushers()
    private let bound: EventLoopPromise<SocketAddress>
    private let metrics: RequestMetrics

    public init(node: LocalNode, metrics: RequestMetrics = RequestMetrics(), group: any EventLoopGroup, logger: Logger) {
        self.node = node
        self.metrics = metrics
        self.group = group
        self.logger = logger
        self.bound = group.any().makePromise(of: SocketAddress.self)
    }

    /// Routes cluster messages and coordinated requests to `cluster`; set before `run`.
    public func attach(_ cluster: ClusterNode) {
        self.cluster.withLock { $0 = cluster }
    }

    /// The address the server listens on, once it does (useful with port 0).
    public func boundAddress() async throws -> SocketAddress {
        try await bound.futureResult.get()
    }

    public func run() async throws {
        let node = self.node
        let registry = self.registry
        try await Listener.serve(
            makeBootstrap(), host: node.configuration.listenHost, port: node.configuration.listenPort,
            protocolName: "ringtail-rpc", bound: bound, logger: logger
        ) {
            await node.counters.waitForInFlightRequests(upToMillis: 5000)
            await registry.closeAll()
        }
    }

    private func makeBootstrap() -> ServerBootstrap {
        let node = self.node
        let logger = self.logger
        let registry = self.registry
        let metrics = self.metrics
        let turnFlushers = self.turnFlushers
        let cluster = self.cluster.withLock { $0 }
        let maxFrameBytes = node.configuration.maxFrameBytes
        return ServerBootstrap.forConnections(group: group)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(RPCServerHandler(
                        node: node, cluster: cluster, metrics: metrics,
                        turnFlusher: turnFlushers.flusher(for: child.eventLoop), maxFrameBytes: maxFrameBytes, logger: logger
                    ))
                    registry.register(child)
                }
            }
    }
}
