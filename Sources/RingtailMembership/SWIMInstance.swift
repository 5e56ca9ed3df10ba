import RingtailModel

/// The membership protocol of one node: SWIM failure detection with Lifeguard's suspicion
/// timeouts, gossip piggybacked on probes, and memberlist's push-pull sync.
///
/// A value that does no I/O, reads no clock and owns its randomness: every event method takes
/// `now` (milliseconds) and returns the directives the shell must carry out. The shell calls
/// `tick(now:)` about every 100 ms and `receive(_:from:now:)` for each message, and otherwise
/// only executes directives, so simulations drive the very code that runs in production.
public struct SWIMInstance: Sendable {
    public let settings: SWIMSettings
    /// This node, as it describes itself to others.
    public internal(set) var myself: Member
    public internal(set) var statistics = SWIMStatistics()

    var list = MemberList()
    var broadcasts = BroadcastQueue()
    var random: any RandomNumberGenerator & Sendable

    // Probing (SWIMInstance+Probe.swift).
    var probe: Probe?
    var probeOrder: [String] = []
    var probeCursor = 0
    var nextProbeMillis: UInt64?
    var relays: [Relay] = []
    var nextSequence: UInt64 = 1

    // Joining and syncing (SWIMInstance+Gossip.swift).
    var seeds: [String] = []
    var nextJoinAttemptMillis: UInt64?
    var nextPushPullMillis: UInt64?
    var nextReconnectMillis: UInt64?
    var refusedNames: Set<String> = []

    /// - Parameters:
    ///   - incarnation: where to start; a restarted node may start at 0 and will climb above
    ///     whatever the cluster still remembers about it.
    ///   - random: the only source of randomness (probe order, helper and sync choice); seed it
    ///     for repeatable runs.
    public init(
        id: NodeID,
        address: String,
        weight: Double = 1,
        incarnation: UInt64 = 0,
        settings: SWIMSettings = .lan,
        random: some RandomNumberGenerator & Sendable
    ) {
        self.settings = settings
        self.myself = Member(id: id, address: address, state: .alive, incarnation: incarnation, weight: weight)
        self.random = random
        broadcasts.enqueue(myself.update)
    }

    // MARK: Queries

    /// Every known member including this node, dead and left ones too, sorted by name.
    public var members: [Member] {
        ([myself] + list.entries.map(\.member)).sorted { $0.id < $1.id }
    }

    /// Alive members including this node (unless it left), sorted by name. Suspects are not
    /// included; `members` has them.
    public var aliveMembers: [Member] {
        members.filter { $0.state == .alive }
    }

    public func member(named name: String) -> Member? {
        if name == myself.id.name { return myself }
        return list.index(named: name).map { list[$0].member }
    }

    /// Members that have been dead for at least `millis` by `now` (this node's clock): the
    /// cluster stops waiting for them and gives their partitions to others.
    public func dead(forAtLeast millis: UInt64, now: UInt64) -> Set<NodeID> {
        var out: Set<NodeID> = []
        for entry in list.entries where entry.member.state == .dead && now >= entry.stateChangedMillis &+ millis {
            out.insert(entry.member.id)
        }
        return out
    }

    /// True once `leave(now:)` was called.
    public var hasLeft: Bool { myself.state == .left }

    // MARK: Events

    /// Contacts the seeds with a full-state sync; their replies introduce this node and teach it
    /// the cluster. Retried every `joinRetryIntervalMillis` while no other live member is known.
    public mutating func join(seeds: [String], now: UInt64) -> [SWIMDirective] {
        self.seeds = seeds.filter { $0 != myself.address }
        var out: [SWIMDirective] = []
        contactSeeds(now: now, into: &out)
        return out
    }

    /// Announces a graceful departure: `left` goes straight to `leaveFanout` members and keeps
    /// spreading by gossip from there. After this the instance answers pings but starts nothing.
    public mutating func leave(now: UInt64) -> [SWIMDirective] {
        guard myself.state != .left else { return [] }
        let previous = myself.state
        myself.state = .left
        let announcement = myself.update
        broadcasts.enqueue(announcement)
        var out: [SWIMDirective] = [.memberStatusChanged(myself, from: previous, to: .left)]
        let targets = randomEntries(count: settings.leaveFanout) { $0.member.state.isLive }
        for index in targets {
            let member = list[index].member
            let gossip = piggyback(to: member.address)
            out.append(.send(to: member.address, message: .ping(sequence: takeSequence(), gossip: gossip)))
        }
        return out
    }

    /// Advances every timer to `now`: probe phases, suspicion timeouts, push-pull, reconnects,
    /// join retries and tombstone expiry.
    public mutating func tick(now: UInt64) -> [SWIMDirective] {
        guard myself.state != .left else { return [] }
        var out: [SWIMDirective] = []
        advanceProbe(now: now, into: &out)
        expireRelays(now: now, into: &out)
        expireSuspicions(now: now, into: &out)
        syncPeriodically(now: now, into: &out)
        expireTombstones(now: now, into: &out)
        return out
    }

    /// Handles one message; `address` is the sender's cluster address ("host:port" it listens
    /// on, carried in the frame), not the ephemeral port a connection came from.
    public mutating func receive(_ message: SWIMMessage, from address: String, now: UInt64) -> [SWIMDirective] {
        var out: [SWIMDirective] = []
        noteHeard(from: address, now: now)
        switch message {
        case .ping(let sequence, let gossip):
            merge(gossip, viaSync: false, now: now, into: &out)
            out.append(.send(to: address, message: .ack(sequence: sequence, gossip: piggyback(to: address))))
        case .pingReq(let sequence, let target, let gossip):
            merge(gossip, viaSync: false, now: now, into: &out)
            relayProbe(to: target, for: address, sequence: sequence, now: now, into: &out)
        case .ack(let sequence, let gossip):
            merge(gossip, viaSync: false, now: now, into: &out)
            handleAck(sequence: sequence, now: now, into: &out)
        case .nack(let sequence):
            if probe?.sequence == sequence { statistics.nacksReceived += 1 }
        case .sync(let members):
            merge(members, viaSync: true, now: now, into: &out)
            // Reply after merging, so a refutation triggered by the sync travels back at once.
            out.append(.send(to: address, message: .syncReply(members: fullState())))
        case .syncReply(let members):
            merge(members, viaSync: true, now: now, into: &out)
        }
        return out
    }

    // MARK: Helpers shared by the facets

    mutating func takeSequence() -> UInt64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    mutating func randomInt(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(random.next() % UInt64(bound))
    }

    /// Up to `count` distinct random entry indexes among those matching `filter`.
    mutating func randomEntries(count: Int, where filter: (MemberList.Entry) -> Bool) -> [Int] {
        var candidates = list.entries.indices.filter { filter(list[$0]) }
        var chosen: [Int] = []
        while chosen.count < count, !candidates.isEmpty {
            chosen.append(candidates.remove(at: randomInt(below: candidates.count)))
        }
        return chosen
    }

    /// `n` for timeouts and retransmissions: live members including this node.
    var clusterSize: Int { list.liveCount + 1 }

    mutating func noteHeard(from address: String, now: UInt64) {
        guard let index = list.index(atAddress: address) else { return }
        list[index].member.lastHeardMillis = now
    }
}
