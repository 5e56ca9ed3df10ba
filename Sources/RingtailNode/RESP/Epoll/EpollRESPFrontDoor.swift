import Logging
import NIOCore
import NIOPosix
import RingtailLoop
import ServiceLifecycle

/// The Redis listener on epoll loops of its own (`RedisIO.epoll`): binds, serves until
/// graceful shutdown, then stops accepting and lets `drain` finish in-flight work before every
/// connection is closed and the loops stop. `handOver` (auto) moves connections to NIO while
/// the node coordinates.
///
/// Why not SwiftNIO here: on this request path NIO's channel machinery alone cost about what
/// Redis spends on a whole unpipelined request (docs/BENCHMARKS.md, "What the I/O layer alone
/// costs"). The loops still are NIO `EventLoop`s, so coordinated commands complete on them
/// like on any other loop.
enum EpollRESPFrontDoor {
    static func serve(
        host: String, port: Int, threads: Int, busyPollMicroseconds: Int, context: RESPServerContext,
        bound: EventLoopPromise<SocketAddress>, handOver: RESPNIOHandOver?,
        logger: Logger, drain: @escaping () async -> Void
    ) async throws {
        let listener: TCPListener
        let group: EpollLoopGroup
        do {
            listener = try TCPListener(host: host, port: port)
        } catch {
            bound.fail(error)
            logger.critical("cannot listen", metadata: ["protocol": "redis", "host": "\(host)", "port": "\(port)", "error": "\(error)"])
            throw error
        }
        do {
            group = try EpollLoopGroup(count: threads, name: "redis-epoll", busyPollMicroseconds: busyPollMicroseconds)
        } catch {
            listener.close()
            bound.fail(error)
            logger.critical("cannot start the redis loops", metadata: ["error": "\(error)"])
            throw error
        }
        let acceptors = group.loops.map { EpollRESPAcceptor(loop: $0, listener: listener, server: context, handOver: handOver, logger: logger) }
        do {
            for acceptor in acceptors {
                try await acceptor.loop.submit { try acceptor.startAccepting() }.get()
            }
        } catch {
            await stop(acceptors, group: group, listener: listener)
            bound.fail(error)
            logger.critical("cannot listen", metadata: ["protocol": "redis", "host": "\(host)", "port": "\(port)", "error": "\(error)"])
            throw error
        }
        let address = listener.localAddress
        bound.succeed(address)
        logger.notice("listening", metadata: ["protocol": "redis", "address": "\(address)", "port": "\(address.port ?? 0)", "io": "epoll"])

        let stopped = group.loops[0].makePromise(of: Void.self)
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await stopped.futureResult.get()
            } onCancel: {
                stopped.succeed()
            }
        } onGracefulShutdown: {
            logger.notice("shutting down: no longer accepting connections", metadata: ["protocol": "redis"])
            stopped.succeed()
        }
        await onEachLoop(acceptors) { $0.stopAccepting() }
        listener.close()
        await drain()
        await stop(acceptors, group: group, listener: nil)
        logger.notice("all connections closed", metadata: ["protocol": "redis"])
    }

    private static func stop(_ acceptors: [EpollRESPAcceptor], group: EpollLoopGroup, listener: TCPListener?) async {
        await onEachLoop(acceptors) {
            $0.stopAccepting()
            $0.closeAll()
        }
        listener?.close()
        try? await group.shutdownGracefully()
    }

    /// Runs `body` on each acceptor's loop and waits for all.
    private static func onEachLoop(_ acceptors: [EpollRESPAcceptor], _ body: @escaping @Sendable (EpollRESPAcceptor) -> Void) async {
        for acceptor in acceptors {
            try? await acceptor.loop.submit { body(acceptor) }.get()
        }
    }
}
