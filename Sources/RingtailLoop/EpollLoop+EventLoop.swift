import Dispatch
import NIOCore
import Synchronization

/// What `EventLoop` asks of the loop beyond its turn: queueing tasks, scheduling them, shutdown.
extension EpollLoop {
    /// Runs `task` in the loop's next turn, after the tasks queued before it.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        queueTask(LoopTask(run: task))
    }

    /// Queues the task itself, with no Sendable wrapper to allocate.
    public func _executeIsolatedUnsafeUnchecked(_ task: @escaping () -> Void) {
        queueTask(LoopTask(run: task))
    }

    public func _submitIsolatedUnsafeUnchecked<T>(_ task: @escaping () throws -> T) -> EventLoopFuture<T> {
        let promise = makePromise(of: T.self)
        let queued = queueTask(LoopTask {
            do {
                promise.assumeIsolatedUnsafeUnchecked().succeed(try task())
            } catch {
                promise.fail(error)
            }
        })
        if !queued { promise.fail(EventLoopError.shutdown) }
        return promise.futureResult
    }

    /// Queues `task` for the loop's next turn; false (dropping it) once the loop has stopped.
    /// Only a task from another thread, while the loop may be asleep, writes the eventfd.
    @discardableResult
    func queueTask(_ task: LoopTask) -> Bool {
        let fromOtherThread = !inEventLoop
        return shared.withLock { state -> Bool in
            guard state.takesTasks else { return false }
            state.tasks.append(task)
            // The write happens under the lock: the loop closes the eventfd only after marking
            // itself stopped under it, so a wake never lands on a closed (or reused) descriptor.
            if fromOtherThread, sleeping.load(ordering: .relaxed), sleeping.exchange(false, ordering: .relaxed) { wake() }
            return true
        }
    }

    // MARK: Scheduled tasks

    @discardableResult
    public func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        schedule(at: deadline, task)
    }

    @discardableResult
    public func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        schedule(at: .now() + delay, task)
    }

    @discardableResult
    public func _scheduleTaskIsolatedUnsafeUnchecked<T>(deadline: NIODeadline, _ task: @escaping () throws -> T) -> Scheduled<T> {
        schedule(at: deadline, task)
    }

    @discardableResult
    public func _scheduleTaskIsolatedUnsafeUnchecked<T>(in delay: TimeAmount, _ task: @escaping () throws -> T) -> Scheduled<T> {
        schedule(at: .now() + delay, task)
    }

    /// On the loop the task goes straight into the heap; from another thread its insertion is
    /// queued, which wakes the loop to wait for the new earliest deadline.
    private func schedule<T>(at deadline: NIODeadline, _ task: @escaping () throws -> T) -> Scheduled<T> {
        let promise = makePromise(of: T.self)
        let id = nextScheduledID.wrappingAdd(1, ordering: .relaxed).oldValue
        let job = ScheduledJob(promise: promise, task: task)
        let scheduled = Scheduled(promise: promise) { [self] in cancelScheduled(id) }
        if inEventLoop {
            scheduledTasks.insert(id: id, deadline: deadline, job)
        } else if !queueTask(LoopTask { [self] in scheduledTasks.insert(id: id, deadline: deadline, job) }) {
            promise.fail(EventLoopError.shutdown)
        }
        return scheduled
    }

    /// `Scheduled.cancel` has already failed the promise with `.cancelled`; this drops the job.
    private func cancelScheduled(_ id: UInt64) {
        if inEventLoop {
            scheduledTasks.cancel(id: id)
        } else {
            queueTask(LoopTask { [self] in scheduledTasks.cancel(id: id) })
        }
    }

    // MARK: Preconditions and shutdown

    public func preconditionInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(inEventLoop, "not on the thread of event loop \(name)", file: file, line: line)
    }

    public func preconditionNotInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(!inEventLoop, "on the thread of event loop \(name)", file: file, line: line)
    }

    /// Waiting for the loop's shutdown on its own thread would never end.
    public func _preconditionSafeToSyncShutdown(file: StaticString, line: UInt) {
        preconditionNotInEventLoop(file: file, line: line)
    }

    /// Stops the loop after the tasks queued by then (and any they queue) have run, failing
    /// its scheduled tasks with `EventLoopError.shutdown`; then closes its descriptors, joins its
    /// thread and calls `callback` on `queue`, with nil: stopping cannot fail. Watchers still
    /// registered are let go of, their descriptors left open. Tasks queued after the stop are
    /// dropped.
    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        let fromOtherThread = !inEventLoop
        let joined = shared.withLock { state -> Bool in
            switch state.lifecycle {
            case .joined:
                return true
            case .open:
                state.lifecycle = .stopping
                if fromOtherThread, sleeping.exchange(false, ordering: .relaxed) { wake() }
                fallthrough
            case .stopping, .stopped:
                state.shutdownCallbacks.append(.init(queue: queue, callback: callback))
                return false
            }
        }
        if joined { queue.async { callback(nil) } }
    }
}
