import RingtailMembership
import Testing

/// Whole-cluster scenarios on the simulated network with the shipped `lan` settings (1 s
/// protocol period). Every expectation names its seed; rerun one by narrowing `arguments`.
@Suite struct ClusterSimulationTests {
    static let period = SWIMSettings.lan.protocolPeriodMillis

    /// A cluster started through one seed, converged, with no change recorded yet after.
    static func converged(count: Int, seed: UInt64) -> SimulatedNetwork {
        let sim = SimulatedNetwork(seed: seed)
        sim.startCluster(count: count)
        let took = sim.run(atMost: 60_000) { sim.converged }
        #expect(took != nil, "cluster of \(count) did not converge; \(sim.recentChanges())")
        return sim
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func fiveNodesJoiningOneSeedConverge(seed: UInt64) {
        let sim = SimulatedNetwork(seed: seed)
        sim.startCluster(count: 5)
        let took = sim.run(atMost: 30_000) { sim.converged }
        #expect(took != nil, "\(sim.recentChanges())")
        #expect(sim.changes.allSatisfy { $0.to == .alive }, "\(sim.recentChanges())")
    }

    @Test(arguments: [1, 2] as [UInt64])
    func twentyNodesJoiningOneSeedConverge(seed: UInt64) {
        let sim = SimulatedNetwork(seed: seed)
        sim.startCluster(count: 20)
        let took = sim.run(atMost: 60_000) { sim.converged }
        #expect(took != nil, "\(sim.recentChanges())")
        #expect(sim.changes.allSatisfy { $0.to == .alive }, "\(sim.recentChanges())")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func crashedNodeIsDeclaredDeadEverywhere(seed: UInt64) {
        let sim = Self.converged(count: 5, seed: seed)
        sim.crash("n3")
        let took = sim.run(atMost: 60_000) { sim.everyone(sees: ["n3"], as: .dead) }
        #expect(took != nil, "\(sim.recentChanges())")
        let others = sim.changes.filter { $0.member != "n3" && $0.to != .alive }
        #expect(others.isEmpty, "false suspicion of a healthy node: \(others); \(sim.recentChanges())")
    }

    /// A stop longer than it takes to be suspected but shorter than the suspicion timeout:
    /// the node refutes and is never declared dead.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func brieflyPausedNodeRefutesSuspicion(seed: UInt64) {
        let sim = Self.converged(count: 5, seed: seed)
        let before = sim.instance("n2").myself.incarnation
        sim.pause("n2")
        let suspected = sim.run(atMost: 20_000) {
            sim.nodes.contains { $0.instance.member(named: "n2")?.state == .suspect }
        }
        #expect(suspected != nil, "nobody suspected the paused node; \(sim.recentChanges())")
        sim.run(forMillis: Self.period)
        sim.resume("n2")
        let back = sim.run(atMost: 10_000) { sim.everyoneHasLatest("n2") }
        #expect(back != nil, "\(sim.recentChanges())")
        #expect(sim.instance("n2").myself.incarnation > before, "seed \(seed)")
        #expect(!sim.changes.contains { $0.member == "n2" && $0.to == .dead }, "\(sim.recentChanges())")
    }

