#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import RingtailLoop

/// A Redis connection on a descriptor of an `EpollLoop`: one `read` per readable event into
/// the loop's shared receive buffer, one `send` per write, and output the socket cannot take
/// yet queued until it signals it can.
///
/// Writability follows NIO's defaults: more than 64 KiB queued makes the socket unwritable
/// (the connection then holds its reads), less than 32 KiB writable again.
final class EpollRESPSocket: RESPTransport, EpollWatcher {
    static let highWaterMark = 64 << 10
    static let lowWaterMark = 32 << 10
    /// Bytes asked of one `read`.
    static let readSize = 64 << 10

    let loop: EpollLoop
    let fd: Int32
    private let receive: EpollReceiveBuffer
    private let logger: Logger
    private let handOver: RESPNIOHandOver?
    /// Told when the connection leaves this loop: closed, or moved to NIO.
    private let onGone: (EpollRESPSocket) -> Void
    private(set) var connection: RESPConnection<EpollRESPSocket>!
    private var unwritten = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private var unwrittenBytes = 0
    private var closeWhenWritten = false
    private var writable = true
    private var reading = true
    private var watching: EpollEvents = .readable
    private(set) var isOpen = true
    let peerAddress: SocketAddress?
    private let localAddress: SocketAddress?

    init(
        _ accepted: AcceptedSocket, loop: EpollLoop, receive: EpollReceiveBuffer, server: RESPServerContext,
        handOver: RESPNIOHandOver?, logger: Logger, onGone: @escaping (EpollRESPSocket) -> Void
    ) {
        self.loop = loop
        self.fd = accepted.fd
        self.receive = receive
        self.logger = logger
        self.handOver = handOver
        self.onGone = onGone
        self.peerAddress = accepted.remoteAddress
        self.localAddress = accepted.localAddress
        self.connection = RESPConnection(server: server, transport: self, logger: logger)
    }

    // MARK: RESPTransport

    var eventLoop: any EventLoop { loop }
    var allocator: ByteBufferAllocator { receive.allocator }
    var isWritable: Bool { writable }
    var peerDescription: String { peerAddress.map { "\($0)" } ?? "?" }

    func write(_ bytes: ByteBuffer, thenClose: Bool) {
        guard isOpen else { return }
        if unwritten.isEmpty, bytes.readableBytes > 0 {
            switch SocketIO.write(fd, bytes) {
            case .wrote(let count) where count == bytes.readableBytes:
                break
            case .wrote(let count):
                var rest = bytes
                rest.moveReaderIndex(forwardBy: count)
                enqueue(rest)
            case .wouldBlock:
                enqueue(bytes)
            case .failed(let error):
                return fail("write", errno: error)
            }
        } else if bytes.readableBytes > 0 {
            enqueue(bytes)
        }
        if thenClose {
            if unwritten.isEmpty { close() } else { closeWhenWritten = true }
        }
    }

    func resumeReading() {
        guard isOpen, !reading else { return }
        reading = true
        updateInterest()
    }

    func close() {
        guard isOpen else { return }
        isOpen = false
        loop.unwatch(fd)
        _ = Glibc.close(fd)
        unwritten.removeAll()
        unwrittenBytes = 0
        connection.closed()
        onGone(self)
    }

    // MARK: EpollWatcher

    func ready(_ events: EpollEvents) {
        if events.contains(.writable) || events.contains(.error) { writeUnwritten() }
        guard isOpen else { return }
        // `handOver` is asked in place, not bound: a bound copy would retain and release both
        // of its closures on every read.
        if events.contains(.readable), !events.contains(.hangup), !events.contains(.error),
            reading, unwritten.isEmpty, connection.isIdle, handOver?.isWanted() == true, let handOver
        {
            return move(to: handOver)
        }
        if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) {
            if reading { readOnce() } else if events.contains(.hangup) || events.contains(.error) { close() }
        }
    }

    /// Hands the descriptor and the session to NIO, whose channel reads the request that made
    /// it readable: called only while nothing is owed either way (`RESPConnection.isIdle`).
    private func move(to handOver: RESPNIOHandOver) {
        isOpen = false
        loop.unwatch(fd)
        let session = connection.detach()
        onGone(self)
        handOver.take(AcceptedSocket(fd: fd, remoteAddress: peerAddress, localAddress: localAddress), RESPSessionTransfer(session: session))
    }

    private func readOnce() {
        var buffer = receive.take()
        defer { receive.giveBack(buffer) }
        switch SocketIO.read(fd, into: &buffer, maxBytes: Self.readSize) {
        case .bytes:
            connection.received(&buffer)
            guard isOpen else { return }
            connection.readCompleted()
            if isOpen, reading, !connection.mayRead() {
                reading = false
                updateInterest()
            }
        case .wouldBlock:
            break
        case .endOfStream:
            close()
        case .failed(let error):
            fail("read", errno: error)
        }
    }

    private func enqueue(_ bytes: ByteBuffer) {
        unwritten.append(bytes)
        unwrittenBytes += bytes.readableBytes
        if unwrittenBytes > Self.highWaterMark { writable = false }
        updateInterest()
    }

    /// Writes what waits, in order, until the socket takes no more.
    private func writeUnwritten() {
        while isOpen, var first = unwritten.first {
            switch SocketIO.write(fd, first) {
            case .wrote(let count):
                unwrittenBytes -= count
                if count == first.readableBytes {
                    unwritten.removeFirst()
                } else {
                    first.moveReaderIndex(forwardBy: count)
                    unwritten[unwritten.startIndex] = first
                    return finishWriting()
                }
            case .wouldBlock:
                return finishWriting()
            case .failed(let error):
                return fail("write", errno: error)
            }
        }
        finishWriting()
    }

    private func finishWriting() {
        guard isOpen else { return }
        if unwritten.isEmpty, closeWhenWritten { return close() }
        updateInterest()
        if !writable, unwrittenBytes < Self.lowWaterMark {
            writable = true
            connection.writabilityChanged()
        }
    }

    private func updateInterest() {
        guard isOpen else { return }
        var wanted: EpollEvents = []
        if reading { wanted.insert(.readable) }
        if !unwritten.isEmpty { wanted.insert(.writable) }
        guard wanted != watching else { return }
        do {
            try loop.change(fd, to: wanted)
            watching = wanted
        } catch {
            logger.debug("closing redis connection: cannot change its epoll interest", metadata: ["error": "\(error)", "peer": "\(peerDescription)"])
            close()
        }
    }

    private func fail(_ call: String, errno error: Int32) {
        // A peer that reset or vanished: the usual end of a connection, not worth a warning.
        logger.debug("closing redis connection after error", metadata: ["call": "\(call)", "errno": "\(error)", "peer": "\(peerDescription)"])
        close()
    }
}

/// The receive buffer every connection of one loop reads into in turn: refilled in place when
/// the last reader let go of it, so a read allocates nothing unless a connection kept part of
/// the bytes (an incomplete request, or a key a coordinated command still holds).
final class EpollReceiveBuffer {
    let allocator = ByteBufferAllocator()
    private var buffer: ByteBuffer?

    func take() -> ByteBuffer {
        guard var taken = buffer else { return allocator.buffer(capacity: EpollRESPSocket.readSize) }
        buffer = nil
        taken.clear()
        return taken
    }

    func giveBack(_ used: ByteBuffer) {
        buffer = used
    }
}
