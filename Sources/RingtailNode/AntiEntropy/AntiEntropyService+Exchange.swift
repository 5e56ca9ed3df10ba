import NIOCore
import RingtailAntiEntropy
import RingtailClient
import RingtailModel
import RingtailWire

/// The I/O of one session: each directive becomes RPCs to the peer or changes here.
extension AntiEntropyService {
    /// Carries out a request directive and turns the answer into the session's next event.
    func ask(_ client: RingtailClient, _ directive: SyncDirective) async -> SyncEvent {
        do {
            switch directive {
            case .requestSummary(let partition):
                return await askSummary(client, partition: partition).event
            case .requestNodes(let partition, let request):
                let message = TreeNodesRequest(partition: UInt32(partition), level: UInt32(request.level), indices: request.indices.map { UInt32($0) })
                let response = try await client.request(.treeNodesRequest(message), expecting: TreeNodesResponse.self)
                guard let digests = AntiEntropyWire.digests(response.digests), digests.count == request.indices.count else {
                    return .failed("peer answered \(response.digests.readableBytes) digest bytes for \(request.indices.count) nodes")
                }
                return .nodes(digests)
            case .requestBuckets(let partition, let buckets):
                let message = BucketListRequest(partition: UInt32(partition), buckets: buckets.map { UInt32($0) })
                let response = try await client.request(.bucketListRequest(message), expecting: BucketListResponse.self)
                var remote: [RingtailAntiEntropy.BucketListing] = []
                for listing in response.listings {
                    let entries = listing.entries.compactMap(AntiEntropyWire.entry)
                    guard entries.count == listing.entries.count else { return .failed("unreadable bucket entry") }
                    remote.append(RingtailAntiEntropy.BucketListing(bucket: Int(listing.bucket), entries: entries))
                }
                let now = local.wallClock.nowMillis()
                let localListings = BucketLister(store: local.store, trees: trees).list(partition: partition, buckets: buckets, nowMillis: now)
                return .buckets(local: localListings, remote: remote, nowMillis: now)
            default:
                return .failed("not a request")
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// Asks the peer for its root of `partition`; also returns whether the peer's copy is complete.
    func askSummary(_ client: RingtailClient, partition: Int) async -> (event: SyncEvent, peerComplete: Bool) {
        do {
            let summary = try await client.request(.treeSummaryRequest(TreeSummaryRequest(partition: UInt32(partition))), expecting: TreeSummaryResponse.self)
            guard (1...10).contains(summary.fanOutBits), (1...4).contains(summary.depth), summary.fanOutBits * summary.depth <= 24,
                let root = AntiEntropyWire.digests(summary.root)?.first
            else { return (.failed("malformed tree summary"), false) }
            let layout = MerkleLayout(fanOutBits: Int(summary.fanOutBits), depth: Int(summary.depth))
            return (.summary(TreeSummary(layout: layout, root: root, acceptsValues: summary.acceptsValues)), summary.complete)
        } catch {
            return (.failed("\(error)"), false)
        }
    }

    /// Sends the peer what it lacks: values with their bytes, tombstones as deletes. An entry
    /// this replica no longer holds (it changed since the listing) is left to the next session.
    func send(_ transfers: [Transfer], to client: RingtailClient) async {
        var requests: [AnyMessage] = []
        for transfer in transfers {
            let held = local.readReplica(ByteBuffer(bytes: transfer.entry.key))
            guard let version = held.version?.modelVersion, version == transfer.entry.version else { continue }
            if held.state == .live && !transfer.carriesValue { continue }
            requests.append(.replicaWriteRequest(ReplicaWriteRequest(entry: held)))
        }
        _ = await pipelined(requests, to: client)
    }

    /// Fetches newer entries from the peer and stores them like any replica write (LWW).
    func fetch(_ entries: [BucketEntry], from client: RingtailClient) async {
        let requests = entries.map { AnyMessage.replicaReadRequest(ReplicaReadRequest(key: ByteBuffer(bytes: $0.key))) }
        for frame in await pipelined(requests, to: client) {
            var body = frame.body
            guard frame.messageType == .replicaReadResponse, let response = try? ReplicaReadResponse(decoding: &body),
                response.entry.state != .missing
            else { continue }
            _ = try? local.applyReplica(response.entry)
        }
    }

    /// Sends `requests` with up to `window` in flight on the peer connection (responses carry
    /// request ids, so they pipeline); returns the responses that arrived, failures dropped.
    func pipelined(_ requests: [AnyMessage], to client: RingtailClient, window: Int = 64) async -> [Frame] {
        var frames: [Frame] = []
        frames.reserveCapacity(requests.count)
        var start = 0
        while start < requests.count {
            let batch = requests[start..<min(start + window, requests.count)].map { client.sendFuture($0) }
            for future in batch {
                if let frame = try? await future.get() { frames.append(frame) }
            }
            start += window
        }
        return frames
    }

    /// Records peer entries that come without bytes. Tombstones are applied as deletes. Any
    /// other line (the peer's ghost of an evicted write, or a value already dead) becomes a
    /// ghost here: the older value this replica holds is dropped, so it is never served, and
    /// the trees agree at once instead of when the peer's ghost ages out. Returns how many
    /// ghosts were adopted.
    func adopt(_ entries: [BucketEntry]) -> Int {
        var ghosts = 0
        for entry in entries {
            guard entry.kind == .tombstone else {
                if trees.adoptWithoutValue(entry, store: local.store) { ghosts += 1 }
                continue
            }
            let tombstone = StoredEntry(key: ByteBuffer(bytes: entry.key), state: .tombstone, version: EntryVersion(entry.version))
            _ = try? local.applyReplica(tombstone)
        }
        return ghosts
    }

    /// Pauses or resumes the repair loop; exchanges under way finish.
    func setPaused(_ pause: Bool) {
        paused.store(pause, ordering: .relaxed)
        logger.notice(pause ? "anti-entropy paused" : "anti-entropy resumed")
    }

    /// The repair view of this node for `cachectl repair status`.
    func status() -> RepairStatusResponse {
        let partitions = cluster.ring.partitions(replicatedBy: cluster.me)
        let counts = progress.counts(over: partitions)
        let totals = progress.snapshot
        let custody = cluster.custody.gated ? cluster.custody.counts : (filling: 0, ready: partitions.count, handingOff: 0)
        let dropped = cluster.custody.dropped
        return RepairStatusResponse(
            nodeId: local.nodeID.name,
            partitionsReplicated: UInt32(partitions.count),
            partitionsInSync: UInt32(counts.inSync),
            partitionsOutOfSync: UInt32(counts.outOfSync),
            partitionsRepairing: UInt32(counts.repairing),
            partitionsUnchecked: UInt32(counts.unchecked),
            keysRepaired: totals.keysRepaired,
            bytesRepaired: totals.bytesRepaired,
            sessions: totals.sessions,
            failedSessions: totals.failedSessions,
            lastExchangeMillis: totals.lastExchangeMillis,
            treeMemoryBytes: UInt64(trees.memoryBytes),
            enabled: settings.enabled,
            wireBytesSent: peers.traffic?.bytesSent ?? 0,
            wireBytesReceived: peers.traffic?.bytesReceived ?? 0,
            paused: paused.load(ordering: .relaxed),
            ready: cluster.custody.isReady && cluster.hasJoined,
            partitionsFilling: UInt32(custody.filling),
            partitionsHandingOff: UInt32(custody.handingOff),
            partitionsDropped: dropped.partitions,
            keysDropped: dropped.keys
        )
    }
}
