import Logging
import NIOCore
import RingtailModel
import RingtailReplication
import RingtailWire
import ServiceLifecycle
import Synchronization

/// Hinted handoff: writes meant for a replica that could not take them are kept here, bounded,
/// and delivered when that replica is reachable again.
public final class HintService: Service, Sendable {
    private let ledger: Mutex<HintLedger<StoredEntry>>
    private let cluster: ClusterState
    private let peers: PeerPool
    private let clock: any MillisecondClock
    private let logger: Logger
    private let deliveryIntervalMillis: UInt64

    init(cluster: ClusterState, peers: PeerPool, clock: any MillisecondClock, logger: Logger, deliveryIntervalMillis: UInt64 = 1000) {
        let configuration = cluster.configuration
        self.ledger = Mutex(HintLedger(settings: HintLedgerSettings(
            maxBytes: configuration.maxHintBytes,
            maxCount: configuration.maxHints,
            maxAgeMillis: configuration.maxHintAgeMillis
        )))
        self.cluster = cluster
        self.peers = peers
        self.clock = clock
        self.logger = logger
        self.deliveryIntervalMillis = deliveryIntervalMillis
    }

    /// Keeps `entry` for `owner` (the newest version per key wins).
    func add(_ entry: StoredEntry, for owner: NodeID) {
        guard let version = entry.version?.modelVersion else { return }
        let key = Array(entry.key.readableBytesView)
        let now = clock.nowMillis()
        let outcome = ledger.withLock {
            $0.add(
                owner: owner, key: key, version: version,
                expiresAtMillis: entry.expiresAtMillis == 0 ? nil : entry.expiresAtMillis,
                payloadBytes: entry.value.readableBytes, payload: entry, nowMillis: now
            )
        }
        if case .tooLarge = outcome {
            logger.warning("hint dropped: larger than the hint budget", metadata: ["owner": "\(owner)"])
        }
    }

    /// Drops the hints written at or below a flush's version (see `HintLedger.discard(through:)`).
    func discard(through version: Version) {
        let dropped = ledger.withLock { $0.discard(through: version) }
        if dropped > 0 { logger.info("hints dropped by a flush", metadata: ["dropped": "\(dropped)"]) }
    }

    public var statistics: (queued: Int, bytes: Int, delivered: Int, dropped: Int) {
        ledger.withLock { ($0.count, $0.bytes, $0.statistics.delivered, $0.statistics.droppedTotal) }
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [self] in
                while true {
                    try await Task.sleep(for: .milliseconds(Int64(deliveryIntervalMillis)))
                    await deliverDueHints()
                }
            }
        } catch is CancellationError {}
    }

    /// Sends every reachable owner a batch of its hints; acknowledged ones are forgotten.
    func deliverDueHints() async {
        let now = clock.nowMillis()
        let batches: [(NodeID, [Hint<StoredEntry>])] = ledger.withLock { ledger in
            _ = ledger.expire(nowMillis: now)
            return ledger.owners.compactMap { owner in
                guard cluster.isAlive(owner) else { return nil }
                return (owner, ledger.pending(for: owner, limit: 512, nowMillis: now))
            }
        }
        for (owner, hints) in batches {
            guard let address = cluster.address(of: owner), let client = peers.client(for: address) else { continue }
            var delivered = 0
            for hint in hints {
                do {
                    let frame = try await client.send(.replicaWriteRequest(ReplicaWriteRequest(entry: hint.payload)))
                    guard frame.messageType == .replicaWriteResponse else { break }
                    ledger.withLock { _ = $0.delivered(owner: owner, key: hint.key, version: hint.version) }
                    delivered += 1
                } catch {
                    break
                }
            }
            if delivered > 0 {
                logger.info("delivered hints", metadata: ["owner": "\(owner)", "count": "\(delivered)"])
            }
        }
    }
}
