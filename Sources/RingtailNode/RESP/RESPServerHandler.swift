import Logging
import NIOCore
import RingtailRESP

/// Serves one Redis connection.
///
/// Parses requests with `RESPParser` directly rather than through a decoder handler: one
/// pipeline hop per socket read instead of one per command, and the parser's argument array
/// is reused from command to command. Replies to every command of one read are gathered in
/// one buffer and written with a single flush at the end of the event-loop turn, together
/// with every other connection's of that turn (`TurnFlusher`). Coordinated
/// (cluster) commands answer later; `RESPReplyQueue` keeps every reply in request order.
///
/// Back-pressure: while too many replies wait, or the socket cannot take more output, the
/// handler stops asking for reads, so a client that pipelines without reading cannot make
/// the node buffer without bound. Within one read too: once a read's replies pass
/// `pauseOutputBytes` they are written at once, and if the socket cannot take them the rest
/// of the read waits unparsed until it can (a read of a few KiB of GETs of large values would
/// otherwise buffer hundreds of MiB of replies).
final class RESPServerHandler: ChannelDuplexHandler, RemovableChannelHandler, TurnFlushable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Replies allowed to wait behind a coordinated one before reading stops.
    static let maxQueuedReplies = 1024
    /// A reply buffer that grew past this is dropped after the flush rather than kept.
    static let keptOutputCapacity = 64 << 10
    /// Replies gathered within one read past which they are written before parsing goes on.
    static let pauseOutputBytes = 1 << 20

    private let server: RESPServerContext
    private let session: RESPSession
    /// Where this connection's commands are counted and timed (its event loop's shard).
    private let stats: RESPCommandStatsShard
    private let logger: Logger
    private let turnFlusher: TurnFlusher
    private var parser: RESPParser
    /// Bytes of a request that has not fully arrived.
    private var cumulation: ByteBuffer?
    private var output = ByteBuffer()
    private var queue = RESPReplyQueue()
    private var context: ChannelHandlerContext?
    private var inRead = false
    /// After QUIT or a protocol error: no more commands; close once every owed reply is out.
    private var closing = false
    /// The close is chained to the last write: nothing more to write or close.
    private var closeScheduled = false
    private var readHeld = false
    /// Requests already read wait in `cumulation`, unparsed, until the socket takes output
    /// again or the owed replies drain.
    private var parsingPaused = false
    private var resumeScheduled = false
    /// This connection waits in `turnFlusher` for the end of the event-loop turn.
    private var flushScheduled = false
    private var commandsSinceReport = 0
    /// What CLIENT LIST shows of this connection, published into the session's record once
    /// per read rather than per command: when the read began, and its last command's kind
    /// plus one.
    private var lastReadNanos: UInt64 = 0
    private var lastCommand: UInt8 = 0

    init(server: RESPServerContext, eventLoop: any EventLoop, logger: Logger) {
        self.server = server
        self.session = RESPSession(server: server)
        self.stats = server.counters.commandStats.shard(for: eventLoop)
        self.logger = logger
        self.turnFlusher = server.turnFlushers.flusher(for: eventLoop)
        self.parser = RESPParser(limits: server.parserLimits)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        output = context.channel.allocator.buffer(capacity: 1024)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        turnFlusher.connectionOpened()
        let open = server.counters.openConnections.add(1, ordering: .relaxed).newValue
        server.counters.totalConnections.add(1, ordering: .relaxed)
        if open > server.maxClients.load(ordering: .relaxed) {
            // Redis's words and behaviour: one error, then the connection is closed.
            server.counters.rejectedConnections.add(1, ordering: .relaxed)
            closing = true
            writeSynchronously { $0.writeRESPError(RESPErrors.maxClients) }
            flushOutput()
        } else {
            let record = RESPClientRecord(id: session.clientID, channel: context.channel, nowNanos: RESPSession.nowNanos())
            session.record = record
            server.clients.add(record)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        turnFlusher.connectionClosed()
        server.counters.openConnections.subtract(1, ordering: .relaxed)
        if session.record != nil { server.clients.remove(id: session.clientID) }
        reportCommands()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        stats.countInput(incoming.readableBytes)
        guard !closing else { return }
        inRead = true
        if parsingPaused {
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

    func channelReadComplete(context: ChannelHandlerContext) {
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
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if parsingPaused || queue.count >= Self.maxQueuedReplies || !context.channel.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReadingIfPossible()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("closing redis connection after error", metadata: ["error": "\(error)", "peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        context.close(promise: nil)
    }

    /// Parses and runs every complete request in `buffer`.
    private func process(_ buffer: inout ByteBuffer) {
        // The parser works on a local copy, swapped in and out once per read: a class
        // property mutated per step would cost a dynamic exclusivity check every time, and a
        // plain copy would share (and so reallocate) its reused argument array.
        var parser = RESPParser(limits: server.parserLimits)
        swap(&parser, &self.parser)
        defer { swap(&parser, &self.parser) }
        var commands = 0
        defer { commandsSinceReport += commands }
        // One clock reading per command: each one's time starts where the previous one's ended.
        var started = RESPSession.nowNanos()
        lastReadNanos = started
        while true {
            do {
                switch try parser.parseStep(&buffer) {
                case .command(let command):
                    commands += 1
                    guard run(command, started: &started) else { return }
                    if output.readableBytes >= Self.pauseOutputBytes || queue.count >= Self.maxQueuedReplies {
                        guard mayParseOn() else { return }
                    }
                case .continueParsing: continue
                case .insufficientData: return
                }
            } catch {
                // The stream cannot be trusted any more: answer, then close, as Redis does.
                server.counters.protocolErrors.add(1, ordering: .relaxed)
                logger.debug("redis protocol error", metadata: ["error": "\(error)", "peer": "\(context?.remoteAddress.map { "\($0)" } ?? "?")"])
                writeSynchronously { $0.writeRESPError(error.redisError) }
                server.counters.errorStats.record(message: error.redisError)
                closing = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return
            }
        }
    }

    /// Runs one command that began at `started` (a `nowNanos()` reading), which a synchronous
    /// reply moves to when it is written; false once the connection takes no more.
    private func run(_ command: RESPCommand, started: inout UInt64) -> Bool {
        guard let context else { return false }
        let eventLoop = context.eventLoop
        let session = self.session
        let counters = server.counters
        let resolved = RESPCommandTable.lookup(command.name)
        if let kind = resolved?.kind { lastCommand = kind.rawValue &+ 1 }
        var replied = RESPCommandOutcome.ok
        let outcome = writeSynchronously { buffer in
            let replyStart = buffer.writerIndex
            let outcome = session.execute(command, resolved: resolved, into: &buffer, on: eventLoop)
            if buffer.writerIndex > replyStart {
                replied = RESPCommandOutcome(reply: buffer, at: replyStart)
                if replied == .error || replied == .unavailable { counters.errorStats.record(reply: buffer, at: replyStart) }
            }
            return outcome
        }
        let began = started
        switch outcome {
        case .replied, .close:
            let now = RESPSession.nowNanos()
            started = now
            let elapsed = now &- began
            // Unknown commands have no row of their own (Redis counts them nowhere either).
            if let kind = resolved?.kind { stats.record(kind, replied, nanos: elapsed) }
            if elapsed >= server.slowThresholdNanos.load(ordering: .relaxed), Self.mayLog(resolved?.kind) {
                logSlow(SlowLog.summarize(command.arguments), nanos: elapsed)
            }
            guard case .replied = outcome else {
                closing = true
                return false
            }
            return true
        case .deferred(let reply, let version):
            let sequence = queue.reserve()
            let allocator = context.channel.allocator
            let stats = self.stats
            let kind = resolved?.kind
            // The parser reuses its argument array: a slow log keeps the name and first key,
            // captured now (slices of the read buffer, which the coordinator holds anyway).
            let logsSlow = server.slowThresholdNanos.load(ordering: .relaxed) != .max
            let slowName = logsSlow ? command.name : nil
            let slowKey = logsSlow && command.count > 1 ? command[1] : nil
            let wordCount = command.count
            counters.inFlight.add(1, ordering: .relaxed)
            reply.whenComplete(on: eventLoop) { result in
                counters.inFlight.subtract(1, ordering: .relaxed)
                let elapsed = RESPSession.nowNanos() &- began
                if let kind { stats.record(kind, RESPCommandOutcome(result), nanos: elapsed) }
                if let slowName, elapsed >= self.server.slowThresholdNanos.load(ordering: .relaxed) {
                    self.logSlow(SlowLog.summarize([slowName] + (slowKey.map { [$0] } ?? []), totalCount: wordCount), nanos: elapsed)
                }
                self.queue.fill(sequence, into: &self.output, allocator: allocator) { bytes in
                    switch result {
                    case .success(let value):
                        if case .error(let message) = value { counters.errorStats.record(message: message) }
                        bytes.writeRESPValue(value, version)
                    case .failure(let error):
                        let message = RESPErrors.from(error)
                        counters.errorStats.record(message: message)
                        bytes.writeRESPError(message)
                    }
                }
                // Inside a read the flush comes with channelReadComplete. Outside one, one flush
                // at the end of this loop turn carries every reply completed in it (a pipelined
                // batch whose replica answers arrive together), instead of a write each; the
                // last reply owed by a connection alone on its loop goes at once.
                if !self.inRead {
                    if self.queue.isEmpty && self.turnFlusher.isAlone { self.flushOutput() } else { self.flushAtEndOfTurn() }
                }
            }
            return true
        }
    }

    /// AUTH and HELLO may carry a password: never logged.
    private static func mayLog(_ kind: RESPCommandKind?) -> Bool {
        kind != .auth && kind != .hello
    }

    private func logSlow(_ arguments: [[UInt8]], nanos: UInt64) {
        let address = session.record?.address ?? context?.remoteAddress.map(RESPClientRecord.describe) ?? ""
        let name = session.name.map { String(buffer: $0) } ?? ""
        let unixSeconds = Int64(server.node.wallClock.nowMillis() / 1000)
        server.slowLog.withLock {
            $0.record(unixSeconds: unixSeconds, micros: Int64(nanos / 1000), arguments: arguments, clientAddress: address, clientName: name)
        }
    }

    private func flushAtEndOfTurn() {
        guard !flushScheduled, context != nil else { return }
        flushScheduled = true
        turnFlusher.enqueue(self)
    }

    func turnEnded() {
        flushScheduled = false
        flushOutput()
    }

    /// Runs `body` on the buffer where a reply written now belongs.
    private func writeSynchronously<R>(_ body: (inout ByteBuffer) -> R) -> R {
        if queue.isEmpty { return body(&output) }
        return queue.withReadyTail(allocator: context?.channel.allocator ?? ByteBufferAllocator(), body)
    }

    /// Writes the replies gathered so far when they are many; false when parsing must pause
    /// because the socket cannot take them or too many replies are owed.
    private func mayParseOn() -> Bool {
        guard let context else { return false }
        if output.readableBytes >= Self.pauseOutputBytes { writeOutput() }
        guard queue.count >= Self.maxQueuedReplies || !context.channel.isWritable else { return true }
        parsingPaused = true
        readHeld = true
        return false
    }

    private func flushOutput() {
        writeOutput()
        resumeReadingIfPossible()
    }

    private func writeOutput() {
        guard let context else { return }
        let done = closing && queue.isEmpty
        if output.readableBytes > 0 {
            stats.countOutput(output.readableBytes)
            // The bytes are marked as taken before the write: a flush can fire events that
            // come back here (a writability change resuming a paused read), and what they
            // write must follow these bytes, not send them a second time.
            do {
                let bytes = output.readSlice(length: output.readableBytes)!
                if done {
                    closeScheduled = true
                    let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
                    context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in loopBoundContext.value.close(promise: nil) }
                } else {
                    context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
                }
            }
            // Reused when the write completed at once (the usual case); copied on write otherwise.
            if output.readableBytes > 0 {
                // Written from within the flush: goes with the next one.
            } else if output.capacity > Self.keptOutputCapacity {
                output = context.channel.allocator.buffer(capacity: 1024)
            } else {
                output.clear()
            }
        } else if done, !closeScheduled {
            // Replies written earlier may still wait for the socket (a client reading slowly):
            // an empty write completes after them, and only then is the connection closed.
            closeScheduled = true
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            let nothing = context.channel.allocator.buffer(capacity: 0)
            context.writeAndFlush(wrapOutboundOut(nothing)).assumeIsolated().whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        }
    }

    private func resumeReadingIfPossible() {
        guard readHeld, let context, queue.count < Self.maxQueuedReplies, context.channel.isWritable else { return }
        if parsingPaused {
            // Parsed again from a task of its own, at the top of the loop: never inside a
            // flush, whose writability event would otherwise run commands and write their
            // replies while the flush is still under way, nor inside another connection's
            // callback (a replica's answer completing a reply).
            guard !resumeScheduled else { return }
            resumeScheduled = true
            context.eventLoop.assumeIsolatedUnsafeUnchecked().execute { self.resumeParsingWhenAllowed() }
            return
        }
        readHeld = false
        context.read()
    }

    private func resumeParsingWhenAllowed() {
        resumeScheduled = false
        // What allowed it may have changed since; the next flush or writability change retries.
        guard parsingPaused, let context, queue.count < Self.maxQueuedReplies, context.channel.isWritable else { return }
        parsingPaused = false
        guard resumeParsing() else { return }
        readHeld = false
        context.read()
    }

    /// Parses what a paused read left; false if it paused again.
    private func resumeParsing() -> Bool {
        guard var pending = cumulation, !closing else { return true }
        cumulation = nil
        inRead = true
        process(&pending)
        inRead = false
        if pending.readableBytes > 0 { cumulation = pending }
        reportCommands()
        if output.readableBytes > 0 || closing { flushAtEndOfTurn() }
        return !parsingPaused
    }

    private func reportCommands() {
        guard commandsSinceReport > 0 else { return }
        server.counters.commandsProcessed.add(commandsSinceReport, ordering: .relaxed)
        commandsSinceReport = 0
    }
}
