/// SCAN: walking the store's keys a few at a time, with a cursor the caller keeps.
///
/// Every key present for the whole walk is returned at least once, however the store changes
/// between calls (Redis's promise for SCAN); keys written or removed meanwhile may or may not
/// be. That holds because each shard is walked from its last slot down, and the only entry
/// that ever moves is the last one, into the hole a removal leaves below it: entries only
/// move down, so none can move from the part not yet walked into the part already walked.
/// Some may be returned twice.
extension Store {
    /// Where the walk of `shard` resumes: the slot below which entries are still to be
    /// visited (all of them at `fromTop`).
    private static let fromTop = UInt64(UInt32.max)

    /// Visits about `limit` slots from `cursor` (0 to start), calling `body` under the shard
    /// lock with each live value's key (not expired values, not tombstones) as of
    /// `nowMillis`. Returns the cursor to continue from: 0 once every shard is done. A
    /// cursor from elsewhere (past the last shard) ends the walk.
    public func scan(from cursor: UInt64, limit: Int, nowMillis: UInt64, _ body: (UnsafeRawBufferPointer) -> Void) -> UInt64 {
        var shard = cursor == 0 ? 0 : Int(clamping: cursor >> 32)
        var position = cursor == 0 ? Self.fromTop : cursor & Self.fromTop
        var budget = max(1, limit)
        while shard < shardCount {
            let (next, visited) = withShard(shard) { table in
                table.visitDownward(below: Int(min(position, Self.fromTop)), limit: budget, now: nowMillis, body)
            }
            budget -= visited
            if next > 0 {
                return UInt64(shard) << 32 | UInt64(next)
            }
            shard += 1
            position = Self.fromTop
            if budget <= 0 { break }
        }
        return shard < shardCount ? UInt64(shard) << 32 | Self.fromTop : 0
    }
}

extension ShardTable {
    /// Visits up to `limit` slots below `position` (clamped to the entries held), highest
    /// first; returns where to resume (0 when done) and how many slots were visited.
    func visitDownward(below position: Int, limit: Int, now: UInt64, _ body: (UnsafeRawBufferPointer) -> Void) -> (next: Int, visited: Int) {
        var slot = min(position, count)
        var visited = 0
        while slot > 0, visited < limit {
            slot -= 1
            visited += 1
            let header = slots[UInt32(slot)].pointee
            if header.isTombstone || header.isDue(at: now) { continue }
            body(header.key)
        }
        return (slot, visited)
    }
}
