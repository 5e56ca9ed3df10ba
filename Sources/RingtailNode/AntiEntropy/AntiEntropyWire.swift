import NIOCore
import RingtailAntiEntropy
import RingtailModel
import RingtailWire

/// Translations between anti-entropy values and their wire form, and the serving side of
/// the exchange (what a peer's session asks this replica).
enum AntiEntropyWire {
    static func record(_ entry: BucketEntry) -> BucketEntryRecord {
        BucketEntryRecord(
            key: ByteBuffer(bytes: entry.key), version: EntryVersion(entry.version),
            kind: kindCode(entry.kind), expiresAtMillis: entry.expiresAtMillis,
            valueBytes: UInt32(clamping: entry.valueByteCount)
        )
    }

    static func entry(_ record: BucketEntryRecord) -> BucketEntry? {
        let kind: EntryKind
        switch record.kind {
        case .value: kind = .value
        case .tombstone: kind = .tombstone
        case .evicted: kind = .evicted
        default: return nil
        }
        return BucketEntry(
            key: Array(record.key.readableBytesView), version: record.version.modelVersion, kind: kind,
            expiresAtMillis: record.expiresAtMillis, valueByteCount: Int(record.valueBytes)
        )
    }

    static func kindCode(_ kind: EntryKind) -> EntryKindCode {
        switch kind {
        case .value: .value
        case .tombstone: .tombstone
        case .evicted: .evicted
        }
    }

    static func digestBytes(_ digests: [MerkleDigest]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(digests.count * MerkleDigest.byteCount)
        for digest in digests { buffer.writeBytes(digest.bytes) }
        return buffer
    }

    static func digests(_ buffer: ByteBuffer) -> [MerkleDigest]? {
        guard buffer.readableBytes % MerkleDigest.byteCount == 0 else { return nil }
        var buffer = buffer
        var digests: [MerkleDigest] = []
        while let bytes = buffer.readBytes(length: MerkleDigest.byteCount) {
            guard let digest = MerkleDigest(bytes: bytes) else { return nil }
            digests.append(digest)
        }
        return digests
    }
}

/// Answers a peer's anti-entropy requests from this replica's trees and store. Every index
/// is checked: a hostile or confused peer gets an error, never a trap.
struct AntiEntropyResponder {
    let trees: PartitionTrees
    let lister: BucketLister
    let clock: any MillisecondClock
    let custody: CustodyTracker
    /// Most buckets listed for one request.
    static let maxBucketsPerRequest = 1024

    func summary(_ request: TreeSummaryRequest) throws(OperationError) -> TreeSummaryResponse {
        let partition = try checkedPartition(request.partition)
        return trees.withTree(partition) { tree in
            let statistics = tree.statistics()
            return TreeSummaryResponse(
                fanOutBits: UInt32(tree.layout.fanOutBits), depth: UInt32(tree.layout.depth),
                root: ByteBuffer(bytes: statistics.root.bytes), acceptsValues: true,
                keys: UInt64(statistics.keyCount), tombstones: UInt64(statistics.tombstoneCount),
                ghosts: UInt64(statistics.ghostCount), lastUpdateMillis: statistics.lastUpdateMillis,
                complete: custody.isComplete(partition)
            )
        }
    }

    func roots(_ request: TreeRootsRequest) throws(OperationError) -> TreeRootsResponse {
        guard request.partitions.count <= trees.partitionCount else {
            throw OperationError(.invalidArgument, "at most \(trees.partitionCount) partitions per request")
        }
        var roots = ByteBuffer()
        var complete = ByteBuffer()
        roots.reserveCapacity(request.partitions.count * MerkleDigest.byteCount)
        for raw in request.partitions {
            let partition = try checkedPartition(raw)
            roots.writeBytes(trees.withTree(partition) { $0.statistics().root.bytes })
            complete.writeInteger(UInt8(custody.isComplete(partition) ? 1 : 0))
        }
        return TreeRootsResponse(roots: roots, complete: complete)
    }

    func nodes(_ request: TreeNodesRequest) throws(OperationError) -> TreeNodesResponse {
        let partition = try checkedPartition(request.partition)
        let layout = trees.layout
        let level = Int(request.level)
        guard level <= layout.depth else {
            throw OperationError(.invalidArgument, "tree level \(level) is beyond the depth \(layout.depth)")
        }
        let count = layout.nodeCount(atLevel: level)
        let indices = request.indices.map(Int.init)
        guard indices.allSatisfy({ $0 < count }), indices.count <= count else {
            throw OperationError(.invalidArgument, "node indices out of range for level \(level) (\(count) nodes)")
        }
        let digests = trees.withTree(partition) { $0.nodes(level: level, indices: indices) }
        return TreeNodesResponse(digests: AntiEntropyWire.digestBytes(digests))
    }

    func buckets(_ request: BucketListRequest) throws(OperationError) -> BucketListResponse {
        let partition = try checkedPartition(request.partition)
        let buckets = request.buckets.map(Int.init)
        guard buckets.count <= Self.maxBucketsPerRequest, buckets.allSatisfy({ $0 < trees.layout.leafCount }) else {
            throw OperationError(.invalidArgument, "at most \(Self.maxBucketsPerRequest) buckets below \(trees.layout.leafCount) per request")
        }
        let listings = lister.list(partition: partition, buckets: buckets, nowMillis: clock.nowMillis())
        return BucketListResponse(listings: listings.map { listing in
            BucketListingRecord(bucket: UInt32(listing.bucket), entries: listing.entries.map(AntiEntropyWire.record))
        })
    }

    private func checkedPartition(_ partition: UInt32) throws(OperationError) -> Int {
        guard Int(partition) < trees.partitionCount else {
            throw OperationError(.invalidArgument, "partition \(partition) does not exist (\(trees.partitionCount) partitions)")
        }
        return Int(partition)
    }
}
