/// Tuning of the protocol. All durations are milliseconds of the caller's clock; the instance
/// checks its deadlines only when the shell calls `tick(now:)`, so the tick interval is the
/// resolution of every timer here (tick at least twice per `pingTimeoutMillis`).
public struct SWIMSettings: Sendable, Hashable {
    /// One probe is started per period.
    public var protocolPeriodMillis: UInt64
    /// How long a direct ping may go unanswered before `k` members are asked to try (ping-req).
    public var pingTimeoutMillis: UInt64
    /// `k`: how many members are asked to probe a target that did not answer directly.
    public var indirectProbeCount: Int
    /// Lifeguard suspicion: the shortest timeout is `suspicionMultiplier × max(1, log10 n) × period`,
    /// reached once `suspicionMultiplier - 2` other members independently confirm the suspicion.
    public var suspicionMultiplier: Int
    /// The longest suspicion timeout, used while nobody confirms, is this times the shortest.
    public var suspicionMaxMultiplier: Int
    /// λ: each update is piggybacked `λ × ceil(log10(n + 1))` times before it is dropped.
    public var retransmitMultiplier: Int
    /// At most this many updates ride on one ping, ping-req or ack.
    public var maxGossipPerMessage: Int
    /// Full-state exchange with one random member; stretched by log2(n/32) past 32 members.
    public var pushPullIntervalMillis: UInt64
    /// How often one dead member is sent a full-state sync, so a healed partition or a revived
    /// node is found again without an operator.
    public var reconnectIntervalMillis: UInt64
    /// How often the seeds are contacted again while no other live member is known.
    public var joinRetryIntervalMillis: UInt64
    /// Dead and left members are forgotten this long after their last state change.
    public var tombstoneRetentionMillis: UInt64
    /// A leaving node tells this many members directly, then relies on gossip.
    public var leaveFanout: Int

    public init(
        protocolPeriodMillis: UInt64,
        pingTimeoutMillis: UInt64,
        indirectProbeCount: Int,
        suspicionMultiplier: Int,
        suspicionMaxMultiplier: Int,
        retransmitMultiplier: Int,
        maxGossipPerMessage: Int,
        pushPullIntervalMillis: UInt64,
        reconnectIntervalMillis: UInt64,
        joinRetryIntervalMillis: UInt64,
        tombstoneRetentionMillis: UInt64,
        leaveFanout: Int
    ) {
        self.protocolPeriodMillis = protocolPeriodMillis
        self.pingTimeoutMillis = pingTimeoutMillis
        self.indirectProbeCount = indirectProbeCount
        self.suspicionMultiplier = suspicionMultiplier
        self.suspicionMaxMultiplier = suspicionMaxMultiplier
        self.retransmitMultiplier = retransmitMultiplier
        self.maxGossipPerMessage = maxGossipPerMessage
        self.pushPullIntervalMillis = pushPullIntervalMillis
        self.reconnectIntervalMillis = reconnectIntervalMillis
        self.joinRetryIntervalMillis = joinRetryIntervalMillis
        self.tombstoneRetentionMillis = tombstoneRetentionMillis
        self.leaveFanout = leaveFanout
    }

    /// A data-centre network: the numbers memberlist ships for LAN, with a faster reconnect
    /// (10 s) because a cache wants a healed partition back soon.
    public static let lan = SWIMSettings(
        protocolPeriodMillis: 1000,
        pingTimeoutMillis: 500,
        indirectProbeCount: 3,
        suspicionMultiplier: 4,
        suspicionMaxMultiplier: 6,
        retransmitMultiplier: 4,
        maxGossipPerMessage: 10,
        pushPullIntervalMillis: 30_000,
        reconnectIntervalMillis: 10_000,
        joinRetryIntervalMillis: 2000,
        tombstoneRetentionMillis: 24 * 3_600_000,
        leaveFanout: 3
    )

    /// Loopback clusters in tests: five times faster than `lan`; tick every 50 ms.
    public static let fastLocal = SWIMSettings(
        protocolPeriodMillis: 200,
        pingTimeoutMillis: 100,
        indirectProbeCount: 3,
        suspicionMultiplier: 3,
        suspicionMaxMultiplier: 6,
        retransmitMultiplier: 3,
        maxGossipPerMessage: 10,
        pushPullIntervalMillis: 5000,
        reconnectIntervalMillis: 2000,
        joinRetryIntervalMillis: 500,
        tombstoneRetentionMillis: 600_000,
        leaveFanout: 3
    )
}

extension SWIMSettings {
    /// The shortest and longest suspicion timeout for a cluster of `clusterSize` live members.
    public func suspicionTimeoutRange(clusterSize: Int) -> (min: UInt64, max: UInt64) {
        let scale = Swift.max(1, Logarithm.log10(Double(Swift.max(1, clusterSize))))
        let shortest = UInt64((Double(suspicionMultiplier) * scale * Double(protocolPeriodMillis)).rounded())
        return (shortest, shortest * UInt64(Swift.max(1, suspicionMaxMultiplier)))
    }

    /// How many independent confirmations drive a suspicion to its shortest timeout.
    func suspicionConfirmationsWanted(clusterSize: Int) -> Int {
        let wanted = suspicionMultiplier - 2
        // In a tiny cluster there is nobody left to confirm: use the shortest timeout at once.
        return clusterSize - 2 < wanted ? 0 : Swift.max(0, wanted)
    }

    /// How many times one update is piggybacked before it is dropped.
    public func retransmitLimit(clusterSize: Int) -> Int {
        let scale = Logarithm.log10(Double(clusterSize + 1)).rounded(.up)
        return retransmitMultiplier * Swift.max(1, Int(scale))
    }

    /// The push-pull interval, stretched in large clusters so sync traffic stays bounded.
    public func pushPullInterval(clusterSize: Int) -> UInt64 {
        let threshold = 32.0
        guard Double(clusterSize) > threshold else { return pushPullIntervalMillis }
        let factor = (Logarithm.log2(Double(clusterSize)) - Logarithm.log2(threshold)).rounded(.up) + 1
        return pushPullIntervalMillis * UInt64(factor)
    }
}

/// Logarithms without Foundation or libm, so the module stays platform-free. Accurate to ~1e-15,
/// far beyond what timeouts need.
enum Logarithm {
    static func ln(_ x: Double) -> Double {
        precondition(x > 0, "logarithm of a non-positive number")
        // x = m · 2^e with m in [1, 2); ln m = 2 atanh((m-1)/(m+1)), a fast series for |z| ≤ 1/3.
        let m = x.significand
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var term = z
        var sum = 0.0
        var k = 1.0
        for _ in 0..<24 {
            sum += term / k
            term *= z2
            k += 2
        }
        return 2 * sum + Double(x.exponent) * 0.693_147_180_559_945_3
    }

    static func log10(_ x: Double) -> Double { ln(x) / 2.302_585_092_994_046 }
    static func log2(_ x: Double) -> Double { ln(x) / 0.693_147_180_559_945_3 }
}
