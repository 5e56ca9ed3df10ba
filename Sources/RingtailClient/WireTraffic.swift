import Synchronization

/// Bytes a client's connections moved, counted frame by frame as they are written and read
/// (length field, header and body): what the traffic cost on the wire above TCP. Shared by
/// every client that is handed the same instance.
public final class WireTraffic: Sendable {
    private let sent = Atomic<UInt64>(0)
    private let received = Atomic<UInt64>(0)

    public init() {}

    /// Bytes of the request frames written, handshakes included.
    public var bytesSent: UInt64 { sent.load(ordering: .relaxed) }
    /// Bytes of the response frames read.
    public var bytesReceived: UInt64 { received.load(ordering: .relaxed) }

    func countSent(_ bytes: Int) { sent.add(UInt64(bytes), ordering: .relaxed) }
    func countReceived(_ bytes: Int) { received.add(UInt64(bytes), ordering: .relaxed) }
}
