import Logging
import NIOCore
import NIOPosix
import RingtailModel
import Synchronization

/// Applies flushes (FLUSHALL) to this node: the store drops everything at or below the flush's
/// version and refuses older writes from then on, the Merkle trees forget the ghosts of such
/// writes, the hints of such writes held for other members go, and the version clock moves
/// past the flush, so that what this node writes next is newer than it. Gossip carries the
/// newest flush to members that missed it.
public final class NodeFlusher: Sendable {
    let local: LocalNode
    let trees: PartitionTrees
    let hints: HintService
    let logger: Logger
    /// The newest flush heard of through gossip and handed to the blocking pool: every gossip
    /// message carries it until it is applied, and one walk over the store is enough.
    private let learning = Mutex(Version.zero)

    init(local: LocalNode, trees: PartitionTrees, hints: HintService, logger: Logger) {
        self.local = local
        self.trees = trees
        self.hints = hints
        self.logger = logger
    }

    /// The newest flush this node applied, if any: the store's watermark, which its last shard
    /// takes once a flush has walked all the others.
    public var flushedThrough: Version? {
        let version = local.store.truncatedThrough
        return version == .zero ? nil : version
    }

    /// Flushes through `version` on the calling thread (it walks every shard); returns how
    /// many entries went. An older flush than one already applied removes nothing.
    @discardableResult
    public func flush(through version: Version) -> Int {
        _ = local.versions.observe(version)
        let before = local.store.truncatedThrough
        let removed = local.store.truncate(through: version)
        trees.dropGhosts(through: version)
        hints.discard(through: version)
        if version > before { logger.notice("flushed", metadata: ["through": "\(version)", "removed": "\(removed)"]) }
        return removed
    }

    /// `flush(through:)` on a thread of the blocking pool, so that no event loop stalls over a
    /// large store; the future completes on `eventLoop`.
    func flush(through version: Version, on eventLoop: any EventLoop) -> EventLoopFuture<Int> {
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) { [self] in flush(through: version) }
    }

    /// A flush a peer's gossip names: applied in the background when it is newer than this
    /// node's newest.
    func learn(_ version: Version) {
        guard version > local.store.truncatedThrough else { return }
        let isNew = learning.withLock { current in
            guard version > current else { return false }
            current = version
            return true
        }
        guard isNew else { return }
        logger.notice("applying a flush heard of through gossip", metadata: ["through": "\(version)"])
        NIOThreadPool.singleton.submit { [self] state in
            guard state == .active else { return }
            flush(through: version)
        }
    }
}
