import Synchronization

/// What anti-entropy knows about each partition on this node, for `cachectl repair status`
/// and metrics.
final class RepairProgress: Sendable {
    /// The outcome of the last exchange of a partition.
    enum PartitionState: UInt8 {
        case unchecked
        case inSync
        case outOfSync
    }

    struct Totals {
        var keysRepaired: UInt64 = 0
        var bytesRepaired: UInt64 = 0
        var sessions: UInt64 = 0
        var failedSessions: UInt64 = 0
        var lastExchangeMillis: UInt64 = 0
    }

    private let states: Mutex<[PartitionState]>
    /// Partitions with an exchange under way; their state stays the last outcome meanwhile.
    private let active = Mutex<Set<Int>>([])
    private let totals = Mutex(Totals())

    init(partitionCount: Int) {
        states = Mutex(Array(repeating: .unchecked, count: partitionCount))
    }

    func started(_ partition: Int) {
        active.withLock { _ = $0.insert(partition) }
    }

    func set(_ partition: Int, _ state: PartitionState) {
        states.withLock { $0[partition] = state }
        active.withLock { _ = $0.remove(partition) }
    }

    func finished(keys: Int, bytes: Int, failed: Bool, atMillis now: UInt64) {
        totals.withLock { totals in
            totals.sessions += 1
            if failed { totals.failedSessions += 1 }
            totals.keysRepaired += UInt64(keys)
            totals.bytesRepaired += UInt64(bytes)
            totals.lastExchangeMillis = now
        }
    }

    /// Counts by state over `partitions` (the ones this node replicates).
    /// Counts by last outcome over `partitions` (the ones this node replicates), and how many
    /// of them have an exchange under way.
    func counts(over partitions: [Int]) -> (inSync: Int, outOfSync: Int, repairing: Int, unchecked: Int) {
        let running = active.withLock { $0 }
        return states.withLock { states in
            var counts = (inSync: 0, outOfSync: 0, repairing: 0, unchecked: 0)
            for partition in partitions {
                switch states[partition] {
                case .inSync: counts.inSync += 1
                case .outOfSync: counts.outOfSync += 1
                case .unchecked: counts.unchecked += 1
                }
                if running.contains(partition) { counts.repairing += 1 }
            }
            return counts
        }
    }

    var snapshot: Totals { totals.withLock { $0 } }
}
