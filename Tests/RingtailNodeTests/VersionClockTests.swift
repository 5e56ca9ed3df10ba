import RingtailModel
import Synchronization
import Testing

@testable import RingtailNode

@Suite struct VersionClockTests {
    /// A wall clock read in nanoseconds, set by the test.
    final class NanosecondClock: MillisecondClock {
        let nanos: Atomic<UInt64>
        init(nanos: UInt64) { self.nanos = Atomic(nanos) }
        func nowMillis() -> UInt64 { nowNanos() / 1_000_000 }
        func nowNanos() -> UInt64 { nanos.load(ordering: .relaxed) }
    }

    /// A write coordinated on one node, then, less than a millisecond later, a write of the
    /// same key coordinated on another that has not stored the first: the second must win
    /// under last-write-wins, whichever node's tag is higher and however many versions the
    /// first node issued in that millisecond.
    @Test func theLaterOfTwoWritesWithinOneMillisecondHasTheHigherVersion() {
        let millisecond: UInt64 = 1_795_497_754_636_000_000
        let firstClock = NanosecondClock(nanos: millisecond + 100_000)
        let secondClock = NanosecondClock(nanos: millisecond + 100_000)
        let first = VersionClock(node: NodeTag(rawValue: 0xFFFF_FFFF), wallClock: firstClock)
        let second = VersionClock(node: NodeTag(rawValue: 1), wallClock: secondClock)
        for _ in 0..<5 { _ = first.nextVersion() }
        let (earlier, nowMillis) = first.nextVersionAndNow()
        #expect(nowMillis == 1_795_497_754_636)
        secondClock.nanos.store(millisecond + 300_000, ordering: .relaxed)
        let later = second.nextVersion()
        #expect(earlier < later)
        // Having stored the later one, the first node's next version comes after it.
        #expect(first.observe(later) == 1_795_497_754_636)
        #expect(first.nextVersion() > later)
    }
}
