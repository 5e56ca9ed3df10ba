import CEpoll
import Dispatch
import Glibc
import NIOCore
import Synchronization

extension EpollLoop {
    /// Rounds of "run the queue, fail the scheduled tasks" a shutdown takes at most: tasks that
    /// keep queueing tasks cannot hold it forever (what is left after that is dropped).
    static let maxShutdownRounds = 1000

    /// The loop thread's body.
    func run() {
        threadID.store(pthread_self(), ordering: .relaxed)
        var busy = false
        while let timeout = waitTimeout() {
            var count: Int32 = 0
            var caught = false
            if busy, timeout != 0, spinNanos > 0 {
                count = spin()
                caught = count > 0
            }
            if count == 0 { count = epoll_wait(epollFD, events, Self.maxEvents, timeout) }
            // Busy: several descriptors were ready at once, or a poll found the next one.
            busy = caught || count >= Self.busyPollMinEvents
            sleeping.store(false, ordering: .relaxed)
            if count < 0 {
                // EINTR: the next turn waits again. Anything else cannot be reported to anyone;
                // pausing keeps a persistent failure from spinning a core.
                if errno != EINTR { usleep(1_000) }
                count = 0
            }
            dispatch(Int(count))
            runDueScheduledTasks()
            runQueuedTasks()
        }
        finish()
    }

    /// Polls without blocking for up to `spinNanos` before the loop would sleep; what it found.
    private func spin() -> Int32 {
        let deadline = DispatchTime.now().uptimeNanoseconds + spinNanos
        repeat {
            let count = epoll_wait(epollFD, events, Self.maxEvents, 0)
            if count != 0 { return count }
        } while DispatchTime.now().uptimeNanoseconds < deadline
        return 0
    }

    /// How long `epoll_wait` may block, in milliseconds (-1: indefinitely); nil once asked to stop.
    private func waitTimeout() -> Int32? {
        let untilScheduled = millisecondsToEarliestDeadline()
        return shared.withLock { state -> Int32? in
            guard state.lifecycle == .open else { return nil }
            guard state.tasks.isEmpty else { return 0 }
            // Set under the lock that producers append under: either the loop saw their task
            // above, or they see this flag and wake it.
            if untilScheduled != 0 { sleeping.store(true, ordering: .relaxed) }
            return untilScheduled
        }
    }

    /// Rounded up, so the loop never wakes before the deadline only to wait again.
    private func millisecondsToEarliestDeadline() -> Int32 {
        guard let deadline = scheduledTasks.earliestDeadline() else { return -1 }
        let nanoseconds = (deadline - .now()).nanoseconds
        guard nanoseconds > 0 else { return 0 }
        return Int32(clamping: nanoseconds / 1_000_000 + (nanoseconds % 1_000_000 == 0 ? 0 : 1))
    }

    private func runDueScheduledTasks() {
        guard !scheduledTasks.isEmpty else { return }
        scheduledTasks.takeDue(now: .now(), into: &due)
        for job in due { job.run(nil) }
        due.removeAll(keepingCapacity: true)
    }

    /// Runs the tasks queued until now: the queue is taken in one lock, so tasks these queue
    /// wait for the next turn.
    private func runQueuedTasks() {
        shared.withLock { swap(&$0.tasks, &running) }
        for task in running { task.run() }
        running.removeAll(keepingCapacity: true)
    }

    /// Reads the eventfd back to zero, so level-triggered epoll stops reporting it.
    func drainWakeFD() {
        var value: UInt64 = 0
        while read(wakeFD, &value, MemoryLayout<UInt64>.size) < 0, errno == EINTR {}
    }

    /// Ends an `epoll_wait` from another thread.
    func wake() {
        var one: UInt64 = 1
        while write(wakeFD, &one, MemoryLayout<UInt64>.size) < 0, errno == EINTR {}
    }

    /// After the last turn: runs what is queued, fails the scheduled tasks with
    /// `EventLoopError.shutdown`, until neither is left; then closes the descriptors, and has
    /// another thread join this one and call the shutdown callbacks.
    private func finish() {
        var leftover: [LoopTask] = []
        for round in 1...Self.maxShutdownRounds {
            runQueuedTasks()
            for job in scheduledTasks.takeAll() { job.run(EventLoopError.shutdown) }
            let settled = scheduledTasks.isEmpty
            let stopped = shared.withLock { state -> Bool in
                guard (settled && state.tasks.isEmpty) || round == Self.maxShutdownRounds else { return false }
                state.lifecycle = .stopped
                swap(&state.tasks, &leftover)
                return true
            }
            if stopped { break }
        }
        leftover.removeAll()
        watchers.removeAll()
        // Safe: no thread writes the eventfd once the state says stopped (wakes happen under the lock).
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
        threadID.store(0, ordering: .relaxed)
        let thread = pthread_self()
        DispatchQueue.global().async { [self] in
            pthread_join(thread, nil)
            let callbacks = shared.withLock { state in
                state.lifecycle = .joined
                defer { state.shutdownCallbacks = [] }
                return state.shutdownCallbacks
            }
            for callback in callbacks { callback.queue.async { callback.callback(nil) } }
        }
    }
}
