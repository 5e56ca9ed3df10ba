import RingtailMembership
import RingtailModel
import Testing

/// The instance driven by hand, one event at a time.
@Suite struct SWIMInstanceTests {
    static func instance(_ name: String, settings: SWIMSettings = .lan) -> SWIMInstance {
        SWIMInstance(id: NodeID(name), address: "\(name):7946", settings: settings, random: SplitMix64(seed: 7))
    }

    static func alive(_ name: String, _ incarnation: UInt64 = 0) -> MemberUpdate {
        MemberUpdate(id: NodeID(name), address: "\(name):7946", state: .alive, incarnation: incarnation)
    }

    static func update(_ name: String, _ state: MemberState, _ incarnation: UInt64, by: String? = nil) -> MemberUpdate {
        MemberUpdate(
            id: NodeID(name), address: "\(name):7946", state: state, incarnation: incarnation,
            suspectedBy: by.map(NodeID.init))
    }

    static func sends(_ directives: [SWIMDirective]) -> [(to: String, message: SWIMMessage)] {
        directives.compactMap { if case .send(let to, let message) = $0 { (to, message) } else { nil } }
    }

    static func gossip(of message: SWIMMessage) -> [MemberUpdate] {
        switch message {
        case .ping(_, let gossip), .pingReq(_, _, let gossip), .ack(_, let gossip): gossip
        case .sync(let members), .syncReply(let members): members
        case .nack: []
        }
    }

    /// An instance that already knows `others`, all alive at incarnation 0.
    static func knowing(_ others: [String], settings: SWIMSettings = .lan) -> SWIMInstance {
        var node = instance("a", settings: settings)
        _ = node.receive(.sync(members: others.map { alive($0) }), from: "b:7946", now: 0)
        return node
    }

    @Test(arguments: [
        // (update, over current, supersedes)
        (MemberState.alive, UInt64(2), MemberState.suspect, UInt64(1), true),
        (.alive, 1, .suspect, 1, false),
        (.alive, 1, .alive, 0, true),
        (.suspect, 1, .alive, 1, true),
        (.suspect, 1, .alive, 2, false),
        (.suspect, 1, .suspect, 1, false),
        (.dead, 1, .suspect, 1, true),
        (.dead, 1, .alive, 0, true),
        (.dead, 0, .alive, 1, false),
        (.left, 3, .dead, 3, true),
        (.alive, 4, .dead, 3, true),
        (.alive, 3, .dead, 3, false),
        (.alive, 4, .left, 3, true),
    ])
    func precedenceFollowsSWIM(state: MemberState, incarnation: UInt64, over current: MemberState, at currentIncarnation: UInt64, wins: Bool) {
        let update = MemberUpdate(id: NodeID("x"), address: "x:1", state: state, incarnation: incarnation)
        #expect(update.supersedes(incarnation: currentIncarnation, state: current) == wins)
    }

