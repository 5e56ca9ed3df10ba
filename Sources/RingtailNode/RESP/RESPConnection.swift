import Logging
import NIOCore
import RingtailRESP

/// One Redis connection, whatever carries its bytes (`RESPTransport`).
///
/// Parses requests with `RESPParser` directly: one call per socket read rather than per
/// command, and the parser's argument array is reused from command to command. Replies to
/// every command of one read are gathered in one buffer and written with a single write at
/// the end of the event-loop turn, together with every other connection's of that turn
/// (`TurnFlusher`). Coordinated (cluster) commands answer later; `RESPReplyQueue` keeps every
/// reply in request order.
///
/// Back-pressure: while too many replies wait, or the socket cannot take more output, the
/// connection stops asking for reads, so a client that pipelines without reading cannot make
/// the node buffer without bound. Within one read too: once a read's replies pass
/// `pauseOutputBytes` they are written at once, and if the socket cannot take them the rest
/// of the read waits unparsed until it can (a read of a few KiB of GETs of large values would
/// otherwise buffer hundreds of MiB of replies).
final class RESPConnection<Transport: RESPTransport>: TurnFlushable {
    /// Replies allowed to wait behind a coordinated one before reading stops.
    static var maxQueuedReplies: Int { 1024 }
    /// A reply buffer that grew past this is dropped after the flush rather than kept.
    static var keptOutputCapacity: Int { 64 << 10 }
    /// Replies gathered within one read past which they are written before parsing goes on.
    static var pauseOutputBytes: Int { 1 << 20 }

    let server: RESPServerContext
    let session: RESPSession
    /// Where this connection's commands are counted and timed (its event loop's shard).
    let stats: RESPCommandStatsShard
    let logger: Logger
    let turnFlusher: TurnFlusher
    var parser: RESPParser
    /// Bytes of a request that has not fully arrived.
    var cumulation: ByteBuffer?
    var output: ByteBuffer
    var queue = RESPReplyQueue()
    /// Nil once the connection has closed: nothing more is written.
    var transport: Transport?
    var inRead = false
    /// After QUIT or a protocol error: no more commands; close once every owed reply is out.
    var closing = false
    /// The close is chained to the last write: nothing more to write or close.
    var closeScheduled = false
    /// Reads held and parsing paused while too many replies are owed or the socket is full;
    /// requests already read then wait in `cumulation`, unparsed.
    var backPressure = ReadBackPressure()
    /// This connection waits in `turnFlusher` for the end of the event-loop turn.
    var flushScheduled = false
    var commandsSinceReport = 0
    /// What CLIENT LIST shows of this connection, published into the session's record once
    /// per read rather than per command: when the read began, and its last command's kind
    /// plus one.
    var lastReadNanos: UInt64 = 0
    var lastCommand: UInt8 = 0

    /// `session`: the state of a connection that served on another transport until now.
    init(server: RESPServerContext, transport: Transport, continuing session: RESPSession? = nil, logger: Logger) {
        self.server = server
        if let session {
            session.isContinued = true
            self.session = session
        } else {
            self.session = RESPSession(server: server)
        }
        self.stats = server.counters.commandStats.shard(for: transport.eventLoop)
        self.logger = logger
        self.turnFlusher = server.turnFlushers.flusher(for: transport.eventLoop)
        self.parser = RESPParser(limits: server.parserLimits)
        self.output = transport.allocator.buffer(capacity: 1024)
        self.transport = transport
    }

    /// The connection is open; `closer`, `remote` and `local` describe it to CLIENT LIST/KILL.
    func opened(closer: any RESPConnectionCloser, remote: SocketAddress?, local: SocketAddress?) {
        turnFlusher.connectionOpened()
        if session.isContinued {
            // Counted and listed when it first opened; only how CLIENT KILL closes it changed.
            session.record?.closer = closer
            return
        }
        let open = server.counters.openConnections.add(1, ordering: .relaxed).newValue
        server.counters.totalConnections.add(1, ordering: .relaxed)
        if open > server.maxClients.load(ordering: .relaxed) {
            // Redis's words and behaviour: one error, then the connection is closed.
            server.counters.rejectedConnections.add(1, ordering: .relaxed)
            closing = true
            writeSynchronously { $0.writeRESPError(RESPErrors.maxClients) }
            flushOutput()
        } else {
            let record = RESPClientRecord(id: session.clientID, closer: closer, remote: remote, local: local, nowNanos: RESPSession.nowNanos())
            session.record = record
            server.clients.add(record)
        }
    }

