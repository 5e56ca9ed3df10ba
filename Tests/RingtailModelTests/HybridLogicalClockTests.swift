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

    @Test func versionsOrderByTimestampThenNode() {
        let early = Version(timestamp: HLCTimestamp(physicalMillis: 1, logical: 0), node: NodeTag(rawValue: 9))
        let lateLowNode = Version(timestamp: HLCTimestamp(physicalMillis: 2, logical: 0), node: NodeTag(rawValue: 1))
        let lateHighNode = Version(timestamp: HLCTimestamp(physicalMillis: 2, logical: 0), node: NodeTag(rawValue: 2))
        #expect([lateHighNode, early, lateLowNode].sorted() == [early, lateLowNode, lateHighNode])
        #expect(Version.zero < early)
    }
}
