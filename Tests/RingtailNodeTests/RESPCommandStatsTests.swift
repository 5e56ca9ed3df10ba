import NIOCore
import NIOEmbedded
import RingtailRESP
import RingtailWire
import Testing
@testable import RingtailNode

/// Per-command counting of the Redis front door: reply classification, buckets, shards, and
/// the two ways they are shown.
@Suite struct RESPCommandStatsTests {
    @Test func constantsMatchTheirTables() {
        #expect(RESPCommandOutcome.count == RESPCommandOutcome.allCases.count)
        #expect(RESPLatencyBuckets.count == RESPLatencyBuckets.boundsNanos.count + 1)
        #expect(RESPLatencyBuckets.boundsNanos == RESPLatencyBuckets.boundsNanos.sorted())
    }

    @Test func repliesAreClassifiedByTheirFirstBytes() {
        let cases: [(String, RESPCommandOutcome)] = [
            ("+OK\r\n", .ok), ("$1\r\nv\r\n", .ok), (":3\r\n", .ok), ("*2\r\n$1\r\na\r\n$-1\r\n", .ok),
            ("$-1\r\n", .miss), ("*-1\r\n", .miss), ("_\r\n", .miss),
            ("-ERR syntax error\r\n", .error), ("-WRONGPASS x\r\n", .error), ("!3\r\nERR\r\n", .error),
            ("-NOQUORUM 1 of 2 replicas answered\r\n", .unavailable), ("-TIMEOUT t\r\n", .unavailable),
            ("-SHUTDOWN s\r\n", .unavailable),
        ]
        for (reply, expected) in cases {
            // Behind an earlier reply in the same buffer, as in a pipelined batch.
            var buffer = ByteBuffer(string: "+PONG\r\n")
            let start = buffer.writerIndex
            buffer.writeString(reply)
            #expect(RESPCommandOutcome(reply: buffer, at: start) == expected, "\(reply)")
        }
    }

    @Test func coordinatedResultsAreClassified() {
        #expect(RESPCommandOutcome(.success(.null)) == .miss)
        #expect(RESPCommandOutcome(.success(.bulkString(ByteBuffer(string: "v")))) == .ok)
        #expect(RESPCommandOutcome(.success(.error("ERR x"))) == .error)
        #expect(RESPCommandOutcome(.success(.error("NOQUORUM 1 of 2"))) == .unavailable)
        #expect(RESPCommandOutcome(.failure(OperationError(.quorumFailed, "1 of 2"))) == .unavailable)
        #expect(RESPCommandOutcome(.failure(OperationError(.valueTooLarge, "big"))) == .error)
    }

    @Test func latenciesFallInTheFirstBucketThatHoldsThem() {
        #expect(RESPLatencyBuckets.index(of: 0) == 0)
        #expect(RESPLatencyBuckets.index(of: 10_000) == 0)
        #expect(RESPLatencyBuckets.index(of: 10_001) == 1)
        #expect(RESPLatencyBuckets.index(of: 1_000_000) == 6)
        #expect(RESPLatencyBuckets.index(of: 60_000_000_000) == RESPLatencyBuckets.count - 1)
    }

    @Test func shardsOfTwoLoopsAddUp() throws {
        let stats = RESPCommandStats()
        let first = EmbeddedEventLoop(), second = EmbeddedEventLoop()
        #expect(stats.shard(for: first) === stats.shard(for: first))
        stats.shard(for: first).record(.get, .ok, nanos: 5_000)
        stats.shard(for: first).record(.get, .ok, nanos: 300_000)
        stats.shard(for: second).record(.get, .ok, nanos: 7_000)
        stats.shard(for: second).record(.set, .unavailable, nanos: 2_000_000_000)
        let series = stats.snapshot()
        #expect(series.map { "\($0.kind)/\($0.outcome.label)" } == ["get/ok", "set/unavailable"])
        let get = try #require(series.first)
        #expect(get.count == 3)
        #expect(get.sumNanos == 312_000)
        #expect(get.buckets[0] == 2 && get.buckets[5] == 1)
    }

    @Test func prometheusBucketsAreCumulativeAndEndInTheCount() {
        let stats = RESPCommandStats()
        let shard = stats.shard(for: EmbeddedEventLoop())
        shard.record(.get, .miss, nanos: 5_000)
        shard.record(.get, .miss, nanos: 40_000)
        shard.record(.get, .miss, nanos: 9_000_000_000)
        let lines = stats.prometheusText().split(separator: "\n")
        let name = RESPCommandStats.metricName
        #expect(lines.contains("# TYPE \(name) histogram"))
        #expect(lines.contains("\(name)_bucket{command=\"get\",outcome=\"miss\",le=\"1e-05\"} 1"))
        #expect(lines.contains("\(name)_bucket{command=\"get\",outcome=\"miss\",le=\"5e-05\"} 2"))
        #expect(lines.contains("\(name)_bucket{command=\"get\",outcome=\"miss\",le=\"5.0\"} 2"))
        #expect(lines.contains("\(name)_bucket{command=\"get\",outcome=\"miss\",le=\"+Inf\"} 3"))
        #expect(lines.contains("\(name)_count{command=\"get\",outcome=\"miss\"} 3"))
        #expect(lines.contains("\(name)_sum{command=\"get\",outcome=\"miss\"} 9.000045"))
    }

    @Test func commandstatsCountFailuresPerCommand() {
        let stats = RESPCommandStats()
        let shard = stats.shard(for: EmbeddedEventLoop())
        shard.record(.incr, .ok, nanos: 3_000)
        shard.record(.incr, .error, nanos: 1_000)
        shard.record(.incr, .unavailable, nanos: 2_000)
        let section = RESPCommandStats.commandstatsSection(stats.totalsByCommand())
        #expect(section == "# Commandstats\r\ncmdstat_incr:calls=3,usec=6,usec_per_call=2.00,rejected_calls=0,failed_calls=2\r\n")
    }

    /// CONFIG RESETSTAT: what INFO reports is what grew since the copy kept then.
    @Test func totalsSinceAResetCountWhatGrew() {
        var then = RESPStatsTotals(connections: 4, commands: 100, hits: 10, netInput: 1_000)
        then.byCommand[.get] = .init(calls: 50, nanos: 5_000, failed: 1)
        then.byCommand[.set] = .init(calls: 50, nanos: 9_000, failed: 0)
        var now = RESPStatsTotals(connections: 5, commands: 130, hits: 10, netInput: 1_500)
        now.byCommand[.get] = .init(calls: 80, nanos: 8_000, failed: 1)
        now.byCommand[.set] = .init(calls: 50, nanos: 9_000, failed: 0)
        let grown = now.since(then)
        #expect(grown.connections == 1 && grown.commands == 30 && grown.hits == 0 && grown.netInput == 500)
        #expect(grown.byCommand == [.get: .init(calls: 30, nanos: 3_000, failed: 0)])
        // A total below the copy (it cannot go down, but never underflow) reads as zero.
        #expect(RESPStatsTotals().since(then).commands == 0)
    }
}
