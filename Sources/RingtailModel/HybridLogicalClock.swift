/// The hybrid logical clock algorithm (Kulkarni et al.), as a pure value: the caller supplies
/// the physical time, so tests drive it deterministically.
///
/// Readings never go backwards, stay close to physical time, and a reading taken after
/// observing a remote timestamp is greater than that timestamp.
public struct HybridLogicalClock: Sendable {
    public private(set) var last: HLCTimestamp

    public init(last: HLCTimestamp = .zero) {
        self.last = last
    }

    /// A new timestamp for a local event at physical time `physicalMillis`.
    public mutating func tick(physicalMillis: UInt64) -> HLCTimestamp {
        let next: HLCTimestamp
        if physicalMillis > last.physicalMillis {
            next = HLCTimestamp(physicalMillis: physicalMillis, logical: 0)
        } else {
            next = Self.successor(of: last)
        }
        last = next
        return next
    }

    /// Merges a timestamp received from another node; returns the timestamp of the receive event.
    public mutating func observe(_ remote: HLCTimestamp, physicalMillis: UInt64) -> HLCTimestamp {
        let highest = max(last, remote)
        let next: HLCTimestamp
        if physicalMillis > highest.physicalMillis {
            next = HLCTimestamp(physicalMillis: physicalMillis, logical: 0)
        } else {
            next = Self.successor(of: highest)
        }
        last = next
        return next
    }

    /// The smallest timestamp after `t`. When the logical counter is exhausted the physical part
    /// advances by one millisecond, which keeps the order total at the cost of a tiny drift.
    static func successor(of t: HLCTimestamp) -> HLCTimestamp {
        HLCTimestamp(rawValue: t.rawValue &+ 1)
    }
}
