/// The per-second rate of a growing total, averaged over its last readings: what Redis's INFO
/// calls instantaneous (`instantaneous_ops_per_sec` and the like, read every 100 ms).
struct InstantaneousRate: Sendable, Equatable {
    /// Readings averaged over: 16 at 100 ms apart make the rate of the last 1.6 s.
    static let window = 16

    private var rates = [Double](repeating: 0, count: window)
    private var next = 0
    private var last: (millis: UInt64, total: UInt64)?

    /// Records `total` as read at `millis` (a monotonic clock). A reading no later than the
    /// one before, or a total that went down, only starts the next interval.
    mutating func record(total: UInt64, atMillis millis: UInt64) {
        defer { last = (millis, total) }
        guard let last, millis > last.millis, total >= last.total else { return }
        rates[next] = Double(total - last.total) * 1000 / Double(millis - last.millis)
        next = (next + 1) % Self.window
    }

    /// The average of the last `window` intervals' rates, per second.
    var perSecond: Double { rates.reduce(0, +) / Double(Self.window) }

    static func == (a: Self, b: Self) -> Bool {
        a.rates == b.rates && a.next == b.next && a.last?.millis == b.last?.millis && a.last?.total == b.last?.total
    }
}

/// What INFO reports as recent rates and peaks, sampled every 100 ms by the Redis listener.
struct RESPInstantaneousStats: Sendable, Equatable {
    var commands = InstantaneousRate()
    var inputBytes = InstantaneousRate()
    var outputBytes = InstantaneousRate()
    /// The most memory the store has accounted for at any reading.
    var peakMemoryBytes = 0

    mutating func record(atMillis millis: UInt64, commands: UInt64, inputBytes: UInt64, outputBytes: UInt64, memoryBytes: Int) {
        self.commands.record(total: commands, atMillis: millis)
        self.inputBytes.record(total: inputBytes, atMillis: millis)
        self.outputBytes.record(total: outputBytes, atMillis: millis)
        peakMemoryBytes = max(peakMemoryBytes, memoryBytes)
    }
}
