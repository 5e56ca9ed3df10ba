import NIOCore
import NIOPosix
import RingtailModel
import RingtailWire
import Synchronization

/// An async client for one Ringtail node's binary RPC.
///
/// It keeps one connection open and reuses it; concurrent requests are pipelined over it and
/// matched to their responses by request id. A broken connection is replaced on the next
/// request. Every request has a timeout.
public final class RingtailClient: Sendable {
    public let address: HostAndPort
    public let requestTimeout: Duration
    public let connectTimeout: Duration
    private let group: any EventLoopGroup
    private let handshake: (@Sendable () -> AnyMessage)?
    /// Counts the bytes of every frame this client writes and reads, when set.
    public let traffic: WireTraffic?
    /// When this client last received a frame.
    public let liveness = PeerLiveness()
    private let connection = Mutex<ConnectionState>(.none)
    private let attempts = Atomic<UInt64>(0)

    private enum ConnectionState {
        case none
        case connecting(attempt: UInt64, EventLoopFuture<any Channel>)
        /// With the connection's request handler, for requests sent from its event loop.
        case connected(any Channel, NIOLoopBound<ClientChannelHandler>)
    }

    public init(
        address: HostAndPort,
        requestTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(2),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handshake: (@Sendable () -> AnyMessage)? = nil,
        traffic: WireTraffic? = nil
    ) {
        self.handshake = handshake
        self.traffic = traffic
        self.address = address
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.group = group
    }

    deinit {
        switch connection.withLock({ $0 }) {
        case .connected(let channel, _): channel.close(promise: nil)
        case .connecting(_, let future): future.whenSuccess { $0.close(promise: nil) }
        case .none: break
        }
    }

    /// Sends `message` and returns the response frame, whatever its type.
    public func send(_ message: AnyMessage) async throws -> Frame {
        try await sendFuture(message).get()
    }

    /// Sends `message`; the future completes with the response frame. For callers that
    /// compose replies on event loops (the cluster coordinator) without a task per request.
    public func sendFuture(_ message: AnyMessage) -> EventLoopFuture<Frame> {
        channelFuture().flatMap { channel in
            let promise = channel.eventLoop.makePromise(of: Frame.self)
            // The handler flushes once per event-loop turn, and fails the request itself when
            // the connection is gone.
            channel.write(OutgoingRequest(message: message, sink: .promise(promise)), promise: nil)
            return promise.futureResult
        }
    }

    /// Sends `message` and calls `completion` once with the response frame or the failure,
    /// on the connection's event loop. No future is made while the connection is open: for
    /// the coordinator, which sends a few of these per client request.
    public func send(_ message: AnyMessage, completion: @escaping @Sendable (Result<Frame, any Error>) -> Void) {
        send(OutgoingRequest(message: message, sink: .callback(completion)))
    }

    /// Sends a `ReplicaReadRequest` for `key` and calls `completion` as `send(_:completion:)`
    /// does: the coordinator's most frequent request, sent without wrapping it in an `AnyMessage`.
    /// `unlessVersion`: the version the caller holds (see `ReplicaReadRequest`).
    public func sendReplicaRead(key: ByteBuffer, unlessVersion: EntryVersion? = nil, completion: @escaping @Sendable (Result<Frame, any Error>) -> Void) {
        send(OutgoingRequest(payload: .replicaRead(ReplicaReadRequest(key: key, unlessVersion: unlessVersion)), sink: .callback(completion)))
    }

    /// `send(_:completion:)` for a message already encoded with `Frame(encoding:)`: the
    /// coordinator encodes a replica write once for all the replicas it goes to.
    public func send(encoded frame: Frame, completion: @escaping @Sendable (Result<Frame, any Error>) -> Void) {
        send(OutgoingRequest(frame: frame, sink: .callback(completion)))
    }

    private func send(_ request: OutgoingRequest) {
        if let (channel, handler) = openConnection() {
            if channel.eventLoop.inEventLoop {
                handler.value.enqueue(request)
            } else {
                channel.write(request, promise: nil)
            }
            return
        }
        channelFuture().whenComplete { result in
            switch result {
            case .success(let channel):
                channel.write(request, promise: nil)
            case .failure(let error):
                request.sink.complete(.failure(error))
            }
        }
    }