    @Test func joinSyncsWithEverySeedButItself() {
        var node = Self.instance("a")
        let sends = Self.sends(node.join(seeds: ["s1:7946", "a:7946", "s2:7946"], now: 0))
        #expect(sends.map(\.to) == ["s1:7946", "s2:7946"])
        for send in sends {
            guard case .sync(let members) = send.message else { Issue.record("expected sync"); continue }
            #expect(members == [Self.alive("a")])
        }
        // Nobody answered: the seeds are asked again after the retry interval.
        #expect(Self.sends(node.tick(now: SWIMSettings.lan.joinRetryIntervalMillis)).filter {
            if case .sync = $0.message { true } else { false }
        }.count >= 2)
    }

    @Test func syncReplyTeachesTheClusterAndAnnouncesNewMembers() {
        var node = Self.instance("a")
        let directives = node.receive(.syncReply(members: [Self.alive("b"), Self.alive("c", 3)]), from: "b:7946", now: 5)
        #expect(node.aliveMembers.map(\.id.name) == ["a", "b", "c"])
        #expect(node.member(named: "c")?.incarnation == 3)
        let announced = directives.compactMap { d -> String? in
            if case .memberStatusChanged(let m, nil, .alive) = d { m.id.name } else { nil }
        }
        #expect(announced == ["b", "c"])
    }

    @Test func suspicionOfItselfIsRefutedWithAHigherIncarnation() {
        var node = Self.knowing(["b"])
        let directives = node.receive(.ping(sequence: 9, gossip: [Self.update("a", .suspect, 0, by: "b")]), from: "b:7946", now: 10)
        #expect(node.myself.incarnation == 1)
        #expect(node.myself.state == .alive)
        guard case .ack(9, let gossip)? = Self.sends(directives).first?.message else {
            Issue.record("expected an ack")
            return
        }
        #expect(gossip.contains(Self.alive("a", 1)), "the refutation rides on the ack")
    }

    @Test func restartedNodeClimbsAboveTheIncarnationTheClusterRemembers() {
        var node = Self.instance("a")
        _ = node.receive(.syncReply(members: [Self.alive("b"), Self.update("a", .dead, 7)]), from: "b:7946", now: 0)
        #expect(node.myself.incarnation == 8)
        _ = node.receive(.ack(sequence: 1, gossip: [Self.alive("a", 11)]), from: "b:7946", now: 1)
        #expect(node.myself.incarnation == 12)
        // Old news about itself changes nothing.
        _ = node.receive(.ack(sequence: 2, gossip: [Self.update("a", .suspect, 3)]), from: "b:7946", now: 2)
        #expect(node.myself.incarnation == 12)
    }

    @Test func deadFromASyncIsOnlySuspectedButDeadFromGossipIsBelieved() {
        var node = Self.knowing(["b", "c"])
        _ = node.receive(.sync(members: [Self.update("b", .dead, 0)]), from: "c:7946", now: 1)
        #expect(node.member(named: "b")?.state == .suspect)
        _ = node.receive(.ping(sequence: 1, gossip: [Self.update("c", .dead, 0)]), from: "b:7946", now: 2)
        #expect(node.member(named: "c")?.state == .dead)
    }

    @Test func tombstonesOfUnknownMembersAreIgnored() {
        var node = Self.knowing(["b"])
        _ = node.receive(.ping(sequence: 1, gossip: [Self.update("ghost", .dead, 4), Self.update("gone", .left, 1)]), from: "b:7946", now: 1)
        #expect(node.member(named: "ghost") == nil)
        #expect(node.member(named: "gone") == nil)
    }

    @Test func memberWhoseTagCollidesIsRefusedOnce() {
        // Found by search: different names, same 32-bit tag.
        let first = NodeID("node-118607")
        let second = NodeID("node-182067")
        #expect(first.tag == second.tag)
        var node = Self.knowing(["node-118607"])
        let refusal = node.receive(.ping(sequence: 1, gossip: [Self.alive("node-182067")]), from: "b:7946", now: 1)
        #expect(refusal.contains(.memberRefused(Self.alive("node-182067"), conflictsWith: first)))
        #expect(node.member(named: "node-182067") == nil)
        let again = node.receive(.ping(sequence: 2, gossip: [Self.alive("node-182067")]), from: "b:7946", now: 2)
        #expect(!again.contains { if case .memberRefused = $0 { true } else { false } })
    }

    /// The probe cycle of one silent member: ping, ping-req to k helpers after the ping timeout,
    /// suspect at the end of the period, dead when the suspicion times out.
    @Test func silentMemberIsSuspectedThenDeclaredDead() {
        let settings = SWIMSettings.lan
        var node = Self.knowing(["b"], settings: settings)
        var now: UInt64 = 100
        let first = Self.sends(node.tick(now: now))
        #expect(first.count == 1)
        guard let ping = first.first, case .ping = ping.message, ping.to == "b:7946" else {
            Issue.record("expected a ping to b, got \(first)")
            return
        }
        now += settings.pingTimeoutMillis
        _ = node.tick(now: now)  // no helper exists in a two-node cluster; nothing to ask
        now = 100 + settings.protocolPeriodMillis
        let suspected = node.tick(now: now)
        #expect(node.member(named: "b")?.state == .suspect)
        #expect(suspected.contains { if case .memberStatusChanged(_, .alive, .suspect) = $0 { true } else { false } })
        // Two live members: nobody can confirm, so the shortest timeout applies.
        let timeout = settings.suspicionTimeoutRange(clusterSize: 2).min
        _ = node.tick(now: now + timeout - 1)
        #expect(node.member(named: "b")?.state == .suspect)
        _ = node.tick(now: now + timeout)
        #expect(node.member(named: "b")?.state == .dead)
    }

    @Test func pingReqHelperRelaysTheAckOrAnswersNack() {
        var helper = Self.knowing(["b", "c"])
        let asked = Self.sends(helper.receive(.pingReq(sequence: 42, target: "c:7946", gossip: []), from: "b:7946", now: 0))
        guard case .ping(let own, _)? = asked.first?.message, asked.first?.to == "c:7946" else {
            Issue.record("expected a ping to the target, got \(asked)")
            return
        }
        let relayed = Self.sends(helper.receive(.ack(sequence: own, gossip: []), from: "c:7946", now: 3))
        #expect(relayed.count == 1 && relayed[0].to == "b:7946")
        if case .ack(let sequence, _) = relayed.first?.message { #expect(sequence == 42) } else { Issue.record("no relayed ack") }

        _ = helper.receive(.pingReq(sequence: 43, target: "c:7946", gossip: []), from: "b:7946", now: 10)
        let late = Self.sends(helper.tick(now: 10 + SWIMSettings.lan.pingTimeoutMillis))
        #expect(late.contains { $0.to == "b:7946" && $0.message == .nack(sequence: 43) })
    }

    @Test func leaveTellsSeveralMembersAndThenStaysQuiet() {
        var node = Self.knowing(["b", "c", "d", "e"])
        let directives = node.leave(now: 1)
        let sends = Self.sends(directives)
        #expect(sends.count == SWIMSettings.lan.leaveFanout)
        #expect(sends.allSatisfy { Self.gossip(of: $0.message).first == Self.update("a", .left, 0) })
        #expect(node.hasLeft)
        #expect(node.tick(now: 10_000).isEmpty)
        // Being told it is suspect after leaving does not bring it back.
        _ = node.receive(.ping(sequence: 1, gossip: [Self.update("a", .suspect, 0)]), from: "b:7946", now: 2)
        #expect(node.myself.state == .left && node.myself.incarnation == 0)
    }

    @Test func aMemberNotThoughtAliveHearsOurViewOfItFirst() {
        var node = Self.knowing(["b", "c"])
        _ = node.receive(.ping(sequence: 1, gossip: [Self.update("c", .suspect, 0, by: "b")]), from: "b:7946", now: 1)
        let reply = Self.sends(node.receive(.ping(sequence: 5, gossip: []), from: "c:7946", now: 2))
        #expect(reply.first.map { Self.gossip(of: $0.message).first } == Self.update("c", .suspect, 0))
    }

    @Test func deadMembersAreReContactedAndForgottenAfterRetention() {
        var settings = SWIMSettings.lan
        settings.tombstoneRetentionMillis = 60_000
        var node = Self.knowing(["b"], settings: settings)
        _ = node.receive(.ack(sequence: 99, gossip: [Self.update("b", .dead, 0)]), from: "c:7946", now: 0)
        var contacted = false
        var now: UInt64 = 0
        while now < settings.reconnectIntervalMillis * 2 {
            now += 100
            contacted = contacted || Self.sends(node.tick(now: now)).contains {
                if case .sync = $0.message { $0.to == "b:7946" } else { false }
            }
        }
        #expect(contacted)
        let removed = node.tick(now: 60_000)
        #expect(removed.contains { if case .memberRemoved(let m) = $0 { m.id.name == "b" } else { false } })
        #expect(node.member(named: "b") == nil)
    }
}

