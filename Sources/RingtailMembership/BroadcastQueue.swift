/// Updates waiting to be piggybacked. Each is sent a bounded number of times; the least sent go
/// first and, among those, the newest, so fresh news overtakes old news (memberlist's order).
struct BroadcastQueue: Sendable {
    private struct Item: Sendable {
        var update: MemberUpdate
        var transmits: Int
        var order: UInt64
    }

    private var items: [Item] = []
    private var nextOrder: UInt64 = 0

    var count: Int { items.count }

    /// Queues `update`, replacing anything queued about the same member: only the latest view
    /// is worth spreading.
    mutating func enqueue(_ update: MemberUpdate) {
        nextOrder += 1
        let item = Item(update: update, transmits: 0, order: nextOrder)
        if let index = items.firstIndex(where: { $0.update.id == update.id }) {
            items[index] = item
        } else {
            items.append(item)
        }
    }

    /// Up to `max` updates for one message, `first` (if any) in front of them; each queued
    /// update taken counts one transmission and leaves after `limit` of them.
    mutating func take(max: Int, limit: Int, first: MemberUpdate? = nil) -> [MemberUpdate] {
        var result: [MemberUpdate] = []
        if let first { result.append(first) }
        guard max > result.count, !items.isEmpty else { return result }
        let chosen = items.indices
            .filter { items[$0].update.id != first?.id }
            .sorted { (items[$0].transmits, items[$1].order) < (items[$1].transmits, items[$0].order) }
            .prefix(max - result.count)
        for index in chosen {
            result.append(items[index].update)
            items[index].transmits += 1
        }
        items.removeAll { $0.transmits >= limit }
        return result
    }
}
