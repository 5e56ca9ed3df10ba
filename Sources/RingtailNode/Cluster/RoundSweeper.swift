import NIOCore
import Synchronization

/// A coordinated round the sweeper watches: it may be hedged once (asked of more replicas
/// because it is slow) and is expired at its timeout, unless it settled first.
protocol SweptRound: AnyObject, Sendable {
    /// Nothing more to wait for: answered, and every replica asked has replied.
    var isSettled: Bool { get }
    /// The round has been waiting for the hedge delay.
    func hedge()
    /// The round has been waiting for the replica timeout: decide with what it has.
    func expire()
}

/// The deadlines of the rounds coordinated on one event loop, checked by a single timer
/// instead of one timer per round: every round on a loop has the same delays, so rounds
/// reach them in the order they started, and a check only looks at the oldest.
///
/// Deadlines are met to within `tick` (a quarter of the hedge delay, at most 10 ms): coarse,
/// and cheap. Rounds that settled are let go at the next tick rather than at their hedge
/// deadline: at tens of thousands of requests a second, holding every finished round (and the
/// values in it) for the whole hedge delay kept tens of thousands alive and freed them in bursts.
/// Time is the event loop's (`EventLoop.now`), so an embedded loop drives it in tests.
final class RoundSweeper: @unchecked Sendable {
    // @unchecked: every stored property is touched only on `eventLoop`.
    private let eventLoop: any EventLoop
    private let hedgeNanos: UInt64
    private let timeoutNanos: UInt64
    private let tick: TimeAmount
    /// Rounds younger than the hedge delay, oldest first.
    private var young = CircularBuffer<(round: any SweptRound, startNanos: UInt64)>()
    /// Rounds past the hedge delay and not settled then, oldest first.
    private var old = CircularBuffer<(round: any SweptRound, startNanos: UInt64)>()
    private var scheduled = false

    init(eventLoop: any EventLoop, hedgeMillis: UInt64, timeoutMillis: UInt64) {
        self.eventLoop = eventLoop
        self.timeoutNanos = timeoutMillis * 1_000_000
        self.hedgeNanos = min(hedgeMillis, timeoutMillis) * 1_000_000
        self.tick = .nanoseconds(Int64(max(1_000_000, min(hedgeNanos / 4, 10_000_000))))
    }

    /// Watches `round`, started now. Call on the event loop.
    func add(_ round: any SweptRound) {
        eventLoop.preconditionInEventLoop()
        young.append((round, eventLoop.now.uptimeNanoseconds))
        scheduleIfNeeded()
    }

    private func scheduleIfNeeded() {
        guard !scheduled, !(young.isEmpty && old.isEmpty) else { return }
        scheduled = true
        eventLoop.scheduleTask(in: tick) { [self] in
            scheduled = false
            sweep(nowNanos: eventLoop.now.uptimeNanoseconds)
            scheduleIfNeeded()
        }
    }

    private func sweep(nowNanos: UInt64) {
        // Rounds settle in about the order they start: drop the settled run at the front.
        while let first = young.first, first.round.isSettled { young.removeFirst() }
        while let first = young.first, first.startNanos + hedgeNanos <= nowNanos {
            young.removeFirst()
            guard !first.round.isSettled else { continue }
            first.round.hedge()
            old.append(first)
        }
        while let first = old.first, first.round.isSettled || first.startNanos + timeoutNanos <= nowNanos {
            old.removeFirst()
            if !first.round.isSettled { first.round.expire() }
        }
    }
}

/// One sweeper per event loop, created on first use. Kept in a small array searched linearly:
/// there are as many as event loops, and a dictionary hashed its key on every round.
final class RoundSweepers: Sendable {
    private let sweepers = Mutex<[(loop: ObjectIdentifier, sweeper: RoundSweeper)]>([])
    private let hedgeMillis: UInt64
    private let timeoutMillis: UInt64

    init(hedgeMillis: UInt64, timeoutMillis: UInt64) {
        self.hedgeMillis = hedgeMillis
        self.timeoutMillis = timeoutMillis
    }

    /// Watches `round` on `eventLoop`, from whichever thread.
    func watch(_ round: any SweptRound, on eventLoop: any EventLoop) {
        let sweeper = sweepers.withLock { all in
            let key = ObjectIdentifier(eventLoop)
            if let existing = all.first(where: { $0.loop == key }) { return existing.sweeper }
            let fresh = RoundSweeper(eventLoop: eventLoop, hedgeMillis: hedgeMillis, timeoutMillis: timeoutMillis)
            all.append((key, fresh))
            return fresh
        }
        if eventLoop.inEventLoop {
            sweeper.add(round)
        } else {
            eventLoop.execute { sweeper.add(round) }
        }
    }
}
