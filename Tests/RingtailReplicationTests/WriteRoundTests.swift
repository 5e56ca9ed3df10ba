import RingtailModel
import RingtailReplication
import Testing

/// One event fed to a round, and the status the round must report right after it.
enum WriteEvent: Sendable, CustomStringConvertible {
    case ok(String)
    case fail(String)
    case timeout

    var description: String {
        switch self {
        case .ok(let node): "\(node)+"
        case .fail(let node): "\(node)-"
        case .timeout: "T"
        }
    }
}

struct WriteScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var required: Int
    var steps: [(WriteEvent, QuorumStatus)]
    var acknowledged: Int
    var failed: Int
    var outstanding: Int
    /// The lost round's message, nil for a round that must not be lost.
    var error: String? = nil

    var testDescription: String { "W=\(required) \(name)" }
}

@Suite struct WriteRoundTests {
    /// N = 3: targets a, b, c.
    static let scenarios: [WriteScenario] = [
        // W = 1
        .init(name: "first success wins", required: 1, steps: [(.ok("a"), .won)],
              acknowledged: 1, failed: 0, outstanding: 2),
        .init(name: "two failures then a success", required: 1,
              steps: [(.fail("a"), .pending), (.fail("b"), .pending), (.ok("c"), .won)],
              acknowledged: 1, failed: 2, outstanding: 0),
        .init(name: "every replica fails", required: 1,
              steps: [(.fail("a"), .pending), (.fail("b"), .pending), (.fail("c"), .lost)],
              acknowledged: 0, failed: 3, outstanding: 0,
              error: "write quorum not reached: 0 of 1 required replicas acknowledged (3 contacted, 3 failed)"),
        .init(name: "timeout with no reply", required: 1, steps: [(.timeout, .lost)],
              acknowledged: 0, failed: 0, outstanding: 3,
              error: "write quorum not reached: 0 of 1 required replicas acknowledged (3 contacted, 0 failed, 3 timed out)"),
        .init(name: "timeout after a failure", required: 1, steps: [(.fail("b"), .pending), (.timeout, .lost)],
              acknowledged: 0, failed: 1, outstanding: 2,
              error: "write quorum not reached: 0 of 1 required replicas acknowledged (3 contacted, 1 failed, 2 timed out)"),

        // W = 2
        .init(name: "two successes", required: 2, steps: [(.ok("a"), .pending), (.ok("b"), .won)],
              acknowledged: 2, failed: 0, outstanding: 1),
        .init(name: "success, failure, success", required: 2,
              steps: [(.ok("a"), .pending), (.fail("b"), .pending), (.ok("c"), .won)],
              acknowledged: 2, failed: 1, outstanding: 0),
        .init(name: "lost early: two failures with one reply outstanding", required: 2,
              steps: [(.fail("a"), .pending), (.fail("b"), .lost)],
              acknowledged: 0, failed: 2, outstanding: 1,
              error: "write quorum not reached: 0 of 2 required replicas acknowledged (3 contacted, 2 failed)"),
        .init(name: "one success, two failures", required: 2,
              steps: [(.ok("a"), .pending), (.fail("b"), .pending), (.fail("c"), .lost)],
              acknowledged: 1, failed: 2, outstanding: 0,
              error: "write quorum not reached: 1 of 2 required replicas acknowledged (3 contacted, 2 failed)"),
        .init(name: "one success then timeout", required: 2, steps: [(.ok("c"), .pending), (.timeout, .lost)],
              acknowledged: 1, failed: 0, outstanding: 2,
              error: "write quorum not reached: 1 of 2 required replicas acknowledged (3 contacted, 0 failed, 2 timed out)"),
        .init(name: "a failure after winning changes nothing", required: 2,
              steps: [(.ok("a"), .pending), (.ok("b"), .won), (.fail("c"), .won)],
              acknowledged: 2, failed: 1, outstanding: 0),
        .init(name: "timeout after winning stays won", required: 2,
              steps: [(.ok("a"), .pending), (.ok("b"), .won), (.timeout, .won)],
              acknowledged: 2, failed: 0, outstanding: 1),
        .init(name: "duplicate and unknown replies are ignored", required: 2,
              steps: [(.ok("a"), .pending), (.ok("a"), .pending), (.ok("x"), .pending), (.fail("a"), .pending), (.ok("b"), .won)],
              acknowledged: 2, failed: 0, outstanding: 1),
        .init(name: "a success cannot undo an earlier failure of the same node", required: 2,
              steps: [(.fail("a"), .pending), (.ok("a"), .pending), (.ok("b"), .pending), (.ok("c"), .won)],
              acknowledged: 2, failed: 1, outstanding: 0),

        // W = 3
        .init(name: "all three succeed", required: 3,
              steps: [(.ok("c"), .pending), (.ok("a"), .pending), (.ok("b"), .won)],
              acknowledged: 3, failed: 0, outstanding: 0),
        .init(name: "first failure loses", required: 3, steps: [(.fail("a"), .lost)],
              acknowledged: 0, failed: 1, outstanding: 2,
              error: "write quorum not reached: 0 of 3 required replicas acknowledged (3 contacted, 1 failed)"),
        .init(name: "last failure loses", required: 3,
              steps: [(.ok("a"), .pending), (.ok("b"), .pending), (.fail("c"), .lost)],
              acknowledged: 2, failed: 1, outstanding: 0,
              error: "write quorum not reached: 2 of 3 required replicas acknowledged (3 contacted, 1 failed)"),
        .init(name: "timeout one short", required: 3,
              steps: [(.ok("a"), .pending), (.ok("b"), .pending), (.timeout, .lost)],
              acknowledged: 2, failed: 0, outstanding: 1,
              error: "write quorum not reached: 2 of 3 required replicas acknowledged (3 contacted, 0 failed, 1 timed out)"),
        .init(name: "late successes after a timeout keep it lost, message as reported", required: 3,
              steps: [(.ok("a"), .pending), (.timeout, .lost), (.ok("b"), .lost), (.ok("c"), .lost)],
              acknowledged: 3, failed: 0, outstanding: 0,
              error: "write quorum not reached: 1 of 3 required replicas acknowledged (3 contacted, 0 failed, 2 timed out)"),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: WriteScenario) throws {
        var round = try WriteRound(targets: Fixtures.abc, required: scenario.required)
        #expect(round.status == .pending)
        for (index, (event, expected)) in scenario.steps.enumerated() {
            let status: QuorumStatus
            switch event {
            case .ok(let node): status = round.record(.success, from: NodeID(node))
            case .fail(let node): status = round.record(.failure(reason: "disk on fire"), from: NodeID(node))
            case .timeout: status = round.timeout()
            }
            #expect(status == expected, "step \(index) \(event)")
            #expect(round.status == status)
        }
        #expect(round.acknowledged == scenario.acknowledged)
        #expect(round.failed == scenario.failed)
        #expect(round.outstanding == scenario.outstanding)
        #expect(round.failures.allSatisfy { $0.reason == "disk on fire" })
        #expect(round.error.map(String.init(describing:)) == scenario.error)
    }

