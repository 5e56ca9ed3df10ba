import RingtailAntiEntropy
import RingtailModel
import RingtailWire
import RingtailReplication
import RingtailRing

/// Ring changes: filling the partitions this node gained (or holds empty after a start) and
/// handing off the ones it lost. `PartitionCustody` decides; this runs the exchanges and drops.
extension AntiEntropyService {
    /// While anything is filled or handed off, passes are at most this far apart.
    static let fillingIntervalMillis: UInt64 = 100

    func fillConcurrently(_ partitions: [Int], ring: HashRing, pass: Int) async {
        guard !partitions.isEmpty else { return }
        let partitions = await fillByRoots(partitions, ring: ring)
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for partition in partitions {
                if Task.isCancelled { break }
                // Without the rate limit's pause: a node whose reads do not count hurts clients
                // more than the repair traffic, and a session between copies that already agree
                // (every partition of a new cluster) is one round trip.
                if running >= settings.fillConcurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.fill(partition, ring: ring, pass: pass, pause: .zero) }
                running += 1
            }
        }
    }

    /// Asks every other live member for its roots of `partitions` (one request each) and
    /// judges each partition on them as on sessions that ended at the root: equal roots mean
    /// equal contents. Returns the partitions still filling, which need sessions. In a new
    /// cluster, or after a restart with nothing missed, that is none.
    func fillByRoots(_ partitions: [Int], ring: HashRing) async -> [Int] {
        let me = cluster.me
        let (mine, answers) = await roots(of: partitions, from: ring.nodes.filter { $0 != me && cluster.isAlive($0) })
        var left: [Int] = []
        for (index, partition) in partitions.enumerated() {
            let candidates = (ring.preferenceList(forPartition: partition) + ring.extendedPreferenceList(forPartition: partition, count: ring.nodes.count))
                .filter { $0 != me && cluster.isAlive($0) }
            let exchanges = candidates.compactMap { peer -> PartitionCustody.Exchange? in
                guard let answer = answers[peer] else { return nil }
                return PartitionCustody.Exchange(peer: peer, inSync: answer.roots[index] == mine[index], peerComplete: answer.complete[index] == 1)
            }
            if !cluster.custody.fillingExchanged(partition, exchanges, candidates: candidates) { left.append(partition) }
        }
        if left.count < partitions.count {
            logger.info("filled by comparing roots", metadata: ["partitions": "\(partitions.count - left.count)", "left": "\(left.count)"])
            if cluster.custody.isReady {
                logger.notice("every partition this node replicates is filled: its reads count toward quorums now")
            }
        }
        return left
    }

    /// This node's roots of `partitions`, and every peer's roots with its complete flags
    /// (peers that did not answer are left out).
    func roots(of partitions: [Int], from peerList: [NodeID]) async -> (mine: [MerkleDigest], peers: [NodeID: (roots: [MerkleDigest], complete: [UInt8])]) {
        let mine = partitions.map { partition in trees.withTree(partition) { $0.statistics().root } }
        var answers: [NodeID: (roots: [MerkleDigest], complete: [UInt8])] = [:]
        for peer in peerList {
            guard let address = cluster.address(of: peer), let client = peers.client(for: address),
                let response = try? await client.request(
                    .treeRootsRequest(TreeRootsRequest(partitions: partitions.map { UInt32($0) })), expecting: TreeRootsResponse.self),
                let roots = AntiEntropyWire.digests(response.roots), roots.count == partitions.count,
                response.complete.readableBytes == partitions.count
            else { continue }
            answers[peer] = (roots, Array(response.complete.readableBytesView))
        }
        return (mine, answers)
    }

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
            if pause > .zero { try? await Task.sleep(for: pause) }
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
        let handingOff = cluster.custody.partitions({ if case .handingOff = $0 { true } else { false } })
        guard !handingOff.isEmpty else { return }
        // Roots first, in one request per peer: partitions whose replicas already agree with
        // this copy (most of them, right after a join) need no session.
        let (mine, answers) = await roots(of: handingOff, from: ring.nodes.filter { $0 != me && cluster.isAlive($0) })
        for (index, partition) in handingOff.enumerated() {
            if Task.isCancelled { return }
            let replicas = ring.preferenceList(forPartition: partition).filter { $0 != me }
            let holdsNothing = !trees.holdsEntries(partition)
            var done = cluster.custody.handoffExchanged(partition, nil, currentReplicas: replicas, holdsNothing: holdsNothing)
            for peer in replicas where !done {
                guard let answer = answers[peer] else { continue }
                let exchange = PartitionCustody.Exchange(peer: peer, inSync: answer.roots[index] == mine[index], peerComplete: answer.complete[index] == 1)
                done = cluster.custody.handoffExchanged(partition, exchange, currentReplicas: replicas, holdsNothing: holdsNothing)
            }
            if done {
                drop(partition)
                continue
            }
            for peer in replicas where cluster.isAlive(peer) && answers[peer].map({ $0.roots[index] != mine[index] }) ?? true {
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
