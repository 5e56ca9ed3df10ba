import NIOCore
import RingtailModel
import RingtailStorage
import RingtailWire

/// The requests the RPC port serves: client operations, cluster messages from peers proven by
/// the cluster secret, and operator queries.
extension RPCServerHandler {
    /// Bytes one batch of replica reads answers with at most (beyond its first
    /// answer, which always goes): the asker's frame limit is far above, and a batch of large
    /// values does not hold one huge buffer.
    static let maxBatchAnswerBytes = 4 << 20
    static let answerOverheadBytes = 32

    /// Stores a replica write, or holds it as a hint for the owner it names.
    func apply(_ request: ReplicaWriteRequest) throws(OperationError) -> ReplicaWriteResponse {
        if let owner = request.hintFor {
            try requireCluster().hints.add(request.entry, for: NodeID(owner))
            return ReplicaWriteResponse(applied: true, current: request.entry.version)
        }
        return try node.applyReplica(request.entry)
    }

    /// Applies each write of `batch` on its own, in order: one that fails answers with its
    /// error, as it would alone, and the others go on.
    func apply(_ batch: ReplicaWriteBatchRequest) throws(OperationError) -> ReplicaWriteBatchResponse {
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
    func answer(_ batch: ReplicaReadBatchRequest) throws(OperationError) -> ReplicaReadBatchResponse {
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

    func respond(to frame: Frame, into output: inout ByteBuffer) {
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
    func coordinatorIfClustered() -> Coordinator? {
        guard let coordinator = cluster?.coordinator, !coordinator.isSolo else { return nil }
        return coordinator
    }

    func welcome(_ hello: PeerHello) throws(OperationError) -> PeerWelcome {
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

    func requirePeer() throws(OperationError) {
        guard peerAuthenticated else {
            logger.warning("cluster message without a valid peer hello", metadata: ["peer": "\(context?.remoteAddress.map { "\($0)" } ?? "?")"])
            throw OperationError(.unauthorized, "cluster messages need a PeerHello proving the cluster secret first")
        }
    }

    func requireCluster() throws(OperationError) -> ClusterNode {
        guard let cluster else { throw OperationError(.invalidArgument, "this node does not run cluster services") }
        return cluster
    }

    func validateKey(_ key: ByteBuffer) throws(OperationError) {
        if key.readableBytes == 0 { throw OperationError(.invalidArgument, "key must not be empty") }
        if key.readableBytes > Limits.maxKeyBytes {
            throw OperationError(.keyTooLarge, "key of \(key.readableBytes) bytes exceeds the limit of \(Limits.maxKeyBytes) bytes")
        }
    }
}
