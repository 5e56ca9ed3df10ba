import Logging
import NIOCore

/// A Redis connection on a SwiftNIO channel: hands the channel's events to `RESPConnection`
/// and carries out its writes, held reads and closes.
final class RESPServerHandler: ChannelDuplexHandler, RemovableChannelHandler, RESPTransport {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let eventLoop: any EventLoop
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var connection: RESPConnection<RESPServerHandler>!
    /// The channel's allocator and writability, kept here: asking the channel through the
    /// context retains and releases it, several times per command.
    private var channelAllocator = ByteBufferAllocator()
    /// Follows `channelWritabilityChanged`, which NIO fires as soon as a write crosses a mark.
    private var writable = false

    /// `session`: of a connection that served on an epoll loop until now.
    init(server: RESPServerContext, eventLoop: any EventLoop, continuing session: RESPSession? = nil, logger: Logger) {
        self.eventLoop = eventLoop
        self.logger = logger
        self.connection = RESPConnection(server: server, transport: self, continuing: session, logger: logger)
    }

    // MARK: RESPTransport

    var allocator: ByteBufferAllocator { channelAllocator }
    var isWritable: Bool { writable }
    var peerDescription: String { context?.remoteAddress.map { "\($0)" } ?? "?" }

    func write(_ bytes: ByteBuffer, thenClose: Bool) {
        guard let context else { return }
        if thenClose {
            let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(bytes)).assumeIsolated().whenComplete { _ in loopBoundContext.value.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        }
    }

    func resumeReading() {
        context?.read()
    }

    func close() {
        context?.close(promise: nil)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        channelAllocator = context.channel.allocator
        writable = context.channel.isWritable
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connection.closed()
        self.context = nil
        writable = false
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        connection.opened(closer: ChannelCloser(channel: channel), remote: channel.remoteAddress, local: channel.localAddress)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        writable = false
        connection.closed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        connection.received(&incoming)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.readCompleted()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if connection.mayRead() { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        connection.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("closing redis connection after error", metadata: ["error": "\(error)", "peer": "\(peerDescription)"])
        context.close(promise: nil)
    }
}

/// Closes a channel for CLIENT KILL.
private struct ChannelCloser: RESPConnectionCloser {
    let channel: any Channel

    func close() -> EventLoopFuture<Void> {
        let closed = channel.eventLoop.makePromise(of: Void.self)
        channel.close().whenComplete { _ in closed.succeed() }
        return closed.futureResult
    }
}
