import RingtailModel

/// What the instance asks its shell to do. The shell executes them in order and has no logic of
/// its own; it never needs to look inside a message.
public enum SWIMDirective: Sendable, Hashable {
    /// Send `message` to the member listening on `address` ("host:port"). Best effort: loss is
    /// expected and handled by the protocol.
    case send(to: String, message: SWIMMessage)
    /// A member appeared (`from == nil`), changed state, or, with `from == to`, came back with a
    /// new address or weight. The shell rebuilds the ring.
    case memberStatusChanged(Member, from: MemberState?, to: MemberState)
    /// A dead or left member was forgotten after `tombstoneRetentionMillis`.
    case memberRemoved(Member)
    /// A member was refused because its `NodeTag` equals that of `conflictsWith`, which has a
    /// different name; versions could not tell the two apart. Reported once per name.
    case memberRefused(MemberUpdate, conflictsWith: NodeID)
}

/// Counters for tests and metrics; they never influence the protocol.
public struct SWIMStatistics: Sendable, Hashable {
    public var probesStarted = 0
    public var pingReqsSent = 0
    public var nacksReceived = 0
    /// Suspicions this node raised from its own failed probes.
    public var suspicionsRaised = 0
    /// Times this node raised its incarnation to contradict gossip about itself.
    public var refutations = 0
    public var syncsSent = 0
    public var reconnectAttempts = 0
    /// Probes that succeeded because other traffic from the target arrived (`heardTraffic`).
    public var probesAnsweredByTraffic = 0

    public init() {}
}
