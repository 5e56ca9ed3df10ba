import Logging
import RingtailMembership
import RingtailModel
import RingtailWire
import ServiceLifecycle

/// The shell around the membership protocol: ticks it, feeds it gossip frames, and carries
/// out its directives. It decides nothing itself.
public final class MembershipService: Service, Sendable {
    private let state: ClusterState
    private let peers: PeerPool
    private let address: String
    private let logger: Logger

    init(state: ClusterState, peers: PeerPool, address: HostAndPort, logger: Logger) {
        self.state = state
        self.peers = peers
        self.address = address.description
        self.logger = logger
        state.start(address: address)
    }

    public func run() async throws {
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
                    execute(state.step { $0.tick(now: MonotonicClock.nowMillis()) })
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
                Task { await send(message, to: to) }
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

    private func send(_ message: SWIMMessage, to address: String) async {
        guard let client = peers.client(for: address) else {
            logger.warning("gossip to a malformed address", metadata: ["address": "\(address)"])
            return
        }
        do {
            _ = try await client.send(.gossip(GossipCodec.encode(message, from: self.address)))
        } catch {
            // Unreachable peers are the failure detector's business: it sees the missing ack.
            logger.trace("gossip not delivered", metadata: ["to": "\(address)", "error": "\(error)"])
        }
    }
}
