import CEpoll
import Glibc
import NIOCore
import Synchronization

/// A SwiftNIO `EventLoop` run by hand: one thread, one level-triggered epoll set whose
/// watchers are told of readiness directly, with no channel pipeline between the socket and
/// its owner. Futures, promises, `execute` and scheduled tasks work as on any NIO loop.
///
/// A turn: `epoll_wait` (not blocking when tasks are queued, else until the earliest scheduled
/// task, else indefinitely) → each ready watcher → the scheduled tasks that are due → the tasks
/// queued so far (one queued by a running task runs in the next turn).
public final class EpollLoop: EventLoop, @unchecked Sendable {
    /// A watched descriptor's owner, and the generation tagging its epoll events.
    struct Registration {
        let watcher: any EpollWatcher
        let generation: UInt32
    }

    /// Events taken from one `epoll_wait`.
    static let maxEvents: Int32 = 256
    /// The epoll tag of the wake-up eventfd; a watcher's tag has a generation of at least 1.
    static let wakeTag: UInt64 = 0

    /// Names the loop's thread (its first 15 bytes) and this loop in messages.
    public let name: String
    let epollFD: Int32
    /// Written by other threads to end an `epoll_wait` when they queue work.
    let wakeFD: Int32
    /// The loop thread's pthread_t while it runs; 0 before and after, so `inEventLoop` is exact.
    let threadID = Atomic<UInt>(0)
    /// Set (under `shared`'s lock) while the loop may block in `epoll_wait` with nothing queued.
    /// The first other thread to queue work then clears it and writes the eventfd: a busy loop
    /// costs a producer no system call.
    let sleeping = Atomic<Bool>(false)
    let shared = Mutex(SharedLoopState())
    let nextScheduledID = Atomic<UInt64>(0)

    // Loop thread only.
    /// Indexed by descriptor.
    var watchers: [Registration?] = []
    var generation: UInt32 = 0
    var scheduledTasks = ScheduledTasks()
    /// The batch of queued tasks being run, swapped with the shared queue so both keep capacity.
    var running: [LoopTask] = []
    var due: [ScheduledJob] = []
    let events: UnsafeMutablePointer<epoll_event>
    /// How long a busy loop polls before it sleeps (`init`'s `busyPollMicroseconds`); 0: never.
    let spinNanos: UInt64

    /// Ready descriptors in one `epoll_wait` from which the loop counts as busy: it then polls
    /// before sleeping. One at a time (a lone request-reply client) is not worth polling for.
    static let busyPollMinEvents: Int32 = 2

    /// Opens the epoll set and the wake-up eventfd and starts the loop's thread.
    ///
    /// `busyPollMicroseconds`: after a turn that found several descriptors ready (or that a poll
    /// caught), the loop polls without blocking for up to this long before it sleeps, so the
    /// next request under load is taken without a sleep and a wake-up on either side. It costs
    /// the CPU of the polls that find nothing; 0 never polls.
    public init(name: String, busyPollMicroseconds: Int = 0) throws {
        precondition(busyPollMicroseconds >= 0, "a negative busy-poll time")
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw EpollError(call: "epoll_create1", errno: errno) }
        let wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard wakeFD >= 0 else {
            let error = EpollError(call: "eventfd", errno: errno)
            Glibc.close(epollFD)
            throw error
        }
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: Self.wakeTag))
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            let error = EpollError(call: "epoll_ctl", errno: errno)
            Glibc.close(wakeFD)
            Glibc.close(epollFD)
            throw error
        }
        self.name = name
        self.spinNanos = UInt64(busyPollMicroseconds) * 1000
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        self.events = .allocate(capacity: Int(Self.maxEvents))
        do {
            try LoopThread.start(name: name) { [self] in run() }
        } catch {
            Glibc.close(wakeFD)
            Glibc.close(epollFD)
            throw error
        }
    }

    deinit {
        events.deallocate()
    }

    /// Exact: compares with the loop thread's id, which is 0 when the thread is not running.
    public var inEventLoop: Bool {
        pthread_equal(threadID.load(ordering: .relaxed), pthread_self()) != 0
    }

    /// NIO's clock, read when asked: the loop keeps no cached time.
    public var now: NIODeadline { .now() }

    // MARK: Watching descriptors

    /// Watches `fd` for `events`, level-triggered, telling `watcher` when it is ready. Loop
    /// thread only. `exclusive` sets EPOLLEXCLUSIVE, for one listening socket watched by several
    /// loops (the kernel then wakes one of them per connection); it allows `.readable` and
    /// `.writable` only, and `change` cannot be used on such a descriptor.
    public func watch(_ fd: Int32, for events: EpollEvents, exclusive: Bool = false, _ watcher: any EpollWatcher) throws {
        preconditionInEventLoop()
        precondition(fd >= 0, "watching a negative descriptor")
        generation = generation == .max ? 1 : generation + 1
        let flags = events.rawValue | (exclusive ? EPOLLEXCLUSIVE.rawValue : 0)
        var event = epoll_event(events: flags, data: epoll_data_t(u64: Self.tag(fd, generation)))
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else { throw EpollError(call: "epoll_ctl(ADD)", errno: errno) }
        let index = Int(fd)
        if index >= watchers.count { watchers.append(contentsOf: repeatElement(nil, count: index + 1 - watchers.count)) }
        watchers[index] = Registration(watcher: watcher, generation: generation)
    }

    /// Watches `fd`, already watched, for `events` instead. Loop thread only.
    public func change(_ fd: Int32, to events: EpollEvents) throws {
        preconditionInEventLoop()
        guard let registration = registration(of: fd) else { throw EpollError(call: "epoll_ctl(MOD)", errno: ENOENT) }
        var event = epoll_event(events: events.rawValue, data: epoll_data_t(u64: Self.tag(fd, registration.generation)))
        guard epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) == 0 else { throw EpollError(call: "epoll_ctl(MOD)", errno: errno) }
    }

    /// Stops watching `fd` and lets go of its watcher. Loop thread only; call before closing the
    /// descriptor. A watcher unwatched while a batch of events is being handed out is not told
    /// of the rest of that batch, even if its descriptor's number was reused meanwhile.
    public func unwatch(_ fd: Int32) {
        preconditionInEventLoop()
        guard registration(of: fd) != nil else { return }
        watchers[Int(fd)] = nil
        var event = epoll_event()
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, &event)
    }

    private func registration(of fd: Int32) -> Registration? {
        fd >= 0 && Int(fd) < watchers.count ? watchers[Int(fd)] : nil
    }

    /// An event's tag: the generation of the watch above the descriptor, so a stale event of a
    /// reused descriptor number does not match the new watch.
    static func tag(_ fd: Int32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// Tells each watcher of the batch in `events[0..<count]`.
    func dispatch(_ count: Int) {
        for index in 0..<count {
            let event = events[index]
            let tag = event.data.u64
            if tag == Self.wakeTag {
                drainWakeFD()
                continue
            }
            let fd = Int(UInt32(truncatingIfNeeded: tag))
            guard fd < watchers.count, let registration = watchers[fd],
                registration.generation == UInt32(truncatingIfNeeded: tag >> 32)
            else { continue }
            registration.watcher.ready(EpollEvents(reported: event.events))
        }
    }
}
