import RingtailModel

/// Read repair: bring the replicas that answered with something older up to the newest entry.
/// The coordinator sends `entry` to every listed replica in the background, after it has
/// answered its client; the client never waits for repair.
public struct ReadRepairPlan<Payload> {
    /// The entry to write back: the newest one read, tombstones included, so a replica that
    /// missed a delete does not serve the old value again.
    public var entry: ReplicaEntry<Payload>
    /// The replicas that are behind, in target order.
    public var replicas: [RepairTarget]

    public init(entry: ReplicaEntry<Payload>, replicas: [RepairTarget]) {
        self.entry = entry
        self.replicas = replicas
    }

    public var nodes: [NodeID] { replicas.map(\.node) }
}

extension ReadRepairPlan: Sendable where Payload: Sendable {}
extension ReadRepairPlan: Equatable where Payload: Equatable {}
extension ReadRepairPlan: Hashable where Payload: Hashable {}

/// A replica that needs repair, and what it had.
public struct RepairTarget: Sendable, Hashable, CustomStringConvertible {
    public var node: NodeID
    /// The version the replica reported; nil when it had nothing for the key.
    public var reported: Version?

    public init(node: NodeID, reported: Version?) {
        self.node = node
        self.reported = reported
    }

    public var description: String { "\(node) (\(reported.map { "had \($0)" } ?? "missing"))" }
}

extension ReadRound {
    /// Which replicas answered with an older version or with nothing while a newer entry
    /// exists, and what to send them; nil when nobody is behind.
    ///
    /// Replicas that failed or never answered are left out: nothing is known about them, and
    /// hinted handoff or a later read covers them. Call it once `isComplete`, or when the
    /// coordinator stops waiting; earlier calls see only part of the picture.
    ///
    /// When the newest entry is a value already expired at `nowMillis`, replicas with nothing
    /// are not repaired (they already read as not found and would drop an expired value on
    /// arrival), but replicas with an older version still are: without the newer expired
    /// version they would serve the older value as if it were current.
    public func repairPlan(nowMillis: UInt64) -> ReadRepairPlan<Payload>? {
        guard let newest else { return nil }
        // Usually every replica asked holds the newest version: nothing to build.
        if allAnswersHold(newest.version) { return nil }
        let newestExpired = newest.isExpired(atMillis: nowMillis)
        var behind: [RepairTarget] = []
        for node in targets {
            guard case let answer? = entry(from: node) else { continue }
            switch answer {
            case nil where !newestExpired:
                behind.append(RepairTarget(node: node, reported: nil))
            case let entry? where entry.version < newest.version:
                behind.append(RepairTarget(node: node, reported: entry.version))
            default:
                break
            }
        }
        return behind.isEmpty ? nil : ReadRepairPlan(entry: newest, replicas: behind)
    }
}
