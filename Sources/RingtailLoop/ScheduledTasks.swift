import NIOCore

/// The loop's scheduled tasks: a min-heap of (deadline, id) beside the jobs by id. Loop thread
/// only.
///
/// Cancelling removes the job at once and leaves its heap entry behind, skipped when it comes
/// up: O(1) instead of a search through the heap. The heap is rebuilt once more than half of it
/// is such leftovers, so timeouts set and cancelled at a high rate do not pile up.
struct ScheduledTasks {
    private struct Entry {
        let deadline: NIODeadline
        /// Schedule order: ties on the deadline run in the order they were scheduled.
        let id: UInt64

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.deadline < rhs.deadline || (lhs.deadline == rhs.deadline && lhs.id < rhs.id)
        }
    }

    private var heap: [Entry] = []
    private var jobs: [UInt64: ScheduledJob] = [:]

    var isEmpty: Bool { jobs.isEmpty }

    mutating func insert(id: UInt64, deadline: NIODeadline, _ job: ScheduledJob) {
        jobs[id] = job
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
    }

    /// Forgets the job; false when it already ran or was cancelled.
    @discardableResult
    mutating func cancel(id: UInt64) -> Bool {
        guard jobs.removeValue(forKey: id) != nil else { return false }
        if heap.count > 64, heap.count > 2 * jobs.count { rebuild() }
        return true
    }

    /// The deadline of the first job still waiting, dropping cancelled entries on top.
    mutating func earliestDeadline() -> NIODeadline? {
        while let top = heap.first {
            if jobs[top.id] != nil { return top.deadline }
            removeTop()
        }
        return nil
    }

    /// Moves the jobs due at `now` into `due`, earliest first. Jobs they schedule wait for a
    /// later call, even if already due, so a task rescheduling itself cannot hold the loop.
    mutating func takeDue(now: NIODeadline, into due: inout [ScheduledJob]) {
        while let top = heap.first, top.deadline <= now {
            removeTop()
            if let job = jobs.removeValue(forKey: top.id) { due.append(job) }
        }
    }

    /// Every job still waiting, earliest first; leaves the heap empty.
    mutating func takeAll() -> [ScheduledJob] {
        var all: [ScheduledJob] = []
        takeDue(now: .distantFuture, into: &all)
        heap.removeAll()
        jobs.removeAll()
        return all
    }

    private mutating func removeTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func rebuild() {
        heap.removeAll { jobs[$0.id] == nil }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let entry = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry < heap[parent] else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = entry
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let entry = heap[parent]
        while true {
            var child = 2 * parent + 1
            guard child < heap.count else { break }
            if child + 1 < heap.count, heap[child + 1] < heap[child] { child += 1 }
            guard heap[child] < entry else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = entry
    }
}
