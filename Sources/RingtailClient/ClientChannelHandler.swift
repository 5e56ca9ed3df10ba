import NIOCore
import RingtailWire

/// A request on its way out, with the promise its response completes.
struct OutgoingRequest {
    var message: AnyMessage
    var promise: EventLoopPromise<Frame>
}

/// Matches responses to requests by request id, so any number of requests share one
/// connection and may be answered in any order. Also enforces the per-request timeout: all
/// state lives on the channel's event loop, so no locks.
final class ClientChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = FrameOrFailure
    typealias OutboundIn = OutgoingRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var promise: EventLoopPromise<Frame>
        var timeout: Scheduled<Void>
    }

    private let timeout: TimeAmount
    private let traffic: WireTraffic?
    private var pending: [UInt32: Pending] = [:]
    private var nextRequestID: UInt32 = 1

    init(timeout: TimeAmount, traffic: WireTraffic? = nil) {
        self.timeout = timeout
        self.traffic = traffic
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        let id = nextRequestID
        nextRequestID = nextRequestID == .max ? 1 : nextRequestID + 1
        let milliseconds = timeout.nanoseconds / 1_000_000
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, _) = loopBound.value
            handler.pending.removeValue(forKey: id)?.promise.fail(RingtailClientError.timeout(milliseconds: milliseconds))
        }
        pending[id] = Pending(promise: request.promise, timeout: timer)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeFrame(request.message, requestID: id)
        traffic?.countSent(buffer.readableBytes)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .frame(let frame):
            traffic?.countReceived(Frame.headerBytes + frame.body.readableBytes)
            if let entry = pending.removeValue(forKey: frame.requestID) {
                entry.timeout.cancel()
                entry.promise.succeed(frame)
            } else if frame.requestID == 0 {
                // A connection-level error from the node: it is about to close the connection.
                let reason = (try? frame.decodeMessage()).map { "\($0)" } ?? "unreadable error frame"
                failAll(RingtailClientError.protocolViolation("node rejected the connection: \(reason)"))
            }
        case .failure(let error):
            let entry = pending.removeValue(forKey: error.requestID)
            entry?.timeout.cancel()
            entry?.promise.fail(RingtailClientError.protocolViolation(error.description))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RingtailClientError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RingtailClientError.protocolViolation("\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RingtailClientError) {
        let entries = pending
        pending.removeAll()
        for entry in entries.values {
            entry.timeout.cancel()
            entry.promise.fail(error)
        }
    }
}
