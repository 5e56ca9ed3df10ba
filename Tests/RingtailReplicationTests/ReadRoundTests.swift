import RingtailModel
import RingtailReplication
import Testing

/// One event fed to a read round: a reply from a node, or the coordinator's timeout.
enum ReadEvent: Sendable, CustomStringConvertible {
    case reply(String, ReadReply<String>)
    case timeout

    var description: String {
        switch self {
        case .reply(let node, let reply): "\(node): \(reply)"
        case .timeout: "timeout"
        }
    }
}

struct ReadScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var required: Int
    var steps: [(ReadEvent, QuorumStatus)]
    /// What the client is told at `ReadRoundTests.now`, from every successful reply.
    var resolution: ReadResolution<String>
    /// Replicas to repair and what they had (nil: missing), in target order.
    var repair: [(String, Version?)] = []
    var error: String? = nil

    var testDescription: String { "R=\(required) \(name)" }
}

@Suite struct ReadRoundTests {
    static let now: UInt64 = 1000

    static func value(_ version: Version, _ payload: String, expires: UInt64? = nil) -> ReadReply<String> {
        .value(version: version, expiresAtMillis: expires, payload: payload)
    }

    static func tomb(_ version: Version) -> ReadReply<String> { .tombstone(version: version) }

    static func v(_ millis: UInt64, writer: UInt32 = 1) -> Version { Fixtures.v(millis, writer: writer) }

