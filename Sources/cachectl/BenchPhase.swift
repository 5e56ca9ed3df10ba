import Foundation
import NIOCore
import RingtailModel

/// How one phase is driven: how many streams, how deep each one's batches are, and what
/// bounds it.
struct BenchShape: Sendable {
    var streams: Int
    var pipeline: Int
    var requests: Int?
    var duration: TimeAmount?
    /// False for the prefill: writes go unconfirmed (no WAIT after a Redis SET).
    var confirmWrites = true
}

/// What a phase measured.
struct BenchPhaseResult: Sendable {
    var test: BenchTest
    var seconds: Double
    var tally: BenchTally
}

enum BenchPhase {
    /// Runs `workload` over every connection until the request budget is spent or the
    /// duration is over, showing progress on stderr under `label`.
    static func run(
        label: String, workload: BenchWorkload, shape: BenchShape,
        connections: [any BenchTarget], seed: UInt64
    ) async throws -> BenchPhaseResult {
        let start = NIODeadline.now()
        let counters = BenchCounters(limit: shape.requests, deadline: shape.duration.map { start + $0 })
        // Drivers' seeds are drawn, not offset: SplitMix64 states a fixed step apart would
        // replay one another's keys.
        var seeds = SplitMix64(seed: seed)
        // Streams spread as evenly as they go; a connection without streams stays idle.
        let futures = connections.enumerated().map { index, connection in
            let streams = shape.streams / connections.count + (index < shape.streams % connections.count ? 1 : 0)
            return connection.runStreams(
                streams, pipeline: shape.pipeline, workload: workload, counters: counters,
                seed: seeds.next(), confirmWrites: shape.confirmWrites
            )
        }
        let progress = Task { await BenchProgress.show(label: label, counters: counters, start: start) }
        var tally = BenchTally()
        do {
            for future in futures { tally.merge(try await future.get()) }
        } catch {
            progress.cancel()
            await progress.value
            throw error
        }
        let seconds = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        progress.cancel()
        await progress.value
        return BenchPhaseResult(test: workload.test, seconds: seconds, tally: tally)
    }
}

/// The live progress line: rewritten in place about four times a second on a terminal,
/// one plain line a second otherwise (so logs stay readable).
enum BenchProgress {
    static func show(label: String, counters: BenchCounters, start: NIODeadline) async {
        let terminal = isatty(STDERR_FILENO) != 0
        let interval: Duration = terminal ? .milliseconds(250) : .seconds(1)
        var last = (time: start, answered: 0)
        while true {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { break }
            let now = NIODeadline.now()
            let errors = counters.errors.load(ordering: .relaxed)
            let answered = counters.completed.load(ordering: .relaxed) - errors
            let elapsed = Double((now - start).nanoseconds) / 1e9
            let window = Double((now - last.time).nanoseconds) / 1e9
            let rate = window > 0 ? Double(answered - last.answered) / window : 0
            last = (now, answered)
            let line = "\(label): \(String(format: "%.1f", elapsed)) s, \(Int(rate)) ops/s, \(answered) answered, \(errors) errors"
            write(terminal ? "\r\u{1B}[K" + line : line + "\n")
        }
        if terminal { write("\r\u{1B}[K") }
    }

    private static func write(_ text: String) {
        Output.errorText(text)
    }
}
