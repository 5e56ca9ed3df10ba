import RingtailAntiEntropy
import RingtailModel
import RingtailStorage

/// Lists what this replica holds in some leaf buckets of a partition: live values and
/// tombstones within their grace from the store, plus the tree's ghosts of evicted entries.
///
/// The store has no index by partition, so this walks every shard once per request and keeps
/// the entries whose stored hash bits fall in the partition. It runs only for partitions whose
/// trees differ, at most `maxBucketsPerRequest` buckets at a time.
struct BucketLister {
    let store: Store
    let trees: PartitionTrees

    func list(partition: Int, buckets: [Int], nowMillis: UInt64) -> [BucketListing] {
        let wanted = Set(buckets)
        var found: [Int: [BucketEntry]] = [:]
        let layout = trees.layout
        let partitioner = trees.partitioner
        for shard in 0..<store.shardCount {
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
}