    @Test(arguments: [
        (3, 0, "write quorum must be at least 1, got 0"),
        (3, -1, "write quorum must be at least 1, got -1"),
        (3, 4, "write quorum of 4 exceeds the 3 replicas available"),
        (1, 2, "write quorum of 2 exceeds the 1 replica available"),
        (0, 1, "write quorum of 1 exceeds the 0 replicas available"),
    ])
    func invalidQuorumIsRefused(targets: Int, required: Int, message: String) {
        let nodes = Array(Fixtures.abc.prefix(targets))
        #expect(throws: QuorumError.quorumOutOfRange(.write, required: required, replicas: targets)) {
            try WriteRound(targets: nodes, required: required)
        }
        let error = QuorumError.quorumOutOfRange(.write, required: required, replicas: targets)
        #expect(error.description == message)
    }

    @Test(arguments: [1, 2, 3])
    func validQuorumIsAccepted(required: Int) throws {
        let round = try WriteRound(targets: Fixtures.abc, required: required)
        #expect(round.required == required)
        #expect(round.outstanding == 3)
    }

    /// A node listed twice is contacted once, so it counts once.
    @Test func repeatedTargetsCountOnce() throws {
        #expect(throws: QuorumError.quorumOutOfRange(.write, required: 3, replicas: 2)) {
            try WriteRound(targets: [Fixtures.a, Fixtures.b, Fixtures.a], required: 3)
        }
        var round = try WriteRound(targets: [Fixtures.a, Fixtures.b, Fixtures.a], required: 2)
        #expect(round.targets == [Fixtures.a, Fixtures.b])
        round.record(.success, from: Fixtures.a)
        #expect(round.record(.success, from: Fixtures.a) == .pending)
        #expect(round.record(.success, from: Fixtures.b) == .won)
        #expect(round.isComplete)
    }

    /// Answers are tracked by target position, a bitmask for the first 64: beyond it too, a
    /// second answer from the same node changes nothing.
    @Test func roundsWiderThanSixtyFourTargetsCountEveryAnswerOnce() throws {
        let nodes = (0..<70).map { NodeID("node-\($0)") }
        var round = try WriteRound(targets: nodes, required: 70)
        for node in nodes.dropLast() {
            #expect(round.record(.success, from: node) == .pending)
            #expect(round.record(.success, from: node) == .pending, "a repeat")
        }
        #expect(round.acknowledged == 69)
        #expect(round.outstanding == 1)
        #expect(round.unanswered == [nodes[69]], "past the bitmask too")
        #expect(round.record(.success, from: nodes[69]) == .won)
        #expect(round.isComplete)
        #expect(round.record(.success, from: NodeID("stranger")) == .won)
        #expect(round.acknowledged == 70)
    }

    /// The coordinator hands the writes of failed and silent replicas to hinted handoff: the
    /// silent ones are the targets without an answer, in target order, whatever the arrivals.
    @Test func unansweredAreTheSilentTargetsInOrder() throws {
        var round = try WriteRound(targets: [Fixtures.a, Fixtures.b, Fixtures.c], required: 1)
        #expect(round.unanswered == [Fixtures.a, Fixtures.b, Fixtures.c])
        round.record(.success, from: Fixtures.b)
        round.record(.failure(reason: "full"), from: Fixtures.a)
        round.record(.success, from: NodeID("stranger"))
        #expect(round.unanswered == [Fixtures.c])
        round.timeout()
        #expect(round.unanswered == [Fixtures.c])
        round.record(.success, from: Fixtures.c)
        #expect(round.unanswered.isEmpty && round.isComplete)
    }

    @Test func failuresKeepTheirReasonsInArrivalOrder() throws {
        var round = try WriteRound(targets: Fixtures.abc, required: 3)
        round.record(.failure(reason: "overloaded"), from: Fixtures.c)
        round.record(.failure(reason: "connection reset"), from: Fixtures.a)
        #expect(round.failures == [
            ReplicaFailure(node: Fixtures.c, reason: "overloaded"),
            ReplicaFailure(node: Fixtures.a, reason: "connection reset"),
        ])
        guard case .notReached(let shortfall)? = round.error else {
            Issue.record("expected a shortfall, got \(String(describing: round.error))")
            return
        }
        // Frozen at the first failure, which already made W = 3 impossible.
        #expect(shortfall.failures == [ReplicaFailure(node: Fixtures.c, reason: "overloaded")])
    }
}
