import RingtailModel
import RingtailReplication
import RingtailRing

/// Ring changes: filling the partitions this node gained (or holds empty after a start) and
/// handing off the ones it lost. `PartitionCustody` decides; this runs the exchanges and drops.
extension AntiEntropyService {
    /// While anything is filled or handed off, passes are at most this far apart.
    static let fillingIntervalMillis: UInt64 = 100

    /// One pass over a filling partition: exchanges with the other live nodes that could hold
    /// it (its replicas first, rotating from pass to pass, then the rest of the ring, where a
    /// former replica that is handing it off sits), until one of them says its copy is complete.
    func fill(_ partition: Int, ring: HashRing, pass: Int, pause: Duration) async {
        let me = cluster.me
        let replicas = ring.preferenceList(forPartition: partition).filter { $0 != me && cluster.isAlive($0) }
        let rest = ring.extendedPreferenceList(forPartition: partition, count: ring.nodes.count).filter { $0 != me && cluster.isAlive($0) }
        let rotated = replicas.isEmpty ? [] : Array(replicas[(pass % replicas.count)...] + replicas[..<(pass % replicas.count)])
        let candidates = rotated + rest
        var exchanges: [PartitionCustody.Exchange] = []
        for peer in candidates {
            if Task.isCancelled { return }
            guard let address = cluster.address(of: peer), let client = peers.client(for: address) else { continue }
            let result = await sync(partition: partition, with: client, peer: peer)
            exchanges.append(PartitionCustody.Exchange(peer: peer, inSync: result.inSync, peerComplete: result.peerComplete))
            try? await Task.sleep(for: pause)
            if result.peerComplete { break }
        }
        if cluster.custody.fillingExchanged(partition, exchanges, candidates: candidates) {
            logger.debug("partition filled", metadata: ["partition": "\(partition)"])
            if cluster.custody.isReady {
                logger.notice("every partition this node replicates is filled: its reads count toward quorums now")
            }
        }
    }

    /// One pass over the partitions this node no longer replicates: each is exchanged with its
    /// current replicas until every one is complete and in sync with this copy, then dropped.
    func handOff(ring: HashRing, pause: Duration) async {
        let me = cluster.me
        for partition in cluster.custody.partitions({ $0 == .none }) where trees.holdsEntries(partition) {
            if cluster.custody.foundStrayData(partition) {
                logger.info("holding data of a partition this node does not replicate: handing it off", metadata: ["partition": "\(partition)"])
            }
        }
        for partition in cluster.custody.partitions({ if case .handingOff = $0 { true } else { false } }) {
            if Task.isCancelled { return }
            let replicas = ring.preferenceList(forPartition: partition).filter { $0 != me }
            let holdsNothing = !trees.holdsEntries(partition)
            if cluster.custody.handoffExchanged(partition, nil, currentReplicas: replicas, holdsNothing: holdsNothing) {
                drop(partition)
                continue
            }
            for peer in replicas where cluster.isAlive(peer) {
                guard let address = cluster.address(of: peer), let client = peers.client(for: address) else { continue }
                let result = await sync(partition: partition, with: client, peer: peer)
                try? await Task.sleep(for: pause)
                let exchange = PartitionCustody.Exchange(peer: peer, inSync: result.inSync, peerComplete: result.peerComplete)
                if cluster.custody.handoffExchanged(partition, exchange, currentReplicas: replicas, holdsNothing: false) {
                    drop(partition)
                    break
                }
            }
        }
    }

    /// Removes a handed-off partition's entries from the store (no tombstones: the data lives
    /// on at its replicas) and its tree with the tree's ghosts.
    func drop(_ partition: Int) {
        let partitioner = trees.partitioner
        let keys = local.store.drop { partitioner.partition(forKeyHash: UInt64($0) << 32) == partition }
        trees.resetIfEmpty(partition)
        cluster.custody.dropped(partition, keys: keys)
        logger.info("dropped a handed-off partition", metadata: ["partition": "\(partition)", "keys": "\(keys)"])
    }
}
