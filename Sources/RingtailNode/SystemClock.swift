#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RingtailModel

/// The machine's real-time clock, with an optional offset so fault tests can skew one node.
public struct SystemClock: MillisecondClock {
    public var offsetMillis: Int64

    public init(offsetMillis: Int64 = 0) {
        self.offsetMillis = offsetMillis
    }

    public func nowMillis() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let millis = Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
        return UInt64(max(0, millis + offsetMillis))
    }

    public func nowNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let nanos = Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec) + offsetMillis * 1_000_000
        return UInt64(max(0, nanos))
    }
}

/// Monotonic milliseconds, for uptime and intervals that must not jump with the wall clock.
public enum MonotonicClock {
    public static func nowMillis() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }
}
