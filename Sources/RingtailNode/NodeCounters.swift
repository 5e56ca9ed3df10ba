import Synchronization

/// Node-wide counters that the store does not keep: connections and protocol errors.
public final class NodeCounters: Sendable {
    private let openConnections = Atomic<Int>(0)
    private let totalConnections = Atomic<Int>(0)
    private let protocolErrors = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)

    public init() {}

    func connectionOpened() {
        openConnections.add(1, ordering: .relaxed)
        totalConnections.add(1, ordering: .relaxed)
    }

    func connectionClosed() {
        openConnections.subtract(1, ordering: .relaxed)
    }

    func protocolErrorSeen() {
        protocolErrors.add(1, ordering: .relaxed)
    }

    func requestStarted() {
        inFlight.add(1, ordering: .relaxed)
    }

    func requestFinished() {
        inFlight.subtract(1, ordering: .relaxed)
    }

    /// Waits until no coordinated request is in flight, or `upToMillis` has passed.
    func waitForInFlightRequests(upToMillis limit: Int) async {
        var waited = 0
        while inFlight.load(ordering: .relaxed) > 0, waited < limit {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
    }

    public var connections: Int { openConnections.load(ordering: .relaxed) }
    public var connectionsAccepted: Int { totalConnections.load(ordering: .relaxed) }
    public var protocolErrorCount: Int { protocolErrors.load(ordering: .relaxed) }
}
