import RingtailAntiEntropy
import RingtailModel
import Testing

/// Last writer wins, key by key, read as a table.
@Suite struct BucketExchangeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var local: [BucketEntry]
        var remote: [BucketEntry]
        var localAccepts = true
        var remoteAccepts = true
        /// "send k" (line only), "send k+" (with value), "fetch k", "adopt k".
        var expected: [String]
        var testDescription: String { name }
    }

    static let now: UInt64 = 1_000_000
    static let grace: UInt64 = 600_000

    typealias F = Fixtures

    static let cases: [Case] = [
        Case(name: "peer newer value: fetch", local: [F.value("k", 10)], remote: [F.value("k", 20)], expected: ["fetch k"]),
        Case(name: "local newer value: send with value", local: [F.value("k", 20)], remote: [F.value("k", 10)], expected: ["send k+"]),
        Case(name: "same version: nothing", local: [F.value("k", 10)], remote: [F.value("k", 10)], expected: []),
        Case(name: "same tombstone: nothing", local: [F.tombstone("k", 900_000)], remote: [F.tombstone("k", 900_000)], expected: []),
        Case(name: "node tag breaks a timestamp tie", local: [F.value("k", 10, node: F.nodeA)], remote: [F.value("k", 10, node: F.nodeB)],
             expected: [F.nodeA < F.nodeB ? "fetch k" : "send k+"]),
        Case(name: "local newer tombstone beats older value", local: [F.tombstone("k", 900_000)], remote: [F.value("k", 10)], expected: ["send k"]),
        Case(name: "peer newer tombstone is adopted", local: [F.value("k", 10)], remote: [F.tombstone("k", 900_000)], expected: ["adopt k"]),
        Case(name: "newer value beats older tombstone", local: [F.value("k", 900_001)], remote: [F.tombstone("k", 900_000)], expected: ["send k+"]),
        Case(name: "peer newer value beats local tombstone", local: [F.tombstone("k", 900_000)], remote: [F.value("k", 900_001)], expected: ["fetch k"]),
        Case(name: "missing on peer: send", local: [F.value("k", 10)], remote: [], expected: ["send k+"]),
        Case(name: "missing here: fetch", local: [], remote: [F.value("k", 10)], expected: ["fetch k"]),
        Case(name: "tombstone missing here: adopt", local: [], remote: [F.tombstone("k", 900_000)], expected: ["adopt k"]),
        Case(name: "tombstone missing on peer: send line", local: [F.tombstone("k", 900_000)], remote: [], expected: ["send k"]),
        Case(name: "same version, tombstone wins", local: [F.tombstone("k", 900_000)], remote: [F.value("k", 900_000)], expected: ["send k"]),
        Case(name: "same version, peer tombstone wins", local: [F.value("k", 900_000)], remote: [F.tombstone("k", 900_000)], expected: ["adopt k"]),
        Case(name: "held and evicted copies of one write: nothing", local: [F.evicted("k", 10)], remote: [F.value("k", 10)], expected: []),
        Case(name: "local newer but evicted: line only", local: [F.evicted("k", 20)], remote: [F.value("k", 10)], expected: ["send k"]),
        Case(name: "peer newer but evicted: adopt", local: [F.value("k", 10)], remote: [F.evicted("k", 20)], expected: ["adopt k"]),
        Case(name: "short of memory here: adopt, don't fetch", local: [], remote: [F.value("k", 10)], localAccepts: false, expected: ["adopt k"]),
        Case(name: "peer short of memory: line only", local: [F.value("k", 20)], remote: [F.value("k", 10)], remoteAccepts: false, expected: ["send k"]),
        Case(name: "expired value is not resurrected on the peer", local: [F.value("k", 10, expiresAt: now)], remote: [], expected: []),
        Case(name: "expired peer value is not fetched", local: [], remote: [F.value("k", 10, expiresAt: now - 1)], expected: []),
        Case(name: "expired value still beats an older one, as a line", local: [F.value("k", 20, expiresAt: now)], remote: [F.value("k", 10)], expected: ["send k"]),
        Case(name: "unexpired TTL value travels", local: [F.value("k", 20, expiresAt: now + 1)], remote: [], expected: ["send k+"]),
        Case(name: "tombstone past grace is not copied", local: [F.tombstone("k", now - grace)], remote: [], expected: []),
        Case(name: "tombstone past grace still beats an older value", local: [F.tombstone("k", now - grace)], remote: [F.value("k", 5)], expected: ["send k"]),
        Case(name: "mixed bucket, in key order",
             local: [F.value("a", 10), F.value("b", 30), F.tombstone("d", 900_000), F.value("e", 7)],
             remote: [F.value("a", 20), F.value("b", 30), F.value("c", 10), F.value("d", 5), F.evicted("e", 8)],
             expected: ["adopt e", "fetch a", "fetch c", "send d"]),
    ]

    @Test(arguments: cases)
    func decides(_ testCase: Case) {
        let plan = BucketExchange.plan(
            local: testCase.local, remote: testCase.remote,
            localAcceptsValues: testCase.localAccepts, remoteAcceptsValues: testCase.remoteAccepts,
            nowMillis: Self.now, rules: ExchangeRules(tombstoneGraceMillis: Self.grace))
        #expect(Self.describe(plan) == testCase.expected.sorted())
    }

    @Test func bothSidesReachTheSameDecision() {
        for testCase in Self.cases {
            let mine = BucketExchange.plan(
                local: testCase.local, remote: testCase.remote, localAcceptsValues: true, remoteAcceptsValues: true,
                nowMillis: Self.now, rules: ExchangeRules(tombstoneGraceMillis: Self.grace))
            let theirs = BucketExchange.plan(
                local: testCase.remote, remote: testCase.local, localAcceptsValues: true, remoteAcceptsValues: true,
                nowMillis: Self.now, rules: ExchangeRules(tombstoneGraceMillis: Self.grace))
            // What one side sends, the other side fetches or adopts, and the reverse.
            #expect(Set(mine.send.map(\.entry)) == Set(theirs.fetch + theirs.adopt), "\(testCase.name)")
            #expect(Set(theirs.send.map(\.entry)) == Set(mine.fetch + mine.adopt), "\(testCase.name)")
        }
    }

    static func describe(_ plan: ExchangePlan) -> [String] {
        func name(_ entry: BucketEntry) -> String { String(decoding: entry.key, as: UTF8.self) }
        return (plan.send.map { "send \(name($0.entry))\($0.carriesValue ? "+" : "")" }
            + plan.fetch.map { "fetch \(name($0))" }
            + plan.adopt.map { "adopt \(name($0))" }).sorted()
    }
}
