import RingtailModel

/// Dissemination: applying updates under SWIM's precedence, refuting gossip about this node,
/// piggybacking, and the full-state syncs behind joins, push-pull and reconnects.
extension SWIMInstance {
    mutating func merge(_ updates: [MemberUpdate], viaSync: Bool, now: UInt64, into out: inout [SWIMDirective]) {
        for update in updates {
            apply(update, viaSync: viaSync, now: now, into: &out)
        }
    }

    private mutating func apply(_ received: MemberUpdate, viaSync: Bool, now: UInt64, into out: inout [SWIMDirective]) {
        if received.id.name == myself.id.name {
            applyAboutMyself(received)
            return
        }
        guard let index = list.index(named: received.id.name) else {
            admit(received, now: now, into: &out)
            return
        }
        var update = received
        let current = list[index].member
        if viaSync, update.state == .dead, current.state.isLive {
            // Another node's verdict is not evidence we have: suspect instead, which lets the
            // member refute. A healed partition relies on this, since both sides must raise
            // their incarnations before either believes the other again (memberlist does this).
            update.state = .suspect
            update.suspectedBy = nil
        }
        if update.supersedes(incarnation: current.incarnation, state: current.state) {
            transition(index, to: update, now: now, into: &out)
        } else if update.state == .suspect, current.state == .suspect, update.incarnation == current.incarnation {
            confirmSuspicion(index, update: update)
        }
    }

    /// A restarted process starts low; gossip tells it what the cluster remembers, and it
    /// answers with a higher incarnation. Suspicion and death are refuted the same way.
    private mutating func applyAboutMyself(_ update: MemberUpdate) {
        guard myself.state != .left else { return }
        let contradicts: Bool
        switch update.state {
        case .alive:
            contradicts = update.incarnation > myself.incarnation
                || (update.incarnation == myself.incarnation
                    && (update.address != myself.address || update.weight != myself.weight))
        case .suspect, .dead, .left:
            contradicts = update.incarnation >= myself.incarnation
        }
        guard contradicts else { return }
        myself.incarnation = update.incarnation + 1
        statistics.refutations += 1
        broadcasts.enqueue(myself.update)
    }

    /// A member heard of for the first time. Tombstones of unknown members are ignored so that
    /// forgotten members are not resurrected by stale gossip.
    private mutating func admit(_ update: MemberUpdate, now: UInt64, into out: inout [SWIMDirective]) {
        guard update.state.isLive else { return }
        let clashing = update.id.tag == myself.id.tag ? myself.id.name : list.name(withTag: update.id.tag)
        if let clashing {
            if refusedNames.insert(update.id.name).inserted {
                out.append(.memberRefused(update, conflictsWith: NodeID(clashing)))
            }
            return
        }
        let member = Member(
            id: update.id, address: update.address, state: update.state,
            incarnation: update.incarnation, lastHeardMillis: now, weight: update.weight)
        var entry = MemberList.Entry(member: member, stateChangedMillis: now, suspicion: nil)
        if update.state == .suspect {
            entry.suspicion = makeSuspicion(now: now, by: update.suspectedBy)
        }
        list.append(entry)
        broadcasts.enqueue(update)
        scheduleProbe(of: update.id.name)
        out.append(.memberStatusChanged(member, from: nil, to: member.state))
    }

    /// Replaces what is known about the member at `index` with a superseding update and
    /// spreads it further.
    mutating func transition(_ index: Int, to update: MemberUpdate, now: UInt64, into out: inout [SWIMDirective]) {
        var entry = list[index]
        let old = entry.member
        entry.member.state = update.state
        entry.member.incarnation = update.incarnation
        entry.member.address = update.address
        entry.member.weight = update.weight
        if old.state != update.state { entry.stateChangedMillis = now }
        if update.state == .suspect {
            if old.state != .suspect || old.incarnation != update.incarnation {
                entry.suspicion = makeSuspicion(now: now, by: update.suspectedBy)
            }
        } else {
            entry.suspicion = nil
        }
        list[index] = entry
        broadcasts.enqueue(update)
        if update.state.isLive, !old.state.isLive { scheduleProbe(of: update.id.name) }
        if old.state != update.state || old.address != update.address || old.weight != update.weight {
            out.append(.memberStatusChanged(entry.member, from: old.state, to: update.state))
        }
    }

