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

    /// A new timestamp for a local event at physical time `physical` (a reading with its
    /// fraction of a millisecond, `HLCTimestamp(physicalNanos:)`): the reading itself when it
    /// is past every timestamp so far, else the next one after them.
    public mutating func tick(physical: HLCTimestamp) -> HLCTimestamp {
        last = physical > last ? physical : Self.successor(of: last)
        return last
    }

    /// `tick(physical:)` at the start of millisecond `physicalMillis`.
    public mutating func tick(physicalMillis: UInt64) -> HLCTimestamp {
        tick(physical: HLCTimestamp(physicalMillis: physicalMillis, logical: 0))
    }

    /// Merges a timestamp received from another node at physical time `physical`; returns the
    /// timestamp of the receive event.
    public mutating func observe(_ remote: HLCTimestamp, physical: HLCTimestamp) -> HLCTimestamp {
        let highest = max(last, remote)
        last = physical > highest ? physical : Self.successor(of: highest)
        return last
    }

    /// `observe(_:physical:)` at the start of millisecond `physicalMillis`.
    public mutating func observe(_ remote: HLCTimestamp, physicalMillis: UInt64) -> HLCTimestamp {
        observe(remote, physical: HLCTimestamp(physicalMillis: physicalMillis, logical: 0))
    }

    /// The smallest timestamp after `t`: about 15 ns later. Past the last fraction of a
    /// millisecond it carries into the next, which keeps the order total at the cost of a tiny
    /// drift.
    static func successor(of t: HLCTimestamp) -> HLCTimestamp {
        HLCTimestamp(rawValue: t.rawValue &+ 1)
    }
}
