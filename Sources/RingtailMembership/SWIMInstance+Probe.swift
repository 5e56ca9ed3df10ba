import RingtailModel

/// The failure detector: one probe per protocol period, round-robin over a shuffled list;
/// ping, then ping-req through `k` helpers, then suspicion, then death.
extension SWIMInstance {
    /// The probe in flight.
    struct Probe: Sendable {
        var target: String
        var address: String
        var sequence: UInt64
        var startedMillis: UInt64
        /// Set when the ping-reqs went out; the probe fails when it passes without an ack.
        var indirectDeadlineMillis: UInt64?
    }

    /// A ping this node sends on behalf of a prober (it received a ping-req).
    struct Relay: Sendable {
        var sequence: UInt64
        var requester: String
        var requesterSequence: UInt64
        var deadlineMillis: UInt64
    }

    mutating func advanceProbe(now: UInt64, into out: inout [SWIMDirective]) {
        if var current = probe {
            if current.indirectDeadlineMillis == nil, now >= current.startedMillis + settings.pingTimeoutMillis {
                sendPingReqs(for: current, into: &out)
                // Helpers get a full ping timeout even when this tick comes late (the process was
                // paused, say), so a slow local node does not blame a healthy target.
                current.indirectDeadlineMillis = max(
                    current.startedMillis + settings.protocolPeriodMillis,
                    now + settings.pingTimeoutMillis
                )
                probe = current
            } else if let deadline = current.indirectDeadlineMillis, now >= deadline {
                probe = nil
                probeFailed(current, now: now, into: &out)
            }
        }
        if probe == nil, now >= (nextProbeMillis ?? now) {
            nextProbeMillis = now + settings.protocolPeriodMillis
            startProbe(now: now, into: &out)
        }
    }

    private mutating func startProbe(now: UInt64, into out: inout [SWIMDirective]) {
        guard let index = nextProbeTarget() else { return }
        let member = list[index].member
        let sequence = takeSequence()
        probe = Probe(target: member.id.name, address: member.address, sequence: sequence, startedMillis: now)
        statistics.probesStarted += 1
        out.append(.send(to: member.address, message: .ping(sequence: sequence, gossip: piggyback(to: member.address))))
    }

    /// The next live member in the round-robin; the list is reshuffled after each full round so
    /// every member is probed once per round yet the order is unpredictable (SWIM §4.3).
    private mutating func nextProbeTarget() -> Int? {
        for _ in 0...probeOrder.count {
            if probeCursor >= probeOrder.count {
                probeOrder = list.entries.filter { $0.member.state.isLive }.map(\.member.id.name)
                for i in stride(from: probeOrder.count - 1, to: 0, by: -1) {
                    probeOrder.swapAt(i, randomInt(below: i + 1))
                }
                probeCursor = 0
                if probeOrder.isEmpty { return nil }
            }
            let name = probeOrder[probeCursor]
            probeCursor += 1
            if let index = list.index(named: name), list[index].member.state.isLive { return index }
        }
        return nil
    }

    /// Puts a newly live member at a random place in the rest of this round, so it is probed
    /// soon without every node probing it at the same moment.
    mutating func scheduleProbe(of name: String) {
        guard !probeOrder[probeCursor...].contains(name) else { return }
        let position = probeCursor + randomInt(below: probeOrder.count - probeCursor + 1)
        probeOrder.insert(name, at: position)
    }

    private mutating func sendPingReqs(for current: Probe, into out: inout [SWIMDirective]) {
        let helpers = randomEntries(count: settings.indirectProbeCount) {
            $0.member.state == .alive && $0.member.id.name != current.target
        }
        for index in helpers {
            let address = list[index].member.address
            let message = SWIMMessage.pingReq(
                sequence: current.sequence, target: current.address, gossip: piggyback(to: address))
            out.append(.send(to: address, message: message))
            statistics.pingReqsSent += 1
        }
    }

    private mutating func probeFailed(_ failed: Probe, now: UInt64, into out: inout [SWIMDirective]) {
        guard let index = list.index(named: failed.target), list[index].member.address == failed.address else { return }
        let member = list[index].member
        switch member.state {
        case .alive:
            statistics.suspicionsRaised += 1
            var update = member.update
            update.state = .suspect
            update.suspectedBy = myself.id
            transition(index, to: update, now: now, into: &out)
        case .suspect:
            var update = member.update
            update.suspectedBy = myself.id
            confirmSuspicion(index, update: update)
        case .dead, .left:
            break
        }
    }

    /// Counts an independent confirmation; a new one is gossiped so others shorten theirs too.
    mutating func confirmSuspicion(_ index: Int, update: MemberUpdate) {
        guard let by = update.suspectedBy, var suspicion = list[index].suspicion else { return }
        guard suspicion.confirm(by: by.name) else { return }
        list[index].suspicion = suspicion
        broadcasts.enqueue(update)
    }

    mutating func expireSuspicions(now: UInt64, into out: inout [SWIMDirective]) {
        for index in list.entries.indices {
            guard let suspicion = list[index].suspicion, now >= suspicion.deadlineMillis else { continue }
            var update = list[index].member.update
            update.state = .dead
            transition(index, to: update, now: now, into: &out)
        }
    }

    mutating func handleAck(sequence: UInt64, now: UInt64, into out: inout [SWIMDirective]) {
        if let current = probe, current.sequence == sequence {
            probe = nil
            if let index = list.index(named: current.target) {
                list[index].member.lastHeardMillis = now
            }
            return
        }
        if let position = relays.firstIndex(where: { $0.sequence == sequence }) {
            let relay = relays.remove(at: position)
            let gossip = piggyback(to: relay.requester)
            out.append(.send(to: relay.requester, message: .ack(sequence: relay.requesterSequence, gossip: gossip)))
        }
    }

    mutating func relayProbe(to target: String, for requester: String, sequence: UInt64, now: UInt64, into out: inout [SWIMDirective]) {
        let own = takeSequence()
        relays.append(Relay(
            sequence: own, requester: requester, requesterSequence: sequence,
            deadlineMillis: now + settings.pingTimeoutMillis))
        out.append(.send(to: target, message: .ping(sequence: own, gossip: piggyback(to: target))))
    }

    mutating func expireRelays(now: UInt64, into out: inout [SWIMDirective]) {
        var kept: [Relay] = []
        for relay in relays {
            if now >= relay.deadlineMillis {
                out.append(.send(to: relay.requester, message: .nack(sequence: relay.requesterSequence)))
            } else {
                kept.append(relay)
            }
        }
        relays = kept
    }
}
