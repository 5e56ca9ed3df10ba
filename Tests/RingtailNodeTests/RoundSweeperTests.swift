import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import RingtailNode

/// The coordinator's one-timer-per-loop deadlines, on an embedded event loop's virtual clock.
@Suite struct RoundSweeperTests {
    /// Counts what the sweeper did to it; `settle()` stands for the last replica answering.
    final class Probe: SweptRound {
        private let counts = Mutex<(hedged: Int, expired: Int, settled: Bool)>((0, 0, false))
        var isSettled: Bool { counts.withLock { $0.settled } }
        var hedged: Int { counts.withLock { $0.hedged } }
        var expired: Int { counts.withLock { $0.expired } }
        func settle() { counts.withLock { $0.settled = true } }
        func hedge() { counts.withLock { $0.hedged += 1 } }
        func expire() { counts.withLock { $0.expired += 1; $0.settled = true } }
    }

    @Test func slowRoundsAreHedgedOnceThenExpiredAndSettledOnesAreLeftAlone() {
        let loop = EmbeddedEventLoop()
        let sweeper = RoundSweeper(eventLoop: loop, hedgeMillis: 100, timeoutMillis: 400)
        let slow = Probe(), quick = Probe()
        sweeper.add(slow)
        sweeper.add(quick)
        quick.settle()
        loop.advanceTime(by: .milliseconds(99))
        #expect(slow.hedged == 0)
        loop.advanceTime(by: .milliseconds(26))  // the 100 ms mark, plus at most one 25 ms tick
        #expect(slow.hedged == 1)
        #expect(quick.hedged == 0)
        loop.advanceTime(by: .milliseconds(250))
        #expect(slow.expired == 0, "not before the timeout")
        loop.advanceTime(by: .milliseconds(50))
        #expect(slow.expired == 1)
        #expect(slow.hedged == 1, "hedged once")
        #expect(quick.expired == 0)
        loop.advanceTime(by: .seconds(2))
        #expect(slow.expired == 1, "expired once")
    }

    @Test func aRoundThatSettlesAfterTheHedgeIsNotExpired() {
        let loop = EmbeddedEventLoop()
        let sweeper = RoundSweeper(eventLoop: loop, hedgeMillis: 100, timeoutMillis: 400)
        let round = Probe()
        sweeper.add(round)
        loop.advanceTime(by: .milliseconds(150))
        #expect(round.hedged == 1)
        round.settle()
        loop.advanceTime(by: .seconds(1))
        #expect(round.expired == 0)
    }

    @Test func settledRoundsAreLetGoWithinATickNotAtTheirHedgeDeadline() {
        let loop = EmbeddedEventLoop()
        let sweeper = RoundSweeper(eventLoop: loop, hedgeMillis: 500, timeoutMillis: 2000)
        weak var released: Probe?
        do {
            let round = Probe()
            released = round
            sweeper.add(round)
            round.settle()
        }
        #expect(released != nil, "held until the sweeper looks")
        loop.advanceTime(by: .milliseconds(11))  // one 10 ms tick, far short of the 500 ms hedge
        #expect(released == nil)
    }

    @Test func laterRoundsGetTheirOwnDeadlines() {
        let loop = EmbeddedEventLoop()
        let sweeper = RoundSweeper(eventLoop: loop, hedgeMillis: 100, timeoutMillis: 400)
        let first = Probe(), second = Probe()
        sweeper.add(first)
        loop.advanceTime(by: .milliseconds(300))
        sweeper.add(second)
        loop.advanceTime(by: .milliseconds(125))
        #expect(first.expired == 1)
        #expect(second.hedged == 1)
        #expect(second.expired == 0)
        loop.advanceTime(by: .milliseconds(300))
        #expect(second.expired == 1)
    }
}
