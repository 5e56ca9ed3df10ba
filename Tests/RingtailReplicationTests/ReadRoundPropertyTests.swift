import RingtailModel
import RingtailReplication
import Testing

/// Random rounds from fixed seeds: any N, R, mix of replies, arrival order and timeout point.
/// A failing case prints its seed and iteration; rerun it by narrowing `arguments`.
@Suite struct ReadRoundPropertyTests {
    static let now: UInt64 = 1000

    /// Versions from a small range so that ties on time (and on everything) are common. The
    /// payload is a function of the version, as it is for real writes.
    static func randomReply(using random: inout SplitMix64) -> ReadReply<String> {
        let version = Fixtures.v(UInt64.random(in: 1...6, using: &random), writer: UInt32.random(in: 1...2, using: &random))
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4:
            let expires: UInt64? = Bool.random(using: &random) ? nil : UInt64.random(in: 900...1100, using: &random)
            return .value(version: version, expiresAtMillis: expires, payload: "\(version)")
        case 4..<6: return .tombstone(version: version)
        case 6..<8: return .missing
        default: return .failed(reason: "injected")
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func resolvedVersionIsTheMaximumAndRepairsOnlyOlder(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for iteration in 0..<400 {
            let context = "seed \(seed) iteration \(iteration)"
            let n = Int.random(in: 1...5, using: &random)
            let nodes = (0..<n).map { NodeID("r\($0)") }
            let required = Int.random(in: 1...n, using: &random)
            let replies = nodes.map { ($0, Self.randomReply(using: &random)) }
            let order = replies.shuffled(using: &random)
            // Some replies never arrive; the timeout fires before reply `timeoutAt`, or after the
            // last one when `timeoutAt == delivered`, and later replies still come in.
            let delivered = Int.random(in: 0...n, using: &random)
            let timeoutAt = Int.random(in: 0...delivered, using: &random)

            var round = try ReadRound<String>(targets: nodes, required: required)
            var statusAtTimeout: QuorumStatus?
            for (index, (node, reply)) in order.prefix(delivered).enumerated() {
                if index == timeoutAt { statusAtTimeout = round.timeout() }
                round.record(reply, from: node)
            }
            if timeoutAt == delivered { statusAtTimeout = round.timeout() }

            let arrived = order.prefix(delivered)
            let successful = arrived.filter { !$0.1.isFailure }
            let maximum = successful.compactMap { $0.1.entry?.version }.max()

            // The resolution is the newest version among the successful replies.
            let resolution = round.resolution(nowMillis: Self.now)
            #expect(resolution.version == maximum, "\(context)")
            #expect(round.newest?.version == maximum, "\(context)")
            if let newest = round.newest {
                #expect(resolution.isFound == !(newest.isTombstone || newest.isExpired(atMillis: Self.now)), "\(context)")
            }

            // Decided by the counts, and only won with R successful answers.
            #expect(statusAtTimeout != .pending, "\(context)")
            if round.status == .won { #expect(successful.count >= required, "\(context)") }
            #expect(round.answered == successful.count, "\(context)")
            #expect(round.failed == arrived.count - successful.count, "\(context)")

            // Every replica in the plan reported something older than the newest (or nothing),
            // and every replica that did is in the plan, unless only an expired value is newer.
            let plan = round.repairPlan(nowMillis: Self.now)
            let planned = Set(plan?.nodes ?? [])
            for (node, reply) in successful {
                let behind: Bool
                if let version = reply.entry?.version {
                    behind = version < maximum!
                } else {
                    behind = maximum != nil && !round.newest!.isExpired(atMillis: Self.now)
                }
                #expect(planned.contains(node) == behind, "\(context): \(node) replied \(reply)")
            }
            if let plan {
                #expect(plan.entry.version == maximum, "\(context)")
                #expect(planned.isSubset(of: Set(successful.map(\.0))), "\(context)")
            }
        }
    }

    /// Arrival order does not change what the round resolves to, payload included.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func resolutionIgnoresArrivalOrder(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for iteration in 0..<200 {
            let nodes = (0..<5).map { NodeID("r\($0)") }
            let replies = nodes.map { ($0, Self.randomReply(using: &random)) }
            var first = try ReadRound<String>(targets: nodes, required: 1)
            var second = first
            for (node, reply) in replies { first.record(reply, from: node) }
            for (node, reply) in replies.shuffled(using: &random) { second.record(reply, from: node) }
            #expect(first.resolution(nowMillis: Self.now) == second.resolution(nowMillis: Self.now), "seed \(seed) iteration \(iteration)")
            #expect(first.repairPlan(nowMillis: Self.now) == second.repairPlan(nowMillis: Self.now), "seed \(seed) iteration \(iteration)")
        }
    }
}
