import RingtailChecker
import Testing

@Suite struct CheckerTests {
    /// Histories that must pass every invariant (stale reads included).
    static let passing: [Scenario] = [
        .init(name: "sequential writes, last one everywhere, fresh reads",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5), .get("k", "b", 6...7)],
              final: ["k": everywhere("b")]),
        .init(name: "concurrent writes: the first may win",
              steps: [.set("k", "a", 0...5), .set("k", "b", 1...4, client: 2)],
              final: ["k": everywhere("a")]),
        .init(name: "concurrent writes: the second may win",
              steps: [.set("k", "a", 0...5), .set("k", "b", 1...4, client: 2)],
              final: ["k": everywhere("b")]),
        .init(name: "a read overlapping a write may return the old value",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...9), .get("k", "a", 4...5)],
              final: ["k": everywhere("b")]),
        .init(name: "a read overlapping a write may return the new value",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...9), .get("k", "b", 4...5)],
              final: ["k": everywhere("b")]),
        .init(name: "a write of unknown outcome that landed late beats an earlier acknowledged one",
              steps: [.set("k", "a", 0...2, .unknown), .set("k", "b", 3...5)],
              final: ["k": everywhere("a")]),
        .init(name: "a write of unknown outcome that never landed",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5, .unknown)],
              final: ["k": everywhere("a")]),
        .init(name: "a read may return a write of unknown outcome",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5, .unknown), .get("k", "b", 6...7)],
              final: ["k": everywhere("b")]),
        .init(name: "an acknowledged delete last leaves nothing",
              steps: [.set("k", "a", 0...2), .delete("k", 3...5), .get("k", nil, 6...7)],
              final: ["k": everywhere(nil)]),
        .init(name: "a set concurrent with the last delete may survive it",
              steps: [.delete("k", 0...5), .set("k", "a", 1...4, client: 2)],
              final: ["k": everywhere("a")]),
        .init(name: "never written, never read: nothing anywhere",
              steps: [.get("k", nil, 0...1)],
              final: ["k": everywhere(nil)]),
        .init(name: "a failed write changes nothing",
              steps: [.set("k", "a", 0...2, .failed), .get("k", nil, 3...4)],
              final: ["k": everywhere(nil)]),
        .init(name: "unacknowledged reads are ignored",
              steps: [.set("k", "a", 0...2), .get("k", "zzz", 3...4, .unknown)],
              final: ["k": everywhere("a")]),
        .init(name: "keys are independent",
              steps: [.set("k", "a", 0...2), .set("j", "b", 0...2), .get("j", "b", 3...4)],
              final: ["k": everywhere("a"), "j": everywhere("b")]),
    ]

    @Test(arguments: passing)
    func passes(_ scenario: Scenario) {
        let report = Checker.check(history: history(scenario.steps), finalState: scenario.final, staleReadsAreErrors: true)
        #expect(report.isValid, "\(report.violations)")
        #expect(report.lostWrites.isEmpty && report.phantoms.isEmpty && report.divergences.isEmpty && report.staleReads.isEmpty)
    }

    /// Histories that must be caught, with the exact counts of each finding.
    static let failing: [Scenario] = [
        .init(name: "lost write: one replica keeps the older acknowledged value",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5)],
              final: ["k": ["a": "b", "b": "b", "c": "a"]], lost: 1, divergent: 1),
        .init(name: "lost write on every replica: converged, but to the wrong value",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5)],
              final: ["k": everywhere("a")], lost: 3),
        .init(name: "lost write: an acknowledged write vanished (replica empty)",
              steps: [.set("k", "a", 0...2)],
              final: ["k": ["a": "a", "b": nil, "c": "a"]], lost: 1, divergent: 1),
        .init(name: "lost delete: the last acknowledged delete left a value",
              steps: [.set("k", "a", 0...2), .delete("k", 3...5)],
              final: ["k": everywhere("a")], lost: 3),
        .init(name: "lost set after a delete: replicas hold nothing",
              steps: [.delete("k", 0...2), .set("k", "a", 3...5)],
              final: ["k": everywhere(nil)], lost: 3),
        .init(name: "stale read: older value after the newer write was acknowledged",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5), .get("k", "a", 6...7)],
              final: ["k": everywhere("b")], stale: 1),
        .init(name: "stale read: not found after an acknowledged write",
              steps: [.set("k", "a", 0...2), .get("k", nil, 3...4)],
              final: ["k": everywhere("a")], stale: 1),
        .init(name: "stale read: a value after an acknowledged delete",
              steps: [.set("k", "a", 0...2), .delete("k", 3...5), .get("k", "a", 6...7)],
              final: ["k": everywhere(nil)], stale: 1),
        .init(name: "phantom read: a value never written",
              steps: [.set("k", "a", 0...2), .get("k", "x", 3...4)],
              final: ["k": everywhere("a")], phantoms: 1),
        .init(name: "phantom read: a value written to another key",
              steps: [.set("k", "a", 0...2), .set("j", "b", 0...2), .get("k", "b", 3...4)],
              final: ["k": everywhere("a"), "j": everywhere("b")], phantoms: 1),
        .init(name: "phantom read: a value from the future",
              steps: [.get("k", "a", 0...1), .set("k", "a", 2...3)],
              final: ["k": everywhere("a")], phantoms: 1),
        .init(name: "phantom read: a value of a write that definitely failed",
              steps: [.set("k", "a", 0...2, .failed), .get("k", "a", 3...4)],
              final: ["k": everywhere(nil)], phantoms: 1),
        .init(name: "phantom on a replica",
              steps: [.set("k", "a", 0...2)],
              final: ["k": ["a": "a", "b": "a", "c": "x"]], phantoms: 1, divergent: 1),
        .init(name: "divergent replicas, each holding an allowed concurrent value",
              steps: [.set("k", "a", 0...5), .set("k", "b", 1...4, client: 2)],
              final: ["k": ["a": "a", "b": "b", "c": "a"]], divergent: 1),
        .init(name: "divergent replicas: an unknown write landed on one only",
              steps: [.set("k", "a", 0...2), .set("k", "b", 3...5, .unknown)],
              final: ["k": ["a": "a", "b": "b", "c": "a"]], divergent: 1),
    ]

    @Test(arguments: failing)
    func fails(_ scenario: Scenario) {
        let report = Checker.check(history: history(scenario.steps), finalState: scenario.final, staleReadsAreErrors: true)
        #expect(!report.isValid)
        #expect(report.lostWrites.count == scenario.lost, "\(report.lostWrites)")
        #expect(report.phantoms.count == scenario.phantoms, "\(report.phantoms)")
        #expect(report.divergences.count == scenario.divergent, "\(report.divergences)")
        #expect(report.staleReads.count == scenario.stale, "\(report.staleReads)")
    }

    @Test func staleReadsCountButPassUnlessTheyAreErrors() {
        let steps: [Step] = [.set("k", "a", 0...2), .set("k", "b", 3...5), .get("k", "a", 6...7)]
        let lenient = Checker.check(history: history(steps), finalState: ["k": everywhere("b")], staleReadsAreErrors: false)
        #expect(lenient.isValid)
        #expect(lenient.staleReads.count == 1)
        #expect(lenient.staleReads.first?.newerWrite == 1)
        let strict = Checker.check(history: history(steps), finalState: ["k": everywhere("b")], staleReadsAreErrors: true)
        #expect(!strict.isValid)
        #expect(strict.violations == ["1 stale reads"])
    }

    @Test func lostWriteNamesWhatWasAllowed() {
        let steps: [Step] = [.set("k", "a", 0...2), .set("k", "b", 3...9), .set("k", "c", 4...8, .unknown), .set("k", "d", 5...7, client: 2)]
        let report = Checker.check(history: history(steps), finalState: ["k": everywhere("a")])
        #expect(report.lostWrites.first?.allowed == ["b", "c", "d"])
    }

    @Test func keysWithWritesButNoFinalStateAreUnchecked() {
        let report = Checker.check(history: history([.set("k", "a", 0...2)]), finalState: [:])
        #expect(report.uncheckedKeys == ["k"])
        #expect(!report.isValid)
    }

    @Test func counts() {
        let steps: [Step] = [.set("k", "a", 0...2), .set("k", "b", 3...5, .unknown), .delete("j", 0...1, .failed), .get("k", "a", 3...4)]
        let report = Checker.check(history: history(steps), finalState: ["k": everywhere("a"), "j": everywhere(nil)])
        #expect(report.counts.operations == 4)
        #expect(report.counts.acknowledged == 2)
        #expect(report.counts.unknown == 1)
        #expect(report.counts.failed == 1)
        #expect(report.counts.reads == 1)
        #expect(report.counts.writes == 3)
        #expect(report.counts.keys == 2)
        #expect(report.counts.replicaCopies == 6)
    }
}