@Suite struct SWIMSettingsTests {
    @Test func suspicionTimeoutsScaleWithLogN() {
        #expect(SWIMSettings.lan.suspicionTimeoutRange(clusterSize: 5) == (4000, 24000))
        #expect(SWIMSettings.lan.suspicionTimeoutRange(clusterSize: 10) == (4000, 24000))
        #expect(SWIMSettings.lan.suspicionTimeoutRange(clusterSize: 20) == (5204, 31224))
        #expect(SWIMSettings.lan.suspicionTimeoutRange(clusterSize: 100) == (8000, 48000))
    }

    @Test func retransmissionsScaleWithLogN() {
        #expect(SWIMSettings.lan.retransmitLimit(clusterSize: 1) == 4)
        #expect(SWIMSettings.lan.retransmitLimit(clusterSize: 5) == 4)
        #expect(SWIMSettings.lan.retransmitLimit(clusterSize: 20) == 8)
        #expect(SWIMSettings.lan.retransmitLimit(clusterSize: 200) == 12)
    }

    @Test func pushPullStretchesPast32Members() {
        #expect(SWIMSettings.lan.pushPullInterval(clusterSize: 32) == 30_000)
        #expect(SWIMSettings.lan.pushPullInterval(clusterSize: 64) == 60_000)
        #expect(SWIMSettings.lan.pushPullInterval(clusterSize: 100) == 90_000)
    }
}
