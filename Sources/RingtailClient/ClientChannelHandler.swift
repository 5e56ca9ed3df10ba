import NIOCore
import RingtailWire

/// Who is waiting for a response: a future's promise, or a callback for callers that compose
/// replies themselves (the cluster coordinator) and would only unwrap a future again.
enum ResponseSink {
    case promise(EventLoopPromise<Frame>)
    case callback(@Sendable (Result<Frame, any Error>) -> Void)

    func complete(_ result: Result<Frame, any Error>) {
        switch self {
        case .promise(let promise): promise.completeWith(result)
        case .callback(let callback): callback(result)
        }
    }
}

/// A request on its way out, with whoever its response goes to.
struct OutgoingRequest {
    enum Payload {
        case message(AnyMessage)
        /// The coordinator's most frequent request, kept apart from `message` (copying an
        /// `AnyMessage` runs through every case of the enum).
        case replicaRead(ReplicaReadRequest)
        /// Already encoded (`Frame(encoding:)`); sent with this request's id.
        case frame(Frame)
        /// Replica writes gathered into one `ReplicaWriteBatchRequest`, each a request body.
        case writeBatch([ByteBuffer])
    }

    var payload: Payload
    var sink: ResponseSink

    init(message: AnyMessage, sink: ResponseSink) {
        self.payload = .message(message)
        self.sink = sink
    }

    init(payload: Payload, sink: ResponseSink) {
        self.payload = payload
        self.sink = sink
    }

    init(frame: Frame, sink: ResponseSink) {
        self.payload = .frame(frame)
        self.sink = sink
    }
}

