import Foundation

/// The command statistics as `/metrics` and `INFO commandstats` show them.
extension RESPCommandStats {
    static let metricName = "ringtail_redis_command_duration_seconds"

    /// A Prometheus histogram per (command, outcome), in the text exposition format.
    func prometheusText() -> String {
        var text = """
            # HELP \(Self.metricName) Redis commands by command and outcome: from the request being read to its reply being ready.
            # TYPE \(Self.metricName) histogram\n
            """
        for series in snapshot() {
            let labels = "command=\"\(series.kind)\",outcome=\"\(series.outcome.label)\""
            var cumulative: UInt64 = 0
            for (index, bound) in RESPLatencyBuckets.boundsNanos.enumerated() {
                cumulative &+= series.buckets[index]
                text += "\(Self.metricName)_bucket{\(labels),le=\"\(Double(bound) / 1e9)\"} \(cumulative)\n"
            }
            text += "\(Self.metricName)_bucket{\(labels),le=\"+Inf\"} \(series.count)\n"
            text += "\(Self.metricName)_sum{\(labels)} \(Double(series.sumNanos) / 1e9)\n"
            text += "\(Self.metricName)_count{\(labels)} \(series.count)\n"
        }
        return text
    }

    /// Calls, time and failed calls (error and unavailable replies) by command.
    func totalsByCommand() -> [RESPCommandKind: RESPStatsTotals.Command] {
        var totals: [RESPCommandKind: RESPStatsTotals.Command] = [:]
        for series in snapshot() {
            var total = totals[series.kind] ?? RESPStatsTotals.Command()
            total.calls &+= series.count
            total.nanos &+= series.sumNanos
            if series.outcome == .error || series.outcome == .unavailable { total.failed &+= series.count }
            totals[series.kind] = total
        }
        return totals
    }

    /// Redis's `# Commandstats` section: one `cmdstat_<name>` line per command called.
    static func commandstatsSection(_ totals: [RESPCommandKind: RESPStatsTotals.Command]) -> String {
        var text = "# Commandstats\r\n"
        for kind in RESPCommandKind.allCases {
            guard let total = totals[kind], total.calls > 0 else { continue }
            let micros = total.nanos / 1000
            let perCall = String(format: "%.2f", Double(total.nanos) / 1000 / Double(total.calls))
            text += "cmdstat_\(kind):calls=\(total.calls),usec=\(micros),usec_per_call=\(perCall),rejected_calls=0,failed_calls=\(total.failed)\r\n"
        }
        return text
    }
}
