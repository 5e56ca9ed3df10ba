import Dispatch
import Glibc
import NIOCore
import NIOPosix
import RingtailLoop
import Testing

@Suite(.timeLimit(.minutes(1)))
struct EpollLoopTaskTests {
    @Test func executeFromAnotherThreadRunsOnTheLoopsThread() async throws {
        try await withLoop(name: "ttl-execute") { loop in
            #expect(!loop.inEventLoop)
            let seen = timerLoop.makePromise(of: [String].self)
            loop.execute {
                seen.succeed(["\(loop.inEventLoop)", currentThreadName()])
            }
            let observed = try await value(of: seen.futureResult)
            #expect(observed == ["true", "ttl-execute"])
            #expect(!loop.inEventLoop)
        }
    }

    @Test func tasksRunInTheOrderTheyWereQueued() async throws {
        try await withLoop { loop in
            let order = Recorder<Int>()
            for index in 0..<1000 { loop.execute { order.record(index) } }
            try await value(of: loop.submit {})
            #expect(order.values == Array(0..<1000))
        }
    }

    @Test func aTaskQueuedByARunningTaskRunsAfterThoseAlreadyQueued() async throws {
        try await withLoop { loop in
            let order = Recorder<String>()
            let done = loop.makePromise(of: Void.self)
            loop.execute {  // queues both at once, so "first" cannot run before "second" is queued
                loop.execute {
                    order.record("first")
                    loop.execute {
                        order.record("queued by first")
                        done.succeed()
                    }
                }
                loop.execute { order.record("second") }
            }
            try await value(of: done.futureResult)
            #expect(order.values == ["first", "second", "queued by first"])
        }
    }

    /// Producers racing the loop's going to sleep: a lost wake-up would leave tasks unrun.
    @Test func tasksFromManyThreadsAllRun() async throws {
        try await withLoop { loop in
            let ran = Recorder<Int>()
            let producers = 4, bursts = 50, perBurst = 100
            let allQueued = timerLoop.makePromise(of: Void.self)
            let finished = Recorder<Int>()
            for producer in 0..<producers {
                DispatchQueue.global().async {
                    for burst in 0..<bursts {
                        for task in 0..<perBurst { loop.execute { ran.record(task) } }
                        if burst % 10 == 0 { usleep(200) }  // let the loop fall asleep now and then
                    }
                    finished.record(producer)
                    if finished.values.count == producers { allQueued.succeed() }
                }
            }
            try await value(of: allQueued.futureResult)
            try await value(of: loop.submit {})
            #expect(ran.values.count == producers * bursts * perBurst)
        }
    }

    @Test func aPromiseCompletedOnANIOThreadCallsBackOnTheLoop() async throws {
        let nio = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { nio.shutdownGracefully { _ in } }
        try await withLoop { loop in
            let promise = loop.makePromise(of: Int.self)
            let callback = timerLoop.makePromise(of: [Int].self)
            promise.futureResult.whenComplete { result in
                callback.succeed([(try? result.get()) ?? -1, loop.inEventLoop ? 1 : 0])
            }
            nio.next().execute { promise.succeed(42) }
            let observed = try await value(of: callback.futureResult)
            #expect(observed == [42, 1])
        }
    }

    @Test func aNIOFutureHopsOntoTheLoop() async throws {
        let nio = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { nio.shutdownGracefully { _ in } }
        try await withLoop { loop in
            let hopped = nio.next().submit { 7 }.hop(to: loop)
            #expect(hopped.eventLoop === loop)
            let result = hopped.map { [$0, loop.inEventLoop ? 1 : 0] }
            let observed = try await value(of: result)
            #expect(observed == [7, 1])
        }
    }

    @Test func isolatedViewsRunOnTheLoop() async throws {
        try await withLoop { loop in
            let seen = timerLoop.makePromise(of: [Bool].self)
            loop.execute {
                loop.preconditionInEventLoop()
                final class NotSendable { var flags: [Bool] = [] }
                let state = NotSendable()
                let isolated = loop.assumeIsolatedUnsafeUnchecked()
                isolated.execute { state.flags.append(loop.inEventLoop) }
                isolated.scheduleTask(in: .milliseconds(5)) {
                    state.flags.append(loop.inEventLoop)
                    seen.succeed(state.flags)
                }
            }
            let observed = try await value(of: seen.futureResult)
            #expect(observed == [true, true])
            loop.preconditionNotInEventLoop()
        }
    }

    @Test func submitAndNowWork() async throws {
        try await withLoop { loop in
            let before = NIODeadline.now()
            let at = try await value(of: loop.submit { loop.now })
            #expect(at >= before && at <= .now())
            await #expect(throws: TimedOut.self) {
                try await value(of: loop.submit { throw TimedOut() })
            }
        }
    }

    @Test func aGroupHandsOutItsLoopsInTurnAndShutsThemAllDown() async throws {
        let group = try EpollLoopGroup(count: 2, name: "ttl-group")
        let first = group.next(), second = group.next(), third = group.next()
        #expect(first !== second)
        #expect(first === third)
        #expect(group.loops.count == 2)
        #expect(Array(group.makeIterator()).count == 2)
        let onLoop = try await value(of: group.loops[1].submit { group.any() === group.loops[1] })
        #expect(onLoop)
        let done = timerLoop.makePromise(of: Void.self)
        group.shutdownGracefully(queue: .global()) { _ in done.succeed() }
        try await value(of: done.futureResult)
        #expect(!processThreadNames().contains { $0.hasPrefix("ttl-group-") })
    }
}
