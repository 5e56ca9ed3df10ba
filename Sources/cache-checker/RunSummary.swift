import Foundation
import RingtailChecker

/// The run's results: the human summary on stdout and the files in --out.
struct RunSummary: Sendable {
    let settings: RunSettings
    let report: CheckReport
    let faults: [FaultWindow]
    /// Fault kinds this machine could not inject, with the reason.
    let skippedFaults: [String]
    let settled: Convergence.Settled
    let roots: Convergence.Roots
    let valid: Bool
    let latency: Latency
    let durationMillis: Double
    /// FLUSHALLs sent (`--flush-every`), and how many were acknowledged.
    let flushes: (sent: Int, acknowledged: Int)

    struct Latency: Sendable, Codable {
        var p50: Double
        var p99: Double
        var p999: Double
        var max: Double
    }

    init(settings: RunSettings, history: [Operation], report: CheckReport, faults: [FaultWindow], skippedFaults: [String],
         settled: Convergence.Settled, roots: Convergence.Roots, valid: Bool) {
        self.settings = settings
        self.report = report
        self.faults = faults
        self.skippedFaults = skippedFaults
        self.settled = settled
        self.roots = roots
        self.valid = valid
        // Key operations only: a flush waits for every member, and is counted apart.
        let sorted = history.filter { $0.outcome == .ok && $0.kind != .flush }.map { $0.completeMillis - $0.invokeMillis }.sorted()
        flushes = (history.count { $0.kind == .flush }, history.count { $0.kind == .flush && $0.outcome == .ok })
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
        }
        latency = Latency(p50: percentile(0.5), p99: percentile(0.99), p999: percentile(0.999), max: sorted.last ?? 0)
        durationMillis = history.map(\.completeMillis).max() ?? 0
    }

    func text() -> String {
        let counts = report.counts
        let ms = { (value: Double) in String(format: "%.2f ms", value) }
        let rate = durationMillis > 0 ? Int(Double(counts.operations) / (durationMillis / 1000)) : 0
        var lines = [
            "operations    \(counts.operations) (\(rate)/s): \(counts.acknowledged) acknowledged, \(counts.failed) failed, \(counts.unknown) unknown",
            "keys          \(counts.keys), \(counts.replicaCopies) replica copies read directly",
            "lost writes   \(report.lostWrites.count) replica copies on \(report.lostKeys) keys",
            "stale reads   \(report.staleReads.count)\(settings.staleReadsAreErrors ? " (errors)" : " (counted, not errors)")",
            "lost updates  " + (settings.lostUpdatesAreFigures
                ? "\(report.lostUpdates.count) replica copies on \(report.lostUpdateKeys) keys (LWW order against real time: counted, not errors)"
                : "errors (counted with lost writes)"),
            "phantoms      \(report.phantoms.count)",
            "divergent     \(report.divergences.count) keys; partition roots: \(roots.differing) of \(roots.partitions) differ, \(roots.unreadable) unreadable",
            "convergence   \(settled.converged ? "in sync after \(Int(settled.millis)) ms" : "NOT in sync within \(Int(settled.millis)) ms")",
            "faults        \(faults.isEmpty ? "none" : faults.map { "\($0.kind.rawValue) \($0.node) \(String(format: "%.1f-%.1f s", $0.startMillis / 1000, $0.endMillis / 1000))" }.joined(separator: ", "))"
                + (skippedFaults.isEmpty ? "" : "; SKIPPED: " + skippedFaults.joined(separator: ", ")),
            "latency       p50 \(ms(latency.p50)), p99 \(ms(latency.p99)), p999 \(ms(latency.p999)), max \(ms(latency.max))",
        ]
        if settings.flushIntervalMillis != nil {
            lines.insert("flushes       \(flushes.sent) sent, \(flushes.acknowledged) acknowledged (each judged as a delete of every key)", at: 2)
        }
        for lost in report.lostWrites.prefix(5) {
            lines.append("  LOST \(lost.key) on \(lost.replica): holds \(lost.held ?? "nothing"), allowed \(lost.allowed.map { $0 ?? "nothing" }.prefix(4).joined(separator: " | "))")
        }
        for phantom in report.phantoms.prefix(5) {
            lines.append("  PHANTOM \(phantom.key) = \(phantom.value) (\(phantom.operation.map { "read #\($0)" } ?? "replica \(phantom.replica ?? "?")")): \(phantom.reason)")
        }
        for divergence in report.divergences.prefix(5) {
            lines.append("  DIVERGENT \(divergence.key): \(divergence.replicas.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value ?? "nothing")" }.joined(separator: " "))")
        }
        for update in report.lostUpdates.prefix(3) {
            lines.append("  LOST UPDATE \(update.key) on \(update.replica): holds \(update.held ?? "nothing"), real time says \(update.allowed.map { $0 ?? "nothing" }.prefix(4).joined(separator: " | "))")
        }
        for stale in report.staleReads.prefix(3) {
            lines.append("  STALE read #\(stale.operation) of \(stale.key) returned \(stale.returned ?? "nothing") after write #\(stale.newerWrite) was acknowledged")
        }
        var verdict = valid ? "VALID: every invariant holds" : "INVALID: " + report.violations.joined(separator: ", ")
        if !valid && roots.differing + roots.unreadable > 0 {
            let parts = [(roots.differing, "partitions with differing roots"), (roots.unreadable, "unreadable partition roots")]
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
            verdict += (report.violations.isEmpty ? "" : ", ") + parts.joined(separator: ", ")
        }
        lines.append(verdict)
        return lines.joined(separator: "\n") + "\n"
    }

    /// report.json, history.jsonl and latency.svg.
    func write(history: [Operation], to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = ReportFile(
            command: settings.commandLine, date: ISO8601DateFormatter().string(from: Date()), seed: settings.seed,
            valid: valid, violations: report.violations, check: report, faults: faults, skippedFaults: skippedFaults, convergence: settled,
            roots: roots, latencyMillis: latency, durationMillis: durationMillis,
            settings: .init(hosts: settings.hosts.map(\.description), concurrency: settings.concurrency, keys: settings.keys,
                            mix: [settings.weights.get, settings.weights.set, settings.weights.delete],
                            writeQuorum: settings.writeQuorum, readQuorum: settings.readQuorum, valueSize: settings.valueSize,
                            opTimeoutMillis: settings.opTimeoutMillis, staleReadsAreErrors: settings.staleReadsAreErrors,
                            lostUpdatesAreFigures: settings.lostUpdatesAreFigures)
        )
        try encoder.encode(json).write(to: directory.appendingPathComponent("report.json"))
        encoder.outputFormatting = [.sortedKeys]
        var lines = Data()
        for operation in history {
            lines += try encoder.encode(HistoryLine(operation)) + Data("\n".utf8)
        }
        try lines.write(to: directory.appendingPathComponent("history.jsonl"))
        let chart = LatencyChart(history: history, faults: faults).svg()
        try Data(chart.utf8).write(to: directory.appendingPathComponent("latency.svg"))
    }
}

