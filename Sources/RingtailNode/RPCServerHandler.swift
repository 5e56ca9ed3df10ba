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
final class RPCServerHandler: ChannelInboundHandler, RemovableChannelHandler, TurnFlushable {
    typealias InboundIn = FrameOrFailure
    typealias OutboundOut = ByteBuffer

    private let node: LocalNode
    private let cluster: ClusterNode?
    private let logger: Logger
    private let metrics: RequestMetrics
    private let turnFlusher: TurnFlusher
    private var flushScheduled = false
    private var pendingOutput: ByteBuffer?
    /// Answers that completed after their read, for the next flush.
    private var laterOutput: ByteBuffer?
    /// The last flushed output buffer, emptied, for the next read's responses.
    private var spareOutput: ByteBuffer?
    private var context: ChannelHandlerContext?
    /// Cluster messages are accepted only from peers that proved the cluster secret.
    private var peerAuthenticated: Bool
    private var closeAfterFlush = false
    /// The cluster address of the peer on the other end, once it sent gossip: its later reads
    /// count as signs of life for the failure detector.
    private var peerAddress: String?

    init(node: LocalNode, cluster: ClusterNode?, metrics: RequestMetrics, turnFlusher: TurnFlusher, logger: Logger) {
        self.node = node
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
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var output = takeOutputBuffer(context: context)
        switch unwrapInboundIn(data) {
        case .frame(let frame):
            respond(to: frame, into: &output)
        case .failure(let error):
            reportFrameError(error, into: &output, remote: context.remoteAddress)
        }
        pendingOutput = output
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
        if let frameError = error as? FrameError {
            // The stream is out of sync: answer once, then close.
            var output = takeOutputBuffer(context: context)
            reportFrameError(frameError, into: &output, remote: context.remoteAddress)
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(output)).whenComplete { _ in loopBoundContext.value.close(promise: nil) }
            return
        }
        if case ByteToMessageDecoderError.leftoverDataWhenDone = error {
            logger.debug("peer closed in the middle of a frame", metadata: ["peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            return
        }
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
    /// Bytes one batch of replica reads answers with at most (beyond its first
    /// answer, which always goes): the asker's frame limit is far above, and a batch of large
    /// values does not hold one huge buffer.
    static let maxBatchAnswerBytes = 4 << 20
    static let answerOverheadBytes = 32

    /// Stores a replica write, or holds it as a hint for the owner it names.
    private func apply(_ request: ReplicaWriteRequest) throws(OperationError) -> ReplicaWriteResponse {
        if let owner = request.hintFor {
            try requireCluster().hints.add(request.entry, for: NodeID(owner))
            return ReplicaWriteResponse(applied: true, current: request.entry.version)
        }
        return try node.applyReplica(request.entry)
    }

    /// Applies each write of `batch` on its own, in order: one that fails answers with its
    /// error, as it would alone, and the others go on.
    private func apply(_ batch: ReplicaWriteBatchRequest) throws(OperationError) -> ReplicaWriteBatchResponse {
        guard !batch.writes.isEmpty else { throw OperationError(.invalidArgument, "empty replica write batch") }
        var response = ReplicaWriteBatchResponse(outcomes: [])
        response.outcomes.reserveCapacity(batch.writes.count)
        for write in batch.writes {
            do {
                response.outcomes.append(ReplicaWriteOutcome(response: try apply(write)))
            } catch {
                response.outcomes.append(ReplicaWriteOutcome(error: ErrorResponse(code: error.code, message: error.message)))
            }
        }
        return response
    }

    /// Answers the reads of `batch` in order, as many as fit in `maxBatchAnswerBytes`.
    private func answer(_ batch: ReplicaReadBatchRequest) throws(OperationError) -> ReplicaReadBatchResponse {
        guard !batch.reads.isEmpty else { throw OperationError(.invalidArgument, "empty replica read batch") }
        for read in batch.reads { try validateKey(read.key) }
        var response = ReplicaReadBatchResponse(answers: [])
        response.answers.reserveCapacity(batch.reads.count)
        var bytes = 0
        for read in batch.reads {
            let complete = cluster?.state.custody.isComplete(key: read.key.readableBytesView) ?? true
            let answer = node.answerReplicaRead(read, complete: complete)
            // Keys and values, plus what an answer costs besides them (a batch of many missing
            // keys is bounded too).
            bytes += answer.entry.key.readableBytes + answer.entry.value.readableBytes + Self.answerOverheadBytes
            if !response.answers.isEmpty, bytes > Self.maxBatchAnswerBytes { break }
            response.answers.append(answer)
        }
        return response
    }

    private func respond(to frame: Frame, into output: inout ByteBuffer) {
        let message: AnyMessage
        do {
            message = try frame.decodeMessage()
        } catch {
            reportFrameError(error, into: &output, remote: nil)
            return
        }
        let id = frame.requestID
        let operation = RequestMetrics.Operation(message)
        let start = operation == nil ? 0 : RequestMetrics.now()
        do {
            switch message {
            case .getRequest(let request):
                if let coordinator = coordinatorIfClustered() {
                    try validateKey(request.key)
                    answerLater(coordinator.read(request.key, readQuorum: request.readQuorum, on: eventLoop).map { AnyMessage.getResponse($0) }, requestID: id, operation: operation, start: start)
                } else {
                    let response = try node.get(request.key)
                    output.writeFrame(response, requestID: id)
                    metrics.record(.get, response.found ? .ok : .miss, startNanos: start)
                }
            case .setRequest(let request):
                if let coordinator = coordinatorIfClustered() {
                    let entry = try node.storedEntry(key: request.key, value: request.value, ttlMillis: request.ttlMillis)
                    let reply = coordinator.write(entry, writeQuorum: request.writeQuorum, on: eventLoop).map { AnyMessage.setResponse(SetResponse(version: EntryVersion($0.version))) }
                    answerLater(reply, requestID: id, operation: operation, start: start)
                } else {
                    output.writeFrame(try node.set(request.key, value: request.value, ttlMillis: request.ttlMillis), requestID: id)
                    metrics.record(.set, .ok, startNanos: start)
                }
            case .deleteRequest(let request):
                if let coordinator = coordinatorIfClustered() {
                    try validateKey(request.key)
                    let tombstone = StoredEntry(key: request.key, state: .tombstone)
                    let reply = coordinator.write(tombstone, writeQuorum: request.writeQuorum, on: eventLoop).map {
                        AnyMessage.deleteResponse(DeleteResponse(existed: $0.replacedLiveValue, version: EntryVersion($0.version)))
                    }
                    answerLater(reply, requestID: id, operation: operation, start: start)
                } else {
                    let response = try node.delete(request.key)
                    output.writeFrame(response, requestID: id)
                    metrics.record(.delete, response.existed ? .ok : .miss, startNanos: start)
                }
            case .statsRequest:
                output.writeFrame(node.stats(), requestID: id)
            case .flushAllRequest:
                let flushed = try requireCluster().coordinator.flushAll(on: eventLoop)
                answerLater(flushed.map { .flushAllResponse(FlushAllResponse(version: EntryVersion($0))) }, requestID: id, operation: nil, start: start)
            case .pingRequest:
                output.writeFrame(PingResponse(nodeId: node.nodeID.name, uptimeMillis: node.uptimeMillis), requestID: id)
            case .peerHello(let hello):
                output.writeFrame(try welcome(hello), requestID: id)
            case .gossip(let gossip):
                try requirePeer()
                try requireCluster().membership.receive(gossip)
                peerAddress = gossip.fromAddress
                output.writeFrame(GossipReceived(), requestID: id)
            case .replicaWriteRequest(let request):
                try requirePeer()
                output.writeFrame(try apply(request), requestID: id)
            case .replicaWriteBatchRequest(let batch):
                try requirePeer()
                output.writeFrame(try apply(batch), requestID: id)
            case .replicaReadRequest(let request):
                try requirePeer()
                try validateKey(request.key)
                let complete = cluster?.state.custody.isComplete(key: request.key.readableBytesView) ?? true
                output.writeFrame(node.answerReplicaRead(request, complete: complete), requestID: id)
            case .replicaReadBatchRequest(let batch):
                try requirePeer()
                output.writeFrame(try answer(batch), requestID: id)
            case .flushRequest(let request):
                try requirePeer()
                guard request.through.timestamp != 0 else { throw OperationError(.invalidArgument, "a flush needs a version") }
                let flushed = try requireCluster().flusher.flush(through: request.through.modelVersion, on: eventLoop)
                answerLater(flushed.map { .flushResponse(FlushResponse(removed: UInt64($0))) }, requestID: id, operation: nil, start: start)
            case .treeSummaryRequest(let request):
                // Open to operators too (cachectl digest): a root hash and counts reveal no data.
                output.writeFrame(try requireCluster().responder.summary(request), requestID: id)
            case .treeRootsRequest(let request):
                try requirePeer()
                output.writeFrame(try requireCluster().responder.roots(request), requestID: id)
            case .treeNodesRequest(let request):
                try requirePeer()
                output.writeFrame(try requireCluster().responder.nodes(request), requestID: id)
            case .bucketListRequest(let request):
                try requirePeer()
                output.writeFrame(try requireCluster().responder.buckets(request), requestID: id)
            case .repairStatusRequest(let request):
                let antiEntropy = try requireCluster().antiEntropy
                if let pause = request.pause { antiEntropy.setPaused(pause) }
                output.writeFrame(antiEntropy.status(), requestID: id)
            case .clusterStatusRequest:
                output.writeFrame(try requireCluster().status(), requestID: id)
            case .ringRequest(let request):
                output.writeFrame(try requireCluster().ring(for: request.key), requestID: id)
            default:
                throw OperationError(.invalidArgument, "\(message.messageType) is not a request this node serves")
            }
        } catch let error as OperationError {
            output.writeFrame(ErrorResponse(code: error.code, message: error.message), requestID: id)
            if let operation { metrics.record(operation, RequestMetrics.Outcome(error.code), startNanos: start) }
        } catch {
            output.writeFrame(ErrorResponse(code: .internalError, message: "\(error)"), requestID: id)
            if let operation { metrics.record(operation, .error, startNanos: start) }
        }
    }

    private var eventLoop: any EventLoop { context!.eventLoop }

    /// The coordinator when requests must go through replicas; nil for a lone node, which
    /// serves from its own store synchronously.
    private func coordinatorIfClustered() -> Coordinator? {
        guard let coordinator = cluster?.coordinator, !coordinator.isSolo else { return nil }
        return coordinator
    }

    private func welcome(_ hello: PeerHello) throws(OperationError) -> PeerWelcome {
        guard let authenticator = cluster?.authenticator else {
            peerAuthenticated = true
            return PeerWelcome(nodeId: node.nodeID.name)
        }
        if let refusal = authenticator.refusal(of: hello, nowMillis: node.wallClock.nowMillis()) {
            logger.warning("rejected peer", metadata: ["reason": "\(refusal)", "peer": "\(context?.remoteAddress.map { "\($0)" } ?? "?")"])
            closeAfterFlush = true
            throw OperationError(.unauthorized, refusal)
        }
        peerAuthenticated = true
        return PeerWelcome(nodeId: node.nodeID.name)
    }

    private func requirePeer() throws(OperationError) {
        guard peerAuthenticated else {
            logger.warning("cluster message without a valid peer hello", metadata: ["peer": "\(context?.remoteAddress.map { "\($0)" } ?? "?")"])
            throw OperationError(.unauthorized, "cluster messages need a PeerHello proving the cluster secret first")
        }
    }

    private func requireCluster() throws(OperationError) -> ClusterNode {
        guard let cluster else { throw OperationError(.invalidArgument, "this node does not run cluster services") }
        return cluster
    }

    private func validateKey(_ key: ByteBuffer) throws(OperationError) {
        if key.readableBytes == 0 { throw OperationError(.invalidArgument, "key must not be empty") }
        if key.readableBytes > Limits.maxKeyBytes {
            throw OperationError(.keyTooLarge, "key of \(key.readableBytes) bytes exceeds the limit of \(Limits.maxKeyBytes) bytes")
        }
    }

    /// Writes the response when `reply` completes; the connection stays open for other
    /// requests meanwhile (responses carry request ids, so order does not matter).
    private func answerLater(_ reply: EventLoopFuture<AnyMessage>, requestID: UInt32, operation: RequestMetrics.Operation?, start: UInt64) {
        guard let channel = context?.channel else { return }
        node.counters.requestStarted()
        let counters = node.counters
        let metrics = self.metrics
        reply.hop(to: channel.eventLoop).assumeIsolated().whenComplete { result in
            counters.requestFinished()
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
        }
    }

    private func reportFrameError(_ error: FrameError, into output: inout ByteBuffer, remote: SocketAddress?) {
        node.counters.protocolErrorSeen()
        logger.warning("rejected frame", metadata: [
            "error": "\(error)",
            "peer": "\(remote.map { "\($0)" } ?? "?")",
            "closing": "\(!error.isRecoverable)",
        ])
        output.writeFrame(ErrorResponse(code: error.code, message: error.description), requestID: error.requestID)
    }
}
