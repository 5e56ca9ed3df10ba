import RingtailModel

/// What one replica holds for a key: a value or a tombstone, each with its version.
///
/// Under last-write-wins the entry with the highest `Version` is the truth, whatever its kind:
/// a newer tombstone hides an older value, and an expired value still hides an older one.
public enum ReplicaEntry<Payload> {
    /// `expiresAtMillis` is Unix epoch milliseconds; nil for a value that never expires.
    case value(version: Version, expiresAtMillis: UInt64?, payload: Payload)
    case tombstone(version: Version)

    public var version: Version {
        switch self {
        case .value(let version, _, _), .tombstone(let version): version
        }
    }

    /// A value whose expiry is at or before `nowMillis`; tombstones never expire here.
    public func isExpired(atMillis nowMillis: UInt64) -> Bool {
        guard case .value(_, let expiresAtMillis?, _) = self else { return false }
        return expiresAtMillis <= nowMillis
    }

    public var isTombstone: Bool {
        if case .tombstone = self { true } else { false }
    }
}

extension ReplicaEntry: Sendable where Payload: Sendable {}
extension ReplicaEntry: Equatable where Payload: Equatable {}
extension ReplicaEntry: Hashable where Payload: Hashable {}

/// One replica's answer to a read.
public enum ReadReply<Payload> {
    case value(version: Version, expiresAtMillis: UInt64?, payload: Payload)
    case tombstone(version: Version)
    /// The replica has nothing for the key. A successful answer: it counts towards R.
    case missing
    /// The replica could not answer; it does not count towards R.
    case failed(reason: String)

    public init(_ entry: ReplicaEntry<Payload>?) {
        switch entry {
        case .value(let version, let expiresAtMillis, let payload)?:
            self = .value(version: version, expiresAtMillis: expiresAtMillis, payload: payload)
        case .tombstone(let version)?:
            self = .tombstone(version: version)
        case nil:
            self = .missing
        }
    }

    /// The entry reported, nil for `missing` and `failed`.
    public var entry: ReplicaEntry<Payload>? {
        switch self {
        case .value(let version, let expiresAtMillis, let payload):
            .value(version: version, expiresAtMillis: expiresAtMillis, payload: payload)
        case .tombstone(let version): .tombstone(version: version)
        case .missing, .failed: nil
        }
    }

    public var isFailure: Bool {
        if case .failed = self { true } else { false }
    }
}

extension ReadReply: Sendable where Payload: Sendable {}
extension ReadReply: Equatable where Payload: Equatable {}
extension ReadReply: Hashable where Payload: Hashable {}

/// What a read returns to its client: the newest entry among the answers, seen at `nowMillis`.
public enum ReadResolution<Payload> {
    /// The newest entry is a live value.
    case found(version: Version, expiresAtMillis: UInt64?, payload: Payload)
    /// The newest entry is a tombstone: not found.
    case deleted(version: Version)
    /// The newest entry is a value that has expired: not found.
    case expired(version: Version)
    /// No replica that answered has anything: not found.
    case absent

    /// Resolves `newest` (the highest-versioned entry, or nil) as the client sees it.
    public init(newest: ReplicaEntry<Payload>?, nowMillis: UInt64) {
        switch newest {
        case nil:
            self = .absent
        case .tombstone(let version)?:
            self = .deleted(version: version)
        case .value(let version, let expiresAtMillis, let payload)?:
            if let expiresAtMillis, expiresAtMillis <= nowMillis {
                self = .expired(version: version)
            } else {
                self = .found(version: version, expiresAtMillis: expiresAtMillis, payload: payload)
            }
        }
    }

    public var isFound: Bool {
        if case .found = self { true } else { false }
    }

    /// The newest version any replica reported, nil when none had anything.
    public var version: Version? {
        switch self {
        case .found(let version, _, _), .deleted(let version), .expired(let version): version
        case .absent: nil
        }
    }
}

extension ReadResolution: Sendable where Payload: Sendable {}
extension ReadResolution: Equatable where Payload: Equatable {}
extension ReadResolution: Hashable where Payload: Hashable {}
