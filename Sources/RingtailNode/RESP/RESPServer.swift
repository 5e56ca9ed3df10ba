import Logging
import NIOCore
import NIOPosix
import RingtailModel
import ServiceLifecycle
import Synchronization

/// The Redis-protocol listener (`--redis-listen`), as a service beside the binary-RPC one:
/// runs until graceful shutdown, then stops accepting, waits for coordinated commands still
/// in flight and closes connections after their pending replies.
public final class RESPServer: Service, Sendable {
    private let node: LocalNode
    private let address: HostAndPort
    private let cluster = Mutex<ClusterNode?>(nil)
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ConnectionRegistry()
    private let bound: EventLoopPromise<SocketAddress>
    /// Across connections; INFO reports them, and `/metrics` too.
    let counters = RESPCounters()

    public init(node: LocalNode, address: HostAndPort, group: any EventLoopGroup, logger: Logger) {
        self.node = node
        self.address = address
        self.group = group
        self.logger = logger
        self.bound = group.any().makePromise(of: SocketAddress.self)
    }

    /// Sends data commands through `cluster`'s coordinator once it has peers; set before `run`.
    public func attach(_ cluster: ClusterNode) {
        self.cluster.withLock { $0 = cluster }
    }

    /// The address the listener is bound to, once it is (useful with port 0).
    public func boundAddress() async throws -> SocketAddress {
        try await bound.futureResult.get()
    }

    public func run() async throws {
        let context = RESPServerContext(node: node, cluster: cluster.withLock { $0 }, counters: counters)
        let registry = self.registry
        bound.futureResult.whenSuccess { context.boundPort.store($0.port ?? 0, ordering: .relaxed) }
        let sampler = group.any().scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            context.sampleInstantaneous()
        }
        defer { sampler.cancel() }
        let configuration = node.configuration
        switch configuration.redisIO {
        case .epoll:
            let threads = configuration.redisIOThreads ?? System.coreCount
            try await EpollRESPFrontDoor.serve(
                host: address.host, port: address.port, threads: threads, context: context, bound: bound, logger: logger
            ) {
                await context.counters.waitForInFlight(upToMillis: 5000)
            }
        case .nio:
            try await Listener.serve(
                makeBootstrap(context), host: address.host, port: address.port,
                protocolName: "redis", bound: bound, logger: logger
            ) {
                await context.counters.waitForInFlight(upToMillis: 5000)
                await registry.closeAll()
            }
        }
    }

    private func makeBootstrap(_ context: RESPServerContext) -> ServerBootstrap {
        let logger = self.logger
        let registry = self.registry
        return ServerBootstrap.forConnections(group: group)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(RESPServerHandler(server: context, eventLoop: child.eventLoop, logger: logger))
                    registry.register(child)
                }
            }
    }
}
