import Glibc
import NIOCore

/// One non-blocking read or write on a socket, as a watcher does per ready event, with the
/// outcome spelled out instead of a -1 and errno. EINTR is retried.
public enum SocketIO {
    public enum ReadResult: Sendable, Equatable {
        /// This many bytes (at least 1) were appended.
        case bytes(Int)
        /// Nothing to read now (EAGAIN).
        case wouldBlock
        /// The peer closed its sending side.
        case endOfStream
        case failed(Int32)
    }

    public enum WriteResult: Sendable, Equatable {
        /// This many bytes (maybe fewer than asked: the rest waits for writability).
        case wrote(Int)
        /// The socket's send buffer is full (EAGAIN).
        case wouldBlock
        case failed(Int32)
    }

    /// Reads at most `maxBytes` into the buffer's writable space, advancing its writer index.
    /// Reserve the space first: what is missing is reserved here, which may reallocate.
    public static func read(_ fd: Int32, into buffer: inout ByteBuffer, maxBytes: Int) -> ReadResult {
        precondition(maxBytes > 0, "a read of 0 bytes cannot tell data from the end of the stream")
        var error: Int32 = 0
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maxBytes) { space in
            var count: Int
            repeat {
                count = Glibc.read(fd, space.baseAddress, min(space.count, maxBytes))
            } while count < 0 && errno == EINTR
            if count < 0 { error = errno }
            return max(count, 0)
        }
        if error != 0 { return error == EAGAIN || error == EWOULDBLOCK ? .wouldBlock : .failed(error) }
        return count == 0 ? .endOfStream : .bytes(count)
    }

    /// Writes the readable bytes of `buffer`, leaving its reader index where it is. `send` with
    /// MSG_NOSIGNAL: a peer that closed gives EPIPE, never SIGPIPE.
    public static func write(_ fd: Int32, _ buffer: ByteBuffer) -> WriteResult {
        guard buffer.readableBytes > 0 else { return .wrote(0) }
        return buffer.withUnsafeReadableBytes { bytes in
            var count: Int
            repeat {
                count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            } while count < 0 && errno == EINTR
            guard count < 0 else { return .wrote(count) }
            let error = errno
            return error == EAGAIN || error == EWOULDBLOCK ? .wouldBlock : .failed(error)
        }
    }
}
