import RingtailMembership
import Testing

/// Prints the numbers quoted in docs/MEMBERSHIP.md: with the shipped `lan` settings, the
/// simulated time until every member sees a crashed node dead, and until every member sees a
/// newly joined node alive; median (and worst) over several seeds. Asserts loose bounds only.
@Suite struct MeasurementTests {
    static let seeds: [UInt64] = Array(1...9)

    static func median(_ values: [UInt64]) -> UInt64 { values.sorted()[values.count / 2] }

    /// Milliseconds until every other member sees one crashed member dead.
    static func detectionMillis(count: Int, seed: UInt64) -> UInt64? {
        let sim = ClusterSimulationTests.converged(count: count, seed: seed)
        sim.run(forMillis: 5000)
        sim.crash("n1")
        return sim.run(atMost: 120_000, stepMillis: 5) { sim.everyone(sees: ["n1"], as: .dead) }
    }

    /// Milliseconds from `join` until every member sees the newcomer alive.
    static func joinMillis(count: Int, seed: UInt64) -> UInt64? {
        let sim = ClusterSimulationTests.converged(count: count - 1, seed: seed)
        sim.run(forMillis: 5000)
        sim.addNode("late", joining: ["n0"])
        return sim.run(atMost: 60_000, stepMillis: 5) { sim.everyone(sees: ["late"], as: .alive) }
    }

    @Test(arguments: [5, 20])
    func detectionAndJoinTimes(count: Int) {
        var detections: [UInt64] = []
        var joins: [UInt64] = []
        for seed in Self.seeds {
            let detected = Self.detectionMillis(count: count, seed: seed)
            let joined = Self.joinMillis(count: count, seed: seed)
            #expect(detected != nil, "seed \(seed): crash of 1 of \(count) not detected everywhere in 120 s")
            #expect(joined != nil, "seed \(seed): join into \(count) did not reach everyone in 60 s")
            if let detected { detections.append(detected) }
            if let joined { joins.append(joined) }
        }
        guard !detections.isEmpty, !joins.isEmpty else { return }
        print("""
            [membership] lan, \(count) nodes, \(Self.seeds.count) seeds: \
            dead on every member median \(Self.median(detections)) ms (max \(detections.max()!)); \
            join seen by every member median \(Self.median(joins)) ms (max \(joins.max()!))
            """)
    }
}
