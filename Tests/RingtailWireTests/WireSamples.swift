import NIOCore
import RingtailWire
import Testing

/// A named message for table-driven tests.
struct WireSample: Sendable, CustomTestStringConvertible {
    var name: String
    var message: AnyMessage

    var testDescription: String { name }

    /// The body as `AnyMessage` encodes it.
    var body: [UInt8] {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return buffer.bytes
    }
}

/// Every framed message with default values and with edge values.
enum WireSamples {
    static let batchAnswers = [
        ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: "a"), state: .live, value: largeBytes, version: EntryVersion(timestamp: 7, node: 1), expiresAtMillis: 99)),
        ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: "b"), state: .tombstone, version: EntryVersion(timestamp: 8, node: 2)), notReady: true),
        ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: "c"), state: .missing)),
    ]
    static let batchWrites = [
        ReplicaWriteRequest(entry: StoredEntry(key: ByteBuffer(string: "a"), state: .live, value: ByteBuffer(string: "v"), version: EntryVersion(timestamp: 1, node: 2))),
        ReplicaWriteRequest(entry: StoredEntry(key: ByteBuffer(string: "b"), state: .tombstone, version: EntryVersion(timestamp: 3, node: 4), expiresAtMillis: 5), hintFor: "node-3"),
    ]
    static let batchOutcomes = [
        ReplicaWriteOutcome(response: ReplicaWriteResponse(applied: true, current: EntryVersion(timestamp: 1, node: 2), replacedLiveValue: true)),
        ReplicaWriteOutcome(error: ErrorResponse(code: .valueTooLarge, message: "too big")),
        ReplicaWriteOutcome(),
    ]
    static let largeBytes = ByteBuffer(bytes: (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    static let unicode = "ringtail 🦝 — ünïcødé, 日本語, עברית, \u{0}nul and e\u{301}"

    /// Each message type at its defaults, which must encode to the smallest body.
    static let defaults: [WireSample] = [
        WireSample(name: "ErrorResponse()", message: .errorResponse(ErrorResponse())),
        WireSample(name: "PingRequest()", message: .pingRequest(PingRequest())),
        WireSample(name: "PingResponse()", message: .pingResponse(PingResponse())),
        WireSample(name: "GetRequest()", message: .getRequest(GetRequest())),
        WireSample(name: "GetResponse()", message: .getResponse(GetResponse())),
        WireSample(name: "SetRequest()", message: .setRequest(SetRequest())),
        WireSample(name: "SetResponse()", message: .setResponse(SetResponse())),
        WireSample(name: "DeleteRequest()", message: .deleteRequest(DeleteRequest())),
        WireSample(name: "DeleteResponse()", message: .deleteResponse(DeleteResponse())),
        WireSample(name: "StatsRequest()", message: .statsRequest(StatsRequest())),
        WireSample(name: "StatsResponse()", message: .statsResponse(StatsResponse())),
        WireSample(name: "PeerHello()", message: .peerHello(PeerHello())),
        WireSample(name: "PeerWelcome()", message: .peerWelcome(PeerWelcome())),
        WireSample(name: "Gossip()", message: .gossip(Gossip())),
        WireSample(name: "GossipReceived()", message: .gossipReceived(GossipReceived())),
        WireSample(name: "ReplicaWriteRequest()", message: .replicaWriteRequest(ReplicaWriteRequest())),
        WireSample(name: "ReplicaWriteResponse()", message: .replicaWriteResponse(ReplicaWriteResponse())),
        WireSample(name: "ReplicaReadRequest()", message: .replicaReadRequest(ReplicaReadRequest())),
        WireSample(name: "ReplicaReadResponse()", message: .replicaReadResponse(ReplicaReadResponse())),
        WireSample(name: "ReplicaReadBatchRequest()", message: .replicaReadBatchRequest(ReplicaReadBatchRequest())),
        WireSample(name: "ReplicaReadBatchResponse()", message: .replicaReadBatchResponse(ReplicaReadBatchResponse())),
        WireSample(name: "ReplicaWriteBatchRequest()", message: .replicaWriteBatchRequest(ReplicaWriteBatchRequest())),
        WireSample(name: "ReplicaWriteBatchResponse()", message: .replicaWriteBatchResponse(ReplicaWriteBatchResponse())),
        WireSample(name: "FlushRequest()", message: .flushRequest(FlushRequest())),
        WireSample(name: "FlushAllRequest()", message: .flushAllRequest(FlushAllRequest())),
        WireSample(name: "FlushAllResponse()", message: .flushAllResponse(FlushAllResponse())),
        WireSample(name: "FlushResponse()", message: .flushResponse(FlushResponse())),
        WireSample(name: "ClusterStatusRequest()", message: .clusterStatusRequest(ClusterStatusRequest())),
        WireSample(name: "ClusterStatusResponse()", message: .clusterStatusResponse(ClusterStatusResponse())),
        WireSample(name: "RingRequest()", message: .ringRequest(RingRequest())),
        WireSample(name: "RingResponse()", message: .ringResponse(RingResponse())),
        WireSample(name: "TreeSummaryRequest()", message: .treeSummaryRequest(TreeSummaryRequest())),
        WireSample(name: "TreeSummaryResponse()", message: .treeSummaryResponse(TreeSummaryResponse())),
        WireSample(name: "TreeNodesRequest()", message: .treeNodesRequest(TreeNodesRequest())),
        WireSample(name: "TreeRootsRequest()", message: .treeRootsRequest(TreeRootsRequest())),
        WireSample(name: "TreeRootsResponse()", message: .treeRootsResponse(TreeRootsResponse())),
        WireSample(name: "TreeNodesResponse()", message: .treeNodesResponse(TreeNodesResponse())),
        WireSample(name: "BucketListRequest()", message: .bucketListRequest(BucketListRequest())),
        WireSample(name: "BucketListResponse()", message: .bucketListResponse(BucketListResponse())),
        WireSample(name: "RepairStatusRequest()", message: .repairStatusRequest(RepairStatusRequest())),
        WireSample(name: "RepairStatusResponse()", message: .repairStatusResponse(RepairStatusResponse())),
    ]

    static let edges: [WireSample] = clusterEdges + [
        WireSample(
            name: "ErrorResponse unicode",
            message: .errorResponse(ErrorResponse(code: .quorumFailed, message: unicode))
        ),
        WireSample(
            name: "ErrorResponse unknown code, long message",
            message: .errorResponse(ErrorResponse(code: ErrorCode(rawValue: .max), message: String(repeating: "x", count: 300)))
        ),
        WireSample(name: "PingResponse max", message: .pingResponse(PingResponse(nodeId: "node-α", uptimeMillis: .max))),
        WireSample(name: "GetRequest present zero quorum", message: .getRequest(GetRequest(key: ByteBuffer(bytes: [0]), readQuorum: 0))),
        WireSample(name: "GetRequest 64 KiB key", message: .getRequest(GetRequest(key: largeBytes, readQuorum: .max))),
        WireSample(
            name: "GetResponse found",
            message: .getResponse(
                GetResponse(found: true, value: largeBytes, version: EntryVersion(timestamp: .max, node: .max), expiresAtMillis: 0)
            )
        ),
        WireSample(
            name: "GetResponse default version present",
            message: .getResponse(GetResponse(found: false, value: ByteBuffer(), version: EntryVersion(), expiresAtMillis: .max))
        ),
        WireSample(
            name: "SetRequest empty value, zero ttl",
            message: .setRequest(SetRequest(key: ByteBuffer(bytes: [1, 2, 3]), value: ByteBuffer(), ttlMillis: 0))
        ),
        WireSample(
            name: "SetRequest max",
            message: .setRequest(
                SetRequest(key: ByteBuffer(bytes: Array(0...255)), value: largeBytes, ttlMillis: .max, writeQuorum: .max)
            )
        ),
        WireSample(name: "SetResponse", message: .setResponse(SetResponse(version: EntryVersion(timestamp: 1, node: 0)))),
        WireSample(name: "DeleteRequest", message: .deleteRequest(DeleteRequest(key: ByteBuffer(string: "k"), writeQuorum: 3))),
        WireSample(
            name: "DeleteResponse",
            message: .deleteResponse(DeleteResponse(existed: true, version: EntryVersion(timestamp: 0x0102_0304_0506_0708, node: 1)))
        ),
        WireSample(name: "StatsResponse max", message: .statsResponse(fullStats(.max, offset: .min))),
        WireSample(name: "StatsResponse small", message: .statsResponse(fullStats(1, offset: -1))),
    ]

    static let all = defaults + edges

    /// Cluster messages with every field set, nested and repeated ones included.
    static let clusterEdges: [WireSample] = [
        WireSample(
            name: "TreeNodesRequest many indices",
            message: .treeNodesRequest(TreeNodesRequest(partition: 4095, level: 2, indices: Array(0..<300) + [.max]))
        ),
        WireSample(
            name: "BucketListResponse nested",
            message: .bucketListResponse(BucketListResponse(listings: [
                BucketListingRecord(bucket: 7, entries: [
                    BucketEntryRecord(key: ByteBuffer(string: "k1"), version: EntryVersion(timestamp: 9, node: 1), kind: .evicted, expiresAtMillis: 5, valueBytes: 100),
                    BucketEntryRecord(key: ByteBuffer(string: "k2"), version: EntryVersion(timestamp: 10, node: 2), kind: .tombstone),
                ]),
                BucketListingRecord(bucket: 8),
            ]))
        ),
        WireSample(
            name: "TreeSummaryResponse full",
            message: .treeSummaryResponse(TreeSummaryResponse(fanOutBits: 4, depth: 2, root: ByteBuffer(bytes: Array(repeating: 0xEE, count: 16)), acceptsValues: true, keys: .max, tombstones: 1, ghosts: 2, lastUpdateMillis: .max, complete: true))
        ),
        WireSample(
            name: "TreeRootsRequest full",
            message: .treeRootsRequest(TreeRootsRequest(partitions: [0, 1, 4095, .max]))
        ),
        WireSample(
            name: "TreeRootsResponse full",
            message: .treeRootsResponse(TreeRootsResponse(roots: ByteBuffer(bytes: Array(repeating: 0x5A, count: 64)), complete: ByteBuffer(bytes: [1, 0, 1, 1])))
        ),
        WireSample(
            name: "ReplicaReadResponse not ready",
            message: .replicaReadResponse(ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: "k"), state: .missing), notReady: true))
        ),
        WireSample(
            name: "ReplicaReadBatchRequest naming a version",
            message: .replicaReadBatchRequest(ReplicaReadBatchRequest(reads: [
                ReplicaReadRequest(key: ByteBuffer(string: "k"), unlessVersion: EntryVersion(timestamp: .max, node: 3)),
            ]))
        ),
        WireSample(
            name: "ReplicaReadResponse same version",
            message: .replicaReadResponse(ReplicaReadResponse(entry: StoredEntry(key: ByteBuffer(string: "k"), state: .live, version: EntryVersion(timestamp: 5, node: 6)), notReady: true, sameVersion: true))
        ),
        WireSample(
            name: "FlushRequest full",
            message: .flushRequest(FlushRequest(through: EntryVersion(timestamp: .max, node: .max)))
        ),
        WireSample(name: "FlushResponse full", message: .flushResponse(FlushResponse(removed: .max))),
        WireSample(
            name: "Gossip ack with a flush",
            message: .gossip(Gossip(fromAddress: "127.0.0.1:7001", kind: .ack, sequence: 9, flushedThrough: EntryVersion(timestamp: 1 << 40, node: 7)))
        ),
        WireSample(
            name: "PeerHello full",
            message: .peerHello(PeerHello(nodeId: "node-α", timestampMillis: .max, nonce: ByteBuffer(bytes: [0, 255, 7]), mac: ByteBuffer(bytes: Array(repeating: 0xAB, count: 32))))
        ),
        WireSample(
            name: "Gossip pingReq with members",
            message: .gossip(Gossip(
                fromAddress: "[::1]:7001", kind: .pingReq, sequence: .max, target: "127.0.0.1:7003",
                members: [
                    MemberRecord(nodeId: "a", address: "127.0.0.1:1", state: .suspect, incarnation: 3, weightMilli: 1500, suspectedBy: "b"),
                    MemberRecord(nodeId: "b", address: "127.0.0.1:2", state: .left, incarnation: .max, weightMilli: 0),
                    MemberRecord(nodeId: "c", address: "", state: MemberStateCode(rawValue: 99), incarnation: 0, weightMilli: .max),
                ]
            ))
        ),
        WireSample(
            name: "ReplicaWriteRequest hinted tombstone",
            message: .replicaWriteRequest(ReplicaWriteRequest(
                entry: StoredEntry(key: ByteBuffer(string: "k"), state: .tombstone, version: EntryVersion(timestamp: 1, node: 2), expiresAtMillis: 9),
                hintFor: "node-3"
            ))
        ),
        WireSample(
            name: "ReplicaReadResponse live 64 KiB",
            message: .replicaReadResponse(ReplicaReadResponse(entry: StoredEntry(key: largeBytes, state: .live, value: largeBytes, version: EntryVersion(timestamp: .max, node: .max), expiresAtMillis: .max)))
        ),
        WireSample(
            name: "ReplicaReadBatchRequest three keys",
            message: .replicaReadBatchRequest(ReplicaReadBatchRequest(reads: [
                ReplicaReadRequest(key: ByteBuffer(string: "a")), ReplicaReadRequest(key: largeBytes), ReplicaReadRequest(key: ByteBuffer(string: "c")),
            ]))
        ),
        WireSample(
            name: "ReplicaReadBatchResponse live, tombstone, missing",
            message: .replicaReadBatchResponse(ReplicaReadBatchResponse(answers: WireSamples.batchAnswers))
        ),
        WireSample(
            name: "ReplicaWriteBatchRequest value, hinted tombstone",
            message: .replicaWriteBatchRequest(ReplicaWriteBatchRequest(writes: WireSamples.batchWrites))
        ),
        WireSample(
            name: "ReplicaWriteBatchResponse response, error, neither",
            message: .replicaWriteBatchResponse(ReplicaWriteBatchResponse(outcomes: WireSamples.batchOutcomes))
        ),
        WireSample(
            name: "ReplicaWriteResponse superseded",
            message: .replicaWriteResponse(ReplicaWriteResponse(applied: false, current: EntryVersion(timestamp: 5, node: 6), replacedLiveValue: true))
        ),
        WireSample(
            name: "ClusterStatusResponse members",
            message: .clusterStatusResponse(ClusterStatusResponse(
                nodeId: "n", members: [MemberStatus(nodeId: "n", address: "h:1", state: .dead, incarnation: 2, partitionsOwned: 4096, lastHeardMillis: .max, weightMilli: 1000)],
                partitionCount: 4096, replicas: 3, writeQuorum: 2, readQuorum: 2, hintsQueued: 1, hintsDelivered: 2, hintsDropped: 3, readRepairs: 4, quorumFailures: 5
            ))
        ),
        WireSample(
            name: "RingResponse for a key",
            message: .ringResponse(RingResponse(
                partitionCount: 4096, replicas: 3, partitions: [PartitionPlacement(partition: 4095, replicas: ["a", "b", "c"])],
                keyPartition: 4095, keyHash: .max
            ))
        ),
    ]

    /// Samples small enough to mutate many times over.
    static let small = all.filter { $0.body.count <= 512 }

    private static func fullStats(_ value: UInt64, offset: Int64) -> StatsResponse {
        let narrow = UInt32(truncatingIfNeeded: value)
        return StatsResponse(
            nodeId: "node-\(value)", uptimeMillis: value, keys: value, tombstones: value, memoryUsedBytes: value,
            memoryLimitBytes: value, evictions: value, expirations: value, hits: value, misses: value, sets: value,
            deletes: value, connections: value, protocolVersion: narrow,
            shards: [
                ShardStats(),
                ShardStats(index: narrow, keys: value, memoryUsedBytes: value),
                ShardStats(index: 7, keys: 0, memoryUsedBytes: 1 << 40),
            ],
            clockOffsetMillis: offset
        )
    }
}
