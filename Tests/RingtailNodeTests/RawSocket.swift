import Glibc
import NIOCore
import RingtailWire

/// A blocking TCP socket with a receive timeout: for sending bytes no well-behaved client
/// would send.
struct RawSocket {
    private var fd: Int32
    private var received = ByteBuffer()

    init(port: Int, timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TestFailure("connect() to port \(port) failed") }
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The next complete frame, or nil on timeout or close.
    mutating func receiveFrame() -> Frame? {
        let parser = FrameParser(maxFrameBytes: 1 << 24)
        while true {
            if case .frame(let frame)? = try? parser.parseStep(&received) { return frame }
            guard readMore() else { return nil }
        }
    }

    /// The next complete frame; throws on timeout or close.
    mutating func nextFrame() throws -> Frame {
        guard let frame = receiveFrame() else { throw TestFailure("no frame arrived before timeout or close") }
        return frame
    }

    /// True when the peer closes the connection before the timeout.
    mutating func receiveUntilClosed() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    /// Whatever arrives next (up to 64 KiB, once at least one byte is there), as text; throws on
    /// timeout or close.
    mutating func receiveText() throws -> String {
        if received.readableBytes == 0, !readMore() { throw TestFailure("nothing arrived before timeout or close") }
        // A reply may come in pieces: give the rest a moment.
        var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while Glibc.poll(&poll, 1, 100) > 0, readMore() {}
        return received.readString(length: received.readableBytes) ?? ""
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    private mutating func readMore() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        received.writeBytes(chunk[..<count])
        return true
    }
}
