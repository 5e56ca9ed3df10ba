import NIOCore
import RingtailCrypto
import RingtailModel
import RingtailWire

/// Proves and checks knowledge of the cluster secret on peer connections.
///
/// The opener sends `PeerHello` with its id, the time, a random nonce and a BLAKE2b MAC keyed
/// with (a hash of) the secret; the receiver accepts cluster messages on that connection only
/// after the MAC checks out and the time is within the allowed skew. The secret itself never
/// crosses the wire. Replays within the skew window are not prevented: the handshake keeps
/// strangers and misconfigured nodes out, it does not replace a secure network.
public struct PeerAuthenticator: Sendable {
    private let key: [UInt8]
    public let maxSkewMillis: UInt64

    public init(secret: [UInt8], maxSkewMillis: UInt64 = 5 * 60_000) {
        self.key = BLAKE2b.hash(secret, digestBytes: 32, key: Array("ringtail cluster secret".utf8))
        self.maxSkewMillis = maxSkewMillis
    }

    public func hello(from node: NodeID, nowMillis: UInt64) -> PeerHello {
        let nonce = BLAKE2b.randomBytes(16)
        return PeerHello(
            nodeId: node.name,
            timestampMillis: nowMillis,
            nonce: ByteBuffer(bytes: nonce),
            mac: ByteBuffer(bytes: mac(nodeID: node.name, timestamp: nowMillis, nonce: nonce))
        )
    }

    /// Nil when the hello is genuine and fresh; otherwise why it is refused.
    public func refusal(of hello: PeerHello, nowMillis: UInt64) -> String? {
        let skew = hello.timestampMillis > nowMillis ? hello.timestampMillis - nowMillis : nowMillis - hello.timestampMillis
        guard skew <= maxSkewMillis else {
            return "peer hello from '\(hello.nodeId)' is \(skew) ms off this node's clock (limit \(maxSkewMillis) ms)"
        }
        let expected = mac(nodeID: hello.nodeId, timestamp: hello.timestampMillis, nonce: Array(hello.nonce.readableBytesView))
        guard BLAKE2b.constantTimeEqual(expected, Array(hello.mac.readableBytesView)) else {
            return "peer '\(hello.nodeId)' does not know the cluster secret"
        }
        return nil
    }

    private func mac(nodeID: String, timestamp: UInt64, nonce: [UInt8]) -> [UInt8] {
        var message = Array(nodeID.utf8)
        message.append(0)
        withUnsafeBytes(of: timestamp.bigEndian) { message.append(contentsOf: $0) }
        message.append(contentsOf: nonce)
        return BLAKE2b.hash(message, digestBytes: 32, key: key)
    }
}
