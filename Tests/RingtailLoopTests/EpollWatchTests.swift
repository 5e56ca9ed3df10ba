import Glibc
import NIOCore
import RingtailLoop
import Testing

@Suite(.timeLimit(.minutes(1)))
struct EpollWatchTests {
    @Test func aReadableSocketIsReportedOnTheLoopUntilUnwatched() async throws {
        try await withLoop { loop in
            let (mine, peer) = try socketPair()
            defer { close(peer) }
            let calls = Recorder<String>()
            let reported = loop.makePromise(of: Void.self)
            let watcher = ClosureWatcher { events in
                calls.record("\(events.contains(.readable)) \(loop.inEventLoop)")
                // Level-triggered: without this the unread byte would be reported every turn.
                loop.unwatch(mine)
                close(mine)
                reported.succeed()
            }
            try await value(of: loop.submit { try loop.watch(mine, for: .readable, watcher) })
            #expect(send("x", to: peer) == 1)
            try await value(of: reported.futureResult)
            try await Task.sleep(for: .milliseconds(30))
            try await value(of: loop.submit {})
            #expect(calls.values == ["true true"])
        }
    }

    @Test func changeAndHangup() async throws {
        try await withLoop { loop in
            let (mine, peer) = try socketPair()
            let seen = Recorder<EpollEvents>()
            let writable = loop.makePromise(of: Void.self)
            let hungUp = loop.makePromise(of: Void.self)
            let watcher = ClosureWatcher { events in
                seen.record(events)
                if events.contains(.writable) {
                    try? loop.change(mine, to: .readable)
                    writable.succeed()
                }
                if events.contains(.hangup) {
                    loop.unwatch(mine)
                    close(mine)
                    hungUp.succeed()
                }
            }
            try await value(of: loop.submit { try loop.watch(mine, for: [], watcher) })
            try await value(of: loop.submit { try loop.change(mine, to: .writable) })
            try await value(of: writable.futureResult)
            close(peer)
            try await value(of: hungUp.futureResult)
            #expect(seen.values.first == .writable)
            #expect(seen.values.last?.isSuperset(of: [.readable, .hangup]) == true)
            #expect(seen.values.filter { $0.contains(.writable) }.count == 1)
            await #expect(throws: EpollError.self) { try await value(of: loop.submit { try loop.change(mine, to: .readable) }) }
        }
    }

