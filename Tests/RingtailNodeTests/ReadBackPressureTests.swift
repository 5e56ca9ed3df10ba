import Testing

@testable import RingtailNode

struct ReadBackPressureTests {
    @Test func readsAreHeldWhileTheConnectionCannotTakeMoreAndAskedForOnceItCan() {
        var pressure = ReadBackPressure()
        let first = pressure.mayRead(canTakeMore: true)
        let unheld = pressure.resume(canTakeMore: true)
        #expect(first && !pressure.readHeld)
        #expect(unheld == .nothing, "nothing was held")
        let full = pressure.mayRead(canTakeMore: false)
        #expect(!full && pressure.readHeld)
        let stillFull = pressure.resume(canTakeMore: false)
        let drained = pressure.resume(canTakeMore: true)
        let again = pressure.resume(canTakeMore: true)
        #expect([stillFull, drained, again] == [.nothing, .read, .nothing], "asked for once")
        #expect(!pressure.readHeld)
    }

    @Test func pausedParsingGoesOnFromOneTaskAndThenReadsAgain() {
        var pressure = ReadBackPressure()
        let roomy = pressure.mayParseOn(canTakeMore: true)
        let full = pressure.mayParseOn(canTakeMore: false)
        #expect(roomy && !full && pressure.parsingPaused && pressure.readHeld)
        let readWhilePaused = pressure.mayRead(canTakeMore: true)
        #expect(!readWhilePaused, "a paused connection does not read")
        let resumptions = [
            pressure.resume(canTakeMore: false), pressure.resume(canTakeMore: true), pressure.resume(canTakeMore: true),
        ]
        #expect(resumptions == [.nothing, .scheduleParsing, .nothing], "one task at a time")
        // The socket filled up again before the task ran: it does nothing, and the next
        // resume queues another.
        let ranFull = pressure.resumeTaskRuns(canTakeMore: false)
        #expect(!ranFull && pressure.parsingPaused)
        let requeued = pressure.resume(canTakeMore: true)
        #expect(requeued == .scheduleParsing)
        let ran = pressure.resumeTaskRuns(canTakeMore: true)
        #expect(ran && !pressure.parsingPaused)
        let readsAgain = pressure.parsedWhatWaited()
        #expect(readsAgain && !pressure.readHeld)
    }

    @Test func parsingThatPausesAgainKeepsReadsHeld() {
        var pressure = ReadBackPressure()
        _ = pressure.mayParseOn(canTakeMore: false)
        let scheduled = pressure.resume(canTakeMore: true)
        let ran = pressure.resumeTaskRuns(canTakeMore: true)
        let filledAgain = !pressure.mayParseOn(canTakeMore: false)
        let readsAgain = pressure.parsedWhatWaited()
        #expect(scheduled == .scheduleParsing && ran && filledAgain)
        #expect(!readsAgain && pressure.readHeld && pressure.parsingPaused)
        let next = pressure.resume(canTakeMore: true)
        #expect(next == .scheduleParsing)
    }
}
