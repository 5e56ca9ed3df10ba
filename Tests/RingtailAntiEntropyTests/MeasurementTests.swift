import RingtailAntiEntropy
import RingtailModel
import Testing

/// Prints the figures quoted in docs/ANTI-ENTROPY.md: one million keys in 1024 partitions of
/// the default layout, two replicas differing in k keys (the peer holds an older version of
/// each), one session per partition. Bytes by `WireCost`, compared with sending every key.
/// Asserts only the shape: tree traffic grows with k, not with the store.
@Suite(.serialized) struct MeasurementTests {
    static let keyCount = 1_000_000
    static let partitionBits = 10
    static let valueBytes = 100
    static let keyBytes = 16

    /// The store, shared by both replicas: key bytes, hashes, and keys grouped by bucket.
    final class Store: Sendable {
        let keys: [UInt8]
        let hashes: [UInt64]
        /// Key ids sorted by (partition, leaf); `cellStart[p << leafBits | leaf]` opens each cell.
        let byCell: [Int32]
        let cellStart: [Int32]
        let layout = MerkleLayout.default

        init() {
            var keys = [UInt8](repeating: 0, count: keyCount * keyBytes)
            var hashes = [UInt64](repeating: 0, count: keyCount)
            let leafBits = MerkleLayout.default.leafBits
            let cells = 1 << (partitionBits + leafBits)
            var counts = [Int32](repeating: 0, count: cells + 1)
            keys.withUnsafeMutableBytes { buffer in
                for id in 0..<keyCount {
                    let key = UnsafeMutableRawBufferPointer(rebasing: buffer[(id * keyBytes)..<((id + 1) * keyBytes)])
                    var n = id
                    for position in stride(from: keyBytes - 1, through: 0, by: -1) {
                        key[position] = position < 4 ? Array("key:".utf8)[position] : UInt8(48 + n % 10)
                        n /= 10
                    }
                    hashes[id] = StableHash.xxh64(UnsafeRawBufferPointer(key))
                }
            }
            func cell(_ hash: UInt64) -> Int {
                Int(hash >> UInt64(64 - partitionBits)) << leafBits | Int(hash & (UInt64(1) << UInt64(leafBits) - 1))
            }
            for hash in hashes { counts[cell(hash) + 1] += 1 }
            for index in 1...cells { counts[index] += counts[index - 1] }
            var fill = counts
            var byCell = [Int32](repeating: 0, count: keyCount)
            for id in 0..<keyCount {
                let c = cell(hashes[id])
                byCell[Int(fill[c])] = Int32(id)
                fill[c] += 1
            }
            self.keys = keys
            self.hashes = hashes
            self.byCell = byCell
            self.cellStart = counts
        }

        func key(_ id: Int) -> [UInt8] { Array(keys[(id * keyBytes)..<((id + 1) * keyBytes)]) }
        func partition(_ id: Int) -> Int { Int(hashes[id] >> UInt64(64 - partitionBits)) }

        func ids(partition: Int, bucket: Int) -> ArraySlice<Int32> {
            let cell = partition << layout.leafBits | bucket
            return byCell[Int(cellStart[cell])..<Int(cellStart[cell + 1])]
        }
    }

    /// One replica: the shared keys at version 1, except `newer` at version 2.
    struct Replica {
        var trees: [MerkleTree]
        var newer: Set<Int32>

        func stamp(_ id: Int32) -> EntryStamp { .value(Fixtures.version(newer.contains(id) ? 2 : 1)) }

        func listing(_ store: Store, partition: Int, bucket: Int) -> [BucketEntry] {
            store.ids(partition: partition, bucket: bucket).map { id in
                BucketEntry(key: store.key(Int(id)), version: stamp(id).version, kind: .value, valueByteCount: valueBytes)
            }
        }
    }

    static func baseTrees(_ store: Store) -> [MerkleTree] {
        var trees = (0..<(1 << partitionBits)).map { _ in MerkleTree(layout: store.layout) }
        store.keys.withUnsafeBytes { buffer in
            for id in 0..<keyCount {
                let key = UnsafeRawBufferPointer(rebasing: buffer[(id * keyBytes)..<((id + 1) * keyBytes)])
                trees[store.partition(id)].apply(key: key, keyHash: store.hashes[id], old: nil, new: .value(Fixtures.version(1)), nowMillis: 1)
            }
        }
        for p in trees.indices { _ = trees[p].root() }
        return trees
    }

