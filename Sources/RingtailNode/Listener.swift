#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// What every listener of a node shares: bind, say where, serve until graceful shutdown, then
/// stop accepting and let the caller drain its connections.
enum Listener {
    /// Binds `bootstrap` to `host:port` and serves until graceful shutdown.
    ///
    /// - Parameters:
    ///   - protocolName: logged as `protocol=` with the bound `port=` (tests read that line).
    ///   - message: the log message of the bound line.
    ///   - bound: completed with the bound address, or failed when binding fails.
    ///   - drain: runs after the listening socket closed: finish in-flight work, close connections.
    static func serve(
        _ bootstrap: ServerBootstrap,
        host: String,
        port: Int,
        protocolName: String,
        message: Logger.Message = "listening",
        bound: EventLoopPromise<SocketAddress>? = nil,
        logger: Logger,
        drain: () async -> Void = {}
    ) async throws {
        let channel: any Channel
        do {
            channel = try await withAcceptPause(bootstrap, protocolName: protocolName, logger: logger).bind(host: host, port: port).get()
        } catch {
            bound?.fail(error)
            logger.critical("cannot listen", metadata: ["protocol": "\(protocolName)", "host": "\(host)", "port": "\(port)", "error": "\(error)"])
            throw error
        }
        if let address = channel.localAddress { bound?.succeed(address) }
        logger.notice(message, metadata: [
            "protocol": "\(protocolName)",
            "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
            "port": "\(channel.localAddress?.port ?? 0)",
        ])
        try await withGracefulShutdownHandler {
            // Cancelled too when the group gives up (another service failed, say a port that
            // was taken): a future's `get()` ignores cancellation, so closing is what ends it.
            try await withTaskCancellationHandler {
                try await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } onGracefulShutdown: {
            logger.notice("shutting down: no longer accepting connections", metadata: ["protocol": "\(protocolName)"])
            channel.close(promise: nil)
        }
        await drain()
        logger.notice("all connections closed", metadata: ["protocol": "\(protocolName)"])
    }

    /// Adds the pause of `AcceptPauseHandler` to every listening socket.
    private static func withAcceptPause(_ bootstrap: ServerBootstrap, protocolName: String, logger: Logger) -> ServerBootstrap {
        bootstrap.serverChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(protocolName: protocolName, logger: logger))
            }
        }
    }
}

extension ServerBootstrap {
    /// A bootstrap for long-lived client and peer connections (the binary RPC, the Redis door):
    /// replies leave at once (no Nagle delay), a read takes up to 16 buffers, and TCP
    /// keepalive probes a connection idle for 300 s (Redis's `tcp-keepalive`), so one whose
    /// peer vanished without a word is closed within about ten minutes instead of holding a
    /// descriptor, and a client slot, for ever.
    static func forConnections(group: any EventLoopGroup) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(tcpOption(TCP_KEEPIDLE), value: Int(ConnectionSettings.keepAliveIdleSeconds))
            .childChannelOption(tcpOption(TCP_KEEPINTVL), value: Int(ConnectionSettings.keepAliveIntervalSeconds))
            .childChannelOption(tcpOption(TCP_KEEPCNT), value: Int(ConnectionSettings.keepAliveProbes))
            .childChannelOption(.maxMessagesPerRead, value: ConnectionSettings.maxMessagesPerRead)
    }

    private static func tcpOption(_ name: Int32) -> ChannelOptions.Types.SocketOption {
        ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: name))
    }
}

/// The settings of long-lived client and peer connections, whichever I/O layer accepted them.
enum ConnectionSettings {
    /// TCP keepalive: probe after 300 s idle (Redis's `tcp-keepalive`), every 100 s, 3 times.
    static let keepAliveIdleSeconds: Int32 = 300
    static let keepAliveIntervalSeconds: Int32 = 100
    static let keepAliveProbes: Int32 = 3
    /// Reads NIO makes per readable event.
    static let maxMessagesPerRead: UInt = 16

    /// Sets the keepalive on a socket accepted outside NIO.
    static func setKeepAlive(_ fd: Int32) {
        for (level, name, value) in [
            (SOL_SOCKET, SO_KEEPALIVE, Int32(1)), (Int32(IPPROTO_TCP), TCP_KEEPIDLE, keepAliveIdleSeconds),
            (Int32(IPPROTO_TCP), TCP_KEEPINTVL, keepAliveIntervalSeconds), (Int32(IPPROTO_TCP), TCP_KEEPCNT, keepAliveProbes),
        ] {
            var option = value
            _ = setsockopt(fd, level, name, &option, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
