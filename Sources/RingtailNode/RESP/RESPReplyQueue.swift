import NIOCore

/// Replies in request order when some arrive late. RESP has no request ids, so a reply must
/// not overtake an earlier one: a coordinated command reserves a slot, replies to later
/// commands queue behind it, and `drain` releases the ready prefix once the slot is filled,
/// whatever order the futures complete in.
///
/// While nothing waits the queue is empty and unused: replies go straight into the
/// connection's output buffer. A late reply that is first in line goes straight there too,
/// so in-order completions (the usual case) cost no buffer of their own.
struct RESPReplyQueue {
    private struct Slot {
        var ready: Bool
        /// Nil until a reply that had to wait behind another is written.
        var bytes: ByteBuffer?
    }

    private var slots = CircularBuffer<Slot>(initialCapacity: 8)
    /// The sequence number of `slots.first`.
    private var firstSequence: UInt64 = 0
    /// A buffer handed to a command that then wrote nothing (it was deferred), kept for the next.
    private var spare: ByteBuffer?

    var isEmpty: Bool { slots.isEmpty }
    var count: Int { slots.count }

    /// Runs `body` on the buffer where a synchronous reply goes now: the last ready slot, or a
    /// new one behind the last waiting slot if `body` writes anything.
    @discardableResult
    mutating func withReadyTail<R>(allocator: ByteBufferAllocator, _ body: (inout ByteBuffer) -> R) -> R {
        if !slots.isEmpty {
            let last = slots.index(before: slots.endIndex)
            if slots[last].ready, slots[last].bytes != nil { return body(&slots[last].bytes!) }
        }
        var fresh = spare.take() ?? allocator.buffer(capacity: 256)
        let result = body(&fresh)
        if fresh.readableBytes > 0 {
            slots.append(Slot(ready: true, bytes: fresh))
        } else {
            spare = fresh
        }
        return result
    }

    /// Reserves the place of a reply that comes later.
    mutating func reserve() -> UInt64 {
        slots.append(Slot(ready: false, bytes: nil))
        return firstSequence + UInt64(slots.count - 1)
    }

    /// Writes the late reply of `sequence` with `body`: straight into `output` when every
    /// earlier reply is out (then drains what became ready behind it), into its slot otherwise.
    mutating func fill(_ sequence: UInt64, into output: inout ByteBuffer, allocator: ByteBufferAllocator, _ body: (inout ByteBuffer) -> Void) {
        guard sequence >= firstSequence else { return }
        let offset = Int(sequence - firstSequence)
        guard offset < slots.count else { return }
        let index = slots.index(slots.startIndex, offsetBy: offset)
        if offset == 0 {
            body(&output)
        } else {
            var bytes = allocator.buffer(capacity: 128)
            body(&bytes)
            slots[index].bytes = bytes
        }
        slots[index].ready = true
        drain(into: &output)
    }

    /// Moves every ready reply at the front into `output`, in order.
    private mutating func drain(into output: inout ByteBuffer) {
        while let first = slots.first, first.ready {
            if var bytes = slots.removeFirst().bytes { output.writeBuffer(&bytes) }
            firstSequence += 1
        }
    }
}
