import RingtailModel
import Synchronization

/// Hands out versions for this node's writes: HLC readings stamped with the node's tag.
///
/// The HLC is shared by every connection, so it sits behind a mutex; the critical section is
/// a handful of integer operations.
public final class VersionClock: Sendable {
    public let node: NodeTag
    public let wallClock: any MillisecondClock
    private let hlc = Mutex(HybridLogicalClock())

    public init(node: NodeTag, wallClock: any MillisecondClock) {
        self.node = node
        self.wallClock = wallClock
    }

    /// A version greater than every version this node has issued or observed.
    public func nextVersion() -> Version {
        nextVersionAndNow().version
    }

    /// `nextVersion()` and the wall-clock reading it was taken at, so a write reads the clock once.
    public func nextVersionAndNow() -> (version: Version, nowMillis: UInt64) {
        let nanos = wallClock.nowNanos()
        let timestamp = hlc.withLock { $0.tick(physical: HLCTimestamp(physicalNanos: nanos)) }
        return (Version(timestamp: timestamp, node: node), nanos / 1_000_000)
    }

    /// Folds in a version seen from another node so later local writes order after it.
    /// Returns the wall-clock reading it was taken at, so a replica write reads the clock once.
    @discardableResult
    public func observe(_ version: Version) -> UInt64 {
        let nanos = wallClock.nowNanos()
        _ = hlc.withLock { $0.observe(version.timestamp, physical: HLCTimestamp(physicalNanos: nanos)) }
        return nanos / 1_000_000
    }

    /// How far the HLC runs ahead of the wall clock: positive when a node whose clock is ahead
    /// has written here, 0 when the HLC follows the local clock.
    public func driftMillis() -> Int64 {
        let last = hlc.withLock { $0.last.physicalMillis }
        return max(0, Int64(bitPattern: last) - Int64(bitPattern: wallClock.nowMillis()))
    }
}