    private func makeSuspicion(now: UInt64, by suspecter: NodeID?) -> Suspicion {
        let size = clusterSize
        return Suspicion(
            startedMillis: now, by: suspecter?.name,
            range: settings.suspicionTimeoutRange(clusterSize: size),
            confirmationsWanted: settings.suspicionConfirmationsWanted(clusterSize: size))
    }

    /// Gossip for one message to `address`. A member we do not think alive hears our view of it
    /// first, whatever the queue holds, so it can refute even after the news stopped spreading.
    mutating func piggyback(to address: String) -> [MemberUpdate] {
        var first: MemberUpdate?
        if let index = list.index(atAddress: address), list[index].member.state != .alive {
            first = list[index].member.update
        }
        return broadcasts.take(
            max: settings.maxGossipPerMessage,
            limit: settings.retransmitLimit(clusterSize: clusterSize),
            first: first)
    }

    /// Everything this node knows, tombstones included, for a sync.
    func fullState() -> [MemberUpdate] {
        [myself.update] + list.entries.map(\.member.update)
    }

    mutating func contactSeeds(now: UInt64, into out: inout [SWIMDirective]) {
        guard !seeds.isEmpty else { return }
        nextJoinAttemptMillis = now + settings.joinRetryIntervalMillis
        let state = fullState()
        for seed in seeds {
            out.append(.send(to: seed, message: .sync(members: state)))
            statistics.syncsSent += 1
        }
    }

    /// Push-pull with a random live member, a sync with a random dead one, and seed retries
    /// while this node knows nobody alive. First deadlines are jittered so that nodes started
    /// together do not sync in lockstep.
    mutating func syncPeriodically(now: UInt64, into out: inout [SWIMDirective]) {
        let pushPull = settings.pushPullInterval(clusterSize: clusterSize)
        if nextPushPullMillis == nil { nextPushPullMillis = now + UInt64(randomInt(below: Int(pushPull) + 1)) }
        if let due = nextPushPullMillis, now >= due {
            nextPushPullMillis = now + pushPull
            if let index = randomEntries(count: 1, where: { $0.member.state == .alive }).first {
                out.append(.send(to: list[index].member.address, message: .sync(members: fullState())))
                statistics.syncsSent += 1
            }
        }

        let reconnect = settings.reconnectIntervalMillis
        if nextReconnectMillis == nil { nextReconnectMillis = now + UInt64(randomInt(below: Int(reconnect) + 1)) }
        if let due = nextReconnectMillis, now >= due {
            nextReconnectMillis = now + reconnect
            // Left members said goodbye; a restarted one comes back through a seed.
            if let index = randomEntries(count: 1, where: { $0.member.state == .dead }).first {
                out.append(.send(to: list[index].member.address, message: .sync(members: fullState())))
                statistics.syncsSent += 1
                statistics.reconnectAttempts += 1
            }
        }

        if let due = nextJoinAttemptMillis, now >= due {
            if list.entries.contains(where: { $0.member.state.isLive }) {
                nextJoinAttemptMillis = now + settings.joinRetryIntervalMillis
            } else {
                contactSeeds(now: now, into: &out)
            }
        }
    }

    mutating func expireTombstones(now: UInt64, into out: inout [SWIMDirective]) {
        var expired: Set<String> = []
        for entry in list.entries where !entry.member.state.isLive {
            if now >= entry.stateChangedMillis + settings.tombstoneRetentionMillis {
                expired.insert(entry.member.id.name)
                out.append(.memberRemoved(entry.member))
            }
        }
        list.remove(named: expired)
    }
}
