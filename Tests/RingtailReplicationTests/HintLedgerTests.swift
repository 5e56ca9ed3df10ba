import RingtailModel
import RingtailReplication
import Testing

enum LedgerOp: Sendable, CustomStringConvertible {
    /// `bytes` is the payload size; with one-letter keys a hint costs `bytes + 2` ("k1").
    case add(String, String, version: UInt64, bytes: Int = 8, at: UInt64 = 0, HintAddOutcome = .queued)
    case deliver(String, String, version: UInt64, Bool)
    case expire(at: UInt64, Int)
    case discard(String, Int)
    case flush(through: UInt64, Int)

    var description: String {
        switch self {
        case .add(let owner, let key, let version, let bytes, let at, _): "add \(owner)/\(key)@\(version) \(bytes)B t=\(at)"
        case .deliver(let owner, let key, let version, _): "deliver \(owner)/\(key)@\(version)"
        case .expire(let at, _): "expire t=\(at)"
        case .discard(let owner, _): "discard \(owner)"
        case .flush(let through, _): "flush through \(through)"
        }
    }
}

struct LedgerScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var settings = HintLedgerSettings(maxBytes: 1 << 20, maxCount: 1000, maxAgeMillis: 10_000)
    var ops: [LedgerOp]
    /// What is held afterwards: owner → "key@version", oldest first.
    var held: [String: [String]]
    var dropped: [HintDropReason: Int] = [:]

    var testDescription: String { name }
}

@Suite struct HintLedgerTests {
    static func v(_ millis: UInt64) -> Version { Fixtures.v(millis) }

    static func limits(bytes: Int = 1 << 20, count: Int = 1000, age: UInt64 = 10_000) -> HintLedgerSettings {
        HintLedgerSettings(maxBytes: bytes, maxCount: count, maxAgeMillis: age)
    }

