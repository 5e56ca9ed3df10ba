import RingtailModel

/// Hints in acceptance order, with constant-time lookup by (owner, key), removal anywhere,
/// and a walk over one owner's hints that never looks at anyone else's.
///
/// Each hint lives in a slot of one array and is threaded on two doubly linked lists: all
/// hints, and its owner's hints. Both lists are in acceptance order, so their heads are the
/// oldest (eviction and expiry) and walking an owner's list yields its delivery batch.
struct HintQueue<Payload> {
    struct Key: Hashable, Sendable {
        var owner: NodeID
        var key: [UInt8]
    }

    struct Ends: Sendable, Hashable {
        var first: Int?
        var last: Int?
        var count = 0
        var bytes = 0
    }

    fileprivate struct Slot {
        var hint: Hint<Payload>
        var previous: Int?
        var next: Int?
        var previousOfOwner: Int?
        var nextOfOwner: Int?
    }

    private var slots: [Slot?] = []
    private var freeSlots: [Int] = []
    private var index: [Key: Int] = [:]
    private(set) var all = Ends()
    private(set) var owners: [NodeID: Ends] = [:]

    subscript(slot: Int) -> Hint<Payload> { slots[slot]!.hint }

    func slot(owner: NodeID, key: [UInt8]) -> Int? { index[Key(owner: owner, key: key)] }

    /// The oldest hint of all.
    var oldest: Int? { all.first }

    func firstSlot(of owner: NodeID) -> Int? { owners[owner]?.first }
    func slot(after slot: Int) -> Int? { slots[slot]!.next }
    func slot(afterOfSameOwner slot: Int) -> Int? { slots[slot]!.nextOfOwner }

    /// Appends `hint` as the newest; the caller ensures no hint for its (owner, key) is held.
    mutating func append(_ hint: Hint<Payload>) {
        let slot: Int
        var mine = owners[hint.owner] ?? Ends()
        let new = Slot(hint: hint, previous: all.last, next: nil, previousOfOwner: mine.last, nextOfOwner: nil)
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[slot] = new
        } else {
            slot = slots.count
            slots.append(new)
        }
        if let last = all.last { slots[last]!.next = slot } else { all.first = slot }
        all.last = slot
        all.count += 1
        all.bytes += hint.bytes
        if let last = mine.last { slots[last]!.nextOfOwner = slot } else { mine.first = slot }
        mine.last = slot
        mine.count += 1
        mine.bytes += hint.bytes
        owners[hint.owner] = mine
        index[Key(owner: hint.owner, key: hint.key)] = slot
    }

    /// Unlinks the hint in `slot` from both lists and returns it.
    @discardableResult
    mutating func remove(_ slot: Int) -> Hint<Payload> {
        let removed = slots[slot]!
        slots[slot] = nil
        freeSlots.append(slot)
        let hint = removed.hint
        index[Key(owner: hint.owner, key: hint.key)] = nil

        if let previous = removed.previous { slots[previous]!.next = removed.next } else { all.first = removed.next }
        if let next = removed.next { slots[next]!.previous = removed.previous } else { all.last = removed.previous }
        all.count -= 1
        all.bytes -= hint.bytes

        var mine = owners[hint.owner]!
        if let previous = removed.previousOfOwner {
            slots[previous]!.nextOfOwner = removed.nextOfOwner
        } else {
            mine.first = removed.nextOfOwner
        }
        if let next = removed.nextOfOwner {
            slots[next]!.previousOfOwner = removed.previousOfOwner
        } else {
            mine.last = removed.previousOfOwner
        }
        mine.count -= 1
        mine.bytes -= hint.bytes
        // An owner with no hints left is forgotten, so the table does not grow with every
        // node that was ever down.
        owners[hint.owner] = mine.count == 0 ? nil : mine
        if all.count == 0 {
            // Nothing is linked: start the slot array afresh rather than keep its high-water mark.
            slots.removeAll()
            freeSlots.removeAll()
        }
        return hint
    }
}

extension HintQueue: Sendable where Payload: Sendable {}
extension HintQueue.Slot: Sendable where Payload: Sendable {}
