import RingtailChecker
import Testing

/// Under clock skew, last-write-wins may keep a write that real time superseded: with
/// `lostUpdatesAreErrors: false` that is a counted lost update, but only when LWW explains it.
@Suite struct LostUpdateTests {
    /// b was acknowledged after a, yet a's clock ran ahead: every replica keeps a.
    static let skewed: [Step] = [.set("k", "a", 0...2, version: 9_000), .set("k", "b", 3...5, version: 4_000)]

    @Test func skewExplainedLossIsALostUpdateWhenThoseAreFigures() {
        let report = Checker.check(history: history(Self.skewed), finalState: ["k": everywhere("a")], lostUpdatesAreErrors: false)
        #expect(report.isValid, "\(report.violations)")
        #expect(report.lostWrites.isEmpty)
        #expect(report.lostUpdates.count == 3)
        #expect(report.lostUpdateKeys == 1)
    }

    @Test func theSameLossIsALostWriteByDefault() {
        let report = Checker.check(history: history(Self.skewed), finalState: ["k": everywhere("a")])
        #expect(!report.isValid)
        #expect(report.lostWrites.count == 3)
        #expect(report.lostUpdates.isEmpty)
    }

    @Test func losingAHigherAcknowledgedVersionIsStillALostWrite() {
        let steps: [Step] = [.set("k", "a", 0...2, version: 4_000), .set("k", "b", 3...5, version: 9_000)]
        let report = Checker.check(history: history(steps), finalState: ["k": everywhere("a")], lostUpdatesAreErrors: false)
        #expect(!report.isValid)
        #expect(report.lostWrites.count == 3)
        #expect(report.lostUpdates.isEmpty)
    }

    @Test func divergentReplicasAreNotExcused() {
        let report = Checker.check(history: history(Self.skewed), finalState: ["k": ["a": "a", "b": "b", "c": "b"]],
                                   lostUpdatesAreErrors: false)
        #expect(!report.isValid)
        #expect(report.lostWrites.count == 1)
        #expect(report.divergences.count == 1)
    }

    @Test func nothingLeftIsExcusedOnlyWhenADeleteMayHaveWon() {
        let withDelete: [Step] = [.delete("k", 0...2), .set("k", "a", 3...5, version: 4_000)]
        let excused = Checker.check(history: history(withDelete), finalState: ["k": everywhere(nil)], lostUpdatesAreErrors: false)
        #expect(excused.isValid, "\(excused.violations)")
        #expect(excused.lostUpdates.count == 3)

        let withoutDelete: [Step] = [.set("k", "a", 0...2, version: 4_000)]
        let lost = Checker.check(history: history(withoutDelete), finalState: ["k": everywhere(nil)], lostUpdatesAreErrors: false)
        #expect(!lost.isValid)
        #expect(lost.lostWrites.count == 3)
        #expect(lost.lostUpdates.isEmpty)
    }
}
