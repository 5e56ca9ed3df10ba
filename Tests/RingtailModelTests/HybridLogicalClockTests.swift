import RingtailModel
import Testing

@Suite struct HybridLogicalClockTests {
    @Test func followsPhysicalTimeWhenItAdvances() {
        var clock = HybridLogicalClock()
        #expect(clock.tick(physicalMillis: 1000) == HLCTimestamp(physicalMillis: 1000, logical: 0))
        #expect(clock.tick(physicalMillis: 1005) == HLCTimestamp(physicalMillis: 1005, logical: 0))
    }

    @Test func countsLogicallyWhenPhysicalTimeStallsOrGoesBack() {
        var clock = HybridLogicalClock()
        let first = clock.tick(physicalMillis: 1000)
        let second = clock.tick(physicalMillis: 1000)
        let third = clock.tick(physicalMillis: 990)
        #expect(first < second && second < third)
        #expect(third == HLCTimestamp(physicalMillis: 1000, logical: 2))
    }

    @Test func observingARemoteTimestampOrdersAfterIt() {
        var clock = HybridLogicalClock()
        _ = clock.tick(physicalMillis: 1000)
        let remote = HLCTimestamp(physicalMillis: 5000, logical: 7)
        let received = clock.observe(remote, physicalMillis: 1001)
        #expect(received > remote)
        #expect(received == HLCTimestamp(physicalMillis: 5000, logical: 8))
        #expect(clock.tick(physicalMillis: 1002) > received)
        #expect(clock.observe(.zero, physicalMillis: 6000) == HLCTimestamp(physicalMillis: 6000, logical: 0))
    }

    @Test func logicalOverflowCarriesIntoPhysical() {
        var clock = HybridLogicalClock(last: HLCTimestamp(physicalMillis: 10, logical: .max))
        #expect(clock.tick(physicalMillis: 10) == HLCTimestamp(physicalMillis: 11, logical: 0))
    }

    @Test func aNanosecondReadingKeepsItsMillisecondAndItsFraction() {
        let nanos: UInt64 = 1_795_497_754_636_250_000
        let reading = HLCTimestamp(physicalNanos: nanos)
        #expect(reading.physicalMillis == 1_795_497_754_636)
        #expect(reading.logical == 16_384)  // a quarter of a millisecond in
        #expect(HLCTimestamp(physicalNanos: 1_795_497_754_636_000_000) == HLCTimestamp(physicalMillis: 1_795_497_754_636, logical: 0))
        #expect(HLCTimestamp(physicalNanos: 1_795_497_754_636_999_999).logical == 65_535)
        #expect(HLCTimestamp(physicalNanos: nanos + 16) > reading)
    }

    /// Two nodes writing within one millisecond, the later one not having seen the earlier:
    /// the readings' fractions order them as they happened, whatever either node counted before.
    @Test func writesWithinOneMillisecondOnTwoNodesOrderAsTheyHappened() {
        let millisecond: UInt64 = 1_795_497_754_636_000_000
        var first = HybridLogicalClock()
        var second = HybridLogicalClock()
        // The first node has issued several versions in this millisecond already.
        for offset: UInt64 in [100, 200, 300] { _ = first.tick(physical: HLCTimestamp(physicalNanos: millisecond + offset)) }
        let earlier = first.tick(physical: HLCTimestamp(physicalNanos: millisecond + 400_000))
        let later = second.tick(physical: HLCTimestamp(physicalNanos: millisecond + 450_000))
        #expect(earlier < later)
        // Without a fraction (whole milliseconds) the counter decided, and the other way round.
        var counted = HybridLogicalClock()
        for _ in 0..<4 { _ = counted.tick(physicalMillis: 1_795_497_754_636) }
        var fresh = HybridLogicalClock()
        #expect(fresh.tick(physicalMillis: 1_795_497_754_636) < counted.last)
    }

    @Test func aReadingBehindTheLastTimestampStillMovesPastIt() {
        var clock = HybridLogicalClock()
        let ahead = clock.observe(HLCTimestamp(physicalMillis: 5000, logical: 40_000), physical: HLCTimestamp(physicalNanos: 4_999_000_000))
        #expect(ahead == HLCTimestamp(physicalMillis: 5000, logical: 40_001))
        #expect(clock.tick(physical: HLCTimestamp(physicalNanos: 5_000_100_000)) == HLCTimestamp(physicalMillis: 5000, logical: 40_002))
        #expect(clock.tick(physical: HLCTimestamp(physicalNanos: 5_000_700_000)) == HLCTimestamp(physicalNanos: 5_000_700_000))
    }

    @Test func versionsOrderByTimestampThenNode() {
        let early = Version(timestamp: HLCTimestamp(physicalMillis: 1, logical: 0), node: NodeTag(rawValue: 9))
        let lateLowNode = Version(timestamp: HLCTimestamp(physicalMillis: 2, logical: 0), node: NodeTag(rawValue: 1))
        let lateHighNode = Version(timestamp: HLCTimestamp(physicalMillis: 2, logical: 0), node: NodeTag(rawValue: 2))
        #expect([lateHighNode, early, lateLowNode].sorted() == [early, lateLowNode, lateHighNode])
        #expect(Version.zero < early)
    }
}
