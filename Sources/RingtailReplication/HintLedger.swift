import RingtailModel

/// Hinted handoff (Dynamo §4.6) on the node that stood in for a down owner: the writes it
/// holds for each owner, to hand over when the owner is reachable again.
///
/// At most one hint per (owner, key), the newest by version: the owner would keep only that
/// one under last-write-wins anyway. Bounded in count, bytes and age; the oldest go first.
/// Every operation is O(1) amortised (lookups hash the key), except `pending`, which is
/// O(limit), and `discard(owner:)`, which is O(that owner's hints).
///
/// No clock: `nowMillis` comes from the caller and must not go backwards, because hints are
/// aged in the order they were accepted.
public struct HintLedger<Payload> {
    public let settings: HintLedgerSettings
    public private(set) var statistics = HintStatistics()
    private var queue = HintQueue<Payload>()

    public init(settings: HintLedgerSettings = .default) {
        self.settings = settings
    }

    // MARK: Queries

    /// Hints held.
    public var count: Int { queue.all.count }
    /// Sum of `Hint.bytes` over the hints held.
    public var bytes: Int { queue.all.bytes }
    public var isEmpty: Bool { count == 0 }

    /// Owners with at least one hint, sorted by name.
    public var owners: [NodeID] { queue.owners.keys.sorted() }
    /// Hints held per owner; owners without hints are absent.
    public var countsByOwner: [NodeID: Int] { queue.owners.mapValues(\.count) }
    public func count(for owner: NodeID) -> Int { queue.owners[owner]?.count ?? 0 }
    public func bytes(for owner: NodeID) -> Int { queue.owners[owner]?.bytes ?? 0 }

    /// The hint held for `owner` and `key`, if any.
    public func hint(for owner: NodeID, key: [UInt8]) -> Hint<Payload>? {
        queue.slot(owner: owner, key: key).map { queue[$0] }
    }

    /// Up to `limit` of `owner`'s hints, oldest first, for the caller to send once the owner is
    /// alive. They stay held until `delivered` confirms each one, so a failed handoff loses
    /// nothing; hints past `maxAgeMillis` at `nowMillis` are skipped.
    public func pending(for owner: NodeID, limit: Int, nowMillis: UInt64) -> [Hint<Payload>] {
        var batch: [Hint<Payload>] = []
        var cursor = queue.firstSlot(of: owner)
        while let slot = cursor, batch.count < limit {
            let hint = queue[slot]
            if !isTooOld(hint, nowMillis: nowMillis) { batch.append(hint) }
            cursor = queue.slot(afterOfSameOwner: slot)
        }
        return batch
    }

    // MARK: Changes

    /// Holds a write for `owner`. Keeps only the newest version per (owner, key), then drops
    /// expired hints and, if still over a bound, the oldest ones.
    @discardableResult
    public mutating func add(
        owner: NodeID, key: [UInt8], version: Version, expiresAtMillis: UInt64?, payloadBytes: Int,
        payload: Payload, nowMillis: UInt64
    ) -> HintAddOutcome {
        expire(nowMillis: nowMillis)
        let hint = Hint(
            owner: owner, key: key, version: version, expiresAtMillis: expiresAtMillis,
            payloadBytes: max(0, payloadBytes), payload: payload, acceptedAtMillis: nowMillis)
        var outcome = HintAddOutcome.queued
        if let slot = queue.slot(owner: owner, key: key) {
            let held = queue[slot].version
            guard version > held else {
                statistics.ignored += 1
                return .ignored(current: held)
            }
            outcome = .replaced(previous: held)
        }
        // Checked after the version so that a stale copy is reported as such, and before the
        // replacement so that a hint that cannot fit does not evict its predecessor.
        guard hint.bytes <= settings.maxBytes else {
            statistics.countDrop(.tooLarge)
            return .tooLarge
        }
        if let slot = queue.slot(owner: owner, key: key) {
            queue.remove(slot)
            statistics.replaced += 1
        }
        queue.append(hint)
        statistics.accepted += 1
        // The new hint is the newest, so it is the last to go and always fits on its own.
        while queue.all.count > settings.maxCount || queue.all.bytes > settings.maxBytes, let oldest = queue.oldest {
            queue.remove(oldest)
            statistics.countDrop(.overCapacity)
        }
        return outcome
    }

    /// Forgets the hint for `owner` and `key` once the owner has acknowledged it, but only if
    /// it is still the hint of `version`: a newer one that arrived meanwhile must still go.
    /// Returns whether a hint was removed.
    @discardableResult
    public mutating func delivered(owner: NodeID, key: [UInt8], version: Version) -> Bool {
        guard let slot = queue.slot(owner: owner, key: key), queue[slot].version == version else { return false }
        queue.remove(slot)
        statistics.delivered += 1
        return true
    }

    /// Drops hints older than `maxAgeMillis` at `nowMillis`; returns how many. `add` calls it;
    /// call it periodically too so memory is released while nothing is written.
    @discardableResult
    public mutating func expire(nowMillis: UInt64) -> Int {
        var dropped = 0
        while let oldest = queue.oldest, isTooOld(queue[oldest], nowMillis: nowMillis) {
            queue.remove(oldest)
            dropped += 1
        }
        if dropped > 0 { statistics.countDrop(.expired, by: dropped) }
        return dropped
    }

    /// Drops every hint for `owner`, e.g. when it has left the cluster for good; returns how many.
    @discardableResult
    public mutating func discard(owner: NodeID) -> Int {
        var dropped = 0
        while let slot = queue.firstSlot(of: owner) {
            queue.remove(slot)
            dropped += 1
        }
        if dropped > 0 { statistics.countDrop(.ownerRemoved, by: dropped) }
        return dropped
    }

    /// Drops every hint at or below `version`, for every owner: the cluster was flushed through
    /// it, and an owner that has not heard of the flush yet (restarted empty) would otherwise
    /// take the write back. O(hints held); returns how many went.
    @discardableResult
    public mutating func discard(through version: Version) -> Int {
        var dropped = 0
        var cursor = queue.oldest
        while let slot = cursor {
            cursor = queue.slot(after: slot)
            if queue[slot].version <= version {
                queue.remove(slot)
                dropped += 1
            }
        }
        if dropped > 0 { statistics.countDrop(.flushed, by: dropped) }
        return dropped
    }

    private func isTooOld(_ hint: Hint<Payload>, nowMillis: UInt64) -> Bool {
        nowMillis >= hint.acceptedAtMillis && nowMillis - hint.acceptedAtMillis >= settings.maxAgeMillis
    }
}

extension HintLedger: Sendable where Payload: Sendable {}