    /// N = 3: targets a, b, c; "now" is 1000.
    static let scenarios: [ReadScenario] = [
        // R = 1
        .init(name: "the first value answers", required: 1,
              steps: [(.reply("a", value(v(10), "x")), .won)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x")),
        .init(name: "missing is an answer: not found", required: 1,
              steps: [(.reply("b", .missing), .won)],
              resolution: .absent),
        .init(name: "a failure does not count", required: 1,
              steps: [(.reply("a", .failed(reason: "timeout")), .pending), (.reply("b", value(v(10), "x")), .won)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x")),
        .init(name: "every replica fails", required: 1,
              steps: [
                  (.reply("a", .failed(reason: "e")), .pending), (.reply("b", .failed(reason: "e")), .pending),
                  (.reply("c", .failed(reason: "e")), .lost),
              ],
              resolution: .absent,
              error: "read quorum not reached: 0 of 1 required replicas answered (3 contacted, 3 failed)"),
        .init(name: "a late newer reply makes the answering replica stale", required: 1,
              steps: [(.reply("a", value(v(10), "old")), .won), (.reply("b", value(v(20), "new")), .won)],
              resolution: .found(version: v(20), expiresAtMillis: nil, payload: "new"),
              repair: [("a", v(10))]),

        // R = 2
        .init(name: "newer value wins, older replica repaired", required: 2,
              steps: [(.reply("a", value(v(10), "old")), .pending), (.reply("b", value(v(20), "new")), .won)],
              resolution: .found(version: v(20), expiresAtMillis: nil, payload: "new"),
              repair: [("a", v(10))]),
        .init(name: "newer tombstone hides a value, value replica repaired", required: 2,
              steps: [(.reply("a", value(v(10), "x")), .pending), (.reply("b", tomb(v(20))), .won)],
              resolution: .deleted(version: v(20)),
              repair: [("a", v(10))]),
        .init(name: "newer value beats an older tombstone", required: 2,
              steps: [(.reply("a", tomb(v(10))), .pending), (.reply("b", value(v(20), "back")), .won)],
              resolution: .found(version: v(20), expiresAtMillis: nil, payload: "back"),
              repair: [("a", v(10))]),
        .init(name: "missing replica repaired with the value", required: 2,
              steps: [(.reply("a", .missing), .pending), (.reply("b", value(v(10), "x")), .won)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x"),
              repair: [("a", nil)]),
        .init(name: "missing replica repaired with a tombstone", required: 2,
              steps: [(.reply("a", tomb(v(10))), .pending), (.reply("c", .missing), .won)],
              resolution: .deleted(version: v(10)),
              repair: [("c", nil)]),
        .init(name: "all missing: absent, nothing to repair", required: 2,
              steps: [(.reply("a", .missing), .pending), (.reply("b", .missing), .won)],
              resolution: .absent),
        .init(name: "expired older value loses to a live newer one", required: 2,
              steps: [(.reply("a", value(v(10), "old", expires: 500)), .pending),
                      (.reply("b", value(v(20), "new", expires: 2000)), .won)],
              resolution: .found(version: v(20), expiresAtMillis: 2000, payload: "new"),
              repair: [("a", v(10))]),
        .init(name: "expiry exactly now counts as expired", required: 2,
              steps: [(.reply("a", value(v(20), "x", expires: 1000)), .pending), (.reply("b", value(v(20), "x", expires: 1000)), .won)],
              resolution: .expired(version: v(20))),
        .init(name: "same time: the higher writer tag wins", required: 2,
              steps: [(.reply("a", value(v(10, writer: 2), "by2")), .pending), (.reply("b", value(v(10, writer: 1), "by1")), .won)],
              resolution: .found(version: v(10, writer: 2), expiresAtMillis: nil, payload: "by2"),
              repair: [("b", v(10, writer: 1))]),
        .init(name: "same time, other arrival order: same winner", required: 2,
              steps: [(.reply("b", value(v(10, writer: 1), "by1")), .pending), (.reply("a", value(v(10, writer: 2), "by2")), .won)],
              resolution: .found(version: v(10, writer: 2), expiresAtMillis: nil, payload: "by2"),
              repair: [("b", v(10, writer: 1))]),
        .init(name: "one answer, two failures", required: 2,
              steps: [(.reply("a", value(v(10), "x")), .pending), (.reply("b", .failed(reason: "e")), .pending),
                      (.reply("c", .failed(reason: "e")), .lost)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x"),
              error: "read quorum not reached: 1 of 2 required replicas answered (3 contacted, 2 failed)"),
        .init(name: "timeout one short", required: 2,
              steps: [(.reply("a", value(v(10), "x")), .pending), (.timeout, .lost)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x"),
              error: "read quorum not reached: 1 of 2 required replicas answered (3 contacted, 0 failed, 2 timed out)"),
        .init(name: "a late older reply after winning is repaired", required: 2,
              steps: [(.reply("a", value(v(20), "x")), .pending), (.reply("b", value(v(20), "x")), .won),
                      (.reply("c", value(v(10), "old")), .won)],
              resolution: .found(version: v(20), expiresAtMillis: nil, payload: "x"),
              repair: [("c", v(10))]),
        .init(name: "duplicate reply ignored", required: 2,
              steps: [(.reply("a", value(v(10), "x")), .pending), (.reply("a", value(v(30), "dup")), .pending),
                      (.reply("z", value(v(40), "stranger")), .pending), (.reply("b", value(v(10), "x")), .won)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x")),

        // R = 3
        .init(name: "all agree: nothing to repair", required: 3,
              steps: [(.reply("a", value(v(10), "x")), .pending), (.reply("b", value(v(10), "x")), .pending),
                      (.reply("c", value(v(10), "x")), .won)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x")),
        .init(name: "one failure loses at once", required: 3,
              steps: [(.reply("a", value(v(10), "x")), .pending), (.reply("b", .failed(reason: "e")), .lost)],
              resolution: .found(version: v(10), expiresAtMillis: nil, payload: "x"),
              error: "read quorum not reached: 1 of 3 required replicas answered (3 contacted, 1 failed)"),
        .init(name: "expired newest: older value repaired, missing left alone", required: 3,
              steps: [(.reply("a", value(v(20), "gone", expires: 500)), .pending),
                      (.reply("b", value(v(10), "stale")), .pending), (.reply("c", .missing), .won)],
              resolution: .expired(version: v(20)),
              repair: [("b", v(10))]),
        .init(name: "tombstone newest of three, both others repaired", required: 3,
              steps: [(.reply("c", tomb(v(30))), .pending), (.reply("a", value(v(20), "x")), .pending),
                      (.reply("b", .missing), .won)],
              resolution: .deleted(version: v(30)),
              repair: [("a", v(20)), ("b", nil)]),
        .init(name: "late replies after a timeout still feed repair", required: 3,
              steps: [(.reply("a", value(v(20), "x")), .pending), (.reply("b", value(v(10), "old")), .pending),
                      (.timeout, .lost), (.reply("c", .missing), .lost)],
              resolution: .found(version: v(20), expiresAtMillis: nil, payload: "x"),
              repair: [("b", v(10)), ("c", nil)],
              error: "read quorum not reached: 2 of 3 required replicas answered (3 contacted, 0 failed, 1 timed out)"),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: ReadScenario) throws {
        var round = try ReadRound<String>(targets: Fixtures.abc, required: scenario.required)
        for (index, (event, expected)) in scenario.steps.enumerated() {
            let status: QuorumStatus
            switch event {
            case .reply(let node, let reply): status = round.record(reply, from: NodeID(node))
            case .timeout: status = round.timeout()
            }
            #expect(status == expected, "step \(index) \(event)")
        }
        #expect(round.resolution(nowMillis: Self.now) == scenario.resolution)
        #expect(round.error.map(String.init(describing:)) == scenario.error)

        let plan = round.repairPlan(nowMillis: Self.now)
        let expected = scenario.repair.map { RepairTarget(node: NodeID($0.0), reported: $0.1) }
        #expect((plan?.replicas ?? []) == expected)
        if let plan {
            // Always the newest entry as read, tombstones and expired values included.
            #expect(plan.entry == round.newest)
            #expect(plan.entry.version == scenario.resolution.version)
        }
    }

    @Test func invalidQuorumIsRefused() {
        #expect(throws: QuorumError.quorumOutOfRange(.read, required: 4, replicas: 3)) {
            try ReadRound<String>(targets: Fixtures.abc, required: 4)
        }
        #expect(throws: QuorumError.quorumOutOfRange(.read, required: 0, replicas: 3)) {
            try ReadRound<String>(targets: Fixtures.abc, required: 0)
        }
    }

    @Test func countsAndAnswers() throws {
        var round = try ReadRound<String>(targets: Fixtures.abc, required: 2)
        round.record(.missing, from: Fixtures.c)
        round.record(.failed(reason: "e"), from: Fixtures.a)
        #expect(round.answered == 1)
        #expect(round.failed == 1)
        #expect(round.outstanding == 1)
        #expect(!round.isComplete)
        #expect(round.answeredNodes == [Fixtures.c])
        #expect(round.entry(from: Fixtures.c) == .some(nil))
        #expect(round.entry(from: Fixtures.a) == nil)
        round.record(.tombstone(version: Fixtures.v(5)), from: Fixtures.b)
        #expect(round.status == .won)
        #expect(round.isComplete)
        #expect(round.answeredNodes == [Fixtures.b, Fixtures.c])
        #expect(round.entry(from: Fixtures.b) == .some(.tombstone(version: Fixtures.v(5))))
    }

    /// Expiry is judged when asked: the same round reads found before the deadline, expired at it.
    @Test func resolutionDependsOnNow() throws {
        var round = try ReadRound<String>(targets: Fixtures.abc, required: 1)
        round.record(.value(version: Fixtures.v(10), expiresAtMillis: 2000, payload: "x"), from: Fixtures.a)
        #expect(round.resolution(nowMillis: 1999).isFound)
        #expect(round.resolution(nowMillis: 2000) == .expired(version: Fixtures.v(10)))
    }
}
