import NIOCore
import NIOEmbedded
import Testing
@testable import RingtailNode

/// Connections' output waits for the end of the event-loop turn, then goes out together.
@Suite struct TurnFlusherTests {
    /// Records its flushes in a log shared with the other connections of a test.
    final class Connection: TurnFlushable {
        let name: String
        let log: Log
        var onFlush: (() -> Void)?

        init(_ name: String, log: Log) {
            self.name = name
            self.log = log
        }

        func turnEnded() {
            log.entries.append(name)
            onFlush?()
        }
    }

    final class Log {
        var entries: [String] = []
    }

    @Test func waitsForTheTurnToEndThenFlushesEachConnectionOnceInOrder() {
        let loop = EmbeddedEventLoop()
        let flusher = TurnFlusher(eventLoop: loop)
        let log = Log()
        let first = Connection("first", log: log)
        let second = Connection("second", log: log)
        flusher.enqueue(first)
        flusher.enqueue(second)
        #expect(log.entries.isEmpty)
        loop.run()
        #expect(log.entries == ["first", "second"])
        loop.run()
        #expect(log.entries == ["first", "second"])
    }

    @Test func aConnectionEnqueuedWhileFlushingWaitsForTheNextTask() {
        let loop = EmbeddedEventLoop()
        let flusher = TurnFlusher(eventLoop: loop)
        let log = Log()
        let again = Connection("again", log: log)
        var flushes = 0
        again.onFlush = {
            flushes += 1
            if flushes == 1 { flusher.enqueue(again) }
        }
        flusher.enqueue(again)
        loop.run()
        // EmbeddedEventLoop runs tasks scheduled by tasks in the same run, as a real loop's
        // tick drains them: the second flush is a second pass, not an endless first one.
        #expect(log.entries == ["again", "again"])
        flusher.enqueue(again)
        loop.run()
        #expect(log.entries == ["again", "again", "again"])
    }

    @Test func oneFlusherPerEventLoop() {
        let flushers = TurnFlushers()
        let one = EmbeddedEventLoop()
        let other = EmbeddedEventLoop()
        #expect(flushers.flusher(for: one) === flushers.flusher(for: one))
        #expect(flushers.flusher(for: one) !== flushers.flusher(for: other))
    }
}

extension TurnFlusherTests {
    @Test func aConnectionIsAloneUntilASecondOneOpens() {
        let loop = EmbeddedEventLoop()
        let flusher = TurnFlusher(eventLoop: loop)
        #expect(flusher.isAlone)
        flusher.connectionOpened()
        #expect(flusher.isAlone)
        flusher.connectionOpened()
        #expect(!flusher.isAlone)
        flusher.connectionClosed()
        #expect(flusher.isAlone)
    }
}
