import NIOCore

/// The socket under one Redis connection, as `RESPConnection` sees it: a SwiftNIO channel
/// (`RESPServerHandler`) or a descriptor on a hand-written epoll loop (`EpollRESPSocket`).
///
/// Every method is called on `eventLoop`.
protocol RESPTransport: AnyObject {
    /// The loop the connection lives on; coordinated replies complete on it.
    var eventLoop: any EventLoop { get }
    var allocator: ByteBufferAllocator { get }
    /// False while the socket holds more unwritten output than it should take.
    var isWritable: Bool { get }
    /// The client's address, for logs.
    var peerDescription: String { get }
    /// Writes `bytes`, after everything written before; closes once they are out when
    /// `thenClose` (an empty `bytes` then closes after what was written before).
    func write(_ bytes: ByteBuffer, thenClose: Bool)
    /// Asks for the next read after the connection held reads back.
    func resumeReading()
    /// Closes at once, dropping unwritten output.
    func close()
}

/// Closes a connection from any thread: what CLIENT KILL holds of another connection.
protocol RESPConnectionCloser: Sendable {
    /// Completes once the connection is closed (at once if it already was).
    func close() -> EventLoopFuture<Void>
}
