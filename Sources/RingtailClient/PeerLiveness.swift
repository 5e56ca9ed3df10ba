import NIOCore
import Synchronization

/// When a connection of one client last received anything, in milliseconds of the monotonic
/// clock (CLOCK_MONOTONIC, as NIODeadline): a reply to a replica request proves the peer is
/// up as well as an ack does, and a busy peer sends many more of them.
public final class PeerLiveness: Sendable {
    private let lastMillis = Atomic<UInt64>(0)

    public init() {}

    /// 0 until the first frame arrives.
    public var lastHeardMillis: UInt64 { lastMillis.load(ordering: .relaxed) }

    func heard() {
        lastMillis.store(NIODeadline.now().uptimeNanoseconds / 1_000_000, ordering: .relaxed)
    }
}
