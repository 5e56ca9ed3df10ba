import Logging
import RingtailMembership
import RingtailModel
import RingtailWire
import ServiceLifecycle
import Synchronization

/// The shell around the membership protocol: ticks it, feeds it gossip frames, and carries
/// out its directives. It decides nothing itself.
public final class MembershipService: Service, Sendable {
    private let state: ClusterState
    private let peers: PeerPool
    /// Pools whose replies count as signs of life of the peers they reach (replica traffic).
    private let evidence: [PeerPool]
    /// Frames peers sent this node's server (their replica requests, their gossip).
    private let served: PeerEvidence
    /// Gossip carries this node's newest flush, and brings the others'.
    private let flusher: NodeFlusher
    private let resolveAddress: @Sendable () async throws -> HostAndPort
    private let logger: Logger
    private let advertised = Mutex<String>("")

    /// `peers` carries gossip (and replica requests); `evidence` are the other pools to take
    /// liveness evidence from, `served` what this node's server received.
    init(
        state: ClusterState, peers: PeerPool, evidence: [PeerPool], served: PeerEvidence, flusher: NodeFlusher,
        address: @escaping @Sendable () async throws -> HostAndPort, logger: Logger
    ) {
        self.state = state
        self.peers = peers
        self.evidence = [peers] + evidence
        self.served = served
        self.flusher = flusher
        self.resolveAddress = address
        self.logger = logger
    }

    private var address: String { advertised.withLock { $0 } }

    public func run() async throws {
        // A member is known by its RPC address, so the protocol starts once the port is bound.
        let bound = try await resolveAddress()
        advertised.withLock { $0 = bound.description }
        state.start(address: bound)
        logger.notice("membership started", metadata: ["advertise": "\(bound)"])
        let seeds = state.configuration.seeds.map(\.description).filter { $0 != address }
        if !seeds.isEmpty {
            logger.notice("joining", metadata: ["seeds": "\(seeds.joined(separator: ","))"])
            execute(state.step { $0.join(seeds: seeds, now: MonotonicClock.nowMillis()) })
        }
        let period = state.configuration.membership.protocolPeriodMillis
        let tick = Duration.milliseconds(Int64(min(100, max(10, period / 10))))
        do {
            try await cancelWhenGracefulShutdown { [self] in
                while true {
                    try await Task.sleep(for: tick)
                    // Any frame a peer sent since a probe of it started answers the probe: a
                    // node busy with requests is alive even when the ack itself is late.
                    let heard = evidence.flatMap { $0.lastHeard() } + served.snapshot()
                    execute(state.step { swim in
                        for (address, millis) in heard { swim.heardTraffic(from: address, atMillis: millis) }
                        return swim.tick(now: MonotonicClock.nowMillis())
                    })
                }
            }
        } catch is CancellationError {}
        await leave()
    }

    /// Announces `left` to several members and waits briefly for the messages to go out.
    private func leave() async {
        let directives = state.step { $0.leave(now: MonotonicClock.nowMillis()) }
        logger.notice("leaving the cluster")
        await withTaskGroup(of: Void.self) { group in
            for directive in directives {
                guard case .send(let to, let message) = directive else { continue }
                group.addTask { [self] in await send(message, to: to) }
            }
        }
    }

    /// Handles a gossip frame from a peer.
    func receive(_ gossip: Gossip) {
        if let flushed = gossip.flushedThrough { flusher.learn(flushed.modelVersion) }
        guard let message = GossipCodec.decode(gossip) else {
            logger.warning("ignoring gossip this build cannot read", metadata: ["from": "\(gossip.fromAddress)", "kind": "\(gossip.kind)"])
            return
        }
        execute(state.step { $0.receive(message, from: gossip.fromAddress, now: MonotonicClock.nowMillis()) })
    }

    private func execute(_ directives: [SWIMDirective]) {
        for directive in directives {
            switch directive {
            case .send(let to, let message):
                sendNow(message, to: to)
            case .memberStatusChanged(let member, let from, let to):
                logger.notice("member \(to)", metadata: [
                    "member": "\(member.id)", "address": "\(member.address)",
                    "from": "\(from.map { "\($0)" } ?? "new")", "incarnation": "\(member.incarnation)",
                ])
            case .memberRemoved(let member):
                logger.info("member forgotten", metadata: ["member": "\(member.id)"])
            case .memberRefused(let update, let conflictsWith):
                logger.warning("refusing member whose node tag collides", metadata: [
                    "member": "\(update.id)", "conflictsWith": "\(conflictsWith)",
                ])
            }
        }
    }

    /// Sends without waiting or a task hop: a protocol step runs on an event loop (a received
    /// ping) or the tick, and the reply is of no interest beyond liveness.
    private func sendNow(_ message: SWIMMessage, to address: String) {
        guard let client = peers.client(for: address) else {
            logger.warning("gossip to a malformed address", metadata: ["address": "\(address)"])
            return
        }
        let logger = self.logger
        client.send(.gossip(encode(message))) { result in
            if case .failure(let error) = result {
                // Unreachable peers are the failure detector's business: it sees the missing ack.
                logger.trace("gossip not delivered", metadata: ["to": "\(address)", "error": "\(error)"])
            }
        }
    }

    private func encode(_ message: SWIMMessage) -> Gossip {
        var gossip = GossipCodec.encode(message, from: address)
        gossip.flushedThrough = flusher.flushedThrough.map(EntryVersion.init)
        return gossip
    }

    private func send(_ message: SWIMMessage, to address: String) async {
        guard let client = peers.client(for: address) else {
            logger.warning("gossip to a malformed address", metadata: ["address": "\(address)"])
            return
        }
        do {
            _ = try await client.send(.gossip(encode(message)))
        } catch {
            // Unreachable peers are the failure detector's business: it sees the missing ack.
            logger.trace("gossip not delivered", metadata: ["to": "\(address)", "error": "\(error)"])
        }
    }
}