    /// The connection and its request handler when it is open, without making a future.
    private func openConnection() -> (any Channel, NIOLoopBound<ClientChannelHandler>)? {
        connection.withLock { state in
            if case .connected(let channel, let handler) = state, channel.isActive { return (channel, handler) }
            return nil
        }
    }

    /// Sends `message` and decodes the response as `Response`; an error response throws.
    public func request<Response: FramedMessage>(_ message: AnyMessage, expecting: Response.Type = Response.self) async throws -> Response {
        let frame = try await send(message)
        var body = frame.body
        switch frame.messageType {
        case Response.messageType:
            do {
                return try Response(decoding: &body)
            } catch {
                throw RingtailClientError.protocolViolation("malformed \(Response.messageType): \(error)")
            }
        case .errorResponse:
            let error = try? ErrorResponse(decoding: &body)
            throw RingtailClientError.server(code: error?.code ?? .unspecified, message: error?.message ?? "unreadable error")
        default:
            throw RingtailClientError.protocolViolation("expected \(Response.messageType), got message type \(frame.messageTypeRaw)")
        }
    }

    /// Closes the connection; a later request opens a new one.
    public func close() async {
        let current = connection.withLock { state in
            defer { state = .none }
            return state
        }
        switch current {
        case .connected(let channel, _): try? await channel.close()
        case .connecting(_, let future): try? await future.get().close()
        case .none: break
        }
    }

    /// The open connection, or the attempt to open one that concurrent requests share.
    private func channelFuture() -> EventLoopFuture<any Channel> {
        connection.withLock { state in
            switch state {
            case .connected(let channel, _) where channel.isActive:
                return channel.eventLoop.makeSucceededFuture(channel)
            case .connecting(_, let pending):
                return pending
            case .connected, .none:
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                let future = connect(attempt: attempt)
                state = .connecting(attempt: attempt, future)
                return future
            }
        }
    }

    /// Connects, and records the outcome unless a newer attempt replaced this one.
    private func connect(attempt: UInt64) -> EventLoopFuture<any Channel> {
        let address = self.address
        return connect().flatMap { [self] channel in
            greet(channel)
        }.flatMapThrowing { channel in
            // On the channel's event loop: its pipeline may be read here.
            let handler = try channel.pipeline.syncOperations.handler(type: ClientChannelHandler.self)
            return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }.flatMapErrorThrowing { [self] error -> (any Channel, NIOLoopBound<ClientChannelHandler>) in
            connection.withLock { state in
                if case .connecting(attempt, _) = state { state = .none }
            }
            if let error = error as? RingtailClientError { throw error }
            throw RingtailClientError.connectionFailed(address: address.description, reason: "\(error)")
        }.map { [self] channel, handler in
            connection.withLock { state in
                if case .connecting(attempt, _) = state { state = .connected(channel, handler) }
            }
            return channel
        }
    }

    /// Sends the handshake, if any, as the connection's first request; a refusal closes it.
    private func greet(_ channel: any Channel) -> EventLoopFuture<any Channel> {
        guard let handshake else { return channel.eventLoop.makeSucceededFuture(channel) }
        let promise = channel.eventLoop.makePromise(of: Frame.self)
        channel.writeAndFlush(OutgoingRequest(message: handshake(), sink: .promise(promise)), promise: nil)
        return promise.futureResult.flatMapThrowing { frame in
            if frame.messageType == .errorResponse {
                var body = frame.body
                let error = try? ErrorResponse(decoding: &body)
                channel.close(promise: nil)
                throw RingtailClientError.server(code: error?.code ?? .unauthorized, message: error?.message ?? "handshake refused")
            }
            return channel
        }
    }

    private func connect() -> EventLoopFuture<any Channel> {
        let timeout = TimeAmount(requestTimeout)
        let traffic = self.traffic
        let liveness = self.liveness
        return ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(timeout: timeout, traffic: traffic, liveness: liveness))
                }
            }
            .connect(host: address.host, port: address.port)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
