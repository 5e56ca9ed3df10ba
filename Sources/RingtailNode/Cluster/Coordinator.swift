import Logging
import NIOCore
import RingtailClient
import RingtailModel
import RingtailReplication
import RingtailWire

/// Coordinates client requests across the replicas of a key: the node that receives a
/// request sends it to the key's replicas in parallel and answers after W writes or R reads.
/// The decisions (quorum counting, read resolution, repair, sloppy-quorum placement) are the
/// pure types of RingtailReplication; this type only moves messages and delivers answers.
public final class Coordinator: Sendable {
    let local: LocalNode
    let cluster: ClusterState
    let peers: PeerPool
    let hints: HintService
    let counters: ClusterCounters
    let flusher: NodeFlusher
    let logger: Logger
    /// Hedge and timeout deadlines of every round, one timer per event loop.
    let sweepers: RoundSweepers

    init(local: LocalNode, cluster: ClusterState, peers: PeerPool, hints: HintService, counters: ClusterCounters, flusher: NodeFlusher, logger: Logger) {
        let timeout = cluster.configuration.replicaTimeoutMillis
        self.sweepers = RoundSweepers(hedgeMillis: cluster.configuration.effectiveReadHedgeMillis, timeoutMillis: timeout)
        self.local = local
        self.cluster = cluster
        self.peers = peers
        self.hints = hints
        self.counters = counters
        self.flusher = flusher
        self.logger = logger
    }

    /// True while this node is the only member that holds data: requests are then served
    /// locally and synchronously, with no replica round trips.
    public var isSolo: Bool { cluster.isAlone }

    /// The quorum for a request: the override or the node's default, capped at the number of
    /// replicas that can exist (a cluster smaller than N cannot hold N copies).
    func quorum(_ requested: UInt32?, default defaultValue: Int, kind: String) throws(OperationError) -> Int {
        let replicas = cluster.configuration.replicas
        let value = requested.map(Int.init) ?? defaultValue
        guard (1...replicas).contains(value) else {
            throw OperationError(.invalidArgument, "\(kind) quorum must be between 1 and N=\(replicas), got \(value)")
        }
        return min(value, max(1, cluster.effectiveReplicas))
    }

    /// The client of a peer, or nil when its address is unknown.
    func client(for node: NodeID) -> RingtailClient? {
        cluster.address(of: node).flatMap { peers.client(for: $0) }
    }

    func quorumError(_ error: QuorumError?) -> OperationError {
        counters.quorumFailures.add(1, ordering: .relaxed)
        let shortfall = error.map { "\($0)" } ?? "quorum not reached"
        // A node that has left counts no longer as a replica: alone, it has none at all. Say
        // why rather than report a quorum of zero.
        if cluster.hasLeft {
            return OperationError(.shuttingDown, "this node is shutting down; send requests to another member (\(shortfall))")
        }
        return OperationError(.quorumFailed, shortfall)
    }
}

/// The reply of a peer as what the coordinator needs, or why it failed.
enum PeerReply<Response: FramedMessage> {
    static func decode(_ result: Result<Frame, any Error>) -> Result<Response, OperationError> {
        switch result {
        case .failure(let error):
            return .failure(OperationError(.timeout, "\(error)"))
        case .success(let frame):
            var body = frame.body
            if frame.messageType == Response.messageType, let response = try? Response(decoding: &body) {
                return .success(response)
            }
            if frame.messageType == .errorResponse, let error = try? ErrorResponse(decoding: &body) {
                return .failure(OperationError(error.code, error.message))
            }
            return .failure(OperationError(.internalError, "unexpected reply of type \(frame.messageTypeRaw)"))
        }
    }
}