/// Matches responses to requests by request id, so any number of requests share one
/// connection and may be answered in any order. Also enforces the per-request timeout: all
/// state lives on the channel's event loop, so no locks.
///
/// Ids are handed out consecutively, so the requests in flight sit in id order in one queue
/// and a response finds its request by the distance of its id from the oldest one: no hashing
/// per request (a dictionary of waiting requests cost an insert, a removal and a lookup each).
/// An answered request keeps its place until every older one is answered or has expired.
///
/// Replica reads and writes are gathered over the turn and go at its end as one
/// `ReplicaReadBatchRequest` and `ReplicaWriteBatchRequest` (a lone one as itself): one frame,
/// one id and one answer for what a coordinator sends a peer in a turn, each request then
/// handed its own answer as if it had come alone. A peer that does not know batches (an
/// earlier build, during a rolling upgrade) refuses the first one as an unknown message type;
/// its requests are then sent again alone, and so is everything after them on that connection.
///
/// Every request has the same timeout, so deadlines expire in the order requests were
/// written: one timer, set for the oldest request still waiting, serves them all (a timer
/// per request would cost a schedule and a cancel each, and cancels search the loop's queue).
/// Requests issued in one event-loop turn are encoded back to back into one buffer, written
/// and flushed once at the end of the turn: one syscall for all of them, not a buffer and a
/// pipeline write each. The buffer is kept and reused once the socket has taken its bytes:
/// a fresh 4 KiB buffer per turn sent glibc's malloc into `malloc_consolidate` every time
/// (~15% of a coordinating node's CPU under pipelined reads).
///
/// Responses are split into frames here rather than by a `ByteToMessageHandler` in front,
/// which passed each frame on as a pipeline event of its own (`cachectl bench` spent about 12%
/// less CPU without it).
final class ClientChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = OutgoingRequest
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let traffic: WireTraffic?
    private let liveness: PeerLiveness?
    /// Requests in flight, oldest first, consecutive ids; `sink` is nil once answered.
    private var inFlight = CircularBuffer<InFlight>()
    /// Replica reads sent this turn (their keys), to go as one batch at its end (one frame, one
    /// request id and one answer for all of them, instead of one each).
    var gatheredReads: [GatheredRequest] = []
    /// Replica writes sent this turn (their request bodies), likewise batched at its end.
    var gatheredWrites: [GatheredRequest] = []
    /// The peer answered a batch with "unknown message type" (a build from before batches):
    /// replica requests go to it one frame each.
    var peerRefusesBatches = false
    private var timer: Scheduled<Void>?
    private var flushScheduled = false
    /// The deadline of the batch being gathered for the end-of-turn flush: its requests share
    /// one clock reading (a timeout is seconds; a turn, microseconds).
    private var batchDeadline: NIODeadline?
    /// Frames encoded since the last flush (empty when there are none).
    private var outgoing = ByteBuffer()
    private var nextRequestID: UInt32 = 1
    private var context: ChannelHandlerContext?
    /// The channel was seen active and has not gone inactive since: asking it through the
    /// context retains and releases it on every request.
    private var active = false
    private let parser: FrameParser
    /// Bytes of a response frame that has not fully arrived.
    private var cumulation: ByteBuffer?

    /// The largest response frame accepted (a GET of the largest value, with room to spare).
    static let maxResponseFrameBytes = 64 << 20

    /// `firstRequestID` is for tests of the id wrap-around.
    init(timeout: TimeAmount, traffic: WireTraffic? = nil, liveness: PeerLiveness? = nil, firstRequestID: UInt32 = 1, maxFrameBytes: Int = ClientChannelHandler.maxResponseFrameBytes) {
        precondition(firstRequestID != 0, "request id 0 is the connection-level error's")
        self.parser = FrameParser(maxFrameBytes: maxFrameBytes)
        self.timeout = timeout
        self.traffic = traffic
        self.liveness = liveness
        self.nextRequestID = firstRequestID
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        active = false
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        enqueue(unwrapOutboundIn(data), context: context, promise: promise)
    }

    /// Sends `request` from the connection's event loop without going through the pipeline:
    /// no `NIOAny` box (the request does not fit inline: a heap allocation each) and no walk
    /// through the pipeline's write path, for the coordinator's few requests per client request.
    func enqueue(_ request: OutgoingRequest) {
        guard let context else {
            request.sink.complete(.failure(RingtailClientError.connectionClosed))
            return
        }
        enqueue(request, context: context, promise: nil)
    }

    private func enqueue(_ request: OutgoingRequest, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        // Asked until it answers yes (NIO completes a connect's promise, whose callbacks may
        // send, before it fires `channelActive`); `channelInactive` clears it.
        if !active { active = context.channel.isActive }
        guard active else {
            promise?.fail(RingtailClientError.connectionClosed)
            request.sink.complete(.failure(RingtailClientError.connectionClosed))
            return
        }
        if promise == nil, let read = Self.replicaRead(request.payload) {
            gatheredReads.append(GatheredRequest(body: read.key, unlessVersion: read.unlessVersion, sink: request.sink))
        } else if promise == nil, let write = Self.replicaWriteBody(request.payload) {
            gatheredWrites.append(GatheredRequest(body: write, sink: request.sink))
        } else {
            encode(request, context: context)
            // Someone waits for this very write (nobody does today): hand the batch over now, with it.
            if promise != nil { writeOutgoing(context: context, promise: promise) }
        }
        if !flushScheduled {
            flushScheduled = true
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.execute {
                let (handler, context) = loopBound.value
                handler.flushScheduled = false
                handler.batchDeadline = nil
                handler.flush(context: context)
            }
        }
    }

    /// Encodes `request` into the outgoing buffer under the next id and waits for its answer.
    func encode(_ request: OutgoingRequest, context: ChannelHandlerContext) {
        let id = nextRequestID
        nextRequestID = nextRequestID == .max ? 1 : nextRequestID + 1
        let deadline: NIODeadline
        if flushScheduled, let batchDeadline {
            deadline = batchDeadline
        } else {
            deadline = context.eventLoop.now + timeout
            batchDeadline = deadline
        }
        inFlight.append(InFlight(id: id, deadline: deadline, sink: request.sink))
        if timer == nil { armTimer(context: context) }
        if outgoing.capacity == 0 { outgoing = context.channel.allocator.buffer(capacity: Self.outgoingCapacity) }
        let start = outgoing.writerIndex
        switch request.payload {
        case .message(let message):
            outgoing.writeFrame(message, requestID: id)
        case .replicaRead(let read):
            outgoing.writeFrame(.replicaReadRequest(read), requestID: id)
        case .frame(var frame):
            frame.requestID = id
            outgoing.writeFrame(frame)
        case .writeBatch(let writes):
            outgoing.writeReplicaWriteBatchFrame(writes, requestID: id)
        }
        traffic?.countSent(outgoing.writerIndex - start)
    }

    func flush(context: ChannelHandlerContext) {
        encodeGatheredReads(context: context)
        encodeGatheredWrites(context: context)
        writeOutgoing(context: context)
        context.flush()
        recycleOutgoing(context: context)
    }

    /// Hands the frames encoded so far to the channel (without flushing).
    private func writeOutgoing(context: ChannelHandlerContext, promise: EventLoopPromise<Void>? = nil) {
        guard outgoing.readableBytes > 0 else {
            promise?.succeed()
            return
        }
        context.write(wrapOutboundOut(outgoing), promise: promise)
        // Not written yet: the channel holds the bytes until the flush. Appending now would copy
        // them, so the next frames go to a fresh buffer.
        if promise != nil { recycleOutgoing(context: context) }
    }

    /// Empties the outgoing buffer for the next frames: resets it in place when the channel let
    /// go of it (a flush that the socket took whole), else starts a fresh one rather than copying.
    private func recycleOutgoing(context: ChannelHandlerContext) {
        if outgoing.capacity > Self.keptOutgoingCapacity {
            outgoing = context.channel.allocator.buffer(capacity: Self.outgoingCapacity)
        } else {
            outgoing.clear()
        }
    }

    private static let outgoingCapacity = 4096
    /// A buffer that grew past this for a burst is let go rather than kept for the connection's life.
    private static let keptOutgoingCapacity = 64 << 10

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var pending = cumulation {
            cumulation = nil
            if pending.readerIndex > 0, pending.readerIndex >= pending.readableBytes { pending.discardReadBytes() }
            pending.writeBuffer(&incoming)
            incoming = pending
        }
        while true {
            do {
                guard case .frame(let frame) = try parser.parseStep(&incoming) else { break }
                handle(.frame(frame))
            } catch where error.isRecoverable {
                handle(.failure(error))
            } catch {
                // Out of sync: nothing after this can be matched to a request.
                failAll(RingtailClientError.protocolViolation(error.description))
                context.close(promise: nil)
                return
            }
        }
        if incoming.readableBytes > 0 { cumulation = incoming }
    }

    private func handle(_ input: FrameOrFailure) {
        switch input {
        case .frame(let frame):
            traffic?.countReceived(Frame.headerBytes + frame.body.readableBytes)
            if let sink = takeSink(of: frame.requestID) {
                sink.complete(.success(frame))
            } else if frame.requestID == 0 {
                // A connection-level error from the node: it is about to close the connection.
                let reason = (try? frame.decodeMessage()).map { "\($0)" } ?? "unreadable error frame"
                failAll(RingtailClientError.protocolViolation("node rejected the connection: \(reason)"))
            }
        case .failure(let error):
            takeSink(of: error.requestID)?.complete(.failure(RingtailClientError.protocolViolation(error.description)))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Once per read, not per frame: evidence for the failure detector that the peer is up.
        liveness?.heard()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        outgoing = ByteBuffer()
        cumulation = nil
        failAll(RingtailClientError.connectionClosed)
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RingtailClientError.protocolViolation("\(error)"))
        context.close(promise: nil)
    }

    /// Sets the timer for the oldest request still waiting, if any.
    private func armTimer(context: ChannelHandlerContext) {
        dropAnsweredFront()
        guard let oldest = inFlight.first else {
            timer = nil
            return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: oldest.deadline) {
            let (handler, context) = loopBound.value
            handler.expire(context: context)
        }
    }

    private func expire(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        let milliseconds = timeout.nanoseconds / 1_000_000
        while let first = inFlight.first, first.deadline <= now {
            inFlight.removeFirst()
            first.sink?.complete(.failure(RingtailClientError.timeout(milliseconds: milliseconds)))
        }
        armTimer(context: context)
    }

    private func failAll(_ error: RingtailClientError) {
        let requests = inFlight
        inFlight.removeAll()
        let gathered = gatheredReads + gatheredWrites
        gatheredReads = []
        gatheredWrites = []
        for request in requests { request.sink?.complete(.failure(error)) }
        for request in gathered { request.sink.complete(.failure(error)) }
    }

    /// Takes the sink of the request `id` out of the queue; nil when it is not waiting (never
    /// sent, answered already, or expired).
    private func takeSink(of id: UInt32) -> ResponseSink? {
        guard let first = inFlight.first, id != 0 else { return nil }
        var distance = id &- first.id
        // Ids run up to UInt32.max and go on at 1 (0 is the connection-level error's id).
        if id < first.id { distance &-= 1 }
        guard distance < inFlight.count, inFlight[offset: Int(distance)].id == id else { return nil }
        let sink = inFlight[offset: Int(distance)].sink
        inFlight[offset: Int(distance)].sink = nil
        // Answers mostly come in order: dropping answered ones from the front keeps the queue
        // as long as the requests actually waiting.
        dropAnsweredFront()
        return sink
    }

    private func dropAnsweredFront() {
        while let first = inFlight.first, first.sink == nil { inFlight.removeFirst() }
    }
}

/// A request sent on the connection and its deadline; `sink` is nil once it is answered.
private struct InFlight {
    var id: UInt32
    var deadline: NIODeadline
    var sink: ResponseSink?
}
