import NIOCore
import NIOHTTP1

/// One admin HTTP/1.1 connection: gathers a request's body, answers through `AdminRoutes`,
/// keeps the connection open unless the client asked to close. Pipelined requests are held
/// back by NIO's pipeline handler until the previous response has ended, and a request that
/// arrives while the socket cannot take more waits until it can: a client that pipelines GETs
/// of large values without reading holds up its own requests, not the node's memory.
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: AdminRoutes
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var tooLarge = false
    /// A complete request that came while the channel was not writable.
    private var held: (head: HTTPRequestHead, body: ByteBuffer?, tooLarge: Bool)?

    init(routes: AdminRoutes, maxBodyBytes: Int) {
        self.routes = routes
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.tooLarge = false
        case .body(var chunk):
            guard !tooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBodyBytes {
                tooLarge = true
                body = nil
                return
            }
            if body == nil { body = chunk } else { body!.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            self.head = nil
            let request = (head: head, body: body, tooLarge: tooLarge)
            body = nil
            guard context.channel.isWritable else {
                held = request
                return
            }
            answer(request, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let request = held {
            held = nil
            answer(request, context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func answer(_ request: (head: HTTPRequestHead, body: ByteBuffer?, tooLarge: Bool), context: ChannelHandlerContext) {
        let (head, body, tooLarge) = request
        let keepAlive = head.isKeepAlive
        let version = head.version
        if tooLarge {
            write(.error(.payloadTooLarge, "the body exceeds \(maxBodyBytes) bytes", code: "valueTooLarge"),
                  version: version, keepAlive: false, withBody: true, context: context)
            return
        }
        // HEAD is GET without the body (the headers, content-length included, are GET's).
        let headOnly = head.method == .HEAD
        let method = headOnly ? HTTPMethod.GET : head.method
        let reply = routes.respond(
            method: method, uri: head.uri, authorization: head.headers.first(name: "authorization"), body: body ?? ByteBuffer(),
            on: context.eventLoop)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        reply.whenComplete { result in
            let (handler, context) = loopBound.value
            let response = (try? result.get()) ?? .error(.internalServerError, "internal error", code: "internalError")
            handler.write(response, version: version, keepAlive: keepAlive, withBody: !headOnly, context: context)
        }
    }

    private func write(_ response: AdminResponse, version: HTTPVersion, keepAlive: Bool, withBody: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: "\(response.body.readableBytes)")
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        for header in response.headers { headers.add(name: header.name, value: header.value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        if withBody, response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }
}
