import Logging
import NIOCore
import RingtailModel
import RingtailWire

/// Answers binary-RPC frames on one connection.
///
/// Responses to every frame read in one socket read are gathered in one buffer and written
/// with a single flush at the end of the event-loop turn (`TurnFlusher`), so a pipelining
/// client costs one syscall per batch rather than one per request; answers that complete
/// later (coordinated requests) are gathered the same way. That buffer is reused once the
/// socket has taken its bytes: a fresh one per read, grown past malloc's small sizes, cost a
/// `malloc_consolidate`.
///
/// Back-pressure: the handler splits the byte stream into frames itself, so it can stop in the
/// middle of a read. Past `pauseOutputBytes` of responses gathered it writes them, and while
/// the socket cannot take more, or `maxDeferredAnswers` coordinated answers are still owed, the
/// rest of the read waits unparsed and no more is read: a client that pipelines GETs of large
/// values without reading cannot make the node buffer their responses without bound.
final class RPCServerHandler: ChannelDuplexHandler, RemovableChannelHandler, TurnFlushable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Responses gathered within one read past which they are written before parsing goes on.
    static let pauseOutputBytes = 1 << 20
    /// Coordinated answers owed past which the connection stops parsing and reading.
    static let maxDeferredAnswers = 1024

    let node: LocalNode
    let cluster: ClusterNode?
    let logger: Logger
    let metrics: RequestMetrics
    private let turnFlusher: TurnFlusher
    private var flushScheduled = false
    private var pendingOutput: ByteBuffer?
    /// Answers that completed after their read, for the next flush.
    private var laterOutput: ByteBuffer?
    /// The last flushed output buffer, emptied, for the next read's responses.
    private var spareOutput: ByteBuffer?
    var context: ChannelHandlerContext?
    /// Cluster messages are accepted only from peers that proved the cluster secret.
    var peerAuthenticated: Bool
    var closeAfterFlush = false
    private let parser: FrameParser
    /// Bytes read and not yet parsed: an incomplete frame, or the rest of a paused read.
    private var cumulation: ByteBuffer?
    /// Coordinated requests of this connection whose answers are still owed.
    private var deferredAnswers = 0
    /// Reads held and parsing paused while too many answers are owed or the socket is full.
    private var backPressure = ReadBackPressure()
    /// The stream is out of sync (a frame it cannot recover from): nothing more is parsed.
    private var closing = false
    /// The cluster address of the peer on the other end, once it sent gossip: its later reads
    /// count as signs of life for the failure detector.
    var peerAddress: String?

    init(node: LocalNode, cluster: ClusterNode?, metrics: RequestMetrics, turnFlusher: TurnFlusher, maxFrameBytes: Int, logger: Logger) {
        self.node = node
        self.parser = FrameParser(maxFrameBytes: maxFrameBytes)
        self.metrics = metrics
        self.turnFlusher = turnFlusher
        self.cluster = cluster
        self.logger = logger
        self.peerAuthenticated = cluster?.authenticator == nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        turnFlusher.connectionOpened()
        node.counters.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        turnFlusher.connectionClosed()
        node.counters.connectionClosed()
        if !backPressure.parsingPaused, let cumulation, cumulation.readableBytes > 0 {
            logger.debug("peer closed in the middle of a frame", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        }
        cumulation = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !closing else { return }
        if var pending = cumulation {
            cumulation = nil
            // Drop consumed bytes once they outweigh the rest (no copy of a large partial frame
            // over and over).
            if pending.readerIndex > 0, pending.readerIndex >= pending.readableBytes { pending.discardReadBytes() }
            pending.writeBuffer(&incoming)
            incoming = pending
        }
        // A paused connection's reads are held; this is the rest of the read that paused it.
        if !backPressure.parsingPaused { process(&incoming) }
        if incoming.readableBytes > 0 { cumulation = incoming }
    }

    /// Parses and answers every complete frame in `buffer`, unless it has to pause.
    private func process(_ buffer: inout ByteBuffer) {
        guard let context else { return }
        var output = takeOutputBuffer(context: context)
        defer { pendingOutput = output }
        while !closing {
            do {
                guard case .frame(let frame) = try parser.parseStep(&buffer) else { return }
                respond(to: frame, into: &output)
            } catch where error.isRecoverable {
                reportFrameError(error, into: &output, remote: context.remoteAddress)
            } catch {
                // The stream is out of sync: answer once, then close.
                reportFrameError(error, into: &output, remote: context.remoteAddress)
                closing = true
                closeAfterFlush = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return
            }
            if output.readableBytes >= Self.pauseOutputBytes || deferredAnswers >= Self.maxDeferredAnswers {
                pendingOutput = output
                guard mayParseOn(context: context) else {
                    output = takeOutputBuffer(context: context)
                    return
                }
                output = takeOutputBuffer(context: context)
            }
        }
    }

    /// Writes the responses gathered so far when they are many; false when parsing must pause
    /// because the socket cannot take them or too many answers are owed.
    private func mayParseOn(context: ChannelHandlerContext) -> Bool {
        if let output = pendingOutput, output.readableBytes >= Self.pauseOutputBytes { flushPending(context: context) }
        return backPressure.mayParseOn(canTakeMore: canTakeMore)
    }

    /// Neither too many answers owed nor a socket that is full.
    private var canTakeMore: Bool {
        deferredAnswers < Self.maxDeferredAnswers && (context?.channel.isWritable ?? false)
    }

    func read(context: ChannelHandlerContext) {
        if backPressure.mayRead(canTakeMore: canTakeMore) { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeIfPossible()
        context.fireChannelWritabilityChanged()
    }

    /// Reads (or parses what a paused read left) again once the connection can take more.
    private func resumeIfPossible() {
        guard let context else { return }
        switch backPressure.resume(canTakeMore: canTakeMore) {
        case .nothing:
            break
        case .read:
            context.read()
        case .scheduleParsing:
            context.eventLoop.assumeIsolatedUnsafeUnchecked().execute { self.resumeParsing() }
        }
    }

    private func resumeParsing() {
        guard backPressure.resumeTaskRuns(canTakeMore: canTakeMore), let context else { return }
        if var pending = cumulation {
            cumulation = nil
            process(&pending)
            if pending.readableBytes > 0 { cumulation = pending }
            flushAtEndOfTurn()
        }
        if backPressure.parsedWhatWaited() { context.read() }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let peerAddress, let cluster {
            cluster.evidence.heard(from: peerAddress, atMillis: MonotonicClock.nowMillis())
        }
        if turnFlusher.isAlone { flushPending(context: context) } else { flushAtEndOfTurn() }
        context.fireChannelReadComplete()
    }

    private func flushAtEndOfTurn() {
        guard !flushScheduled else { return }
        flushScheduled = true
        turnFlusher.enqueue(self)
    }

    func turnEnded() {
        flushScheduled = false
        guard let context else { return }
        flushPending(context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("closing connection after error", metadata: ["error": "\(error)", "peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
        context.close(promise: nil)
    }

    /// The responses gathered so far, else the spare buffer, else a new one; the handler keeps
    /// no other reference to it, so writing into it does not copy.
    private func takeOutputBuffer(context: ChannelHandlerContext) -> ByteBuffer {
        if let output = pendingOutput {
            pendingOutput = nil
            return output
        }
        if let spare = spareOutput {
            spareOutput = nil
            return spare
        }
        return context.channel.allocator.buffer(capacity: 512)
    }

    private func flushPending(context: ChannelHandlerContext) {
        var wroteLater = false
        if let later = laterOutput {
            laterOutput = nil
            context.write(wrapOutboundOut(later), promise: nil)
            wroteLater = true
        }
        guard var output = pendingOutput, output.readableBytes > 0 else {
            if wroteLater { context.flush() }
            return
        }
        pendingOutput = nil
        if closeAfterFlush {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(output)).whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
            // Reset in place when the socket took every byte (the usual case), else a fresh
            // allocation of the same size instead of a copy; a buffer grown by a burst goes.
            output.clear()
            if output.capacity <= Self.keptOutputCapacity { spareOutput = output }
        }
    }

    private static let keptOutputCapacity = 64 << 10

    /// Writes the response when `reply` completes; the connection stays open for other
    /// requests meanwhile (responses carry request ids, so order does not matter).
    func answerLater(_ reply: EventLoopFuture<AnyMessage>, requestID: UInt32, operation: RequestMetrics.Operation?, start: UInt64) {
        guard let channel = context?.channel else { return }
        node.counters.requestStarted()
        deferredAnswers += 1
        let counters = node.counters
        let metrics = self.metrics
        reply.hop(to: channel.eventLoop).assumeIsolated().whenComplete { result in
            counters.requestFinished()
            self.deferredAnswers -= 1
            if let operation { metrics.record(operation, result, startNanos: start) }
            // Kept apart from `pendingOutput`: an answer that completes at once arrives while
            // the current read's responses are being written there.
            var buffer = self.laterOutput ?? channel.allocator.buffer(capacity: 128)
            self.laterOutput = nil
            switch result {
            case .success(let message):
                buffer.writeFrame(message, requestID: requestID)
            case .failure(let error as OperationError):
                buffer.writeFrame(ErrorResponse(code: error.code, message: error.message), requestID: requestID)
            case .failure(let error):
                buffer.writeFrame(ErrorResponse(code: .internalError, message: "\(error)"), requestID: requestID)
            }
            self.laterOutput = buffer
            self.flushAtEndOfTurn()
            if self.deferredAnswers == Self.maxDeferredAnswers - 1 { self.resumeIfPossible() }
        }
    }

    func reportFrameError(_ error: FrameError, into output: inout ByteBuffer, remote: SocketAddress?) {
        node.counters.protocolErrorSeen()
        logger.warning("rejected frame", metadata: [
            "error": "\(error)",
            "peer": "\(remote.map { "\($0)" } ?? "?")",
            "closing": "\(!error.isRecoverable)",
        ])
        output.writeFrame(ErrorResponse(code: error.code, message: error.description), requestID: error.requestID)
    }
}
