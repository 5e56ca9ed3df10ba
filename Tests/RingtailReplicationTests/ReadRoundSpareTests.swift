import RingtailModel
import RingtailReplication
import Testing

/// Reads that ask R replicas first and the others only when needed.
@Suite struct ReadRoundSpareTests {
    let a = Fixtures.a, b = Fixtures.b, c = Fixtures.c, d = NodeID("d")
    static let now: UInt64 = 1000

    static func value(_ millis: UInt64, _ payload: String) -> ReadReply<String> {
        .value(version: Fixtures.v(millis), expiresAtMillis: nil, payload: payload)
    }

    @Test func theFirstRAnswersDecideAndTheSpareIsNeverAsked() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, spares: [c])
        #expect(round.record(Self.value(5, "x"), from: a) == .pending)
        #expect(round.record(Self.value(5, "x"), from: b) == .won)
        #expect(round.takeTargetsToAsk().isEmpty)
        #expect(round.targets == [a, b])
        #expect(round.spares == [c])
        #expect(round.isComplete, "complete once every replica asked has answered")
        #expect(round.repairPlan(nowMillis: Self.now) == nil)
    }

    @Test func aFailureAsksTheSpareInsteadOfLosing() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, spares: [c])
        #expect(round.record(.failed(reason: "refused"), from: b) == .pending)
        #expect(round.takeTargetsToAsk() == [c])
        #expect(round.takeTargetsToAsk().isEmpty, "each added target is handed out once")
        #expect(round.record(.missing, from: a) == .pending)
        #expect(round.record(Self.value(7, "new"), from: c) == .won)
        #expect(round.resolution(nowMillis: Self.now) == .found(version: Fixtures.v(7), expiresAtMillis: nil, payload: "new"))
        // The asked replica that had nothing is repaired; the one that failed is not.
        #expect(round.repairPlan(nowMillis: Self.now)?.nodes == [a])
    }

    @Test func theRoundIsLostOnlyWhenTheSparesAreUsedUp() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, spares: [c])
        round.record(.failed(reason: "x"), from: a)
        #expect(round.takeTargetsToAsk() == [c])
        #expect(round.record(.failed(reason: "y"), from: c) == .lost)
        #expect(round.takeTargetsToAsk().isEmpty)
        #expect(round.error != nil)
    }

    @Test func aNotReadyTargetIsCoveredByASpareBeforeAStandIn() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, spares: [c])
        round.record(.missing, from: a)
        let (status, standIn) = round.recordNotReady(.missing, from: b, standIn: d)
        #expect(status == .pending)
        #expect(standIn == nil, "the spare replica is enough to reach R")
        #expect(round.takeTargetsToAsk() == [c])
        #expect(round.record(.missing, from: c) == .won)
    }

    @Test func whenSparesRunOutAStandInIsAdded() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, spares: [c])
        round.record(.failed(reason: "down"), from: a)
        #expect(round.takeTargetsToAsk() == [c])
        round.record(.missing, from: c)
        let (status, standIn) = round.recordNotReady(.missing, from: b, standIn: d)
        #expect(status == .pending)
        #expect(standIn == d)
        #expect(round.takeTargetsToAsk() == [d])
        #expect(round.record(.missing, from: d) == .won)
    }

    @Test func aSlowRoundAsksEverySpareAndTheFirstRWin() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, spares: [c])
        round.record(Self.value(3, "old"), from: a)
        #expect(round.askSpares() == 1)
        #expect(round.takeTargetsToAsk() == [c])
        #expect(round.askSpares() == 0)
        #expect(round.record(Self.value(4, "new"), from: c) == .won)
        #expect(round.resolution(nowMillis: Self.now) == .found(version: Fixtures.v(4), expiresAtMillis: nil, payload: "new"))
        #expect(!round.isComplete, "b was asked and has not answered")
        round.timeout()
        #expect(round.repairPlan(nowMillis: Self.now)?.nodes == [a])
    }

    @Test func aDecidedRoundAsksNoSpares() throws {
        var round = try ReadRound<String>(targets: [a], required: 1, spares: [b, c])
        round.record(.missing, from: a)
        #expect(round.askSpares() == 0)
        #expect(round.takeTargetsToAsk().isEmpty)
    }

    @Test func sparesThatAreTargetsOrRepeatedAreDropped() throws {
        let round = try ReadRound<String>(targets: [a, b], required: 2, spares: [b, c, c, a])
        #expect(round.spares == [c])
    }
}
