import RingtailAntiEntropy

/// Plays the node's shell for one session between two in-memory replicas: every directive is
/// carried out at once, requests answered from the peer's live state.
enum SessionDriver {
    /// `peerDigests` rewrites every digest the peer sends, as a peer computing them another
    /// way (an earlier entry format) would.
    @discardableResult
    static func run(
        _ initiator: inout TestReplica, with peer: inout TestReplica, partition p: Int,
        settings: SyncSettings = SyncSettings(), now: UInt64, peerDigests: (MerkleDigest) -> MerkleDigest = { $0 }
    ) -> PartitionSyncSession {
        var session = PartitionSyncSession(
            partition: p, local: initiator.trees[p].snapshot(), localAcceptsValues: initiator.acceptsValues, settings: settings)
        var queue = session.start()
        while !queue.isEmpty {
            switch queue.removeFirst() {
            case .requestSummary:
                var summary = peer.trees[p].summary(acceptsValues: peer.acceptsValues)
                summary.root = peerDigests(summary.root)
                queue += session.handle(.summary(summary))
            case .requestNodes(_, let request):
                queue += session.handle(.nodes(peer.trees[p].nodes(level: request.level, indices: request.indices).map(peerDigests)))
            case .requestBuckets(_, let buckets):
                let local = buckets.map { BucketListing(bucket: $0, entries: initiator.listing(partition: p, bucket: $0, now: now)) }
                let remote = buckets.map { BucketListing(bucket: $0, entries: peer.listing(partition: p, bucket: $0, now: now)) }
                queue += session.handle(.buckets(local: local, remote: remote, nowMillis: now))
            case .send(_, let transfers):
                for transfer in transfers {
                    if transfer.carriesValue {
                        peer.receiveValue(transfer.entry, now: now)
                    } else {
                        peer.receiveLine(transfer.entry, now: now)
                    }
                }
            case .fetch(_, let entries):
                for entry in entries {
                    if let value = peer.value(for: entry.key, now: now) { initiator.receiveValue(value, now: now) }
                }
            case .adopt(_, let entries):
                for entry in entries { initiator.receiveLine(entry, now: now) }
            case .finished:
                break
            }
        }
        return session
    }

    /// Sessions over every partition, both replicas taking turns to start, until a whole round
    /// is in sync or `maxRounds` pass. Returns the sessions run.
    static func converge(
        _ a: inout TestReplica, _ b: inout TestReplica, settings: SyncSettings = SyncSettings(), now: UInt64, maxRounds: Int = 50
    ) -> [PartitionSyncSession] {
        var sessions: [PartitionSyncSession] = []
        for round in 0..<maxRounds {
            var allInSync = true
            for p in 0..<a.partitionCount {
                let session = round % 2 == 0
                    ? run(&a, with: &b, partition: p, settings: settings, now: now)
                    : run(&b, with: &a, partition: p, settings: settings, now: now)
                sessions.append(session)
                if session.outcome != .inSync { allInSync = false }
            }
            if allInSync { break }
        }
        return sessions
    }
}
