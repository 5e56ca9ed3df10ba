import Synchronization

/// When each peer last sent this node's server a frame, by the peer's cluster address: the
/// requests a coordinator sends its replicas prove it is up, though it may answer pings late.
/// A server connection learns whose it is from the first gossip message on it (peers send
/// gossip and replica requests over the same connection).
public final class PeerEvidence: Sendable {
    private let heard = Mutex<[String: UInt64]>([:])

    public init() {}

    /// Records a read from `address` at `millis` (monotonic); once per socket read.
    func heard(from address: String, atMillis millis: UInt64) {
        heard.withLock { $0[address] = max($0[address] ?? 0, millis) }
    }

    func snapshot() -> [(address: String, millis: UInt64)] {
        heard.withLock { all in all.map { ($0.key, $0.value) } }
    }
}