    /// A stop longer than the suspicion timeout: declared dead, then back alive above its
    /// old incarnation once it runs again.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func longPausedNodeIsDeclaredDeadThenComesBack(seed: UInt64) {
        let sim = Self.converged(count: 5, seed: seed)
        let before = sim.instance("n2").myself.incarnation
        sim.pause("n2")
        let dead = sim.run(atMost: 120_000) { sim.everyone(sees: ["n2"], as: .dead) }
        #expect(dead != nil, "\(sim.recentChanges())")
        sim.run(forMillis: 5 * Self.period)
        sim.resume("n2")
        let back = sim.run(atMost: 30_000) { sim.converged }
        #expect(back != nil, "\(sim.recentChanges())")
        #expect(sim.instance("n2").myself.incarnation > before, "seed \(seed)")
    }

    /// Both sides declare each other dead; after the heal the cluster is all alive within a
    /// bound and then stays put.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func healedPartitionConvergesAndStopsFlapping(seed: UInt64) {
        let sim = Self.converged(count: 6, seed: seed)
        let left = ["n0", "n1", "n2"]
        let right = ["n3", "n4", "n5"]
        sim.partition([left, right])
        let split = sim.run(atMost: 120_000) {
            sim.everyone(sees: right, as: .dead, excluding: Set(right))
                && sim.everyone(sees: left, as: .dead, excluding: Set(left))
        }
        #expect(split != nil, "\(sim.recentChanges())")
        sim.run(forMillis: 30 * Self.period)
        sim.heal()
        let healed = sim.run(atMost: 90_000) { sim.converged }
        #expect(healed != nil, "not all alive 90 s after the heal; \(sim.recentChanges())")
        let settled = sim.changes.count
        sim.run(forMillis: 60 * Self.period)
        #expect(sim.changes.count == settled, "flapping after the heal; \(sim.recentChanges())")
        print("[membership] seed \(seed): partition healed in \(healed ?? 0) ms")
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func gracefulLeaveIsSeenAsLeftQuickly(seed: UInt64) {
        let sim = Self.converged(count: 5, seed: seed)
        sim.leave("n4")
        sim.crash("n4")  // the process exits right after announcing
        let took = sim.run(atMost: 3 * Self.period) { sim.everyone(sees: ["n4"], as: .left) }
        #expect(took != nil, "\(sim.recentChanges())")
        sim.run(forMillis: 30 * Self.period)
        #expect(sim.everyone(sees: ["n4"], as: .left), "\(sim.recentChanges())")
    }

    /// A restarted process (incarnation 0) under the same name learns what the cluster
    /// remembers of it and climbs above: both before anyone noticed the crash and after it
    /// was declared dead.
    @Test(arguments: [(1, false), (2, false), (1, true), (2, true)] as [(UInt64, Bool)])
    func restartedNodeRejoinsWithHigherIncarnation(seed: UInt64, afterDeath: Bool) {
        let sim = Self.converged(count: 5, seed: seed)
        // Give n3 a history: make it refute once so its remembered incarnation is above 0.
        sim.pause("n3")
        _ = sim.run(atMost: 20_000) { sim.nodes.contains { $0.instance.member(named: "n3")?.state == .suspect } }
        sim.resume("n3")
        _ = sim.run(atMost: 10_000) { sim.converged }
        let remembered = sim.instance("n0").member(named: "n3")?.incarnation ?? 0
        sim.crash("n3")
        if afterDeath {
            let dead = sim.run(atMost: 120_000) { sim.everyone(sees: ["n3"], as: .dead) }
            #expect(dead != nil, "\(sim.recentChanges())")
        } else {
            sim.run(forMillis: 200)
        }
        sim.restart("n3", joining: ["n1"])
        // Alive is not enough when the crash went unnoticed: everyone must hold the new incarnation.
        let back = sim.run(atMost: 20_000) { sim.converged && sim.everyoneHasLatest("n3") }
        #expect(back != nil, "\(sim.recentChanges())")
        let now = sim.instance("n3").myself.incarnation
        #expect(now > remembered, "seed \(seed): restarted at \(now), cluster remembered \(remembered)")
    }

    /// 5% of messages lost for ten simulated minutes: suspicions happen and are refuted, but
    /// nobody is declared dead.
    @Test(arguments: [1] as [UInt64])
    func fivePercentLossCausesNoFalseDeaths(seed: UInt64) {
        let sim = Self.converged(count: 20, seed: seed)
        sim.lossRate = 0.05
        sim.run(forMillis: 600_000)
        let deaths = sim.changes.filter { $0.to == .dead }
        #expect(deaths.isEmpty, "false deaths: \(deaths); \(sim.recentChanges())")
        sim.lossRate = 0
        let settled = sim.run(atMost: 30_000) { sim.converged }
        #expect(settled != nil, "\(sim.recentChanges())")
        let suspicions = sim.nodes.reduce(0) { $0 + $1.instance.statistics.suspicionsRaised }
        print("[membership] seed \(seed): 20 nodes, 5% loss, 600 s: \(suspicions) suspicions, \(deaths.count) deaths, \(sim.messagesSent) messages")
    }
}

extension ClusterSimulationTests {
    /// `dead(forAtLeast:now:)` names a crashed member only once it has been dead that long in
    /// the asking node's view, and forgets it again when it comes back.
    @Test func aMemberIsGoneOnlyAfterBeingDeadLongEnough() {
        let sim = Self.converged(count: 4, seed: 7)
        sim.crash("n3")
        let observer = sim.index(of: "n0")
        #expect(sim.run(atMost: 60_000) { sim.everyone(sees: ["n3"], as: .dead) } != nil, "\(sim.recentChanges())")
        let deadSince = sim.now
        #expect(sim.nodes[observer].instance.dead(forAtLeast: 30_000, now: sim.now).isEmpty)
        sim.run(forMillis: 31_000)
        #expect(sim.nodes[observer].instance.dead(forAtLeast: 30_000, now: sim.now).map(\.name) == ["n3"], "dead since \(deadSince), now \(sim.now)")
        #expect(sim.nodes[observer].instance.dead(forAtLeast: 120_000, now: sim.now).isEmpty)
        sim.restart("n3", joining: ["n0"])
        #expect(sim.run(atMost: 60_000) { sim.everyone(sees: ["n3"], as: .alive) } != nil, "\(sim.recentChanges())")
        #expect(sim.nodes[observer].instance.dead(forAtLeast: 30_000, now: sim.now).isEmpty)
    }
}
