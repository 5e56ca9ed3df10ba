import Glibc
import NIOCore
import RingtailLoop
import Testing

@Suite(.timeLimit(.minutes(1)))
struct TCPListenerTests {
    @Test func acceptsARealClientAndEchoesThroughSocketIO() async throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let port = try #require(listener.localAddress.port)
        #expect(port != 0)
        #expect(listener.localAddress.ipAddress == "127.0.0.1")
        guard case .none = listener.accept() else { throw Failure("accepted before any client connected") }
        try await withLoop { loop in
            final class Server: @unchecked Sendable {  // loop thread only
                var accepted: AcceptedSocket?
                var noDelay: Int32 = 0
                var secondAccept = "not tried"
                var echoed = 0
            }
            let server = Server()
            let ended = loop.makePromise(of: Void.self)
            let echo = ClosureWatcher()
            let acceptor = ClosureWatcher { _ in
                guard case .accepted(let socket) = listener.accept() else { return }
                server.accepted = socket
                loop.unwatch(listener.fd)
                if case .none = listener.accept() { server.secondAccept = "none" }
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &server.noDelay, &length)
                echo.onReady = { _ in
                    var buffer = ByteBufferAllocator().buffer(capacity: 256)
                    switch SocketIO.read(socket.fd, into: &buffer, maxBytes: 256) {
                    case .bytes(let count):
                        server.echoed += count
                        _ = SocketIO.write(socket.fd, buffer)
                    case .wouldBlock:
                        break
                    case .endOfStream, .failed:
                        loop.unwatch(socket.fd)
                        close(socket.fd)
                        ended.succeed()
                    }
                }
                try? loop.watch(socket.fd, for: .readable, echo)
            }
            try await value(of: loop.submit { try loop.watch(listener.fd, for: .readable, exclusive: true, acceptor) })

            let client = try connectedClient(port: port)
            let clientPort = SocketAddress.localPort(of: client)
            #expect(send("PING\r\n", to: client) == 6)
            #expect(receive(6, from: client) == "PING\r\n")
            close(client)
            try await value(of: ended.futureResult)

            let seen = try await value(of: loop.submit {
                [server.accepted?.remoteAddress?.port, server.accepted?.localAddress?.port, server.echoed, Int(server.noDelay)]
            })
            #expect(seen == [clientPort, port, 6, 1])
            let observed = try await value(of: loop.submit { server.secondAccept })
            #expect(observed == "none")
        }
    }

    @Test func aPortInUseIsAnErrorNamingTheAddress() throws {
        let first = try TCPListener(host: "127.0.0.1", port: 0)
        defer { first.close() }
        let port = try #require(first.localAddress.port)
        let error = #expect(throws: SocketError.self) { try TCPListener(host: "127.0.0.1", port: port) }
        #expect(error?.code == EADDRINUSE)
        #expect(error?.call == "bind")
        #expect(error.map { "\($0)" }?.contains("127.0.0.1:\(port)") == true)
    }

    @Test func namesResolveIPv4First() throws {
        let localhost = try TCPListener(host: "localhost", port: 0)
        defer { localhost.close() }
        #expect(localhost.localAddress.ipAddress == "127.0.0.1")
        let any = try TCPListener(host: "0.0.0.0", port: 0)
        defer { any.close() }
        #expect(any.localAddress.port != 0)
        #expect(throws: SocketError.self) { try TCPListener(host: "127.0.0.1", port: 70000) }
        // IPv6 where the system has it.
        if let v6 = try? TCPListener(host: "::1", port: 0) {
            #expect(v6.localAddress.protocol == .inet6)
            v6.close()
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A blocking client socket connected to 127.0.0.1:`port`, whose reads give up after 2 s.
func connectedClient(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
    let result = address.withSockAddr { connect(fd, $0, socklen_t($1)) }
    guard result == 0 else {
        close(fd)
        throw Failure("connect: errno \(errno)")
    }
    return fd
}

/// Up to `count` bytes from a blocking socket, as text; fewer if it times out or ends.
func receive(_ count: Int, from fd: Int32) -> String {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: count)
    while bytes.count < count {
        let got = recv(fd, &chunk, count - bytes.count, 0)
        guard got > 0 else { break }
        bytes += chunk[..<got]
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension SocketAddress {
    static func localPort(of fd: Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
