/// A binary min-heap of envelopes by delivery time, then send order (FIFO on ties).
struct EnvelopeQueue {
    typealias Element = SimulatedNetwork.Envelope
    private var items: [Element] = []

    var peek: Element? { items.first }

    private static func less(_ a: Element, _ b: Element) -> Bool {
        (a.deliverAtMillis, a.order) < (b.deliverAtMillis, b.order)
    }

    mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, Self.less(items[left], items[smallest]) { smallest = left }
            if right < items.count, Self.less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
