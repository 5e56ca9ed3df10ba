import Foundation
import Testing

@testable import RingtailNode

/// `/proc` parsing for INFO and the `process_*` metrics, and the instantaneous rates INFO reports.
@Suite struct ProcessStatisticsTests {
    @Test func parsesStatFieldsAfterACommandNameWithSpacesAndParentheses() throws {
        // Fields 3 on: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
        let line = "4242 (cache node (x)) S 1 4242 4242 0 -1 4194304 900 0 0 0 150 30 0 0 20 0 5 0 12345 170950656 9252 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n"
        let fields = try #require(ProcessStatistics.parseStat(line))
        #expect(fields == ProcessStatistics.StatFields(startTicksSinceBoot: 12345, virtualBytes: 170_950_656, residentPages: 9252))
        #expect(ProcessStatistics.parseStat("4242 (truncated) S 1 2") == nil)
        #expect(ProcessStatistics.parseStat("no parenthesis at all") == nil)
    }

    @Test func parsesTheBootTime() {
        #expect(ProcessStatistics.parseBootTime("cpu  1 2 3\nintr 5\nbtime 1795500000\nprocesses 9\n") == 1_795_500_000)
        #expect(ProcessStatistics.parseBootTime("cpu  1 2 3\n") == nil)
    }

    /// The values this test process reads of itself agree with what it knows otherwise.
    @Test func currentValuesDescribeThisProcess() throws {
        // Burn a little CPU so that the user time cannot be zero.
        var sum = 0
        for value in 0..<2_000_000 { sum &+= value &* value }
        #expect(sum != 1)
        let statistics = ProcessStatistics.current()
        #expect(statistics.userCPUSeconds > 0)
        #expect(statistics.systemCPUSeconds >= 0)
        #expect(statistics.residentBytes > 1 << 20)
        #expect(statistics.virtualBytes >= statistics.residentBytes)
        let open = try #require(statistics.openFileDescriptors)
        let limit = try #require(statistics.maxFileDescriptors)
        #expect(open >= 3 && UInt64(open) <= limit)
        let start = try #require(statistics.startTimeSeconds)
        let now = Date().timeIntervalSince1970
        // Started before now, and not before this test run could have (a generous hour).
        #expect(start <= now + 1 && start > now - 3600, "start \(start), now \(now)")
    }

    @Test func instantaneousRateAveragesTheLastSixteenIntervals() {
        var rate = InstantaneousRate()
        rate.record(total: 0, atMillis: 1000)
        #expect(rate.perSecond == 0)
        // 160 per 100 ms is 1,600/s; one interval of sixteen is a tenth of that.
        rate.record(total: 160, atMillis: 1100)
        #expect(rate.perSecond == 100)
        for step in 2...16 { rate.record(total: UInt64(160 * step), atMillis: UInt64(1000 + 100 * step)) }
        #expect(rate.perSecond == 1600)
        // Idle intervals push the busy ones out.
        for step in 17...32 { rate.record(total: 2560, atMillis: UInt64(1000 + 100 * step)) }
        #expect(rate.perSecond == 0)
    }

    @Test func instantaneousRateSkipsReadingsThatGoBackwards() {
        var rate = InstantaneousRate()
        rate.record(total: 100, atMillis: 1000)
        rate.record(total: 50, atMillis: 1100)  // a total that went down
        #expect(rate.perSecond == 0)
        rate.record(total: 60, atMillis: 1100)  // no time passed
        #expect(rate.perSecond == 0)
        rate.record(total: 220, atMillis: 1200)
        // 160 in 100 ms from the last reading kept: 1,600/s over one interval of sixteen.
        #expect(rate.perSecond == 100)
    }

    @Test func theMemoryPeakStaysAtItsHighest() {
        var stats = RESPInstantaneousStats()
        stats.record(atMillis: 1, commands: 0, inputBytes: 0, outputBytes: 0, memoryBytes: 500)
        stats.record(atMillis: 2, commands: 0, inputBytes: 0, outputBytes: 0, memoryBytes: 9000)
        stats.record(atMillis: 3, commands: 0, inputBytes: 0, outputBytes: 0, memoryBytes: 100)
        #expect(stats.peakMemoryBytes == 9000)
    }
}
