import RingtailAntiEntropy
import RingtailModel
import RingtailStorage

/// Lists what this replica holds in some leaf buckets of a partition: live values and
/// tombstones within their grace from the store, plus the tree's ghosts of evicted entries.
///
/// The store cuts its shards along partitions, so this walks only the shard that holds the
/// partition (1/64 of the store by default, when there are at least as many partitions as
/// shards) and keeps the entries whose stored hash bits fall in the partition. It runs only for
/// partitions whose trees differ, at most `maxBucketsPerRequest` buckets at a time.
struct BucketLister {
    let store: Store
    let trees: PartitionTrees

    func list(partition: Int, buckets: [Int], nowMillis: UInt64) -> [BucketListing] {
        let wanted = Set(buckets)
        var found: [Int: [BucketEntry]] = [:]
        let layout = trees.layout
        let partitioner = trees.partitioner
        for shard in shards(holding: partition) {
            store.forEachEntry(inShard: shard, nowMillis: nowMillis) { entry in
                guard partitioner.partition(forKeyHash: UInt64(entry.keyHashHigh) << 32) == partition else { return }
                let hash = StableHash.xxh64(entry.key)
                let bucket = layout.leaf(forKeyHash: hash)
                guard wanted.contains(bucket) else { return }
                found[bucket, default: []].append(BucketEntry(
                    key: Array(entry.key), version: entry.version,
                    kind: entry.isTombstone ? .tombstone : .value,
                    expiresAtMillis: entry.expiresAtMillis, valueByteCount: entry.value.count
                ))
            }
        }
        return trees.withTree(partition) { tree in
            buckets.map { bucket in
                var entries = found[bucket] ?? []
                let held = Set(entries.map(\.key))
                entries += tree.ghosts(inBucket: bucket).filter { !held.contains($0.key) }
                return BucketListing(bucket: bucket, entries: entries)
            }
        }
    }

    /// Every shard if the store was cut for another partition count (a store built outside
    /// `NodeServices`), which stays correct, only slower.
    private func shards(holding partition: Int) -> Range<Int> {
        guard store.configuration.partitionBits == trees.partitioner.partitionBits else { return 0..<store.shardCount }
        return store.shards(holdingPartition: partition)
    }
}
