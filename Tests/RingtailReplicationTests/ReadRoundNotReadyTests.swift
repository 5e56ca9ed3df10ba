import RingtailModel
import RingtailReplication
import Testing

/// Answers of replicas still being filled: they inform the result but do not count toward R,
/// and a stand-in keeps R reachable.
@Suite struct ReadRoundNotReadyTests {
    let a = Fixtures.a, b = Fixtures.b, c = Fixtures.c, d = NodeID("d")
    static let now: UInt64 = 1000

    @Test func aFillingReplicaDoesNotCountButTheOthersSuffice() throws {
        var round = try ReadRound<String>(targets: [a, b, c], required: 2)
        let (status, standIn) = round.recordNotReady(.missing, from: c, standIn: d)
        #expect(status == .pending)
        #expect(standIn == nil, "a and b can still make R = 2")
        #expect(round.targets == [a, b, c])
        #expect(round.record(.value(version: Fixtures.v(5), expiresAtMillis: nil, payload: "x"), from: a) == .pending)
        #expect(round.record(.missing, from: b) == .won)
        #expect(round.answered == 2)
    }

    @Test func aStandInIsAddedWhenRWouldBeOutOfReach() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2)
        #expect(round.record(.missing, from: a) == .pending)
        let (status, standIn) = round.recordNotReady(.missing, from: b, standIn: c)
        #expect(status == .pending, "not lost: the stand-in may still answer")
        #expect(standIn == c)
        #expect(round.targets == [a, b, c])
        #expect(round.record(.value(version: Fixtures.v(3), expiresAtMillis: nil, payload: "old"), from: c) == .won)
        #expect(round.resolution(nowMillis: Self.now) == .found(version: Fixtures.v(3), expiresAtMillis: nil, payload: "old"))
    }

    @Test func withoutAStandInTheRoundIsLost() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2)
        round.record(.missing, from: a)
        let (status, standIn) = round.recordNotReady(.missing, from: b, standIn: nil)
        #expect(status == .lost)
        #expect(standIn == nil)
        #expect(round.error != nil)
    }

    @Test func aFillingReplicasNewerEntryStillWinsAndTheReadyOnesAreRepaired() throws {
        // The filling replica got the latest write (coordinators still send it writes).
        var round = try ReadRound<String>(targets: [a, b, c], required: 2)
        round.recordNotReady(.value(version: Fixtures.v(9), expiresAtMillis: nil, payload: "new"), from: c, standIn: nil)
        round.record(.value(version: Fixtures.v(5), expiresAtMillis: nil, payload: "old"), from: a)
        #expect(round.record(.value(version: Fixtures.v(9), expiresAtMillis: nil, payload: "new"), from: b) == .won)
        #expect(round.resolution(nowMillis: Self.now) == .found(version: Fixtures.v(9), expiresAtMillis: nil, payload: "new"))
        #expect(round.repairPlan(nowMillis: Self.now)?.nodes == [a])
        #expect(round.notReady == [c])
    }

    @Test func aFillingReplicaMissingTheKeyIsRepaired() throws {
        var round = try ReadRound<String>(targets: [a, b, c], required: 2)
        round.recordNotReady(.missing, from: c, standIn: nil)
        round.record(.value(version: Fixtures.v(5), expiresAtMillis: nil, payload: "v"), from: a)
        round.record(.value(version: Fixtures.v(5), expiresAtMillis: nil, payload: "v"), from: b)
        #expect(round.repairPlan(nowMillis: Self.now)?.nodes == [c])
    }

    @Test func aRepeatedOrStrangeNotReadyAnswerIsIgnored() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 1)
        round.record(.missing, from: a)
        let (_, standIn) = round.recordNotReady(.missing, from: a, standIn: c)
        #expect(standIn == nil)
        let stranger = round.recordNotReady(.missing, from: d, standIn: c)
        #expect(stranger.addedStandIn == nil)
        #expect(round.targets == [a, b])
    }

    @Test func aStandInAlreadyATargetIsNotAddedTwice() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2)
        round.record(.missing, from: a)
        let (status, standIn) = round.recordNotReady(.missing, from: b, standIn: a)
        #expect(standIn == nil)
        #expect(status == .lost)
    }
}

/// With `sufficient` complete answers (N − W + 1) in, a filling copy's answer counts toward R.
@Suite struct ReadRoundSufficientTests {
    let a = Fixtures.a, b = Fixtures.b, c = Fixtures.c
    static let now: UInt64 = 1000

    /// N = W = R = 2, b restarted empty: a's answer alone sees every acknowledged write.
    @Test(arguments: [true, false])
    func oneCompleteAnswerSufficesWhenItIntersectsEveryWriteQuorum(filledFirst: Bool) throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, sufficient: 1)
        let value = ReadReply<String>.value(version: Fixtures.v(7), expiresAtMillis: nil, payload: "acked")
        if filledFirst {
            #expect(round.recordNotReady(.missing, from: b, standIn: nil).status == .pending)
            #expect(round.record(value, from: a) == .won)
        } else {
            #expect(round.record(value, from: a) == .pending)
            #expect(round.recordNotReady(.missing, from: b, standIn: nil).status == .won)
        }
        #expect(round.resolution(nowMillis: Self.now) == .found(version: Fixtures.v(7), expiresAtMillis: nil, payload: "acked"))
    }

    /// N = 3, W = 2: one complete answer may miss a write acknowledged by the other two, so a
    /// filling copy's answer does not complete the quorum; a stand-in is asked instead.
    @Test func oneCompleteAnswerIsNotEnoughWhenWritesMayHaveMissedIt() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, sufficient: 2)
        #expect(round.record(.missing, from: a) == .pending)
        let (status, standIn) = round.recordNotReady(.missing, from: b, standIn: c)
        #expect(status == .pending)
        #expect(standIn == c)
        #expect(round.timeout() == .lost)
    }

    /// The filling copy that fails outright is a failure, not a provisional answer.
    @Test func aFailedFillingReplicaDoesNotHelp() throws {
        var round = try ReadRound<String>(targets: [a, b], required: 2, sufficient: 1)
        #expect(round.record(.missing, from: a) == .pending)
        #expect(round.recordNotReady(.failed(reason: "gone"), from: b, standIn: nil).status == .lost)
    }
}
