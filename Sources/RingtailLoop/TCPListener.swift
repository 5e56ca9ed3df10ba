import CEpoll
import Glibc
import NIOCore
import Synchronization

/// A connection `TCPListener.accept` took.
public struct AcceptedSocket: Sendable {
    /// Non-blocking, close-on-exec, TCP_NODELAY; the caller owns it.
    public let fd: Int32
    public let remoteAddress: SocketAddress?
    public let localAddress: SocketAddress?

    /// A connected descriptor and its addresses, as `accept` gives them (or a connection
    /// moving elsewhere).
    public init(fd: Int32, remoteAddress: SocketAddress?, localAddress: SocketAddress?) {
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
    }
}

/// What one `TCPListener.accept` found.
public enum AcceptResult: Sendable {
    case accepted(AcceptedSocket)
    /// No connection is waiting (EAGAIN).
    case none
    /// accept4's errno: ECONNABORTED (a connection gone before it was taken: try the next),
    /// or EMFILE, ENFILE, ENOBUFS, ENOMEM (out of resources: the connection stays waiting, so a
    /// level-triggered watcher should stop watching for a while rather than spin).
    case failed(Int32)
}

/// A non-blocking listening TCP socket, for watching on `EpollLoop`s (several loops may watch
/// it with `exclusive`). Sendable: `accept` may run on any thread, as the system call may.
public final class TCPListener: Sendable {
    public let fd: Int32
    /// Where it listens: with port 0 asked for, the port the system chose.
    public let localAddress: SocketAddress
    private let closed = Atomic<Bool>(false)

    /// Listens on the first address `host` resolves to that can be bound, IPv4 before IPv6
    /// ("localhost" binds 127.0.0.1 when it can), with SO_REUSEADDR so a restart is not refused
    /// while old connections linger in TIME_WAIT. Throws a `SocketError` naming the address.
    public init(host: String, port: Int, backlog: Int32 = 511) throws {
        let asked = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard (0...65535).contains(port) else { throw SocketError(call: "listen", address: asked, errno: EINVAL) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0 else {
            let code = resolved == EAI_SYSTEM ? errno : resolved
            let message = resolved == EAI_SYSTEM ? errnoDescription(code) : String(cString: gai_strerror(resolved))
            throw SocketError(call: "getaddrinfo", address: asked, code: code, message: message)
        }
        defer { freeaddrinfo(list) }
        var resolvedAddresses: [addrinfo] = []
        var node = list
        while let info = node {
            resolvedAddresses.append(info.pointee)
            node = info.pointee.ai_next
        }
        let candidates = resolvedAddresses.filter { $0.ai_family == AF_INET } + resolvedAddresses.filter { $0.ai_family != AF_INET }
        var lastError = SocketError(call: "getaddrinfo", address: asked, code: EAI_NONAME, message: "no address")
        for candidate in candidates {
            switch Self.listen(on: candidate, port: port, backlog: backlog) {
            case .success(let (fd, localAddress)):
                self.fd = fd
                self.localAddress = localAddress
                return
            case .failure(let error):
                lastError = error
            }
        }
        throw lastError
    }

    deinit {
        close()
    }

    /// A listening socket and where it listens, or why not.
    private static func listen(on info: addrinfo, port: Int, backlog: Int32) -> Result<(Int32, SocketAddress), SocketError> {
        let address = Self.describe(info, port: port)
        let flags = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        let fd = socket(info.ai_family, flags, 0)
        guard fd >= 0 else { return .failure(SocketError(call: "socket", address: address, errno: errno)) }
        func failure(_ call: String) -> Result<(Int32, SocketAddress), SocketError> {
            let error = SocketError(call: call, address: address, errno: errno)
            Glibc.close(fd)
            return .failure(error)
        }
        var one: Int32 = 1
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            return failure("setsockopt(SO_REUSEADDR)")
        }
        guard bind(fd, info.ai_addr, info.ai_addrlen) == 0 else { return failure("bind") }
        guard Glibc.listen(fd, backlog) == 0 else { return failure("listen") }
        guard let localAddress = SocketAddress.local(of: fd) else { return failure("getsockname") }
        return .success((fd, localAddress))
    }

    /// "127.0.0.1:6379", "[::1]:6379": the numeric address getaddrinfo gave, for messages.
    private static func describe(_ info: addrinfo, port: Int) -> String {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: info.ai_addr, count: Int(info.ai_addrlen))) }
        guard let address = SocketAddress(storage: storage), let ip = address.ipAddress else { return "?:\(port)" }
        return info.ai_family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Takes one waiting connection: accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC, then TCP_NODELAY
    /// (a reply is one write, so there is nothing for Nagle to coalesce).
    public func accept() -> AcceptResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        var accepted: Int32
        repeat {
            accepted = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cepoll_accept4(fd, $0, &length, flags) }
            }
        } while accepted < 0 && errno == EINTR
        guard accepted >= 0 else {
            let error = errno
            return error == EAGAIN || error == EWOULDBLOCK ? .none : .failed(error)
        }
        var one: Int32 = 1
        _ = setsockopt(accepted, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .accepted(AcceptedSocket(fd: accepted, remoteAddress: SocketAddress(storage: storage), localAddress: .local(of: accepted)))
    }

    /// Closes the socket (once; also on deinit). Unwatch it on every loop first.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(fd)
    }
}
