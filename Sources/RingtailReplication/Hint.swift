import RingtailModel

/// A write accepted on behalf of an owner that was down, to be handed to it when it is back.
public struct Hint<Payload> {
    /// The node the write was meant for.
    public var owner: NodeID
    public var key: [UInt8]
    public var version: Version
    /// Unix epoch milliseconds; nil for an entry that never expires (and for tombstones).
    public var expiresAtMillis: UInt64?
    /// The caller's measure of the payload's size.
    public var payloadBytes: Int
    public var payload: Payload
    /// When this node accepted the hint, on the clock the ledger is fed with.
    public var acceptedAtMillis: UInt64

    public init(
        owner: NodeID, key: [UInt8], version: Version, expiresAtMillis: UInt64?, payloadBytes: Int,
        payload: Payload, acceptedAtMillis: UInt64
    ) {
        self.owner = owner
        self.key = key
        self.version = version
        self.expiresAtMillis = expiresAtMillis
        self.payloadBytes = payloadBytes
        self.payload = payload
        self.acceptedAtMillis = acceptedAtMillis
    }

    /// What the hint costs against `maxBytes`: the key is held too, and keys may be large.
    public var bytes: Int { key.count + payloadBytes }
}

extension Hint: Sendable where Payload: Sendable {}
extension Hint: Equatable where Payload: Equatable {}
extension Hint: Hashable where Payload: Hashable {}

/// The bounds of a `HintLedger`. Hints are a best-effort repair for short outages; past these
/// bounds the oldest are dropped and read repair must catch up instead.
public struct HintLedgerSettings: Sendable, Hashable {
    /// Sum of `Hint.bytes` over all hints held.
    public var maxBytes: Int
    public var maxCount: Int
    /// A hint this old is dropped: its owner has been gone long enough that handing off a
    /// backlog would be worse than letting reads repair what is still asked for.
    public var maxAgeMillis: UInt64

    /// `maxBytes` and `maxCount` below 1 are raised to 1.
    public init(maxBytes: Int, maxCount: Int, maxAgeMillis: UInt64) {
        self.maxBytes = max(1, maxBytes)
        self.maxCount = max(1, maxCount)
        self.maxAgeMillis = maxAgeMillis
    }

    /// 64 MiB, 100 000 hints, 3 hours (the hint window Cassandra ships).
    public static let `default` = HintLedgerSettings(
        maxBytes: 64 * 1024 * 1024, maxCount: 100_000, maxAgeMillis: 3 * 3_600_000)
}

/// Why a hint left the ledger without being delivered.
public enum HintDropReason: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Evicted, oldest first, to make room under `maxBytes` or `maxCount`.
    case overCapacity
    /// Older than `maxAgeMillis`.
    case expired
    /// Larger than `maxBytes` on its own; never queued.
    case tooLarge
    /// Discarded with `discard(owner:)`, e.g. because the owner left the cluster.
    case ownerRemoved
    /// Written before a flush (`discard(through:)`): the owner must not get it back.
    case flushed

    public var description: String {
        switch self {
        case .overCapacity: "over capacity"
        case .expired: "expired"
        case .tooLarge: "too large"
        case .ownerRemoved: "owner removed"
        case .flushed: "flushed"
        }
    }
}

/// What `HintLedger.add` did with a hint.
public enum HintAddOutcome: Sendable, Hashable {
    /// Queued; no hint for the same owner and key was held.
    case queued
    /// Queued in place of an older hint for the same owner and key, whose version is given.
    case replaced(previous: Version)
    /// Not queued: a hint with this version, equal or newer, is already held.
    case ignored(current: Version)
    /// Not queued: larger than `maxBytes`.
    case tooLarge
}

/// Counters since the ledger was created; for metrics and tests.
public struct HintStatistics: Sendable, Hashable {
    /// Hints queued, new or replacing an older one.
    public var accepted = 0
    /// Hints replaced by a newer one for the same owner and key.
    public var replaced = 0
    /// Adds ignored because an equal or newer hint was held.
    public var ignored = 0
    /// Hints removed by `delivered`.
    public var delivered = 0
    public private(set) var dropped: [HintDropReason: Int] = [:]

    public init() {}

    public func dropped(_ reason: HintDropReason) -> Int { dropped[reason, default: 0] }
    public var droppedTotal: Int { dropped.values.reduce(0, +) }

    mutating func countDrop(_ reason: HintDropReason, by count: Int = 1) {
        dropped[reason, default: 0] += count
    }
}
