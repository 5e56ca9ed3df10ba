#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import RingtailLoop

/// Accepts Redis connections on one `EpollLoop` and keeps the ones it accepted, which live on
/// that loop until they close or move to NIO (`RESPNIOHandOver`). Every loop of the front door
/// watches the one listening socket with `EPOLLEXCLUSIVE`, so the kernel wakes one of them per
/// waiting connection.
///
/// Unchecked Sendable: handed to its loop by the front door, and touched only there.
final class EpollRESPAcceptor: EpollWatcher, @unchecked Sendable {
    /// Accepts per readable event: enough to drain a burst, bounded so reads are not starved.
    static let acceptsPerEvent = 32

    let loop: EpollLoop
    private let listener: TCPListener
    private let server: RESPServerContext
    private let handOver: RESPNIOHandOver?
    private let logger: Logger
    private let receive = EpollReceiveBuffer()
    private var sockets: [ObjectIdentifier: EpollRESPSocket] = [:]
    private var listening = false
    private var paused = false
    private var failures = AcceptFailureLog()

    init(loop: EpollLoop, listener: TCPListener, server: RESPServerContext, handOver: RESPNIOHandOver?, logger: Logger) {
        self.loop = loop
        self.listener = listener
        self.server = server
        self.handOver = handOver
        self.logger = logger
    }

    /// Starts watching the listening socket; on `loop`.
    func startAccepting() throws {
        try loop.watch(listener.fd, for: .readable, exclusive: true, self)
        listening = true
    }

    /// Stops watching it; on `loop`. Connections already accepted stay open.
    func stopAccepting() {
        guard listening else { return }
        listening = false
        if !paused { loop.unwatch(listener.fd) }
    }

    /// Closes every connection of this loop; on `loop`. Requests already read were answered
    /// synchronously, and the turn's writes went out before this task ran.
    func closeAll() {
        for socket in Array(sockets.values) { socket.close() }
    }

    func ready(_ events: EpollEvents) {
        for _ in 0..<Self.acceptsPerEvent {
            switch listener.accept() {
            case .accepted(let accepted):
                open(accepted)
            case .none:
                return
            case .failed(let error):
                if AcceptPauseHandler.isResourceShortage(errno: error) { return pause(error) }
                // A connection that went away while waiting in the backlog: try the next one.
                logger.debug("accept failed", metadata: ["protocol": "redis", "errno": "\(error)"])
            }
        }
    }

    private func open(_ accepted: AcceptedSocket) {
        ConnectionSettings.setKeepAlive(accepted.fd)
        if let handOver, handOver.isWanted() { return handOver.take(accepted, nil) }
        let counters = server.counters
        let socket = EpollRESPSocket(accepted, loop: loop, receive: receive, server: server, handOver: handOver, logger: logger) { [unowned self] gone in
            sockets.removeValue(forKey: ObjectIdentifier(gone))
            counters.epollConnections.subtract(1, ordering: .relaxed)
        }
        do {
            try loop.watch(accepted.fd, for: .readable, socket)
        } catch {
            logger.warning("cannot watch a new redis connection", metadata: ["error": "\(error)"])
            _ = Glibc.close(accepted.fd)
            return
        }
        sockets[ObjectIdentifier(socket)] = socket
        counters.epollConnections.add(1, ordering: .relaxed)
        socket.connection.opened(closer: EpollRESPCloser(socket: NIOLoopBound(socket, eventLoop: loop)), remote: accepted.remoteAddress, local: accepted.localAddress)
    }

    /// No descriptor or memory left: without a pause the loop would spin on a listening socket
    /// that stays readable while connections wait in the backlog.
    private func pause(_ error: Int32) {
        failures.note(String(cString: strerror(error)), protocolName: "redis", logger: logger)
        guard !paused else { return }
        paused = true
        loop.unwatch(listener.fd)
        loop.scheduleTask(in: AcceptPauseHandler.pause) { [self] in
            paused = false
            guard listening else { return }
            do {
                try loop.watch(listener.fd, for: .readable, exclusive: true, self)
            } catch {
                logger.error("cannot watch the redis listener again", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Closes an epoll connection for CLIENT KILL, from any thread.
struct EpollRESPCloser: RESPConnectionCloser {
    let socket: NIOLoopBound<EpollRESPSocket>

    func close() -> EventLoopFuture<Void> {
        let socket = self.socket
        return socket.eventLoop.submit { socket.value.close() }
    }
}
