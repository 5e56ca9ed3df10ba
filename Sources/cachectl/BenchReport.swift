import Foundation

/// The summary of measured phases, as text for people or one JSON object for scripts.
/// ops/s counts answered requests only; failed ones are counted apart and kept out of the
/// latency percentiles.
struct BenchReport {
    var host: String
    var settings: BenchSettings

    static let percentiles: [(label: String, value: Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]

    var header: String {
        let bounds = [settings.requests.map { "\($0) requests" }, settings.durationText.map { "\($0)" }]
            .compactMap { $0 }.joined(separator: " or ")
        var protocolName = "binary RPC"
        if settings.resp {
            protocolName = "Redis protocol"
            if let wait = settings.wait { protocolName += ", WAIT \(wait.replicas) \(wait.timeoutMillis) after each SET" }
        }
        return "cachectl bench → \(host) (\(protocolName)): \(settings.connections) connections, \(settings.concurrency) streams, "
            + "pipeline \(settings.pipeline), \(settings.valueSize)-byte values, \(settings.keyspace) \(settings.keyPattern.rawValue) keys, "
            + "\(settings.threads) client thread\(settings.threads == 1 ? "" : "s"); each test bounded by \(bounds)"
    }

    func text(_ result: BenchPhaseResult) -> String {
        let tally = result.tally
        let opsPerSecond = result.seconds > 0 ? Double(tally.succeeded) / result.seconds : 0
        var lines = [
            "\(result.test.name): \(tally.succeeded + tally.errorCount) requests in \(String(format: "%.2f", result.seconds)) s, "
                + "\(tally.errorCount) errors, \(String(format: "%.0f", opsPerSecond)) ops/s"
        ]
        if tally.succeeded > 0 {
            let cells = Self.percentiles.map { "\($0.label) \(Self.format(tally.latency.valueAtPercentile($0.value)))" }
            lines.append("  latency  " + (cells + ["max \(Self.format(tally.latency.max))"]).joined(separator: "  "))
        }
        if result.test.readsKeys {
            lines.append("  GET hits \(tally.hits), misses \(tally.misses)")
        }
        if !tally.errors.isEmpty {
            let kinds = tally.errors.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
            lines.append("  errors: " + kinds.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    func json(_ results: [BenchPhaseResult]) -> [String: Any] {
        [
            "host": host,
            "connections": settings.connections,
            "concurrency": settings.concurrency,
            "pipeline": settings.pipeline,
            "valueSize": settings.valueSize,
            "keyspace": settings.keyspace,
            "keyPattern": settings.keyPattern.rawValue,
            "threads": settings.threads,
            "protocol": settings.resp ? "resp" : "rpc",
            "waitReplicas": settings.wait.map { $0.replicas as Any } ?? NSNull(),
            "tests": results.map(Self.json),
        ]
    }

    private static func json(_ result: BenchPhaseResult) -> [String: Any] {
        let tally = result.tally
        var latency: [String: Any] = [:]
        if tally.succeeded > 0 {
            for (label, value) in percentiles {
                latency[label] = micros(tally.latency.valueAtPercentile(value))
            }
            latency["max"] = micros(tally.latency.max)
            latency["mean"] = (tally.latency.mean / 100).rounded() / 10
        }
        var object: [String: Any] = [
            "name": result.test.name,
            "requests": tally.succeeded + tally.errorCount,
            "succeeded": tally.succeeded,
            "errors": tally.errorCount,
            "errorKinds": tally.errors,
            "seconds": (result.seconds * 1000).rounded() / 1000,
            "opsPerSecond": result.seconds > 0 ? (Double(tally.succeeded) / result.seconds).rounded() : 0,
            "latencyMicros": latency,
        ]
        if result.test.readsKeys {
            object["hits"] = tally.hits
            object["misses"] = tally.misses
        }
        return object
    }

    /// Nanoseconds as microseconds with one decimal.
    private static func micros(_ nanoseconds: UInt64) -> Double {
        (Double(nanoseconds) / 100).rounded() / 10
    }

    /// Nanoseconds for people: µs below a millisecond, then ms, then s.
    static func format(_ nanoseconds: UInt64) -> String {
        let value = Double(nanoseconds)
        switch value {
        case ..<1e6: return String(format: "%.0f µs", value / 1e3)
        case ..<1e9: return String(format: "%.2f ms", value / 1e6)
        default: return String(format: "%.2f s", value / 1e9)
        }
    }
}
