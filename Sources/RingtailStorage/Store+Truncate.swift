import RingtailModel

/// A flush of the whole store as one versioned event: every entry at or below the flush's
/// version goes, and writes at or below it are refused from then on, so a replica still
/// holding older data cannot bring it back (anti-entropy, a late replica write, a hint).
extension Store {
    /// Removes, without leaving tombstones, every entry (values and tombstones) whose version
    /// is at or below `version`, and from then on treats writes of such versions as superseded
    /// by it. A version at or below the current watermark changes nothing. Locks one shard at
    /// a time: each shard's removal and its new watermark are one step for its readers.
    /// Returns how many entries went.
    @discardableResult
    public func truncate(through version: Version) -> Int {
        var removed = 0
        for shard in 0..<shardCount {
            removed += withShard(shard) { table in table.truncate(through: version) }
        }
        return removed
    }

    /// The highest version a `truncate(through:)` has walked the whole store with (the last
    /// shard takes it last); `Version.zero` before any.
    public var truncatedThrough: Version {
        withShard(shardCount - 1) { table in table.truncatedThrough }
    }
}

extension ShardTable {
    /// Drops every entry at or below `version` and raises the watermark; returns how many went.
    mutating func truncate(through version: Version) -> Int {
        guard version > truncatedThrough else { return 0 }
        truncatedThrough = version
        var removed = 0
        var slot: UInt32 = 0
        while slot < UInt32(count) {
            if slots[slot].pointee.version <= version {
                remove(slot: slot, position: position(ofSlot: slot), reason: .truncated)
                removed += 1
                // The last entry moved into `slot`: look at it next.
            } else {
                slot += 1
            }
        }
        return removed
    }
}
