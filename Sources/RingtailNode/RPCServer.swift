import Logging
import NIOCore
import NIOPosix
import RingtailWire
import ServiceLifecycle
import Synchronization

/// The binary-RPC listener, as a service: runs until graceful shutdown, then stops accepting,
/// closes connections after their pending responses and returns.
public final class RPCServer: Service, Sendable {
    private let node: LocalNode
    private let group: any EventLoopGroup
    private let logger: Logger
    private let registry = ConnectionRegistry()
    private let bound = Mutex<SocketAddress?>(nil)

    public init(node: LocalNode, group: any EventLoopGroup, logger: Logger) {
        self.node = node
        self.group = group
        self.logger = logger
    }

    /// The address the server listens on, once it does (useful with port 0).
    public var boundAddress: SocketAddress? { bound.withLock { $0 } }

    public func run() async throws {
        let node = self.node
        let logger = self.logger
        let registry = self.registry
        let maxFrameBytes = node.configuration.maxFrameBytes
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)))
                    try child.pipeline.syncOperations.addHandler(RPCServerHandler(node: node, logger: logger))
                    registry.register(child)
                }
            }
            .bind(host: node.configuration.listenHost, port: node.configuration.listenPort)
            .get()
        bound.withLock { $0 = channel.localAddress }
        logger.notice("listening", metadata: [
            "protocol": "ringtail-rpc",
            "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            "port": "\(channel.localAddress?.port ?? 0)",
        ])
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            logger.notice("shutting down: no longer accepting connections")
            channel.close(promise: nil)
        }
        await registry.closeAll()
        logger.notice("all connections closed")
    }
}