/// The shape of report.json.
struct ReportFile: Codable {
    struct Settings: Codable {
        var hosts: [String]
        var concurrency: Int
        var keys: Int
        var mix: [Int]
        var writeQuorum: Int
        var readQuorum: Int
        var valueSize: Int
        var opTimeoutMillis: UInt64
        var staleReadsAreErrors: Bool
        var lostUpdatesAreFigures: Bool
    }

    var command: String
    var date: String
    var seed: UInt64
    var valid: Bool
    var violations: [String]
    var check: CheckReport
    var faults: [FaultWindow]
    var skippedFaults: [String]
    var convergence: Convergence.Settled
    var roots: Convergence.Roots
    var latencyMillis: RunSummary.Latency
    var durationMillis: Double
    var settings: Settings
}

/// One line of history.jsonl.
struct HistoryLine: Codable {
    var index: Int
    var client: Int
    var kind: OperationKind
    var key: String
    var value: String?
    var version: String?
    var invokeMillis: Double
    var completeMillis: Double
    var outcome: Outcome

    init(_ operation: Operation) {
        index = operation.index
        client = operation.client
        kind = operation.kind
        key = operation.key
        value = operation.value
        version = operation.version?.description
        invokeMillis = operation.invokeMillis
        completeMillis = operation.completeMillis
        outcome = operation.outcome
    }
}