    /// Both descriptors are ready in one batch; whichever watcher hears first unwatches and
    /// closes the other's descriptor and watches a new one under the same number. Neither the
    /// other watcher nor the new one may be told of the batch's stale event.
    @Test func aWatcherUnwatchedDuringABatchIsNotCalledEvenIfItsNumberIsReused() async throws {
        try await withLoop { loop in
            final class Probe: @unchecked Sendable {  // loop thread only
                var first: Int32?
                var inBatch = false
                var staleCalls = 0
                var newCallsInBatch = 0
                var newCalls = 0
                var setupFailures = 0
            }
            let probe = Probe()
            let (a, aPeer) = try socketPair()
            let (b, bPeer) = try socketPair()
            let (spare, sparePeer) = try socketPair()
            defer { [aPeer, bPeer, spare, sparePeer].forEach { close($0) } }
            #expect(send("s", to: sparePeer) == 1)
            let batchDone = loop.makePromise(of: Void.self)
            let newHeard = loop.makePromise(of: Void.self)
            let newWatcher = ClosureWatcher()
            let watchers = Dictionary(uniqueKeysWithValues: [a, b].map { fd in
                (fd, ClosureWatcher { _ in
                    if probe.first != nil { return probe.staleCalls += 1 }
                    probe.first = fd
                    let other = fd == a ? b : a
                    loop.unwatch(fd)
                    close(fd)
                    loop.unwatch(other)
                    close(other)
                    // A new descriptor, readable, numbered `other`.
                    if dup2(spare, other) != other { probe.setupFailures += 1 }
                    newWatcher.onReady = { _ in
                        probe.newCalls += 1
                        if probe.inBatch { probe.newCallsInBatch += 1 }
                        loop.unwatch(other)
                        close(other)
                        newHeard.succeed()
                    }
                    do { try loop.watch(other, for: .readable, newWatcher) } catch { probe.setupFailures += 1 }
                    probe.inBatch = true
                    loop.execute {  // runs after the batch's watchers
                        probe.inBatch = false
                        batchDone.succeed()
                    }
                })
            })
            let started = loop.submit {
                for fd in [a, b] { try loop.watch(fd, for: .readable, watchers[fd]!) }
                // Both become readable before the loop's next epoll_wait: one batch.
                if send("x", to: aPeer) != 1 || send("y", to: bPeer) != 1 { probe.setupFailures += 1 }
            }
            try await value(of: started)
            try await value(of: batchDone.futureResult)
            try await value(of: newHeard.futureResult)
            let counts = try await value(of: loop.submit {
                [probe.setupFailures, probe.staleCalls, probe.newCallsInBatch, probe.newCalls]
            })
            #expect(counts == [0, 0, 0, 1])
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct SocketIOTests {
    @Test func readsWritesAndReportsTheirOutcomes() throws {
        let (mine, peer) = try socketPair()
        defer { close(mine) }
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        #expect(SocketIO.read(mine, into: &buffer, maxBytes: 16) == .wouldBlock)
        let message = ByteBuffer(string: "hello, loop")
        #expect(SocketIO.write(peer, message) == .wrote(11))
        #expect(SocketIO.read(mine, into: &buffer, maxBytes: 5) == .bytes(5))
        #expect(SocketIO.read(mine, into: &buffer, maxBytes: 64) == .bytes(6))
        #expect(String(buffer: buffer) == "hello, loop")
        close(peer)
        #expect(SocketIO.read(mine, into: &buffer, maxBytes: 16) == .endOfStream)
        // A closed peer: EPIPE, not a SIGPIPE that would end the test process.
        #expect(SocketIO.write(mine, message) == .failed(EPIPE))
        #expect(SocketIO.read(-1, into: &buffer, maxBytes: 16) == .failed(EBADF))
    }

    @Test func aFullSocketWouldBlock() throws {
        let (mine, peer) = try socketPair()
        defer { close(mine); close(peer) }
        let chunk = ByteBuffer(repeating: 7, count: 64 << 10)
        var total = 0
        while case .wrote(let count) = SocketIO.write(mine, chunk) { total += count }
        #expect(total > 0)
        #expect(SocketIO.write(mine, chunk) == .wouldBlock)
    }
}

/// A loop that polls before sleeping serves watchers and tasks like one that does not.
@Suite(.timeLimit(.minutes(1)))
struct EpollBusyPollTests {
    @Test func aBusyPollingLoopServesEveryReadyDescriptorAndTask() async throws {
        let loop = try EpollLoop(name: "ttl-busy-poll", busyPollMicroseconds: 200)
        let pipes = try (0..<4).map { _ -> [Int32] in
            let (mine, peer) = try socketPair()
            return [mine, peer]
        }
        defer { for fds in pipes { close(fds[0]); close(fds[1]) } }
        let seen = Recorder<Int32>()
        let watchers = pipes.map { PipeDrainer(fd: $0[0], seen: seen) }
        try await value(of: loop.submit {
            for watcher in watchers { try loop.watch(watcher.fd, for: .readable, watcher) }
        })
        // Bursts of several ready at once make the loop busy; single bytes then arrive while it polls.
        var written = 0
        for round in 0..<200 {
            let targets = round % 2 == 0 ? pipes : [pipes[round % 4]]
            for fds in targets {
                var byte: UInt8 = 1
                #expect(write(fds[1], &byte, 1) == 1)
                written += 1
            }
            if round % 50 == 0 { try await value(of: loop.submit {}) }
        }
        let ran = try await value(of: loop.submit { true })
        #expect(ran)
        for _ in 0..<1000 where seen.values.count < written { usleep(1000) }
        #expect(seen.values.count == written)
        try await shutDown(loop)
    }
}

/// Reads one byte per readiness and records its descriptor.
private final class PipeDrainer: EpollWatcher, @unchecked Sendable {
    let fd: Int32
    let seen: Recorder<Int32>

    init(fd: Int32, seen: Recorder<Int32>) {
        self.fd = fd
        self.seen = seen
    }

    func ready(_ events: EpollEvents) {
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 { seen.record(fd) }
    }
}
