import NIOCore
import RingtailClient
import RingtailModel
import Synchronization

/// One reusable client connection per peer address.
final class PeerPool: Sendable {
    private let clients = Mutex<[String: RingtailClient]>([:])
    private let group: any EventLoopGroup
    private let requestTimeout: Duration

    init(group: any EventLoopGroup, requestTimeoutMillis: UInt64) {
        self.group = group
        self.requestTimeout = .milliseconds(Int64(requestTimeoutMillis))
    }

    /// The client for `address`, created on first use; nil when the address is malformed.
    func client(for address: String) -> RingtailClient? {
        if let existing = clients.withLock({ $0[address] }) { return existing }
        guard let parsed = HostAndPort(address) else { return nil }
        let fresh = RingtailClient(address: parsed, requestTimeout: requestTimeout, connectTimeout: requestTimeout, group: group)
        return clients.withLock { current in
            if let existing = current[address] { return existing }
            current[address] = fresh
            return fresh
        }
    }

    func closeAll() async {
        let all = clients.withLock { current in
            defer { current.removeAll() }
            return Array(current.values)
        }
        for client in all { await client.close() }
    }
}
