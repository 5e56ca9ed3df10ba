import Logging
import NIOCore
import NIOPosix
import RingtailLoop
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
        // Coordinated commands answered first, then the NIO connections closed (an epoll
        // front door closes its own after this).
        let drain = {
            await context.counters.waitForInFlight(upToMillis: 5000)
            await registry.closeAll()
        }
        switch configuration.redisIO {
        case .auto, .epoll:
            // Half the cores by default: the NIO loops (binary RPC, peers) and the kernel's
            // network work need the rest, and on a small machine one loop that finds many
            // sockets ready per epoll_wait spends less per request than two that find few.
            let threads = configuration.redisIOThreads ?? max(1, System.coreCount / 2)
            try await EpollRESPFrontDoor.serve(
                host: address.host, port: address.port, threads: threads,
                busyPollMicroseconds: configuration.redisBusyPollMicroseconds, context: context, bound: bound,
                handOver: configuration.redisIO == .auto ? handOver(context) : nil, logger: logger,
                drain: drain
            )
        case .nio:
            try await Listener.serve(
                makeBootstrap(context), host: address.host, port: address.port,
                protocolName: "redis", bound: bound, logger: logger, drain: drain
            )
        }
    }

    /// Auto: connections live on the epoll loops while the node serves alone, on NIO once it
    /// coordinates (`RESPNIOHandOver`).
    private func handOver(_ context: RESPServerContext) -> RESPNIOHandOver {
        RESPNIOHandOver(
            isWanted: { context.coordinatorIfClustered != nil },
            take: { accepted, transfer in self.adoptIntoNIO(accepted, session: transfer, context: context) }
        )
    }

    /// Serves a connection on a NIO channel, as `makeBootstrap`'s children are; `transfer`
    /// carries on the session of one that was on an epoll loop.
    private func adoptIntoNIO(_ accepted: AcceptedSocket, session transfer: RESPSessionTransfer?, context: RESPServerContext) {
        let logger = self.logger
        let adopted = ClientBootstrap(group: group)
            .channelOption(.maxMessagesPerRead, value: ConnectionSettings.maxMessagesPerRead)
            .channelInitializer(childInitializer(context, continuing: transfer))
            .withConnectedSocket(accepted.fd)
        // Every failure has closed the descriptor: after the channel was made, with it; while
        // it was being made (SwiftNIO 2's SocketChannel init), before throwing. The session of
        // a moved connection is let go of unless its new handler took it.
        adopted.whenFailure { error in
            logger.warning("cannot hand a redis connection to NIO", metadata: ["error": "\(error)"])
            transfer?.session.abandoned()
        }
    }

    private func makeBootstrap(_ context: RESPServerContext) -> ServerBootstrap {
        ServerBootstrap.forConnections(group: group).childChannelInitializer(childInitializer(context))
    }

    /// Sets up a Redis connection's channel, accepted by NIO or handed over by the epoll door
    /// (`transfer`: with the session it had there).
    private func childInitializer(_ context: RESPServerContext, continuing transfer: RESPSessionTransfer? = nil) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        let logger = self.logger
        let registry = self.registry
        return { child in
            child.eventLoop.makeCompletedFuture {
                let handler = RESPServerHandler(server: context, eventLoop: child.eventLoop, continuing: transfer?.session, logger: logger)
                try child.pipeline.syncOperations.addHandler(handler)
                registry.register(child)
            }
        }
    }
}
