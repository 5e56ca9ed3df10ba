import Logging
import NIOCore
import RingtailWire

/// Answers binary-RPC frames on one connection.
///
/// Responses to every frame read in one socket read are gathered in one buffer and written
/// with a single flush when the read completes, so a pipelining client costs one syscall per
/// batch rather than one per request.
final class RPCServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = FrameOrFailure
    typealias OutboundOut = ByteBuffer

    private let node: LocalNode
    private let logger: Logger
    private var pendingOutput: ByteBuffer?

    init(node: LocalNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        node.counters.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        node.counters.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var output = pendingOutput ?? context.channel.allocator.buffer(capacity: 512)
        pendingOutput = nil
        switch unwrapInboundIn(data) {
        case .frame(let frame):
            respond(to: frame, into: &output)
        case .failure(let error):
            reportFrameError(error, into: &output, remote: context.remoteAddress)
        }
        pendingOutput = output
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushPending(context: context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let frameError = error as? FrameError {
            // The stream is out of sync: answer once, then close.
            var output = pendingOutput ?? context.channel.allocator.buffer(capacity: 128)
            pendingOutput = nil
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

    private func flushPending(context: ChannelHandlerContext) {
        guard let output = pendingOutput, output.readableBytes > 0 else { return }
        pendingOutput = nil
        context.writeAndFlush(wrapOutboundOut(output), promise: nil)
    }

    private func respond(to frame: Frame, into output: inout ByteBuffer) {
        let message: AnyMessage
        do {
            message = try frame.decodeMessage()
        } catch {
            reportFrameError(error, into: &output, remote: nil)
            return
        }
        do {
            switch message {
            case .getRequest(let request):
                output.writeFrame(try node.get(request.key), requestID: frame.requestID)
            case .setRequest(let request):
                output.writeFrame(try node.set(request.key, value: request.value, ttlMillis: request.ttlMillis), requestID: frame.requestID)
            case .deleteRequest(let request):
                output.writeFrame(try node.delete(request.key), requestID: frame.requestID)
            case .statsRequest:
                output.writeFrame(node.stats(), requestID: frame.requestID)
            case .pingRequest:
                output.writeFrame(PingResponse(nodeId: node.nodeID.name, uptimeMillis: node.uptimeMillis), requestID: frame.requestID)
            default:
                throw OperationError(.invalidArgument, "\(message.messageType) is not a request this node serves")
            }
        } catch let error as OperationError {
            output.writeFrame(ErrorResponse(code: error.code, message: error.message), requestID: frame.requestID)
        } catch {
            output.writeFrame(ErrorResponse(code: .internalError, message: "\(error)"), requestID: frame.requestID)
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
