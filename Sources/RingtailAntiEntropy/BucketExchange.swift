/// Rules the exchange decision shares with the store.
public struct ExchangeRules: Hashable, Sendable {
    /// A tombstone is dead once `version.physicalMillis + tombstoneGraceMillis` has passed.
    /// Measured from the version rather than from local receipt so every replica agrees on
    /// it; a store must purge no earlier, or a purged tombstone could be copied back.
    public var tombstoneGraceMillis: UInt64

    public init(tombstoneGraceMillis: UInt64 = 600_000) {
        self.tombstoneGraceMillis = tombstoneGraceMillis
    }
}

/// One key this replica sends its peer.
public struct Transfer: Hashable, Sendable, CustomStringConvertible {
    public var entry: BucketEntry
    /// False when only the line crosses: a tombstone, an evicted or expired entry, or a peer
    /// that does not accept values. The receiver then records the version without bytes.
    public var carriesValue: Bool

    public init(entry: BucketEntry, carriesValue: Bool) {
        self.entry = entry
        self.carriesValue = carriesValue
    }

    public var byteCount: Int { WireCost.transferBytes(entry, carriesValue: carriesValue) }
    public var description: String { "\(entry)\(carriesValue ? " +\(entry.valueByteCount) B" : "")" }
}

/// What to do about one differing bucket, from the point of view of the replica that decided.
public struct ExchangePlan: Hashable, Sendable {
    /// Keys to send the peer.
    public var send: [Transfer] = []
    /// Keys whose value to fetch from the peer.
    public var fetch: [BucketEntry] = []
    /// Peer entries to record here without fetching anything: their line says it all
    /// (tombstones, evicted or expired entries, or any value while this replica refuses values).
    public var adopt: [BucketEntry] = []

    public init() {}

    public var isEmpty: Bool { send.isEmpty && fetch.isEmpty && adopt.isEmpty }
    public var keyCount: Int { send.count + fetch.count + adopt.count }
}

/// The exchange decision for one bucket: given both replicas' lists, who sends what.
///
/// Last writer wins, per key: the higher version goes to the replica with the lower one or
/// none; tombstones are versions like any other; equal versions need nothing, except that a
/// tombstone beats a value of the very same version, so even a reused version converges. An
/// evicted entry counts as holding its version, which is what keeps evictions from being
/// streamed back (docs/ANTI-ENTROPY.md). Dead entries (`BucketEntry.isDead`) still beat older
/// versions, as a line without bytes, but are never copied to a replica lacking the key, so
/// nothing expired or purged comes back to life. Callers should leave entries that expired
/// before `nowMillis` out of their lists anyway; the rule makes a late sweep harmless.
/// Each list holds a key at most once (a store entry or a ghost, never both).
public enum BucketExchange {
    public static func plan(
        local: [BucketEntry], remote: [BucketEntry],
        localAcceptsValues: Bool, remoteAcceptsValues: Bool,
        nowMillis: UInt64, rules: ExchangeRules = ExchangeRules()
    ) -> ExchangePlan {
        let grace = rules.tombstoneGraceMillis
        func dead(_ entry: BucketEntry) -> Bool { entry.isDead(nowMillis: nowMillis, tombstoneGraceMillis: grace) }
        func withValue(_ entry: BucketEntry, accepted: Bool) -> Bool { entry.kind == .value && accepted && !dead(entry) }

        var plan = ExchangePlan()
        func send(_ entry: BucketEntry) {
            plan.send.append(Transfer(entry: entry, carriesValue: withValue(entry, accepted: remoteAcceptsValues)))
        }
        func obtain(_ entry: BucketEntry) {
            if withValue(entry, accepted: localAcceptsValues) { plan.fetch.append(entry) } else { plan.adopt.append(entry) }
        }

        let mine = local.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        let theirs = remote.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var i = 0
        var j = 0
        while i < mine.count || j < theirs.count {
            if j == theirs.count || (i < mine.count && mine[i].key.lexicographicallyPrecedes(theirs[j].key)) {
                if !dead(mine[i]) { send(mine[i]) }
                i += 1
            } else if i == mine.count || theirs[j].key.lexicographicallyPrecedes(mine[i].key) {
                if !dead(theirs[j]) { obtain(theirs[j]) }
                j += 1
            } else {
                switch compare(mine[i], theirs[j]) {
                case .newer: send(mine[i])
                case .older: obtain(theirs[j])
                case .same: break
                }
                i += 1
                j += 1
            }
        }
        return plan
    }

    enum Order { case newer, older, same }

    /// Version first; at an equal version a tombstone wins; a held and an evicted value of the
    /// same version are the same write.
    static func compare(_ mine: BucketEntry, _ theirs: BucketEntry) -> Order {
        if mine.version != theirs.version { return mine.version > theirs.version ? .newer : .older }
        let mineDeletes = mine.kind == .tombstone
        let theirsDeletes = theirs.kind == .tombstone
        if mineDeletes == theirsDeletes { return .same }
        return mineDeletes ? .newer : .older
    }
}
