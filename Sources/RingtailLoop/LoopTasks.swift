import Dispatch
import NIOCore

/// A queued task. Unchecked because tasks queued through the isolated fast paths are not
/// `Sendable`: those are queued on the loop's own thread and run there, so they never cross.
struct LoopTask: @unchecked Sendable {
    let run: () -> Void
}

/// A scheduled task's body: runs the task and completes its promise with the result when
/// given nil, fails the promise with the error it is given otherwise (cancellation, shutdown).
/// Unchecked for the same reason as `LoopTask`; it only ever runs on the loop's thread.
struct ScheduledJob: @unchecked Sendable {
    let run: (Error?) -> Void

    init<T>(promise: EventLoopPromise<T>, task: @escaping () throws -> T) {
        run = { error in
            if let error { return promise.fail(error) }
            do {
                // The job runs on the promise's loop, so a non-Sendable result may complete it.
                promise.assumeIsolatedUnsafeUnchecked().succeed(try task())
            } catch {
                promise.fail(error)
            }
        }
    }
}

/// What threads other than the loop's share with it, under one lock: the queued tasks and
/// where the loop is in its life.
struct SharedLoopState: Sendable {
    enum Lifecycle: Sendable {
        /// Running; takes tasks.
        case open
        /// Asked to stop: still takes tasks, which run before it stops.
        case stopping
        /// No longer takes tasks; its thread is ending.
        case stopped
        /// Its thread was joined: shutdown callbacks run at once.
        case joined
    }

    struct ShutdownCallback: Sendable {
        let queue: DispatchQueue
        let callback: @Sendable (Error?) -> Void
    }

    var tasks: [LoopTask] = []
    var lifecycle = Lifecycle.open
    var shutdownCallbacks: [ShutdownCallback] = []

    var takesTasks: Bool {
        switch lifecycle {
        case .open, .stopping: true
        case .stopped, .joined: false
        }
    }
}