    static let scenarios: [LedgerScenario] = [
        .init(name: "a newer hint replaces the older",
              ops: [.add("x", "k1", version: 10), .add("x", "k1", version: 20, .replaced(previous: v(10)))],
              held: ["x": ["k1@20"]]),
        .init(name: "an older or equal hint is ignored",
              ops: [.add("x", "k1", version: 20), .add("x", "k1", version: 10, .ignored(current: v(20))),
                    .add("x", "k1", version: 20, .ignored(current: v(20)))],
              held: ["x": ["k1@20"]]),
        .init(name: "the same key for two owners is two hints",
              ops: [.add("x", "k1", version: 10), .add("y", "k1", version: 5)],
              held: ["x": ["k1@10"], "y": ["k1@5"]]),
        .init(name: "count bound drops the oldest", settings: limits(count: 3),
              ops: (1...5).map { .add("x", "k\($0)", version: UInt64($0)) },
              held: ["x": ["k3@3", "k4@4", "k5@5"]], dropped: [.overCapacity: 2]),
        .init(name: "byte bound drops the oldest", settings: limits(bytes: 100),
              ops: (1...4).map { .add("x", "k\($0)", version: 1, bytes: 28) },
              held: ["x": ["k2@1", "k3@1", "k4@1"]], dropped: [.overCapacity: 1]),
        .init(name: "a bigger replacement evicts the oldest other hint", settings: limits(bytes: 100),
              ops: [.add("x", "k1", version: 1, bytes: 28), .add("x", "k2", version: 1, bytes: 28),
                    .add("x", "k3", version: 1, bytes: 28),
                    .add("x", "k2", version: 2, bytes: 48, .replaced(previous: v(1)))],
              held: ["x": ["k3@1", "k2@2"]], dropped: [.overCapacity: 1]),
        .init(name: "a hint larger than the bound is refused, the older one kept", settings: limits(bytes: 100),
              ops: [.add("x", "k1", version: 10, bytes: 28), .add("x", "k1", version: 20, bytes: 99, .tooLarge)],
              held: ["x": ["k1@10"]], dropped: [.tooLarge: 1]),
        .init(name: "a hint exactly at the bound fits alone", settings: limits(bytes: 100),
              ops: [.add("x", "k1", version: 1, bytes: 28), .add("y", "k2", version: 1, bytes: 98)],
              held: ["y": ["k2@1"]], dropped: [.overCapacity: 1]),
        .init(name: "bounds are shared by all owners", settings: limits(count: 2),
              ops: [.add("x", "k1", version: 1), .add("y", "k1", version: 1), .add("x", "k2", version: 1)],
              held: ["x": ["k2@1"], "y": ["k1@1"]], dropped: [.overCapacity: 1]),
        .init(name: "hints expire by age", settings: limits(age: 1000),
              ops: [.add("x", "k1", version: 1, at: 0), .add("x", "k2", version: 1, at: 500),
                    .expire(at: 999, 0), .expire(at: 1000, 1)],
              held: ["x": ["k2@1"]], dropped: [.expired: 1]),
        .init(name: "adding expires old hints first", settings: limits(age: 1000),
              ops: [.add("x", "k1", version: 1, at: 0), .add("y", "k2", version: 1, at: 1500)],
              held: ["y": ["k2@1"]], dropped: [.expired: 1]),
        .init(name: "a replacement restarts the age", settings: limits(age: 1000),
              ops: [.add("x", "k1", version: 10, at: 0), .add("x", "k1", version: 20, at: 800, .replaced(previous: v(10))),
                    .expire(at: 1000, 0), .add("x", "k2", version: 1, at: 1200), .expire(at: 1800, 1)],
              held: ["x": ["k2@1"]], dropped: [.expired: 1]),
        .init(name: "delivered removes only the version that was sent",
              ops: [.add("x", "k1", version: 10), .add("x", "k1", version: 20, .replaced(previous: v(10))),
                    .deliver("x", "k1", version: 10, false), .deliver("x", "k1", version: 20, true),
                    .deliver("x", "k1", version: 20, false)],
              held: [:]),
        .init(name: "delivered for an unknown owner or key does nothing",
              ops: [.add("x", "k1", version: 10), .deliver("y", "k1", version: 10, false),
                    .deliver("x", "k2", version: 10, false)],
              held: ["x": ["k1@10"]]),
        .init(name: "discarding an owner drops only its hints",
              ops: [.add("x", "k1", version: 1), .add("y", "k1", version: 1), .add("x", "k2", version: 1),
                    .discard("x", 2), .discard("x", 0)],
              held: ["y": ["k1@1"]], dropped: [.ownerRemoved: 2]),
        .init(name: "a flush drops every owner's hints at or below its version",
              ops: [.add("x", "k1", version: 5), .add("y", "k1", version: 9), .add("x", "k2", version: 12),
                    .add("y", "k2", version: 10), .flush(through: 10, 3), .flush(through: 10, 0), .add("x", "k3", version: 11)],
              held: ["x": ["k2@12", "k3@11"]], dropped: [.flushed: 3]),
    ]

