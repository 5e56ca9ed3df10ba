import NIOCore

/// A connection whose output, gathered during an event-loop turn, is written when the turn ends.
protocol TurnFlushable: AnyObject {
    /// Writes what the connection gathered; called once per `TurnFlusher.enqueue`.
    func turnEnded()
}

/// Writes the output of every connection of one event loop together, after the loop has
/// handled all the sockets that were ready, as Redis writes its replies just before it sleeps.
///
/// Writing a connection's replies the moment its read completes wakes a sleeping client once
/// per connection: on loopback the writer's CPU pays for each wake-up, and a client serving
/// many connections goes back to sleep between them. Written back to back, the replies find it
/// still awake (docs/BENCHMARKS.md, "Writes at the end of the turn"). A connection alone on
/// its loop has nothing to be written together with and flushes at once: the task that ends
/// the turn costs it a few percent of its CPU per request.
final class TurnFlusher: @unchecked Sendable {
    // Every property is touched only on `eventLoop`: that is what makes the class Sendable.
    private let eventLoop: any EventLoop
    private var waiting: [any TurnFlushable] = []
    private var flushing: [any TurnFlushable] = []
    private var scheduled = false
    private var connections = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// True while at most one connection is open on this loop: no other one's output could
    /// be written with its own.
    var isAlone: Bool { connections <= 1 }

    func connectionOpened() {
        eventLoop.assertInEventLoop()
        connections += 1
    }

    func connectionClosed() {
        eventLoop.assertInEventLoop()
        connections -= 1
    }

    /// Asks for `connection.turnEnded()` once this turn's events are handled. The
    /// caller enqueues itself at most once per turn.
    func enqueue(_ connection: any TurnFlushable) {
        eventLoop.assertInEventLoop()
        waiting.append(connection)
        guard !scheduled else { return }
        scheduled = true
        // Tasks run after the turn's I/O events, before the loop waits again.
        eventLoop.assumeIsolatedUnsafeUnchecked().execute { self.flushWaiting() }
    }

    private func flushWaiting() {
        scheduled = false
        // A connection that enqueues itself again while being flushed waits for the next task.
        swap(&waiting, &flushing)
        for connection in flushing { connection.turnEnded() }
        flushing.removeAll(keepingCapacity: true)
    }
}

/// One `TurnFlusher` per event loop, made on first use.
typealias TurnFlushers = PerEventLoop<TurnFlusher>

extension PerEventLoop where Value == TurnFlusher {
    convenience init() {
        self.init { TurnFlusher(eventLoop: $0) }
    }

    func flusher(for eventLoop: any EventLoop) -> TurnFlusher {
        value(for: eventLoop)
    }
}
