import NIOCore
import NIOPosix

/// One event loop, one handler: count the requests of a read, answer them all with one
/// write and flush when the read completes (as Ringtail's `RESPServerHandler` does).
enum NIOFloor {
    static func run(port: Int) throws -> Never {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler()) }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        try channel.closeFuture.wait()
        fatalError("the listener closed")
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var output = ByteBuffer()
        private var owed = 0

        func handlerAdded(context: ChannelHandlerContext) {
            output = context.channel.allocator.buffer(capacity: 1024)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            owed += unwrapInboundIn(data).withUnsafeReadableBytes(FixedReply.requests(in:))
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            while owed > 0 {
                output.writeBytes(FixedReply.bytes)
                owed -= 1
            }
            if output.readableBytes > 0 {
                context.writeAndFlush(wrapOutboundOut(output), promise: nil)
                output.clear()
            }
            context.fireChannelReadComplete()
        }
    }
}