    /// Every owner's hints, oldest first, as "key@version".
    static func held(_ ledger: HintLedger<String>, nowMillis: UInt64) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for owner in ledger.owners {
            result[owner.name] = ledger.pending(for: owner, limit: .max, nowMillis: nowMillis).map {
                "\(String(decoding: $0.key, as: UTF8.self))@\($0.version.timestamp.physicalMillis)"
            }
        }
        return result
    }

    @Test(arguments: scenarios)
    func scenario(_ scenario: LedgerScenario) {
        var ledger = HintLedger<String>(settings: scenario.settings)
        var now: UInt64 = 0
        for (index, op) in scenario.ops.enumerated() {
            switch op {
            case .add(let owner, let key, let version, let bytes, let at, let expected):
                now = at
                let outcome = ledger.add(
                    owner: NodeID(owner), key: Array(key.utf8), version: Self.v(version), expiresAtMillis: nil,
                    payloadBytes: bytes, payload: "\(owner)/\(key)@\(version)", nowMillis: at)
                #expect(outcome == expected, "op \(index): \(op)")
            case .deliver(let owner, let key, let version, let expected):
                #expect(ledger.delivered(owner: NodeID(owner), key: Array(key.utf8), version: Self.v(version)) == expected,
                        "op \(index): \(op)")
            case .expire(let at, let expected):
                now = at
                #expect(ledger.expire(nowMillis: at) == expected, "op \(index): \(op)")
            case .discard(let owner, let expected):
                #expect(ledger.discard(owner: NodeID(owner)) == expected, "op \(index): \(op)")
            case .flush(let through, let expected):
                #expect(ledger.discard(through: Self.v(through)) == expected, "op \(index): \(op)")
            }
        }
        #expect(Self.held(ledger, nowMillis: now) == scenario.held)
        for reason in HintDropReason.allCases {
            #expect(ledger.statistics.dropped(reason) == scenario.dropped[reason, default: 0], "\(reason)")
        }
        let expectedCount = scenario.held.values.map(\.count).reduce(0, +)
        #expect(ledger.count == expectedCount)
        #expect(ledger.countsByOwner == scenario.held.reduce(into: [:]) { $0[NodeID($1.key)] = $1.value.count })
        #expect(ledger.bytes <= scenario.settings.maxBytes)
        #expect(ledger.count <= scenario.settings.maxCount)
    }

    @Test func batchesPerOwnerOldestFirstAndStayUntilDelivered() {
        var ledger = HintLedger<String>(settings: Self.limits(age: 1000))
        let x = NodeID("x")
        let y = NodeID("y")
        for (index, owner) in [x, y, x, x, y, x].enumerated() {
            ledger.add(
                owner: owner, key: [UInt8(index)], version: Self.v(1), expiresAtMillis: 5000, payloadBytes: 10,
                payload: "\(owner)\(index)", nowMillis: UInt64(index) * 100)
        }
        #expect(ledger.owners == [x, y])
        #expect(ledger.count(for: x) == 4)
        #expect(ledger.bytes(for: y) == 22)
        #expect(ledger.bytes == 66)

        let batch = ledger.pending(for: x, limit: 2, nowMillis: 600)
        #expect(batch.map(\.payload) == ["x0", "x2"])
        #expect(batch.first?.expiresAtMillis == 5000)
        #expect(batch.first?.acceptedAtMillis == 0)
        #expect(ledger.pending(for: x, limit: 2, nowMillis: 600) == batch, "pending must not remove")
        #expect(ledger.pending(for: NodeID("z"), limit: 10, nowMillis: 600).isEmpty)
        #expect(ledger.pending(for: x, limit: 0, nowMillis: 600).isEmpty)

        for hint in batch { ledger.delivered(owner: hint.owner, key: hint.key, version: hint.version) }
        #expect(ledger.pending(for: x, limit: 10, nowMillis: 600).map(\.payload) == ["x3", "x5"])
        // Too old to hand off even before `expire` removes them.
        #expect(ledger.pending(for: x, limit: 10, nowMillis: 1300).map(\.payload) == ["x5"])
        #expect(ledger.statistics.delivered == 2)
        #expect(ledger.statistics.accepted == 6)

        for hint in ledger.pending(for: x, limit: 10, nowMillis: 600) {
            ledger.delivered(owner: hint.owner, key: hint.key, version: hint.version)
        }
        #expect(ledger.owners == [y], "an owner with nothing left is forgotten")
        #expect(ledger.hint(for: y, key: [1])?.payload == "y1")
        #expect(ledger.hint(for: x, key: [0]) == nil)
    }

    @Test func settingsBelowOneAreRaised() {
        let settings = HintLedgerSettings(maxBytes: 0, maxCount: -5, maxAgeMillis: 0)
        #expect(settings.maxBytes == 1)
        #expect(settings.maxCount == 1)
    }
}