    /// The connection has closed; drops the transport (and so the cycle through it).
    func closed() {
        guard transport != nil else { return }
        transport = nil
        turnFlusher.connectionClosed()
        server.counters.openConnections.subtract(1, ordering: .relaxed)
        if session.record != nil { server.clients.remove(id: session.clientID) }
        reportCommands()
    }

    /// Nothing owed either way: no request partly read or held, no reply waiting or unsent,
    /// not closing. The moment a connection can change transports.
    var isIdle: Bool {
        cumulation == nil && output.readableBytes == 0 && queue.isEmpty && !closing && !inRead
            && !backPressure.parsingPaused && !backPressure.readHeld && !flushScheduled && transport != nil
    }

    /// Lets go of the transport without closing the connection, which goes on elsewhere with
    /// the returned session (still counted open and listed). Only while `isIdle`.
    func detach() -> RESPSession {
        precondition(isIdle, "a connection moves only while nothing is owed")
        transport = nil
        turnFlusher.connectionClosed()
        reportCommands()
        return session
    }

    /// Bytes read from the socket; what is left of them (an incomplete request) is kept.
    func received(_ incoming: inout ByteBuffer) {
        stats.countInput(incoming.readableBytes)
        guard !closing else { return }
        inRead = true
        if backPressure.parsingPaused {
            // Kept for later: a paused connection's reads are already held, this is the rest
            // of the current one.
            if var pending = cumulation {
                // Taken out first: appending to a buffer also held there would copy it.
                cumulation = nil
                pending.writeBuffer(&incoming)
                cumulation = pending
            } else {
                cumulation = incoming
            }
            return
        }
        if var pending = cumulation {
            cumulation = nil
            // Drop consumed bytes once they outweigh the rest, so a long stream of requests
            // split across reads does not grow the buffer, without copying a large partial
            // bulk string over and over.
            if pending.readerIndex > 0, pending.readerIndex >= pending.readableBytes { pending.discardReadBytes() }
            pending.writeBuffer(&incoming)
            process(&pending)
            if pending.readableBytes > 0 { cumulation = pending }
        } else {
            process(&incoming)
            if incoming.readableBytes > 0 { cumulation = incoming }
        }
    }

    /// The socket has nothing more to read for now.
    func readCompleted() {
        inRead = false
        session.endOfRead()
        if let record = session.record {
            record.lastActiveNanos.store(lastReadNanos, ordering: .relaxed)
            record.lastCommand.store(lastCommand, ordering: .relaxed)
        }
        reportCommands()
        if output.readableBytes > 0 || closing {
            if turnFlusher.isAlone { flushOutput() } else { flushAtEndOfTurn() }
        } else {
            resumeReadingIfPossible()
        }
    }

    /// Whether the next read may happen now; if not, reads are held until `resumeReading`.
    func mayRead() -> Bool {
        backPressure.mayRead(canTakeMore: canTakeMore)
    }

    /// Neither too many replies owed nor a socket that is full.
    var canTakeMore: Bool {
        queue.count < Self.maxQueuedReplies && (transport?.isWritable ?? false)
    }

    func writabilityChanged() {
        resumeReadingIfPossible()
    }

    func turnEnded() {
        flushScheduled = false
        flushOutput()
    }

    func reportCommands() {
        guard commandsSinceReport > 0 else { return }
        server.counters.commandsProcessed.add(commandsSinceReport, ordering: .relaxed)
        commandsSinceReport = 0
    }
}
