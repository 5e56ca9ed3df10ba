import NIOCore
import RingtailWire

/// Replica requests gathered over an event-loop turn and sent at its end as batches (see
/// `ClientChannelHandler`): each request then gets the frame it would have had alone.
extension ClientChannelHandler {
    /// Sends the replica reads gathered this turn: a lone one as itself, more as batches.
    func encodeGatheredReads(context: ChannelHandlerContext) {
        guard !gatheredReads.isEmpty else { return }
        let reads = gatheredReads
        gatheredReads = []
        guard reads.count > 1, !peerRefusesBatches else {
            for read in reads { encode(read.asReplicaRead, context: context) }
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        for range in Self.batchRanges(reads, maxCount: Self.maxReadsPerBatch, maxBytes: .max) {
            let batch = Array(reads[range])
            let message = ReplicaReadBatchRequest(reads: batch.map(\.asReadRequest))
            let sink = ResponseSink.callback { result in handler.value.distribute(result, to: batch) }
            encode(OutgoingRequest(message: .replicaReadBatchRequest(message), sink: sink), context: context)
        }
    }

    /// Consecutive runs of `requests`, each at most `maxCount` long and `maxBytes` of bodies (a
    /// single larger body goes alone), in order.
    static func batchRanges(_ requests: [GatheredRequest], maxCount: Int, maxBytes: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var next = 0
        while next < requests.count {
            var end = next + 1
            var bytes = requests[next].body.readableBytes
            while end < requests.count, end - next < maxCount, bytes + requests[end].body.readableBytes <= maxBytes {
                bytes += requests[end].body.readableBytes
                end += 1
            }
            ranges.append(next..<end)
            next = end
        }
        return ranges
    }

    /// Hands each read of a batch its own answer, as the frame it would have had alone; the
    /// reads the response had no room for are sent again.
    private func distribute(_ result: Result<Frame, any Error>, to reads: [GatheredRequest]) {
        if refusedAsUnknown(result) {
            for read in reads { enqueue(read.asReplicaRead) }
            return
        }
        guard case .success(let frame) = result, frame.messageType == .replicaReadBatchResponse else {
            // A failure (timeout, closed connection) or the peer's error for the whole batch:
            // every read gets it, and reads an error frame as it would its own.
            for read in reads { read.sink.complete(result) }
            return
        }
        let answers: [ByteBuffer]
        do {
            answers = try ReplicaReadBatchResponse.answerBodies(in: frame.body)
        } catch {
            for read in reads { read.sink.complete(.failure(RingtailClientError.protocolViolation("unreadable replica read batch: \(error)"))) }
            return
        }
        guard !answers.isEmpty, answers.count <= reads.count else {
            let violation = RingtailClientError.protocolViolation("a batch of \(reads.count) replica reads answered with \(answers.count)")
            for read in reads { read.sink.complete(.failure(violation)) }
            return
        }
        for (read, body) in zip(reads, answers) {
            read.sink.complete(.success(Frame(messageTypeRaw: MessageType.replicaReadResponse.rawValue, requestID: frame.requestID, body: body)))
        }
        for read in reads.dropFirst(answers.count) { enqueue(read.asReplicaRead) }
    }

    /// Whether the peer answered a batch with "unknown message type": a build from before
    /// batches (a rolling upgrade). From then on this connection sends every replica request
    /// alone, and the caller sends the refused batch's requests again, alone.
    private func refusedAsUnknown(_ result: Result<Frame, any Error>) -> Bool {
        guard case .success(let frame) = result, frame.messageType == .errorResponse else { return false }
        var body = frame.body
        guard let error = try? ErrorResponse(decoding: &body), error.code == .unknownMessageType else { return false }
        peerRefusesBatches = true
        return true
    }

    /// The replica read, else nil.
    static func replicaRead(_ payload: OutgoingRequest.Payload) -> ReplicaReadRequest? {
        switch payload {
        case .replicaRead(let read): read
        case .message(.replicaReadRequest(let read)): read
        default: nil
        }
    }

    /// The body of a replica write (encoded for several owners, or not yet), else nil.
    static func replicaWriteBody(_ payload: OutgoingRequest.Payload) -> ByteBuffer? {
        switch payload {
        case .frame(let frame) where frame.messageType == .replicaWriteRequest: frame.body
        case .message(.replicaWriteRequest(let write)): write.encoded()
        default: nil
        }
    }

    /// Sends the replica writes gathered this turn: a lone one as itself, more as batches of at
    /// most `maxWritesPerBatch` writes and `maxWriteBatchBytes` (or a single larger write).
    func encodeGatheredWrites(context: ChannelHandlerContext) {
        guard !gatheredWrites.isEmpty else { return }
        let writes = gatheredWrites
        gatheredWrites = []
        guard writes.count > 1, !peerRefusesBatches else {
            for write in writes { encode(write.asReplicaWrite, context: context) }
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        for range in Self.batchRanges(writes, maxCount: Self.maxWritesPerBatch, maxBytes: Self.maxWriteBatchBytes) {
            let batch = Array(writes[range])
            let sink = ResponseSink.callback { result in handler.value.distributeWrites(result, to: batch) }
            encode(OutgoingRequest(payload: .writeBatch(writes[range].map(\.body)), sink: sink), context: context)
        }
    }

    /// Hands each write of a batch its own outcome, as the frame it would have had alone.
    private func distributeWrites(_ result: Result<Frame, any Error>, to batch: [GatheredRequest]) {
        if refusedAsUnknown(result) {
            // Nothing of the batch was applied: each write goes again, alone.
            for write in batch { enqueue(write.asReplicaWrite) }
            return
        }
        let writes = batch.map(\.sink)
        guard case .success(let frame) = result, frame.messageType == .replicaWriteBatchResponse else {
            for write in writes { write.complete(result) }
            return
        }
        let outcomes: [Frame?]
        do {
            outcomes = try ReplicaWriteBatchResponse.outcomeFrames(in: frame.body, requestID: frame.requestID)
        } catch {
            outcomes = []
        }
        guard outcomes.count == writes.count else {
            let violation = RingtailClientError.protocolViolation("a batch of \(writes.count) replica writes answered with \(outcomes.count) outcomes")
            for write in writes { write.complete(.failure(violation)) }
            return
        }
        for (write, outcome) in zip(writes, outcomes) {
            if let outcome {
                write.complete(.success(outcome))
            } else {
                write.complete(.failure(RingtailClientError.protocolViolation("a replica write's outcome without response or error")))
            }
        }
    }

    /// Writes and bytes per batch: a burst goes as a few frames, far below any frame limit.
    static let maxWritesPerBatch = 64
    static let maxWriteBatchBytes = 1 << 20
    /// Reads per batch: a pipelined burst of reads goes as a few frames, not one huge one.
    static let maxReadsPerBatch = 64
}

/// A replica read or write gathered for the end-of-turn batch: its key or request body, and
/// whoever its answer goes to.
struct GatheredRequest {
    var body: ByteBuffer
    /// A read's `ReplicaReadRequest.unlessVersion`.
    var unlessVersion: EntryVersion? = nil
    var sink: ResponseSink

    var asReadRequest: ReplicaReadRequest { ReplicaReadRequest(key: body, unlessVersion: unlessVersion) }

    /// The read sent on its own.
    var asReplicaRead: OutgoingRequest { OutgoingRequest(payload: .replicaRead(asReadRequest), sink: sink) }

    /// The write sent on its own.
    var asReplicaWrite: OutgoingRequest {
        OutgoingRequest(frame: Frame(messageTypeRaw: MessageType.replicaWriteRequest.rawValue, requestID: 0, body: body), sink: sink)
    }
}
