import RingtailChecker
import Testing

/// A flush in the history is a delete of every key: what was written before it must be gone
/// everywhere, what was written while it ran may stay, and reads after it must not see older values.
@Suite struct FlushTests {
    @Test func valuesWrittenBeforeAFlushMustBeGoneAndLaterOnesStay() {
        let steps: [Step] = [.set("a", "a1", 0...2), .set("b", "b1", 0...2), .flush(3...5), .set("b", "b2", 6...8)]
        let valid = Checker.check(history: history(steps), finalState: ["a": everywhere(nil), "b": everywhere("b2")], staleReadsAreErrors: true)
        #expect(valid.isValid, "\(valid.violations)")
        #expect(valid.counts.keys == 2 && valid.counts.writes == 4)

        // A value from before the flush that came back (on one replica, or everywhere) is caught.
        let resurrected = Checker.check(history: history(steps), finalState: ["a": ["a": nil, "b": "a1", "c": nil], "b": everywhere("b2")])
        #expect(resurrected.lostWrites.count == 1 && resurrected.divergences.count == 1)
        let everywhereBack = Checker.check(history: history(steps), finalState: ["a": everywhere("a1"), "b": everywhere("b2")])
        #expect(everywhereBack.lostWrites.count == 3)
        // And the write after the flush must not be lost to it.
        let lostAfter = Checker.check(history: history(steps), finalState: ["a": everywhere(nil), "b": everywhere(nil)])
        #expect(lostAfter.lostWrites.count == 3)
    }

    @Test func aWriteConcurrentWithTheFlushMayGoEitherWay() {
        let steps: [Step] = [.set("k", "v", 2...6), .flush(3...5)]
        for final: String? in ["v", nil] {
            let report = Checker.check(history: history(steps), finalState: ["k": everywhere(final)])
            #expect(report.isValid, "final \(String(describing: final)): \(report.violations)")
        }
    }

    @Test func aReadAfterTheFlushMustNotSeeOlderValues() {
        let stale: [Step] = [.set("k", "v", 0...2), .flush(3...5), .get("k", "v", 6...7)]
        let report = Checker.check(history: history(stale), finalState: ["k": everywhere(nil)], staleReadsAreErrors: true)
        #expect(report.staleReads.count == 1 && report.staleReads.first?.newerWrite == 1)
        // While the flush runs, either answer is fine.
        let during: [Step] = [.set("k", "v", 0...2), .flush(3...6), .get("k", "v", 4...5), .get("k", nil, 4...5)]
        #expect(Checker.check(history: history(during), finalState: ["k": everywhere(nil)], staleReadsAreErrors: true).isValid)
    }

    @Test func aFlushOfUnknownOutcomeAllowsBoth() {
        let steps: [Step] = [.set("k", "v", 0...2), .flush(3...5, .unknown)]
        for final: String? in ["v", nil] {
            #expect(Checker.check(history: history(steps), finalState: ["k": everywhere(final)]).isValid)
        }
    }
}
