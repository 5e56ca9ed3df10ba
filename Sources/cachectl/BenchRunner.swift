import Foundation
import NIOCore
import RingtailModel

/// Runs the phases of one `cachectl bench`: the optional prefill, then for each test an
/// optional warmup and the measured run, printing each test's summary as it finishes (or
/// all of them as one JSON object at the end).
struct BenchRunner {
    var host: String
    var settings: BenchSettings
    var connections: [any BenchTarget]
    var json: Bool

    /// Prefill batches at least this deep: unmeasured, so only speed matters.
    private static let prefillPipeline = 16

    func run() async throws {
        let report = BenchReport(host: host, settings: settings)
        if !json { Output.line(report.header) }
        let value = BenchWorkload.value(size: settings.valueSize)
        var seeds = SplitMix64(seed: settings.seed)
        func nextSeed() -> UInt64 { seeds.next() }

        if settings.prefill {
            let workload = BenchWorkload(test: .set, keyspace: settings.keyspace, keyPattern: .sequential, value: value)
            let shape = BenchShape(streams: settings.concurrency, pipeline: max(settings.pipeline, Self.prefillPipeline), requests: settings.keyspace, confirmWrites: false)
            let result = try await BenchPhase.run(label: "prefill", workload: workload, shape: shape, connections: connections, seed: nextSeed())
            printError("prefill: \(settings.keyspace) keys in \(String(format: "%.1f", result.seconds)) s, \(result.tally.errorCount) errors")
        }

        var results: [BenchPhaseResult] = []
        for test in settings.tests {
            let workload = BenchWorkload(test: test, keyspace: settings.keyspace, keyPattern: settings.keyPattern, value: value)
            if settings.warmupMillis > 0 {
                let shape = BenchShape(streams: settings.concurrency, pipeline: settings.pipeline, duration: .milliseconds(Int64(settings.warmupMillis)))
                _ = try await BenchPhase.run(label: "\(test.name) warmup", workload: workload, shape: shape, connections: connections, seed: nextSeed())
            }
            let shape = BenchShape(
                streams: settings.concurrency, pipeline: settings.pipeline, requests: settings.requests,
                duration: settings.durationMillis.map { .milliseconds(Int64($0)) }
            )
            let result = try await BenchPhase.run(label: test.name, workload: workload, shape: shape, connections: connections, seed: nextSeed())
            results.append(result)
            if !json { Output.line(report.text(result)) }
        }
        if json { printJSON(report.json(results)) }
    }
}
