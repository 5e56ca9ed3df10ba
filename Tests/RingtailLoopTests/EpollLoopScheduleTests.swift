import Glibc
import NIOCore
import RingtailLoop
import Testing

@Suite(.timeLimit(.minutes(1)))
struct EpollLoopScheduleTests {
    @Test func scheduledTasksFireAfterTheirDeadlinesInDeadlineOrder() async throws {
        try await withLoop { loop in
            let fired = Recorder<String>()
            let start = NIODeadline.now()
            var futures: [EventLoopFuture<Bool>] = []
            for (label, delay) in [("120ms", 120), ("40ms", 40), ("80ms", 80), ("80ms again", 80)] {
                let deadline = start + .milliseconds(Int64(delay))
                let scheduled = loop.scheduleTask(deadline: deadline) {
                    fired.record(label)
                    return NIODeadline.now() >= deadline
                }
                futures.append(scheduled.futureResult)
            }
            let late = loop.scheduleTask(in: .milliseconds(30)) { NIODeadline.now() >= start + .milliseconds(30) }
            futures.append(late.futureResult)
            for future in futures {
                let onTime = try await value(of: future)
                #expect(onTime)
            }
            #expect(fired.values == ["40ms", "80ms", "80ms again", "120ms"])
        }
    }

    @Test func aCancelledTaskDoesNotRunAndFailsWithCancelled() async throws {
        try await withLoop { loop in
            let ran = Recorder<String>()
            let cancelled = loop.scheduleTask(in: .milliseconds(100)) { ran.record("cancelled") }
            cancelled.cancel()
            let error = try await error(of: cancelled.futureResult)
            #expect(error as? EventLoopError == .cancelled)
            let onLoop = loop.submit {
                loop.scheduleTask(in: .milliseconds(50)) { ran.record("cancelled on the loop") }.cancel()
            }
            try await value(of: onLoop)
            try await value(of: loop.scheduleTask(in: .milliseconds(200)) { ran.record("later") }.futureResult)
            #expect(ran.values == ["later"])
        }
    }

    @Test func aTaskScheduledFromAnotherThreadWakesASleepingLoop() async throws {
        try await withLoop { loop in
            try await value(of: loop.submit {})
            try await Task.sleep(for: .milliseconds(50))  // now blocked in epoll_wait with no timeout
            // Not woken, the loop would never run it: a timeout, not a duration, is the check
            // (a loaded machine may take a while to schedule the loop's thread).
            try await value(of: loop.scheduleTask(in: .milliseconds(20)) {}.futureResult, within: .seconds(10))

            // Sleeping until a far deadline, a nearer one scheduled from elsewhere still counts.
            let far = loop.scheduleTask(in: .seconds(30)) {}
            try await Task.sleep(for: .milliseconds(50))
            try await value(of: loop.scheduleTask(in: .milliseconds(20)) {}.futureResult, within: .seconds(10))
            far.cancel()
        }
    }

    @Test func shutdownRunsQueuedTasksFailsScheduledOnesAndEndsTheThread() async throws {
        let name = "ttl-stop-\(getpid() % 10000)"
        let loop = try EpollLoop(name: name)
        try await value(of: loop.submit {})
        #expect(processThreadNames().contains(name))
        let pending = bounded(loop.scheduleTask(in: .seconds(30)) {}.futureResult)
        let ran = Recorder<String>()
        loop.execute { ran.record("queued before") }
        try await shutDown(loop)
        #expect(ran.values == ["queued before"])
        let error = try await error(of: pending)
        #expect(error as? EventLoopError == .shutdown)
        #expect(!processThreadNames().contains(name))
        #expect(!loop.inEventLoop)

        // Afterwards tasks are dropped, and another shutdown still calls back.
        loop.execute { ran.record("queued after") }
        try await shutDown(loop)
        #expect(ran.values == ["queued before"])
    }
}
