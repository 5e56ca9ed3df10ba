import Synchronization

/// Wall-clock time in milliseconds since the Unix epoch. Injected wherever time matters so
/// that tests control it; the node supplies the system clock.
public protocol MillisecondClock: Sendable {
    func nowMillis() -> UInt64
    /// The same time in nanoseconds, for versions: two writes within one millisecond then
    /// order by when they happened. Clocks without the precision count whole milliseconds.
    func nowNanos() -> UInt64
}

extension MillisecondClock {
    public func nowNanos() -> UInt64 { nowMillis() &* 1_000_000 }
}

/// A clock that moves only when told to: for deterministic tests.
public final class ManualClock: MillisecondClock {
    private let current: Atomic<UInt64>

    public init(millis: UInt64 = 1_700_000_000_000) {
        self.current = Atomic(millis)
    }

    public func nowMillis() -> UInt64 { current.load(ordering: .relaxed) }

    public func advance(byMillis delta: UInt64) {
        current.add(delta, ordering: .relaxed)
    }

    public func set(millis: UInt64) {
        current.store(millis, ordering: .relaxed)
    }
}
