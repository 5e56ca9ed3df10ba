import Foundation
import RingtailChecker

/// latency.svg: every operation's latency (log scale) against its start time, fault windows
/// shaded, so a fault's effect on latency and errors is visible at a glance.
struct LatencyChart {
    let history: [Operation]
    let faults: [FaultWindow]

    private let width = 1000.0
    private let height = 420.0
    private let left = 60.0
    private let right = 20.0
    private let top = 30.0
    private let bottom = 40.0
    /// Enough dots to see the shape; more only makes the file large.
    private let maxPoints = 20_000

    func svg() -> String {
        let end = max(1, history.map(\.completeMillis).max() ?? 1) / 1000
        let latencies = history.map { max(0.01, $0.completeMillis - $0.invokeMillis) }
        let lowDecade = floor(log10(latencies.min() ?? 0.1))
        let highDecade = max(lowDecade + 1, ceil(log10(latencies.max() ?? 10)))
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ seconds: Double) -> Double { left + seconds / end * plotWidth }
        func y(_ millis: Double) -> Double { top + plotHeight - (log10(millis) - lowDecade) / (highDecade - lowDecade) * plotHeight }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="18" font-size="13">Operation latency over time (log scale); shaded: faults</text>

            """
        for fault in faults {
            let x0 = x(fault.startMillis / 1000)
            let x1 = x(fault.endMillis / 1000)
            out += "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(max(1, x1 - x0)))\" height=\"\(f(plotHeight))\" fill=\"\(shade(fault.kind))\"/>\n"
            out += "<text x=\"\(f(x0 + 2))\" y=\"\(f(top + 12))\">\(fault.kind.rawValue) \(fault.node)</text>\n"
        }
        var decade = lowDecade
        while decade <= highDecade {
            let value = pow(10, decade)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(value < 1 ? String(format: "%g", value) : String(Int(value))) ms</text>\n"
            decade += 1
        }
        let step = max(1.0, (end / 10).rounded(.up))
        var tick = 0.0
        while tick <= end {
            out += "<text x=\"\(f(x(tick)))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(Int(tick)) s</text>\n"
            tick += step
        }
        let stride = max(1, history.count / maxPoints)
        for index in Swift.stride(from: 0, to: history.count, by: stride) {
            let operation = history[index]
            out += "<circle cx=\"\(f(x(operation.invokeMillis / 1000)))\" cy=\"\(f(y(latencies[index])))\" r=\"1.3\" fill=\"\(color(operation))\"/>\n"
        }
        var legendX = left
        for (label, fill) in [("get", "#1f77b4"), ("set", "#2ca02c"), ("delete", "#9467bd"), ("unknown", "#d62728"), ("failed", "#7f7f7f")] {
            out += "<circle cx=\"\(f(legendX + 4))\" cy=\"\(f(height - 10))\" r=\"4\" fill=\"\(fill)\"/><text x=\"\(f(legendX + 12))\" y=\"\(f(height - 6))\">\(label)</text>\n"
            legendX += 80
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#888\"/>\n</svg>\n"
        return out
    }

    /// Process faults in red, pauses in orange, network partitions in blue.
    private func shade(_ kind: FaultKind) -> String {
        switch kind {
        case .kill, .leave: "#f7c6c6"
        case .pause: "#fde2b0"
        case .partition, .bridge: "#c9dcf5"
        }
    }

    private func color(_ operation: Operation) -> String {
        switch (operation.outcome, operation.kind) {
        case (.unknown, _): "#d62728"
        case (.failed, _): "#7f7f7f"
        case (.ok, .get): "#1f77b4"
        case (.ok, .set): "#2ca02c"
        case (.ok, .delete): "#9467bd"
        case (.ok, .flush): "#000000"
        }
    }
}
