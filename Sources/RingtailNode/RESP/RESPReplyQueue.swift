import NIOCore

/// Replies in request order when some arrive late. RESP has no request ids, so a reply must
/// not overtake an earlier one: a coordinated command reserves a slot, replies to later
/// commands queue behind it, and `drain` releases the ready prefix once the slot is filled,
/// whatever order the futures complete in.
///
/// While nothing waits the queue is empty and unused: replies go straight into the
/// connection's output buffer.
struct RESPReplyQueue {
    private struct Slot {
        var ready: Bool
        var bytes: ByteBuffer
    }

    private var slots = CircularBuffer<Slot>(initialCapacity: 8)
    /// The sequence number of `slots.first`.
    private var firstSequence: UInt64 = 0

    var isEmpty: Bool { slots.isEmpty }
    var count: Int { slots.count }

    /// Runs `body` on the buffer where a synchronous reply goes now: the last ready slot, or a
    /// new one behind the last waiting slot.
    @discardableResult
    mutating func withReadyTail<R>(allocator: ByteBufferAllocator, _ body: (inout ByteBuffer) -> R) -> R {
        if slots.isEmpty || !slots[slots.index(before: slots.endIndex)].ready {
            slots.append(Slot(ready: true, bytes: allocator.buffer(capacity: 256)))
        }
        let last = slots.index(before: slots.endIndex)
        return body(&slots[last].bytes)
    }

    /// Reserves the place of a reply that comes later.
    mutating func reserve(allocator: ByteBufferAllocator) -> UInt64 {
        slots.append(Slot(ready: false, bytes: allocator.buffer(capacity: 0)))
        return firstSequence + UInt64(slots.count - 1)
    }

    /// Writes the late reply of `sequence` with `body`.
    mutating func fill(_ sequence: UInt64, _ body: (inout ByteBuffer) -> Void) {
        guard sequence >= firstSequence else { return }
        let offset = Int(sequence - firstSequence)
        guard offset < slots.count else { return }
        let index = slots.index(slots.startIndex, offsetBy: offset)
        body(&slots[index].bytes)
        slots[index].ready = true
    }

    /// Moves every ready reply at the front into `output`, in order.
    mutating func drain(into output: inout ByteBuffer) {
        while let first = slots.first, first.ready {
            var bytes = slots.removeFirst().bytes
            output.writeBuffer(&bytes)
            firstSequence += 1
        }
    }
}
