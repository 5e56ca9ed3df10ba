import NIOCore
import NIOPosix
import RingtailModel
import RingtailRESP

/// Why a Redis-protocol bench connection gave up. Replies on a connection come in request
/// order, so after any of these the connection cannot be trusted and is closed.
enum RESPBenchError: Error, CustomStringConvertible {
    case connectionLost(String)
    case timeout(String, millis: Int64)
    case protocolViolation(String, detail: String)
    case unexpectedReply(String, detail: String)

    var description: String {
        switch self {
        case .connectionLost(let host): "connection to \(host) lost"
        case .timeout(let host, let millis): "\(host) sent no reply within \(millis) ms"
        case .protocolViolation(let host, let detail): "\(host) broke the Redis protocol: \(detail)"
        case .unexpectedReply(let host, let detail): "unexpected reply from \(host): \(detail)"
        }
    }

    var isConnectionProblem: Bool {
        if case .connectionLost = self { return true }
        return false
    }
}

/// Receives what one connection reads, on the connection's event loop.
protocol RESPReplySink: AnyObject {
    func received(_ reply: RESPValue)
    /// The end of one socket read: the moment to flush the requests its replies made ready.
    func readFinished()
    func connectionFailed(_ error: RESPBenchError)
}

/// Cuts the byte stream into replies with RingtailRESP's value parser and hands each to the
/// current sink; writes whole buffers for it. Confined to the channel's event loop.
final class RESPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let host: String
    private var parser = RESPValueParser()
    /// Bytes of a reply still incomplete at the end of the last read.
    private var partial: ByteBuffer?
    private var context: ChannelHandlerContext?
    var sink: (any RESPReplySink)?

    init(host: String) {
        self.host = host
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Writes and flushes `bytes`: one syscall for however many requests they hold.
    func send(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var held = partial {
            // Drop the stored reference first so appending does not copy the held bytes.
            partial = nil
            held.writeImmutableBuffer(buffer)
            buffer = held
        }
        do {
            parsing: while true {
                switch try parser.parseStep(&buffer) {
                case .value(let reply): sink?.received(reply)
                case .continueParsing: continue
                case .insufficientData: break parsing
                }
            }
        } catch {
            fail(.protocolViolation(host, detail: "\(error)"))
            return
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            partial = buffer
        }
        sink?.readFinished()
    }

    func channelInactive(context: ChannelHandlerContext) {
        sink?.connectionFailed(.connectionLost(host))
        sink = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Reports `error` to the sink, then closes: the stream of replies is out of step.
    func fail(_ error: RESPBenchError) {
        let current = sink
        sink = nil
        current?.connectionFailed(error)
        close()
    }
}

/// One Redis-protocol connection of `cachectl bench --resp`.
struct RESPBenchConnection: BenchTarget {
    let host: String
    let loop: any EventLoop
    let channel: any Channel
    let handler: NIOLoopBound<RESPReplyHandler>
    let requests: RESPBenchRequests
    let timeout: TimeAmount

    /// Connects and checks with a PING that a Redis-protocol server answers.
    static func connect(
        to address: HostAndPort, on loop: any EventLoop, requests: RESPBenchRequests,
        connectTimeout: TimeAmount, timeout: TimeAmount
    ) async throws -> RESPBenchConnection {
        let host = address.description
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RESPReplyHandler(host: host))
                }
            }
            .connect(host: address.host, port: address.port)
            .get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: RESPReplyHandler.self), eventLoop: loop)
        }.get()
        let connection = RESPBenchConnection(host: host, loop: loop, channel: channel, handler: handler, requests: requests, timeout: timeout)
        do {
            try await connection.ping()
        } catch {
            try? await channel.close()
            throw error
        }
        return connection
    }

    func close() async {
        try? await channel.close()
    }

    private func ping() async throws {
        let handler = self.handler
        let timeout = self.timeout
        try await loop.flatSubmit {
            let waiter = PingWaiter(host: host, promise: loop.makePromise())
            handler.value.sink = waiter
            handler.value.send(RESPBenchRequests.ping)
            let deadline = loop.scheduleTask(in: timeout) {
                handler.value.fail(.timeout(host, millis: timeout.nanoseconds / 1_000_000))
            }
            return waiter.promise.futureResult.always { _ in
                deadline.cancel()
                handler.value.sink = nil
            }
        }.get()
    }

    func runStreams(
        _ streams: Int, pipeline: Int, workload: BenchWorkload, counters: BenchCounters,
        seed: UInt64, confirmWrites: Bool
    ) -> EventLoopFuture<BenchTally> {
        let handler = self.handler
        return loop.flatSubmit {
            RESPBenchDriver.run(
                streams: streams, pipeline: pipeline, handler: handler.value, loop: loop, host: host,
                requests: requests, confirmWrites: confirmWrites, timeout: timeout,
                workload: workload, counters: counters, seed: seed
            )
        }
    }
}

/// Waits for the PONG of the connection's first PING.
private final class PingWaiter: RESPReplySink {
    let host: String
    let promise: EventLoopPromise<Void>

    init(host: String, promise: EventLoopPromise<Void>) {
        self.host = host
        self.promise = promise
    }

    private var answered = false

    func received(_ reply: RESPValue) {
        guard !answered else { return }
        answered = true
        switch reply {
        case .simpleString("PONG"): promise.succeed()
        case .error(let text): promise.fail(RESPBenchError.unexpectedReply(host, detail: "PING answered -\(text)"))
        default: promise.fail(RESPBenchError.unexpectedReply(host, detail: "PING answered \(reply)"))
        }
    }

    func readFinished() {}

    func connectionFailed(_ error: RESPBenchError) {
        guard !answered else { return }
        answered = true
        promise.fail(error)
    }
}
