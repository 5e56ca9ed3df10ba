import Glibc
import NIOCore

/// A socket call failed for an address: which call, which address, and why, so a message says
/// e.g. "bind 127.0.0.1:6379: Address already in use (errno 98)".
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    /// "host:port" as asked for, or the address tried.
    public let address: String
    /// The errno, or getaddrinfo's EAI_ code when `call` is "getaddrinfo".
    public let code: Int32
    public let message: String

    init(call: String, address: String, errno code: Int32) {
        self.init(call: call, address: address, code: code, message: errnoDescription(code))
    }

    init(call: String, address: String, code: Int32, message: String) {
        self.call = call
        self.address = address
        self.code = code
        self.message = message
    }

    public var description: String {
        call == "getaddrinfo" ? "\(call) \(address): \(message) (\(code))" : "\(call) \(address): \(message) (errno \(code))"
    }
}

extension SocketAddress {
    /// The IPv4 or IPv6 address in `storage`; nil for another family.
    init?(storage: sockaddr_storage) {
        switch Int32(storage.ss_family) {
        case AF_INET:
            self.init(withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) })
        case AF_INET6:
            self.init(withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) })
        default:
            return nil
        }
    }

    /// The local address of socket `fd` (getsockname); nil if it has none the loop knows.
    static func local(of fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? SocketAddress(storage: storage) : nil
    }
}