    /// `a` with k keys moved on to version 2.
    static func diverged(_ a: Replica, store: Store, k: Int, seed: UInt64) -> Replica {
        var random = SplitMix64(seed: seed)
        var chosen: Set<Int32> = []
        while chosen.count < k { chosen.insert(Int32(random.next() % UInt64(keyCount))) }
        var b = a
        for id in chosen {
            b.trees[store.partition(Int(id))].apply(key: store.key(Int(id)), old: .value(Fixtures.version(1)), new: .value(Fixtures.version(2)), nowMillis: 2)
        }
        b.newer = chosen
        return b
    }

    /// One session per partition, started by `a` against `b`.
    static func syncAll(_ a: inout Replica, _ b: inout Replica, store: Store) -> (SyncStatistics, sessions: Int) {
        let settings = SyncSettings(maxKeysPerSession: 1 << 40, maxBytesPerSession: 1 << 40, maxBucketsPerRequest: 1024)
        var total = SyncStatistics()
        for p in 0..<(1 << partitionBits) {
            var session = PartitionSyncSession(partition: p, local: a.trees[p].snapshot(), settings: settings)
            var queue = session.start()
            while !queue.isEmpty {
                switch queue.removeFirst() {
                case .requestSummary:
                    queue += session.handle(.summary(TreeSummary(layout: store.layout, root: b.trees[p].root(), acceptsValues: true)))
                case .requestNodes(_, let request):
                    queue += session.handle(.nodes(b.trees[p].nodes(level: request.level, indices: request.indices)))
                case .requestBuckets(_, let buckets):
                    let local = buckets.map { BucketListing(bucket: $0, entries: a.listing(store, partition: p, bucket: $0)) }
                    let remote = buckets.map { BucketListing(bucket: $0, entries: b.listing(store, partition: p, bucket: $0)) }
                    queue += session.handle(.buckets(local: local, remote: remote, nowMillis: 10))
                default:
                    break
                }
            }
            #expect(session.outcome == .inSync || session.outcome == .repaired)
            total += session.statistics
        }
        return (total, 1 << partitionBits)
    }

    @Test func bytesExchangedGrowWithTheDifferenceNotTheStore() {
        let store = Store()
        let base = Replica(trees: Self.baseTrees(store), newer: [])
        let full = Self.keyCount * (WireCost.entryOverheadBytes + Self.keyBytes + Self.valueBytes)
        let rootsOnly = (1 << Self.partitionBits) * WireCost.digestBytes
        print("[anti-entropy] \(Self.keyCount) keys, \(1 << Self.partitionBits) partitions × \(store.layout), \(Self.valueBytes)-byte values; full transfer \(full) B")
        var totals: [Int: Int] = [:]
        for k in [10, 1000, 100_000] {
            var a = Self.diverged(base, store: store, k: k, seed: UInt64(k))
            var b = base
            let (s, sessions) = Self.syncAll(&a, &b, store: store)
            totals[k] = s.totalBytes
            print("""
                [anti-entropy] k=\(k): \(sessions) sessions, \(s.differingBuckets) differing buckets; \
                tree \(s.treeBytes) B + lists \(s.listBytes) B (\(s.listedEntries) lines) + transfers \(s.transferBytes) B \
                (values \(s.valueBytes) B) = \(s.totalBytes) B, \(Self.percent(s.totalBytes, of: full)) of full
                """)
            #expect(s.keysSent == k && s.keysFetched == 0)
            #expect(s.valueBytes == k * Self.valueBytes)
            // Roots for every partition, then at most one group of siblings per level per key.
            let perKeyTree = store.layout.depth * (store.layout.fanOut * WireCost.digestBytes + WireCost.nodeIndexBytes)
            #expect(s.treeBytes <= rootsOnly + k * perKeyTree)
        }
        #expect(totals[10]! < full / 1000)
        #expect(totals[1000]! < full / 100)
        #expect(totals[100_000]! < full / 2)
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        let basisPoints = part * 10_000 / whole
        return "\(basisPoints / 100).\(basisPoints % 100 < 10 ? "0" : "")\(basisPoints % 100) %"
    }
}
