import NIOCore
import RingtailClient
import RingtailModel
import RingtailWire
import Synchronization

/// One reusable client connection per peer address.
final class PeerPool: Sendable {
    private let clients = Mutex<[String: RingtailClient]>([:])
    private let group: any EventLoopGroup
    private let requestTimeout: Duration
    private let handshake: (@Sendable () -> AnyMessage)?
    /// Bytes of every frame the pool's connections moved, when counted.
    let traffic: WireTraffic?

    /// `handshake` is sent first on every new connection (the cluster-secret proof).
    init(group: any EventLoopGroup, requestTimeoutMillis: UInt64, handshake: (@Sendable () -> AnyMessage)?, traffic: WireTraffic? = nil) {
        self.group = group
        self.requestTimeout = .milliseconds(Int64(requestTimeoutMillis))
        self.handshake = handshake
        self.traffic = traffic
    }

    /// The client for `address`, created on first use; nil when the address is malformed.
    func client(for address: String) -> RingtailClient? {
        if let existing = clients.withLock({ $0[address] }) { return existing }
        guard let parsed = HostAndPort(address) else { return nil }
        let fresh = RingtailClient(address: parsed, requestTimeout: requestTimeout, connectTimeout: requestTimeout, group: group, handshake: handshake, traffic: traffic)
        return clients.withLock { current in
            if let existing = current[address] { return existing }
            current[address] = fresh
            return fresh
        }
    }

    /// When each peer's connection last received a frame (monotonic milliseconds), for peers
    /// heard from at all: liveness evidence for the failure detector.
    func lastHeard() -> [(address: String, millis: UInt64)] {
        clients.withLock { current in
            current.compactMap { address, client in
                let millis = client.liveness.lastHeardMillis
                return millis == 0 ? nil : (address, millis)
            }
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
