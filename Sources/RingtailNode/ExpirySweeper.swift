import Logging
import ServiceLifecycle

/// Reclaims expired entries and tombstones past their grace period in the background, a
/// bounded slice of every shard per round, so no lock is held for long.
public struct ExpirySweeper: Service {
    private let node: LocalNode
    private let logger: Logger

    public init(node: LocalNode, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    public func run() async throws {
        let interval = Duration.milliseconds(Int64(node.configuration.sweepIntervalMillis))
        let slots = node.configuration.sweepSlotsPerShard
        let node = self.node
        let logger = self.logger
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    let result = node.store.sweep(nowMillis: node.wallClock.nowMillis(), maxEntriesPerShard: slots)
                    if result.expired + result.purgedTombstones > 0 {
                        logger.debug("sweep", metadata: ["expired": "\(result.expired)", "purgedTombstones": "\(result.purgedTombstones)"])
                    }
                }
            }
        } catch is CancellationError {
            // Shutdown: nothing to finish, the next start sweeps again.
        }
    }
}
